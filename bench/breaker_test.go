package bench

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// The breaker package's own paths, each way of calling it, beside the
// engine call it makes (DoSkip on a registry configured as a breaker
// configures its own), so that the cost of the layer shows.

// breakerCall is one way of calling a breaker: it returns the call for a
// run function that passes and one that fails, made once.
type breakerCall struct {
	name string
	// fallback says the calls have a fallback that returns nil, so that
	// failures and refusals come back as nil.
	fallback bool
	make     func(tb testing.TB, name string, threshold int) (pass, fail func() error)
}

func skipForm(run func() error) func() (error, bool) {
	return func() (error, bool) { return run(), false }
}

func skipFormC(run func() error) func(context.Context) (error, bool) {
	return func(context.Context) (error, bool) { return run(), false }
}

var breakerCalls = []breakerCall{
	{
		name: "Run",
		make: func(tb testing.TB, name string, threshold int) (func() error, func() error) {
			cb := newOurBreaker(tb, name, threshold)
			ok, bad := skipForm(runOK), skipForm(runFail)
			return func() error { return cb.Run(ok) }, func() error { return cb.Run(bad) }
		},
	},
	{
		name: "RunContext",
		make: func(tb testing.TB, name string, threshold int) (func() error, func() error) {
			cb := newOurBreaker(tb, name, threshold)
			ctx := context.Background()
			ok, bad := skipFormC(runOK), skipFormC(runFail)
			return func() error { return cb.RunContext(ctx, ok) }, func() error { return cb.RunContext(ctx, bad) }
		},
	},
	{
		name:     "RunFallback",
		fallback: true,
		make: func(tb testing.TB, name string, threshold int) (func() error, func() error) {
			cb := newOurBreaker(tb, name, threshold)
			ok, bad := skipForm(runOK), skipForm(runFail)
			fb := func(error) error { return nil }
			return func() error { return cb.RunFallback(ok, fb) }, func() error { return cb.RunFallback(bad, fb) }
		},
	},
	{
		// What Run does without the breaker around it.
		name: "DoSkip",
		make: func(tb testing.TB, name string, threshold int) (func() error, func() error) {
			reg := hystrix.NewRegistry()
			if err := reg.TryConfigureCommand(name, hystrix.CommandConfig{
				Timeout:               -1,
				MaxConcurrentRequests: -1,
				Isolation:             hystrix.CallerIsolation,
				Trip:                  hystrix.TripConfig{Policy: policy.ConsecutiveFailures{Threshold: threshold}},
				Recovery:              hystrix.RecoveryConfig{Policy: policy.SingleProbe{SleepWindow: openFor, GiveUp: openFor}},
			}); err != nil {
				tb.Fatal(err)
			}
			reg.GetCircuit(name)
			ok, bad := skipForm(runOK), skipForm(runFail)
			return func() error { return reg.DoSkip(name, ok, nil) }, func() error { return reg.DoSkip(name, bad, nil) }
		},
	},
}

// breakerSetup makes the calls of one scenario, pass, fail or open, as
// the consecutive scenarios do, and says what they must return.
func breakerSetup(bc *breakerCall, tb testing.TB, scenario, name string) (target, expectation) {
	var want error
	var call func() error
	switch scenario {
	case "pass":
		call, _ = bc.make(tb, name, consecutiveThreshold)
	case "fail":
		_, call = bc.make(tb, name, noTrip)
		want = errBoom
	case "open":
		_, call = bc.make(tb, name, consecutiveThreshold)
		for range consecutiveThreshold + 1 {
			_ = call()
		}
		// The refusal itself, made to come back without the fallback.
		want = call()
		if bc.fallback {
			break
		}
		if !errors.Is(want, breaker.ErrOpen) && want != hystrix.ErrCircuitOpen {
			tb.Fatalf("%s: did not open: %v", bc.name, want)
		}
	}
	if bc.fallback {
		want = nil
	}
	return target{call: call}, expectation{want: want}
}

// BenchmarkBreaker runs the breaker package's calls on the pass, fail and
// open paths: scenario/call/gN.
func BenchmarkBreaker(b *testing.B) {
	for _, scenario := range []string{"pass", "fail", "open"} {
		b.Run(scenario, func(b *testing.B) {
			for i := range breakerCalls {
				bc := &breakerCalls[i]
				b.Run(bc.name, func(b *testing.B) {
					for _, g := range goroutineCounts {
						b.Run(fmt.Sprintf("g%d", g), func(b *testing.B) {
							tg, e := breakerSetup(bc, b, scenario, b.Name())
							measure(b, g, tg, e)
						})
					}
				})
			}
		})
	}
}

// TestBreakerCalls checks every call of BenchmarkBreaker returns what it
// expects, and that the open breaker never runs the function.
func TestBreakerCalls(t *testing.T) {
	for _, scenario := range []string{"pass", "fail", "open"} {
		for i := range breakerCalls {
			bc := &breakerCalls[i]
			t.Run(scenario+"/"+bc.name, func(t *testing.T) {
				tg, e := breakerSetup(bc, t, scenario, "test/breaker/"+scenario+"/"+bc.name)
				var tl tally
				tl.run(tg.call, &e, 50)
				if tl.bad > 0 {
					t.Errorf("%d of 50 calls returned something unexpected, first %v; want %v", tl.bad, tl.firstBad, e.want)
				}
			})
		}
	}
}
