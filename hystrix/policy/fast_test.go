package policy_test

import (
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// The fast forms of Record must agree with Record on every sequence: two
// trippers of the same policy, one told through each, answer the same
// after every execution.
func TestRecordFastAgreesWithRecord(t *testing.T) {
	t.Parallel()
	openers := map[string]policy.Opener{
		"slow-call": policy.SlowCallRate{Slow: 20 * time.Millisecond, Percent: 40, Volume: 5},
		"throttle":  policy.AdaptiveThrottle{K: 1.5, Rand: nil},
		"any": policy.Any(
			policy.ErrorPercent{Threshold: 50, Volume: 10},
			policy.SlowCallRate{Slow: 20 * time.Millisecond, Percent: 40, Volume: 5},
			policy.AdaptiveThrottle{K: 2},
		),
	}
	for name, op := range openers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for seed := range uint64(seeds) {
				r := rng(seed)
				var w1, w2 window
				slow := op.Closed(t0, &w1)
				fast := op.Closed(t0, &w2)
				ft, ok := fast.(policy.FastTripper)
				if !ok {
					t.Fatalf("%T records no fast form", fast)
				}
				now := t0
				for step := range 200 {
					// Steps of up to 3 s, now and then back in time.
					now = now.Add(time.Duration(r.IntN(3000)-150) * time.Millisecond)
					o := pick(r, outcomes...)
					d := time.Duration(r.IntN(40)) * time.Millisecond
					w1.add(now, o)
					w2.add(now, o)
					a := slow.Record(policy.Result{Outcome: o, Start: now.Add(-d), End: now, Duration: d})
					b := ft.RecordFast(o, now.UnixNano(), d)
					if a != b {
						t.Fatalf("seed %d step %d: Record %v, RecordFast %v", seed, step, a, b)
					}
					if x, y := slow.Check(now), fast.Check(now); x != y {
						t.Fatalf("seed %d step %d: Check %v and %v", seed, step, x, y)
					}
					if sr, ok := slow.(policy.SlowCallReporter); ok {
						x, y := sr.SlowCallPercent(now), fast.(policy.SlowCallReporter).SlowCallPercent(now)
						if x != y {
							t.Fatalf("seed %d step %d: slow-call percent %v and %v", seed, step, x, y)
						}
					}
					if tr, ok := slow.(policy.ThrottleReporter); ok {
						x, y := tr.RejectProbability(now), fast.(policy.ThrottleReporter).RejectProbability(now)
						if x != y {
							t.Fatalf("seed %d step %d: reject probability %v and %v", seed, step, x, y)
						}
					}
				}
			}
		})
	}
}

func TestLimitRecordFastAgreesWithRecord(t *testing.T) {
	t.Parallel()
	for name, lp := range map[string]policy.LimitPolicy{
		"aimd":     policy.AIMD{Min: 2, Max: 50, Initial: 10},
		"gradient": policy.Gradient{Min: 2, Max: 50, Initial: 10, LongWindow: 30},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for seed := range uint64(seeds) {
				r := rng(seed)
				slow, fast := lp.NewLimiter(t0), lp.NewLimiter(t0)
				fl, ok := fast.(policy.FastLimiter)
				if !ok {
					t.Fatalf("%T records no fast form", fast)
				}
				for step := range 300 {
					o := pick(r, outcomes...)
					d := time.Duration(1+r.IntN(60)) * time.Millisecond
					inFlight := 1 + r.IntN(60)
					end := at(time.Duration(step) * time.Millisecond)
					slow.Record(policy.Result{Outcome: o, Start: end.Add(-d), End: end, Duration: d}, inFlight)
					fl.RecordFast(o, d, inFlight)
					if a, b := slow.Limit(), fast.Limit(); a != b {
						t.Fatalf("seed %d step %d: limits %d and %d", seed, step, a, b)
					}
				}
			}
		})
	}
}

// A throttle that saw only accepted calls in its window refuses nothing
// without reading the window; one failure in it brings the formula back.
func TestThrottleRefusesOnlyWhileTheWindowHoldsAMiss(t *testing.T) {
	t.Parallel()
	var w window
	tr := policy.AdaptiveThrottle{K: 1.5}.Closed(t0, &w).(policy.ThrottleReporter)
	rec := tr.(policy.Tripper)
	for i := range 20 {
		rec.Record(result(policy.Failure, at(time.Duration(i)*time.Millisecond), at(time.Duration(i)*time.Millisecond)))
	}
	if p := tr.RejectProbability(at(time.Second)); p <= 0 {
		t.Fatalf("20 failures: reject probability %v, want above 0", p)
	}
	for i := range 100 {
		rec.Record(result(policy.Success, at(11*time.Second), at(11*time.Second+time.Duration(i))))
	}
	if p := tr.RejectProbability(at(11 * time.Second)); p != 0 {
		t.Fatalf("successes only in the window: reject probability %v, want 0", p)
	}
	rec.Record(result(policy.Timeout, at(12*time.Second), at(12*time.Second)))
	for range 300 {
		rec.Record(result(policy.Failure, at(12*time.Second), at(12*time.Second)))
	}
	if p := tr.RejectProbability(at(12 * time.Second)); p <= 0 {
		t.Fatalf("a new failure: reject probability %v, want above 0", p)
	}
}
