package policy_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

func TestProbesOpenedReturnsTheSleepWindow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p    policy.Probes
		want time.Duration
	}{
		{policy.Probes{SleepWindow: 5 * time.Second, Probes: 3}, 5 * time.Second},
		{policy.Probes{}, 0},
		{policy.Probes{SleepWindow: -time.Second}, 0},
	} {
		for _, reopened := range []int{0, 1, 9} {
			if got := tt.p.Opened(t0, reopened); got != tt.want {
				t.Errorf("%+v.Opened(t0, %d) = %v, want %v", tt.p, reopened, got, tt.want)
			}
		}
	}
}

func TestProbesAdmitsUpToProbesAtOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    policy.Probes
		want int
	}{
		{policy.Probes{Probes: 3}, 3},
		{policy.Probes{Probes: 3, Successes: 1}, 3},
		{policy.Probes{Probes: 1}, 1},
		{policy.Probes{}, 1},
		{policy.Probes{Probes: -4}, 1},
		{policy.Probes{Probes: 100, Successes: 5}, 100},
	}
	for _, tt := range tests {
		tr := tt.p.HalfOpened(t0)
		admitted := 0
		for i := range 200 {
			if tr.Admit(at(time.Duration(i) * time.Hour)) {
				admitted++
			}
		}
		if admitted != tt.want {
			t.Errorf("%+v admitted %d, want %d", tt.p, admitted, tt.want)
		}
	}
}

// probeStep is one probe's outcome and the verdict its Done should give.
type probeStep struct {
	o    policy.Outcome
	want policy.Verdict
}

func TestProbesVerdicts(t *testing.T) {
	t.Parallel()
	ok, f, to := policy.Success, policy.Failure, policy.Timeout
	stay, cl, re := policy.Stay, policy.Close, policy.Reopen
	tests := []struct {
		name  string
		p     policy.Probes
		steps []probeStep
	}{
		{"every probe must succeed by default", policy.Probes{Probes: 3},
			[]probeStep{{ok, stay}, {ok, stay}, {ok, cl}}},
		{"by default any failure reopens", policy.Probes{Probes: 3},
			[]probeStep{{ok, stay}, {f, re}}},
		{"a timeout is a failure", policy.Probes{Probes: 3},
			[]probeStep{{to, re}}},
		{"3 of 5 close", policy.Probes{Probes: 5, Successes: 3},
			[]probeStep{{f, stay}, {ok, stay}, {f, stay}, {ok, stay}, {ok, cl}}},
		{"3 of 5 reopen at the third failure", policy.Probes{Probes: 5, Successes: 3},
			[]probeStep{{ok, stay}, {f, stay}, {f, stay}, {ok, stay}, {f, re}}},
		{"3 of 5 reopen at once when three fail first", policy.Probes{Probes: 5, Successes: 3},
			[]probeStep{{f, stay}, {to, stay}, {f, re}}},
		{"1 of 3 closes at the first success", policy.Probes{Probes: 3, Successes: 1},
			[]probeStep{{f, stay}, {f, stay}, {ok, cl}}},
		{"1 of 3 reopens when all fail", policy.Probes{Probes: 3, Successes: 1},
			[]probeStep{{f, stay}, {f, stay}, {f, re}}},
		{"more successes than probes are all of them", policy.Probes{Probes: 2, Successes: 7},
			[]probeStep{{ok, stay}, {ok, cl}}},
		{"neutral probes decide nothing", policy.Probes{Probes: 2},
			[]probeStep{{policy.Canceled, stay}, {policy.BadRequest, stay}, {policy.Rejected, stay}, {0, stay}, {ok, stay}, {ok, cl}}},
		{"the zero Probes is one probe", policy.Probes{},
			[]probeStep{{policy.Canceled, stay}, {ok, cl}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := tt.p.HalfOpened(t0)
			for i, st := range tt.steps {
				now := at(time.Duration(i) * time.Second)
				if !tr.Admit(now) {
					t.Fatalf("step %d: not admitted", i)
				}
				if got := tr.Done(result(st.o, now, now)); got != st.want {
					t.Fatalf("step %d: Done(%v) = %v, want %v", i, st.o, got, st.want)
				}
			}
		})
	}
}

func TestProbesAdmitsNoMoreThanProbesInAll(t *testing.T) {
	t.Parallel()
	tr := policy.Probes{Probes: 3, Successes: 2}.HalfOpened(t0)
	for i := range 3 {
		if !tr.Admit(t0) {
			t.Fatalf("probe %d refused", i)
		}
	}
	if v := tr.Done(result(policy.Success, t0, at(time.Second))); v != policy.Stay {
		t.Fatalf("the first success: %v", v)
	}
	// The success's place is spent: three probes decide at most.
	if tr.Admit(at(time.Second)) {
		t.Fatal("a fourth probe was admitted")
	}
	// A neutral one gives its place back.
	if v := tr.Done(result(policy.Canceled, t0, at(2*time.Second))); v != policy.Stay {
		t.Fatalf("a cancellation: %v", v)
	}
	if !tr.Admit(at(2 * time.Second)) {
		t.Fatal("the place a cancellation gave back was not taken")
	}
	if tr.Admit(at(2 * time.Second)) {
		t.Fatal("a place was given back twice")
	}
}

func TestProbesADecidedTrialAdmitsNothingAndKeepsItsVerdict(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		first policy.Outcome
		want  policy.Verdict
	}{{policy.Success, policy.Close}, {policy.Failure, policy.Reopen}} {
		tr := policy.Probes{Probes: 3, Successes: 1}.HalfOpened(t0)
		for range 3 {
			tr.Admit(t0)
		}
		if tt.first == policy.Failure {
			tr.Done(result(policy.Failure, t0, t0))
			tr.Done(result(policy.Failure, t0, t0))
		}
		if v := tr.Done(result(tt.first, t0, t0)); v != tt.want {
			t.Fatalf("Done(%v) = %v, want %v", tt.first, v, tt.want)
		}
		if tr.Admit(at(time.Hour)) {
			t.Errorf("%v: a decided trial admitted", tt.want)
		}
		for _, o := range []policy.Outcome{policy.Success, policy.Failure, policy.Timeout} {
			if v := tr.Done(result(o, t0, t0)); v != tt.want {
				t.Errorf("%v: a later %v got %v", tt.want, o, v)
			}
		}
		if v := tr.Done(result(policy.Canceled, t0, t0)); v != policy.Stay {
			t.Errorf("%v: a later cancellation got %v", tt.want, v)
		}
	}
}

func TestProbesReplacesProbesBusyLongerThanGiveUp(t *testing.T) {
	t.Parallel()
	tr := policy.Probes{Probes: 2, GiveUp: 10 * time.Second}.HalfOpened(t0)
	steps := []admits{
		{0, true},
		{5 * time.Second, true},
		{10 * time.Second, false}, // exactly GiveUp: not yet
		{10*time.Second + 1, true},
		{15 * time.Second, false},
		{15*time.Second + 1, true},
	}
	for _, a := range steps {
		if got := tr.Admit(at(a.at)); got != a.want {
			t.Fatalf("Admit(+%v) = %v, want %v", a.at, got, a.want)
		}
	}
	// The probe given up on at +0 reports late: its neutral end frees
	// nothing, but its success counts.
	tr.Done(result(policy.Canceled, t0, at(16*time.Second)))
	if tr.Admit(at(16 * time.Second)) {
		t.Fatal("a given-up probe freed a place")
	}
	if v := tr.Done(result(policy.Success, at(5*time.Second), at(16*time.Second))); v != policy.Stay {
		t.Fatalf("a given-up probe's success: %v", v)
	}
	if v := tr.Done(result(policy.Success, at(10*time.Second+1), at(17*time.Second))); v != policy.Close {
		t.Fatalf("the second success: %v, want close", v)
	}
}

func TestProbesWithoutGiveUpWaitForTheirProbesForever(t *testing.T) {
	t.Parallel()
	for _, giveUp := range []time.Duration{0, -time.Second} {
		tr := policy.Probes{Probes: 2, GiveUp: giveUp}.HalfOpened(t0)
		tr.Admit(t0)
		tr.Admit(t0)
		if tr.Admit(at(1000 * time.Hour)) {
			t.Errorf("GiveUp %v: a third probe after 1000h", giveUp)
		}
	}
}

// probesModel is Probes written from its doc.
type probesModel struct {
	probes, successes int
	giveUp            time.Duration
	running           []time.Time
	ok, failed        int
	verdict           policy.Verdict
}

func newProbesModel(p policy.Probes) *probesModel {
	m := &probesModel{probes: p.Probes, successes: p.Successes, giveUp: p.GiveUp}
	if m.probes <= 0 {
		m.probes = 1
	}
	if m.successes <= 0 || m.successes > m.probes {
		m.successes = m.probes
	}
	return m
}

func (m *probesModel) admit(now time.Time) bool {
	if m.verdict != policy.Stay {
		return false
	}
	var kept []time.Time
	for _, s := range m.running {
		if m.giveUp <= 0 || now.Sub(s) <= m.giveUp {
			kept = append(kept, s)
		}
	}
	m.running = kept
	if len(m.running)+m.ok+m.failed >= m.probes {
		return false
	}
	m.running = append(m.running, now)
	return true
}

func (m *probesModel) free(start time.Time) {
	for i, s := range m.running {
		if s.Equal(start) {
			m.running = append(m.running[:i], m.running[i+1:]...)
			return
		}
	}
}

func (m *probesModel) done(r policy.Result) policy.Verdict {
	switch r.Outcome {
	case policy.Success:
		m.ok++
	case policy.Failure, policy.Timeout:
		m.failed++
	default:
		if m.verdict == policy.Stay {
			m.free(r.Start)
		}
		return policy.Stay
	}
	m.free(r.Start)
	if m.verdict == policy.Stay {
		if m.ok >= m.successes {
			m.verdict = policy.Close
		} else if m.probes-m.failed < m.successes {
			m.verdict = policy.Reopen
		}
	}
	return m.verdict
}

func TestProbesMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	steps := []time.Duration{0, 0, 1, time.Millisecond, 100 * time.Millisecond, time.Second, 5 * time.Second, 10 * time.Second}
	var closes, reopens int
	for seed := range uint64(seeds) {
		r := rng(seed)
		p := policy.Probes{
			SleepWindow: pick(r, 0, time.Second, -time.Second),
			Probes:      pick(r, 0, 1, 2, 3, 5, 10, -1),
			Successes:   pick(r, 0, 1, 2, 3, 4, 20, -1),
			GiveUp:      pick(r, 0, -time.Second, 1, 3*time.Second, 15*time.Second),
		}
		neutral := r.Float64() * 0.5
		failing := r.Float64()
		now := t0
		for trial := range 10 {
			m := newProbesModel(p)
			tr := p.HalfOpened(now)
			var started []time.Time // admitted and not yet done
			for i := 0; i < 60; i++ {
				now = now.Add(pick(r, steps...))
				if len(started) == 0 || r.IntN(2) == 0 {
					got, want := tr.Admit(now), m.admit(now)
					if got != want {
						t.Fatalf("seed %d trial %d step %d: %+v Admit = %v, want %v", seed, trial, i, p, got, want)
					}
					if got {
						started = append(started, now)
					}
					continue
				}
				k := r.IntN(len(started))
				start := started[k]
				started = append(started[:k], started[k+1:]...)
				o := policy.Success
				if r.Float64() < failing {
					o = pick(r, policy.Failure, policy.Timeout)
				}
				if r.Float64() < neutral {
					o = pick(r, policy.Rejected, policy.BadRequest, policy.Canceled, 0)
				}
				res := result(o, start, now)
				got, want := tr.Done(res), m.done(res)
				if got != want {
					t.Fatalf("seed %d trial %d step %d: %+v Done(%v) = %v, want %v (%d ok, %d failed)", seed, trial, i, p, o, got, want, m.ok, m.failed)
				}
				// Sometimes the circuit moves on at the verdict; sometimes
				// late results still come.
				if got != policy.Stay && r.IntN(3) > 0 {
					break
				}
			}
			switch m.verdict {
			case policy.Close:
				closes++
			case policy.Reopen:
				reopens++
			}
		}
	}
	if closes < seeds || reopens < seeds {
		t.Fatalf("too few trials decided: %d closed, %d reopened", closes, reopens)
	}
}

func TestProbesAdmitsExactlyProbesOfManyConcurrentAdmits(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3, 16} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			tr := policy.Probes{Probes: n, GiveUp: time.Hour}.HalfOpened(t0)
			var admitted atomic.Int64
			race(64, func(int) {
				if tr.Admit(t0) {
					admitted.Add(1)
				}
			})
			if admitted.Load() != int64(n) {
				t.Errorf("%d of 64 concurrent Admits admitted, want %d", admitted.Load(), n)
			}
		})
	}
}

func TestProbesNeverRunMoreThanProbesAtOnce(t *testing.T) {
	t.Parallel()
	const n = 4
	tr := policy.Probes{Probes: n}.HalfOpened(t0)
	var running, most atomic.Int64
	neutral := []policy.Outcome{policy.Rejected, policy.BadRequest, policy.Canceled}
	race(16, func(g int) {
		for i := range 500 {
			now := at(time.Duration(i) * time.Millisecond)
			if !tr.Admit(now) {
				continue
			}
			k := running.Add(1)
			for m := most.Load(); k > m && !most.CompareAndSwap(m, k); m = most.Load() {
			}
			running.Add(-1)
			if v := tr.Done(result(neutral[(g+i)%3], now, now)); v != policy.Stay {
				t.Errorf("a neutral probe's Done = %v", v)
			}
		}
	})
	if most.Load() == 0 || most.Load() > n {
		t.Fatalf("at most %d probes ran at once, want 1 to %d", most.Load(), n)
	}
	// Every place was given back: n succeed and close.
	for i := range n {
		if !tr.Admit(at(time.Second)) {
			t.Fatalf("place %d was left taken", i)
		}
	}
	var v policy.Verdict
	for range n {
		v = tr.Done(result(policy.Success, at(time.Second), at(time.Second)))
	}
	if v != policy.Close {
		t.Errorf("%d successes: %v, want close", n, v)
	}
}

func TestProbesConcurrentOutcomesDecideOnce(t *testing.T) {
	t.Parallel()
	// 8 probes, 5 to close: four failures reopen. 8 probes run at once
	// and end together; whatever the order, no success closes.
	for round := range 50 {
		tr := policy.Probes{Probes: 8, Successes: 5}.HalfOpened(t0)
		for range 8 {
			if !tr.Admit(t0) {
				t.Fatal("a probe was refused")
			}
		}
		var closes, reopens atomic.Int64
		race(8, func(g int) {
			o := policy.Success
			if (g+round)%2 == 0 {
				o = policy.Failure
			}
			switch tr.Done(result(o, t0, t0)) {
			case policy.Close:
				closes.Add(1)
			case policy.Reopen:
				reopens.Add(1)
			}
		})
		// Four failures and four successes: the fourth failure reopens.
		if closes.Load() != 0 || reopens.Load() == 0 {
			t.Fatalf("round %d: %d closes, %d reopens", round, closes.Load(), reopens.Load())
		}
	}
}
