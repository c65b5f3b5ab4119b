package hystrixhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// The states of a roundTrip's run: whichever of the run and the caller
// moves it from idle first decides whether the request is sent.
const (
	runIdle = iota
	runSent
	runForgone
)

var (
	// errForgone is what a run returns when hystrix gave the request up
	// before it was sent, or before its result came.
	errForgone = errors.New("hystrixhttp: request given up")
	// errNilResponse reports a RoundTripper (the base, or a fallback) that
	// returned neither a response nor an error.
	errNilResponse = errors.New("hystrixhttp: nil response and nil error")
	// errBodyDeadline ends a body read past the command's timeout.
	errBodyDeadline = fmt.Errorf("hystrixhttp: response body not read within the command's timeout: %w", context.DeadlineExceeded)
)

// A roundTrip is one request through a Transport. The run (on hystrix's
// goroutine, or the caller's) hands its result to the caller under mu;
// once the caller has settled, the run keeps nothing and closes what it
// gets itself, so no response is left open.
type roundTrip struct {
	t    *Transport
	name string
	req  *http.Request

	mu      sync.Mutex
	state   int
	settled bool
	resp    *http.Response // the base transport's
	err     error          // the base transport's
	ret     error          // what the run returned to hystrix

	// Written by the fallback, which runs on the caller's goroutine.
	fellBack bool
	fbResp   *http.Response
}

// result is what a run left for the caller.
type result struct {
	resp *http.Response
	err  error
	ret  error
	sent bool
}

func (c *roundTrip) run(ctx context.Context) error {
	c.mu.Lock()
	if c.state != runIdle {
		c.mu.Unlock()
		return errForgone
	}
	c.state = runSent
	c.mu.Unlock()

	rctx, cancel := newRequestContext(c.req.Context(), ctx)
	// ctx is hystrix's: it ends at the timeout, or when the caller gives
	// up, and, once run returns, regardless. The request follows it only
	// while run has not returned.
	stop := context.AfterFunc(ctx, func() { cancel(ctx.Err()) })
	resp, err := c.t.base.RoundTrip(c.req.WithContext(rctx))
	stop()
	if err == nil && resp == nil {
		err = errNilResponse
	}
	if err != nil {
		resp = nil
		cancel(context.Canceled)
	} else {
		guardBody(resp, rctx, cancel)
	}

	c.mu.Lock()
	if c.settled {
		c.mu.Unlock()
		discard(resp)
		return errForgone
	}
	c.resp, c.err = resp, err
	c.mu.Unlock()

	ret := c.t.judge(resp, err)
	c.mu.Lock()
	c.ret = ret
	c.mu.Unlock()
	return ret
}

// settle ends the run's say: a run that has not sent the request never
// will, and one that has not yet handed over its result closes it itself.
func (c *roundTrip) settle() result {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == runIdle {
		c.state = runForgone
	}
	c.settled = true
	return result{resp: c.resp, err: c.err, ret: c.ret, sent: c.state == runSent}
}

func (c *roundTrip) fallback(_ context.Context, cause error) error {
	c.settle()
	c.fellBack = true
	if te, ok := cause.(*transportError); ok {
		cause = te.err
	}
	resp, err := c.t.fallback(c.req, cause)
	c.fbResp = resp
	if err != nil {
		return err
	}
	if resp == nil {
		return errNilResponse
	}
	return nil
}

// finish turns DoC's result into RoundTrip's, and closes every response
// the caller does not get.
func (c *roundTrip) finish(err error) (*http.Response, error) {
	res := c.settle()
	var (
		out    *http.Response
		outErr error
	)
	switch {
	case c.fellBack:
		if err == nil {
			out = c.fbResp
		} else {
			outErr = err
		}
	case err == nil:
		// A success, or an error classified Success, which the caller
		// still gets.
		out, outErr = res.resp, res.err
	case res.ret != nil && err == res.ret:
		// The run's own failure or bad request, with no fallback: the
		// caller gets what the base transport returned.
		out, outErr = res.resp, res.err
	default:
		// hystrix's error: a refusal, a timeout, the caller's context, a
		// panic.
		outErr = err
	}
	if res.resp != nil && res.resp != out {
		discard(res.resp)
	}
	if c.fbResp != nil && c.fbResp != out {
		discard(c.fbResp)
	}
	if !res.sent && c.req.Body != nil {
		_ = c.req.Body.Close()
	}
	if out == nil && outErr == nil {
		outErr = errNilResponse
	}
	return out, outErr
}

// maxDrain is how much of a response the caller does not get is read
// before it is closed, so that its connection can be reused.
const maxDrain = 4 << 10

// discard drains a response nobody will read, if it is short, and closes
// it. The reading is bounded by the request's deadline.
func discard(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	if resp.ContentLength == -1 || resp.ContentLength <= maxDrain {
		_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	}
	_ = resp.Body.Close()
}

// requestContext is the context a request is sent with: the caller's,
// reporting the execution's deadline, and ended by the Transport (when
// hystrix gives up, at the deadline while the body is read, and when the
// body is done).
type requestContext struct {
	context.Context
	deadline time.Time
	hasDL    bool
}

func newRequestContext(parent, run context.Context) (*requestContext, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	rc := &requestContext{Context: ctx}
	rc.deadline, rc.hasDL = run.Deadline()
	return rc, cancel
}

// Deadline returns the earlier of the caller's deadline and the command's
// timeout, in wall-clock time.
func (rc *requestContext) Deadline() (time.Time, bool) { return rc.deadline, rc.hasDL }

// guardBody makes resp's body end the request's context when it is read
// to its end, fails or is closed, and ends the context at the deadline
// meanwhile.
func guardBody(resp *http.Response, rctx *requestContext, cancel context.CancelCauseFunc) {
	if resp.Body == nil || resp.Body == http.NoBody {
		cancel(context.Canceled)
		return
	}
	b := &body{rc: resp.Body, cancel: cancel}
	if rctx.hasDL {
		b.timer = time.AfterFunc(time.Until(rctx.deadline), func() { cancel(errBodyDeadline) })
	}
	if _, ok := resp.Body.(io.Writer); ok {
		// A 101 Switching Protocols body is writable.
		resp.Body = &rwBody{body: b}
		return
	}
	resp.Body = b
}

// body is a response body that releases its request's context when done.
type body struct {
	rc     io.ReadCloser
	cancel context.CancelCauseFunc
	timer  *time.Timer
	once   sync.Once
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil {
		// By the time the transport's body reports io.EOF it has put its
		// connection back for reuse, so ending the context now is safe.
		b.done()
	}
	return n, err
}

func (b *body) Close() error {
	err := b.rc.Close()
	b.done()
	return err
}

func (b *body) done() {
	b.once.Do(func() {
		if b.timer != nil {
			b.timer.Stop()
		}
		b.cancel(context.Canceled)
	})
}

type rwBody struct{ *body }

func (b *rwBody) Write(p []byte) (int, error) { return b.rc.(io.Writer).Write(p) }

// onceCloser closes its body once, whoever asks first.
type onceCloser struct {
	io.ReadCloser
	once sync.Once
	err  error
}

func (o *onceCloser) Close() error {
	o.once.Do(func() { o.err = o.ReadCloser.Close() })
	return o.err
}
