package policy_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

func TestConsecutiveFailuresOpensOnTheFailureThatExceedsTheThreshold(t *testing.T) {
	t.Parallel()
	const (
		s  = policy.Success
		f  = policy.Failure
		to = policy.Timeout
		rj = policy.Rejected
		br = policy.BadRequest
		cx = policy.Canceled
	)
	tests := []struct {
		name      string
		threshold int
		run       int64 // the window's run of failures when the period begins
		outcomes  []policy.Outcome
		want      []bool // Record's answers
		count     int64  // the run at the end
	}{
		{"the third of two tolerated", 2, 0, []policy.Outcome{f, f, f, f}, []bool{false, false, true, true}, 4},
		{"a success resets the run", 2, 0, []policy.Outcome{f, f, s, f, f, f}, []bool{false, false, false, false, false, true}, 3},
		{"neutral outcomes neither add nor reset", 2, 0, []policy.Outcome{f, f, br, cx, f}, []bool{false, false, false, false, true}, 3},
		{"timeouts and rejections are failures", 2, 0, []policy.Outcome{to, rj, to}, []bool{false, false, true}, 3},
		{"outcomes that are none neither add nor reset", 1, 0, []policy.Outcome{f, 0, 42, f}, []bool{false, false, false, true}, 2},
		{"zero threshold opens at the first failure", 0, 0, []policy.Outcome{s, f}, []bool{false, true}, 1},
		{"negative threshold is zero", -3, 0, []policy.Outcome{br, f}, []bool{false, true}, 1},
		{"a period starts from the window's run", 2, 2, []policy.Outcome{f}, []bool{true}, 3},
		{"a success clears a run the period began with", 2, 2, []policy.Outcome{s, f, f}, []bool{false, false, false}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := policy.ConsecutiveFailures{Threshold: tt.threshold}.Closed(t0, fixed{ConsecutiveFailures: tt.run})
			for i, o := range tt.outcomes {
				if got := tr.Record(result(o, t0, t0)); got != tt.want[i] {
					t.Fatalf("Record #%d (%v) = %v, want %v", i, o, got, tt.want[i])
				}
			}
			var c policy.Counts
			tr.(policy.CountReporter).AddCounts(&c)
			if c.ConsecutiveFailures != tt.count {
				t.Errorf("AddCounts reports a run of %d, want %d", c.ConsecutiveFailures, tt.count)
			}
		})
	}
}

func TestConsecutiveFailuresCheckSaysWhetherTheRunExceedsTheThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		threshold int
		run       int64
		want      bool
	}{
		{2, 0, false}, {2, 2, false}, {2, 3, true}, {0, 0, false}, {0, 1, true}, {-1, 1, true}, {5, 100, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("threshold %d run %d", tt.threshold, tt.run), func(t *testing.T) {
			t.Parallel()
			tr := policy.ConsecutiveFailures{Threshold: tt.threshold}.Closed(t0, fixed{ConsecutiveFailures: tt.run})
			if got := tr.Check(t0); got != tt.want {
				t.Errorf("Check = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConsecutiveFailuresAddCountsAddsToTheCountsItIsGiven(t *testing.T) {
	t.Parallel()
	tr := policy.ConsecutiveFailures{Threshold: 9}.Closed(t0, fixed{ConsecutiveFailures: 1})
	tr.Record(result(policy.Failure, t0, t0))
	c := policy.Counts{Requests: 7, Errors: 3, ConsecutiveFailures: 10}
	tr.(policy.CountReporter).AddCounts(&c)
	if want := (policy.Counts{Requests: 7, Errors: 3, ConsecutiveFailures: 12}); c != want {
		t.Errorf("AddCounts made %+v, want %+v", c, want)
	}
}

func TestConsecutiveFailuresPeriodsDoNotShareARun(t *testing.T) {
	t.Parallel()
	p := policy.ConsecutiveFailures{Threshold: 1}
	a, b := p.Closed(t0, fixed{}), p.Closed(t0, fixed{})
	a.Record(result(policy.Failure, t0, t0))
	if b.Record(result(policy.Failure, t0, t0)) {
		t.Error("one failure in each of two periods opened one")
	}
}

// consecutiveModel is ConsecutiveFailures written from its doc.
type consecutiveModel struct {
	threshold, run int64
}

// record: only a failure can open; a success or a neutral outcome never
// does, even on a run the period began with.
func (m *consecutiveModel) record(o policy.Outcome) bool {
	switch o {
	case policy.Failure, policy.Timeout, policy.Rejected:
		m.run++
		return m.check()
	case policy.Success:
		m.run = 0
	}
	return false
}

// check: a failure opens once the run exceeds the threshold; a negative
// threshold is zero.
func (m *consecutiveModel) check() bool { return m.run > max(m.threshold, 0) }

func TestConsecutiveFailuresMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	opened := 0
	for seed := range uint64(seeds) {
		r := rng(seed)
		threshold := r.IntN(10) - 2
		run := int64(pick(r, 0, 0, 0, 1, 3, r.IntN(12)))
		m := &consecutiveModel{threshold: int64(threshold), run: run}
		tr := policy.ConsecutiveFailures{Threshold: threshold}.Closed(t0, fixed{Requests: 5, Errors: 5, ConsecutiveFailures: run})
		failing := r.Float64()
		now := t0
		for i := range 200 {
			now = now.Add(pick(r, 0, time.Millisecond, time.Second))
			if r.IntN(4) == 0 {
				if got, want := tr.Check(now), m.check(); got != want {
					t.Fatalf("seed %d step %d: Check = %v, want %v (run %d, threshold %d)", seed, i, got, want, m.run, threshold)
				}
				continue
			}
			o := pick(r, outcomes...)
			if r.Float64() < failing {
				o = pick(r, policy.Failure, policy.Timeout, policy.Rejected)
			}
			got, want := tr.Record(result(o, now, now)), m.record(o)
			if got != want {
				t.Fatalf("seed %d step %d: Record(%v) = %v, want %v (run %d, threshold %d)", seed, i, o, got, want, m.run, threshold)
			}
			if got {
				opened++
			}
			c := policy.Counts{ConsecutiveFailures: 1}
			tr.(policy.CountReporter).AddCounts(&c)
			if c.ConsecutiveFailures != 1+m.run {
				t.Fatalf("seed %d step %d: AddCounts reports a run of %d, want %d", seed, i, c.ConsecutiveFailures-1, m.run)
			}
		}
	}
	if opened < seeds {
		t.Fatalf("only %d Records opened: the sequences hardly reach the thresholds", opened)
	}
}

func TestConsecutiveFailuresConcurrentFailuresOpenFromExactlyThoseOverTheThreshold(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ n, threshold int }{{100, 37}, {64, 0}, {64, 63}, {64, 64}, {200, 199}} {
		t.Run(fmt.Sprintf("%d over %d", tt.n, tt.threshold), func(t *testing.T) {
			t.Parallel()
			tr := policy.ConsecutiveFailures{Threshold: tt.threshold}.Closed(t0, fixed{})
			var opened atomic.Int64
			race(tt.n, func(int) {
				tr.Check(t0)
				if tr.Record(result(policy.Failure, t0, t0)) {
					opened.Add(1)
				}
			})
			if want := int64(max(tt.n-tt.threshold, 0)); opened.Load() != want {
				t.Errorf("%d Records opened, want %d", opened.Load(), want)
			}
			var c policy.Counts
			tr.(policy.CountReporter).AddCounts(&c)
			if c.ConsecutiveFailures != int64(tt.n) {
				t.Errorf("the run is %d after %d failures", c.ConsecutiveFailures, tt.n)
			}
			if want := tt.n > tt.threshold; tr.Check(t0) != want {
				t.Errorf("Check = %v, want %v", !want, want)
			}
		})
	}
}

func TestConsecutiveFailuresConcurrentSuccessesAndFailuresKeepARunNoLongerThanTheFailures(t *testing.T) {
	t.Parallel()
	const n = 200
	tr := policy.ConsecutiveFailures{Threshold: n}.Closed(t0, fixed{})
	var failures atomic.Int64
	race(n, func(i int) {
		o := policy.Success
		if i%3 != 0 {
			o = policy.Failure
			failures.Add(1)
		}
		if tr.Record(result(o, t0, t0)) {
			t.Error("opened with fewer failures than the threshold")
		}
	})
	var c policy.Counts
	tr.(policy.CountReporter).AddCounts(&c)
	if c.ConsecutiveFailures < 0 || c.ConsecutiveFailures > failures.Load() {
		t.Errorf("a run of %d out of %d failures", c.ConsecutiveFailures, failures.Load())
	}
	// With every goroutine done, one more success leaves a run of zero.
	tr.Record(result(policy.Success, t0, t0))
	c = policy.Counts{}
	tr.(policy.CountReporter).AddCounts(&c)
	if c.ConsecutiveFailures != 0 {
		t.Errorf("a success left a run of %d", c.ConsecutiveFailures)
	}
}
