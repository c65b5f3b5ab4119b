package metricCollector

import (
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/rolling"
)

// DefaultMetricCollector keeps a command's counts over the last ten seconds
// and its latencies over the last sixty, in memory. Circuits read it to judge
// their health, and the event stream reports it to dashboards.
//
// Unlike most collectors it is safe for concurrent use, and lock-free, so the
// circuits update it from many goroutines at once. The accessors return the
// same Number or Timing for the collector's whole life; Reset empties them in
// place.
type DefaultMetricCollector struct {
	numRequests             rolling.Number
	errors                  rolling.Number
	successes               rolling.Number
	failures                rolling.Number
	rejects                 rolling.Number
	shortCircuits           rolling.Number
	timeouts                rolling.Number
	contextCanceled         rolling.Number
	contextDeadlineExceeded rolling.Number
	fallbackSuccesses       rolling.Number
	fallbackFailures        rolling.Number
	badRequests             rolling.Number

	// The latencies: an execution whose whole time was its run's (no
	// fallback ran) goes to sameDuration, which the other two include,
	// so that the common case writes one histogram, not two; one with a
	// fallback goes to the other two.
	totalDuration rolling.Timing
	runDuration   rolling.Timing
	sameDuration  rolling.Timing
}

// NewDefaultMetricCollector returns an empty DefaultMetricCollector. Circuits
// get theirs through Registry; this constructor is for tests and tools.
func NewDefaultMetricCollector() *DefaultMetricCollector {
	return &DefaultMetricCollector{}
}

func newDefaultMetricCollector(string) MetricCollector {
	return NewDefaultMetricCollector()
}

// NumRequests returns the rolling count of executions.
func (d *DefaultMetricCollector) NumRequests() *rolling.Number { return &d.numRequests }

// Errors returns the rolling count of executions that count against health.
func (d *DefaultMetricCollector) Errors() *rolling.Number { return &d.errors }

// Successes returns the rolling count of successful runs.
func (d *DefaultMetricCollector) Successes() *rolling.Number { return &d.successes }

// Failures returns the rolling count of runs that returned an error.
func (d *DefaultMetricCollector) Failures() *rolling.Number { return &d.failures }

// Rejects returns the rolling count of executions refused by the concurrency
// limit.
func (d *DefaultMetricCollector) Rejects() *rolling.Number { return &d.rejects }

// ShortCircuits returns the rolling count of executions refused because the
// circuit was open.
func (d *DefaultMetricCollector) ShortCircuits() *rolling.Number { return &d.shortCircuits }

// Timeouts returns the rolling count of runs that outlived their timeout.
func (d *DefaultMetricCollector) Timeouts() *rolling.Number { return &d.timeouts }

// ContextCanceled returns the rolling count of executions whose caller
// cancelled its context.
func (d *DefaultMetricCollector) ContextCanceled() *rolling.Number { return &d.contextCanceled }

// ContextDeadlineExceeded returns the rolling count of executions whose
// caller's deadline passed.
func (d *DefaultMetricCollector) ContextDeadlineExceeded() *rolling.Number {
	return &d.contextDeadlineExceeded
}

// FallbackSuccesses returns the rolling count of fallbacks that returned nil.
func (d *DefaultMetricCollector) FallbackSuccesses() *rolling.Number { return &d.fallbackSuccesses }

// FallbackFailures returns the rolling count of fallbacks that returned an
// error.
func (d *DefaultMetricCollector) FallbackFailures() *rolling.Number { return &d.fallbackFailures }

// BadRequests returns the rolling count of executions that ended in a bad
// request. They are left out of NumRequests, as they say nothing about the
// dependency's health.
func (d *DefaultMetricCollector) BadRequests() *rolling.Number { return &d.badRequests }

// TotalDuration returns the rolling distribution of whole execution times,
// fallbacks included, of the executions whose run function ran. It shares
// the executions that ran no fallback with RunDuration, through a Timing
// both include (see rolling.Timing.Include): its own Reset forgets only the
// executions that ran a fallback, and Reset on the collector forgets all.
// The collector sets what it includes on every call, replacing an Include
// made on it elsewhere.
func (d *DefaultMetricCollector) TotalDuration() *rolling.Timing {
	d.join()
	return &d.totalDuration
}

// RunDuration returns the rolling distribution of run function times, of
// the executions whose run function ran. It shares the executions that ran
// no fallback with TotalDuration, as that says.
func (d *DefaultMetricCollector) RunDuration() *rolling.Timing {
	d.join()
	return &d.runDuration
}

// join makes both latency distributions include the shared one, which
// every way to read them passes through first; it leaves the zero value
// ready to use.
func (d *DefaultMetricCollector) join() {
	if d.totalDuration.Included() != &d.sameDuration {
		d.totalDuration.Include(&d.sameDuration)
	}
	if d.runDuration.Included() != &d.sameDuration {
		d.runDuration.Include(&d.sameDuration)
	}
}

// Update records r at the current time. Durations are recorded only for
// executions whose run function ran.
func (d *DefaultMetricCollector) Update(r MetricResult) {
	d.UpdateAt(time.Now(), r)
}

// UpdateAt records r at time now.
func (d *DefaultMetricCollector) UpdateAt(now time.Time, r MetricResult) {
	d.UpdateUnix(now.Unix(), r)
}

// UpdateUnix records r in the buckets of the given Unix second. Zero fields
// cost nothing.
func (d *DefaultMetricCollector) UpdateUnix(sec int64, r MetricResult) {
	// Most fields are zero in any one result; testing here keeps the
	// calls for them off the call path.
	if r.BadRequests != 0 {
		d.badRequests.AddUnix(sec, r.BadRequests)
	} else {
		d.numRequests.AddUnix(sec, r.Attempts)
	}
	if r.Errors != 0 {
		d.errors.AddUnix(sec, r.Errors)
	}
	if r.Successes != 0 {
		d.successes.AddUnix(sec, r.Successes)
	}
	if r.Failures != 0 {
		d.failures.AddUnix(sec, r.Failures)
	}
	if r.Rejects != 0 {
		d.rejects.AddUnix(sec, r.Rejects)
	}
	if r.ShortCircuits != 0 {
		d.shortCircuits.AddUnix(sec, r.ShortCircuits)
	}
	if r.Timeouts != 0 {
		d.timeouts.AddUnix(sec, r.Timeouts)
	}
	if r.ContextCanceled != 0 {
		d.contextCanceled.AddUnix(sec, r.ContextCanceled)
	}
	if r.ContextDeadlineExceeded != 0 {
		d.contextDeadlineExceeded.AddUnix(sec, r.ContextDeadlineExceeded)
	}
	if r.FallbackSuccesses != 0 {
		d.fallbackSuccesses.AddUnix(sec, r.FallbackSuccesses)
	}
	if r.FallbackFailures != 0 {
		d.fallbackFailures.AddUnix(sec, r.FallbackFailures)
	}
	// As in Hystrix, latencies are those of executions whose run function
	// ran: rejections and short circuits take no time worth the name and
	// would drag the percentiles towards zero while a circuit is open.
	if r.RunDuration > 0 || r.Successes+r.Failures+r.Timeouts+r.BadRequests > 0 {
		if r.TotalDuration == r.RunDuration {
			d.sameDuration.AddUnix(sec, r.RunDuration)
		} else {
			d.totalDuration.AddUnix(sec, r.TotalDuration)
			d.runDuration.AddUnix(sec, r.RunDuration)
		}
	}
}

// Reset empties every count and distribution.
func (d *DefaultMetricCollector) Reset() {
	for _, n := range []*rolling.Number{
		&d.numRequests, &d.errors, &d.successes, &d.failures, &d.rejects,
		&d.shortCircuits, &d.timeouts, &d.contextCanceled,
		&d.contextDeadlineExceeded, &d.fallbackSuccesses, &d.fallbackFailures,
		&d.badRequests,
	} {
		n.Reset()
	}
	d.totalDuration.Reset()
	d.runDuration.Reset()
	d.sameDuration.Reset()
}
