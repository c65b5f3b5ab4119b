package policy_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// counting is an opener of the program's own that opens at its limit-th
// execution, counts what it is told, and adds its count to Counts.
type counting struct {
	limit int64
	made  *atomic.Int64 // trippers made
}

func (p counting) Closed(time.Time, policy.Window) policy.Tripper {
	if p.made != nil {
		p.made.Add(1)
	}
	return &countingTripper{limit: p.limit}
}

type countingTripper struct {
	limit   int64
	records atomic.Int64
}

func (t *countingTripper) Record(policy.Result) bool { return t.records.Add(1) >= t.limit }
func (t *countingTripper) Check(time.Time) bool      { return t.records.Load() >= t.limit }
func (t *countingTripper) AddCounts(c *policy.Counts) {
	c.ConsecutiveFailures += t.records.Load()
}

// gate is a Throttle of the program's own that allows while open is set.
type gate struct{ open *atomic.Bool }

func (g gate) Closed(time.Time, policy.Window) policy.Tripper { return gateTripper(g) }

type gateTripper struct{ open *atomic.Bool }

func (gateTripper) Record(policy.Result) bool           { return false }
func (gateTripper) Check(time.Time) bool                { return false }
func (g gateTripper) Allow(time.Time) bool              { return g.open.Load() }
func (g gateTripper) SlowCallPercent(time.Time) float64 { return 12.5 }

// noTripper is an opener that makes none.
type noTripper struct{}

func (noTripper) Closed(time.Time, policy.Window) policy.Tripper { return nil }

func TestAnyOfOneOpenerIsThatOpener(t *testing.T) {
	t.Parallel()
	ep := policy.ErrorPercent{Threshold: 50}
	for _, got := range []policy.Opener{policy.Any(ep), policy.Any(nil, ep, nil)} {
		if got != policy.Opener(ep) {
			t.Errorf("Any of one opener = %#v, want it", got)
		}
	}
}

func TestAnyOfNoOpenerNeverOpens(t *testing.T) {
	t.Parallel()
	for _, op := range []policy.Opener{policy.Any(), policy.Any(nil, nil), policy.Any(noTripper{}, noTripper{})} {
		tr := op.Closed(t0, fixed{Requests: 100, Errors: 100})
		for range 100 {
			if tr.Record(result(policy.Failure, t0, t0)) {
				t.Fatalf("%T opened", op)
			}
		}
		if tr.Check(t0) {
			t.Errorf("Check = true")
		}
		if _, ok := tr.(policy.Throttle); ok {
			t.Errorf("%T is a Throttle", tr)
		}
		if _, ok := tr.(policy.SlowCallReporter); ok {
			t.Errorf("%T is a SlowCallReporter", tr)
		}
	}
}

func TestAnyOpensWhenEitherWould(t *testing.T) {
	t.Parallel()
	slow := policy.SlowCallRate{Slow: time.Second, Percent: 50, Volume: 4}
	errs := policy.ErrorPercent{Threshold: 50, Volume: 4}
	tests := []struct {
		name  string
		calls []policy.Result
		want  []bool
	}{
		{"slow successes open by the slow-call rate", []policy.Result{
			timed(policy.Success, 0, 2*time.Second), timed(policy.Success, 0, 2*time.Second),
			timed(policy.Success, 0, time.Millisecond), timed(policy.Success, 0, 2*time.Second),
		}, []bool{false, false, false, true}},
		{"fast failures open by the error percentage", []policy.Result{
			timed(policy.Failure, 0, time.Millisecond), timed(policy.Failure, 0, time.Millisecond),
			timed(policy.Success, 0, time.Millisecond), timed(policy.Failure, 0, time.Millisecond),
		}, []bool{false, false, false, true}},
		{"neither", []policy.Result{
			timed(policy.Failure, 0, time.Millisecond), timed(policy.Success, 0, 2*time.Second),
			timed(policy.Success, 0, time.Millisecond), timed(policy.Success, 0, time.Millisecond),
		}, []bool{false, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := &window{}
			tr := policy.Any(errs, slow).Closed(t0, w)
			for i, r := range tt.calls {
				w.add(r.End, r.Outcome)
				if got := tr.Record(r); got != tt.want[i] {
					t.Fatalf("call %d: Record(%v of %v) = %v, want %v", i, r.Outcome, r.Duration, got, tt.want[i])
				}
				if got := tr.Check(r.End); got != tt.want[i] {
					t.Fatalf("call %d: Check = %v, want %v", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestAnyTellsEveryMemberOfEveryExecution(t *testing.T) {
	t.Parallel()
	var made atomic.Int64
	tr := policy.Any(counting{limit: 2, made: &made}, counting{limit: 1000, made: &made}).Closed(t0, &window{})
	if made.Load() != 2 {
		t.Fatalf("%d trippers made for two openers", made.Load())
	}
	for i := range 10 {
		if got, want := tr.Record(result(policy.Success, t0, t0)), i >= 1; got != want {
			t.Fatalf("Record #%d = %v, want %v", i, got, want)
		}
	}
	// Both kept counting after the first opened.
	var c policy.Counts
	tr.(policy.CountReporter).AddCounts(&c)
	if c.ConsecutiveFailures != 20 {
		t.Errorf("the members' counts add up to %d, want 20", c.ConsecutiveFailures)
	}
}

func TestAnyIsAThrottleAndASlowCallReporterOnlyWhenAMemberIs(t *testing.T) {
	t.Parallel()
	var open atomic.Bool
	tests := []struct {
		name           string
		op             policy.Opener
		throttle, slow bool
		rejectReporter bool
	}{
		{"neither", policy.Any(policy.ErrorPercent{}, policy.ConsecutiveFailures{}), false, false, false},
		{"a slow-call rate", policy.Any(policy.ErrorPercent{}, policy.SlowCallRate{}), false, true, false},
		{"an adaptive throttle", policy.Any(policy.ErrorPercent{}, policy.AdaptiveThrottle{}), true, false, true},
		{"both", policy.Any(policy.AdaptiveThrottle{}, policy.SlowCallRate{}), true, true, true},
		{"a throttle of the program's", policy.Any(policy.ErrorPercent{}, gate{&open}), true, true, false},
	}
	for _, tt := range tests {
		tr := tt.op.Closed(t0, &window{})
		if _, ok := tr.(policy.Throttle); ok != tt.throttle {
			t.Errorf("%s: %T is a Throttle: %v, want %v", tt.name, tr, ok, tt.throttle)
		}
		if _, ok := tr.(policy.SlowCallReporter); ok != tt.slow {
			t.Errorf("%s: %T is a SlowCallReporter: %v, want %v", tt.name, tr, ok, tt.slow)
		}
		if _, ok := tr.(policy.ThrottleReporter); ok != tt.throttle {
			t.Errorf("%s: %T is a ThrottleReporter: %v, want %v", tt.name, tr, ok, tt.throttle)
		}
		if _, ok := tr.(policy.CountReporter); !ok {
			t.Errorf("%s: %T is not a CountReporter", tt.name, tr)
		}
	}
}

func TestAnyAllowsOnlyWhatEveryThrottleAllows(t *testing.T) {
	t.Parallel()
	var a, b atomic.Bool
	tr := policy.Any(gate{&a}, policy.ErrorPercent{}, gate{&b}).Closed(t0, &window{}).(policy.Throttle)
	for _, tt := range []struct{ a, b, want bool }{{true, true, true}, {true, false, false}, {false, true, false}, {false, false, false}} {
		a.Store(tt.a)
		b.Store(tt.b)
		if got := tr.Allow(t0); got != tt.want {
			t.Errorf("Allow with the throttles at %v, %v = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAnyReportsTheHighestSlowCallShare(t *testing.T) {
	t.Parallel()
	var open atomic.Bool
	tr := policy.Any(policy.SlowCallRate{Slow: time.Second}, gate{&open}).Closed(t0, &window{})
	sr := tr.(policy.SlowCallReporter)
	if got := sr.SlowCallPercent(t0); got != 12.5 {
		t.Errorf("SlowCallPercent = %v, want the gate's 12.5", got)
	}
	tr.Record(timed(policy.Timeout, 0, time.Second))
	if got := sr.SlowCallPercent(t0); got != 100 {
		t.Errorf("SlowCallPercent = %v, want the slow-call rate's 100", got)
	}
}

func TestAnyRejectProbabilityIsThatOfARefusalByAnyMember(t *testing.T) {
	t.Parallel()
	never := func() float64 { return 0.999 }
	tr := policy.Any(policy.AdaptiveThrottle{K: 2, Rand: never}, policy.AdaptiveThrottle{K: 3, Rand: never}).Closed(t0, &window{})
	// Four failures: 4/5 for each, so 1 - (1/5)^2 for either.
	for range 4 {
		tr.Record(result(policy.Failure, t0, t0))
	}
	got := tr.(policy.ThrottleReporter).RejectProbability(t0)
	if want := 1 - (1-0.8)*(1-0.8); got < want-1e-12 || got > want+1e-12 {
		t.Errorf("RejectProbability = %v, want %v", got, want)
	}
}

// anyModel is Any written from its doc, over trippers of its own made by
// the same openers.
type anyModel struct{ members []policy.Tripper }

func (m anyModel) record(r policy.Result) bool {
	open := false
	for _, tr := range m.members {
		open = tr.Record(r) || open
	}
	return open
}

func (m anyModel) check(now time.Time) bool {
	open := false
	for _, tr := range m.members {
		open = tr.Check(now) || open
	}
	return open
}

func (m anyModel) allow(now time.Time) bool {
	for _, tr := range m.members {
		if th, ok := tr.(policy.Throttle); ok && !th.Allow(now) {
			return false
		}
	}
	return true
}

func TestAnyMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	steps := []time.Duration{0, time.Millisecond, 100 * time.Millisecond, time.Second, 3 * time.Second, 11 * time.Second}
	opened := 0
	for seed := range uint64(seeds) {
		r := rng(seed)
		// Each side makes its members from the same choices, with
		// generators of their own on the same seed, so that their
		// throttles draw the same numbers.
		type choice struct {
			kind, threshold, volume int
		}
		var choices []choice
		for range 1 + r.IntN(4) {
			choices = append(choices, choice{r.IntN(4), 1 + r.IntN(100), r.IntN(10)})
		}
		members := func() []policy.Opener {
			g := rng(seed + 1<<32)
			var ops []policy.Opener
			for k, c := range choices {
				switch c.kind {
				case 0:
					ops = append(ops, policy.ErrorPercent{Threshold: c.threshold, Volume: uint64(c.volume)})
				case 1:
					ops = append(ops, policy.ConsecutiveFailures{Threshold: c.volume})
				case 2:
					ops = append(ops, policy.SlowCallRate{Slow: 50 * time.Millisecond, Percent: c.threshold, Volume: uint64(c.volume)})
				case 3:
					ops = append(ops, policy.AdaptiveThrottle{K: 1.5 + float64(k), Rand: g.Float64})
				}
			}
			return ops
		}
		ops, mops := members(), members()

		w := &window{}
		now := t0
		tr := policy.Any(ops...).Closed(now, w)
		var m anyModel
		for _, op := range mops {
			m.members = append(m.members, op.Closed(now, w))
		}
		th, isThrottle := tr.(policy.Throttle)
		failing := r.Float64()
		for i := range 200 {
			now = now.Add(pick(r, steps...))
			switch r.IntN(4) {
			case 0:
				if got, want := tr.Check(now), m.check(now); got != want {
					t.Fatalf("seed %d step %d: Check = %v, want %v", seed, i, got, want)
				}
				continue
			case 1:
				if isThrottle {
					if got, want := th.Allow(now), m.allow(now); got != want {
						t.Fatalf("seed %d step %d: Allow = %v, want %v", seed, i, got, want)
					}
				}
				continue
			}
			o := pick(r, policy.Success, policy.Success, policy.BadRequest, policy.Canceled)
			if r.Float64() < failing {
				o = pick(r, policy.Failure, policy.Timeout, policy.Rejected)
			}
			res := timed(o, now.Sub(t0), pick(r, time.Millisecond, time.Second))
			w.add(now, o)
			got, want := tr.Record(res), m.record(res)
			if got != want {
				t.Fatalf("seed %d step %d: Record(%v) = %v, want %v", seed, i, o, got, want)
			}
			if got {
				opened++
			}
		}
	}
	if opened < seeds {
		t.Fatalf("only %d Records opened", opened)
	}
}

func TestAnyIsBuiltinOnlyWhenEveryMemberIs(t *testing.T) {
	t.Parallel()
	var open atomic.Bool
	tests := []struct {
		op   policy.Opener
		want bool
	}{
		{policy.Any(policy.ErrorPercent{}, policy.SlowCallRate{}), true},
		{policy.Any(policy.ErrorPercent{}, policy.AdaptiveThrottle{}), true},
		{policy.Any(policy.ErrorPercent{}, ownOpener{}), false},
		{policy.Any(policy.ErrorPercent{}, gate{&open}), false},
		{policy.Any(policy.ErrorPercent{}, policy.AdaptiveThrottle{Rand: func() float64 { return 0 }}), false},
		{policy.Any(policy.ErrorPercent{}, policy.Any(policy.SlowCallRate{}, ownOpener{})), false},
	}
	for i, tt := range tests {
		if got := policy.IsBuiltin(tt.op); got != tt.want {
			t.Errorf("%d: IsBuiltin(Any) = %v, want %v", i, got, tt.want)
		}
		if got := policy.IsBuiltin(tt.op.Closed(t0, &window{})); got != tt.want {
			t.Errorf("%d: IsBuiltin(its tripper) = %v, want %v", i, got, tt.want)
		}
	}
}

func TestAnyConcurrentExecutionsReachEveryMember(t *testing.T) {
	t.Parallel()
	w := &window{}
	tr := policy.Any(
		counting{limit: 1 << 40},
		policy.SlowCallRate{Slow: time.Millisecond, Percent: 100, Volume: 64},
		policy.AdaptiveThrottle{},
	).Closed(t0, w)
	th := tr.(policy.Throttle)
	var opened atomic.Int64
	race(64, func(i int) {
		th.Allow(t0)
		if tr.Record(timed(policy.Timeout, 0, time.Second)) {
			opened.Add(1)
		}
		tr.Check(t0)
		tr.(policy.SlowCallReporter).SlowCallPercent(t0)
	})
	if opened.Load() == 0 || !tr.Check(t0) {
		t.Errorf("64 concurrent timeouts did not open the slow-call rate")
	}
	var c policy.Counts
	tr.(policy.CountReporter).AddCounts(&c)
	if c.ConsecutiveFailures != 64 {
		t.Errorf("the counting member saw %d of 64 executions", c.ConsecutiveFailures)
	}
}

func TestSameComparesAnyByItsMembers(t *testing.T) {
	ep := policy.ErrorPercent{Threshold: 50, Volume: 20}
	slow := policy.SlowCallRate{Slow: 100 * time.Millisecond, Percent: 50, Volume: 20}
	cases := []struct {
		name string
		a, b any
		want bool
	}{
		{"equal values", ep, policy.ErrorPercent{Threshold: 50, Volume: 20}, true},
		{"different values", ep, policy.ErrorPercent{Threshold: 40, Volume: 20}, false},
		{"Any of the same members", policy.Any(ep, slow), policy.Any(ep, slow), true},
		{"Any in another order", policy.Any(ep, slow), policy.Any(slow, ep), false},
		{"Any of other members", policy.Any(ep, slow), policy.Any(ep, policy.SlowCallRate{Slow: time.Second, Percent: 50, Volume: 20}), false},
		{"Any against a plain opener", policy.Any(ep, slow), ep, false},
		{"nested Any", policy.Any(policy.Any(ep, slow), policy.ConsecutiveFailures{Threshold: 3}), policy.Any(policy.Any(ep, slow), policy.ConsecutiveFailures{Threshold: 3}), true},
		{"a func cannot be compared", policy.AdaptiveThrottle{K: 2, Rand: func() float64 { return 0 }}, policy.AdaptiveThrottle{K: 2, Rand: func() float64 { return 0 }}, false},
		{"nil and nil", nil, nil, true},
	}
	for _, c := range cases {
		if got := policy.Same(c.a, c.b); got != c.want {
			t.Errorf("%s: Same = %v, want %v", c.name, got, c.want)
		}
	}
}
