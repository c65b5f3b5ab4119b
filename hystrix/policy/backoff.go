package policy

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Backoff lengthens another recovery's open time while the dependency
// keeps failing its probes. Each reopening in a row multiplies the open
// time by Multiplier, up to Max, with a random jitter so that many
// circuits do not probe in step.
//
// In words: each circuit's Backoff keeps a count of reopenings, at first
// 0. When the circuit opens, the wrapped Recovery gives its base open
// time, and Backoff answers base * Multiplier^count, capped at Max, moved
// at random by up to Jitter of itself either way, and capped at Max again.
// An opening that follows a half-open period (reopened > 0) first adds one
// to the count, or raises it to reopened if that is more. The count stops
// growing at the first value whose open time reaches the cap, so that no
// more windows of health than that are needed to bring it down. An opening
// from closed does not add one. It takes one off for each base open time
// that the circuit stayed closed, counted from the instant one of its
// trials closed it, or, for a close it did not see (a forced one, or one by
// a change of settings), from the end of the last open time. So a
// dependency that flaps is not probed at the base rate again at once, and
// one that has been healthy for a while is. The half-open periods are the
// wrapped recovery's: its trials, wrapped so that Backoff sees their Close
// verdicts, from Done and from Tick. A wrapped trial is a Ticker and a
// RateReporter when the trial it wraps is.
//
// The count lives in the Recovery that ForCircuit returns, one for each
// circuit, which the engine asks for. When ForCircuit is not used, the
// shared value remembers nothing and takes reopened as the count. When the
// wrapped recovery is itself a PerCircuit, each circuit's Backoff wraps
// that circuit's instance of it.
//
// A nil Recovery means SingleProbe{}. A zero Multiplier means
// DefaultBackoffMultiplier, and one below 1, or NaN, means 1, which gives
// no back-off. A zero or negative Max means no cap, though the open time
// never exceeds 2^61 ns (about 73 years), so that an engine can add it to
// a time. A Jitter below 0, or NaN, means none, and a Jitter of 1 or more
// is taken as the largest number below 1. Rand returns the random numbers
// in [0, 1) that the jitter is drawn from, one for each opening when Jitter
// is set; answers outside that range are clamped. It must be safe for
// concurrent use, and nil means math/rand/v2's Float64. A negative base
// open time, which tells an engine to use its own sleep window, is
// returned as it is, and that opening is not counted.
//
// Every method is safe for concurrent use. Opened, HalfOpened and a
// trial's Close verdicts take a mutex, and other calls take none.
type Backoff struct {
	// Recovery is the recovery whose open time is lengthened.
	Recovery Recovery
	// Multiplier multiplies the open time at each reopening in a row.
	Multiplier float64
	// Max caps the open time.
	Max time.Duration
	// Jitter is the share of the open time by which it varies at random.
	Jitter float64
	// Rand draws the jitter; nil means math/rand/v2's.
	Rand func() float64
}

// DefaultBackoffMultiplier is Backoff's Multiplier when it is zero.
const DefaultBackoffMultiplier = 2

// maxOpen is the longest open time Backoff answers, in nanoseconds.
const maxOpen = 1 << 61

// maxLevel bounds the count, for a Multiplier so close to 1 that the cap
// is out of reach.
const maxLevel = 1 << 16

// Opened returns the wrapped recovery's open time times Multiplier to the
// power reopened, capped and jittered. It keeps no count.
func (p Backoff) Opened(now time.Time, reopened int) time.Duration {
	r := p.rule()
	base := r.inner.Opened(now, reopened)
	f := r.factor()
	return r.scale(base, min(max(reopened, 0), r.level(base)), f)
}

// HalfOpened returns the wrapped recovery's trial.
func (p Backoff) HalfOpened(now time.Time) Trial { return p.rule().inner.HalfOpened(now) }

// ForCircuit returns a circuit's own Backoff, with its count at 0.
func (p Backoff) ForCircuit() Recovery {
	r := p.rule()
	if pc, ok := r.inner.(PerCircuit); ok {
		if in := pc.ForCircuit(); in != nil {
			r.inner = in
		}
	}
	return &backoffCircuit{rule: r, builtin: p.Rand == nil && IsBuiltin(r.inner)}
}

// builtinPolicy: the wrapped recovery and Rand may be the program's own.
func (p Backoff) builtinPolicy() bool {
	return p.Rand == nil && (p.Recovery == nil || IsBuiltin(p.Recovery))
}

// backoffRule is a Backoff with its defaults applied.
type backoffRule struct {
	inner  Recovery
	mult   float64
	cap    float64 // in nanoseconds
	jitter float64
	rand   func() float64
}

func (p Backoff) rule() backoffRule {
	r := backoffRule{inner: p.Recovery, mult: p.Multiplier, cap: maxOpen, jitter: p.Jitter, rand: p.Rand}
	if r.inner == nil {
		r.inner = SingleProbe{}
	}
	switch {
	case r.mult == 0:
		r.mult = DefaultBackoffMultiplier
	case !(r.mult >= 1):
		r.mult = 1
	}
	if p.Max > 0 {
		r.cap = min(float64(p.Max), maxOpen)
	}
	switch {
	case !(r.jitter > 0):
		r.jitter = 0
	case r.jitter >= 1:
		r.jitter = math.Nextafter(1, 0)
	}
	if r.rand == nil {
		r.rand = rand.Float64
	}
	return r
}

// factor draws the jitter of one opening: 1, moved at random by up to
// the jitter either way.
func (r backoffRule) factor() float64 {
	if r.jitter == 0 {
		return 1
	}
	x := r.rand()
	switch {
	case !(x >= 0):
		x = 0
	case x > 1:
		x = 1
	}
	// The conversion keeps the compiler from fusing the multiply and add,
	// so the answer is the same on every platform.
	return 1 + float64(r.jitter*(2*x-1))
}

// level is the least count at which the open time from base reaches the
// cap. The count grows no further.
func (r backoffRule) level(base time.Duration) int {
	b := float64(base)
	if r.mult <= 1 || b <= 0 || b >= r.cap {
		return 0
	}
	n := min(math.Ceil(math.Log(r.cap/b)/math.Log(r.mult)), maxLevel)
	// The logarithms may round either way; the powers decide.
	if n > 0 && b*math.Pow(r.mult, n-1) >= r.cap {
		n--
	} else if n < maxLevel && b*math.Pow(r.mult, n) < r.cap {
		n++
	}
	return int(n)
}

// scale is the open time after count reopenings from base, with jitter
// factor f.
func (r backoffRule) scale(base time.Duration, count int, f float64) time.Duration {
	if base <= 0 {
		return base
	}
	d := min(float64(base)*math.Pow(r.mult, float64(count)), r.cap)
	return time.Duration(min(d*f, r.cap))
}

// backoffCircuit is one circuit's Backoff.
type backoffCircuit struct {
	rule    backoffRule
	builtin bool

	mu    sync.Mutex
	count int
	// gen changes at each opening and each half-open period, so that the
	// Close of a trial whose period is over is not taken for a close.
	gen uint64
	// The last opening: when, with what reopened and jitter, until when.
	opened     bool
	openedAt   time.Time
	reopened   int
	factor     float64
	openEnd    time.Time
	halfOpened bool // a half-open period began after it
	// closedAt is when a trial of the half-open period that followed it
	// closed the circuit, if closed.
	closed   bool
	closedAt time.Time
}

func (b *backoffCircuit) builtinPolicy() bool { return b.builtin }

func (b *backoffCircuit) Opened(now time.Time, reopened int) time.Duration {
	// The wrapped recovery and Rand may be the program's: not under mu.
	base := b.rule.inner.Opened(now, reopened)
	if base < 0 {
		return base
	}
	f := b.rule.factor()
	level := b.rule.level(base)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.opened && !b.halfOpened && now.Equal(b.openedAt) && reopened == b.reopened {
		// The same opening asked again, as an engine does when the
		// settings change while the circuit is open.
		return b.rule.scale(base, min(b.count, level), b.factor)
	}
	switch {
	case reopened > 0:
		b.count = max(b.count+1, reopened)
	case b.closed:
		b.count -= b.windows(now.Sub(b.closedAt), base)
	case b.opened:
		b.count -= b.windows(now.Sub(b.openEnd), base)
	}
	b.count = min(b.count, level)
	d := b.rule.scale(base, b.count, f)
	b.opened, b.openedAt, b.reopened, b.factor, b.openEnd = true, now, reopened, f, now.Add(d)
	b.halfOpened, b.closed = false, false
	b.gen++
	return d
}

// windows is how many base open times fit in healthy, up to the count.
func (b *backoffCircuit) windows(healthy, base time.Duration) int {
	switch {
	case base <= 0:
		return b.count
	case healthy <= 0:
		return 0
	}
	return int(min(int64(healthy/base), int64(b.count)))
}

func (b *backoffCircuit) HalfOpened(now time.Time) Trial {
	tr := b.rule.inner.HalfOpened(now)
	if tr == nil {
		return nil
	}
	b.mu.Lock()
	b.gen++
	gen := b.gen
	b.halfOpened = true
	b.mu.Unlock()

	t := &backoffTrial{inner: tr, b: b, gen: gen, builtin: IsBuiltin(tr)}
	tk, ticks := tr.(Ticker)
	rr, rates := tr.(RateReporter)
	switch {
	case ticks && rates:
		return backoffTickerRater{backoffTicker{t, tk}, rr}
	case ticks:
		return backoffTicker{t, tk}
	case rates:
		return backoffRater{t, rr}
	}
	return t
}

// closedBy notes that the trial of period gen closed the circuit at t.
func (b *backoffCircuit) closedBy(gen uint64, t time.Time) {
	b.mu.Lock()
	if gen == b.gen && !b.closed {
		b.closed, b.closedAt = true, t
	}
	b.mu.Unlock()
}

// backoffTrial wraps a trial of the recovery a backoffCircuit wraps.
type backoffTrial struct {
	inner   Trial
	b       *backoffCircuit
	gen     uint64
	builtin bool
}

func (t *backoffTrial) builtinPolicy() bool { return t.builtin }

func (t *backoffTrial) Admit(now time.Time) bool { return t.inner.Admit(now) }

func (t *backoffTrial) Done(r Result) Verdict {
	v := t.inner.Done(r)
	if v == Close {
		t.b.closedBy(t.gen, r.End)
	}
	return v
}

type backoffTicker struct {
	*backoffTrial
	tk Ticker
}

func (t backoffTicker) Tick(now time.Time) (Verdict, time.Duration) {
	v, next := t.tk.Tick(now)
	if v == Close {
		t.b.closedBy(t.gen, now)
	}
	return v, next
}

type backoffRater struct {
	*backoffTrial
	rr RateReporter
}

func (t backoffRater) PerMinute(now time.Time) float64 { return t.rr.PerMinute(now) }

type backoffTickerRater struct {
	backoffTicker
	rr RateReporter
}

func (t backoffTickerRater) PerMinute(now time.Time) float64 { return t.rr.PerMinute(now) }
