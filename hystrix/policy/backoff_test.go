package policy_test

import (
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

const sec = time.Second

func TestBackoffOpenedMultipliesTheOpenTimeByReopening(t *testing.T) {
	t.Parallel()
	p := policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: 5 * sec}, Multiplier: 2, Max: time.Minute}
	for _, tt := range []struct {
		reopened int
		want     time.Duration
	}{{0, 5 * sec}, {1, 10 * sec}, {2, 20 * sec}, {3, 40 * sec}, {4, time.Minute}, {100, time.Minute}, {math.MaxInt, time.Minute}, {-1, 5 * sec}} {
		if got := p.Opened(t0, tt.reopened); got != tt.want {
			t.Errorf("Opened(t0, %d) = %v, want %v", tt.reopened, got, tt.want)
		}
	}
}

func TestBackoffFieldsOutOfRange(t *testing.T) {
	t.Parallel()
	five := policy.SingleProbe{SleepWindow: 5 * sec}
	tests := []struct {
		name     string
		p        policy.Backoff
		reopened int
		want     time.Duration
	}{
		{"zero Multiplier is 2", policy.Backoff{Recovery: five}, 3, 40 * sec},
		{"Multiplier below 1 is 1", policy.Backoff{Recovery: five, Multiplier: 0.5}, 3, 5 * sec},
		{"negative Multiplier is 1", policy.Backoff{Recovery: five, Multiplier: -2}, 3, 5 * sec},
		{"NaN Multiplier is 1", policy.Backoff{Recovery: five, Multiplier: math.NaN()}, 3, 5 * sec},
		{"Multiplier 1.5", policy.Backoff{Recovery: five, Multiplier: 1.5}, 2, 11250 * time.Millisecond},
		{"zero Max is no cap", policy.Backoff{Recovery: five}, 10, 5 * sec * 1024},
		{"negative Max is no cap", policy.Backoff{Recovery: five, Max: -1}, 10, 5 * sec * 1024},
		{"no cap still stops at 2^61ns", policy.Backoff{Recovery: five}, 1000, 1 << 61},
		{"infinite Multiplier reaches the cap at once", policy.Backoff{Recovery: five, Multiplier: math.Inf(1), Max: time.Hour}, 1, time.Hour},
		{"Max below the base caps the base", policy.Backoff{Recovery: five, Max: sec}, 0, sec},
		{"nil Recovery is SingleProbe{}", policy.Backoff{}, 5, 0},
		{"negative Jitter is none", policy.Backoff{Recovery: five, Jitter: -1}, 1, 10 * sec},
		{"NaN Jitter is none", policy.Backoff{Recovery: five, Jitter: math.NaN()}, 1, 10 * sec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.p.Opened(t0, tt.reopened); got != tt.want {
				t.Errorf("Opened(t0, %d) = %v, want %v", tt.reopened, got, tt.want)
			}
			// A circuit's own instance agrees, at its first opening.
			if got := tt.p.ForCircuit().Opened(t0, tt.reopened); got != tt.want {
				t.Errorf("ForCircuit().Opened(t0, %d) = %v, want %v", tt.reopened, got, tt.want)
			}
		})
	}
}

func TestBackoffJitterMovesTheOpenTimeEitherWay(t *testing.T) {
	t.Parallel()
	ten := policy.SingleProbe{SleepWindow: 10 * sec}
	tests := []struct {
		name   string
		jitter float64
		draw   float64
		max    time.Duration
		want   time.Duration
	}{
		{"the lowest draw", 0.5, 0, 0, 5 * sec},
		{"the middle draw", 0.5, 0.5, 0, 10 * sec},
		{"a high draw", 0.5, 0.75, 0, 12500 * time.Millisecond},
		{"a draw below 0 is 0", 0.5, -3, 0, 5 * sec},
		{"a draw above 1 is 1", 0.5, 7, 0, 15 * sec},
		{"a NaN draw is 0", 0.5, math.NaN(), 0, 5 * sec},
		{"never above Max", 0.5, 0.75, 11 * sec, 11 * sec},
		{"below Max when the draw is low", 0.5, 0, 10 * sec, 5 * sec},
		{"Jitter 1 or more is just under 1", 3, 0, 0, 0},
		{"Jitter 1 or more, the highest draw", 3, 1, 0, 20 * sec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := policy.Backoff{Recovery: ten, Jitter: tt.jitter, Max: tt.max, Rand: always(tt.draw)}
			got := p.Opened(t0, 0)
			if d := got - tt.want; d < -1 || d > 1 {
				t.Errorf("Opened = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBackoffDrawsOnlyWithJitter(t *testing.T) {
	t.Parallel()
	var draws atomic.Int64
	rnd := func() float64 { draws.Add(1); return 0.5 }
	policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: sec}, Rand: rnd}.Opened(t0, 1)
	policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: sec}, Rand: rnd}.ForCircuit().Opened(t0, 1)
	if draws.Load() != 0 {
		t.Errorf("%d draws with no Jitter", draws.Load())
	}
	policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: sec}, Jitter: 0.1, Rand: rnd}.Opened(t0, 1)
	if draws.Load() != 1 {
		t.Errorf("%d draws for one opening with Jitter", draws.Load())
	}
}

// circuit drives a circuit's Backoff as the engine does: openings,
// half-open periods whose probe fails or succeeds.
type circuit struct {
	t        *testing.T
	r        policy.Recovery
	now      time.Time
	reopened int
	trial    policy.Trial
}

func newCircuit(t *testing.T, p policy.Backoff) *circuit {
	return &circuit{t: t, r: p.ForCircuit(), now: t0}
}

// open opens the circuit and checks the open time; it then waits it out
// and turns half-open.
func (c *circuit) open(want time.Duration) {
	c.t.Helper()
	d := c.r.Opened(c.now, c.reopened)
	if d != want {
		c.t.Fatalf("opening at +%v, reopened %d: open for %v, want %v", c.now.Sub(t0), c.reopened, d, want)
	}
	c.now = c.now.Add(d)
	c.trial = c.r.HalfOpened(c.now)
	if tk, ok := c.trial.(policy.Ticker); ok {
		tk.Tick(c.now)
	}
}

// probe runs one probe with outcome o; a failure reopens, a success
// closes.
func (c *circuit) probe(o policy.Outcome) {
	c.t.Helper()
	if !c.trial.Admit(c.now) {
		c.t.Fatal("the probe was refused")
	}
	switch v := c.trial.Done(result(o, c.now, c.now)); v {
	case policy.Reopen:
		c.reopened++
	case policy.Close:
		c.reopened = 0
	default:
		c.t.Fatalf("the probe's verdict: %v", v)
	}
}

// fail opens the circuit from closed and keeps failing its probes: n
// openings in all.
func (c *circuit) fail(n int, want ...time.Duration) {
	c.t.Helper()
	for i := range n {
		c.open(want[i])
		if i < n-1 {
			c.probe(policy.Failure)
		}
	}
}

func TestBackoffCountsReopeningsInARow(t *testing.T) {
	t.Parallel()
	c := newCircuit(t, policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: 5 * sec}, Max: time.Minute})
	c.fail(6, 5*sec, 10*sec, 20*sec, 40*sec, time.Minute, time.Minute)
}

func TestBackoffDecaysByOnePerBaseOpenTimeOfHealth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		healthy time.Duration
		want    time.Duration // the next opening's open time
	}{
		{0, 40 * sec},
		{4 * sec, 40 * sec},
		{5 * sec, 20 * sec},
		{14 * sec, 10 * sec},
		{15 * sec, 5 * sec},
		{time.Hour, 5 * sec},
	}
	for _, tt := range tests {
		t.Run(tt.healthy.String(), func(t *testing.T) {
			t.Parallel()
			c := newCircuit(t, policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: 5 * sec}})
			c.fail(4, 5*sec, 10*sec, 20*sec, 40*sec) // the count is 3
			c.probe(policy.Success)
			c.now = c.now.Add(tt.healthy)
			// An opening from closed does not add to the count.
			c.open(tt.want)
		})
	}
}

// The count stops growing at the cap, so it takes no longer to come down
// from a long outage than from a short one.
func TestBackoffCountStopsGrowingAtTheCap(t *testing.T) {
	t.Parallel()
	c := newCircuit(t, policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: 5 * sec}, Max: 40 * sec})
	c.fail(10, 5*sec, 10*sec, 20*sec, 40*sec, 40*sec, 40*sec, 40*sec, 40*sec, 40*sec, 40*sec)
	c.probe(policy.Success)
	c.now = c.now.Add(10 * sec) // two windows: from 3 to 1
	c.open(10 * sec)
}

// A close that no trial decided (forced, or by a change of settings)
// counts the health from the end of the last open time.
func TestBackoffDecaysFromTheEndOfTheOpenTimeAfterACloseItDidNotSee(t *testing.T) {
	t.Parallel()
	c := newCircuit(t, policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: 5 * sec}})
	c.fail(3, 5*sec, 10*sec, 20*sec) // the count is 2; open until c.now
	c.reopened = 0                   // closed without a verdict
	c.now = c.now.Add(7 * sec)       // one window
	c.open(10 * sec)
}

// A trial whose period is over can still report (a late result reaches
// the period that admitted it); its Close is no close of the circuit.
func TestBackoffIgnoresTheCloseOfATrialWhosePeriodIsOver(t *testing.T) {
	t.Parallel()
	c := newCircuit(t, policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: 5 * sec}})
	c.fail(3, 5*sec, 10*sec, 20*sec) // the count is 2
	old := c.trial
	old.Admit(c.now)
	// The circuit moves on without the probe's verdict (a change of
	// settings, say) and opens again.
	c.reopened++
	c.open(40 * sec)
	if v := old.Done(result(policy.Success, c.now.Add(-40*sec), c.now.Add(-30*sec))); v != policy.Close {
		t.Fatalf("the old trial's success: %v", v)
	}
	// Had that Close counted, the circuit would have been healthy for 35s
	// at the next opening, and the count back to 0; from the end of the
	// open time it is one window.
	c.reopened = 0
	c.now = c.now.Add(5 * sec)
	c.open(20 * sec)
}

func TestBackoffAnsweringTheSameOpeningAgainCountsItOnce(t *testing.T) {
	t.Parallel()
	p := policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: 5 * sec}, Jitter: 0.5, Rand: rng(1).Float64}
	r := p.ForCircuit()
	r.Opened(t0, 0)
	r.HalfOpened(at(5 * sec))
	first := r.Opened(at(5*sec), 1)
	for range 3 {
		// The engine asks again when settings change while open.
		if again := r.Opened(at(5*sec), 1); again != first {
			t.Fatalf("the same opening asked again: %v, then %v", first, again)
		}
	}
	// At the same instant, a reopening after a half-open period is a new
	// opening.
	r.HalfOpened(at(5 * sec))
	if next := r.Opened(at(5*sec), 2); next < 10*sec {
		t.Errorf("the second reopening: %v, want at least 20s less the jitter", next)
	}
}

// A circuit's instance made after the settings changed starts from what
// the engine tells it.
func TestBackoffCountStartsFromReopened(t *testing.T) {
	t.Parallel()
	r := policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: sec}}.ForCircuit()
	if got := r.Opened(t0, 3); got != 8*sec {
		t.Errorf("a fresh instance's Opened(t0, 3) = %v, want 8s", got)
	}
}

func TestBackoffSeesTheCloseOfATrialThatTicks(t *testing.T) {
	t.Parallel()
	c := newCircuit(t, policy.Backoff{Recovery: policy.Ramp{SleepWindow: 5 * sec, Stage: 10 * sec}})
	c.fail(3, 5*sec, 10*sec, 20*sec)
	// Ramp closes at the end of a stage with no refusal.
	tk, ok := c.trial.(policy.Ticker)
	if !ok {
		t.Fatalf("%T is not a Ticker", c.trial)
	}
	if _, ok := c.trial.(policy.RateReporter); !ok {
		t.Fatalf("%T is not a RateReporter", c.trial)
	}
	c.now = c.now.Add(10 * sec)
	if v, _ := tk.Tick(c.now); v != policy.Close {
		t.Fatalf("Tick = %v, want close", v)
	}
	c.reopened = 0
	c.now = c.now.Add(5 * sec)
	c.open(10 * sec)
}

// Own recoveries whose trials tick, or report a rate, but not both.
type tickingRecovery struct{}

func (tickingRecovery) Opened(time.Time, int) time.Duration { return sec }
func (tickingRecovery) HalfOpened(time.Time) policy.Trial   { return tickingTrial{} }

type tickingTrial struct{ ownTrial }

func (tickingTrial) Tick(time.Time) (policy.Verdict, time.Duration) { return policy.Stay, sec }

type ratingRecovery struct{}

func (ratingRecovery) Opened(time.Time, int) time.Duration { return -1 }
func (ratingRecovery) HalfOpened(time.Time) policy.Trial   { return ratingTrial{} }

type ratingTrial struct{ ownTrial }

func (ratingTrial) PerMinute(time.Time) float64 { return 6 }

type noTrialRecovery struct{ ownRecovery }

func (noTrialRecovery) HalfOpened(time.Time) policy.Trial { return nil }

func TestBackoffTrialsAreTickersAndRateReportersWhenTheirsAre(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		inner        policy.Recovery
		ticks, rates bool
	}{
		{"SingleProbe", policy.SingleProbe{}, false, false},
		{"Probes", policy.Probes{Probes: 2}, false, false},
		{"Ramp", policy.Ramp{}, true, true},
		{"a ticker", tickingRecovery{}, true, false},
		{"a rate reporter", ratingRecovery{}, false, true},
	}
	for _, tt := range tests {
		tr := policy.Backoff{Recovery: tt.inner}.ForCircuit().HalfOpened(t0)
		tk, ticks := tr.(policy.Ticker)
		rr, rates := tr.(policy.RateReporter)
		if ticks != tt.ticks || rates != tt.rates {
			t.Errorf("%s: %T ticks %v, reports a rate %v; want %v, %v", tt.name, tr, ticks, rates, tt.ticks, tt.rates)
		}
		if ticks {
			if v, next := tk.Tick(t0); v != policy.Stay || next <= 0 {
				t.Errorf("%s: Tick = %v, %v", tt.name, v, next)
			}
		}
		if rates && tt.name == "a rate reporter" {
			if got := rr.PerMinute(t0); got != 6 {
				t.Errorf("%s: PerMinute = %v, want the wrapped trial's 6", tt.name, got)
			}
		}
	}
	if tr := (policy.Backoff{Recovery: noTrialRecovery{}}).ForCircuit().HalfOpened(t0); tr != nil {
		t.Errorf("a recovery that makes no trial: Backoff made %T", tr)
	}
}

// A negative base tells the engine to use its own sleep window: it is
// passed on as it is, and that opening does not count.
func TestBackoffPassesANegativeBaseOn(t *testing.T) {
	t.Parallel()
	p := policy.Backoff{Recovery: ratingRecovery{}}
	if got := p.Opened(t0, 3); got != -1 {
		t.Errorf("Opened = %v, want -1", got)
	}
	if got := p.ForCircuit().Opened(t0, 3); got != -1 {
		t.Errorf("ForCircuit().Opened = %v, want -1", got)
	}
}

// perCircuitRecovery counts the instances made of it.
type perCircuitRecovery struct{ made *atomic.Int64 }

func (perCircuitRecovery) Opened(time.Time, int) time.Duration { return sec }
func (perCircuitRecovery) HalfOpened(time.Time) policy.Trial   { return ownTrial{} }
func (p perCircuitRecovery) ForCircuit() policy.Recovery {
	p.made.Add(1)
	return policy.SingleProbe{SleepWindow: 2 * sec}
}

func TestBackoffWrapsEachCircuitsInstanceOfAPerCircuitRecovery(t *testing.T) {
	t.Parallel()
	var made atomic.Int64
	p := policy.Backoff{Recovery: perCircuitRecovery{&made}}
	a, b := p.ForCircuit(), p.ForCircuit()
	if made.Load() != 2 {
		t.Fatalf("%d instances of the wrapped recovery for two circuits", made.Load())
	}
	if got := a.Opened(t0, 1); got != 4*sec {
		t.Errorf("Opened(t0, 1) = %v, want twice the instance's 2s", got)
	}
	// Circuits count apart.
	if got := b.Opened(t0, 0); got != 2*sec {
		t.Errorf("another circuit's first Opened = %v, want 2s", got)
	}
	// A Backoff of a Backoff: each circuit's outer wraps its own inner.
	nested := policy.Backoff{Recovery: policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: sec}, Multiplier: 3}}.ForCircuit()
	if got := nested.Opened(t0, 1); got != 6*sec {
		t.Errorf("nested Opened(t0, 1) = %v, want 1s*3*2", got)
	}
}

func TestBackoffIsBuiltinWhenWhatItCallsIs(t *testing.T) {
	t.Parallel()
	rnd := func() float64 { return 0 }
	tests := []struct {
		p               policy.Backoff
		want, wantTrial bool
	}{
		{policy.Backoff{}, true, true},
		{policy.Backoff{Recovery: policy.Ramp{}, Jitter: 0.5}, true, true},
		{policy.Backoff{Recovery: policy.Backoff{Recovery: policy.Probes{}}}, true, true},
		{policy.Backoff{Recovery: ownRecovery{}}, false, false},
		// Its trials do not draw.
		{policy.Backoff{Recovery: policy.SingleProbe{}, Rand: rnd}, false, true},
		{policy.Backoff{Recovery: policy.Backoff{Recovery: ownRecovery{}}}, false, false},
	}
	for i, tt := range tests {
		r := tt.p.ForCircuit()
		for _, v := range []any{tt.p, r} {
			if got := policy.IsBuiltin(v); got != tt.want {
				t.Errorf("%d: IsBuiltin(%T) = %v, want %v", i, v, got, tt.want)
			}
		}
		if tr := r.HalfOpened(t0); policy.IsBuiltin(tr) != tt.wantTrial {
			t.Errorf("%d: IsBuiltin(%T) = %v, want %v", i, tr, !tt.wantTrial, tt.wantTrial)
		}
	}
}

// backoffModel is a circuit's Backoff written from its doc.
type backoffModel struct {
	base       time.Duration
	mult, cap  float64
	jitter     float64
	draw       func() float64
	count      int
	opened     bool
	at         time.Time
	reopened   int
	factor     float64
	end        time.Time
	halfOpened bool
	closed     bool
	closedAt   time.Time
}

func newBackoffModel(p policy.Backoff, base time.Duration, draw func() float64) *backoffModel {
	m := &backoffModel{base: base, mult: p.Multiplier, cap: 1 << 61, jitter: p.Jitter, draw: draw}
	switch {
	case m.mult == 0:
		m.mult = 2
	case m.mult < 1 || math.IsNaN(m.mult):
		m.mult = 1
	}
	if p.Max > 0 && float64(p.Max) < m.cap {
		m.cap = float64(p.Max)
	}
	switch {
	case m.jitter <= 0 || math.IsNaN(m.jitter):
		m.jitter = 0
	case m.jitter >= 1:
		m.jitter = math.Nextafter(1, 0)
	}
	return m
}

// level is the least count whose open time reaches the cap.
func (m *backoffModel) level() int {
	if m.mult == 1 {
		return 0
	}
	n := 0
	for float64(m.base)*math.Pow(m.mult, float64(n)) < m.cap {
		n++
	}
	return n
}

func (m *backoffModel) openTime(f float64) time.Duration {
	d := math.Min(float64(m.base)*math.Pow(m.mult, float64(m.count)), m.cap)
	return time.Duration(math.Min(d*f, m.cap))
}

func (m *backoffModel) open(now time.Time, reopened int) time.Duration {
	f := 1.0
	if m.jitter > 0 {
		x := m.draw()
		x = math.Min(math.Max(x, 0), 1)
		f = 1 + float64(m.jitter*(2*x-1))
	}
	if m.opened && !m.halfOpened && now.Equal(m.at) && reopened == m.reopened {
		return m.openTime(m.factor)
	}
	if reopened > 0 {
		m.count = max(m.count+1, reopened)
	} else {
		from, ok := m.closedAt, m.closed
		if !ok && m.opened {
			from, ok = m.end, true
		}
		if ok && now.After(from) {
			m.count = max(0, m.count-int(now.Sub(from)/m.base))
		}
	}
	m.count = min(m.count, m.level())
	d := m.openTime(f)
	m.opened, m.at, m.reopened, m.factor, m.end = true, now, reopened, f, now.Add(d)
	m.halfOpened, m.closed = false, false
	return d
}

func TestBackoffMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	var reopenings, decays int
	for seed := range uint64(seeds) {
		r := rng(seed)
		base := pick(r, 100*time.Millisecond, sec, 5*sec, time.Duration(1+r.Int64N(int64(10*sec))))
		p := policy.Backoff{
			Multiplier: pick(r, 0, 1, 1.5, 2, 3, 10, 0.5, -1),
			Max:        pick(r, 0, -1, base, base/2, 30*sec, 5*time.Minute, time.Duration(r.Int64N(int64(time.Hour)))),
			Jitter:     pick(r, 0, 0, 0.1, 0.5, 0.99, 1.5, -1),
			Rand:       rng(seed + 1<<40).Float64,
		}
		var trials policy.Trial
		switch r.IntN(2) {
		case 0:
			p.Recovery = policy.SingleProbe{SleepWindow: base}
		default:
			p.Recovery = policy.Probes{SleepWindow: base, Probes: 1}
		}
		m := newBackoffModel(p, base, rng(seed+1<<40).Float64)
		b := p.ForCircuit()
		now := t0.Add(time.Duration(r.Int64N(int64(sec))))
		reopened := 0
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d, %+v, base %v, at +%v: "+format, append([]any{seed, p, base, now.Sub(t0)}, args...)...)
		}
		var stale policy.Trial
		for range 60 {
			got, want := b.Opened(now, reopened), m.open(now, reopened)
			if got != want {
				fail("Opened(reopened %d) = %v, want %v (count %d)", reopened, got, want, m.count)
			}
			if r.IntN(5) == 0 {
				if again, want := b.Opened(now, reopened), m.open(now, reopened); again != got || want != got {
					fail("the same opening asked again: %v, want %v", again, got)
				}
			}
			if stale != nil && r.IntN(2) == 0 {
				// A late success of an earlier period's trial.
				stale.Done(result(policy.Success, now, now))
				stale = nil
			}
			now = now.Add(got)
			trials = b.HalfOpened(now)
			m.halfOpened = true
			now = now.Add(pick(r, 0, time.Millisecond, sec))
			switch r.IntN(5) {
			case 0, 1: // the probe fails
				trials.Admit(now)
				if v := trials.Done(result(policy.Failure, now, now)); v != policy.Reopen {
					fail("a failed probe: %v", v)
				}
				reopened++
				reopenings++
				stale = trials
				continue
			case 2, 3: // it succeeds
				trials.Admit(now)
				if v := trials.Done(result(policy.Success, now, now)); v != policy.Close {
					fail("a successful probe: %v", v)
				}
				m.closed, m.closedAt = true, now
			default: // the circuit closes without a verdict
			}
			if m.count > 0 {
				decays++
			}
			reopened = 0
			stale = nil
			now = now.Add(pick(r, 0, base/2, base, 2*base+1, 5*base, time.Duration(r.Int64N(int64(10*base)))))
		}
	}
	if reopenings < seeds || decays < seeds {
		t.Fatalf("too little explored: %d reopenings, %d closes with a count", reopenings, decays)
	}
}

func TestBackoffConcurrentCircuitCallsStayWithinTheCap(t *testing.T) {
	t.Parallel()
	p := policy.Backoff{Recovery: policy.Ramp{SleepWindow: sec}, Max: 10 * sec, Jitter: 0.3}
	b := p.ForCircuit()
	race(32, func(g int) {
		for i := range 200 {
			now := at(time.Duration(i) * 100 * time.Millisecond)
			if d := b.Opened(now, (g+i)%4); d < 0 || d > 10*sec {
				t.Errorf("Opened = %v, out of [0, 10s]", d)
			}
			tr := b.HalfOpened(now)
			tr.(policy.Ticker).Tick(now)
			if tr.Admit(now) {
				tr.Done(result(pick(rng(uint64(g*1000+i)), policy.Success, policy.Failure), now, now))
			}
			tr.(policy.Ticker).Tick(now.Add(time.Minute))
			tr.(policy.RateReporter).PerMinute(now)
		}
	})
}
