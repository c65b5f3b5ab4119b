package policy

import (
	"fmt"
	"time"
)

// Outcome is how one execution ended, as a policy sees it.
type Outcome uint8

const (
	// Success: the run function returned nil in time.
	Success Outcome = iota + 1
	// Failure: the run function returned an error, panicked or called
	// runtime.Goexit.
	Failure
	// Timeout: the run function outlived the command's timeout.
	Timeout
	// Rejected: the concurrency limit refused the execution; the run
	// function did not run.
	Rejected
	// BadRequest: the run function returned an error that says the caller,
	// not the dependency, was wrong. It says nothing about health.
	BadRequest
	// Canceled: the caller's own context ended first. It says nothing about
	// health.
	Canceled
)

var outcomeNames = [...]string{
	Success:    "success",
	Failure:    "failure",
	Timeout:    "timeout",
	Rejected:   "rejected",
	BadRequest: "bad-request",
	Canceled:   "canceled",
}

// String returns the outcome's lower-case name, such as "timeout".
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) && outcomeNames[o] != "" {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", uint8(o))
}

// Failed reports whether the outcome counts against the dependency's
// health: a failure, a timeout or a rejection.
func (o Outcome) Failed() bool { return o == Failure || o == Timeout || o == Rejected }

// Neutral reports whether the outcome says nothing about the dependency: a
// bad request or the caller's cancellation. Policies neither count it nor
// let it decide anything.
func (o Outcome) Neutral() bool { return o == BadRequest || o == Canceled }

// Result is one execution handed to a policy.
type Result struct {
	// Outcome is how the execution ended.
	Outcome Outcome
	// Start is when the execution was admitted, End when its outcome was
	// known.
	Start, End time.Time
	// Duration is how long the run function ran: zero when it did not run,
	// the time until the timeout when it timed out.
	Duration time.Duration
}

// Verdict is what a policy asks of the circuit.
type Verdict uint8

const (
	// Stay leaves the circuit as it is.
	Stay Verdict = iota
	// Close closes the circuit: the dependency takes full traffic again.
	Close
	// Reopen opens the circuit again.
	Reopen
)

// String returns "stay", "close" or "reopen".
func (v Verdict) String() string {
	switch v {
	case Stay:
		return "stay"
	case Close:
		return "close"
	case Reopen:
		return "reopen"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// Counts are a circuit's counts at one moment: those of its rolling window,
// and what its policies count themselves.
type Counts struct {
	// Requests counts the executions in the rolling window that reached
	// the dependency or its concurrency limit: short-circuits and bad
	// requests are left out.
	Requests int64
	// Errors counts the Requests that failed, timed out or were rejected.
	Errors int64
	// Successes, Failures, Timeouts and Rejections split Requests; a
	// cancelled execution is in Requests but in none of them.
	Successes, Failures, Timeouts, Rejections int64
	// ShortCircuits counts the executions the circuit refused.
	ShortCircuits int64
	// BadRequests counts the executions that ended in a bad request.
	BadRequests int64
	// ConsecutiveFailures is the run of failures without a success, for
	// policies that keep one (ConsecutiveFailures); zero otherwise.
	ConsecutiveFailures int64
}

// ErrorPercent returns Errors as a percentage of Requests, 0 when there are
// none.
func (c Counts) ErrorPercent() float64 {
	if c.Requests <= 0 {
		return 0
	}
	return float64(c.Errors) / float64(c.Requests) * 100
}

// Window is a circuit's rolling window as policies read it. Its methods are
// safe for concurrent use and take no lock a policy could wait on.
type Window interface {
	// Executions returns Requests and Errors of Counts at now, cheaply.
	Executions(now time.Time) (requests, errors int64)
	// Counts returns every count of the window at now.
	Counts(now time.Time) Counts
}

// A RequestBound is a Window that can bound its executions from above for
// less than Executions costs (the engine's reads one counter instead of
// three). A policy with a volume threshold reads the bound first and skips
// Executions while the window is below the volume, as it is on most
// failures of a lightly used command.
type RequestBound interface {
	// RequestsAtMost returns a number no lower than the requests that
	// Executions would report at now.
	RequestsAtMost(now time.Time) int64
}

// An Opener decides when a closed circuit opens. It is a value of the
// command's configuration, shared by every circuit that uses it, so what it
// counts lives in the Tripper it makes for each closed period.
//
// The circuit calls its methods with none of its locks held, so they may
// call the library; they must be safe for concurrent use.
type Opener interface {
	// Closed begins a closed period at now and returns its Tripper. w is
	// the circuit's window; its counts are those the period starts with
	// (after a real close, an empty window; when a configuration change
	// re-judges an open circuit, the counts that opened it).
	Closed(now time.Time, w Window) Tripper
}

// A Tripper judges one closed period of one circuit. Its methods are called
// concurrently, from the goroutines whose executions end, and only for
// executions admitted in its period: a result from an earlier period never
// reaches it.
type Tripper interface {
	// Record is told of one execution (any outcome but a short-circuit)
	// and reports whether the circuit should open now.
	Record(r Result) bool
	// Check reports whether the circuit should open at now with no new
	// execution, for a caller asking whether it is open and for settings
	// that changed.
	Check(now time.Time) bool
}

// A Throttle is a Tripper that also refuses single executions of a closed
// circuit, without opening it, as adaptive client-side throttling does. A
// refused execution is a short-circuit.
type Throttle interface {
	Tripper
	// Allow reports whether an execution starting at now may run.
	Allow(now time.Time) bool
}

// A CountReporter is a Tripper that counts something of its own, such as a
// run of failures, and adds it to the counts a circuit reports when it
// opens.
type CountReporter interface {
	// AddCounts adds the tripper's own counts to c, which holds the
	// window's.
	AddCounts(c *Counts)
}

// A Recovery decides how an open circuit comes back: how long it stays open
// and how the half-open circuit that follows admits executions and decides.
// Like an Opener it is a shared value; the state of one half-open period
// lives in the Trial it makes. Its methods are called with none of the
// circuit's locks held and must be safe for concurrent use.
type Recovery interface {
	// Opened is told that the circuit opened at now, reopened times in a
	// row without closing in between (0 for an opening from closed), and
	// returns how long it stays open before it turns half-open.
	Opened(now time.Time, reopened int) time.Duration
	// HalfOpened begins a half-open period at now and returns its Trial.
	HalfOpened(now time.Time) Trial
}

// A Trial runs one half-open period of one circuit. Admit and Done are
// called concurrently; Done only for executions that Admit let through in
// this period.
type Trial interface {
	// Admit reports whether an execution starting at now may run. One it
	// refuses is a short-circuit.
	Admit(now time.Time) bool
	// Done is told how an admitted execution ended and returns the verdict.
	// An execution the concurrency limit refused (Rejected), or that ended
	// Neutral, should give back whatever Admit spent on it.
	Done(r Result) Verdict
}

// A Ticker is a Trial that also decides as time passes, such as at the end
// of a stage. The circuit calls Tick when the trial begins and then after
// each duration Tick returns, until it returns 0 or the period ends.
type Ticker interface {
	Trial
	// Tick returns the verdict at now, with no new execution, and how long
	// until the circuit should call it again; 0 or less means not again.
	Tick(now time.Time) (v Verdict, next time.Duration)
}

// A RateReporter is a Trial that admits executions at a rate, which the
// circuit shows on its stream and to exporters.
type RateReporter interface {
	// PerMinute returns the executions per minute admitted now.
	PerMinute(now time.Time) float64
}

// IsBuiltin reports whether v is one of this package's policies, or a
// Tripper or Trial one of them made (not a type that embeds one). They never
// panic and never call back into an engine, so an engine may call them
// without the guard it puts around policies of a program's own.
func IsBuiltin(v any) bool {
	switch v.(type) {
	case ErrorPercent, *errorPercentPeriod,
		ConsecutiveFailures, *consecutivePeriod,
		SingleProbe, *singleProbeTrial,
		Ramp, *rampTrial:
		return true
	case SlowCallRate, *slowCallPeriod,
		Probes, *probesTrial,
		AIMD, *aimdLimiter,
		Gradient, *gradientLimiter:
		return true
	case AdaptiveThrottle, *throttlePeriod,
		*anyOf, *anyPeriod, anyThrottle, anySlow, anyThrottleSlow,
		Backoff, *backoffCircuit, *backoffTrial, backoffTicker, backoffRater, backoffTickerRater:
		// Built in when what they call is: their members, the recovery
		// they wrap, the Rand they draw from.
		return v.(interface{ builtinPolicy() bool }).builtinPolicy()
	}
	return false
}

// A PerCircuit recovery keeps state of its own for each circuit across
// periods, as Backoff keeps the count of reopenings. The engine asks it once
// for each circuit, and again when the command's settings change, for the
// Recovery that circuit then uses; a recovery that wraps another sees the
// verdicts of the trials it makes, and so every closing.
type PerCircuit interface {
	Recovery
	// ForCircuit returns a new Recovery for one circuit, with fresh state;
	// nil means the shared value itself.
	ForCircuit() Recovery
}

// A SlowCallReporter is a Tripper that tracks slow calls, whose share the
// circuit shows on its stream and to exporters.
type SlowCallReporter interface {
	// SlowCallPercent returns the share of slow calls in the tripper's
	// window at now, from 0 to 100.
	SlowCallPercent(now time.Time) float64
}

// A LimitPolicy sets a circuit's concurrency limit from what it measures,
// in place of a fixed MaxConcurrentRequests. Like the other policies it is
// a shared value of the configuration; each circuit gets a Limiter of its
// own.
type LimitPolicy interface {
	// NewLimiter returns a new circuit's Limiter, made at now.
	NewLimiter(now time.Time) Limiter
}

// A Limiter is one circuit's adaptive concurrency limit. Limit is read by
// every execution before it takes a ticket, and Record told of every
// execution that held one, so both must be cheap and safe for concurrent
// use.
type Limiter interface {
	// Limit returns how many executions may hold a ticket now, at least 1.
	Limit() int
	// Record is told of one execution that held a ticket: its result (its
	// Duration is the run's latency) and how many executions held one,
	// itself included, when it took its ticket. Executions refused for
	// want of a ticket are not recorded: the limit's own refusals say
	// nothing about the dependency.
	Record(r Result, inFlight int)
}

// A FastLimiter is a Limiter that can record an execution from its outcome,
// its run's duration and the executions in flight alone. An engine calls
// RecordFast in place of Record on its hot path, to spare building a
// Result; the two must agree.
type FastLimiter interface {
	// RecordFast is Record of a Result with only Outcome and Duration (d)
	// set.
	RecordFast(o Outcome, d time.Duration, inFlight int)
}

// A FastTripper is a Tripper that can record an execution from its outcome,
// its end in Unix nanoseconds and its run's duration alone. An engine calls
// RecordFast in place of Record on its hot path, to spare building a
// Result; the two must agree.
type FastTripper interface {
	// RecordFast is Record of a Result with only Outcome, End (as
	// endUnixNano) and Duration (d) set, and reports the same.
	RecordFast(o Outcome, endUnixNano int64, d time.Duration) bool
}
