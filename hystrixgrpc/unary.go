package hystrixgrpc

import (
	"context"
	"errors"
	"sync/atomic"

	"google.golang.org/grpc"
)

// The states of a unaryCall's run: whichever of the run and the waiting
// caller moves it from idle first decides whether the invoker is called.
const (
	runIdle int32 = iota
	runStarted
	runForgone
)

// errForgone is what a run returns when hystrix gave up on the call
// before the run began: the invoker is not called.
var errForgone = errors.New("hystrixgrpc: call given up before it started")

// A unaryCall is one call through Unary. The invoker writes reply, and so
// may the fallback: done orders the two, so that the fallback, and the
// caller after Unary returns, never touch reply while the invoker still
// runs, even when hystrix stopped waiting for a goroutine-isolated run.
type unaryCall struct {
	ic      *Interceptor
	name    string
	method  string
	req     any
	reply   any
	cc      *grpc.ClientConn
	invoker grpc.UnaryInvoker
	opts    []grpc.CallOption

	state atomic.Int32
	done  chan struct{} // closed when the invoker has returned or will never be called
	err   error         // the invoker's, read after done

	fellBack bool // the fallback ran; on the caller's goroutine only
}

func (c *unaryCall) run(ctx context.Context) error {
	if !c.state.CompareAndSwap(runIdle, runStarted) {
		return errForgone
	}
	defer close(c.done)
	c.err = c.invoker(ctx, c.method, c.req, c.reply, c.cc, c.opts...)
	return c.ic.judge(c.err)
}

// wait returns when the invoker has returned, or makes sure it will never
// be called.
func (c *unaryCall) wait() {
	if c.state.CompareAndSwap(runIdle, runForgone) {
		close(c.done)
		return
	}
	<-c.done
}

func (c *unaryCall) fallback(ctx context.Context, cause error) error {
	c.wait()
	c.fellBack = true
	return c.ic.unaryFallback(ctx, c.method, c.req, c.reply, callError(ctx, c.name, cause))
}
