package hystrixgrpc

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/gohystrix/hystrix-go/hystrix"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
)

// An Interceptor runs gRPC client calls as hystrix commands. Its Unary and
// Stream methods are a grpc.UnaryClientInterceptor and a
// grpc.StreamClientInterceptor:
//
//	conn, err := grpc.NewClient(target,
//		grpc.WithChainUnaryInterceptor(ic.Unary),
//		grpc.WithChainStreamInterceptor(ic.Stream))
//
// Make one with New; the zero value is not ready to use. An Interceptor is
// safe for concurrent use, and one may serve any number of connections.
type Interceptor struct {
	reg            *hystrix.Registry
	name           func(method string) string
	classify       Classifier
	unaryFallback  UnaryFallback
	streamFallback StreamFallback
}

// New returns an Interceptor configured by opts. Without options, calls run
// on hystrix.DefaultRegistry() as commands named after their full method,
// with DefaultClassifier and no fallback. An option New cannot use makes it
// return an error that wraps ErrInvalidOption.
func New(opts ...Option) (*Interceptor, error) {
	ic := &Interceptor{classify: DefaultClassifier}
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("hystrixgrpc: option %d is nil: %w", i, ErrInvalidOption)
		}
		if err := o.apply(ic); err != nil {
			return nil, err
		}
	}
	if ic.reg == nil {
		ic.reg = hystrix.DefaultRegistry()
	}
	return ic, nil
}

// UnaryClientInterceptor returns the Unary method of New(opts...). It is
// for options fixed in the program: it panics with New's error for an
// option New refuses.
func UnaryClientInterceptor(opts ...Option) grpc.UnaryClientInterceptor {
	return mustNew(opts).Unary
}

// StreamClientInterceptor returns the Stream method of New(opts...). It is
// for options fixed in the program: it panics with New's error for an
// option New refuses.
func StreamClientInterceptor(opts ...Option) grpc.StreamClientInterceptor {
	return mustNew(opts).Stream
}

func mustNew(opts []Option) *Interceptor {
	ic, err := New(opts...)
	if err != nil {
		panic(err)
	}
	return ic
}

// command returns the name of the command that runs a call to method.
func (ic *Interceptor) command(method string) (name string, err error) {
	if ic.name == nil {
		return method, nil
	}
	defer func() {
		if v := recover(); v != nil {
			pe := &hystrix.PanicError{Command: method, Value: v, Stack: debug.Stack()}
			name, err = "", &Error{Command: method, Code: codes.Internal, Err: pe}
		}
	}()
	if name = ic.name(method); name == "" {
		name = method
	}
	return name, nil
}

// Unary is a grpc.UnaryClientInterceptor: it runs the call as one
// execution of its command, through hystrix's DoC on the Interceptor's
// registry. The invoker gets a context that ends at the command's timeout
// (its deadline, which gRPC sends to the server, is the earlier of the
// caller's and the timeout). The caller gets the server's error as gRPC
// returned it, or an *Error when hystrix ended the call; with a fallback
// that succeeds, no error. Unary returns only once the invoker has
// returned, so nothing writes reply after it: gRPC's invoker returns
// promptly when its context ends, as at a timeout.
func (ic *Interceptor) Unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	name, err := ic.command(method)
	if err != nil {
		return err
	}
	c := &unaryCall{ic: ic, name: name, method: method, req: req, reply: reply, cc: cc, invoker: invoker, opts: opts, done: make(chan struct{})}
	var fallback func(context.Context, error) error
	if ic.unaryFallback != nil {
		fallback = c.fallback
	}
	err = ic.reg.DoC(ctx, name, c.run, fallback)
	c.wait()
	if err == nil && !c.fellBack {
		// The call succeeded or ended with an error classified Success,
		// which the caller still gets.
		return c.err
	}
	return callError(ctx, name, err)
}
