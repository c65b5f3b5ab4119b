package policy

import (
	"math"
	"sync/atomic"
	"time"
)

// SlowCallRate opens a closed circuit when too many calls are slow: when,
// over the last ten seconds, at least Volume calls reached the dependency
// and Percent percent or more of them took longer than Slow. Used with
// ErrorPercent through Any, it opens a circuit on a dependency that has
// not failed yet but has slowed down.
//
// In words: closed, counting in a rolling window of its own, ten buckets
// of one Unix second each, by Result.End, as the circuit's window counts.
// A call is an execution that reached the dependency: a success, a failure
// or a timeout. A call is slow when its Duration is longer than Slow, and a
// timeout is always slow. Rejections by the concurrency limit never ran,
// and bad requests and the caller's cancellations say nothing, so they are
// not calls. Each Record of a call and each Check compare the window with
// both thresholds, exactly (slow*100 >= Percent*calls, with no rounding),
// and once both are reached the circuit opens. Each closed period starts
// from an empty window, including one that a change of settings begins.
//
// A zero or negative Percent never opens, and neither does one above 100.
// A zero Volume needs one call. A zero or negative Slow makes every call
// that took any time slow.
//
// Its tripper is a SlowCallReporter and is safe for concurrent use. Record
// costs two atomic adds while its second's bucket is current, and reads the
// window only while a slow call may be in it.
type SlowCallRate struct {
	// Slow is how long a call may take and still not be slow.
	Slow time.Duration
	// Percent is the share of slow calls, 1 to 100, at or above which the
	// circuit opens.
	Percent int
	// Volume is the least number of calls the window must hold.
	Volume uint64
}

// Closed returns the period's Tripper, with an empty window. It does not
// read w.
func (p SlowCallRate) Closed(now time.Time, w Window) Tripper {
	t := &slowCallPeriod{slow: max(p.Slow, 0), percent: p.Percent, volume: p.Volume}
	t.w.clear()
	t.lastSlowSec.Store(math.MinInt64 / 2)
	return t
}

type slowCallPeriod struct {
	slow    time.Duration
	percent int
	volume  uint64
	// lastSlowSec is the latest Unix second of a slow call, so that a fast
	// call reads the window only while a slow one may be in it.
	lastSlowSec atomic.Int64
	w           buckets // a: calls, b: slow calls
}

func (p *slowCallPeriod) Record(r Result) bool {
	return p.count(r.Outcome, r.Duration, r.End.Unix()) && p.Check(r.End)
}

// RecordFast is Record from the outcome, the end and the run's duration.
func (p *slowCallPeriod) RecordFast(o Outcome, end int64, d time.Duration) bool {
	return p.count(o, d, unixSecond(end)) && p.Check(time.Unix(0, end))
}

// count counts one execution that ended in second sec, and reports whether
// the window may now have to open the circuit: only when it holds a slow
// call.
func (p *slowCallPeriod) count(o Outcome, d time.Duration, sec int64) bool {
	var slow bool
	switch o {
	case Success, Failure:
		slow = d > p.slow
	case Timeout:
		slow = true
	default:
		return false
	}
	if !slow {
		return p.w.add(sec, 1, 0) && sec-p.lastSlowSec.Load() < windowSeconds
	}
	if !p.w.add(sec, 1, 1) {
		return false
	}
	for last := p.lastSlowSec.Load(); sec > last && !p.lastSlowSec.CompareAndSwap(last, sec); {
		last = p.lastSlowSec.Load()
	}
	return true
}

func (p *slowCallPeriod) Check(now time.Time) bool {
	if p.percent <= 0 {
		return false
	}
	calls, slow := p.w.sum(now)
	return calls > 0 && calls >= p.volume && slow*100 >= uint64(p.percent)*calls
}

// SlowCallPercent returns the share of slow calls in the window at now,
// from 0 to 100; 0 when it holds no call.
func (p *slowCallPeriod) SlowCallPercent(now time.Time) float64 {
	calls, slow := p.w.sum(now)
	if calls == 0 {
		return 0
	}
	return float64(slow) / float64(calls) * 100
}
