package policy

import (
	"sync/atomic"
	"time"
)

// ConsecutiveFailures opens a closed circuit when the count of failures in a
// row exceeds Threshold: the Threshold+1-th failure without a success in
// between opens it. This is the simple breaker's rule (and sony/gobreaker's
// default, there with Threshold 5).
//
// In words: closed with a count of 0; a failure, timeout or rejection adds
// one, and once the count exceeds Threshold the circuit opens; a success sets
// it back to 0; a bad request or the caller's cancellation neither adds nor
// resets. Each closed period starts from the run of failures its window
// reports, which is 0 after a real close.
//
// A negative Threshold is refused by hystrix's configuration; here it is
// taken as 0, so that the first failure opens.
type ConsecutiveFailures struct {
	// Threshold is how many failures in a row the circuit tolerates.
	Threshold int
}

// Closed returns the period's Tripper.
func (p ConsecutiveFailures) Closed(now time.Time, w Window) Tripper {
	t := &consecutivePeriod{limit: int64(max(p.Threshold, 0))}
	t.n.Store(w.Counts(now).ConsecutiveFailures)
	return t
}

type consecutivePeriod struct {
	limit int64
	n     atomic.Int64
}

func (p *consecutivePeriod) Record(r Result) bool { return p.RecordFast(r.Outcome, 0, 0) }

// RecordFast is Record: only the outcome matters.
func (p *consecutivePeriod) RecordFast(o Outcome, _ int64, _ time.Duration) bool {
	switch {
	case o.Failed():
		return p.n.Add(1) > p.limit
	case o == Success:
		// Only write when there is something to clear, so that a healthy
		// command's successes do not all write one shared word.
		if p.n.Load() != 0 {
			p.n.Store(0)
		}
	}
	return false
}

func (p *consecutivePeriod) Check(time.Time) bool { return p.n.Load() > p.limit }

func (p *consecutivePeriod) AddCounts(c *Counts) { c.ConsecutiveFailures += p.n.Load() }
