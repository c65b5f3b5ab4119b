package policy

import (
	"sync/atomic"
	"time"
)

// AIMD is an adaptive concurrency limit by additive increase and
// multiplicative decrease, as TCP's congestion window and Netflix's
// concurrency-limits do it. The limit grows by a step while the dependency
// keeps up and shrinks by a factor when it does not.
//
// In words: the limit starts at Initial. A timeout, the sign that more
// calls were in flight than the dependency could serve, multiplies it by
// Backoff, rounded down and never below Min. A success whose execution took
// its ticket while at least half of the limit was in use (inFlight*2 >=
// limit) adds Increase, up to Max. A success with fewer in flight leaves
// the limit alone, since a limit that is not used says nothing about
// whether it could be higher. Failures that are not timeouts, bad
// requests, cancellations and rejections leave it alone too.
//
// Zero or negative Min, Max and Initial mean DefaultLimitMin,
// DefaultLimitMax and DefaultLimitInitial. A Min above Max raises Max to
// Min (hystrix's configuration refuses it), and Initial is clamped into
// [Min, Max]. A zero or negative Increase means DefaultAIMDIncrease, and a
// Backoff outside (0, 1), or NaN, means DefaultAIMDBackoff.
//
// Its limiter is safe for concurrent use. Limit is one atomic load. Record
// is a load, and a compare-and-swap when the limit changes.
type AIMD struct {
	// Min, Max and Initial bound and start the limit.
	Min, Max, Initial int
	// Increase is added to the limit after a success that used it.
	Increase int
	// Backoff multiplies the limit after a timeout.
	Backoff float64
}

// Defaults of AIMD's zero fields, besides the bounds.
const (
	DefaultAIMDIncrease = 1
	DefaultAIMDBackoff  = 0.9
)

// NewLimiter returns a limiter at Initial.
func (p AIMD) NewLimiter(now time.Time) Limiter {
	l := &aimdLimiter{increase: int64(p.Increase), backoff: p.Backoff}
	var start int64
	l.min, l.max, start = limitBounds(p.Min, p.Max, p.Initial)
	if l.increase <= 0 {
		l.increase = DefaultAIMDIncrease
	}
	if !(l.backoff > 0 && l.backoff < 1) {
		l.backoff = DefaultAIMDBackoff
	}
	l.limit.Store(start)
	return l
}

type aimdLimiter struct {
	min, max, increase int64
	backoff            float64
	limit              atomic.Int64
}

func (l *aimdLimiter) Limit() int { return int(l.limit.Load()) }

func (l *aimdLimiter) Record(r Result, inFlight int) { l.RecordFast(r.Outcome, r.Duration, inFlight) }

// RecordFast is Record: only the outcome and inFlight matter.
func (l *aimdLimiter) RecordFast(o Outcome, _ time.Duration, inFlight int) {
	switch o {
	case Timeout:
		for {
			cur := l.limit.Load()
			next := max(l.min, int64(float64(cur)*l.backoff))
			if next == cur || l.limit.CompareAndSwap(cur, next) {
				return
			}
		}
	case Success:
		for {
			cur := l.limit.Load()
			// inFlight*2 >= cur, without the overflow.
			if cur >= l.max || int64(inFlight) < (cur+1)/2 {
				return
			}
			next := l.max
			if cur < l.max-l.increase {
				next = cur + l.increase
			}
			if l.limit.CompareAndSwap(cur, next) {
				return
			}
		}
	}
}
