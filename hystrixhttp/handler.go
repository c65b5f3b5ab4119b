package hystrixhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// ServerCommand is the command a Handler runs a request as when neither
// WithCommand nor WithCommandName names it and the request has no route
// pattern.
const ServerCommand = "http-server"

// Handler is an http.Handler that serves each request with its handler as
// one execution of a hystrix command, through hystrix's DoC on its
// registry. Make one with NewHandler or Middleware; the zero value is not
// ready to use. A Handler is safe for concurrent use.
//
// The command is named after the request's route pattern (r.Pattern, as
// "GET /users/{id}"), which ServeMux sets before it calls the handler of
// a route: wrap each route's handler, not the mux, to get a circuit per
// route. A request with no pattern runs as ServerCommand. WithCommand and
// WithCommandName name it otherwise. A panic in the naming function
// propagates to the server, as a panic in a handler does.
//
// The handler gets the request with a context that ends at the command's
// timeout. Its status code decides the outcome (DefaultStatusClassifier: a
// 5xx is a failure, a 4xx a bad request); a handler that writes nothing
// answers 200, and one that hijacks the connection succeeds. The handler's
// response always reaches the client as it wrote it; ServeHTTP returns only
// after the handler has returned, even when the command timed out first.
//
// When the handler does not answer (the circuit or the concurrency limit
// refused the request, or the command timed out before the handler wrote
// anything), the fallback handler answers, if WithFallbackHandler gave one;
// otherwise the client gets 503 Service Unavailable, with a Retry-After
// header, in whole seconds of at least 1, until the open circuit may let a
// probe through (1 for other refusals; none after a timeout). A handler
// that fails after it has begun its response keeps that response, and the
// command counts its fallback, which could not run, as failed.
//
// A panic in the handler (or in the fallback handler) counts as a failure
// and is raised again on the goroutine that called ServeHTTP, so that the
// server handles it as it handles any handler's panic;
// http.ErrAbortHandler is raised again as itself, any other value as an
// error for which errors.As finds the *hystrix.PanicError with the original
// value and stack.
type Handler struct {
	common
	next     http.Handler
	classify StatusClassifier
	fallback http.Handler
	opened   openTracker
}

var _ http.Handler = (*Handler)(nil)

// NewHandler returns a Handler that serves requests with next, configured
// by opts. Without options, requests run on hystrix.DefaultRegistry(),
// with DefaultStatusClassifier and no fallback handler. A nil next, or an
// option it cannot use, makes it return an error that wraps
// ErrInvalidOption.
//
// The Handler adds a state listener to its registry, to know when circuits
// opened, which lasts as long as the registry: make Handlers once, not per
// request.
func NewHandler(next http.Handler, opts ...HandlerOption) (*Handler, error) {
	if next == nil {
		return nil, invalid("NewHandler", "nil handler")
	}
	h := &Handler{next: next, classify: DefaultStatusClassifier}
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("hystrixhttp: option %d is nil: %w", i, ErrInvalidOption)
		}
		if err := o.applyHandler(h); err != nil {
			return nil, err
		}
	}
	if h.reg == nil {
		h.reg = hystrix.DefaultRegistry()
	}
	h.reg.OnStateChange(h.opened.record)
	return h, nil
}

// Middleware returns NewHandler(next, opts...). It is for arguments fixed
// in the program: it panics with NewHandler's error for those NewHandler
// refuses.
func Middleware(next http.Handler, opts ...HandlerOption) http.Handler {
	h, err := NewHandler(next, opts...)
	if err != nil {
		panic(err)
	}
	return h
}

type causeKey struct{}

// FallbackCause returns why a Handler's fallback handler is serving r:
// hystrix.ErrCircuitOpen, hystrix.ErrMaxConcurrency or hystrix.ErrTimeout.
// It returns nil for a request that is not being served by a fallback
// handler.
func FallbackCause(r *http.Request) error {
	err, _ := r.Context().Value(causeKey{}).(error)
	return err
}

func (h *Handler) command(r *http.Request) string {
	if h.name != nil {
		if name := h.name(r); name != "" {
			return name
		}
	}
	if r.Pattern != "" {
		return r.Pattern
	}
	return ServerCommand
}

// ServeHTTP serves r as one execution of its command.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &serveCall{h: h, name: h.command(r), r: r, rw: &responseWriter{rw: w}, done: make(chan struct{})}
	var fallback func(context.Context, error) error
	if h.fallback != nil {
		fallback = c.fallback
	}
	err := h.reg.DoC(r.Context(), c.name, c.run, fallback)
	c.wait()
	if c.panicked != nil {
		raise(c.panicked)
	}
	if err == nil || c.fellBack || c.rw.started() || (c.ret != nil && err == c.ret) {
		// The handler or the fallback handler answered.
		return
	}
	switch {
	case err == hystrix.ErrCircuitOpen:
		unavailable(w, h.retryAfter(c.name))
	case err == hystrix.ErrMaxConcurrency:
		unavailable(w, 1)
	case err == hystrix.ErrTimeout:
		unavailable(w, 0)
	case r.Context().Err() != nil:
		// The client is gone or the server is shutting it down.
	default:
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// unavailable answers 503, with Retry-After if retry is positive.
func unavailable(w http.ResponseWriter, retry int) {
	if retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
	}
	http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
}

// raise panics again with a handler's panic.
func raise(pe *hystrix.PanicError) {
	if pe.Value == http.ErrAbortHandler {
		panic(http.ErrAbortHandler)
	}
	panic(&handlerPanic{pe: pe})
}

// handlerPanic is what a Handler panics with for a panic of its handler:
// its text carries the original stack, which the server logs.
type handlerPanic struct{ pe *hystrix.PanicError }

func (p *handlerPanic) Error() string {
	return fmt.Sprintf("hystrixhttp: %v\n\n%s", p.pe, p.pe.Stack)
}
func (p *handlerPanic) Unwrap() error { return p.pe }

// The states of a serveCall's run, as for a roundTrip.
const (
	serveIdle int32 = iota
	serveStarted
	serveForgone
)

// A serveCall is one request through a Handler. done orders the handler
// before everything the Handler does after it: the fallback handler and
// the 503 never write while the handler may.
type serveCall struct {
	h    *Handler
	name string
	r    *http.Request
	rw   *responseWriter

	state    atomic.Int32
	done     chan struct{} // closed when the handler has returned or will never run
	panicked *hystrix.PanicError
	ret      error // what the run returned, read after done

	fellBack bool // on the caller's goroutine only
}

func (c *serveCall) run(ctx context.Context) (err error) {
	if !c.state.CompareAndSwap(serveIdle, serveStarted) {
		return errForgone
	}
	defer close(c.done)
	defer func() {
		if v := recover(); v != nil {
			c.panicked = &hystrix.PanicError{Command: c.name, Value: v, Stack: debug.Stack()}
			err = c.panicked
		}
	}()
	r := c.r
	if ctx != r.Context() {
		r = r.WithContext(ctx)
	}
	c.h.next.ServeHTTP(c.rw, r)
	c.ret = c.h.judge(c.rw)
	return c.ret
}

// wait returns once the handler has returned, or makes sure it never runs.
func (c *serveCall) wait() {
	if c.state.CompareAndSwap(serveIdle, serveForgone) {
		close(c.done)
		return
	}
	<-c.done
}

// errResponseStarted is the fallback's error when the handler had begun
// its response, so that the fallback handler could not answer.
var errResponseStarted = errors.New("hystrixhttp: response already started")

func (c *serveCall) fallback(ctx context.Context, cause error) (err error) {
	c.wait()
	if c.panicked != nil {
		return cause
	}
	if c.rw.started() {
		return errResponseStarted
	}
	c.fellBack = true
	defer func() {
		if v := recover(); v != nil {
			c.panicked = &hystrix.PanicError{Command: c.name, Value: v, Stack: debug.Stack()}
			err = c.panicked
		}
	}()
	c.h.fallback.ServeHTTP(c.rw, c.r.WithContext(context.WithValue(ctx, causeKey{}, cause)))
	return nil
}

// judge turns the handler's response into what the run returns to hystrix.
func (h *Handler) judge(rw *responseWriter) error {
	if rw.hijacked && rw.status == 0 {
		return nil
	}
	status := rw.status
	if status == 0 {
		status = http.StatusOK
	}
	switch h.classify(status) {
	case Success:
		return nil
	case BadRequest:
		return hystrix.BadRequest(&StatusError{StatusCode: status})
	}
	return &StatusError{StatusCode: status}
}
