package hystrix

import (
	"context"
	"runtime/debug"
	"time"
)

// funcs holds a command's run and fallback in whichever form the caller gave
// them, so that Do needs no adapting closure (and no allocation).
type funcs struct {
	run       func() error
	runC      func(context.Context) error
	fallback  func(error) error
	fallbackC func(context.Context, error) error
}

func (f *funcs) hasRun() bool      { return f.run != nil || f.runC != nil }
func (f *funcs) hasFallback() bool { return f.fallback != nil || f.fallbackC != nil }

// callRun runs the run function, turning a panic into a *PanicError.
func (f *funcs) callRun(ctx context.Context, name string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Command: name, Value: v, Stack: debug.Stack()}
		}
	}()
	if f.runC != nil {
		return f.runC(ctx)
	}
	return f.run()
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
func execute(ctx context.Context, name string, f funcs) error {
	if !f.hasRun() {
		return nilRunError(name)
	}
	c := circuitFor(name)
	if c.refusesWithoutClock() {
		if err, ok := c.refuseWithoutClock(ctx, name, f); ok {
			return err
		}
	}
	s := c.settings.Load()
	start := now()

	var (
		err    error
		e      event
		runEnd = start // when the run returned; start if it never ran
		probe  bool
		ok     bool
	)
	switch {
	case ctx.Err() != nil:
		err = ctx.Err()
		e = contextEvent(err)
	default:
		ok, probe = c.allow(start, s)
		switch {
		case !ok:
			err, e = errCircuitOpen, eventShortCircuit
		case !c.pool.acquire(s.MaxConcurrentRequests, start):
			err, e = errMaxConcurrency, eventRejected
		case s.Isolation == CallerIsolation:
			err, e, runEnd = runOnCaller(ctx, c, s, &f, probe, start)
		default:
			var handedOff bool
			err, e, runEnd, handedOff = runOnGoroutine(ctx, c, s, &f, probe, start)
			probe = probe && !handedOff
		}
	}

	// The clock is read once more only when a fallback ran: otherwise the
	// execution ended when its run did.
	end := runEnd
	var fb event
	if err != nil && f.hasFallback() {
		err, fb = fallBack(ctx, name, &f, err)
		end = now()
	}

	c.record(s, e, fb, start, end, time.Duration(runEnd-start))
	if probe {
		c.probeDone(start, end, e)
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
func classify(ctx context.Context, err error) (error, event) {
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
	return err, eventFailure
}

// runOnCaller runs the function on the calling goroutine and returns its
// outcome and when it returned. The timeout reaches the function only
// through its context.
func runOnCaller(ctx context.Context, c *CircuitBreaker, s *Settings, f *funcs, probe bool, start int64) (error, event, int64) {
	returned := false
	defer func() {
		if !returned {
			c.runExited(s, probe, start)
		}
	}()
	err, e, runEnd := runOnCallerFor(ctx, c, s, f)
	returned = true
	return err, e, runEnd
}

// runExited accounts for a caller-isolated run function that called
// runtime.Goexit, as its goroutine unwinds: the ticket goes back and the
// execution is a failure, since nothing else will record it.
func (c *CircuitBreaker) runExited(s *Settings, probe bool, start int64) {
	c.pool.tickets.release()
	end := now()
	c.record(s, eventFailure, eventNone, start, end, time.Duration(end-start))
	if probe {
		c.probeDone(start, end, eventFailure)
	}
}

func runOnCallerFor(ctx context.Context, c *CircuitBreaker, s *Settings, f *funcs) (error, event, int64) {
	if s.Timeout <= 0 {
		err := f.callRun(ctx, c.Name)
		runEnd := now()
		c.pool.tickets.release()
		err, e := classify(ctx, err)
		return err, e, runEnd
	}
	tctx, cancel := context.WithTimeout(ctx, s.Timeout)
	err := f.callRun(tctx, c.Name)
	runEnd := now()
	timedOut := tctx.Err() != nil && ctx.Err() == nil
	cancel()
	c.pool.tickets.release()
	if timedOut {
		return errTimeout, eventTimeout, runEnd
	}
	err, e := classify(ctx, err)
	return err, e, runEnd
}
