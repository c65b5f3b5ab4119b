package policy_test

import (
	"math"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// took is an execution that ran for d.
func took(o policy.Outcome, d time.Duration) policy.Result {
	return policy.Result{Outcome: o, Start: t0, End: t0.Add(d), Duration: d}
}

func TestAIMDFieldsAndTheirDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    policy.AIMD
		want int // the first limit
		// after a success at full use, and a timeout from the start
		grown, shrunk int
	}{
		{"zero", policy.AIMD{}, 20, 21, 18},
		{"negative", policy.AIMD{Min: -1, Max: -1, Initial: -1, Increase: -1, Backoff: -1}, 20, 21, 18},
		{"Initial below Min is Min", policy.AIMD{Min: 5, Initial: 2}, 5, 6, 5},
		{"Initial above Max is Max", policy.AIMD{Max: 8, Initial: 50}, 8, 8, 7},
		{"Min above Max raises Max", policy.AIMD{Min: 2000, Initial: 3000}, 2000, 2000, 2000},
		{"Increase", policy.AIMD{Initial: 10, Increase: 5}, 10, 15, 9},
		{"Increase past Max stops at Max", policy.AIMD{Initial: 10, Max: 12, Increase: 5}, 10, 12, 9},
		{"a huge Increase", policy.AIMD{Initial: 10, Increase: math.MaxInt}, 10, 1000, 9},
		{"Backoff", policy.AIMD{Initial: 10, Backoff: 0.5}, 10, 11, 5},
		{"Backoff 1 is the default", policy.AIMD{Initial: 10, Backoff: 1}, 10, 11, 9},
		{"Backoff above 1 is the default", policy.AIMD{Initial: 10, Backoff: 2}, 10, 11, 9},
		{"NaN Backoff is the default", policy.AIMD{Initial: 10, Backoff: math.NaN()}, 10, 11, 9},
		{"a timeout rounds down", policy.AIMD{Initial: 3, Backoff: 0.9}, 3, 4, 2},
		{"never below Min", policy.AIMD{Min: 3, Initial: 3, Backoff: 0.1}, 3, 4, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := tt.p.NewLimiter(t0)
			if got := l.Limit(); got != tt.want {
				t.Fatalf("Limit = %d, want %d", got, tt.want)
			}
			l.Record(took(policy.Success, time.Millisecond), tt.want)
			if got := l.Limit(); got != tt.grown {
				t.Errorf("after a success at full use: Limit = %d, want %d", got, tt.grown)
			}
			l = tt.p.NewLimiter(t0)
			l.Record(took(policy.Timeout, time.Second), tt.want)
			if got := l.Limit(); got != tt.shrunk {
				t.Errorf("after a timeout: Limit = %d, want %d", got, tt.shrunk)
			}
		})
	}
}

func TestAIMDGrowsOnlyWhenHalfTheLimitIsInUse(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		limit, inFlight int
		grows           bool
	}{{10, 10, true}, {10, 5, true}, {10, 4, false}, {11, 6, true}, {11, 5, false}, {10, 0, false}, {10, -3, false}, {10, math.MaxInt, true}} {
		l := policy.AIMD{Initial: tt.limit}.NewLimiter(t0)
		l.Record(took(policy.Success, time.Millisecond), tt.inFlight)
		if got := l.Limit() > tt.limit; got != tt.grows {
			t.Errorf("limit %d, %d in flight: grew %v, want %v", tt.limit, tt.inFlight, got, tt.grows)
		}
	}
}

func TestAIMDOnlyTimeoutsShrinkAndOnlySuccessesGrow(t *testing.T) {
	t.Parallel()
	for _, o := range outcomes {
		l := policy.AIMD{Initial: 10}.NewLimiter(t0)
		l.Record(took(o, time.Second), 10)
		want := 10
		switch o {
		case policy.Success:
			want = 11
		case policy.Timeout:
			want = 9
		}
		if got := l.Limit(); got != want {
			t.Errorf("after a %v: Limit = %d, want %d", o, got, want)
		}
	}
}

// aimdModel is AIMD written from its doc.
type aimdModel struct {
	min, max, limit, increase int
	backoff                   float64
}

func newAIMDModel(p policy.AIMD) *aimdModel {
	m := &aimdModel{min: 1, max: 1000, limit: 20, increase: 1, backoff: 0.9}
	if p.Min > 0 {
		m.min = p.Min
	}
	if p.Max > 0 {
		m.max = p.Max
	}
	if m.max < m.min {
		m.max = m.min
	}
	if p.Initial > 0 {
		m.limit = p.Initial
	}
	m.limit = min(max(m.limit, m.min), m.max)
	if p.Increase > 0 {
		m.increase = p.Increase
	}
	if p.Backoff > 0 && p.Backoff < 1 {
		m.backoff = p.Backoff
	}
	return m
}

func (m *aimdModel) record(o policy.Outcome, inFlight int) {
	switch {
	case o == policy.Timeout:
		m.limit = max(m.min, int(math.Floor(float64(m.limit)*m.backoff)))
	case o == policy.Success && 2*inFlight >= m.limit:
		m.limit = min(m.max, m.limit+m.increase)
	}
}

func TestAIMDMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	var grew, shrank int
	for seed := range uint64(seeds) {
		r := rng(seed)
		p := policy.AIMD{
			Min:      pick(r, 0, 1, 2, 5, 20, -1),
			Max:      pick(r, 0, 10, 50, 200, 3, -1),
			Initial:  pick(r, 0, 1, 10, 30, 500),
			Increase: pick(r, 0, 1, 2, 7, -1),
			Backoff:  pick(r, 0, 0.5, 0.9, 0.99, 1, 1.5, -0.5, r.Float64()),
		}
		m := newAIMDModel(p)
		l := p.NewLimiter(t0)
		timeouts := r.Float64() * 0.3
		for i := range 400 {
			o := pick(r, policy.Success, policy.Success, policy.Success, policy.Failure, policy.Rejected, policy.BadRequest, policy.Canceled)
			if r.Float64() < timeouts {
				o = policy.Timeout
			}
			inFlight := pick(r, 1, m.limit, m.limit/2, (m.limit+1)/2, m.limit/2-1, 1+r.IntN(m.limit+5))
			before := m.limit
			l.Record(took(o, time.Duration(r.Int64N(int64(time.Second)))), inFlight)
			m.record(o, inFlight)
			if got := l.Limit(); got != m.limit {
				t.Fatalf("seed %d step %d, %+v: after a %v with %d in flight at %d: Limit = %d, want %d", seed, i, p, o, inFlight, before, got, m.limit)
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
