package policy

import (
	"sync/atomic"
	"time"
)

// ErrorPercent is hystrix's opener, the default: a closed circuit opens
// when its rolling window holds at least Volume executions and Threshold
// percent of them or more failed, timed out or were rejected.
//
// In words: closed, counting in the window; each execution that ends, and
// each Check, compares the window with the two thresholds; once both are
// reached the circuit opens. Nothing is kept but the window, which the
// circuit clears when it closes after a probe, so a new period starts from
// what the window holds. The percentage is rounded to the nearest whole
// number before the comparison, in floating point as hystrix-go does (so a
// percentage that is exactly a half, such as 23 in 40, may round down).
//
// The zero Threshold never opens (it is 0 percent of nothing); hystrix
// fills both fields from CommandConfig.
type ErrorPercent struct {
	// Threshold is the error percentage, 1 to 100, at or above which the
	// circuit opens.
	Threshold int
	// Volume is the least number of executions the window must hold.
	Volume uint64
}

// Closed returns the period's Tripper, which reads w.
func (p ErrorPercent) Closed(now time.Time, w Window) Tripper {
	t := &errorPercentPeriod{ErrorPercent: p, w: w}
	// A period that starts on a window holding errors (a new opener on a
	// live circuit) reads the window on successes as if an error had just
	// come, so that one lifting the volume over the threshold opens it.
	if _, errs := w.Executions(now); errs > 0 {
		t.lastErrorSec.Store(now.Unix())
	}
	return t
}

// Unhealthy reports whether a window of requests executions, errors of
// them errors, reaches both thresholds.
func (p ErrorPercent) Unhealthy(requests, errors int64) bool {
	if requests <= 0 || p.Threshold <= 0 || uint64(requests) < p.Volume {
		return false
	}
	return int(float64(errors)/float64(requests)*100+0.5) >= p.Threshold
}

type errorPercentPeriod struct {
	ErrorPercent
	w Window
	// lastErrorSec is the Unix second of the latest error, so that a
	// success reads the window only while errors may be in it.
	lastErrorSec atomic.Int64
}

func (p *errorPercentPeriod) Record(r Result) bool {
	return p.record(r.Outcome, r.End.Unix(), r.End)
}

// RecordFast is Record from the outcome and the end alone.
func (p *errorPercentPeriod) RecordFast(o Outcome, end int64, _ time.Duration) bool {
	sec := unixSecond(end)
	if o == Success && sec-p.lastErrorSec.Load() >= windowSeconds {
		return false // the common case, without making a time.Time
	}
	return p.record(o, sec, time.Unix(0, end))
}

func (p *errorPercentPeriod) record(o Outcome, sec int64, end time.Time) bool {
	switch {
	case o.Failed():
		if sec > p.lastErrorSec.Load() {
			p.lastErrorSec.Store(sec)
		}
	case o == Success:
		// A success can still open the circuit by lifting the volume over
		// the threshold while the window holds errors.
		if sec-p.lastErrorSec.Load() >= windowSeconds {
			return false
		}
	default:
		return false
	}
	return p.Check(end)
}

func (p *errorPercentPeriod) Check(now time.Time) bool {
	if p.Threshold <= 0 {
		return false
	}
	if b, ok := p.w.(RequestBound); ok {
		if n := b.RequestsAtMost(now); n <= 0 || uint64(n) < p.Volume {
			return false
		}
	}
	return p.Unhealthy(p.w.Executions(now))
}

// unixSecond is the Unix second that holds the instant ns nanoseconds after
// the epoch, as time.Unix(0, ns).Unix() has it, also before 1970.
func unixSecond(ns int64) int64 {
	sec := ns / int64(time.Second)
	if ns%int64(time.Second) < 0 {
		sec--
	}
	return sec
}

// windowSeconds is the length of the rolling window that ErrorPercent
// reads; a success more than this after the last error cannot open it.
const windowSeconds = 10
