package hystrix

import (
	"time"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// record hands the outcome of one execution to every collector and, for the
// outcomes that can change it, re-judges the circuit's health, all before
// the caller sees the result. start and end are Unix nanoseconds.
func (c *CircuitBreaker) record(s *Settings, e, fb event, start, end int64, runDuration time.Duration) {
	var r metricCollector.MetricResult
	c.describe(&r, s, e, fb, time.Duration(end-start), runDuration)
	sec := end / int64(time.Second)
	c.metrics.UpdateUnix(sec, r)
	for _, l := range c.collectors {
		l.update(r)
	}

	// A short circuit happens only while open, and the caller's own
	// cancellation says nothing about health.
	switch {
	case e == eventShortCircuit || e.callerEnded():
	case r.Errors == 1:
		c.lastErrorSec.Store(sec)
		c.checkHealth(end)
	case sec-c.lastErrorSec.Load() < 10:
		// A success can still open the circuit by lifting the volume over
		// the threshold while the window holds errors.
		c.checkHealth(end)
	}
}

// describe fills r, which is zero, with one execution as collectors see it.
func (c *CircuitBreaker) describe(r *metricCollector.MetricResult, s *Settings, e, fb event, total, run time.Duration) {
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
	if max := s.MaxConcurrentRequests; max > 0 {
		r.ConcurrencyInUse = float64(c.pool.tickets.n.Load()) / float64(max)
	}
}

// updateCollectors hands one execution to the user's collectors only, for
// refusals that the default collector counts by other means.
func (c *CircuitBreaker) updateCollectors(s *Settings, e, fb event, total, run time.Duration) {
	var r metricCollector.MetricResult
	c.describe(&r, s, e, fb, total, run)
	for _, l := range c.collectors {
		l.update(r)
	}
}
