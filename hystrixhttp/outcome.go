package hystrixhttp

import (
	"fmt"
	"net/http"
)

// An Outcome is what a request's result says about the health of the
// server that produced it.
type Outcome int

const (
	// Failure counts against the circuit's health and runs the fallback.
	// It is the zero Outcome; a value that is none of the three also means
	// Failure.
	Failure Outcome = iota
	// BadRequest blames the client: the result reaches the caller as it
	// is, runs no fallback, does not count against health and is counted
	// as a bad request (see hystrix.BadRequest).
	BadRequest
	// Success counts as a healthy answer.
	Success
)

// String returns "failure", "bad request" or "success".
func (o Outcome) String() string {
	switch o {
	case BadRequest:
		return "bad request"
	case Success:
		return "success"
	}
	return "failure"
}

// A Classifier tells what the result of an outgoing request says about
// the server: exactly one of resp and err is non-nil, as RoundTrip returns
// them. It is called on the goroutine that sent the request, before the
// caller sees the response, and must not read or close resp.Body. It must
// be safe for concurrent use; a panic in it makes the request a failure
// whose error is a *hystrix.PanicError.
//
// The caller's own cancellation needs no classifier: when the request's
// context ends, hystrix counts the request as cancelled, whatever the
// classifier says.
type Classifier func(resp *http.Response, err error) Outcome

// DefaultClassifier is the Transport's Classifier unless WithClassifier
// says otherwise: an error (the request did not get a response) and a 5xx
// status are failures, a 4xx status is a bad request, and anything else is
// a success. A program whose servers shed load with 429 Too Many Requests
// may want a classifier that calls 429 a failure.
func DefaultClassifier(resp *http.Response, err error) Outcome {
	if err != nil || resp == nil {
		return Failure
	}
	return DefaultStatusClassifier(resp.StatusCode)
}

// A StatusClassifier tells what the status code a handler answered with
// says about the handler's health. It is called after the handler has
// returned, on the goroutine that ran it, and must be safe for concurrent
// use. A panic in it is treated as a panic of the handler.
type StatusClassifier func(status int) Outcome

// DefaultStatusClassifier is the Handler's StatusClassifier unless
// WithStatusClassifier says otherwise: 5xx is a failure, 4xx a bad request
// and anything else a success.
func DefaultStatusClassifier(status int) Outcome {
	switch {
	case status >= 500:
		return Failure
	case status >= 400:
		return BadRequest
	}
	return Success
}

// StatusError is the error a response classified as a failure counts as.
// A Transport's Fallback gets it as its cause, with Response still open;
// a command's IsBadRequest classifier sees it too.
type StatusError struct {
	// StatusCode is the response's status code.
	StatusCode int
	// Response is the response, for a Transport; nil for a Handler.
	Response *http.Response
}

// Error returns "hystrixhttp: status <code> <text>".
func (e *StatusError) Error() string {
	return fmt.Sprintf("hystrixhttp: status %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}
