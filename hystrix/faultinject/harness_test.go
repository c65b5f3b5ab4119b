package faultinject

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

var nameSeq atomic.Int64

// uniqueName returns a command name no other test, run or -count repetition
// uses. It avoids the characters JSON escapes, so that it appears verbatim
// in the event stream.
func uniqueName(t testing.TB, suffix string) string {
	return fmt.Sprintf("faultinject/%s/%s/%d", t.Name(), suffix, nameSeq.Add(1))
}

// flush is hystrix.Flush for cleanups: a panic escaping it (a collector
// whose Reset panics) fails the test instead of killing the binary.
func flush(t testing.TB) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			t.Errorf("hystrix.Flush panicked (a collector's panic was not recovered): %v", v)
		}
	}()
	hystrix.Flush()
}

// newDownstream starts a Downstream that the test's cleanup closes.
func newDownstream(t testing.TB, opts Options) *Downstream {
	t.Helper()
	d, err := NewDownstream(opts)
	if err != nil {
		t.Fatalf("start downstream: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close downstream: %v", err)
		}
	})
	return d
}

// classify maps what a call returned, or what its fallback was given, to
// the outcome the collectors must have recorded for it.
func classify(err error) outcome {
	switch {
	case err == nil:
		return success
	case errors.Is(err, hystrix.ErrCircuitOpen):
		return shortCircuit
	case errors.Is(err, hystrix.ErrMaxConcurrency):
		return rejected
	case errors.Is(err, hystrix.ErrTimeout):
		return timedOut
	case errors.Is(err, context.Canceled):
		return canceled
	case errors.Is(err, context.DeadlineExceeded):
		return deadline
	}
	return failure
}

var errFallback = errors.New("faultinject: fallback fails")

// fetch GETs base/ and reads the whole body. Its errors never wrap the
// client's context errors, so that classify cannot take the dependency's
// failure for the caller's own cancellation.
func fetch(ctx context.Context, client *http.Client, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return errors.New("downstream: " + err.Error())
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return errors.New("downstream: body: " + err.Error())
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("downstream: status %d", resp.StatusCode)
	}
	return nil
}

// api is how one call reaches the library.
type api int

const (
	apiDoC         api = iota // DoC, no fallback
	apiDoCFallback            // DoC with a fallback
	apiDo                     // Do, no fallback; the run has a client timeout of 3×Timeout
	apiDoFallback             // Do with a fallback
	apiGoC                    // GoC with a fallback
	apiDoCCancel              // DoC whose caller cancels after Timeout/2
	apiDoCDeadline            // DoC whose caller's deadline is Timeout/2
	nAPIs
)

// plainAPIs are the calls whose callers never give up early.
var plainAPIs = []api{apiDoC, apiDoCFallback, apiDo, apiDoFallback, apiGoC}

// ledger is the test's own account of the calls it made to one command.
type ledger struct {
	calls    atomic.Int64
	outcomes [nOutcomes]atomic.Int64
	fbOK     atomic.Int64
	fbFailed atomic.Int64
	// goCalls are the GoC calls, goFellBack those whose fallback ran (its
	// cause is counted in outcomes); the others succeeded.
	goCalls    atomic.Int64
	goFellBack atomic.Int64
}

func (l *ledger) counts() counts {
	var c counts
	c.Attempts = float64(l.calls.Load())
	for o := range l.outcomes {
		c.Outcomes[o] = float64(l.outcomes[o].Load())
	}
	c.Outcomes[success] += float64(l.goCalls.Load() - l.goFellBack.Load())
	for o, v := range c.Outcomes {
		if outcome(o).isError() {
			c.Errors += v
		}
	}
	c.FallbackSuccesses = float64(l.fbOK.Load())
	c.FallbackFailures = float64(l.fbFailed.Load())
	return c
}

// command drives one hystrix command against a Downstream.
type command struct {
	t       *testing.T
	name    string
	cfg     hystrix.CommandConfig
	timeout time.Duration
	ds      *Downstream
	client  *http.Client // for runs that take a context
	doCl    *http.Client // for runs that do not: a client timeout instead
	circuit *hystrix.CircuitBreaker
	counter *countingCollector
	led     ledger
	fbSeq   atomic.Uint64
}

func newCommand(t *testing.T, name string, cfg hystrix.CommandConfig, ds *Downstream) *command {
	t.Helper()
	if err := hystrix.TryConfigureCommand(name, cfg); err != nil {
		t.Fatalf("configure %s: %v", name, err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	timeout := time.Duration(cfg.Timeout) * time.Millisecond
	c := &command{
		t: t, name: name, cfg: cfg, timeout: timeout, ds: ds,
		client: &http.Client{Transport: tr},
		doCl:   &http.Client{Transport: tr, Timeout: 3 * timeout},
	}
	c.circuit, _, _ = hystrix.GetCircuit(name)
	c.counter = counterOf(t, name)
	return c
}

func (c *command) runC(ctx context.Context) error { return fetch(ctx, c.client, c.ds.URL()) }
func (c *command) run() error                     { return fetch(context.Background(), c.doCl, c.ds.URL()) }

// fallbackResult alternates between a fallback that succeeds and one that
// fails, and counts which.
func (c *command) fallbackResult() error {
	if c.fbSeq.Add(1)%2 == 0 {
		c.led.fbOK.Add(1)
		return nil
	}
	c.led.fbFailed.Add(1)
	return errFallback
}

// call makes one call through a and returns its outcome; for apiGoC, whose
// success is never reported, ok is false unless the fallback ran. A GoC
// call waits for its error for at most 4×Timeout.
func (c *command) call(a api) (o outcome, ok bool) {
	c.led.calls.Add(1)
	var (
		cause    error
		fellBack bool
	)
	fallbackC := func(_ context.Context, err error) error {
		cause, fellBack = err, true
		return c.fallbackResult()
	}
	fallback := func(err error) error { return fallbackC(context.Background(), err) }

	var err error
	switch a {
	case apiDoC:
		err = hystrix.DoC(context.Background(), c.name, c.runC, nil)
	case apiDoCFallback:
		err = hystrix.DoC(context.Background(), c.name, c.runC, fallbackC)
	case apiDo:
		err = hystrix.Do(c.name, c.run, nil)
	case apiDoFallback:
		err = hystrix.Do(c.name, c.run, fallback)
	case apiDoCCancel:
		ctx, cancel := context.WithCancel(context.Background())
		stop := time.AfterFunc(c.timeout/2, cancel)
		err = hystrix.DoC(ctx, c.name, c.runC, nil)
		stop.Stop()
		cancel()
	case apiDoCDeadline:
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout/2)
		err = hystrix.DoC(ctx, c.name, c.runC, nil)
		cancel()
	case apiGoC:
		c.led.goCalls.Add(1)
		done := make(chan struct{})
		errs := hystrix.GoC(context.Background(), c.name, c.runC, func(_ context.Context, err error) error {
			// Runs on the GoC goroutine: count the cause here.
			c.led.outcomes[classify(err)].Add(1)
			c.led.goFellBack.Add(1)
			close(done)
			return c.fallbackResult()
		})
		timer := time.NewTimer(4 * c.timeout)
		defer timer.Stop()
		select {
		case <-done:
			return 0, false
		case <-timer.C:
			return 0, false
		case err := <-errs:
			// The fallback ran before the error was sent, so done is
			// closed by now unless the library sent an error without
			// running the fallback.
			select {
			case <-done:
			default:
				c.t.Errorf("%s: GoC sent %v without running its fallback", c.name, err)
			}
			return 0, false
		}
	default:
		panic("unknown api")
	}

	if fellBack {
		o = classify(cause)
		switch {
		case err == nil:
		case errors.Is(err, errFallback) && errors.Is(err, cause):
		default:
			c.t.Errorf("%s: the fallback got %v and the call returned %v", c.name, cause, err)
		}
	} else {
		o = classify(err)
		if err != nil && (a == apiDoCFallback || a == apiDoFallback) {
			c.t.Errorf("%s: the call returned %v without running its fallback", c.name, err)
		}
	}
	c.led.outcomes[o].Add(1)
	return o, true
}

// quiesce waits until every call the test made has reached the counting
// collector, no execution holds a ticket and the downstream handles no
// request.
func (c *command) quiesce(phase string) {
	c.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		snap := c.counter.snapshot()
		calls := float64(c.led.calls.Load())
		if snap.life.Attempts == calls && c.circuit.ActiveCount() == 0 && c.ds.InFlight() == 0 {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s %s: not quiet after 5 s: the collector saw %v of %v calls, ActiveCount %d, downstream in flight %d",
				c.name, phase, snap.life.Attempts, calls, c.circuit.ActiveCount(), c.ds.InFlight())
		}
		time.Sleep(time.Millisecond)
	}
}

// checkAccounting asserts that every call is accounted exactly once: in the
// counting collector over its life, against the test's ledger outcome by
// outcome; in the circuit's default collector, whose requests over the
// rolling window are the sum of its outcomes; and, when window is not nil
// (the test knows what the window holds), that both collectors' windows
// hold exactly that. Call it when quiet.
func (c *command) checkAccounting(phase string, window *counts) {
	c.t.Helper()
	snap := c.counter.snapshot()
	want := c.led.counts()
	if snap.life != want {
		c.t.Errorf("%s %s: the counting collector saw\n\t%v\nbut the test made calls that came to\n\t%v", c.name, phase, snap.life, want)
	}
	if s := snap.life.sumOutcomes(); s != snap.life.Attempts {
		c.t.Errorf("%s %s: counting collector: %v attempts but %v outcomes", c.name, phase, snap.life.Attempts, s)
	}
	if len(snap.violations) > 0 {
		c.t.Errorf("%s %s: results breaking the MetricResult contract: %q", c.name, phase, snap.violations)
	}
	if snap.overlaps > 0 {
		c.t.Errorf("%s %s: %d Update calls overlapped another", c.name, phase, snap.overlaps)
	}

	m := c.circuit.Metrics()
	now := windowNow()
	def := counts{
		Attempts: m.NumRequests().Sum(now),
		Errors:   m.Errors().Sum(now),
		Outcomes: [nOutcomes]float64{
			success:      m.Successes().Sum(now),
			failure:      m.Failures().Sum(now),
			rejected:     m.Rejects().Sum(now),
			shortCircuit: m.ShortCircuits().Sum(now),
			timedOut:     m.Timeouts().Sum(now),
			canceled:     m.ContextCanceled().Sum(now),
			deadline:     m.ContextDeadlineExceeded().Sum(now),
		},
		FallbackSuccesses: m.FallbackSuccesses().Sum(now),
		FallbackFailures:  m.FallbackFailures().Sum(now),
	}
	if s := def.sumOutcomes(); s != def.Attempts {
		c.t.Errorf("%s %s: default collector: NumRequests %v but its outcomes sum to %v: %v", c.name, phase, def.Attempts, s, def)
	}
	if e := def.Outcomes[failure] + def.Outcomes[rejected] + def.Outcomes[shortCircuit] + def.Outcomes[timedOut]; e != def.Errors {
		c.t.Errorf("%s %s: default collector: Errors %v but failures+rejects+short circuits+timeouts %v", c.name, phase, def.Errors, e)
	}
	if window == nil {
		return
	}
	// The rolling window is ten seconds; compare windows only while it
	// still holds everything since the collectors were last reset.
	if time.Since(snap.lastReset) > 8*time.Second {
		c.t.Logf("%s %s: window comparison skipped, last reset %v ago", c.name, phase, time.Since(snap.lastReset))
		return
	}
	if def != snap.window {
		c.t.Errorf("%s %s: over the rolling window the default collector holds\n\t%v\nand the counting collector, since its last Reset,\n\t%v", c.name, phase, def, snap.window)
	}
	// The test cannot tell which fallbacks ran inside the window after a
	// Reset, so compare it on executions only.
	w := *window
	w.FallbackSuccesses, w.FallbackFailures = def.FallbackSuccesses, def.FallbackFailures
	if def != w {
		c.t.Errorf("%s %s: over the rolling window the default collector holds\n\t%v\nbut the test's calls since the circuit last closed came to\n\t%v", c.name, phase, def, w)
	}
}

// windowNow is the time to read the rolling windows at. The engine buckets
// by its own clock, the wall clock at its start plus monotonic time since,
// which may have drifted from time.Now by a little; a window read at a
// second that the engine has not reached yet would miss the latest bucket.
// Reading a little ahead costs nothing as long as what is compared is
// younger than eight seconds.
func windowNow() time.Time { return time.Now().Add(100 * time.Millisecond) }

// heapAfterGC returns the live heap after two collections (the second
// empties the sync.Pool victim caches).
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// sampler records, every millisecond, the goroutine count and the highest
// ActiveCount of some circuits.
type sampler struct {
	stop      chan struct{}
	done      chan struct{}
	maxG      atomic.Int64
	maxActive atomic.Int64
}

func startSampler(circuits ...*hystrix.CircuitBreaker) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	s.sample(circuits)
	go func() {
		defer close(s.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
				s.sample(circuits)
			}
		}
	}()
	return s
}

func (s *sampler) sample(circuits []*hystrix.CircuitBreaker) {
	raise(&s.maxG, int64(runtime.NumGoroutine()))
	for _, c := range circuits {
		raise(&s.maxActive, int64(c.ActiveCount()))
	}
}

func raise(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// Stop ends the sampling and takes a last sample.
func (s *sampler) Stop() {
	close(s.stop)
	<-s.done
}

// load runs callers goroutines that call c through the given APIs in turn
// until d has passed, pausing pace after each call, and waits for them.
func (c *command) load(callers int, d, pace time.Duration, apis []api) {
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	for g := 0; g < callers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; time.Now().Before(end); i++ {
				c.call(apis[i%len(apis)])
				time.Sleep(pace)
			}
		}(g)
	}
	wg.Wait()
}
