package hystrix

import (
	"context"
	"sync/atomic"
	"time"
)

// While a circuit is open, refusing a call reads no clock. A one-shot timer,
// armed when the circuit opens, marks when the next probe is due; until it
// fires, a call is refused on two atomic loads. The refusals, and the
// results of their fallbacks, are counted in atomics that the rolling window
// takes in at its next read (Metrics, the event stream) or state change,
// under the second of that moment: at most a sleep window, or one
// publishing interval of a running stream, later than they happened.
// Nothing runs in the background: the timer fires once per opening.
type openState struct {
	probeDue atomic.Bool
	timer    stopper       // guarded by CircuitBreaker.mu
	timerGen atomic.Uint64 // tells a stopped timer's late firing apart
	pending  struct {
		shortCircuits, fallbackSuccesses, fallbackFailures atomic.Int64
	}
}

// armProbeLocked makes the next probe due in d; callers hold c.mu.
func (c *CircuitBreaker) armProbeLocked(d time.Duration) {
	c.stopProbeLocked()
	gen := c.open.timerGen.Load()
	c.open.timer = afterFunc(d, func() {
		if c.open.timerGen.Load() == gen {
			c.open.probeDue.Store(true)
		}
	})
}

// stopProbeLocked disarms the probe timer; callers hold c.mu.
func (c *CircuitBreaker) stopProbeLocked() {
	c.open.timerGen.Add(1)
	c.open.probeDue.Store(false)
	if c.open.timer != nil {
		c.open.timer.Stop()
		c.open.timer = nil
	}
}

// rearmLocked re-arms the probe timer of a circuit that is not closed for
// settings s, at time t; callers hold c.mu.
func (c *CircuitBreaker) rearmLocked(t int64, s *Settings) {
	st := State(c.state.Load())
	if st == StateClosed {
		return
	}
	if left := c.openedAt.Load() + waitLimit(st, s) - t; left > 0 {
		c.armProbeLocked(time.Duration(left))
		return
	}
	c.stopProbeLocked()
	c.open.probeDue.Store(true)
}

// refusesWithoutClock reports whether the circuit refuses executions and
// no probe is due, so that a call can be refused without reading the clock.
func (c *CircuitBreaker) refusesWithoutClock() bool {
	return c.state.Load() != int32(StateClosed) && !c.open.probeDue.Load()
}

// refuseWithoutClock refuses the execution if it can do so without the
// clock: when the caller's context is live and nobody needs the refusal's
// duration.
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
	p := &c.open.pending
	p.shortCircuits.Add(1)
	switch fb {
	case eventFallbackSuccess:
		p.fallbackSuccesses.Add(1)
	case eventFallbackFailure:
		p.fallbackFailures.Add(1)
	}
	if len(c.collectors) > 0 {
		c.updateCollectors(c.settings.Load(), eventShortCircuit, fb, 0, 0)
	}
	return err
}

// foldPending adds the refusals counted without the clock to the rolling
// window, under second sec.
func (c *CircuitBreaker) foldPending(sec int64) {
	p := &c.open.pending
	if n := p.shortCircuits.Swap(0); n > 0 {
		v := float64(n)
		c.metrics.NumRequests().AddUnix(sec, v)
		c.metrics.Errors().AddUnix(sec, v)
		c.metrics.ShortCircuits().AddUnix(sec, v)
	}
	if n := p.fallbackSuccesses.Swap(0); n > 0 {
		c.metrics.FallbackSuccesses().AddUnix(sec, float64(n))
	}
	if n := p.fallbackFailures.Swap(0); n > 0 {
		c.metrics.FallbackFailures().AddUnix(sec, float64(n))
	}
}

// dropPending forgets uncounted refusals, for a circuit whose window is
// being cleared.
func (c *CircuitBreaker) dropPending() {
	p := &c.open.pending
	p.shortCircuits.Store(0)
	p.fallbackSuccesses.Store(0)
	p.fallbackFailures.Store(0)
}
