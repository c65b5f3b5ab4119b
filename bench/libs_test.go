package bench

import (
	"math"
	"testing"
	"time"

	afex "github.com/afex/hystrix-go/hystrix"
	"github.com/cenk/backoff"
	eapache "github.com/eapache/go-resiliency/breaker"
	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/fallback"
	"github.com/failsafe-go/failsafe-go/timeout"
	aegis "github.com/go-kratos/aegis/circuitbreaker"
	"github.com/go-kratos/aegis/circuitbreaker/sre"
	rubyist "github.com/rubyist/circuitbreaker"
	"github.com/sony/gobreaker/v2"
	gozero "github.com/zeromicro/go-zero/core/breaker"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// The settings the adapters share.
const (
	// noTrip is a request volume no benchmark reaches, so a circuit with it
	// as its volume threshold stays closed however many calls fail.
	noTrip = math.MaxInt32
	// callTimeout is the timeout of the scenarios that have one; no call in
	// them comes near it.
	callTimeout = time.Second
	// openFor is how long a tripped breaker stays open: longer than any run.
	openFor = time.Hour
	// maxConcurrent bounds the executions in flight on one of our
	// circuits: well above the 75 goroutines.
	maxConcurrent = 1000
	// afexMaxConcurrent is the same bound for afex, whose Do returns before
	// afex gives the call's ticket back: that waits on a goroutine per
	// circuit which, under a benchmark's load, falls behind, so that the
	// tickets out grow with the calls made. A bound this size is never
	// reached (ErrMaxConcurrency fails the benchmark), and afex's timing
	// includes the wait for that goroutine to catch up, so ns/op is what
	// afex sustains. afex holds a channel of this many tickets per circuit.
	afexMaxConcurrent = 1 << 20
	// manyMaxConcurrent is the bound of each of the circuits10k circuits,
	// ours and afex's, which see few calls at once.
	manyMaxConcurrent = 100
)

// A library knows how to make each kind of call the scenarios measure with
// one circuit breaker library. A nil field means the library has no such
// thing, and the scenario skips it.
type library struct {
	name string
	// closed calls run through a breaker configured so that it stays
	// closed whatever run returns, with no fallback.
	closed func(tb testing.TB, name string, run func() error) target
	// guarded calls run with a timeout and a fallback.
	guarded func(tb testing.TB, name string, timeout time.Duration, run, fallback func() error) target
	// tripped calls run through a breaker that was first made to open and
	// stays open for openFor.
	tripped func(tb testing.TB, name string, run func() error) target
	// many calls run through the i-th of n closed breakers with the given
	// name prefix. Adapters whose breakers leave goroutines behind make
	// them once per prefix and reuse them.
	many func(tb testing.TB, prefix string, n int, run func() error) target
	// rejected is the error the library returns when it refuses a call.
	rejected error
	// adaptive is set for breakers that throttle by probability (Google
	// SRE adaptive throttling) rather than open: they cannot be kept from
	// dropping calls once failures mount, nor made to drop all of them.
	adaptive bool
}

// libraries are the contestants, ours first.
var libraries = []library{ours, oursCaller, afexLib, gobreakerLib, failsafeLib, eapacheLib, rubyistLib, gozeroLib, aegisLib}

func withFallback(fallback func() error) func(error) error {
	return func(error) error { return fallback() }
}

// ---- ours: github.com/gohystrix/hystrix-go ----

// oursConfigure configures the named command and makes its circuit, so
// that the timed calls do not.
func oursConfigure(tb testing.TB, name string, config hystrix.CommandConfig) {
	tb.Helper()
	if err := hystrix.TryConfigureCommand(name, config); err != nil {
		tb.Fatal(err)
	}
	hystrix.GetCircuit(name)
}

// oursLibrary is ours with the given isolation. The calls are hystrix.Do,
// the drop-in API. Every config keeps the defaults (1 s timeout, 50% error
// threshold, 5 s sleep window) except the concurrency bound and, where the
// circuit must stay closed, a volume threshold no run reaches.
func oursLibrary(name string, isolation hystrix.Isolation, timeout int) library {
	closedConfig := func(maxConc int) hystrix.CommandConfig {
		return hystrix.CommandConfig{
			Timeout:                timeout,
			MaxConcurrentRequests:  maxConc,
			RequestVolumeThreshold: noTrip,
			Isolation:              isolation,
		}
	}
	l := library{
		name:     name,
		rejected: hystrix.ErrCircuitOpen,
		closed: func(tb testing.TB, name string, run func() error) target {
			oursConfigure(tb, name, closedConfig(maxConcurrent))
			return target{call: func() error { return hystrix.Do(name, run, nil) }}
		},
		guarded: func(tb testing.TB, name string, timeout time.Duration, run, fallback func() error) target {
			oursConfigure(tb, name, hystrix.CommandConfig{
				Timeout:                int(timeout / time.Millisecond),
				MaxConcurrentRequests:  maxConcurrent,
				RequestVolumeThreshold: noTrip,
				Isolation:              isolation,
			})
			fb := withFallback(fallback)
			return target{call: func() error { return hystrix.Do(name, run, fb) }}
		},
		many: func(tb testing.TB, prefix string, n int, run func() error) target {
			names := circuitNames(prefix, n)
			for _, name := range names {
				oursConfigure(tb, name, closedConfig(manyMaxConcurrent))
				_ = hystrix.Do(name, runOK, nil) // make the circuit now, not in the timed loop
			}
			return target{circuits: n, callAt: func(i int) error { return hystrix.Do(names[i], run, nil) }}
		},
	}
	if isolation == hystrix.GoroutineIsolation {
		// Opening is the same for both isolations: the call is refused
		// before the isolation matters.
		l.tripped = func(tb testing.TB, name string, run func() error) target {
			// Defaults (20 calls, 50% errors) with a long sleep window.
			oursConfigure(tb, name, hystrix.CommandConfig{
				MaxConcurrentRequests: maxConcurrent,
				SleepWindow:           int(openFor / time.Millisecond),
			})
			c, _, _ := hystrix.GetCircuit(name)
			for i := 0; i < 1000 && !c.IsOpen(); i++ {
				_ = hystrix.Do(name, runFail, nil)
			}
			if !c.IsOpen() {
				tb.Fatalf("ours: circuit %s did not open", name)
			}
			return target{call: func() error { return hystrix.Do(name, run, nil) }}
		}
	}
	return l
}

var (
	// ours runs the function on a goroutine of its own under a 1 s timeout:
	// the default, and Hystrix's THREAD isolation.
	ours = oursLibrary("ours", hystrix.GoroutineIsolation, 0)
	// oursCaller runs the function on the caller's goroutine (Hystrix's
	// SEMAPHORE isolation); without a timeout where the scenario has none.
	oursCaller = oursLibrary("ours-caller", hystrix.CallerIsolation, -1)
)

// ---- afex: github.com/afex/hystrix-go ----

// afexConfigure gives the named command afex's defaults (1 s timeout, 50%
// error threshold, 5 s sleep window, volume threshold 20) with the given
// overrides, and makes its circuit, so that the timed calls do not. afex
// reads the concurrency bound when it makes the circuit, so this comes
// before the first call. afex circuits are never flushed here: each leaves
// two goroutines behind for good, so every name is made once per process.
func afexConfigure(name string, c afex.CommandConfig) {
	afex.ConfigureCommand(name, c)
	afex.GetCircuit(name)
}

var afexLib = library{
	name:     "afex",
	rejected: afex.ErrCircuitOpen,
	closed: func(tb testing.TB, name string, run func() error) target {
		afexConfigure(name, afex.CommandConfig{MaxConcurrentRequests: afexMaxConcurrent, RequestVolumeThreshold: noTrip})
		return target{
			call:   func() error { return afex.Do(name, run, nil) },
			settle: func() { afexDrain(tb, name) },
		}
	},
	guarded: func(tb testing.TB, name string, timeout time.Duration, run, fallback func() error) target {
		afexConfigure(name, afex.CommandConfig{
			Timeout:                int(timeout / time.Millisecond),
			MaxConcurrentRequests:  afexMaxConcurrent,
			RequestVolumeThreshold: noTrip,
		})
		fb := withFallback(fallback)
		return target{
			call:   func() error { return afex.Do(name, run, fb) },
			settle: func() { afexDrain(tb, name) },
		}
	},
	tripped: func(tb testing.TB, name string, run func() error) target {
		// Defaults (20 calls, 50% errors) with a long sleep window. afex
		// counts asynchronously, so it opens once its metrics goroutine
		// has caught up with the failures.
		afexConfigure(name, afex.CommandConfig{MaxConcurrentRequests: afexMaxConcurrent, SleepWindow: int(openFor / time.Millisecond)})
		cb, _, _ := afex.GetCircuit(name)
		for i := 0; i < 1000 && !cb.IsOpen(); i++ {
			_ = afex.Do(name, runFail, nil)
			if i%20 == 19 {
				afexDrain(tb, name)
			}
		}
		if !cb.IsOpen() {
			tb.Fatalf("afex: circuit %s did not open", name)
		}
		return target{
			call:   func() error { return afex.Do(name, run, nil) },
			settle: func() { afexDrain(tb, name) },
		}
	},
	many: func(tb testing.TB, prefix string, n int, run func() error) target {
		names := memo("afex/"+prefix, func() []string {
			names := circuitNames(prefix, n)
			for _, name := range names {
				afexConfigure(name, afex.CommandConfig{MaxConcurrentRequests: manyMaxConcurrent, RequestVolumeThreshold: noTrip})
				_ = afex.Do(name, runOK, nil)
			}
			return names
		})
		return target{
			circuits: n,
			callAt:   func(i int) error { return afex.Do(names[i], run, nil) },
			settle:   func() { afexDrain(tb, names...) },
		}
	},
}

// ---- gobreaker: github.com/sony/gobreaker/v2 ----

// gobreakerClosed is gobreaker's defaults (counts never cleared while
// closed, 60 s open state, one probe) with ReadyToTrip replaced by Hystrix's
// rule, 50% errors once a volume is reached, at a volume no run reaches.
// (The default, more than five consecutive failures, would open it at once
// in the fail scenario.)
func gobreakerClosed(name string) *gobreaker.CircuitBreaker[any] {
	return gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name: name,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.Requests >= noTrip && c.TotalFailures*2 >= c.Requests
		},
	})
}

// gobreakerCall adapts run to gobreaker's generic Execute.
func gobreakerCall(cb *gobreaker.CircuitBreaker[any], run func() error) func() error {
	req := func() (any, error) { return nil, run() }
	return func() error {
		_, err := cb.Execute(req)
		return err
	}
}

var gobreakerLib = library{
	name:     "gobreaker",
	rejected: gobreaker.ErrOpenState,
	closed: func(tb testing.TB, name string, run func() error) target {
		return target{call: gobreakerCall(gobreakerClosed(name), run)}
	},
	tripped: func(tb testing.TB, name string, run func() error) target {
		// Defaults: opens after more than five consecutive failures;
		// Timeout is how long it then stays open.
		cb := gobreaker.NewCircuitBreaker[any](gobreaker.Settings{Name: name, Timeout: openFor})
		fail := gobreakerCall(cb, runFail)
		for i := 0; i < 100 && cb.State() != gobreaker.StateOpen; i++ {
			_ = fail()
		}
		if cb.State() != gobreaker.StateOpen {
			tb.Fatalf("gobreaker: %s did not open", name)
		}
		return target{call: gobreakerCall(cb, run)}
	},
	many: func(tb testing.TB, prefix string, n int, run func() error) target {
		// One breaker per name, found by name as a program would.
		bs := memo("gobreaker/"+prefix, func() map[string]*gobreaker.CircuitBreaker[any] {
			m := make(map[string]*gobreaker.CircuitBreaker[any], n)
			for _, name := range circuitNames(prefix, n) {
				m[name] = gobreakerClosed(name)
			}
			return m
		})
		names := circuitNames(prefix, n)
		req := func() (any, error) { return nil, run() }
		return target{circuits: n, callAt: func(i int) error {
			_, err := bs[names[i]].Execute(req)
			return err
		}}
	},
}

// ---- failsafe: github.com/failsafe-go/failsafe-go ----

// failsafeClosed is a time-based circuit breaker with Hystrix's rule, open
// at 50% failures over 10 s once a volume is reached, at a volume no run
// reaches; otherwise failsafe's defaults (1 min delay before half-open).
func failsafeClosed() circuitbreaker.CircuitBreaker[any] {
	return circuitbreaker.NewBuilder[any]().
		WithFailureRateThreshold(0.5, noTrip, 10*time.Second).
		Build()
}

var failsafeLib = library{
	name:     "failsafe",
	rejected: circuitbreaker.ErrOpen,
	closed: func(tb testing.TB, name string, run func() error) target {
		exec := failsafe.With[any](failsafeClosed())
		return target{call: func() error { return exec.Run(run) }}
	},
	guarded: func(tb testing.TB, name string, d time.Duration, run, fallbackFn func() error) target {
		// Fallback(CircuitBreaker(Timeout(run))), so that timeouts count
		// against the breaker and the fallback covers everything, as in
		// Hystrix. failsafe's Timeout cancels the execution's context but
		// waits for run to return: a run that ignores its context is not
		// cut short (see TestTimeoutSemantics).
		fb := fallback.NewWithFunc[any](func(failsafe.Execution[any]) (any, error) {
			return nil, fallbackFn()
		})
		exec := failsafe.With[any](fb, failsafeClosed(), timeout.New[any](d))
		return target{call: func() error { return exec.Run(run) }}
	},
	tripped: func(tb testing.TB, name string, run func() error) target {
		// Defaults: opens on the first failure; WithDelay is how long it
		// then stays open.
		cb := circuitbreaker.NewBuilder[any]().WithDelay(openFor).Build()
		exec := failsafe.With[any](cb)
		_ = exec.Run(runFail)
		if !cb.IsOpen() {
			tb.Fatalf("failsafe: %s did not open", name)
		}
		return target{call: func() error { return exec.Run(run) }}
	},
	many: func(tb testing.TB, prefix string, n int, run func() error) target {
		execs := memo("failsafe/"+prefix, func() map[string]failsafe.Executor[any] {
			m := make(map[string]failsafe.Executor[any], n)
			for _, name := range circuitNames(prefix, n) {
				m[name] = failsafe.With[any](failsafeClosed())
			}
			return m
		})
		names := circuitNames(prefix, n)
		return target{circuits: n, callAt: func(i int) error { return execs[names[i]].Run(run) }}
	},
}

// ---- eapache: github.com/eapache/go-resiliency/breaker ----

// eapacheClosed opens after errorThreshold errors that come less than its
// timeout apart; the threshold here is out of reach. One success closes it
// after a 5 s open period, as in the README's example.
func eapacheClosed() *eapache.Breaker {
	return eapache.New(noTrip, 1, 5*time.Second)
}

var eapacheLib = library{
	name:     "eapache",
	rejected: eapache.ErrBreakerOpen,
	closed: func(tb testing.TB, name string, run func() error) target {
		b := eapacheClosed()
		return target{call: func() error { return b.Run(run) }}
	},
	tripped: func(tb testing.TB, name string, run func() error) target {
		// The README's breaker (open after 3 errors, closed by 1 success)
		// with a long open period. Opening starts a goroutine that sleeps
		// for that period, so it is made once per name.
		b := memo("eapache-open/"+name, func() *eapache.Breaker {
			b := eapache.New(3, 1, openFor)
			for i := 0; i < 3; i++ {
				_ = b.Run(runFail)
			}
			return b
		})
		if b.GetState() != eapache.Open {
			tb.Fatalf("eapache: %s did not open", name)
		}
		return target{call: func() error { return b.Run(run) }}
	},
	many: func(tb testing.TB, prefix string, n int, run func() error) target {
		bs := memo("eapache/"+prefix, func() map[string]*eapache.Breaker {
			m := make(map[string]*eapache.Breaker, n)
			for _, name := range circuitNames(prefix, n) {
				m[name] = eapacheClosed()
			}
			return m
		})
		names := circuitNames(prefix, n)
		return target{circuits: n, callAt: func(i int) error { return bs[names[i]].Run(run) }}
	},
}

// ---- rubyist: github.com/rubyist/circuitbreaker ----

// rubyistClosed is a rate breaker, Hystrix's rule (trip at a 50% error rate
// over its default 10 s window once minSamples calls are in), with
// minSamples out of reach; default exponential back-off.
func rubyistClosed() *rubyist.Breaker {
	return rubyist.NewRateBreaker(0.5, noTrip)
}

var rubyistLib = library{
	name:     "rubyist",
	rejected: rubyist.ErrBreakerOpen,
	closed: func(tb testing.TB, name string, run func() error) target {
		// A zero timeout makes Call run the function on the caller.
		cb := rubyistClosed()
		return target{call: func() error { return cb.Call(run, 0) }}
	},
	guarded: func(tb testing.TB, name string, d time.Duration, run, fallback func() error) target {
		// With a timeout, Call runs the function on a goroutine and
		// returns ErrBreakerTimeout when it is late. It has no fallback;
		// the caller runs one on any error.
		cb := rubyistClosed()
		return target{call: func() error {
			if err := cb.Call(run, d); err != nil {
				return fallback()
			}
			return nil
		}}
	},
	tripped: func(tb testing.TB, name string, run func() error) target {
		// A consecutive-failures breaker (trips at 5) with a constant
		// back-off of openFor: the default exponential back-off would let
		// a probe through after 500 ms.
		cb := rubyist.NewBreakerWithOptions(&rubyist.Options{
			ShouldTrip: rubyist.ConsecutiveTripFunc(5),
			BackOff:    backoff.NewConstantBackOff(openFor),
		})
		for i := 0; i < 5; i++ {
			_ = cb.Call(runFail, 0)
		}
		if !cb.Tripped() {
			tb.Fatalf("rubyist: %s did not trip", name)
		}
		return target{call: func() error { return cb.Call(run, 0) }}
	},
	many: func(tb testing.TB, prefix string, n int, run func() error) target {
		// rubyist's own registry of named breakers. Panel.Add starts two
		// goroutines per breaker, so the panel is made once.
		panel := memo("rubyist/"+prefix, func() *rubyist.Panel {
			p := rubyist.NewPanel()
			for _, name := range circuitNames(prefix, n) {
				p.Add(name, rubyistClosed())
			}
			return p
		})
		names := circuitNames(prefix, n)
		return target{circuits: n, callAt: func(i int) error {
			cb, _ := panel.Get(names[i])
			return cb.Call(run, 0)
		}}
	},
}

// ---- gozero: github.com/zeromicro/go-zero/core/breaker ----

// go-zero's breaker is Google SRE adaptive throttling with fixed parameters
// (10 s window of 40 buckets, k = 1.5): nothing can keep it from throttling,
// so in the fail scenario it drops nearly every call, and the benchmark
// reports the share it dropped as rejected/op.
var gozeroLib = library{
	name:     "gozero",
	rejected: gozero.ErrServiceUnavailable,
	adaptive: true,
	closed: func(tb testing.TB, name string, run func() error) target {
		b := gozero.NewBreaker(gozero.WithName(name))
		return target{call: func() error { return b.Do(run) }}
	},
	tripped: func(tb testing.TB, name string, run func() error) target {
		// Failures make it drop calls with a probability that approaches
		// 1; it still lets one call through per second, and that call runs.
		b := gozero.NewBreaker(gozero.WithName(name))
		for i := 0; i < 10_000; i++ {
			_ = b.Do(runFail)
		}
		return target{call: func() error { return b.Do(run) }}
	},
	many: func(tb testing.TB, prefix string, n int, run func() error) target {
		// go-zero's own registry of named breakers.
		names := circuitNames(prefix, n)
		for _, name := range names {
			gozero.GetBreaker(name)
		}
		return target{circuits: n, callAt: func(i int) error { return gozero.Do(names[i], run) }}
	},
}

// ---- aegis: github.com/go-kratos/aegis/circuitbreaker/sre ----

// aegisDo is the pattern of Kratos's circuit breaker middleware: ask
// Allow, report the outcome, and count a refused call as a failure too.
func aegisDo(cb aegis.CircuitBreaker, run func() error) error {
	if err := cb.Allow(); err != nil {
		cb.MarkFailed()
		return err
	}
	if err := run(); err != nil {
		cb.MarkFailed()
		return err
	}
	cb.MarkSuccess()
	return nil
}

// aegisClosed is aegis's SRE breaker with its defaults (3 s window of 10
// buckets, success ratio 0.6) and a minimum request count out of reach;
// below that count it never throttles.
func aegisClosed() aegis.CircuitBreaker {
	return sre.NewBreaker(sre.WithRequest(noTrip))
}

var aegisLib = library{
	name:     "aegis",
	rejected: aegis.ErrNotAllowed,
	adaptive: true,
	closed: func(tb testing.TB, name string, run func() error) target {
		cb := aegisClosed()
		return target{call: func() error { return aegisDo(cb, run) }}
	},
	tripped: func(tb testing.TB, name string, run func() error) target {
		// Defaults (throttling from 100 requests on). Like go-zero it
		// drops calls with a probability near 1 rather than all of them.
		cb := sre.NewBreaker()
		for i := 0; i < 10_000; i++ {
			_ = aegisDo(cb, runFail)
		}
		return target{call: func() error { return aegisDo(cb, run) }}
	},
	many: func(tb testing.TB, prefix string, n int, run func() error) target {
		bs := memo("aegis/"+prefix, func() map[string]aegis.CircuitBreaker {
			m := make(map[string]aegis.CircuitBreaker, n)
			for _, name := range circuitNames(prefix, n) {
				m[name] = aegisClosed()
			}
			return m
		})
		names := circuitNames(prefix, n)
		return target{circuits: n, callAt: func(i int) error { return aegisDo(bs[names[i]], run) }}
	},
}
