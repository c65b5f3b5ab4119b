package policy

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Gradient is an adaptive concurrency limit that follows the dependency's
// latency, after the idea of Netflix's Gradient2. It compares each latency
// with a long-term average, and it shrinks the limit while calls take
// longer than usual and grows it while they do not.
//
// In words: the limit starts at Initial. Each success is a sample of the
// latency, its Result.Duration (at least 1ns). The long-term average is the
// mean of the first ten samples (LongWindow of them if it is less), and
// after that an exponentially weighted average in which each new sample
// weighs 2/(LongWindow+1). When the average is more than twice the sample,
// as after a long spell of load that has ended, it moves a twentieth of
// the way to the sample at once, so that it does not stay high for a whole
// window. Then
//
//	gradient = max(0.5, min(1, Tolerance*average/sample))
//	next     = limit*gradient + sqrt(limit)
//	limit    = limit*(1-Smoothing) + next*Smoothing, clamped into [Min, Max]
//
// A sample up to Tolerance times the average leaves the gradient at 1 and
// lets the limit grow by the queue allowance, sqrt(limit), which is the
// square-root queue size of Netflix's limits. A slower sample shrinks the
// limit, by at most half before the smoothing. When fewer than half of the
// limit were in flight as the execution took its ticket, the limit may
// shrink but does not grow, since traffic that does not use the limit says
// nothing about whether it could be higher. A timeout is a drop. It
// multiplies the limit by GradientDrop, down to Min, and it is not a sample,
// since the timeout is not the dependency's latency. Failures that are not
// timeouts, bad requests, cancellations and rejections leave the limit
// alone. Limit returns the limit rounded down.
//
// Zero or negative Min, Max and Initial mean DefaultLimitMin,
// DefaultLimitMax and DefaultLimitInitial. A Min above Max raises Max to
// Min (hystrix's configuration refuses it), and Initial is clamped into
// [Min, Max]. A zero or negative LongWindow means
// DefaultGradientLongWindow. A zero or negative Tolerance, or NaN, means
// DefaultGradientTolerance, and one between 0 and 1 is taken as 1, since a
// tolerance below 1 would shrink the limit at the usual latency. A
// Smoothing outside (0, 1], or NaN, means DefaultGradientSmoothing.
//
// Its limiter is safe for concurrent use. Limit is one atomic load. Record
// moves the average by CAS, and takes a mutex only while the limit may
// change: in the warm-up, for a sample slower than the tolerance, and while
// at least half the limit is in flight.
type Gradient struct {
	// Min, Max and Initial bound and start the limit.
	Min, Max, Initial int
	// LongWindow is how many samples the long-term average spans.
	LongWindow int
	// Tolerance is how much slower than the average a sample may be
	// before the limit shrinks.
	Tolerance float64
	// Smoothing is how much of each new limit is taken at once.
	Smoothing float64
}

// Defaults of Gradient's zero fields, besides the bounds, and the factor
// of a drop.
const (
	DefaultGradientLongWindow = 600
	DefaultGradientTolerance  = 1.5
	DefaultGradientSmoothing  = 0.2
	GradientDrop              = 0.9
)

// gradientWarmup is how many samples the long-term average starts from as
// a plain mean.
const gradientWarmup = 10

// NewLimiter returns a limiter at Initial, with no sample yet.
func (p Gradient) NewLimiter(now time.Time) Limiter {
	lo, hi, start := limitBounds(p.Min, p.Max, p.Initial)
	l := &gradientLimiter{
		min: float64(lo), max: float64(hi),
		window: p.LongWindow, tolerance: p.Tolerance, smoothing: p.Smoothing,
	}
	l.estimate.Store(math.Float64bits(float64(start)))
	if l.window <= 0 {
		l.window = DefaultGradientLongWindow
	}
	l.weight = 2 / float64(l.window+1)
	l.warmup = min(l.window, gradientWarmup)
	switch {
	case !(l.tolerance > 0):
		l.tolerance = DefaultGradientTolerance
	case l.tolerance < 1:
		l.tolerance = 1
	}
	if !(l.smoothing > 0 && l.smoothing <= 1) {
		l.smoothing = DefaultGradientSmoothing
	}
	l.limit.Store(start)
	return l
}

type gradientLimiter struct {
	min, max             float64
	window, warmup       int
	weight               float64
	tolerance, smoothing float64

	limit atomic.Int64 // estimate, rounded down

	// average is the long-term latency in nanoseconds, as float64 bits.
	// Past the warm-up a sample moves it by CAS, without mu.
	average atomic.Uint64
	// samples counts the samples of the warm-up, which mu serialises.
	samples atomic.Int64
	// mu serialises the changes of estimate (float64 bits), which it
	// guards together with limit.
	mu       sync.Mutex
	estimate atomic.Uint64
}

func (l *gradientLimiter) Limit() int { return int(l.limit.Load()) }

func (l *gradientLimiter) Record(r Result, inFlight int) {
	l.RecordFast(r.Outcome, r.Duration, inFlight)
}

// RecordFast is Record: only the outcome, the duration and inFlight matter.
func (l *gradientLimiter) RecordFast(o Outcome, d time.Duration, inFlight int) {
	switch o {
	case Success:
		l.sample(float64(max(d, 1)), inFlight)
	case Timeout:
		l.mu.Lock()
		l.set(max(l.min, l.est()*GradientDrop))
		l.mu.Unlock()
	}
}

func (l *gradientLimiter) sample(rtt float64, inFlight int) {
	if l.samples.Load() < int64(l.warmup) && l.warmupSample(rtt, inFlight) {
		return
	}
	var avg float64
	for {
		old := l.average.Load()
		avg = l.pull(math.Float64frombits(old)+l.weight*(rtt-math.Float64frombits(old)), rtt)
		if l.average.CompareAndSwap(old, math.Float64bits(avg)) {
			break
		}
	}
	// The common case takes no lock: a sample within the tolerance makes
	// the gradient 1, and with fewer than half the limit in flight the
	// limit may not grow, so it stays as it is.
	if l.tolerance*avg >= rtt && float64(inFlight) < l.est()/2 {
		return
	}
	l.mu.Lock()
	l.adjust(avg, rtt, inFlight)
	l.mu.Unlock()
}

// warmupSample takes one of the first samples, whose plain mean starts the
// long-term average; it reports false when the warm-up ended meanwhile.
func (l *gradientLimiter) warmupSample(rtt float64, inFlight int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.samples.Load()
	if n >= int64(l.warmup) {
		return false
	}
	n++
	avg := math.Float64frombits(l.average.Load())
	avg = l.pull(avg+(rtt-avg)/float64(n), rtt)
	l.average.Store(math.Float64bits(avg))
	l.samples.Store(n)
	l.adjust(avg, rtt, inFlight)
	return true
}

// pull moves an average that is more than twice the sample a twentieth of
// the way to it.
func (l *gradientLimiter) pull(avg, rtt float64) float64 {
	if avg > 2*rtt {
		avg -= (avg - rtt) / 20
	}
	return avg
}

// adjust moves the limit after a sample of rtt against the average avg;
// l.mu is held.
func (l *gradientLimiter) adjust(avg, rtt float64, inFlight int) {
	est := l.est()
	// The operands are never NaN, so the built-in min and max, which
	// compile to a few instructions, agree with math.Min and math.Max.
	gradient := max(0.5, min(1, l.tolerance*avg/rtt))
	next := est*gradient + math.Sqrt(est)
	next = est*(1-l.smoothing) + next*l.smoothing
	if float64(inFlight) < est/2 {
		next = min(next, est)
	}
	l.set(min(max(next, l.min), l.max))
}

func (l *gradientLimiter) est() float64 { return math.Float64frombits(l.estimate.Load()) }

// set makes est the limit; l.mu is held.
func (l *gradientLimiter) set(est float64) {
	l.estimate.Store(math.Float64bits(est))
	if n := int64(est); n != l.limit.Load() {
		l.limit.Store(n)
	}
}
