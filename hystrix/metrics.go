package hystrix

import (
	"math"
	"time"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// record hands the outcome of one execution, admitted in period p, to every
// collector and, for the outcomes that can change it, to the period's
// policy, all before the caller sees the result. start and end are Unix
// nanoseconds.
func (c *CircuitBreaker) record(s *Settings, p *period, e, fb event, start, end int64, runDuration time.Duration) {
	c.recordWithLimit(s, p, e, fb, start, end, runDuration, limitUnknown)
}

// limitUnknown, as the limit of recordWithLimit, says to look it up.
const limitUnknown = math.MinInt

// recordWithLimit is record for an execution that found the concurrency
// limit at limit, which saves looking up an adaptive one again.
func (c *CircuitBreaker) recordWithLimit(s *Settings, p *period, e, fb event, start, end int64, runDuration time.Duration, limit int) {
	var r metricCollector.MetricResult
	c.describe(&r, s, e, fb, time.Duration(end-start), runDuration, limit)
	c.metrics.UpdateUnix(end/int64(time.Second), r)
	for _, l := range c.collectors {
		l.update(r)
	}
	// A short circuit says nothing about the dependency; a probe's result
	// goes to its trial (probeDone).
	if p.state == StateClosed && e != eventShortCircuit {
		c.recordOutcome(p, e.outcome(), start, end, runDuration)
	}
}

// describe fills r, which is zero, with one execution as collectors see it.
func (c *CircuitBreaker) describe(r *metricCollector.MetricResult, s *Settings, e, fb event, total, run time.Duration, limit int) {
	r.Attempts = 1
	r.TotalDuration = total
	r.RunDuration = run
	switch e {
	case eventSuccess:
		r.Successes = 1
	case eventFailure:
		r.Failures = 1
	case eventRejected:
		r.Rejects = 1
	case eventShortCircuit:
		r.ShortCircuits = 1
	case eventTimeout:
		r.Timeouts = 1
	case eventContextCanceled:
		r.ContextCanceled = 1
	case eventContextDeadlineExceeded:
		r.ContextDeadlineExceeded = 1
	case eventBadRequest:
		r.BadRequests = 1
	}
	if e.isError() {
		r.Errors = 1
	}
	switch fb {
	case eventFallbackSuccess:
		r.FallbackSuccesses = 1
	case eventFallbackFailure:
		r.FallbackFailures = 1
	}
	max := limit
	if max == limitUnknown {
		max = s.MaxConcurrentRequests
		if s.Limit != nil {
			max, _ = c.limitFor(s)
		}
	}
	if max > 0 {
		r.ConcurrencyInUse = float64(c.pool.tickets.n.Load()) / float64(max)
	}
}

// updateCollectors hands one execution to the user's collectors only, for
// refusals that the default collector counts by other means.
func (c *CircuitBreaker) updateCollectors(s *Settings, e, fb event, total, run time.Duration) {
	var r metricCollector.MetricResult
	c.describe(&r, s, e, fb, total, run, limitUnknown)
	for _, l := range c.collectors {
		l.update(r)
	}
}
