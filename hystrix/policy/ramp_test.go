package policy_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// rampTrial begins a half-open period of p at t0 and its first stage, as
// the circuit does.
func rampTrial(t *testing.T, p policy.Ramp) interface {
	policy.Ticker
	policy.RateReporter
} {
	t.Helper()
	tr := p.HalfOpened(t0)
	tk, ok := tr.(interface {
		policy.Ticker
		policy.RateReporter
	})
	if !ok {
		t.Fatalf("Ramp's trial %T is not a Ticker and a RateReporter", tr)
	}
	if v, d := tk.Tick(t0); v != policy.Stay || d <= 0 {
		t.Fatalf("the first Tick = %v, %v; want stay and the stage", v, d)
	}
	return tk
}

func TestRampZeroFieldsTakeTheDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    policy.Ramp
	}{
		{"zero", policy.Ramp{}},
		{"negative", policy.Ramp{StartPerMinute: -1, Factor: -2, Stage: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := tt.p.HalfOpened(t0).(policy.Ticker)
			if v, d := tr.Tick(t0); v != policy.Stay || d != policy.DefaultRampStage {
				t.Errorf("first Tick = %v, %v; want stay, %v", v, d, policy.DefaultRampStage)
			}
			if got := tr.(policy.RateReporter).PerMinute(t0); got != policy.DefaultRampStartPerMinute {
				t.Errorf("PerMinute = %v, want %v", got, policy.DefaultRampStartPerMinute)
			}
			// 10 a minute: one every 6 s.
			for _, a := range []admits{{0, true}, {5999 * time.Millisecond, false}, {6 * time.Second, true}} {
				if got := tr.Admit(at(a.at)); got != a.want {
					t.Errorf("Admit(+%v) = %v, want %v", a.at, got, a.want)
				}
			}
			tr.Done(result(policy.Success, at(6*time.Second), at(6*time.Second)))
			if v, d := tr.Tick(at(policy.DefaultRampStage)); v != policy.Stay || d != policy.DefaultRampStage {
				t.Errorf("Tick after a stage with a refusal and a success = %v, %v", v, d)
			}
			if got := tr.(policy.RateReporter).PerMinute(t0); got != policy.DefaultRampStartPerMinute*policy.DefaultRampFactor {
				t.Errorf("PerMinute = %v, want %v", got, policy.DefaultRampStartPerMinute*policy.DefaultRampFactor)
			}
		})
	}
}

func TestRampOpenedReturnsTheSleepWindow(t *testing.T) {
	t.Parallel()
	for _, reopened := range []int{0, 1, 7} {
		if d := (policy.Ramp{SleepWindow: 3 * time.Second}).Opened(t0, reopened); d != 3*time.Second {
			t.Errorf("Opened(t0, %d) = %v, want 3s", reopened, d)
		}
	}
	if d := (policy.Ramp{}).Opened(t0, 0); d != 0 {
		t.Errorf("the zero Ramp's Opened = %v, want 0", d)
	}
}

func TestRampAdmitsOneExecutionPerIntervalOfItsRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rate  float64
		steps []admits
	}{
		{"10 a minute", 10, []admits{
			{0, true}, {0, false}, {time.Second, false}, {5999 * time.Millisecond, false},
			{6 * time.Second, true}, {12 * time.Second, true}, {13 * time.Second, false}, {18 * time.Second, true},
		}},
		{"the bucket holds one token however long it waits", 60, []admits{
			{time.Hour, true}, {time.Hour, false}, {time.Hour + 999*time.Millisecond, false}, {time.Hour + time.Second, true},
		}},
		{"refusals do not push the next admission back", 60, []admits{
			{0, true}, {100 * time.Millisecond, false}, {900 * time.Millisecond, false}, {time.Second, true},
		}},
		{"a late admission starts the next interval", 60, []admits{
			{0, true}, {1500 * time.Millisecond, true}, {2 * time.Second, false}, {2500 * time.Millisecond, true},
		}},
		{"7 a minute is not a whole number of milliseconds", 7, []admits{
			{0, true}, {8571 * time.Millisecond, false}, {8572 * time.Millisecond, true},
		}},
		{"a rate above one a nanosecond admits one an instant", 1e12, []admits{
			{0, true}, {0, false}, {1, true}, {1, false}, {3, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := rampTrial(t, policy.Ramp{StartPerMinute: tt.rate, Stage: 1000 * time.Hour})
			for _, a := range tt.steps {
				if got := tr.Admit(at(a.at)); got != a.want {
					t.Fatalf("Admit(+%v) = %v, want %v", a.at, got, a.want)
				}
			}
		})
	}
}

func TestRampAdmitsTheFirstExecutionAtOnce(t *testing.T) {
	t.Parallel()
	tr := rampTrial(t, policy.Ramp{StartPerMinute: 1})
	if !tr.Admit(t0) {
		t.Fatal("the first execution waited for a token")
	}
}

// stage is what happens in one stage of a ramp: executions admitted that
// succeed, fail or end neutral, and executions refused.
type stage struct {
	successes, failures, neutral, refusals int
}

// play runs s in the stage that starts at from and returns the last
// verdict of a Done. Each admission comes a second after the one before,
// or as many seconds more as the trial refuses it, so on a trial slower
// than one a second there are more refusals than s asks for.
func (s stage) play(tr policy.Trial, from time.Time) policy.Verdict {
	v := policy.Stay
	now := from
	admit := func() {
		now = now.Add(time.Second)
		for !tr.Admit(now) {
			now = now.Add(time.Second)
		}
	}
	for range s.successes {
		admit()
		v = tr.Done(result(policy.Success, now, now))
	}
	for i := range s.neutral {
		admit()
		v = tr.Done(result([]policy.Outcome{policy.BadRequest, policy.Canceled, policy.Rejected}[i%3], now, now))
	}
	for range s.failures {
		admit()
		v = tr.Done(result(policy.Failure, now, now))
	}
	// At the instant of the last admission every Admit is refused; with
	// none yet, the first one is admitted and stays in flight.
	for refused := 0; refused < s.refusals; {
		if !tr.Admit(now) {
			refused++
		}
	}
	return v
}

func TestRampStageVerdicts(t *testing.T) {
	t.Parallel()
	const start = 60
	tests := []struct {
		name     string
		stage    stage
		want     policy.Verdict
		wantNext time.Duration
		wantRate float64
	}{
		{"no refusal closes", stage{successes: 3}, policy.Close, 0, start},
		{"an empty stage closes", stage{}, policy.Close, 0, start},
		{"neutral outcomes and no refusal close", stage{neutral: 3}, policy.Close, 0, start},
		{"refusals and a success double the rate", stage{successes: 1, refusals: 1}, policy.Stay, time.Minute, 2 * start},
		{"refusals with no success keep the rate", stage{refusals: 5}, policy.Stay, time.Minute, start},
		{"neutral outcomes are no successes", stage{neutral: 3, refusals: 2}, policy.Stay, time.Minute, start},
		{"a failure reopens", stage{successes: 5, failures: 1, refusals: 3}, policy.Reopen, 0, start},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := rampTrial(t, policy.Ramp{StartPerMinute: start, Stage: time.Minute})
			tt.stage.play(tr, t0)
			v, next := tr.Tick(at(time.Minute))
			if v != tt.want || next != tt.wantNext {
				t.Errorf("Tick = %v, %v; want %v, %v", v, next, tt.want, tt.wantNext)
			}
			if got := tr.PerMinute(at(time.Minute)); got != tt.wantRate {
				t.Errorf("PerMinute = %v, want %v", got, tt.wantRate)
			}
		})
	}
}

func TestRampReopensAtTheFailureItself(t *testing.T) {
	t.Parallel()
	for _, o := range []policy.Outcome{policy.Failure, policy.Timeout} {
		tr := rampTrial(t, policy.Ramp{})
		tr.Admit(t0)
		if v := tr.Done(result(o, t0, at(time.Second))); v != policy.Reopen {
			t.Errorf("Done(%v) = %v, want reopen", o, v)
		}
	}
}

func TestRampDoublesAfterAStageThatWentWell(t *testing.T) {
	t.Parallel()
	tr := rampTrial(t, policy.Ramp{StartPerMinute: 60, Stage: time.Minute})
	stage{successes: 2, refusals: 1}.play(tr, t0)
	if v, next := tr.Tick(at(time.Minute)); v != policy.Stay || next != time.Minute {
		t.Fatalf("Tick = %v, %v", v, next)
	}
	if got := tr.PerMinute(at(time.Minute)); got != 120 {
		t.Fatalf("PerMinute = %v, want 120", got)
	}
	// 120 a minute: one every 500 ms.
	from := at(time.Hour)
	for _, a := range []admits{{0, true}, {499 * time.Millisecond, false}, {500 * time.Millisecond, true}} {
		if got := tr.Admit(from.Add(a.at)); got != a.want {
			t.Errorf("Admit(+%v) = %v, want %v", a.at, got, a.want)
		}
	}
}

func TestRampAppliesItsFactor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ factor, want float64 }{{1, 10}, {1.5, 15}, {3, 30}} {
		tr := rampTrial(t, policy.Ramp{StartPerMinute: 10, Factor: tt.factor})
		stage{successes: 1, refusals: 1}.play(tr, t0)
		tr.Tick(at(time.Minute))
		if got := tr.PerMinute(at(time.Minute)); got != tt.want {
			t.Errorf("factor %v: PerMinute = %v, want %v", tt.factor, got, tt.want)
		}
	}
}

func TestRampCountsResetEachStage(t *testing.T) {
	t.Parallel()
	tr := rampTrial(t, policy.Ramp{StartPerMinute: 6, Stage: time.Minute})
	// 6 a minute is one every 10 s: a refusal and a success.
	stage{successes: 1, refusals: 1}.play(tr, t0)
	if v, _ := tr.Tick(at(time.Minute)); v != policy.Stay {
		t.Fatalf("stage 1: %v", v)
	}
	// The next stage refuses nothing: its own counts close it.
	stage{successes: 1}.play(tr, at(time.Minute))
	if v, next := tr.Tick(at(2 * time.Minute)); v != policy.Close || next != 0 {
		t.Fatalf("stage 2: Tick = %v, %v; want close, 0", v, next)
	}
}

func TestRampSucceedsStageAfterStageUntilNothingIsRefused(t *testing.T) {
	t.Parallel()
	tr := rampTrial(t, policy.Ramp{StartPerMinute: 10, Stage: time.Minute})
	// Traffic of one a second: refused until the rate reaches 60 a minute
	// or more.
	now := t0
	for stage, rate := 1, 10.0; ; stage++ {
		if got := tr.PerMinute(now); got != rate {
			t.Fatalf("stage %d: PerMinute = %v, want %v", stage, got, rate)
		}
		for range 60 {
			now = now.Add(time.Second)
			if tr.Admit(now) {
				tr.Done(result(policy.Success, now, now))
			}
		}
		v, _ := tr.Tick(now)
		if rate >= 60 {
			if v != policy.Close {
				t.Fatalf("stage %d at %v a minute: %v, want close", stage, rate, v)
			}
			return
		}
		if v != policy.Stay {
			t.Fatalf("stage %d at %v a minute: %v, want stay", stage, rate, v)
		}
		rate *= 2
	}
}

// policy.Trial: "An execution the concurrency limit refused (Rejected), or
// that ended Neutral, should give back whatever Admit spent on it." Ramp
// spends its one token.
func TestRampGivesBackTheTokenOfANeutralOrRejectedExecution(t *testing.T) {
	t.Parallel()
	for _, o := range []policy.Outcome{policy.Rejected, policy.BadRequest, policy.Canceled} {
		tr := rampTrial(t, policy.Ramp{StartPerMinute: 10})
		tr.Admit(t0)
		tr.Done(result(o, t0, at(time.Millisecond)))
		if !tr.Admit(at(time.Second)) {
			t.Errorf("after Done(%v) the next execution waits out the interval", o)
		}
	}
}

func TestRampTrialsDoNotShareABucket(t *testing.T) {
	t.Parallel()
	p := policy.Ramp{}
	a, b := p.HalfOpened(t0), p.HalfOpened(t0)
	if !a.Admit(t0) || !b.Admit(t0) {
		t.Error("a trial's admission took another trial's token")
	}
}

// rampModel is Ramp written from its doc: the last admission and the
// rate's interval, and a stage's counts.
type rampModel struct {
	rate, factor float64
	stage        time.Duration
	begun        bool
	admitted     bool
	last         time.Time

	refused, succeeded, failed int
}

func newRampModel(p policy.Ramp) *rampModel {
	m := &rampModel{rate: p.StartPerMinute, factor: p.Factor, stage: p.Stage}
	if m.rate <= 0 {
		m.rate = 10
	}
	if m.factor <= 0 {
		m.factor = 2
	}
	if m.stage <= 0 {
		m.stage = time.Minute
	}
	return m
}

func (m *rampModel) admit(now time.Time) bool {
	if m.admitted && float64(now.Sub(m.last)) < float64(time.Minute)/m.rate {
		m.refused++
		return false
	}
	m.admitted, m.last = true, now
	return true
}

func (m *rampModel) done(o policy.Outcome) policy.Verdict {
	switch o {
	case policy.Success:
		m.succeeded++
	case policy.Failure, policy.Timeout:
		m.failed++
		return policy.Reopen
	default:
		m.admitted = false // the token goes back: the bucket is full
	}
	return policy.Stay
}

func (m *rampModel) tick() (policy.Verdict, time.Duration) {
	if !m.begun {
		m.begun = true
		return policy.Stay, m.stage
	}
	if m.failed > 0 {
		return policy.Reopen, 0
	}
	if m.refused == 0 {
		return policy.Close, 0
	}
	if m.succeeded > 0 {
		m.rate *= m.factor
	}
	m.refused, m.succeeded, m.failed = 0, 0, 0
	return policy.Stay, m.stage
}

func TestRampMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	steps := []time.Duration{0, 0, time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 3 * time.Second, 6 * time.Second, 10 * time.Second, 20 * time.Second}
	var closes, reopens, raised int
	for seed := range uint64(seeds) {
		r := rng(seed)
		p := policy.Ramp{
			SleepWindow:    pick(r, 0, time.Second, 5*time.Second),
			StartPerMinute: pick(r, 0, 1, 6, 7, 10, 60, 600, -1, 1+r.Float64()*100),
			Factor:         pick(r, 0, 1, 1.5, 2, 3, -1, 1+r.Float64()*3),
			Stage:          pick(r, 0, 10*time.Second, time.Minute, 90*time.Second, -time.Second),
		}
		failing := r.Float64() * 0.1
		now := t0.Add(time.Duration(r.Int64N(int64(time.Second))))
		reopened := 0
		for trial := 0; trial < 8; trial++ {
			m := newRampModel(p)
			tr := p.HalfOpened(now)
			tk := tr.(policy.Ticker)
			rr := tr.(policy.RateReporter)
			var (
				v         policy.Verdict
				next      time.Duration
				nextTick  time.Time
				probes    []time.Time
				startRate = m.rate
			)
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("seed %d trial %d, %+v at +%v: "+format, append([]any{seed, trial, p, now.Sub(t0)}, args...)...)
			}
			tick := func() {
				gotV, gotNext := tk.Tick(now)
				v, next = m.tick()
				if gotV != v || gotNext != next {
					fail("Tick = %v, %v; want %v, %v", gotV, gotNext, v, next)
				}
				nextTick = now.Add(next)
			}
			tick()
			for i := 0; v == policy.Stay && i < 400; i++ {
				to := now.Add(pick(r, steps...))
				for v == policy.Stay && !nextTick.After(to) {
					now = nextTick
					tick()
				}
				if v != policy.Stay {
					break
				}
				now = to
				if len(probes) == 0 || r.IntN(3) > 0 {
					got, want := tr.Admit(now), m.admit(now)
					if got != want {
						fail("Admit = %v, want %v (last admission at +%v, %v a minute)", got, want, m.last.Sub(t0), m.rate)
					}
					if got {
						probes = append(probes, now)
					}
				} else {
					k := r.IntN(len(probes))
					start := probes[k]
					probes = append(probes[:k], probes[k+1:]...)
					o := pick(r, policy.Success, policy.Success, policy.Success, policy.Rejected, policy.BadRequest, policy.Canceled, 0)
					if r.Float64() < failing {
						o = pick(r, policy.Failure, policy.Timeout)
					}
					got, want := tr.Done(result(o, start, now)), m.done(o)
					if got != want {
						fail("Done(%v) = %v, want %v", o, got, want)
					}
					v = got
				}
				if got := rr.PerMinute(now); got != m.rate {
					fail("PerMinute = %v, want %v", got, m.rate)
				}
			}
			if m.rate > startRate {
				raised++
			}
			switch v {
			case policy.Close:
				closes++
				reopened = 0
				now = now.Add(time.Minute)
			case policy.Reopen:
				reopens++
				if d := p.Opened(now, reopened); d != p.SleepWindow {
					fail("Opened = %v, want %v", d, p.SleepWindow)
				}
				reopened++
				now = now.Add(p.SleepWindow)
			}
		}
	}
	if closes < seeds || reopens < seeds || raised < seeds {
		t.Fatalf("too few trials explored: %d closed, %d reopened, %d raised their rate", closes, reopens, raised)
	}
}

func TestRampAdmitsExactlyOneOfManyConcurrentAdmitsAtTheSameInstant(t *testing.T) {
	t.Parallel()
	tr := rampTrial(t, policy.Ramp{StartPerMinute: 60, Stage: time.Minute})
	for i := range 10 {
		now := at(time.Duration(i) * time.Second)
		var admitted atomic.Int64
		race(64, func(int) {
			if tr.Admit(now) {
				admitted.Add(1)
				tr.Done(result(policy.Success, now, now))
			}
			tr.PerMinute(now)
		})
		if admitted.Load() != 1 {
			t.Fatalf("at +%ds: %d of 64 concurrent Admits admitted", i, admitted.Load())
		}
	}
	if v, _ := tr.Tick(at(time.Minute)); v != policy.Stay {
		t.Errorf("Tick after successes and refusals = %v, want stay", v)
	}
	if got := tr.PerMinute(at(time.Minute)); got != 120 {
		t.Errorf("PerMinute = %v, want 120", got)
	}
}

func TestRampStageEndsWhileCallersAdmitAndReport(t *testing.T) {
	t.Parallel()
	tr := rampTrial(t, policy.Ramp{StartPerMinute: 600, Stage: time.Minute})
	// Before the race the stage already holds a success and a refusal, so
	// whatever the racing callers add, the rate doubles.
	stage{successes: 1, refusals: 1}.play(tr, t0)
	end := at(time.Minute)
	var verdict atomic.Int32
	race(17, func(g int) {
		if g == 0 {
			v, _ := tr.Tick(end)
			verdict.Store(int32(v))
			return
		}
		for i := range 200 {
			now := end.Add(time.Duration(i*17+g) * time.Millisecond)
			if tr.Admit(now) {
				if v := tr.Done(result(policy.Success, now, now)); v != policy.Stay {
					t.Errorf("a success's Done = %v", v)
				}
			}
			if rate := tr.PerMinute(now); rate != 600 && rate != 1200 {
				t.Errorf("PerMinute = %v during the stage change", rate)
			}
		}
	})
	if v := policy.Verdict(verdict.Load()); v != policy.Stay {
		t.Errorf("Tick = %v, want stay", v)
	}
	if got := tr.PerMinute(end); got != 1200 {
		t.Errorf("PerMinute = %v, want 1200", got)
	}
}
