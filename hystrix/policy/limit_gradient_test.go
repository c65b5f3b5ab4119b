package policy_test

import (
	"math"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

func TestGradientFieldsAndTheirDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    policy.Gradient
		want int
	}{
		{"zero", policy.Gradient{}, 20},
		{"negative", policy.Gradient{Min: -1, Max: -1, Initial: -1, LongWindow: -1, Tolerance: -1, Smoothing: -1}, 20},
		{"Initial below Min is Min", policy.Gradient{Min: 30}, 30},
		{"Initial above Max is Max", policy.Gradient{Max: 8, Initial: 50}, 8},
		{"Min above Max raises Max", policy.Gradient{Min: 2000, Initial: 3000}, 2000},
	}
	for _, tt := range tests {
		if got := tt.p.NewLimiter(t0).Limit(); got != tt.want {
			t.Errorf("%s: Limit = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// The first sample is the average, so the gradient is 1 and the limit
// grows by Smoothing*sqrt(limit).
func TestGradientGrowsByTheQueueAllowanceAtTheUsualLatency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    policy.Gradient
		want int
	}{
		{"defaults: 100 + 0.2*10", policy.Gradient{Initial: 100}, 102},
		{"Smoothing 1: 100 + 10", policy.Gradient{Initial: 100, Smoothing: 1}, 110},
		{"Smoothing above 1 is the default", policy.Gradient{Initial: 100, Smoothing: 1.5}, 102},
		{"NaN Smoothing is the default", policy.Gradient{Initial: 100, Smoothing: math.NaN()}, 102},
		{"Smoothing 0.5: 100 + 5", policy.Gradient{Initial: 100, Smoothing: 0.5}, 105},
		{"up to Max", policy.Gradient{Initial: 100, Max: 101, Smoothing: 1}, 101},
	}
	for _, tt := range tests {
		l := tt.p.NewLimiter(t0)
		l.Record(took(policy.Success, 10*time.Millisecond), 100)
		if got := l.Limit(); got != tt.want {
			t.Errorf("%s: Limit = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestGradientShrinksWhenLatencyRisesAboveTheTolerance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    policy.Gradient
		next time.Duration // after ten samples of 10ms
		want int
	}{
		// The average of ten samples of 10ms is 10ms, and a sample of x
		// moves it by 2/601 of x-10ms.
		{"within the tolerance it grows", policy.Gradient{Initial: 100}, 14 * time.Millisecond, 102},
		// 20ms: 1.5*10.033/20 = 0.752, so 100*0.8 + 0.2*(75.2 + 10).
		{"above it it shrinks", policy.Gradient{Initial: 100}, 20 * time.Millisecond, 97},
		{"by a gradient of at most a half", policy.Gradient{Initial: 100, Smoothing: 1}, time.Hour, 60},
		{"Tolerance 3 tolerates more", policy.Gradient{Initial: 100, Tolerance: 3}, 20 * time.Millisecond, 102},
		{"Tolerance below 1 is 1", policy.Gradient{Initial: 100, Tolerance: 0.1, Smoothing: 1}, 10 * time.Millisecond, 110},
	}
	for _, tt := range tests {
		l := tt.p.NewLimiter(t0)
		// With one in flight they are app-limited: the limit stays 100.
		for range 10 {
			l.Record(took(policy.Success, 10*time.Millisecond), 1)
		}
		if got := l.Limit(); got != 100 {
			t.Fatalf("%s: app-limited samples moved the limit to %d", tt.name, got)
		}
		l.Record(took(policy.Success, tt.next), 200)
		if got := l.Limit(); got != tt.want {
			t.Errorf("%s: Limit = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestGradientDoesNotGrowWhenFewerThanHalfTheLimitAreInFlight(t *testing.T) {
	t.Parallel()
	l := policy.Gradient{Initial: 100}.NewLimiter(t0)
	for range 100 {
		l.Record(took(policy.Success, 10*time.Millisecond), 49)
	}
	if got := l.Limit(); got != 100 {
		t.Fatalf("app-limited successes at the usual latency: Limit = %d, want 100", got)
	}
	// It may still shrink.
	l.Record(took(policy.Success, time.Second), 1)
	if got := l.Limit(); got >= 100 {
		t.Errorf("a slow app-limited success: Limit = %d, want below 100", got)
	}
}

func TestGradientTimeoutsAreDropsAndNoSamples(t *testing.T) {
	t.Parallel()
	l := policy.Gradient{Initial: 100, Min: 60}.NewLimiter(t0)
	l.Record(took(policy.Timeout, time.Hour), 100)
	if got := l.Limit(); got != 90 {
		t.Fatalf("after a timeout: Limit = %d, want 90", got)
	}
	for range 10 {
		l.Record(took(policy.Timeout, time.Hour), 100)
	}
	if got := l.Limit(); got != 60 {
		t.Fatalf("after many timeouts: Limit = %d, want Min 60", got)
	}
	// The hour-long timeouts did not enter the average: the first
	// success is the average, and the limit grows.
	l.Record(took(policy.Success, 10*time.Millisecond), 100)
	if got := l.Limit(); got <= 60 {
		t.Errorf("a success at the first latency: Limit = %d, want above 60", got)
	}
}

func TestGradientOtherOutcomesLeaveTheLimit(t *testing.T) {
	t.Parallel()
	for _, o := range []policy.Outcome{policy.Failure, policy.Rejected, policy.BadRequest, policy.Canceled, 0, 42} {
		l := policy.Gradient{Initial: 100}.NewLimiter(t0)
		for range 10 {
			l.Record(took(o, time.Hour), 100)
		}
		l.Record(took(policy.Success, time.Millisecond), 100)
		if got := l.Limit(); got != 102 {
			t.Errorf("after %vs: Limit = %d, want 102", o, got)
		}
	}
}

// After a long spell of slow calls, the average comes back down at once
// when calls are fast again, rather than over a whole window.
func TestGradientAverageComesDownAfterASpellOfLoad(t *testing.T) {
	t.Parallel()
	p := policy.Gradient{Initial: 100, Max: 100, LongWindow: 1000}
	l := p.NewLimiter(t0)
	for range 2000 {
		l.Record(took(policy.Success, 100*time.Millisecond), 100)
	}
	// Now fast: 10x below the average. Without the cut the gradient would
	// stay at 1 for hundreds of samples while calls slow down again.
	for range 200 {
		l.Record(took(policy.Success, 10*time.Millisecond), 100)
	}
	l.Record(took(policy.Success, 40*time.Millisecond), 100)
	if got := l.Limit(); got >= 100 {
		t.Errorf("a sample 4x the new latency: Limit = %d, want below 100", got)
	}
}

// gradientModel is Gradient written from its doc.
type gradientModel struct {
	min, max, limit   float64
	window            int
	tolerance, smooth float64
	average           float64
	samples           int
}

func newGradientModel(p policy.Gradient) *gradientModel {
	m := &gradientModel{min: 1, max: 1000, limit: 20, window: 600, tolerance: 1.5, smooth: 0.2}
	if p.Min > 0 {
		m.min = float64(p.Min)
	}
	if p.Max > 0 {
		m.max = float64(p.Max)
	}
	m.max = math.Max(m.max, m.min)
	if p.Initial > 0 {
		m.limit = float64(p.Initial)
	}
	m.limit = math.Min(math.Max(m.limit, m.min), m.max)
	if p.LongWindow > 0 {
		m.window = p.LongWindow
	}
	if p.Tolerance > 0 {
		m.tolerance = math.Max(1, p.Tolerance)
	}
	if p.Smoothing > 0 && p.Smoothing <= 1 {
		m.smooth = p.Smoothing
	}
	return m
}

func (m *gradientModel) record(r policy.Result, inFlight int) {
	switch r.Outcome {
	case policy.Timeout:
		m.limit = math.Max(m.min, m.limit*0.9)
		return
	case policy.Success:
	default:
		return
	}
	rtt := float64(max(r.Duration, 1))
	m.samples++
	if m.samples <= min(10, m.window) {
		m.average = m.average + (rtt-m.average)/float64(m.samples)
	} else {
		m.average = m.average + 2/float64(m.window+1)*(rtt-m.average)
	}
	if m.average > 2*rtt {
		m.average = m.average - (m.average-rtt)/20
	}
	gradient := math.Max(0.5, math.Min(1, m.tolerance*m.average/rtt))
	next := m.limit*gradient + math.Sqrt(m.limit)
	next = m.limit*(1-m.smooth) + next*m.smooth
	if float64(inFlight) < m.limit/2 && next > m.limit {
		next = m.limit
	}
	m.limit = math.Min(math.Max(next, m.min), m.max)
}

func TestGradientMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	var grew, shrank int
	for seed := range uint64(seeds) {
		r := rng(seed)
		p := policy.Gradient{
			Min:        pick(r, 0, 1, 5, 20, -1),
			Max:        pick(r, 0, 50, 200, 3, -1),
			Initial:    pick(r, 0, 1, 10, 30, 500),
			LongWindow: pick(r, 0, 1, 5, 10, 11, 100, -1),
			Tolerance:  pick(r, 0, 1, 1.5, 2, 0.5, -1, 1+r.Float64()*2),
			Smoothing:  pick(r, 0, 0.1, 0.2, 0.5, 1, 1.5, -1, r.Float64()),
		}
		m := newGradientModel(p)
		l := p.NewLimiter(t0)
		latency := time.Duration(1 + r.Int64N(int64(100*time.Millisecond)))
		timeouts := r.Float64() * 0.1
		for i := range 400 {
			if r.IntN(50) == 0 {
				// The dependency's latency moves.
				latency = time.Duration(1 + r.Int64N(int64(100*time.Millisecond)))
			}
			o := pick(r, policy.Success, policy.Success, policy.Success, policy.Failure, policy.Rejected, policy.Canceled)
			if r.Float64() < timeouts {
				o = policy.Timeout
			}
			d := time.Duration(float64(latency) * (0.5 + r.Float64()*2))
			lim := int(m.limit)
			inFlight := pick(r, 1, lim, lim/2, lim/2+1, 1+r.IntN(lim+5))
			before := m.limit
			l.Record(took(o, d), inFlight)
			m.record(took(o, d), inFlight)
			got, want := l.Limit(), int(m.limit)
			// The model's arithmetic is the limiter's in the same order,
			// but a compiler may fuse a multiply and an add: allow a
			// limit within a hair of a whole number to round either way.
			if got != want && math.Abs(m.limit-math.Round(m.limit)) > 1e-6 {
				t.Fatalf("seed %d step %d, %+v: after a %v of %v with %d in flight at %v: Limit = %d, want %d (%v)",
					seed, i, p, o, d, inFlight, before, got, want, m.limit)
			}
			switch {
			case m.limit > before:
				grew++
			case m.limit < before:
				shrank++
			}
		}
	}
	if grew < seeds || shrank < seeds {
		t.Fatalf("too little explored: grew %d times, shrank %d", grew, shrank)
	}
}
