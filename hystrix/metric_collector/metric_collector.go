package metricCollector

import (
	"sync"
	"time"
)

// MetricCollector receives the outcome of every execution of one command.
// The library never calls its methods concurrently with each other.
type MetricCollector interface {
	// Update records the outcome of one execution.
	Update(MetricResult)
	// Reset clears what the collector has recorded; circuits call it when
	// they close again after being open.
	Reset()
}

// MetricResult is the outcome of one execution. Each count field is 0 or 1:
// Attempts is always 1, exactly one of Successes, Failures, Rejects,
// ShortCircuits, Timeouts, ContextCanceled, ContextDeadlineExceeded and
// BadRequests is 1,
// and at most one of FallbackSuccesses and FallbackFailures is 1, when a
// fallback ran. Errors is 1 for the outcomes that count against the circuit's
// health: failures, rejections, short circuits and timeouts.
type MetricResult struct {
	// Attempts is 1: every execution is an attempt, whatever its outcome.
	Attempts float64
	// Errors is 1 when the outcome counts against the circuit's health: a
	// failure, a rejection, a short circuit or a timeout.
	Errors float64
	// Successes is 1 when the run function returned nil in time.
	Successes float64
	// Failures is 1 when the run function returned an error that is not a
	// bad request, panicked or called runtime.Goexit.
	Failures float64
	// Rejects is 1 when the concurrency limit refused the execution, so the
	// run function did not run.
	Rejects float64
	// ShortCircuits is 1 when the circuit refused the execution, so the run
	// function did not run: the circuit was open, or its policy turned the
	// call away.
	ShortCircuits float64
	// Timeouts is 1 when the run function did not return within the
	// command's Timeout.
	Timeouts float64
	// FallbackSuccesses is 1 when a fallback ran and returned nil.
	FallbackSuccesses float64
	// FallbackFailures is 1 when a fallback ran and returned an error or
	// panicked.
	FallbackFailures float64
	// ContextCanceled is 1 when the caller's context was cancelled before
	// or while the command ran. It is the caller's doing, so it does not
	// count against health.
	ContextCanceled float64
	// ContextDeadlineExceeded is 1 when the caller's context deadline
	// passed before or while the command ran. Like ContextCanceled, it does
	// not count against health.
	ContextDeadlineExceeded float64
	// BadRequests is 1 for an execution whose run function returned a bad
	// request: an error that blames the caller, which does not count
	// against health and runs no fallback. Collectors written for
	// hystrix-go, which do not know the field, see such an execution as
	// an attempt with no other outcome.
	BadRequests float64
	// TotalDuration runs from the call to its result, fallback included.
	TotalDuration time.Duration
	// RunDuration is how long the run function took; zero when it did not
	// run, and the time until the timeout when it timed out.
	RunDuration time.Duration
	// ConcurrencyInUse is the fraction of the concurrency limit in use when
	// the execution finished; zero when the limit is unbounded.
	ConcurrencyInUse float64
}

// Registry holds the initializers that every new circuit uses to build its
// collectors. It starts with the DefaultMetricCollector's.
var Registry = metricCollectorRegistry{
	registry: []func(name string) MetricCollector{newDefaultMetricCollector},
}

// metricCollectorRegistry is the type of Registry. It is safe for concurrent
// use.
type metricCollectorRegistry struct {
	lock     sync.RWMutex
	registry []func(name string) MetricCollector
}

// InitializeMetricCollectors builds one collector per registered initializer
// for the named command, in registration order.
func (m *metricCollectorRegistry) InitializeMetricCollectors(name string) []MetricCollector {
	m.lock.RLock()
	inits := m.registry
	m.lock.RUnlock()
	out := make([]MetricCollector, len(inits))
	for i, f := range inits {
		out[i] = f(name)
	}
	return out
}

// Initializers returns the registered initializers, in registration
// order, for callers that build collectors themselves.
func (m *metricCollectorRegistry) Initializers() []func(name string) MetricCollector {
	m.lock.RLock()
	defer m.lock.RUnlock()
	return m.registry
}

// Register adds an initializer. Circuits created from now on get a collector
// from it; existing circuits keep the collectors they have until Flush.
// A nil initializer is ignored, and an initializer may return nil to give
// a command no collector.
func (m *metricCollectorRegistry) Register(initMetricCollector func(string) MetricCollector) {
	if initMetricCollector == nil {
		return
	}
	m.lock.Lock()
	// Copy on write, so that InitializeMetricCollectors can range over its
	// snapshot without holding the lock while user initializers run.
	next := make([]func(string) MetricCollector, len(m.registry), len(m.registry)+1)
	copy(next, m.registry)
	m.registry = append(next, initMetricCollector)
	m.lock.Unlock()
}
