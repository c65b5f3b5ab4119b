package hystrix

import (
	"context"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// event is the outcome of one execution, or of its fallback.
type event uint8

const (
	eventNone event = iota
	eventSuccess
	eventFailure
	eventRejected
	eventShortCircuit
	eventTimeout
	eventContextCanceled
	eventContextDeadlineExceeded
	eventFallbackSuccess
	eventFallbackFailure
	eventBadRequest
)

// eventNames are hystrix-go's metric event names.
var eventNames = [...]string{
	eventNone:                    "",
	eventSuccess:                 "success",
	eventFailure:                 "failure",
	eventRejected:                "rejected",
	eventShortCircuit:            "short-circuit",
	eventTimeout:                 "timeout",
	eventContextCanceled:         "context_canceled",
	eventContextDeadlineExceeded: "context_deadline_exceeded",
	eventFallbackSuccess:         "fallback-success",
	eventFallbackFailure:         "fallback-failure",
	eventBadRequest:              "bad-request",
}

func (e event) String() string { return eventNames[e] }

func parseEvent(s string) (event, bool) {
	for i, n := range eventNames {
		if n == s && i != int(eventNone) {
			return event(i), true
		}
	}
	return eventNone, false
}

func (e event) isFallback() bool { return e == eventFallbackSuccess || e == eventFallbackFailure }

// isError reports whether e counts against the circuit's health.
func (e event) isError() bool {
	switch e {
	case eventFailure, eventRejected, eventShortCircuit, eventTimeout:
		return true
	}
	return false
}

// callerEnded reports whether the caller's own context ended the execution.
func (e event) callerEnded() bool {
	return e == eventContextCanceled || e == eventContextDeadlineExceeded
}

// contextEvent maps a caller's context error to its event.
func contextEvent(err error) event {
	if err == context.DeadlineExceeded {
		return eventContextDeadlineExceeded
	}
	return eventContextCanceled
}

// outcomes maps the events of executions to what policies see; a
// short-circuit never reaches a policy.
var outcomes = [...]policy.Outcome{
	eventSuccess:                 policy.Success,
	eventFailure:                 policy.Failure,
	eventRejected:                policy.Rejected,
	eventTimeout:                 policy.Timeout,
	eventContextCanceled:         policy.Canceled,
	eventContextDeadlineExceeded: policy.Canceled,
	eventBadRequest:              policy.BadRequest,
}

func (e event) outcome() policy.Outcome { return outcomes[e] }
