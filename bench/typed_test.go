package bench

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/fallback"
	"github.com/sony/gobreaker/v2"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix"
)

// The typed comparison: calls whose run function returns a value, through
// our typed API (a Command made once, or Execute by name), the breaker
// package's typed Run, gobreaker's CircuitBreaker[T].Execute and
// failsafe-go's Executor[R].Get, on a breaker that stays closed (pass) and
// on one tripped first and open for an hour (open, and open-fallback where
// a fallback builds the default the refusal is answered with).

// Every typed call returns these; a wrong value fails the benchmark.
const (
	typedValue   = 1
	typedDefault = 2
)

var errWrongValue = errors.New("wrong value")

// A typedLib makes a library's typed calls: each returns the call, made
// once. A nil field means the library has no such call.
type typedLib struct {
	name     string
	rejected error
	// pass calls a closed breaker with a run that returns typedValue.
	pass func(tb testing.TB, name string) func() (int, error)
	// open calls a tripped breaker, which refuses.
	open func(tb testing.TB, name string) func() (int, error)
	// openFallback calls a tripped breaker with a fallback that returns
	// typedDefault.
	openFallback func(tb testing.TB, name string) func() (int, error)
}

// typedCommands numbers our commands: the testing package calls a
// benchmark function several times, and a registry keeps a name's
// circuit, open or not.
var typedCommands atomic.Int64

func typedName(name string) string { return fmt.Sprintf("%s#%d", name, typedCommands.Add(1)) }

func typedRun(context.Context) (int, error)                      { return typedValue, nil }
func typedFail(context.Context) (int, error)                     { return 0, errBoom }
func typedFallback(context.Context, error) (int, error)          { return typedDefault, nil }
func typedBreakerRun() (int, error, bool)                        { return typedValue, nil, false }
func typedBreakerFallback(error) (int, error)                    { return typedDefault, nil }
func typedPlainRun() (int, error)                                { return typedValue, nil }
func typedPlainFail() (int, error)                               { return 0, errBoom }
func typedFailsafeFallback(failsafe.Execution[int]) (int, error) { return typedDefault, nil }

// oursTyped configures a command as the main suite configures ours and
// returns its name: closed with a volume threshold out of reach, or
// tripped with a one-hour sleep window.
func oursTyped(tb testing.TB, name string, isolation hystrix.Isolation, timeout int, tripped bool) string {
	tb.Helper()
	name = typedName(name)
	config := hystrix.CommandConfig{Timeout: timeout, MaxConcurrentRequests: maxConcurrent, RequestVolumeThreshold: noTrip, Isolation: isolation}
	if !tripped {
		oursConfigure(tb, name, config)
		return name
	}
	config.RequestVolumeThreshold = 0
	config.SleepWindow = int(openFor / time.Millisecond)
	oursConfigure(tb, name, config)
	c, _, _ := hystrix.GetCircuit(name)
	for i := 0; i < 1000 && !c.IsOpen(); i++ {
		_, _ = hystrix.Execute(context.Background(), name, typedFail, nil)
	}
	if !c.IsOpen() {
		tb.Fatalf("ours: circuit %s did not open", name)
	}
	return name
}

// oursTypedLib is our typed API in one isolation; byName uses Execute,
// otherwise a Command made once.
func oursTypedLib(label string, isolation hystrix.Isolation, timeout int, byName bool) typedLib {
	call := func(tb testing.TB, name string, tripped bool, fb func(context.Context, error) (int, error)) func() (int, error) {
		name = oursTyped(tb, name, isolation, timeout, tripped)
		ctx := context.Background()
		if byName {
			return func() (int, error) { return hystrix.Execute(ctx, name, typedRun, fb) }
		}
		cmd := hystrix.NewCommand[int](name)
		return func() (int, error) { return cmd.Execute(ctx, typedRun, fb) }
	}
	l := typedLib{
		name:     label,
		rejected: hystrix.ErrCircuitOpen,
		pass:     func(tb testing.TB, name string) func() (int, error) { return call(tb, name, false, nil) },
	}
	if isolation == hystrix.GoroutineIsolation {
		// Refusing is the same in both isolations.
		l.open = func(tb testing.TB, name string) func() (int, error) { return call(tb, name, true, nil) }
		l.openFallback = func(tb testing.TB, name string) func() (int, error) { return call(tb, name, true, typedFallback) }
	}
	return l
}

var typedLibs = []typedLib{
	// Goroutine isolation with the default 1 s timeout, as ours in the
	// main suite; caller isolation without a timeout, as ours-caller.
	oursTypedLib("ours-Command", hystrix.GoroutineIsolation, 0, false),
	oursTypedLib("ours-Command-caller", hystrix.CallerIsolation, -1, false),
	oursTypedLib("ours-Execute", hystrix.GoroutineIsolation, 0, true),
	oursTypedLib("ours-Execute-caller", hystrix.CallerIsolation, -1, true),
	{
		name:     "breaker",
		rejected: breaker.ErrOpen,
		pass: func(tb testing.TB, name string) func() (int, error) {
			cb := newOurBreaker(tb, name, noTrip)
			return func() (int, error) { return breaker.Run(cb, typedBreakerRun) }
		},
		open: func(tb testing.TB, name string) func() (int, error) {
			cb := trippedBreaker(tb, name)
			return func() (int, error) { return breaker.Run(cb, typedBreakerRun) }
		},
		openFallback: func(tb testing.TB, name string) func() (int, error) {
			cb := trippedBreaker(tb, name)
			return func() (int, error) { return breaker.RunFallback(cb, typedBreakerRun, typedBreakerFallback) }
		},
	},
	{
		name:     "gobreaker",
		rejected: gobreaker.ErrOpenState,
		pass: func(tb testing.TB, name string) func() (int, error) {
			// As gobreakerClosed: Hystrix's rule at a volume out of reach.
			cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{
				Name: name,
				ReadyToTrip: func(c gobreaker.Counts) bool {
					return c.Requests >= noTrip && c.TotalFailures*2 >= c.Requests
				},
			})
			return func() (int, error) { return cb.Execute(typedPlainRun) }
		},
		open: func(tb testing.TB, name string) func() (int, error) {
			// Defaults: more than five failures in a row open it.
			cb := gobreaker.NewCircuitBreaker[int](gobreaker.Settings{Name: name, Timeout: openFor})
			for i := 0; i < 100 && cb.State() != gobreaker.StateOpen; i++ {
				_, _ = cb.Execute(typedPlainFail)
			}
			if cb.State() != gobreaker.StateOpen {
				tb.Fatalf("gobreaker: %s did not open", name)
			}
			return func() (int, error) { return cb.Execute(typedPlainRun) }
		},
	},
	{
		name:     "failsafe",
		rejected: circuitbreaker.ErrOpen,
		pass: func(tb testing.TB, name string) func() (int, error) {
			exec := failsafe.With[int](circuitbreaker.NewBuilder[int]().
				WithFailureRateThreshold(0.5, noTrip, 10*time.Second).
				Build())
			return func() (int, error) { return exec.Get(typedPlainRun) }
		},
		open: func(tb testing.TB, name string) func() (int, error) {
			exec := failsafe.With[int](trippedFailsafe(tb, name))
			return func() (int, error) { return exec.Get(typedPlainRun) }
		},
		openFallback: func(tb testing.TB, name string) func() (int, error) {
			exec := failsafe.With[int](fallback.NewWithFunc[int](typedFailsafeFallback), trippedFailsafe(tb, name))
			return func() (int, error) { return exec.Get(typedPlainRun) }
		},
	},
}

func trippedBreaker(tb testing.TB, name string) *breaker.Breaker {
	cb := newOurBreaker(tb, name, consecutiveThreshold)
	for range consecutiveThreshold + 1 {
		_, _ = breaker.Run(cb, func() (int, error, bool) { return 0, errBoom, false })
	}
	if cb.Status() != breaker.Open {
		tb.Fatalf("breaker: %s did not open", name)
	}
	return cb
}

// trippedFailsafe is failsafe's default count-based breaker, open after
// one failure, for an hour.
func trippedFailsafe(tb testing.TB, name string) circuitbreaker.CircuitBreaker[int] {
	cb := circuitbreaker.NewBuilder[int]().WithDelay(openFor).Build()
	_, _ = failsafe.With[int](cb).Get(typedPlainFail)
	if !cb.IsOpen() {
		tb.Fatalf("failsafe: %s did not open", name)
	}
	return cb
}

// typedScenario is one scenario of the typed comparison: which call it
// makes and what that call must return.
type typedScenario struct {
	name  string
	make  func(l *typedLib) func(tb testing.TB, name string) func() (int, error)
	value func(l *typedLib) (int, error)
}

var typedScenarios = []typedScenario{
	{"pass", func(l *typedLib) func(testing.TB, string) func() (int, error) { return l.pass },
		func(*typedLib) (int, error) { return typedValue, nil }},
	{"open", func(l *typedLib) func(testing.TB, string) func() (int, error) { return l.open },
		func(l *typedLib) (int, error) { return 0, l.rejected }},
	{"open-fallback", func(l *typedLib) func(testing.TB, string) func() (int, error) { return l.openFallback },
		func(*typedLib) (int, error) { return typedDefault, nil }},
}

// typedTarget makes the harness's call of a typed call: the error, as the
// harness checks it, or errWrongValue when the value is not wantV. A
// refusal's error is matched with errors.Is, as libraries wrap theirs.
func typedTarget(get func() (int, error), wantV int, wantErr error) (target, expectation) {
	call := func() error {
		v, err := get()
		switch {
		case v != wantV:
			return errWrongValue
		case wantErr != nil && errors.Is(err, wantErr):
			return wantErr
		}
		return err
	}
	return target{call: call}, expectation{want: wantErr}
}

// BenchmarkTyped runs the typed calls: scenario/library/gN.
func BenchmarkTyped(b *testing.B) {
	for i := range typedScenarios {
		sc := &typedScenarios[i]
		b.Run(sc.name, func(b *testing.B) {
			for j := range typedLibs {
				l := &typedLibs[j]
				mk := sc.make(l)
				if mk == nil {
					continue
				}
				b.Run(l.name, func(b *testing.B) {
					for _, g := range goroutineCounts {
						b.Run(fmt.Sprintf("g%d", g), func(b *testing.B) {
							v, err := sc.value(l)
							tg, e := typedTarget(mk(b, b.Name()), v, err)
							measure(b, g, tg, e)
						})
					}
				})
			}
		})
	}
}

// TestTypedCalls checks that every call of BenchmarkTyped returns the value
// and the error it expects.
func TestTypedCalls(t *testing.T) {
	for i := range typedScenarios {
		sc := &typedScenarios[i]
		for j := range typedLibs {
			l := &typedLibs[j]
			mk := sc.make(l)
			if mk == nil {
				continue
			}
			t.Run(sc.name+"/"+l.name, func(t *testing.T) {
				v, err := sc.value(l)
				tg, e := typedTarget(mk(t, "test/typed/"+sc.name+"/"+l.name), v, err)
				var tl tally
				tl.run(tg.call, &e, 50)
				if tl.bad > 0 {
					t.Errorf("%d of 50 calls returned something unexpected, first %v; want %v, %v", tl.bad, tl.firstBad, v, err)
				}
			})
		}
	}
}
