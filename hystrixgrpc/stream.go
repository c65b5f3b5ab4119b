package hystrixgrpc

import (
	"context"
	"errors"
	"io"
	"runtime"
	"runtime/debug"
	"sync/atomic"

	"github.com/gohystrix/hystrix-go/hystrix"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// errAbandoned is the cause of the cancellation of a stream that its caller
// let go of while it was still open.
var errAbandoned = errors.New("hystrixgrpc: stream abandoned by its caller")

// Stream is a grpc.StreamClientInterceptor: it runs each stream, from its
// start until it ends, as one execution of its command, through hystrix's
// DoC on the Interceptor's registry. The execution holds one of the
// command's concurrency tickets, and one goroutine (two in goroutine
// isolation), while the stream is open, so MaxConcurrentRequests bounds
// the command's open streams; and the command's timeout bounds the whole
// stream: its context, and so the stream, ends at the timeout (give
// long-lived streams a negative Timeout, for none, or one as long as they
// may live).
//
// A stream ends, and its execution with it, as gRPC streams end: when
// RecvMsg has returned a non-nil error (io.EOF is a success; otherwise
// the Classifier judges the status), when SendMsg or Header failed, when
// the caller's context ends (a cancellation, neither success nor failure),
// at the timeout, or when the ClientConn closes. The call that ends it
// returns once the execution is recorded, so a caller that cancels its
// context right after does not turn a success into a cancellation.
//
// A stream that its caller lets go of while it is open, without
// cancelling its context, is cancelled when the garbage collector finds it
// unreachable, and its execution ends as a bad request (the caller broke
// gRPC's rule), so that no ticket and no goroutine stay behind.
//
// When the circuit or the concurrency limit refuses the stream, or it
// cannot be established, Stream returns an *Error or the streamer's error,
// or what the StreamFallback answers.
//
// Stream relies on grpc.OnFinish, which gRPC marks experimental, to learn
// when a stream ends.
func (ic *Interceptor) Stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	name, err := ic.command(method)
	if err != nil {
		return nil, err
	}
	s := &streamCall{
		ic: ic, desc: desc, cc: cc, method: method, streamer: streamer, opts: opts,
		ready: make(chan grpc.ClientStream, 1), result: make(chan error, 1),
		recorded: make(chan struct{}),
	}
	go func() {
		defer close(s.recorded)
		s.result <- ic.reg.DoC(ctx, name, s.run, nil)
	}()

	var doErr error
	select {
	case cs := <-s.ready:
		return cs, nil
	case doErr = <-s.result:
	}
	// A stream that was made just before the execution ended is the
	// caller's: reading it tells how it ended.
	select {
	case cs := <-s.ready:
		return cs, nil
	default:
	}
	if br, ok := doErr.(*badRequest); ok {
		// The streamer's error blames the caller: no fallback.
		return nil, br.err
	}
	if doErr == nil {
		// The streamer's error was classified Success: the circuit
		// counted a success, the caller still gets the error.
		return nil, s.err
	}
	err = callError(ctx, name, doErr)
	if ic.streamFallback == nil {
		return nil, err
	}
	return s.fallback(ctx, name, err)
}

// A streamCall is one stream through Stream.
type streamCall struct {
	ic       *Interceptor
	desc     *grpc.StreamDesc
	cc       *grpc.ClientConn
	method   string
	streamer grpc.Streamer
	opts     []grpc.CallOption

	ready  chan grpc.ClientStream // the established stream
	result chan error             // what DoC returned
	// recorded is closed when DoC has returned, so the execution is in
	// the metrics.
	recorded chan struct{}
	err      error // the streamer's; read after result
}

// run is the stream's execution: it establishes the stream, hands it to
// the caller and waits for it to end.
func (s *streamCall) run(ctx context.Context) error {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	end := &streamEnd{ch: make(chan error, 1)}
	opts := append(s.opts[:len(s.opts):len(s.opts)], grpc.OnFinish(end.report))
	cs, err := s.streamer(sctx, s.desc, s.cc, s.method, opts...)
	if err != nil {
		s.err = err
		return s.ic.judge(err)
	}
	w := &clientStream{ClientStream: cs, end: end, recorded: s.recorded}
	// w, not cs, is what the caller holds: once w is unreachable, nobody
	// can read the stream to its end, so it is cancelled.
	runtime.AddCleanup(w, abandon, abandonment{cancel: cancel, end: end})
	s.ready <- w

	var endErr error
	select {
	case endErr = <-end.ch:
	case <-sctx.Done():
		select {
		case endErr = <-end.ch:
		default:
			endErr = sctx.Err()
		}
	}
	switch {
	case context.Cause(sctx) == errAbandoned:
		// Whatever gRPC reported came of the cancellation.
		return &badRequest{err: status.Error(codes.Canceled, errAbandoned.Error())}
	case ctx.Err() != nil:
		// The caller's context ended or the command timed out; hystrix
		// tells which by its own contexts, whatever the stream reported.
		return ctx.Err()
	}
	return s.ic.judge(endErr)
}

// streamEnd learns the end of a stream, once.
type streamEnd struct {
	ch    chan error // receives the first end reported
	ended atomic.Bool
}

func (e *streamEnd) report(err error) {
	if err == io.EOF {
		err = nil
	}
	if e.ended.CompareAndSwap(false, true) {
		e.ch <- err
	}
}

// abandonment is what the cleanup of an abandoned stream needs; it holds
// nothing that reaches the stream the caller held.
type abandonment struct {
	cancel context.CancelCauseFunc
	end    *streamEnd
}

// abandon cancels a stream that its caller let go of before it ended.
func abandon(a abandonment) {
	if !a.end.ended.Load() {
		a.cancel(errAbandoned)
	}
}

func (s *streamCall) fallback(ctx context.Context, name string, cause error) (cs grpc.ClientStream, err error) {
	defer func() {
		if v := recover(); v != nil {
			pe := &hystrix.PanicError{Command: name, Value: v, Stack: debug.Stack()}
			cs, err = nil, callError(ctx, name, &hystrix.FallbackError{RunErr: cause, FallbackErr: pe})
		}
	}()
	cs, err = s.ic.streamFallback(ctx, s.desc, s.method, cause)
	if err != nil {
		return nil, callError(ctx, name, &hystrix.FallbackError{RunErr: cause, FallbackErr: err})
	}
	return cs, nil
}

// clientStream is the stream the caller gets. gRPC reports the stream's
// end through grpc.OnFinish; the same ends seen here report it too, for
// streamers that do not honour that option.
//
// A method that ends the stream returns only once the execution is
// recorded: a caller that cancels its context as soon as it has read the
// stream to its end (with a deferred cancel, say) would otherwise race the
// bookkeeping, and a success could count as a cancellation.
type clientStream struct {
	grpc.ClientStream
	end      *streamEnd
	recorded <-chan struct{}
}

func (s *clientStream) ended(err error) {
	s.end.report(err)
	<-s.recorded
}

// RecvMsg receives a message; a non-nil error ends the stream.
func (s *clientStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		s.ended(err)
	}
	return err
}

// SendMsg sends a message; an error other than io.EOF ends the stream.
func (s *clientStream) SendMsg(m any) error {
	err := s.ClientStream.SendMsg(m)
	if err != nil && err != io.EOF {
		s.ended(err)
	}
	return err
}

// Header returns the stream's header; an error ends the stream.
func (s *clientStream) Header() (metadata.MD, error) {
	md, err := s.ClientStream.Header()
	if err != nil {
		s.ended(err)
	}
	return md, err
}
