package policy_test

import (
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// throttle is a period of AdaptiveThrottle p at t0, as its Throttle and
// ThrottleReporter.
func throttle(t *testing.T, p policy.AdaptiveThrottle) interface {
	policy.Throttle
	policy.ThrottleReporter
} {
	t.Helper()
	tr, ok := p.Closed(t0, &window{}).(interface {
		policy.Throttle
		policy.ThrottleReporter
	})
	if !ok {
		t.Fatalf("AdaptiveThrottle's tripper is not a Throttle and a ThrottleReporter")
	}
	return tr
}

// always returns a Rand that always draws x.
func always(x float64) func() float64 { return func() float64 { return x } }

func TestAdaptiveThrottleRejectProbabilityFollowsTheSREFormula(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		k                   float64
		successes, failures int
		want                float64
	}{
		{"nothing yet", 2, 0, 0, 0},
		{"all accepted", 2, 10, 0, 0},
		{"one in two accepted is enough at K 2", 2, 5, 5, 0},
		{"one failure with nothing accepted", 2, 0, 1, 0.5},
		{"nine failures with nothing accepted", 2, 0, 9, 0.9},
		{"one in four accepted at K 2", 2, 2, 6, (8 - 2*2.0) / 9},
		{"one in four accepted at K 3", 3, 2, 6, (8 - 3*2.0) / 9},
		{"one in four accepted at K 4 is enough", 4, 2, 6, 0},
		{"K 1.5", 1.5, 1, 9, (10 - 1.5) / 11},
		{"K 1 is taken as 2", 1, 2, 6, (8 - 2*2.0) / 9},
		{"K 0 is taken as 2", 0, 2, 6, (8 - 2*2.0) / 9},
		{"negative K is taken as 2", -3, 2, 6, (8 - 2*2.0) / 9},
		{"NaN K is taken as 2", math.NaN(), 2, 6, (8 - 2*2.0) / 9},
		{"infinite K refuses nothing once one is accepted", math.Inf(1), 1, 100, 0},
		{"infinite K with nothing accepted", math.Inf(1), 0, 4, 0.8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := throttle(t, policy.AdaptiveThrottle{K: tt.k})
			for range tt.successes {
				tr.Record(result(policy.Success, t0, t0))
			}
			for range tt.failures {
				tr.Record(result(policy.Failure, t0, t0))
			}
			if got := tr.RejectProbability(t0); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("RejectProbability = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAdaptiveThrottleCountsEveryOutcomeButNeutralOnesAsRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o    policy.Outcome
		want float64 // after it once, with nothing accepted
	}{
		{policy.Failure, 0.5},
		{policy.Timeout, 0.5},
		{policy.Rejected, 0.5},
		{policy.BadRequest, 0},
		{policy.Canceled, 0},
		{0, 0},
		{42, 0},
	}
	for _, tt := range tests {
		tr := throttle(t, policy.AdaptiveThrottle{})
		if tr.Record(result(tt.o, t0, t0)) {
			t.Errorf("Record(%v) opened", tt.o)
		}
		if got := tr.RejectProbability(t0); got != tt.want {
			t.Errorf("after one %v: RejectProbability = %v, want %v", tt.o, got, tt.want)
		}
	}
}

func TestAdaptiveThrottleNeverOpens(t *testing.T) {
	t.Parallel()
	tr := throttle(t, policy.AdaptiveThrottle{K: 1.1})
	for _, o := range outcomes {
		for range 100 {
			if tr.Record(result(o, t0, t0)) {
				t.Fatalf("Record(%v) opened", o)
			}
		}
	}
	if tr.Check(t0) {
		t.Error("Check = true")
	}
}

func TestAdaptiveThrottleAllowRefusesWhenTheDrawIsBelowTheProbability(t *testing.T) {
	t.Parallel()
	tests := []struct {
		draw float64
		want bool
	}{{0, false}, {0.5, false}, {0.7999, false}, {0.8, true}, {0.9, true}}
	for _, tt := range tests {
		tr := throttle(t, policy.AdaptiveThrottle{Rand: always(tt.draw)})
		for range 4 {
			tr.Record(result(policy.Failure, t0, t0))
		}
		// 4 failures: 4/5.
		if got := tr.Allow(t0); got != tt.want {
			t.Errorf("at 0.8, drawing %v: Allow = %v, want %v", tt.draw, got, tt.want)
		}
	}
}

func TestAdaptiveThrottleDrawsNothingWhileItRefusesNothing(t *testing.T) {
	t.Parallel()
	var draws atomic.Int64
	tr := throttle(t, policy.AdaptiveThrottle{Rand: func() float64 { draws.Add(1); return 0 }})
	tr.Record(result(policy.Success, t0, t0))
	tr.Record(result(policy.Failure, t0, t0))
	for range 10 {
		if !tr.Allow(t0) {
			t.Fatal("refused at a probability of 0")
		}
	}
	if draws.Load() != 0 {
		t.Errorf("%d draws at a probability of 0", draws.Load())
	}
}

// The SRE book counts the calls the client refused among the requests, so
// that a dependency that keeps failing is tried less and less.
func TestAdaptiveThrottleCountsItsOwnRefusalsAsRequests(t *testing.T) {
	t.Parallel()
	tr := throttle(t, policy.AdaptiveThrottle{Rand: always(0)})
	tr.Record(result(policy.Failure, t0, t0))
	for i := 1; i <= 5; i++ {
		if tr.Allow(t0) {
			t.Fatalf("refusal %d: allowed drawing 0", i)
		}
		// i refusals and the failure: (i+1)/(i+2).
		if got, want := tr.RejectProbability(t0), float64(i+1)/float64(i+2); got != want {
			t.Fatalf("after %d refusals: RejectProbability = %v, want %v", i, got, want)
		}
	}
}

func TestAdaptiveThrottleForgetsAfterTenSeconds(t *testing.T) {
	t.Parallel()
	tr := throttle(t, policy.AdaptiveThrottle{Rand: always(0)})
	for range 9 {
		tr.Record(result(policy.Failure, t0, t0))
	}
	tr.Record(result(policy.Success, at(5*time.Second), at(5*time.Second)))
	for _, tt := range []struct {
		now  time.Duration
		want float64
	}{
		{0, 0.9},
		{5 * time.Second, (10 - 2.0) / 11},
		{9*time.Second + 999*time.Millisecond, (10 - 2.0) / 11},
		{10 * time.Second, 0},
		{time.Hour, 0},
		{-time.Second, 0},
	} {
		if got := tr.RejectProbability(at(tt.now)); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("RejectProbability(+%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
	if !tr.Allow(at(10 * time.Second)) {
		t.Error("refused once the failures left the window")
	}
}

func TestAdaptiveThrottleIsBuiltinOnlyWithItsOwnRand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p    policy.AdaptiveThrottle
		want bool
	}{{policy.AdaptiveThrottle{K: 2}, true}, {policy.AdaptiveThrottle{Rand: always(0)}, false}} {
		if got := policy.IsBuiltin(tt.p); got != tt.want {
			t.Errorf("IsBuiltin(%+v) = %v", tt.p, got)
		}
		if got := policy.IsBuiltin(tt.p.Closed(t0, &window{})); got != tt.want {
			t.Errorf("IsBuiltin of %+v's tripper = %v", tt.p, got)
		}
	}
}

// throttleModel is AdaptiveThrottle written from its doc, over a plain list
// of requests.
type throttleModel struct {
	k        float64
	requests []execution // outcome Success for an accept
}

func (m *throttleModel) record(r policy.Result) {
	switch r.Outcome {
	case policy.Success, policy.Failure, policy.Timeout, policy.Rejected:
		m.requests = append(m.requests, execution{r.End, r.Outcome})
	}
}

func (m *throttleModel) probability(now time.Time) float64 {
	var requests, accepts float64
	sec := now.Unix()
	for _, e := range m.requests {
		if s := e.end.Unix(); s > sec-10 && s <= sec {
			requests++
			if e.outcome == policy.Success {
				accepts++
			}
		}
	}
	return max(0, (requests-m.k*accepts)/(requests+1))
}

func (m *throttleModel) allow(now time.Time, draw func() float64) bool {
	p := m.probability(now)
	if p > 0 && draw() < p {
		m.requests = append(m.requests, execution{now, policy.Failure})
		return false
	}
	return true
}

func TestAdaptiveThrottleMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	steps := []time.Duration{0, 0, time.Millisecond, 100 * time.Millisecond, time.Second, 3 * time.Second, 9 * time.Second, 12 * time.Second}
	refused, allowed := 0, 0
	for seed := range uint64(seeds) {
		r := rng(seed)
		k := pick(r, 0, 1, 1.5, 2, 2, 3, 10, -1, 1+r.Float64()*4)
		mk := k
		if !(mk > 1) {
			mk = policy.DefaultAdaptiveK
		}
		m := &throttleModel{k: mk}
		draws := rng(seed + 1<<40)
		tr := throttle(t, policy.AdaptiveThrottle{K: k, Rand: rng(seed + 1<<40).Float64})
		accepting := r.Float64()
		now := t0
		for i := range 300 {
			now = now.Add(pick(r, steps...))
			switch r.IntN(3) {
			case 0:
				if got, want := tr.RejectProbability(now), m.probability(now); got != want {
					t.Fatalf("seed %d step %d, K %v: RejectProbability = %v, want %v", seed, i, k, got, want)
				}
			case 1:
				got, want := tr.Allow(now), m.allow(now, draws.Float64)
				if got != want {
					t.Fatalf("seed %d step %d, K %v: Allow = %v, want %v (probability %v)", seed, i, k, got, want, m.probability(now))
				}
				if got {
					allowed++
				} else {
					refused++
				}
			default:
				o := pick(r, policy.Failure, policy.Timeout, policy.Rejected, policy.BadRequest, policy.Canceled)
				if r.Float64() < accepting {
					o = policy.Success
				}
				res := result(o, now, now)
				m.record(res)
				if tr.Record(res) {
					t.Fatalf("seed %d step %d: Record(%v) opened", seed, i, o)
				}
			}
		}
	}
	if refused < seeds || allowed < seeds {
		t.Fatalf("too few of each: %d refused, %d allowed", refused, allowed)
	}
}

func TestAdaptiveThrottleConcurrentCallsStayBelowCertainRefusal(t *testing.T) {
	t.Parallel()
	tr := throttle(t, policy.AdaptiveThrottle{K: 2})
	var refused atomic.Int64
	race(32, func(g int) {
		for i := range 300 {
			now := at(time.Duration(i) * 50 * time.Millisecond)
			if !tr.Allow(now) {
				refused.Add(1)
				continue
			}
			o := policy.Failure
			if (g+i)%8 == 0 {
				o = policy.Success
			}
			tr.Record(result(o, now, now))
			if p := tr.RejectProbability(now); p < 0 || p >= 1 {
				t.Errorf("RejectProbability = %v", p)
			}
		}
	})
	if refused.Load() == 0 {
		t.Error("one success in eight at K 2 refused nothing")
	}
}
