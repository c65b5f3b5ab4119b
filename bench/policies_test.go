package bench

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/failsafe-go/failsafe-go"
	"github.com/failsafe-go/failsafe-go/adaptivelimiter"
	"github.com/failsafe-go/failsafe-go/adaptivethrottler"
	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	aegis "github.com/go-kratos/aegis/circuitbreaker"
	"github.com/go-kratos/aegis/circuitbreaker/sre"
	pmcore "github.com/platinummonkey/go-concurrency-limits/core"
	pmlimit "github.com/platinummonkey/go-concurrency-limits/limit"
	pmlimiter "github.com/platinummonkey/go-concurrency-limits/limiter"
	pmstrategy "github.com/platinummonkey/go-concurrency-limits/strategy"
	"github.com/sony/gobreaker/v2"
	gozero "github.com/zeromicro/go-zero/core/breaker"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// The policy comparisons: each policy the engine offers besides hystrix's
// own rule, measured beside the libraries that have the same policy, or
// beside our default rule where no Go library has it. Every one of our
// commands here runs on a registry of its own, so that the default
// registry's circuits of the other benchmarks are not touched.

// policyRegistry is a quiet registry of the benchmark's own on clk (the
// system clock if nil), flushed when the benchmark ends.
func policyRegistry(tb testing.TB, clk hystrix.Clock) *hystrix.Registry {
	opts := []hystrix.Option{hystrix.WithLogger(hystrix.NoopLogger{})}
	if clk != nil {
		opts = append(opts, hystrix.WithClock(clk))
	}
	r := hystrix.NewRegistry(opts...)
	tb.Cleanup(r.Flush)
	return r
}

// policyCommand configures name on r and makes its circuit, so that the
// timed calls make nothing.
func policyCommand(tb testing.TB, r *hystrix.Registry, name string, config hystrix.CommandConfig) {
	tb.Helper()
	if err := r.TryConfigureCommand(name, config); err != nil {
		tb.Fatal(err)
	}
	if _, _, err := r.GetCircuit(name); err != nil {
		tb.Fatal(err)
	}
}

// A policyLib is one contestant of a policy comparison: make returns the
// call through a breaker made for the scenario, which calls run, and the
// error the contestant refuses calls with.
type policyLib struct {
	name string
	make func(tb testing.TB, run func() error) (call func() error, refused error)
}

// A policyScenario is a kind of call: its run function, what a call must
// return, and what a refusal counts as.
type policyScenario struct {
	name string
	run  func() error
	// want is what every call returns, unless refused.
	want error
	// refusals says whether a refusal is an expected outcome (reported
	// per call as refused/op) rather than a failure of the benchmark.
	refusals bool
}

// runPolicyBench runs every scenario through every contestant at every
// goroutine count: scenario/contestant/gN.
func runPolicyBench(b *testing.B, scenarios []policyScenario, libs []policyLib, counts []int) {
	for _, sc := range scenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, l := range libs {
				b.Run(l.name, func(b *testing.B) {
					for _, g := range counts {
						b.Run(fmt.Sprintf("g%d", g), func(b *testing.B) {
							call, refused := l.make(b, sc.run)
							e := expectation{want: sc.want}
							if sc.refusals {
								e.other, e.otherUnit = refused, "refused/op"
							}
							measure(b, g, target{call: call}, e)
						})
					}
				})
			}
		})
	}
}

// checkPolicyAdapters makes a few calls of every scenario through every
// contestant and checks they return what the benchmarks expect.
func checkPolicyAdapters(t *testing.T, scenarios []policyScenario, libs []policyLib) {
	for _, sc := range scenarios {
		for _, l := range libs {
			t.Run(sc.name+"/"+l.name, func(t *testing.T) {
				call, refused := l.make(t, sc.run)
				e := expectation{want: sc.want}
				if sc.refusals {
					e.other = refused
				}
				var tl tally
				tl.run(call, &e, 200)
				if tl.bad > 0 {
					t.Errorf("%d of 200 calls returned something unexpected, first %v; want %v", tl.bad, tl.firstBad, e.want)
				}
			})
		}
	}
}

// ---- slow-call rate: none of the Go peers here has it (alibaba's
// sentinel-golang has a slow-request-ratio rule, behind its global rule
// manager); measured against our default ----

// slowCallConfig is a closed circuit with neither rule in reach; with slow
// set, the slow-call rule counts calls slower than a second.
func slowCallConfig(isolation hystrix.Isolation, timeout int, slow bool) hystrix.CommandConfig {
	c := hystrix.CommandConfig{
		Timeout:                timeout,
		MaxConcurrentRequests:  maxConcurrent,
		RequestVolumeThreshold: noTrip,
		Isolation:              isolation,
	}
	if isolation == hystrix.CallerIsolation {
		c.MaxConcurrentRequests = -1
	}
	if slow {
		c.Trip = hystrix.TripConfig{SlowCallMs: 1000, SlowCallPercent: 50}
	}
	return c
}

func slowCallLib(name string, isolation hystrix.Isolation, timeout int, slow bool) policyLib {
	return policyLib{name: name, make: func(tb testing.TB, run func() error) (func() error, error) {
		r := policyRegistry(tb, nil)
		policyCommand(tb, r, "slowcall", slowCallConfig(isolation, timeout, slow))
		return func() error { return r.Do("slowcall", run, nil) }, hystrix.ErrCircuitOpen
	}}
}

var slowCallLibs = []policyLib{
	slowCallLib("default-caller", hystrix.CallerIsolation, -1, false),
	slowCallLib("slowcall-caller", hystrix.CallerIsolation, -1, true),
	slowCallLib("default", hystrix.GoroutineIsolation, 0, false),
	slowCallLib("slowcall", hystrix.GoroutineIsolation, 0, true),
}

var slowCallScenarios = []policyScenario{
	{name: "pass", run: runOK},
	{name: "fail", run: runFail, want: errBoom},
}

// BenchmarkSlowCall is the cost of the slow-call rule
// ("trip": {"slow_call_ms": 1000, "slow_call_percent": 50}) beside hystrix's
// error-percentage rule alone, in both isolations.
func BenchmarkSlowCall(b *testing.B) {
	runPolicyBench(b, slowCallScenarios, slowCallLibs, goroutineCounts)
}

func TestSlowCallAdapters(t *testing.T) { checkPolicyAdapters(t, slowCallScenarios, slowCallLibs) }

// ---- adaptive throttling: go-zero and aegis ----

// throttleK is the K of the SRE book's formula for every contestant:
// go-zero's fixed value, and aegis' with its success ratio set to 1/K.
const throttleK = 1.5

var throttleLibs = []policyLib{
	{name: "ours-caller", make: func(tb testing.TB, run func() error) (func() error, error) {
		r := policyRegistry(tb, nil)
		policyCommand(tb, r, "throttle", hystrix.CommandConfig{
			Trip:                  hystrix.TripConfig{AdaptiveK: throttleK},
			Isolation:             hystrix.CallerIsolation,
			Timeout:               -1,
			MaxConcurrentRequests: -1,
		})
		return func() error { return r.Do("throttle", run, nil) }, hystrix.ErrCircuitOpen
	}},
	{name: "gozero", make: func(tb testing.TB, run func() error) (func() error, error) {
		cb := gozero.NewBreaker()
		return func() error { return cb.Do(run) }, gozero.ErrServiceUnavailable
	}},
	{name: "aegis", make: func(tb testing.TB, run func() error) (func() error, error) {
		cb := sre.NewBreaker(sre.WithSuccess(1 / throttleK))
		return func() error { return aegisDo(cb, run) }, aegis.ErrNotAllowed
	}},
	{name: "failsafe", make: func(tb testing.TB, run func() error) (func() error, error) {
		// failsafe-go's adaptive throttler spells K as the failure rate
		// above which it throttles, 1 - 1/K, over a ten-second period as
		// ours; its rejection rate is capped, at 0.9 by default, so the
		// cap is lifted to make it the same formula.
		th := adaptivethrottler.NewBuilder[any]().
			WithFailureRateThreshold(1-1/throttleK, 1, 10*time.Second).
			WithMaxRejectionRate(1).
			Build()
		exec := failsafe.With[any](th)
		return func() error { return exec.Run(run) }, adaptivethrottler.ErrExceeded
	}},
}

// halfFailing fails every other call; it is shared by the goroutines of a
// run, so the share is exact over the run, not per goroutine.
func halfFailing() func() error {
	var n atomic.Uint64
	return func() error {
		if n.Add(1)&1 == 1 {
			return errBoom
		}
		return nil
	}
}

var throttleScenarios = []policyScenario{
	// pass: every call succeeds, nothing is throttled.
	{name: "pass", run: runOK},
	// fail: every call fails; each contestant throttles nearly all of them.
	{name: "fail", run: runFail, want: errBoom, refusals: true},
}

// BenchmarkThrottle compares client-side adaptive throttling, the Google
// SRE book's formula with K = 1.5, as ours ("trip": {"adaptive_k": 1.5}),
// go-zero's breaker, aegis' sre breaker and failsafe-go's adaptive
// throttler spell it.
func BenchmarkThrottle(b *testing.B) {
	runPolicyBench(b, throttleScenarios, throttleLibs, goroutineCounts)
	// half: every other call fails. Half the calls succeeding is less than
	// the 1/K = 2/3 the formula lets through unthrottled, so each
	// contestant refuses a share of the calls (refused/op), which shows
	// how alike their formulas are in use, beside what the calls cost.
	b.Run("half", func(b *testing.B) {
		for _, l := range throttleLibs {
			b.Run(l.name, func(b *testing.B) {
				for _, g := range goroutineCounts {
					b.Run(fmt.Sprintf("g%d", g), func(b *testing.B) {
						call, refused := l.make(b, halfFailing())
						measure(b, g, target{call: tolerate(call, errBoom)}, expectation{other: refused, otherUnit: "refused/op"})
					})
				}
			})
		}
	})
}

// tolerate turns want into nil, for scenarios where a call may fail or
// pass.
func tolerate(call func() error, want error) func() error {
	return func() error {
		if err := call(); err != want {
			return err
		}
		return nil
	}
}

func TestThrottleAdapters(t *testing.T) { checkPolicyAdapters(t, throttleScenarios, throttleLibs) }

// TestThrottleContestantsThrottleAFailingDependency checks that every
// contestant refuses most calls to a dependency that always fails, and
// none to one that always succeeds: the same policy, not just the same
// name.
func TestThrottleContestantsThrottleAFailingDependency(t *testing.T) {
	for _, l := range throttleLibs {
		t.Run(l.name, func(t *testing.T) {
			call, refused := l.make(t, runFail)
			n := 0
			for range 2000 {
				if errors.Is(call(), refused) {
					n++
				}
			}
			if n < 1500 {
				t.Errorf("refused %d of 2000 calls to a failing dependency, want at least 1500", n)
			}
			call, refused = l.make(t, runOK)
			for range 2000 {
				if err := call(); err != nil {
					t.Fatalf("a call to a healthy dependency returned %v (refusal %v)", err, refused)
				}
			}
		})
	}
}

// ---- several half-open probes: failsafe-go and gobreaker ----

// probeCount is how many probes each contestant admits while half-open,
// and how many successes close it.
const probeCount = 3

// A cycle is one round of the breaker's life: six failures in a row open
// it, its open time passes, and three successful probes close it. It
// returns nil when every step went as the rule says.
type cycleLib struct {
	name  string
	cycle func(tb testing.TB) func() error
}

var errCycle = errors.New("the cycle went wrong")

// cycleSteps runs one cycle through call, calling wait between the trip
// and the probes, and checks each step's outcome.
func cycleSteps(call func(run func() error) error, refused error, wait func()) error {
	for range consecutiveThreshold + 1 {
		if err := call(runFail); err != errBoom {
			return fmt.Errorf("%w: a failure returned %v", errCycle, err)
		}
	}
	if err := call(runOK); !errors.Is(err, refused) {
		return fmt.Errorf("%w: after the trip a call returned %v", errCycle, err)
	}
	wait()
	for range probeCount {
		if err := call(runOK); err != nil {
			return fmt.Errorf("%w: a probe returned %v", errCycle, err)
		}
	}
	return nil
}

var cycleLibs = []cycleLib{
	{name: "ours-caller", cycle: func(tb testing.TB) func() error {
		clk := hystrixtest.NewClock(hystrixtest.Epoch)
		r := policyRegistry(tb, clk)
		policyCommand(tb, r, "probes", hystrix.CommandConfig{
			Trip:                  hystrix.TripConfig{ConsecutiveFailures: consecutiveThreshold},
			Recovery:              hystrix.RecoveryConfig{Probes: probeCount, Successes: probeCount},
			Isolation:             hystrix.CallerIsolation,
			Timeout:               -1,
			MaxConcurrentRequests: -1,
			SleepWindow:           1,
		})
		call := func(run func() error) error { return r.Do("probes", run, nil) }
		wait := func() { clk.Add(time.Millisecond) }
		return func() error { return cycleSteps(call, hystrix.ErrCircuitOpen, wait) }
	}},
	{name: "gobreaker", cycle: func(tb testing.TB) func() error {
		// The shortest open time it takes: the first call after the trip
		// that finds it expired is the first probe.
		cb := gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
			MaxRequests: probeCount,
			Timeout:     time.Nanosecond,
			ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures > consecutiveThreshold },
		})
		call := func(run func() error) error { return gobreakerCall(cb, run)() }
		// A refusal right after the trip needs the open time not to have
		// passed yet; at 1 ns it has, so the step is checked as a probe
		// that fails and trips it again.
		return func() error { return gobreakerCycle(cb, call) }
	}},
	{name: "failsafe", cycle: func(tb testing.TB) func() error {
		cb := circuitbreaker.NewBuilder[any]().
			WithFailureThreshold(consecutiveThreshold + 1).
			WithSuccessThreshold(probeCount).
			WithDelay(time.Hour).
			Build()
		exec := failsafe.With[any](cb)
		call := func(run func() error) error { return exec.Run(run) }
		// failsafe has no clock to move; HalfOpen is what its delay's
		// passing does.
		return func() error { return cycleSteps(call, circuitbreaker.ErrOpen, cb.HalfOpen) }
	}},
}

// gobreakerCycle is cycleSteps for gobreaker, whose open time of 1 ns has
// passed before any refusal could be seen: the trip is checked from its
// state instead.
func gobreakerCycle(cb *gobreaker.CircuitBreaker[any], call func(run func() error) error) error {
	for range consecutiveThreshold + 1 {
		if err := call(runFail); err != errBoom {
			return fmt.Errorf("%w: a failure returned %v", errCycle, err)
		}
	}
	if st := cb.State(); st != gobreaker.StateOpen && st != gobreaker.StateHalfOpen {
		return fmt.Errorf("%w: after the trip its state is %v", errCycle, st)
	}
	for range probeCount {
		if err := call(runOK); err != nil {
			return fmt.Errorf("%w: a probe returned %v", errCycle, err)
		}
	}
	if st := cb.State(); st != gobreaker.StateClosed {
		return fmt.Errorf("%w: after %d probes its state is %v", errCycle, probeCount, st)
	}
	return nil
}

// BenchmarkProbes is one whole cycle (trip by six failures in a row, the
// open time passing, three probes that close the breaker) through ours
// ("recovery": {"probes": 3, "successes": 3}), gobreaker (MaxRequests 3)
// and failsafe-go (success threshold 3): the cost of the transitions and of
// the half-open bookkeeping, which the per-call scenarios never reach. On
// one goroutine: a cycle is a sequence.
func BenchmarkProbes(b *testing.B) {
	b.Run("cycle", func(b *testing.B) {
		for _, l := range cycleLibs {
			b.Run(l.name, func(b *testing.B) {
				b.ReportAllocs()
				cycle := l.cycle(b)
				b.ResetTimer()
				for range b.N {
					if err := cycle(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// TestProbeCycles runs a few cycles through every contestant: each step of
// the rule holds for all of them.
func TestProbeCycles(t *testing.T) {
	for _, l := range cycleLibs {
		t.Run(l.name, func(t *testing.T) {
			cycle := l.cycle(t)
			for i := range 20 {
				if err := cycle(); err != nil {
					t.Fatalf("cycle %d: %v", i, err)
				}
			}
		})
	}
}

// TestOursProbesCloseOnlyAfterAllSuccesses checks what the cycle cannot
// see: with three probes wanted, two successes leave the circuit half-open.
func TestOursProbesCloseOnlyAfterAllSuccesses(t *testing.T) {
	r, clk := hystrixtest.NewRegistry(t, hystrix.WithLogger(hystrix.NoopLogger{}))
	policyCommand(t, r, "probes", hystrix.CommandConfig{
		Trip:                  hystrix.TripConfig{ConsecutiveFailures: consecutiveThreshold},
		Recovery:              hystrix.RecoveryConfig{Probes: probeCount, Successes: probeCount},
		Isolation:             hystrix.CallerIsolation,
		Timeout:               -1,
		MaxConcurrentRequests: -1,
		SleepWindow:           1,
	})
	for range consecutiveThreshold + 1 {
		_ = r.Do("probes", runFail, nil)
	}
	clk.Add(time.Millisecond)
	for range probeCount - 1 {
		if err := r.Do("probes", runOK, nil); err != nil {
			t.Fatal(err)
		}
	}
	c, _, _ := r.GetCircuit("probes")
	if st := c.State(); st != hystrix.StateHalfOpen {
		t.Fatalf("after %d of %d successes the state is %v, want half-open", probeCount-1, probeCount, st)
	}
}

// ---- adaptive concurrency limits: failsafe-go, platinummonkey/go-concurrency-limits ----

// limitBounds are the bounds every adaptive contestant gets.
const (
	limitMin     = 20
	limitInitial = 100
	limitMax     = 1000
)

func oursLimitLib(name, adaptive string) policyLib {
	return policyLib{name: name, make: func(tb testing.TB, run func() error) (func() error, error) {
		r := policyRegistry(tb, nil)
		c := hystrix.CommandConfig{
			Isolation:              hystrix.CallerIsolation,
			Timeout:                -1,
			RequestVolumeThreshold: noTrip,
			MaxConcurrentRequests:  limitMax,
		}
		if adaptive != "" {
			c.Concurrency = hystrix.ConcurrencyConfig{Adaptive: adaptive, Min: limitMin, Initial: limitInitial, Max: limitMax}
		}
		policyCommand(tb, r, "limit", c)
		return func() error { return r.Do("limit", run, nil) }, hystrix.ErrMaxConcurrency
	}}
}

// errPMRejected is what a call refused by platinummonkey's limiter
// returns: the library leaves refusal to its caller.
var errPMRejected = errors.New("platinummonkey: limit exceeded")

func pmLimitLib(name string, lim func(tb testing.TB) pmcore.Limit) policyLib {
	return policyLib{name: name, make: func(tb testing.TB, run func() error) (func() error, error) {
		l, err := pmlimiter.NewDefaultLimiter(lim(tb), int64(time.Second), int64(time.Second), int64(100*time.Microsecond), 100,
			pmstrategy.NewSimpleStrategy(limitInitial), pmlimit.NoopLimitLogger{}, pmcore.EmptyMetricRegistryInstance)
		if err != nil {
			tb.Fatal(err)
		}
		return func() error {
			tok, ok := l.Acquire(context.Background())
			if !ok {
				return errPMRejected
			}
			if err := run(); err != nil {
				tok.OnIgnore()
				return err
			}
			tok.OnSuccess()
			return nil
		}, errPMRejected
	}}
}

var limitLibs = []policyLib{
	oursLimitLib("ours-fixed", ""),
	oursLimitLib("ours-aimd", "aimd"),
	oursLimitLib("ours-gradient", "gradient"),
	{name: "failsafe", make: func(tb testing.TB, run func() error) (func() error, error) {
		// failsafe-go's adaptive limiter (its own latency-based
		// algorithm), with the same bounds.
		lim := adaptivelimiter.NewBuilder[any]().WithLimits(limitMin, limitMax, limitInitial).Build()
		exec := failsafe.With[any](lim)
		return func() error { return exec.Run(run) }, adaptivelimiter.ErrExceeded
	}},
	pmLimitLib("pm-aimd", func(testing.TB) pmcore.Limit {
		return pmlimit.NewAIMDLimit("aimd", limitInitial, 0.9, 1, pmcore.EmptyMetricRegistryInstance)
	}),
	pmLimitLib("pm-gradient2", func(tb testing.TB) pmcore.Limit {
		l, err := pmlimit.NewGradient2Limit("gradient2", limitInitial, limitMax, limitMin,
			func(int) int { return 4 }, 0.2, 600, pmlimit.NoopLimitLogger{}, pmcore.EmptyMetricRegistryInstance)
		if err != nil {
			tb.Fatal(err)
		}
		return l
	}),
}

var limitScenarios = []policyScenario{
	{name: "pass", run: runOK, refusals: true},
	{name: "fail", run: runFail, want: errBoom, refusals: true},
}

// BenchmarkLimit is the cost of a concurrency limit on a call that takes
// no time: our fixed limit (hystrix's max_concurrent_requests), our AIMD
// and gradient limits ("concurrency": {"adaptive": ...}), failsafe-go's
// adaptive limiter, and platinummonkey/go-concurrency-limits' AIMD and
// Gradient2 limits behind its default limiter. All run on the caller's goroutine. Refusals are
// counted (refused/op): at 75 goroutines on few cores, a limit that falls
// below 75 refuses some calls.
func BenchmarkLimit(b *testing.B) {
	runPolicyBench(b, limitScenarios, limitLibs, goroutineCounts)
}

func TestLimitAdapters(t *testing.T) { checkPolicyAdapters(t, limitScenarios, limitLibs) }
