package policy_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

func TestSingleProbeOpenedReturnsTheSleepWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p        policy.SingleProbe
		reopened int
		want     time.Duration
	}{
		{policy.SingleProbe{SleepWindow: 5 * time.Second}, 0, 5 * time.Second},
		{policy.SingleProbe{SleepWindow: 5 * time.Second}, 1, 5 * time.Second},
		{policy.SingleProbe{SleepWindow: 5 * time.Second, GiveUp: time.Minute}, 100, 5 * time.Second},
		{policy.SingleProbe{}, 0, 0},
	}
	for _, tt := range tests {
		if got := tt.p.Opened(t0, tt.reopened); got != tt.want {
			t.Errorf("%+v.Opened(t0, %d) = %v, want %v", tt.p, tt.reopened, got, tt.want)
		}
	}
}

func TestSingleProbeTheProbeDecides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o    policy.Outcome
		want policy.Verdict
	}{
		{policy.Success, policy.Close},
		{policy.Failure, policy.Reopen},
		{policy.Timeout, policy.Reopen},
		{policy.Rejected, policy.Stay},
		{policy.BadRequest, policy.Stay},
		{policy.Canceled, policy.Stay},
		{0, policy.Stay},
		{42, policy.Stay},
	}
	for _, tt := range tests {
		t.Run(tt.o.String(), func(t *testing.T) {
			t.Parallel()
			tr := policy.SingleProbe{SleepWindow: time.Second}.HalfOpened(t0)
			if !tr.Admit(t0) {
				t.Fatal("the first execution is not admitted")
			}
			if got := tr.Done(result(tt.o, t0, at(time.Second))); got != tt.want {
				t.Errorf("Done(%v) = %v, want %v", tt.o, got, tt.want)
			}
		})
	}
}

// admits is one Admit at an offset from t0 and its answer.
type admits struct {
	at   time.Duration
	want bool
}

func TestSingleProbeAdmitsOneProbeAtATime(t *testing.T) {
	t.Parallel()
	tr := policy.SingleProbe{SleepWindow: 5 * time.Second}.HalfOpened(t0)
	for _, a := range []admits{{0, true}, {0, false}, {time.Second, false}, {time.Hour, false}} {
		if got := tr.Admit(at(a.at)); got != a.want {
			t.Fatalf("Admit(+%v) = %v, want %v", a.at, got, a.want)
		}
	}
}

func TestSingleProbeANeutralProbeFreesTheSlotForTheNext(t *testing.T) {
	t.Parallel()
	for _, o := range []policy.Outcome{policy.Rejected, policy.BadRequest, policy.Canceled} {
		t.Run(o.String(), func(t *testing.T) {
			t.Parallel()
			tr := policy.SingleProbe{}.HalfOpened(t0)
			tr.Admit(t0)
			if v := tr.Done(result(o, t0, at(time.Millisecond))); v != policy.Stay {
				t.Fatalf("Done(%v) = %v", o, v)
			}
			if !tr.Admit(at(time.Millisecond)) {
				t.Fatal("the slot was not freed")
			}
			if tr.Admit(at(time.Millisecond)) {
				t.Fatal("two probes at once")
			}
		})
	}
}

func TestSingleProbeReplacesAProbeBusyLongerThanGiveUp(t *testing.T) {
	t.Parallel()
	tr := policy.SingleProbe{GiveUp: 10 * time.Second}.HalfOpened(t0)
	steps := []admits{
		{0, true},
		{10 * time.Second, false}, // exactly GiveUp: not yet
		{10*time.Second + 1, true},
		{15 * time.Second, false}, // the replacement has its own GiveUp
		{20*time.Second + 2, true},
	}
	for _, a := range steps {
		if got := tr.Admit(at(a.at)); got != a.want {
			t.Fatalf("Admit(+%v) = %v, want %v", a.at, got, a.want)
		}
	}
}

func TestSingleProbeWithoutGiveUpWaitsForItsProbeForever(t *testing.T) {
	t.Parallel()
	for _, giveUp := range []time.Duration{0, -time.Second} {
		tr := policy.SingleProbe{GiveUp: giveUp}.HalfOpened(t0)
		tr.Admit(t0)
		if tr.Admit(at(1000 * time.Hour)) {
			t.Errorf("GiveUp %v: a second probe after 1000h", giveUp)
		}
	}
}

func TestSingleProbeAGivenUpProbeFreesNoSlotButItsVerdictStands(t *testing.T) {
	t.Parallel()
	p := policy.SingleProbe{GiveUp: 10 * time.Second}
	late := at(11 * time.Second)

	tr := p.HalfOpened(t0)
	tr.Admit(t0)   // given up on
	tr.Admit(late) // its replacement
	if v := tr.Done(result(policy.Canceled, t0, at(12*time.Second))); v != policy.Stay {
		t.Fatalf("the late neutral probe's Done = %v", v)
	}
	if tr.Admit(at(12 * time.Second)) {
		t.Fatal("the late probe freed its replacement's slot")
	}
	if v := tr.Done(result(policy.BadRequest, late, at(13*time.Second))); v != policy.Stay {
		t.Fatalf("the replacement's Done = %v", v)
	}
	if !tr.Admit(at(13 * time.Second)) {
		t.Fatal("the replacement did not free its slot")
	}

	for _, tt := range []struct {
		o    policy.Outcome
		want policy.Verdict
	}{{policy.Failure, policy.Reopen}, {policy.Success, policy.Close}} {
		tr := p.HalfOpened(t0)
		tr.Admit(t0)
		tr.Admit(late)
		if v := tr.Done(result(tt.o, t0, at(12*time.Second))); v != tt.want {
			t.Errorf("a given-up probe's late %v: Done = %v, want %v", tt.o, v, tt.want)
		}
	}
}

func TestSingleProbeTrialsDoNotShareASlot(t *testing.T) {
	t.Parallel()
	p := policy.SingleProbe{}
	a, b := p.HalfOpened(t0), p.HalfOpened(t0)
	if !a.Admit(t0) || !b.Admit(t0) {
		t.Error("a trial's probe held another trial's slot")
	}
}

// singleProbeModel is SingleProbe written from its doc: a slot, and when
// its probe was admitted.
type singleProbeModel struct {
	giveUp time.Duration
	busy   bool
	since  time.Time
}

func (m *singleProbeModel) admit(now time.Time) bool {
	givenUp := m.giveUp > 0 && now.Sub(m.since) > m.giveUp
	if m.busy && !givenUp {
		return false
	}
	m.busy, m.since = true, now
	return true
}

func (m *singleProbeModel) done(r policy.Result) policy.Verdict {
	switch r.Outcome {
	case policy.Success:
		return policy.Close
	case policy.Failure, policy.Timeout:
		return policy.Reopen
	}
	if m.busy && r.Start.Equal(m.since) {
		m.busy = false
	}
	return policy.Stay
}

func TestSingleProbeMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	steps := []time.Duration{0, 0, 1, time.Millisecond, 100 * time.Millisecond, time.Second, 5 * time.Second, 10 * time.Second, time.Minute}
	decided := 0
	for seed := range uint64(seeds) {
		r := rng(seed)
		p := policy.SingleProbe{
			SleepWindow: pick(r, 0, time.Second, 5*time.Second, time.Duration(r.Int64N(int64(time.Minute)))),
			GiveUp:      pick(r, 0, -time.Second, 1, 100*time.Millisecond, 5*time.Second, 15*time.Second),
		}
		neutral := r.Float64()
		now := t0
		for trial, reopened := 0, 0; trial < 10; trial++ {
			m := &singleProbeModel{giveUp: p.GiveUp}
			tr := p.HalfOpened(now)
			var probes []time.Time // admitted and not yet done
			for i := 0; i < 100; i++ {
				now = now.Add(pick(r, steps...))
				if len(probes) == 0 || r.IntN(2) == 0 {
					got, want := tr.Admit(now), m.admit(now)
					if got != want {
						t.Fatalf("seed %d trial %d step %d: %+v Admit(+%v) = %v, want %v", seed, trial, i, p, now.Sub(t0), got, want)
					}
					if got {
						probes = append(probes, now)
					}
					continue
				}
				k := r.IntN(len(probes))
				start := probes[k]
				probes = append(probes[:k], probes[k+1:]...)
				o := pick(r, policy.Success, policy.Failure, policy.Timeout)
				if r.Float64() < neutral {
					o = pick(r, policy.Rejected, policy.BadRequest, policy.Canceled, 0)
				}
				res := result(o, start, now)
				got, want := tr.Done(res), m.done(res)
				if got != want {
					t.Fatalf("seed %d trial %d step %d: %+v Done(%v admitted at +%v) = %v, want %v", seed, trial, i, p, o, start.Sub(t0), got, want)
				}
				if got == policy.Stay {
					continue
				}
				// The verdict ends the trial, as the circuit does.
				decided++
				if got == policy.Reopen {
					reopened++
				} else {
					reopened = 0
				}
				if d := p.Opened(now, reopened); d != p.SleepWindow {
					t.Fatalf("seed %d: Opened(+%v, %d) = %v, want %v", seed, now.Sub(t0), reopened, d, p.SleepWindow)
				}
				now = now.Add(p.SleepWindow)
				break
			}
		}
	}
	if decided < seeds {
		t.Fatalf("only %d trials were decided", decided)
	}
}

func TestSingleProbeAdmitsExactlyOneOfManyConcurrentAdmits(t *testing.T) {
	t.Parallel()
	for _, giveUp := range []time.Duration{0, time.Nanosecond, time.Hour} {
		tr := policy.SingleProbe{GiveUp: giveUp}.HalfOpened(t0)
		var admitted atomic.Int64
		race(64, func(int) {
			if tr.Admit(t0) {
				admitted.Add(1)
			}
		})
		if admitted.Load() != 1 {
			t.Errorf("GiveUp %v: %d of 64 concurrent Admits admitted", giveUp, admitted.Load())
		}
	}
}

func TestSingleProbeNeverRunsTwoProbesAtOnce(t *testing.T) {
	t.Parallel()
	tr := policy.SingleProbe{}.HalfOpened(t0)
	var running atomic.Bool
	var probes atomic.Int64
	neutral := []policy.Outcome{policy.Rejected, policy.BadRequest, policy.Canceled}
	race(16, func(g int) {
		for i := range 500 {
			now := at(time.Duration(i) * time.Millisecond)
			if !tr.Admit(now) {
				continue
			}
			probes.Add(1)
			if running.Swap(true) {
				t.Error("two probes at once")
			}
			running.Store(false)
			if v := tr.Done(result(neutral[(g+i)%3], now, now)); v != policy.Stay {
				t.Errorf("a neutral probe's Done = %v", v)
			}
		}
	})
	if probes.Load() == 0 {
		t.Fatal("no probe was admitted")
	}
	if !tr.Admit(at(time.Second)) {
		t.Error("the slot was left taken")
	}
}
