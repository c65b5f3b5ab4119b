package policy_test

import (
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// The behaviour suite: what every Opener and every Recovery of the package
// must do, run over each of them. A new policy added to the lists below
// inherits the edge cases.

type openerCase struct {
	name string
	p    policy.Opener
	// opens says whether enough failures in a row open it.
	opens bool
}

var openers = []openerCase{
	{"ErrorPercent", policy.ErrorPercent{Threshold: 50, Volume: 20}, true},
	{"ErrorPercent/any error", policy.ErrorPercent{Threshold: 1}, true},
	{"ErrorPercent/zero", policy.ErrorPercent{}, false},
	{"ConsecutiveFailures", policy.ConsecutiveFailures{Threshold: 5}, true},
	{"ConsecutiveFailures/zero", policy.ConsecutiveFailures{}, true},
	// The suite's failures take no time, so they are not slow.
	{"SlowCallRate", policy.SlowCallRate{Slow: 100 * time.Millisecond, Percent: 50, Volume: 20}, false},
	{"SlowCallRate/zero", policy.SlowCallRate{}, false},
	{"AdaptiveThrottle", policy.AdaptiveThrottle{K: 2}, false},
	{"AdaptiveThrottle/zero", policy.AdaptiveThrottle{}, false},
	{"Any/ErrorPercent+SlowCallRate", policy.Any(policy.ErrorPercent{Threshold: 50, Volume: 20}, policy.SlowCallRate{Slow: time.Second, Percent: 50}), true},
	{"Any/ConsecutiveFailures+AdaptiveThrottle", policy.Any(policy.ConsecutiveFailures{Threshold: 5}, policy.AdaptiveThrottle{}), true},
	{"Any/SlowCallRate+AdaptiveThrottle", policy.Any(policy.SlowCallRate{Slow: time.Second, Percent: 1}, policy.AdaptiveThrottle{K: 1.5}), false},
	{"Any/none", policy.Any(), false},
}

type recoveryCase struct {
	name string
	p    policy.Recovery
	// atOnce is how many executions a trial admits at its start.
	atOnce int
}

// The suite's recoveries all reopen at the first failure.
var recoveries = []recoveryCase{
	{"SingleProbe", policy.SingleProbe{SleepWindow: 5 * time.Second, GiveUp: 10 * time.Second}, 1},
	{"SingleProbe/zero", policy.SingleProbe{}, 1},
	{"Ramp", policy.Ramp{SleepWindow: 5 * time.Second, StartPerMinute: 60, Factor: 3, Stage: 10 * time.Second}, 1},
	{"Ramp/zero", policy.Ramp{}, 1},
	{"Probes", policy.Probes{SleepWindow: 5 * time.Second, Probes: 3, GiveUp: 10 * time.Second}, 3},
	{"Probes/zero", policy.Probes{}, 1},
	{"Backoff", policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: time.Second}, Max: time.Minute, Jitter: 0.2}, 1},
	{"Backoff/zero", policy.Backoff{}, 1},
	{"Backoff/Ramp/ForCircuit", policy.Backoff{Recovery: policy.Ramp{SleepWindow: time.Second}, Multiplier: 3}.ForCircuit(), 1},
	{"Backoff/Probes/ForCircuit", policy.Backoff{Recovery: policy.Probes{Probes: 2}, Jitter: 0.5}.ForCircuit(), 2},
}

func eachOpener(t *testing.T, f func(t *testing.T, c openerCase)) {
	t.Helper()
	for _, c := range openers {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f(t, c)
		})
	}
}

func eachRecovery(t *testing.T, f func(t *testing.T, c recoveryCase)) {
	t.Helper()
	for _, c := range recoveries {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f(t, c)
		})
	}
}

// halfOpened begins a half-open period of p at now, with its first Tick if
// it has ticks, as the circuit does.
func halfOpened(p policy.Recovery, now time.Time) policy.Trial {
	tr := p.HalfOpened(now)
	if tk, ok := tr.(policy.Ticker); ok {
		tk.Tick(now)
	}
	return tr
}

func TestOpenersCheckOfAFreshPeriodOnAnEmptyWindowIsFalse(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		for _, now := range []time.Time{t0, t0.Add(time.Hour), {}, time.Unix(0, 0)} {
			tr := c.p.Closed(now, &window{})
			if tr.Check(now) {
				t.Errorf("Check(%v) = true", now)
			}
		}
	})
}

func TestOpenersNeutralOutcomesNeverOpenAFreshPeriod(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		w := &window{}
		tr := c.p.Closed(t0, w)
		for i := range 100 {
			now := at(time.Duration(i) * 10 * time.Millisecond)
			for _, o := range []policy.Outcome{policy.BadRequest, policy.Canceled} {
				w.add(now, o)
				if tr.Record(result(o, now, now)) {
					t.Fatalf("Record(%v) #%d opened", o, i)
				}
			}
		}
		if tr.Check(at(time.Second)) {
			t.Error("Check after neutral outcomes = true")
		}
	})
}

func TestOpenersOutcomesThatAreNoneNeverOpenAFreshPeriod(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		tr := c.p.Closed(t0, &window{})
		for _, o := range []policy.Outcome{0, 42, math.MaxUint8} {
			for range 50 {
				if tr.Record(result(o, t0, t0)) {
					t.Fatalf("Record(%v) opened", o)
				}
			}
		}
	})
}

func TestOpenersSuccessesAloneNeverOpenAFreshPeriod(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		w := &window{}
		tr := c.p.Closed(t0, w)
		for range 100 {
			w.add(t0, policy.Success)
			if tr.Record(result(policy.Success, t0, t0)) {
				t.Fatal("a success opened")
			}
		}
		if tr.Check(t0) {
			t.Error("Check after successes = true")
		}
	})
}

func TestOpenersFailuresInARowOpenAndCheckAgrees(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		w := &window{}
		tr := c.p.Closed(t0, w)
		opened := -1
		for i := range 1000 {
			w.add(t0, policy.Failure)
			if tr.Record(result(policy.Failure, t0, t0)) {
				opened = i
				break
			}
			if tr.Check(t0) {
				t.Fatalf("Check = true before a Record opened, at failure %d", i)
			}
		}
		if got := opened >= 0; got != c.opens {
			t.Fatalf("1000 failures opened: %v, want %v", got, c.opens)
		}
		if tr.Check(t0) != c.opens {
			t.Errorf("Check after the failures = %v, want %v", !c.opens, c.opens)
		}
	})
}

func TestOpenersConcurrentFailuresOpen(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		w := &window{}
		tr := c.p.Closed(t0, w)
		var opened atomic.Int64
		race(100, func(int) {
			w.add(t0, policy.Failure)
			if tr.Record(result(policy.Failure, t0, t0)) {
				opened.Add(1)
			}
			tr.Check(t0)
		})
		if got := opened.Load() > 0; got != c.opens {
			t.Errorf("%d of 100 concurrent failures opened", opened.Load())
		}
		if tr.Check(t0) != c.opens {
			t.Errorf("Check after 100 failures = %v, want %v", !c.opens, c.opens)
		}
	})
}

func TestRecoveriesOpenedNeverReturnsANegativeDuration(t *testing.T) {
	t.Parallel()
	eachRecovery(t, func(t *testing.T, c recoveryCase) {
		for _, now := range []time.Time{t0, {}} {
			for _, reopened := range []int{0, 1, 2, 100, math.MaxInt, -1} {
				if d := c.p.Opened(now, reopened); d < 0 {
					t.Errorf("Opened(%v, %d) = %v", now, reopened, d)
				}
			}
		}
	})
}

// SingleProbe's doc says a negative SleepWindow turns half-open at once,
// and the engine takes a negative answer of Opened for "use the command's
// sleep window", so the policy itself must not answer one.
func TestRecoveriesWithANegativeSleepWindowTurnHalfOpenAtOnce(t *testing.T) {
	t.Parallel()
	for _, p := range []policy.Recovery{
		policy.SingleProbe{SleepWindow: -time.Second},
		policy.Ramp{SleepWindow: -time.Second},
		policy.Probes{SleepWindow: -time.Second},
		policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: -time.Second}},
		policy.Backoff{Recovery: policy.Probes{SleepWindow: -time.Second}}.ForCircuit(),
	} {
		if d := p.Opened(t0, 0); d != 0 {
			t.Errorf("%T{SleepWindow: -1s}.Opened = %v, want 0", p, d)
		}
	}
}

func TestRecoveriesAdmitTheFirstExecutionAtOnce(t *testing.T) {
	t.Parallel()
	eachRecovery(t, func(t *testing.T, c recoveryCase) {
		if !halfOpened(c.p, t0).Admit(t0) {
			t.Error("the first execution of a trial was refused")
		}
	})
}

func TestRecoveriesAdmitTheirNumberOfManyConcurrentAdmitsAtTheTrialsStart(t *testing.T) {
	t.Parallel()
	eachRecovery(t, func(t *testing.T, c recoveryCase) {
		tr := halfOpened(c.p, t0)
		var admitted atomic.Int64
		race(64, func(int) {
			if tr.Admit(t0) {
				admitted.Add(1)
			}
		})
		if admitted.Load() != int64(c.atOnce) {
			t.Errorf("%d of 64 concurrent Admits at the start admitted, want %d", admitted.Load(), c.atOnce)
		}
	})
}

func TestRecoveriesNeutralDoneNeverDecides(t *testing.T) {
	t.Parallel()
	eachRecovery(t, func(t *testing.T, c recoveryCase) {
		for _, o := range []policy.Outcome{policy.BadRequest, policy.Canceled, policy.Rejected, 0, 42} {
			tr := halfOpened(c.p, t0)
			if !tr.Admit(t0) {
				t.Fatal("the first execution was refused")
			}
			if v := tr.Done(result(o, t0, at(time.Millisecond))); v != policy.Stay {
				t.Errorf("Done(%v) = %v, want stay", o, v)
			}
			// It leaves the trial able to admit the next probe.
			if !tr.Admit(at(time.Hour)) {
				t.Errorf("after Done(%v) nothing is admitted", o)
			}
		}
	})
}

func TestRecoveriesAFailedProbeReopensAndASuccessNeverDoes(t *testing.T) {
	t.Parallel()
	eachRecovery(t, func(t *testing.T, c recoveryCase) {
		for _, tt := range []struct {
			o      policy.Outcome
			reopen bool
		}{{policy.Failure, true}, {policy.Timeout, true}, {policy.Success, false}} {
			tr := halfOpened(c.p, t0)
			tr.Admit(t0)
			if v := tr.Done(result(tt.o, t0, at(time.Second))); (v == policy.Reopen) != tt.reopen {
				t.Errorf("Done(%v) = %v", tt.o, v)
			}
		}
	})
}

func TestRecoveriesTickersBeginWithAStage(t *testing.T) {
	t.Parallel()
	eachRecovery(t, func(t *testing.T, c recoveryCase) {
		tk, ok := c.p.HalfOpened(t0).(policy.Ticker)
		if !ok {
			t.Skipf("%T's trial does not tick", c.p)
		}
		if v, next := tk.Tick(t0); v != policy.Stay || next <= 0 {
			t.Errorf("the first Tick = %v, %v; want stay and a positive duration", v, next)
		}
	})
}

func TestRecoveriesTrialsAreIndependent(t *testing.T) {
	t.Parallel()
	eachRecovery(t, func(t *testing.T, c recoveryCase) {
		a, b := halfOpened(c.p, t0), halfOpened(c.p, t0)
		a.Admit(t0)
		if !b.Admit(t0) {
			t.Error("a trial's admission refused another trial's first execution")
		}
		if v := a.Done(result(policy.Failure, t0, t0)); v != policy.Reopen {
			t.Fatalf("Done(failure) = %v", v)
		}
		if v := b.Done(result(policy.Success, t0, t0)); v == policy.Reopen {
			t.Error("one trial's failure reopened another")
		}
	})
}

func TestZeroPoliciesBehaveAsDocumented(t *testing.T) {
	t.Parallel()
	t.Run("ErrorPercent never opens", func(t *testing.T) {
		t.Parallel()
		w := &window{}
		tr := policy.ErrorPercent{}.Closed(t0, w)
		for range 1000 {
			w.add(t0, policy.Failure)
			if tr.Record(result(policy.Failure, t0, t0)) {
				t.Fatal("opened")
			}
		}
		if tr.Check(t0) {
			t.Error("Check = true")
		}
	})
	t.Run("ConsecutiveFailures opens at the first failure", func(t *testing.T) {
		t.Parallel()
		tr := policy.ConsecutiveFailures{}.Closed(t0, &window{})
		if !tr.Record(result(policy.Failure, t0, t0)) {
			t.Error("the first failure did not open")
		}
	})
	t.Run("SingleProbe turns half-open at once and never gives a probe up", func(t *testing.T) {
		t.Parallel()
		var p policy.SingleProbe
		if d := p.Opened(t0, 0); d != 0 {
			t.Errorf("Opened = %v", d)
		}
		tr := p.HalfOpened(t0)
		if !tr.Admit(t0) || tr.Admit(at(10000*time.Hour)) {
			t.Error("not one probe for good")
		}
	})
	t.Run("Ramp turns half-open at once and takes the defaults", func(t *testing.T) {
		t.Parallel()
		var p policy.Ramp
		if d := p.Opened(t0, 0); d != 0 {
			t.Errorf("Opened = %v", d)
		}
		tr := p.HalfOpened(t0)
		if v, next := tr.(policy.Ticker).Tick(t0); v != policy.Stay || next != time.Minute {
			t.Errorf("first Tick = %v, %v; want stay, 1m", v, next)
		}
		if rate := tr.(policy.RateReporter).PerMinute(t0); rate != 10 {
			t.Errorf("PerMinute = %v, want 10", rate)
		}
	})
	t.Run("SlowCallRate never opens", func(t *testing.T) {
		t.Parallel()
		tr := policy.SlowCallRate{}.Closed(t0, &window{})
		for range 1000 {
			if tr.Record(timed(policy.Timeout, 0, time.Hour)) {
				t.Fatal("opened")
			}
		}
		if got := tr.(policy.SlowCallReporter).SlowCallPercent(t0); got != 100 {
			t.Errorf("SlowCallPercent = %v, want 100", got)
		}
	})
	t.Run("AdaptiveThrottle takes K 2", func(t *testing.T) {
		t.Parallel()
		tr := policy.AdaptiveThrottle{}.Closed(t0, &window{}).(policy.ThrottleReporter)
		tr.(policy.Tripper).Record(result(policy.Success, t0, t0))
		for range 3 {
			tr.(policy.Tripper).Record(result(policy.Failure, t0, t0))
		}
		if got := tr.RejectProbability(t0); got != (4-2.0)/5 {
			t.Errorf("RejectProbability = %v, want 0.4", got)
		}
	})
	t.Run("Probes turns half-open at once and probes once", func(t *testing.T) {
		t.Parallel()
		var p policy.Probes
		if d := p.Opened(t0, 0); d != 0 {
			t.Errorf("Opened = %v", d)
		}
		tr := p.HalfOpened(t0)
		if !tr.Admit(t0) || tr.Admit(at(10000*time.Hour)) {
			t.Error("not one probe for good")
		}
	})
	t.Run("Backoff wraps SingleProbe{} and opens for 0", func(t *testing.T) {
		t.Parallel()
		var p policy.Backoff
		if d := p.Opened(t0, 5); d != 0 {
			t.Errorf("Opened = %v", d)
		}
		if d := p.ForCircuit().Opened(t0, 5); d != 0 {
			t.Errorf("ForCircuit().Opened = %v", d)
		}
	})
	t.Run("AIMD and Gradient start at 20 within 1 to 1000", func(t *testing.T) {
		t.Parallel()
		for _, lp := range []policy.LimitPolicy{policy.AIMD{}, policy.Gradient{}} {
			l := lp.NewLimiter(t0)
			if got := l.Limit(); got != 20 {
				t.Errorf("%T: Limit = %d, want 20", lp, got)
			}
			for range 100 {
				l.Record(result(policy.Timeout, t0, t0), 20)
			}
			if got := l.Limit(); got != 1 {
				t.Errorf("%T: after timeouts Limit = %d, want 1", lp, got)
			}
			for range 100000 {
				l.Record(took(policy.Success, time.Millisecond), l.Limit())
			}
			if got := l.Limit(); got != 1000 {
				t.Errorf("%T: after successes Limit = %d, want 1000", lp, got)
			}
		}
	})
}

// The program's own policies, for IsBuiltin.
type ownOpener struct{}

func (ownOpener) Closed(time.Time, policy.Window) policy.Tripper { return ownTripper{} }

type ownTripper struct{}

func (ownTripper) Record(policy.Result) bool { return false }
func (ownTripper) Check(time.Time) bool      { return false }

type ownRecovery struct{}

func (ownRecovery) Opened(time.Time, int) time.Duration { return 0 }
func (ownRecovery) HalfOpened(time.Time) policy.Trial   { return ownTrial{} }

type ownTrial struct{}

func (ownTrial) Admit(time.Time) bool              { return true }
func (ownTrial) Done(policy.Result) policy.Verdict { return policy.Stay }

func TestIsBuiltinIsTrueForEachPolicyAndWhatItMakes(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		if !policy.IsBuiltin(c.p) {
			t.Errorf("IsBuiltin(%T) = false", c.p)
		}
		if tr := c.p.Closed(t0, &window{}); !policy.IsBuiltin(tr) {
			t.Errorf("IsBuiltin(%T) = false", tr)
		}
	})
	eachRecovery(t, func(t *testing.T, c recoveryCase) {
		if !policy.IsBuiltin(c.p) {
			t.Errorf("IsBuiltin(%T) = false", c.p)
		}
		if tr := c.p.HalfOpened(t0); !policy.IsBuiltin(tr) {
			t.Errorf("IsBuiltin(%T) = false", tr)
		}
	})
}

func TestIsBuiltinIsFalseForThePrograms(t *testing.T) {
	t.Parallel()
	for _, v := range []any{ownOpener{}, ownTripper{}, ownRecovery{}, ownTrial{}, nil, 42, fmt.Stringer(policy.Success)} {
		if policy.IsBuiltin(v) {
			t.Errorf("IsBuiltin(%T) = true", v)
		}
	}
}

// A program's tripper that embeds a built-in policy to reuse its methods
// (here ErrorPercent.Unhealthy).
type embeddingTripper struct {
	policy.ErrorPercent
	w policy.Window
}

func (p embeddingTripper) Record(r policy.Result) bool { return p.Check(r.End) }
func (p embeddingTripper) Check(now time.Time) bool    { return p.Unhealthy(p.w.Executions(now)) }

// A type of the program's own is not a built-in even when it embeds one:
// its methods are the program's, and the engine calls a built-in's without
// recovering a panic.
func TestIsBuiltinIsFalseForAProgramsTypeThatEmbedsABuiltin(t *testing.T) {
	t.Parallel()
	var tr policy.Tripper = embeddingTripper{ErrorPercent: policy.ErrorPercent{Threshold: 50}, w: &window{}}
	if policy.IsBuiltin(tr) {
		t.Errorf("IsBuiltin(%T) = true", tr)
	}
}

// Throttles and reporters among the openers.

func TestThrottlesAllowEveryCallOfAFreshPeriod(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		th, ok := c.p.Closed(t0, &window{}).(policy.Throttle)
		if !ok {
			t.Skipf("%T's tripper is no Throttle", c.p)
		}
		for i := range 100 {
			if !th.Allow(at(time.Duration(i) * time.Millisecond)) {
				t.Fatalf("call %d refused", i)
			}
		}
		if rr, ok := th.(policy.ThrottleReporter); ok {
			if p := rr.RejectProbability(t0); p != 0 {
				t.Errorf("RejectProbability = %v", p)
			}
		}
	})
}

func TestThrottlesAllowOnlyTheShareTheyReport(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		tr := c.p.Closed(t0, &window{})
		rr, ok := tr.(policy.ThrottleReporter)
		if !ok {
			t.Skipf("%T's tripper reports no probability", c.p)
		}
		th := tr.(policy.Throttle)
		race(8, func(int) {
			for range 50 {
				tr.Record(result(policy.Failure, t0, t0))
			}
		})
		p := rr.RejectProbability(t0)
		if p <= 0 || p >= 1 {
			t.Fatalf("after 400 failures RejectProbability = %v", p)
		}
		refused := 0
		for range 1000 {
			if !th.Allow(t0) {
				refused++
			}
		}
		if refused == 0 {
			t.Errorf("none of 1000 refused at a probability of %v", p)
		}
	})
}

func TestSlowCallReportersReportAShareFrom0To100(t *testing.T) {
	t.Parallel()
	eachOpener(t, func(t *testing.T, c openerCase) {
		tr := c.p.Closed(t0, &window{})
		sr, ok := tr.(policy.SlowCallReporter)
		if !ok {
			t.Skipf("%T's tripper reports no slow calls", c.p)
		}
		if got := sr.SlowCallPercent(t0); got != 0 {
			t.Errorf("a fresh period: SlowCallPercent = %v", got)
		}
		race(16, func(i int) {
			o := pick(rng(uint64(i)), outcomes...)
			tr.Record(timed(o, 0, time.Duration(i)*time.Second))
			if got := sr.SlowCallPercent(t0); got < 0 || got > 100 {
				t.Errorf("SlowCallPercent = %v", got)
			}
		})
	})
}

// The behaviour suite of the adaptive concurrency limits.

type limiterCase struct {
	name     string
	p        policy.LimitPolicy
	min, max int
}

var limiters = []limiterCase{
	{"AIMD", policy.AIMD{Min: 2, Max: 50, Initial: 10}, 2, 50},
	{"AIMD/zero", policy.AIMD{}, 1, 1000},
	{"AIMD/steep", policy.AIMD{Min: 1, Max: 7, Increase: 5, Backoff: 0.1}, 1, 7},
	{"Gradient", policy.Gradient{Min: 2, Max: 50, Initial: 10, LongWindow: 20}, 2, 50},
	{"Gradient/zero", policy.Gradient{}, 1, 1000},
	{"Gradient/eager", policy.Gradient{Min: 3, Max: 9, Tolerance: 1, Smoothing: 1, LongWindow: 1}, 3, 9},
}

func eachLimiter(t *testing.T, f func(t *testing.T, c limiterCase)) {
	t.Helper()
	for _, c := range limiters {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f(t, c)
		})
	}
}

func (c limiterCase) within(t *testing.T, l policy.Limiter) {
	t.Helper()
	if n := l.Limit(); n < c.min || n > c.max || n < 1 {
		t.Fatalf("Limit = %d, out of [%d, %d]", n, c.min, c.max)
	}
}

func TestLimitersStartWithinTheirBounds(t *testing.T) {
	t.Parallel()
	eachLimiter(t, func(t *testing.T, c limiterCase) {
		for _, now := range []time.Time{t0, {}} {
			c.within(t, c.p.NewLimiter(now))
		}
	})
}

func TestLimitersIgnoreWhatSaysNothingOfTheirLimit(t *testing.T) {
	t.Parallel()
	eachLimiter(t, func(t *testing.T, c limiterCase) {
		l := c.p.NewLimiter(t0)
		start := l.Limit()
		for _, o := range []policy.Outcome{policy.Failure, policy.Rejected, policy.BadRequest, policy.Canceled, 0, 42} {
			for _, inFlight := range []int{0, 1, start, 1 << 30, -1} {
				l.Record(took(o, time.Second), inFlight)
			}
		}
		if got := l.Limit(); got != start {
			t.Errorf("Limit = %d, want the %d it started with", got, start)
		}
	})
}

func TestLimitersShrinkToTheirMinOnTimeouts(t *testing.T) {
	t.Parallel()
	eachLimiter(t, func(t *testing.T, c limiterCase) {
		l := c.p.NewLimiter(t0)
		for range 200 {
			l.Record(took(policy.Timeout, time.Second), l.Limit())
			c.within(t, l)
		}
		if got := l.Limit(); got != c.min {
			t.Errorf("Limit = %d, want Min %d", got, c.min)
		}
	})
}

func TestLimitersGrowToTheirMaxWhileUsedAndFast(t *testing.T) {
	t.Parallel()
	eachLimiter(t, func(t *testing.T, c limiterCase) {
		l := c.p.NewLimiter(t0)
		for range 100000 {
			l.Record(took(policy.Success, time.Millisecond), l.Limit())
			c.within(t, l)
		}
		if got := l.Limit(); got != c.max {
			t.Errorf("Limit = %d, want Max %d", got, c.max)
		}
	})
}

func TestLimitersDoNotGrowOnTrafficThatDoesNotUseThem(t *testing.T) {
	t.Parallel()
	eachLimiter(t, func(t *testing.T, c limiterCase) {
		l := c.p.NewLimiter(t0)
		start := l.Limit()
		for i := range 1000 {
			l.Record(took(policy.Success, time.Millisecond), min(i%3, (l.Limit()-1)/2))
		}
		if got := l.Limit(); got > start {
			t.Errorf("Limit grew from %d to %d on app-limited traffic", start, got)
		}
	})
}

func TestLimitersStayWithinBoundsUnderConcurrentRecords(t *testing.T) {
	t.Parallel()
	eachLimiter(t, func(t *testing.T, c limiterCase) {
		l := c.p.NewLimiter(t0)
		race(32, func(g int) {
			r := rng(uint64(g))
			for range 500 {
				o := pick(r, policy.Success, policy.Success, policy.Success, policy.Timeout, policy.Failure, policy.Canceled)
				l.Record(took(o, time.Duration(1+r.Int64N(int64(100*time.Millisecond)))), 1+r.IntN(2*l.Limit()))
				if n := l.Limit(); n < c.min || n > c.max {
					t.Errorf("Limit = %d, out of [%d, %d]", n, c.min, c.max)
					return
				}
			}
		})
	})
}

func TestLimitersAreIndependent(t *testing.T) {
	t.Parallel()
	eachLimiter(t, func(t *testing.T, c limiterCase) {
		a, b := c.p.NewLimiter(t0), c.p.NewLimiter(t0)
		start := b.Limit()
		for range 100 {
			a.Record(took(policy.Timeout, time.Second), a.Limit())
		}
		if got := b.Limit(); got != start {
			t.Errorf("one limiter's timeouts moved another from %d to %d", start, got)
		}
	})
}

func TestIsBuiltinIsTrueForEachLimitPolicyAndItsLimiter(t *testing.T) {
	t.Parallel()
	eachLimiter(t, func(t *testing.T, c limiterCase) {
		if !policy.IsBuiltin(c.p) {
			t.Errorf("IsBuiltin(%T) = false", c.p)
		}
		if l := c.p.NewLimiter(t0); !policy.IsBuiltin(l) {
			t.Errorf("IsBuiltin(%T) = false", l)
		}
	})
}
