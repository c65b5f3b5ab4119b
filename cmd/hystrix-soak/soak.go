package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// config is what the flags set.
type config struct {
	Duration time.Duration
	Sample   time.Duration
	Phase    time.Duration // how long each downstream phase lasts
	Workers  int
	Timeout  time.Duration // the commands'
	SVG      string
}

// sample is one reading of the process.
type sample struct {
	at         time.Duration // since the start
	heapMiB    float64
	goroutines int
}

// summary is what a run found.
type summary struct {
	calls    int64            // executions started by the workers
	outcomes map[string]int64 // as the collectors saw them
	attempts int64            // collectors' Attempts
	samples  []sample
}

// counter is a collector counting outcomes, one per circuit, all adding
// into the run's totals.
type counter struct{ totals *totals }

type totals struct {
	attempts, success, failure, rejected, shortCircuit, timeout, canceled, deadline atomic.Int64
}

func (c counter) Update(r metricCollector.MetricResult) {
	t := c.totals
	t.attempts.Add(int64(r.Attempts))
	t.success.Add(int64(r.Successes))
	t.failure.Add(int64(r.Failures))
	t.rejected.Add(int64(r.Rejects))
	t.shortCircuit.Add(int64(r.ShortCircuits))
	t.timeout.Add(int64(r.Timeouts))
	t.canceled.Add(int64(r.ContextCanceled))
	t.deadline.Add(int64(r.ContextDeadlineExceeded))
}

func (counter) Reset() {}

// registerCounter adds the run's collector once per process; later runs
// (tests) swap the totals it adds into.
var (
	registerOnce sync.Once
	current      atomic.Pointer[totals]
)

func registerCounter() *totals {
	registerOnce.Do(func() {
		metricCollector.Registry.Register(func(string) metricCollector.MetricCollector {
			return counter{totals: current.Load()}
		})
	})
	t := new(totals)
	current.Store(t)
	return t
}

var errServer = errors.New("downstream answered 5xx")

// soak runs the load for cfg.Duration, or until ctx ends, and reports.
func soak(ctx context.Context, cfg config, log io.Writer) (*summary, error) {
	hystrix.Flush()
	defer hystrix.Flush()
	t := registerCounter()
	down, err := newDownstream(cfg.Timeout)
	if err != nil {
		return nil, err
	}
	defer down.close()
	refused, err := refusedURL()
	if err != nil {
		return nil, err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Workers}}
	defer client.CloseIdleConnections()

	type command struct {
		name, url string
		config    hystrix.CommandConfig
	}
	ms := int(cfg.Timeout / time.Millisecond)
	base := hystrix.CommandConfig{Timeout: ms, MaxConcurrentRequests: cfg.Workers / 2, RequestVolumeThreshold: 10,
		SleepWindow: 4 * ms, ErrorPercentThreshold: 30}
	caller := base
	caller.Isolation = hystrix.CallerIsolation
	cmds := []command{
		{"soak/goroutine", down.url(), base},
		{"soak/caller", down.url(), caller},
		{"soak/refused", refused, base},
	}
	for _, c := range cmds {
		if err := hystrix.TryConfigureCommand(c.name, c.config); err != nil {
			return nil, err
		}
	}

	get := func(ctx context.Context, url string) error {
		if rand.IntN(500) == 0 {
			panic("soak: a run that panics")
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		if err == nil && resp.StatusCode >= 500 {
			err = errServer
		}
		return err
	}
	fallbacks := []func(context.Context, error) error{
		nil,
		func(context.Context, error) error { return nil },
		func(_ context.Context, err error) error { return err },
		func(context.Context, error) error { panic("soak: a fallback that panics") },
	}

	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var calls atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < cfg.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				c := cmds[rand.IntN(len(cmds))]
				fb := fallbacks[rand.IntN(len(fallbacks))]
				callCtx, callCancel := context.WithTimeout(ctx, time.Duration(1+rand.IntN(3))*cfg.Timeout)
				run := func(ctx context.Context) error { return get(ctx, c.url) }
				calls.Add(1)
				switch rand.IntN(4) {
				case 0:
					_ = hystrix.DoC(callCtx, c.name, run, fb)
				case 1:
					_ = <-goResult(hystrix.GoC(callCtx, c.name, run, fb), callCtx)
				case 2:
					var f func(error) error
					if fb != nil {
						f = func(err error) error { return fb(callCtx, err) }
					}
					_ = hystrix.Do(c.name, func() error { return get(callCtx, c.url) }, f)
				default:
					errs := hystrix.Go(c.name, func() error { return get(callCtx, c.url) }, nil)
					_ = <-goResult(errs, callCtx)
				}
				callCancel()
			}
		}()
	}

	// The stream, with a client reading it.
	sh := hystrix.NewStreamHandler()
	sh.Start()
	srv := httptest.NewServer(sh)
	wg.Add(1)
	go func() {
		defer wg.Done()
		readStream(ctx, srv.URL)
	}()

	// The phases, the reconfiguring and the flushing, and the samples.
	start := time.Now()
	sum := &summary{outcomes: map[string]int64{}}
	tick := time.NewTicker(cfg.Sample)
	defer tick.Stop()
	nextPhase := start.Add(cfg.Phase)
	var mem runtime.MemStats
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case now := <-tick.C:
			if now.After(nextPhase) {
				p := (phase(down.phase.Load()) + 1) % phases
				down.phase.Store(int32(p))
				nextPhase = now.Add(cfg.Phase)
				fmt.Fprintf(log, "%6.0fs downstream %s\n", now.Sub(start).Seconds(), phaseNames[p])
				if p == healthy {
					hystrix.Flush()
				}
			}
			c := cmds[rand.IntN(len(cmds))]
			cfg := c.config
			cfg.ErrorPercentThreshold = 20 + rand.IntN(40)
			hystrix.ConfigureCommand(c.name, cfg)
			runtime.ReadMemStats(&mem)
			sum.samples = append(sum.samples, sample{
				at: now.Sub(start), heapMiB: float64(mem.HeapInuse) / (1 << 20), goroutines: runtime.NumGoroutine(),
			})
		}
	}
	down.close()
	wg.Wait()
	srv.CloseClientConnections()
	srv.Close()
	sh.Stop()
	// Go executions whose callers stopped waiting finish by themselves.
	deadline := time.Now().Add(10 * time.Second)
	for t.attempts.Load() < calls.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}

	sum.calls = calls.Load()
	sum.attempts = t.attempts.Load()
	for name, v := range map[string]*atomic.Int64{
		"success": &t.success, "failure": &t.failure, "rejected": &t.rejected, "short-circuit": &t.shortCircuit,
		"timeout": &t.timeout, "context_canceled": &t.canceled, "context_deadline_exceeded": &t.deadline,
	} {
		sum.outcomes[name] = v.Load()
	}
	return sum, nil
}

// goResult waits for an asynchronous execution's error, if any: Go sends
// only errors, so the caller's context bounds the wait.
func goResult(errs chan error, ctx context.Context) chan error {
	out := make(chan error, 1)
	select {
	case err := <-errs:
		out <- err
	case <-ctx.Done():
		out <- nil
	}
	return out
}

// readStream reads the event stream until ctx ends.
func readStream(ctx context.Context, url string) {
	for ctx.Err() == nil {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// outcomeSum is the number of executions the collectors saw end.
func (s *summary) outcomeSum() int64 {
	var n int64
	for _, v := range s.outcomes {
		n += v
	}
	return n
}

// flat reports whether heap and goroutines stayed flat: the median of the
// last fifth of the samples within twice that of the second fifth, plus an
// allowance (8 MiB, 50 goroutines) for noise.
func (s *summary) flat() (heapOK, goroutinesOK bool) {
	n := len(s.samples)
	if n < 5 {
		return true, true
	}
	mid, last := s.samples[n/5:2*n/5], s.samples[4*n/5:]
	heap := func(xs []sample) float64 { return median(xs, func(x sample) float64 { return x.heapMiB }) }
	gor := func(xs []sample) float64 { return median(xs, func(x sample) float64 { return float64(x.goroutines) }) }
	return heap(last) <= 2*heap(mid)+8, gor(last) <= 2*gor(mid)+50
}

func median(xs []sample, f func(sample) float64) float64 {
	vs := make([]float64, len(xs))
	for i, x := range xs {
		vs[i] = f(x)
	}
	for i := 1; i < len(vs); i++ { // insertion sort: a few hundred values
		for j := i; j > 0 && vs[j] < vs[j-1]; j-- {
			vs[j], vs[j-1] = vs[j-1], vs[j]
		}
	}
	return vs[len(vs)/2]
}
