package hystrix

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// funcs holds a command's run and fallback in whichever form the caller gave
// them, so that Do needs no adapting closure (and no allocation).
type funcs struct {
	run  func() error
	runC func(context.Context) error
	// The forms of DoSkip, whose run says itself whether its error is a
	// bad request.
	runSkip   func() (error, bool)
	runSkipC  func(context.Context) (error, bool)
	fallback  func(error) error
	fallbackC func(context.Context, error) error
}

func (f *funcs) hasRun() bool {
	return f.run != nil || f.runC != nil || f.runSkip != nil || f.runSkipC != nil
}

// wantsContext reports whether the run function takes a context.
func (f *funcs) wantsContext() bool { return f.runC != nil || f.runSkipC != nil }
func (f *funcs) hasFallback() bool  { return f.fallback != nil || f.fallbackC != nil }

// callRun runs the run function, turning a panic into a *PanicError; skip
// says the function itself called its error a bad request.
func (f *funcs) callRun(ctx context.Context, name string) (err error, skip bool) {
	defer func() {
		if v := recover(); v != nil {
			err, skip = &PanicError{Command: name, Value: v, Stack: debug.Stack()}, false
		}
	}()
	switch {
	case f.runC != nil:
		return f.runC(ctx), false
	case f.run != nil:
		return f.run(), false
	case f.runSkipC != nil:
		return f.runSkipC(ctx)
	}
	return f.runSkip()
}

// callFallback runs the fallback with the reason it is needed, turning a
// panic into a *PanicError.
func (f *funcs) callFallback(ctx context.Context, name string, cause error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Command: name, Value: v, Stack: debug.Stack()}
		}
	}()
	if f.fallbackC != nil {
		return f.fallbackC(ctx, cause)
	}
	return f.fallback(cause)
}

// execute runs one execution of the named command: it asks the circuit, takes
// a concurrency ticket, runs the function in the command's isolation, falls
// back on error and records the outcome.
func (r *Registry) execute(ctx context.Context, name string, f funcs) error {
	if !f.hasRun() {
		return nilRunError(name)
	}
	c := r.circuitFor(name)
	// An open circuit refuses here, before the call below, to keep the
	// refusal as cheap as it can be.
	if c.period.Load().state == StateOpen {
		if err, ok := c.refuseWithoutClock(ctx, name, f); ok {
			return err
		}
	}
	return r.executeOn(ctx, c, &f)
}

// executeOn is execute on circuit c, found by name or kept by a Command.
func (r *Registry) executeOn(ctx context.Context, c *CircuitBreaker, fp *funcs) error {
	name := c.Name
	f := *fp
	p := c.period.Load()
	if p.state == StateOpen {
		if err, ok := c.refuseWithoutClock(ctx, name, f); ok {
			return err
		}
	}
	s := c.settings.Load()
	start := r.clock.now()

	var (
		err    error
		e      event
		runEnd = start // when the run returned; start if it never ran
		probe  bool
		ok     bool
		limit  = limitUnknown
	)
	switch {
	case ctx.Err() != nil:
		err = ctx.Err()
		e = contextEvent(err)
	default:
		ok, probe = c.admit(p, start)
		if !ok {
			err, e = errCircuitOpen, eventShortCircuit
			break
		}
		own := (*ownPolicies)(nil)
		limit = s.MaxConcurrentRequests
		if s.Limit != nil {
			limit, own = c.limitFor(s)
		}
		inFlight := c.pool.acquire(limit, start)
		switch {
		case inFlight == 0:
			err, e = errMaxConcurrency, eventRejected
		case s.Isolation == CallerIsolation:
			err, e, runEnd = runOnCaller(ctx, c, s, p, &f, probe, start)
		default:
			var handedOff bool
			err, e, runEnd, handedOff = runOnGoroutine(ctx, c, s, p, &f, probe, start)
			probe = probe && !handedOff
		}
		if own != nil && inFlight > 0 {
			c.recordLimit(own, e, start, runEnd, runEnd-start, inFlight)
		}
	}

	// The clock is read once more only when a fallback ran: otherwise the
	// execution ended when its run did. A bad request is the caller's to
	// handle: it gets the error as it is.
	end := runEnd
	var fb event
	if err != nil && e != eventBadRequest && f.hasFallback() {
		err, fb = fallBack(ctx, name, &f, err)
		end = r.clock.now()
	}

	c.recordWithLimit(s, p, e, fb, start, end, time.Duration(runEnd-start), limit)
	if probe {
		c.probeDone(p, e.outcome(), start, end, time.Duration(runEnd-start))
	}
	return err
}

// fallBack runs the fallback, if there is one, for an execution that ended
// with err, and returns the call's result and the fallback's event.
func fallBack(ctx context.Context, name string, f *funcs, err error) (error, event) {
	if !f.hasFallback() {
		return err, eventNone
	}
	if ferr := f.callFallback(ctx, name, err); ferr != nil {
		return &FallbackError{RunErr: err, FallbackErr: ferr}, eventFallbackFailure
	}
	return nil, eventFallbackSuccess
}

// classify turns what the run function returned into the execution's
// outcome. An error while the caller's context is done is the caller's
// doing, not the dependency's.
func (c *CircuitBreaker) classify(ctx context.Context, s *Settings, err error, skip bool) (error, event) {
	// The caller's end comes first, also over a nil from the run: a caller
	// whose context ended while its command ran gets that context's error
	// (as DoC promises, and as goroutine isolation answers at once), and
	// a result that came after it was given up on says nothing of health.
	if cerr := ctx.Err(); cerr != nil {
		return cerr, contextEvent(cerr)
	}
	if err == nil {
		return nil, eventSuccess
	}
	if skip || c.badRequest(err, s) {
		return err, eventBadRequest
	}
	return err, eventFailure
}

// badRequest reports whether err is a bad request for settings s.
func (c *CircuitBreaker) badRequest(err error, s *Settings) bool {
	if _, ok := err.(*PanicError); ok {
		return false
	}
	if IsBadRequest(err) {
		return true
	}
	return s.IsBadRequest != nil && c.classifyUser(err, s.IsBadRequest)
}

// classifyUser asks the command's classifier, which is user code.
func (c *CircuitBreaker) classifyUser(err error, ec ErrorClassifier) (bad bool) {
	defer func() {
		if v := recover(); v != nil {
			c.reg.reportPanic("an IsBadRequest classifier", c.Name, v)
			bad = false
		}
	}()
	return ec.IsBadRequest(err)
}

// runOnCaller runs the function on the calling goroutine and returns its
// outcome and when it returned. The timeout reaches the function only
// through its context.
func runOnCaller(ctx context.Context, c *CircuitBreaker, s *Settings, p *period, f *funcs, probe bool, start int64) (error, event, int64) {
	returned := false
	defer func() {
		if !returned {
			c.runExited(s, p, probe, start)
		}
	}()
	err, e, runEnd := runOnCallerFor(ctx, c, s, f, start)
	returned = true
	return err, e, runEnd
}

// runExited accounts for a caller-isolated run function that called
// runtime.Goexit, as its goroutine unwinds: the ticket goes back and the
// execution is a failure, since nothing else will record it.
func (c *CircuitBreaker) runExited(s *Settings, p *period, probe bool, start int64) {
	c.pool.tickets.release()
	end := c.clock().now()
	c.record(s, p, eventFailure, eventNone, start, end, time.Duration(end-start))
	if probe {
		c.probeDone(p, policy.Failure, start, end, time.Duration(end-start))
	}
}

func runOnCallerFor(ctx context.Context, c *CircuitBreaker, s *Settings, f *funcs, start int64) (error, event, int64) {
	k := c.clock()
	if s.Timeout <= 0 || !f.wantsContext() {
		// A function without a context cannot be told of the timeout, so
		// none is made for it: it timed out when it ran past it, which the
		// clock reads at its end say as a timer would have.
		err, skip := f.callRun(ctx, c.Name)
		runEnd := k.now()
		c.pool.tickets.release()
		if s.Timeout > 0 && runEnd-start >= int64(s.Timeout) && ctx.Err() == nil {
			return errTimeout, eventTimeout, runEnd
		}
		err, e := c.classify(ctx, s, err, skip)
		return err, e, runEnd
	}
	var (
		tctx   context.Context
		cancel func()
	)
	if k.system {
		tctx, cancel = context.WithTimeout(ctx, s.Timeout)
	} else {
		tctx, cancel = clockTimeout(ctx, k, s.Timeout)
	}
	err, skip := f.callRun(tctx, c.Name)
	runEnd := k.now()
	timedOut := tctx.Err() != nil && ctx.Err() == nil
	cancel()
	c.pool.tickets.release()
	if timedOut {
		return errTimeout, eventTimeout, runEnd
	}
	err, e := c.classify(ctx, s, err, skip)
	return err, e, runEnd
}

// clockTimeout is context.WithTimeout on a registry's own clock: the
// context ends when the clock passes the timeout, or with its parent.
func clockTimeout(parent context.Context, k *clock, timeout time.Duration) (context.Context, func()) {
	rc := newRunContext(parent, k, timeout)
	timer := k.afterFunc(timeout, func() { rc.cancel(context.DeadlineExceeded) })
	stop := context.AfterFunc(parent, func() { rc.cancel(parent.Err()) })
	return rc, func() {
		timer.Stop()
		stop()
		rc.cancel(context.Canceled)
	}
}

func durationOf(ns int64) time.Duration { return time.Duration(ns) }
