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
// Its limiter is safe for concurrent use. Limit is one atomic load, and
// Record takes a mutex for a few floating-point operations.
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
		estimate: float64(start),
	}
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

	mu       sync.Mutex
	estimate float64
	average  float64 // the long-term latency, in nanoseconds
	samples  int     // up to warmup
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
		l.set(max(l.min, l.estimate*GradientDrop))
		l.mu.Unlock()
	}
}

func (l *gradientLimiter) sample(rtt float64, inFlight int) {
	l.mu.Lock()
	if l.samples < l.warmup {
		l.samples++
		l.average += (rtt - l.average) / float64(l.samples)
	} else {
		l.average += l.weight * (rtt - l.average)
	}
	if l.average > 2*rtt {
		l.average -= (l.average - rtt) / 20
	}
	est := l.estimate
	// The operands are never NaN, so the built-in min and max, which
	// compile to a few instructions, agree with math.Min and math.Max.
	gradient := max(0.5, min(1, l.tolerance*l.average/rtt))
	next := est*gradient + math.Sqrt(est)
	next = est*(1-l.smoothing) + next*l.smoothing
	if float64(inFlight) < est/2 {
		next = min(next, est)
	}
	l.set(min(max(next, l.min), l.max))
	l.mu.Unlock()
}

// set makes est the limit; l.mu is held.
func (l *gradientLimiter) set(est float64) {
	l.estimate = est
	l.limit.Store(int64(est))
}
