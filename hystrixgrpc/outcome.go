package hystrixgrpc

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// An Outcome is what a call's error says about the server's health. A
// Classifier gives one for each error a call ends with.
type Outcome int

const (
	// Failure counts against the circuit's health and runs the fallback.
	// It is the zero Outcome; a value that is none of the three also means
	// Failure.
	Failure Outcome = iota
	// BadRequest blames the caller: the error reaches the caller as it
	// is, runs no fallback, does not count against health and is counted
	// as a bad request (see hystrix.BadRequest).
	BadRequest
	// Success counts as a healthy answer; the caller still gets the error.
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

// A Classifier tells what an error returned by a call (a gRPC status
// error, as a rule) says about the server. It is called only with non-nil
// errors, on the goroutine that ran the call, and must be safe for
// concurrent use. A panic in it makes the call a failure whose error is a
// *hystrix.PanicError (with code Internal).
//
// The caller's own cancellation needs no classifier: when the caller's
// context ends, hystrix counts the call as cancelled, neither a success
// nor a failure, whatever the classifier would say.
type Classifier func(err error) Outcome

// DefaultClassifier is the Classifier the interceptors use unless told
// otherwise. By the error's status code:
//
//   - BadRequest, the caller's mistake: InvalidArgument, NotFound,
//     AlreadyExists, PermissionDenied, Unauthenticated, FailedPrecondition,
//     OutOfRange, Unimplemented, and Canceled (a cancellation that is not
//     the caller's own context, such as a stream the caller let go of
//     without cancelling it);
//   - Failure, the server's trouble: Unavailable, DeadlineExceeded (one the
//     server or a proxy reports; the caller's own deadline is a
//     cancellation), ResourceExhausted, Internal, Unknown, DataLoss,
//     Aborted, any code it does not know, and errors that carry no status;
//   - Success: nil, and OK.
//
// A context.Canceled or context.DeadlineExceeded that carries no status
// is classified as the code gRPC gives it.
func DefaultClassifier(err error) Outcome {
	if err == nil {
		return Success
	}
	switch codeOf(err) {
	case codes.OK:
		return Success
	case codes.InvalidArgument, codes.NotFound, codes.AlreadyExists,
		codes.PermissionDenied, codes.Unauthenticated, codes.FailedPrecondition,
		codes.OutOfRange, codes.Unimplemented, codes.Canceled:
		return BadRequest
	}
	return Failure
}

// codeOf returns err's status code, reading a bare context error as gRPC
// does.
func codeOf(err error) codes.Code {
	if s, ok := status.FromError(err); ok {
		return s.Code()
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return status.FromContextError(err).Code()
	}
	return codes.Unknown
}

// badRequest marks the error of a call classified BadRequest, so that
// hystrix sees it as one (through its BadRequest method) and the
// interceptor can hand the caller the error underneath.
type badRequest struct{ err error }

func (b *badRequest) Error() string    { return b.err.Error() }
func (b *badRequest) Unwrap() error    { return b.err }
func (b *badRequest) BadRequest() bool { return true }

// judge turns a call's error into what the run function returns to hystrix.
func (ic *Interceptor) judge(err error) error {
	if err == nil {
		return nil
	}
	switch ic.classify(err) {
	case Success:
		return nil
	case BadRequest:
		return &badRequest{err: err}
	}
	return err
}
