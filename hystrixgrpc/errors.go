package hystrixgrpc

import (
	"context"
	"errors"
	"fmt"

	"github.com/gohystrix/hystrix-go/hystrix"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrInvalidOption is wrapped by the error New returns for an option it
// cannot use, such as a nil function or a nil registry.
var ErrInvalidOption = errors.New("hystrixgrpc: invalid option")

// Error is the error of a call that hystrix, not the server, ended: the
// circuit or the concurrency limit refused it, the command timed out, the
// fallback failed, or user code panicked. It is a gRPC status error
// (status.FromError, status.Code and GRPCStatus see Code and the message),
// and errors.Is and errors.As see hystrix's error through it:
//
//	errors.Is(err, hystrix.ErrCircuitOpen)    // refused by an open circuit
//	errors.Is(err, hystrix.ErrMaxConcurrency) // refused by the limit
//	errors.Is(err, hystrix.ErrTimeout)        // the command timed out
//
// Errors the server sent are not wrapped: the caller gets them as gRPC
// returned them.
type Error struct {
	// Command is the hystrix command the call ran as.
	Command string
	// Code is the call's status code: Unavailable when the call was
	// refused (hystrix.ErrCircuitOpen, hystrix.ErrMaxConcurrency),
	// DeadlineExceeded when it timed out (hystrix.ErrTimeout), Internal for
	// a panic (*hystrix.PanicError) and, when the fallback failed
	// (*hystrix.FallbackError), the code of the fallback's error if it is a
	// status error, otherwise that of the error the fallback was given.
	Code codes.Code
	// Err is hystrix's error.
	Err error
}

// Error returns the text of the equivalent status error: "rpc error: code
// = <Code> desc = command <Command>: <Err>".
func (e *Error) Error() string {
	return fmt.Sprintf("rpc error: code = %s desc = %s", e.Code, e.message())
}

func (e *Error) message() string {
	return fmt.Sprintf("command %q: %v", e.Command, e.Err)
}

// GRPCStatus returns the error's status, with Code and the text after
// "desc = ", so that status.FromError and status.Code read it.
func (e *Error) GRPCStatus() *status.Status {
	return status.New(e.Code, e.message())
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }

// callError turns what hystrix returned for a call into what the caller
// gets. hystrix returns its own errors, the caller's context error and the
// run's error unwrapped, so they are told apart by identity and type.
func callError(ctx context.Context, command string, err error) error {
	switch e := err.(type) {
	case nil:
		return nil
	case *badRequest:
		return e.err
	case *hystrix.FallbackError:
		code := codes.Unknown
		if s, ok := status.FromError(e.FallbackErr); ok {
			code = s.Code()
		} else if cause := callError(ctx, command, e.RunErr); cause != nil {
			code = status.Code(cause)
		}
		return &Error{Command: command, Code: code, Err: err}
	case *hystrix.PanicError:
		return &Error{Command: command, Code: codes.Internal, Err: err}
	}
	switch err {
	case hystrix.ErrCircuitOpen, hystrix.ErrMaxConcurrency:
		return &Error{Command: command, Code: codes.Unavailable, Err: err}
	case hystrix.ErrTimeout:
		return &Error{Command: command, Code: codes.DeadlineExceeded, Err: err}
	}
	if cerr := ctx.Err(); cerr != nil && err == cerr {
		// hystrix answers with the caller's context error when that ended
		// first; a gRPC caller expects it as a status.
		return status.FromContextError(err).Err()
	}
	return err
}
