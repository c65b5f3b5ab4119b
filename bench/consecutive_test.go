package bench

import (
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cenk/backoff"
	rubyist "github.com/rubyist/circuitbreaker"
	"github.com/sony/gobreaker/v2"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix"
)

// The consecutive-failures comparison: the simple breaker's rule, "open
// when more than N calls in a row fail", as each library that has it
// spells it, with N = 5 (gobreaker's default) where the breaker must open
// and N out of reach where it must not. Every library runs the function on
// the caller's goroutine with no timeout.

// consecutiveThreshold is the N of the rule where a breaker opens: the
// sixth failure in a row opens it.
const consecutiveThreshold = 5

// quietLog keeps our breaker's transition lines out of benchmark output.
var quietLog = slog.New(slog.DiscardHandler)

// A consecutiveLib makes a breaker that opens once more than threshold
// calls in a row fail, and then stays open for openFor, and returns two
// ways of calling through it: with a run function that passes and with one
// that fails. Each is made once, so that the timed calls make nothing.
type consecutiveLib struct {
	name     string
	rejected error
	make     func(tb testing.TB, name string, threshold int) (pass, fail func() error)
}

// consecutiveCommands numbers the commands ours-caller makes.
var consecutiveCommands atomic.Int64

var consecutiveLibs = []consecutiveLib{
	{
		// Our engine, hystrix.Do in caller isolation, no timeout, no
		// concurrency bound, with the consecutive-failures opener.
		name:     "ours-caller",
		rejected: hystrix.ErrCircuitOpen,
		make: func(tb testing.TB, name string, threshold int) (func() error, func() error) {
			// A command of its own each time: the testing package calls a
			// benchmark function several times, and the default
			// registry would keep the last one's circuit, open or not.
			name = fmt.Sprintf("%s#%d", name, consecutiveCommands.Add(1))
			oursConfigure(tb, name, hystrix.CommandConfig{
				Trip:                  hystrix.TripConfig{ConsecutiveFailures: threshold},
				Isolation:             hystrix.CallerIsolation,
				Timeout:               -1,
				MaxConcurrentRequests: -1,
				SleepWindow:           int(openFor / time.Millisecond),
			})
			return func() error { return hystrix.Do(name, runOK, nil) },
				func() error { return hystrix.Do(name, runFail, nil) }
		},
	},
	{
		// Our breaker package: Run, over a private registry of its own.
		name:     "breaker",
		rejected: breaker.ErrOpen,
		make: func(tb testing.TB, name string, threshold int) (func() error, func() error) {
			cb := newOurBreaker(tb, name, threshold)
			ok := func() (error, bool) { return runOK(), false }
			bad := func() (error, bool) { return runFail(), false }
			return func() error { return cb.Run(ok) }, func() error { return cb.Run(bad) }
		},
	},
	{
		// gobreaker's defaults (counts never cleared while closed, one
		// half-open probe); its default ReadyToTrip is exactly the rule
		// with N = 5, so it is replaced only where N differs.
		name:     "gobreaker",
		rejected: gobreaker.ErrOpenState,
		make: func(tb testing.TB, name string, threshold int) (func() error, func() error) {
			st := gobreaker.Settings{Name: name, Timeout: openFor}
			if threshold != consecutiveThreshold {
				st.ReadyToTrip = func(c gobreaker.Counts) bool { return c.ConsecutiveFailures > uint32(threshold) }
			}
			cb := gobreaker.NewCircuitBreaker[any](st)
			return gobreakerCall(cb, runOK), gobreakerCall(cb, runFail)
		},
	},
	{
		// rubyist's consecutive breaker, which trips when the run of
		// failures reaches its threshold: threshold+1 is the same rule.
		// Where it must open, NewConsecutiveBreaker's options with a
		// constant back-off of openFor (its default exponential one lets a
		// probe through after 500 ms). Call(run, 0) runs on the caller.
		name:     "rubyist",
		rejected: rubyist.ErrBreakerOpen,
		make: func(tb testing.TB, name string, threshold int) (func() error, func() error) {
			cb := rubyist.NewConsecutiveBreaker(int64(threshold) + 1)
			if threshold == consecutiveThreshold {
				cb = rubyist.NewBreakerWithOptions(&rubyist.Options{
					ShouldTrip: rubyist.ConsecutiveTripFunc(int64(threshold) + 1),
					BackOff:    backoff.NewConstantBackOff(openFor),
				})
			}
			return func() error { return cb.Call(runOK, 0) }, func() error { return cb.Call(runFail, 0) }
		},
	},
}

// newOurBreaker is a breaker of the breaker package with the given
// threshold, open for openFor once tripped.
func newOurBreaker(tb testing.TB, name string, threshold int) *breaker.Breaker {
	tb.Helper()
	cb, err := breaker.New(breaker.Settings{Name: name, Threshold: threshold, RetryAfter: openFor, Logger: quietLog})
	if err != nil {
		tb.Fatal(err)
	}
	return cb
}

// A consecutiveScenario is one kind of call of the comparison: setup makes
// the calls through l and says what they must return.
type consecutiveScenario struct {
	name  string
	setup func(l *consecutiveLib, tb testing.TB, name string) (target, expectation)
}

var consecutiveScenarios = []consecutiveScenario{
	{
		// pass: the run function returns nil, through a breaker with
		// N = 5; successes never open it.
		name: "pass",
		setup: func(l *consecutiveLib, tb testing.TB, name string) (target, expectation) {
			pass, _ := l.make(tb, name, consecutiveThreshold)
			return target{call: pass}, expectation{}
		},
	},
	{
		// fail: the run function fails, through a breaker with N out of
		// reach, so each call counts one more failure in a row.
		name: "fail",
		setup: func(l *consecutiveLib, tb testing.TB, name string) (target, expectation) {
			_, fail := l.make(tb, name, noTrip)
			return target{call: fail}, expectation{want: errBoom}
		},
	},
	{
		// open: N = 5, tripped by six failures; every call is refused.
		// The run function would fail.
		name: "open",
		setup: func(l *consecutiveLib, tb testing.TB, name string) (target, expectation) {
			_, fail := l.make(tb, name, consecutiveThreshold)
			refused := tripAfterRule(tb, l, fail)
			// The exact refusal, so that the harness compares with ==:
			// our breaker's is its own *OpenError, which wraps ErrOpen.
			return target{call: fail}, expectation{want: refused}
		},
	},
}

// tripAfterRule fails call as many times as the rule tolerates, checking
// that the breaker stays closed, then once more, and returns the refusal
// that must follow.
func tripAfterRule(tb testing.TB, l *consecutiveLib, call func() error) error {
	tb.Helper()
	for i := range consecutiveThreshold + 1 {
		if err := call(); err != errBoom {
			tb.Fatalf("%s: failure %d of %d returned %v, want %v", l.name, i+1, consecutiveThreshold+1, err, errBoom)
		}
	}
	err := call()
	if !errors.Is(err, l.rejected) {
		tb.Fatalf("%s: after %d failures in a row a call returned %v, want %v", l.name, consecutiveThreshold+1, err, l.rejected)
	}
	return err
}

// BenchmarkConsecutive runs the consecutive-failures scenarios for every
// library that has the rule: scenario/library/gN, as in BenchmarkSuite.
func BenchmarkConsecutive(b *testing.B) {
	for i := range consecutiveScenarios {
		sc := &consecutiveScenarios[i]
		b.Run(sc.name, func(b *testing.B) {
			for j := range consecutiveLibs {
				l := &consecutiveLibs[j]
				b.Run(l.name, func(b *testing.B) {
					for _, g := range goroutineCounts {
						b.Run(fmt.Sprintf("g%d", g), func(b *testing.B) {
							tg, e := sc.setup(l, b, b.Name())
							measure(b, g, tg, e)
						})
					}
				})
			}
		})
	}
}

// TestConsecutiveLibrariesOpenOnTheSixthFailure checks that every library
// of the comparison has the same rule: five failures in a row leave it
// closed, a success in between starts the run over, and the sixth failure
// in a row opens it.
func TestConsecutiveLibrariesOpenOnTheSixthFailure(t *testing.T) {
	for i := range consecutiveLibs {
		l := &consecutiveLibs[i]
		t.Run(l.name, func(t *testing.T) {
			pass, fail := l.make(t, "test/consecutive-rule/"+l.name, consecutiveThreshold)
			for range consecutiveThreshold {
				if err := fail(); err != errBoom {
					t.Fatalf("failure returned %v", err)
				}
			}
			if err := pass(); err != nil {
				t.Fatalf("success after %d failures returned %v", consecutiveThreshold, err)
			}
			tripAfterRule(t, l, fail)
		})
	}
}

// TestConsecutiveAdapters makes a few calls of every consecutive scenario
// through every library and checks they return what the benchmarks expect.
func TestConsecutiveAdapters(t *testing.T) {
	for i := range consecutiveScenarios {
		sc := &consecutiveScenarios[i]
		for j := range consecutiveLibs {
			l := &consecutiveLibs[j]
			t.Run(sc.name+"/"+l.name, func(t *testing.T) {
				tg, e := sc.setup(l, t, "test/consecutive/"+sc.name+"/"+l.name)
				var tl tally
				tl.run(tg.call, &e, 50)
				if tl.bad > 0 {
					t.Errorf("%d of 50 calls returned something unexpected, first %v; want %v", tl.bad, tl.firstBad, e.want)
				}
			})
		}
	}
}
