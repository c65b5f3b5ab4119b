// Package outcome maps the metricCollector.MetricResult of an execution to
// the outcome and fallback result labels under which the exporters
// (hystrixprom, hystrixotel) count it, so that both count the same things
// under the same names.
package outcome

import metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"

// The outcomes of an execution. Exactly one of them counts each execution.
const (
	Success                 = "success"
	Failure                 = "failure"
	Rejected                = "rejected"
	ShortCircuit            = "short_circuit"
	Timeout                 = "timeout"
	ContextCanceled         = "context_canceled"
	ContextDeadlineExceeded = "context_deadline_exceeded"
	// BadRequest is a run that returned an error blaming the caller
	// (hystrix.BadRequest): it ran no fallback and did not count against
	// the circuit's health.
	BadRequest = "bad_request"
)

// Count is how many outcomes there are.
const Count = 8

// Names lists the outcomes in a fixed order, the order of Counts. New
// outcomes go last, so that the earlier ones keep their places.
var Names = [Count]string{
	Success, Failure, Rejected, ShortCircuit, Timeout,
	ContextCanceled, ContextDeadlineExceeded, BadRequest,
}

// Counts returns how many executions r counts under each outcome, in the
// order of Names.
func Counts(r metricCollector.MetricResult) [Count]float64 {
	return [Count]float64{
		r.Successes, r.Failures, r.Rejects, r.ShortCircuits, r.Timeouts,
		r.ContextCanceled, r.ContextDeadlineExceeded, r.BadRequests,
	}
}

// The results of a fallback that ran.
const (
	FallbackSuccess = "success"
	FallbackFailure = "failure"
)

// FallbackCount is how many fallback results there are.
const FallbackCount = 2

// FallbackNames lists the fallback results in a fixed order, the order of
// FallbackCounts.
var FallbackNames = [FallbackCount]string{FallbackSuccess, FallbackFailure}

// FallbackCounts returns how many fallbacks r counts under each fallback
// result, in the order of FallbackNames.
func FallbackCounts(r metricCollector.MetricResult) [FallbackCount]float64 {
	return [FallbackCount]float64{r.FallbackSuccesses, r.FallbackFailures}
}

// RunRan reports whether r's run function ran, so that its run duration
// belongs in the run-duration histogram. Executions that never ran
// (rejected, short-circuited) would drag the run latencies towards zero,
// as in hystrix's own collector; a bad request came from a run that did.
func RunRan(r metricCollector.MetricResult) bool {
	return r.RunDuration > 0 || r.Successes+r.Failures+r.Timeouts+r.BadRequests > 0
}
