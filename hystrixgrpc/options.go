package hystrixgrpc

import (
	"context"
	"fmt"

	"github.com/gohystrix/hystrix-go/hystrix"
	"google.golang.org/grpc"
)

// An Option configures an Interceptor; pass options to New,
// UnaryClientInterceptor or StreamClientInterceptor.
type Option interface{ apply(*Interceptor) error }

type optionFunc func(*Interceptor) error

func (f optionFunc) apply(ic *Interceptor) error { return f(ic) }

// UnaryFallback answers a unary call that failed or was refused. It gets
// the call's request and reply message, and err, the error the caller
// would get (an *Error or the server's status error). It may fill reply
// and return nil, so that the caller gets reply with no error, or return an
// error. It runs on the caller's goroutine, after the invoker has returned,
// so it is the only one writing reply; a panic in it is recovered, and the
// caller then gets an *Error wrapping a *hystrix.FallbackError.
type UnaryFallback func(ctx context.Context, method string, req, reply any, err error) error

// StreamFallback answers a stream that could not be established: the
// circuit or the concurrency limit refused it, or the streamer failed with
// an error classified Failure. err is the error the caller would get. It
// may return a stream of its own to hand to the caller, or an error. It
// does not run for a stream that was established and failed later: that
// stream's caller reads the error from it. It runs on the caller's
// goroutine; a panic in it is recovered and returned as an *Error wrapping
// a *hystrix.FallbackError.
//
// Unlike UnaryFallback, it runs outside hystrix, so the command's metrics
// do not count fallback successes and failures of streams.
type StreamFallback func(ctx context.Context, desc *grpc.StreamDesc, method string, err error) (grpc.ClientStream, error)

// WithRegistry runs the calls as commands of r rather than of
// hystrix.DefaultRegistry(). A nil r is refused.
func WithRegistry(r *hystrix.Registry) Option {
	return optionFunc(func(ic *Interceptor) error {
		if r == nil {
			return invalid("WithRegistry", "nil registry")
		}
		ic.reg = r
		return nil
	})
}

// WithCommandName names the command a call runs as after what f returns
// for the call's full method ("/package.Service/Method"), which is the
// name without this option. f may map many methods to one command, so that
// they share a circuit. An empty name means the full method. f must be
// safe for concurrent use; a panic in it fails the call with an *Error
// (code Internal) wrapping a *hystrix.PanicError, and calls nothing. A nil
// f is refused.
func WithCommandName(f func(method string) string) Option {
	return optionFunc(func(ic *Interceptor) error {
		if f == nil {
			return invalid("WithCommandName", "nil function")
		}
		ic.name = f
		return nil
	})
}

// WithClassifier tells the interceptors which errors are failures, bad
// requests and successes, in place of DefaultClassifier. A classifier that
// changes a few codes can defer to DefaultClassifier for the rest. A nil
// c is refused.
func WithClassifier(c Classifier) Option {
	return optionFunc(func(ic *Interceptor) error {
		if c == nil {
			return invalid("WithClassifier", "nil classifier")
		}
		ic.classify = c
		return nil
	})
}

// WithUnaryFallback gives unary calls a fallback, run as the command's
// fallback. Without one, a failed or refused call returns its error. A nil
// f is refused: leave the option out for no fallback.
func WithUnaryFallback(f UnaryFallback) Option {
	return optionFunc(func(ic *Interceptor) error {
		if f == nil {
			return invalid("WithUnaryFallback", "nil function")
		}
		ic.unaryFallback = f
		return nil
	})
}

// WithStreamFallback gives streams a fallback for when they cannot be
// established (see StreamFallback). A nil f is refused: leave the option
// out for no fallback.
func WithStreamFallback(f StreamFallback) Option {
	return optionFunc(func(ic *Interceptor) error {
		if f == nil {
			return invalid("WithStreamFallback", "nil function")
		}
		ic.streamFallback = f
		return nil
	})
}

func invalid(option, why string) error {
	return fmt.Errorf("hystrixgrpc: %s: %s: %w", option, why, ErrInvalidOption)
}
