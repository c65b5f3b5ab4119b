package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/adaptivelimiter"
	"github.com/failsafe-go/failsafe-go/timeout"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// The overload scenario: a downstream on loopback whose latency grows with
// how many requests it holds, driven below and past what it can serve,
// through a fixed concurrency limit and through the adaptive ones. It
// measures what the limit is for, not what it costs: how many calls succeed
// per second (goodput) and how long the admitted ones take (p99).
//
// The downstream serves capacity requests at a time in base each; beyond
// that it shares itself among all it holds, so a request that arrives
// while n > capacity are in flight takes base*n/capacity. Its throughput is
// capacity/base (1000/s) however many it holds. It finishes every request
// it took, even one whose caller has given up: abandoned work still holds
// it, as in a real server. Calls time out at overloadTimeout, so once more
// than capacity*timeout/base requests are in flight every call times out,
// and goodput collapses: the limit must keep the downstream below that.
//
// Arrivals are open-loop, at a fixed rate, as a service's own callers keep
// coming whatever its dependency does. Every contestant's circuit never
// opens (its volume threshold is out of reach), so only the limit acts.

const (
	overloadBase     = 10 * time.Millisecond
	overloadCapacity = 10
	overloadTimeout  = 100 * time.Millisecond
	// overloadFixed is the fixed limit sized for a peak, as such limits
	// are, and the adaptive limits' start.
	overloadFixed = 200
)

// overloadLoads are the offered loads, as a share of the downstream's
// throughput.
var overloadLoads = []struct {
	name  string
	share float64
}{
	{"x0.7", 0.7},
	{"x2", 2},
}

// An overloadLimit is a contestant: make returns the call that runs run
// under its limit, with the timeout, and the errors it answers a timeout
// and a refusal with.
type overloadLimit struct {
	name string
	make func(tb testing.TB, run func(context.Context) error) (call func() error, timedOut, refused error)
}

// oursOverload is our engine configured with config.
func oursOverload(name string, config hystrix.CommandConfig) overloadLimit {
	return overloadLimit{name: name, make: func(tb testing.TB, run func(context.Context) error) (func() error, error, error) {
		r := policyRegistry(tb, nil)
		policyCommand(tb, r, "overload", config)
		return func() error { return r.DoC(context.Background(), "overload", run, nil) }, hystrix.ErrTimeout, hystrix.ErrMaxConcurrency
	}}
}

// overloadLimits are the contestants: the fixed limit sized for a peak, the
// fixed limit tuned to the downstream (which no one knows in advance), our
// adaptive limits starting where the untuned one is, and failsafe-go's
// adaptive limiter with the same bounds and timeout.
var overloadLimits = []overloadLimit{
	oursOverload("fixed-200", overloadConfig(overloadFixed, "")),
	oursOverload("fixed-10", overloadConfig(overloadCapacity, "")),
	oursOverload("aimd", overloadConfig(overloadFixed, "aimd")),
	oursOverload("gradient", overloadConfig(overloadFixed, "gradient")),
	{name: "failsafe", make: func(tb testing.TB, run func(context.Context) error) (func() error, error, error) {
		lim := adaptivelimiter.NewBuilder[any]().WithLimits(2, 2*overloadFixed, overloadFixed).Build()
		exec := failsafe.With[any](lim, timeout.New[any](overloadTimeout))
		return func() error {
			return exec.RunWithExecution(func(e failsafe.Execution[any]) error { return run(e.Context()) })
		}, timeout.ErrExceeded, adaptivelimiter.ErrExceeded
	}},
}

func overloadConfig(limit int, adaptive string) hystrix.CommandConfig {
	c := hystrix.CommandConfig{
		Timeout:                int(overloadTimeout / time.Millisecond),
		MaxConcurrentRequests:  limit,
		RequestVolumeThreshold: noTrip,
		Isolation:              hystrix.CallerIsolation,
	}
	if adaptive != "" {
		c.Concurrency = hystrix.ConcurrencyConfig{Adaptive: adaptive, Min: 2, Initial: limit, Max: 2 * limit}
	}
	return c
}

// overloadDownstream is the loopback server.
type overloadDownstream struct {
	srv      *httptest.Server
	inflight atomic.Int64
}

func newOverloadDownstream(tb testing.TB) *overloadDownstream {
	d := &overloadDownstream{}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := d.inflight.Add(1)
		defer d.inflight.Add(-1)
		t := overloadBase
		if n > overloadCapacity {
			t = overloadBase * time.Duration(n) / overloadCapacity
		}
		time.Sleep(t)
		w.WriteHeader(http.StatusNoContent)
	}))
	tb.Cleanup(d.srv.Close)
	return d
}

// overloadResult is what one run measured.
type overloadResult struct {
	ok, timeouts, rejected, failed int
	firstFailure                   error
	latencies                      []time.Duration // of the calls admitted: successes and timeouts
	seconds                        float64
}

func (r *overloadResult) p99() time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	slices.Sort(r.latencies)
	return r.latencies[(len(r.latencies)*99+99)/100-1]
}

// runOverload offers rate calls per second through lim for warm+measure,
// and measures the calls that started in the last measure.
func runOverload(tb testing.TB, lim overloadLimit, rate float64, warm, measure time.Duration) overloadResult {
	down := newOverloadDownstream(tb)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000, MaxConnsPerHost: 0}}
	tb.Cleanup(client.CloseIdleConnections)

	run := func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, down.srv.URL, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil
	}
	call, timedOut, refused := lim.make(tb, run)

	var (
		mu  sync.Mutex
		res overloadResult
		wg  sync.WaitGroup
	)
	start := time.Now()
	measureFrom := start.Add(warm)
	end := measureFrom.Add(measure)
	interval := time.Duration(float64(time.Second) / rate)
	// Arrivals in batches every tick, so that the dispatcher does not
	// sleep for less than the timer's resolution.
	const tick = 5 * time.Millisecond
	next := start
	for n := 0; ; {
		now := time.Now()
		if !now.Before(end) {
			break
		}
		for ; next.Before(now) && next.Before(end); next = next.Add(interval) {
			counted := !next.Before(measureFrom)
			n++
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				err := call()
				took := time.Since(t0)
				if !counted {
					return
				}
				mu.Lock()
				switch {
				case err == nil:
					res.ok++
					res.latencies = append(res.latencies, took)
				case errors.Is(err, timedOut):
					res.timeouts++
					res.latencies = append(res.latencies, took)
				case errors.Is(err, refused):
					res.rejected++
				default:
					res.failed++
					if res.firstFailure == nil {
						res.firstFailure = err
					}
				}
				mu.Unlock()
			}()
		}
		time.Sleep(tick)
	}
	wg.Wait()
	res.seconds = measure.Seconds()
	return res
}

// overloadDurations are the warm-up and the measured time of one run;
// OVERLOAD_SECONDS lengthens the measured time.
func overloadDurations() (warm, measure time.Duration) {
	warm, measure = 2*time.Second, 3*time.Second
	if s := os.Getenv("OVERLOAD_SECONDS"); s != "" {
		var n int
		if _, err := fmt.Sscan(s, &n); err == nil && n > 0 {
			measure = time.Duration(n) * time.Second
		}
	}
	return warm, measure
}

// BenchmarkOverload runs each limit at each load, one run of a few seconds
// per iteration (run it with -benchtime 1x), and reports goodput/s (calls
// that succeeded, per second), p99-ms (of the calls the limit admitted,
// successes and timeouts: what a caller waited for; refusals, which answer
// at once, are left out so that refusing cannot flatter it), and the shares
// of calls that timed out (timeout-%) and that the limit refused
// (refused-%).
// ns/op means nothing here and is left out.
func BenchmarkOverload(b *testing.B) {
	warm, measure := overloadDurations()
	throughput := float64(overloadCapacity) / overloadBase.Seconds()
	for _, load := range overloadLoads {
		b.Run(load.name, func(b *testing.B) {
			for _, lim := range overloadLimits {
				b.Run(lim.name, func(b *testing.B) {
					var sum overloadResult
					var p99 time.Duration
					for range b.N {
						res := runOverload(b, lim, load.share*throughput, warm, measure)
						if res.failed > 0 {
							b.Fatalf("%d calls failed with an error that is neither a timeout nor a refusal, first %v", res.failed, res.firstFailure)
						}
						sum.ok += res.ok
						sum.timeouts += res.timeouts
						sum.rejected += res.rejected
						sum.seconds += res.seconds
						p99 += res.p99()
					}
					all := float64(sum.ok + sum.timeouts + sum.rejected)
					b.ReportMetric(0, "ns/op")
					b.ReportMetric(float64(sum.ok)/sum.seconds, "goodput/s")
					b.ReportMetric(float64(p99)/float64(b.N)/float64(time.Millisecond), "p99-ms")
					b.ReportMetric(100*float64(sum.timeouts)/all, "timeout-%")
					b.ReportMetric(100*float64(sum.rejected)/all, "refused-%")
				})
			}
		})
	}
}

// TestOverloadDownstreamSlowsWithConcurrency checks the model the overload
// scenario relies on: alone a request takes about base, and one that
// arrives while many are held takes proportionally longer.
func TestOverloadDownstreamSlowsWithConcurrency(t *testing.T) {
	d := newOverloadDownstream(t)
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	get := func() time.Duration {
		t0 := time.Now()
		resp, err := client.Get(d.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return time.Since(t0)
	}
	if took := get(); took < overloadBase || took > 20*overloadBase {
		t.Fatalf("a lone request took %v, want about %v", took, overloadBase)
	}
	// Hold 4*capacity requests, then time one more: it must take at least
	// four times base.
	d.inflight.Add(4 * overloadCapacity)
	took := get()
	d.inflight.Add(-4 * overloadCapacity)
	if took < 4*overloadBase {
		t.Fatalf("a request among %d in flight took %v, want at least %v", 4*overloadCapacity, took, 4*overloadBase)
	}
}

// TestOverloadRunCountsEveryCall runs the scenario briefly below capacity:
// every measured call succeeds, within the timeout.
func TestOverloadRunCountsEveryCall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a second")
	}
	res := runOverload(t, oursOverload("gradient", overloadConfig(overloadFixed, "gradient")), 200, 200*time.Millisecond, 800*time.Millisecond)
	if res.failed > 0 || res.rejected > 0 {
		t.Fatalf("below capacity: %d failed, %d refused", res.failed, res.rejected)
	}
	// 200/s for 0.8 s is 160 arrivals; the batching of the dispatcher may
	// move a few across the edges of the window.
	if got := res.ok + res.timeouts; got < 140 || got > 180 {
		t.Fatalf("counted %d calls, want about 160", got)
	}
	if res.timeouts > res.ok/10 {
		t.Fatalf("%d of %d calls timed out below capacity", res.timeouts, res.ok+res.timeouts)
	}
}
