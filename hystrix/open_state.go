package hystrix

import "context"

// While a circuit is open, refusing a call reads no clock: the open period
// ends by a one-shot timer (armOpen), so until it fires a call is refused on
// one atomic load. The refusals, and the results of their fallbacks, are
// counted in atomics that the rolling window takes in at its next read
// (Metrics, Counts, the event stream) or transition, under the second of
// that moment: at most one open time, or one publishing interval of a
// running stream, later than they happened. Nothing runs in the background:
// the timer fires once per opening.

// refuseWithoutClock refuses the execution of an open circuit if it can do
// so without the clock: when the caller's context is live and nobody needs
// the refusal's duration.
func (c *CircuitBreaker) refuseWithoutClock(ctx context.Context, name string, f funcs) (error, bool) {
	if ctx.Err() != nil || (f.hasFallback() && len(c.collectors) > 0) {
		return nil, false
	}
	return c.shortCircuit(ctx, name, &f), true
}

// shortCircuit refuses one execution of an open circuit: it runs the
// fallback, if any, and counts the refusal without reading the clock.
// execute takes this path only when nobody needs the refusal's duration:
// without a fallback it is nil, and with one only user collectors would
// read it.
func (c *CircuitBreaker) shortCircuit(ctx context.Context, name string, f *funcs) error {
	err, fb := fallBack(ctx, name, f, errCircuitOpen)
	p := &c.pending
	p.add(refusedShortCircuit)
	switch fb {
	case eventFallbackSuccess:
		p.add(refusedFallbackSuccess)
	case eventFallbackFailure:
		p.add(refusedFallbackFailure)
	}
	if len(c.collectors) > 0 {
		c.updateCollectors(c.settings.Load(), eventShortCircuit, fb, 0, 0)
	}
	return err
}

// foldPending adds the refusals counted without the clock to the rolling
// window, under second sec.
func (c *CircuitBreaker) foldPending(sec int64) {
	p := &c.pending
	if n := p.take(refusedShortCircuit); n > 0 {
		v := float64(n)
		c.metrics.NumRequests().AddUnix(sec, v)
		c.metrics.Errors().AddUnix(sec, v)
		c.metrics.ShortCircuits().AddUnix(sec, v)
	}
	if n := p.take(refusedFallbackSuccess); n > 0 {
		c.metrics.FallbackSuccesses().AddUnix(sec, float64(n))
	}
	if n := p.take(refusedFallbackFailure); n > 0 {
		c.metrics.FallbackFailures().AddUnix(sec, float64(n))
	}
}

// dropPending forgets uncounted refusals, for a circuit whose window is
// being cleared.
func (c *CircuitBreaker) dropPending() {
	c.pending.clear()
}
