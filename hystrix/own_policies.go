package hystrix

import (
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// ownPolicies are the policy instances a circuit made for itself from its
// settings: a recovery that keeps state per circuit (policy.PerCircuit) and
// an adaptive concurrency limiter. They are kept while the settings'
// policy values stay the same, so that a ConfigureCommand that changes only
// a timeout does not forget what they learned.
type ownPolicies struct {
	s        *Settings
	recovery policy.Recovery
	limiter  policy.Limiter
	// trusted says limiter is a built-in, called without a guard.
	trusted bool
	// fastLimiter is the limiter, when it is trusted and records fast.
	fastLimiter policy.FastLimiter
}

// ownFor returns the circuit's own policies for settings s, making them on
// first use of s; it calls policies, so no lock may be held.
func (c *CircuitBreaker) ownFor(s *Settings) *ownPolicies {
	old := c.own.Load()
	if old != nil && old.s == s {
		return old
	}
	next := &ownPolicies{s: s}
	rec := recoveryOf(s)
	switch {
	case old != nil && samePolicy(recoveryOf(old.s), rec):
		next.recovery = old.recovery
	default:
		next.recovery = c.forCircuit(rec)
	}
	if s.Limit != nil {
		if old != nil && old.limiter != nil && samePolicy(old.s.Limit, s.Limit) {
			next.limiter = old.limiter
		} else {
			next.limiter = c.newLimiter(s.Limit)
		}
		next.trusted = policy.IsBuiltin(next.limiter)
		if next.trusted {
			next.fastLimiter, _ = next.limiter.(policy.FastLimiter)
		}
	}
	if c.own.CompareAndSwap(old, next) {
		return next
	}
	// Another caller made them for newer settings meanwhile, or for the
	// same: either way theirs stand.
	if cur := c.own.Load(); cur.s == s {
		return cur
	}
	return next
}

// recoveryFor is the recovery the circuit uses with settings s.
func (c *CircuitBreaker) recoveryFor(s *Settings) policy.Recovery { return c.ownFor(s).recovery }

// forCircuit returns rec's instance for this circuit, if it keeps one.
func (c *CircuitBreaker) forCircuit(rec policy.Recovery) (out policy.Recovery) {
	pc, ok := rec.(policy.PerCircuit)
	if !ok {
		return rec
	}
	out = rec
	defer c.policyPanicked("ForCircuit")
	if r := pc.ForCircuit(); r != nil {
		return r
	}
	return rec
}

// newLimiter makes the circuit's limiter; one that panics or returns nil
// leaves the circuit on its fixed limit.
func (c *CircuitBreaker) newLimiter(lp policy.LimitPolicy) (l policy.Limiter) {
	defer c.policyPanicked("NewLimiter")
	return lp.NewLimiter(unixTime(c.clock().now()))
}

// limitFor returns the concurrency limit in force with settings s, and the
// limiter that sets it (nil for the fixed MaxConcurrentRequests).
func (c *CircuitBreaker) limitFor(s *Settings) (int, *ownPolicies) {
	if s.Limit == nil {
		return s.MaxConcurrentRequests, nil
	}
	own := c.ownFor(s)
	if own.limiter == nil {
		return s.MaxConcurrentRequests, nil
	}
	n := 1
	if own.trusted {
		n = own.limiter.Limit()
	} else {
		n = c.callLimit(own.limiter)
	}
	return max(n, 1), own
}

// callLimit: a panic means a limit of 1, the least that still lets the
// dependency be tried.
func (c *CircuitBreaker) callLimit(l policy.Limiter) (n int) {
	n = 1
	defer c.policyPanicked("Limit")
	return l.Limit()
}

// recordLimit tells the limiter of one execution that held a ticket.
func (c *CircuitBreaker) recordLimit(own *ownPolicies, e event, start, end int64, run int64, inFlight int64) {
	if own.fastLimiter != nil {
		own.fastLimiter.RecordFast(e.outcome(), durationOf(run), int(inFlight))
		return
	}
	r := policy.Result{Outcome: e.outcome(), Start: unixTime(start), End: unixTime(end), Duration: durationOf(run)}
	if own.trusted {
		own.limiter.Record(r, int(inFlight))
		return
	}
	defer c.policyPanicked("Record")
	own.limiter.Record(r, int(inFlight))
}

// ConcurrencyLimit returns how many executions may hold a ticket now: the
// fixed MaxConcurrentRequests, or the current limit of an adaptive one; -1
// means no bound.
func (c *CircuitBreaker) ConcurrencyLimit() int {
	n, _ := c.limitFor(c.settings.Load())
	return n
}

// samePolicy reports whether two policy values are the same, without
// panicking on types that cannot be compared.
func samePolicy(a, b any) bool {
	return policy.Same(a, b)
}

// SlowCallPercent returns the share of slow calls that a closed circuit on
// the slow-call rate sees in its window now, and whether it tracks them.
func (c *CircuitBreaker) SlowCallPercent() (float64, bool) {
	p := c.period.Load()
	sr, ok := p.tripper.(policy.SlowCallReporter)
	if p.state != StateClosed || !ok {
		return 0, false
	}
	return c.callSlowCallPercent(sr), true
}

func (c *CircuitBreaker) callSlowCallPercent(sr policy.SlowCallReporter) (pct float64) {
	defer c.policyPanicked("SlowCallPercent")
	return sr.SlowCallPercent(unixTime(c.clock().now()))
}

// ThrottlePercent returns the share of calls that a closed circuit on
// adaptive throttling refuses now, from 0 to 100, and whether it throttles.
func (c *CircuitBreaker) ThrottlePercent() (float64, bool) {
	p := c.period.Load()
	tr, ok := p.tripper.(policy.ThrottleReporter)
	if p.state != StateClosed || !ok {
		return 0, false
	}
	return c.callRejectProbability(tr) * 100, true
}

func (c *CircuitBreaker) callRejectProbability(tr policy.ThrottleReporter) (p float64) {
	defer c.policyPanicked("RejectProbability")
	return tr.RejectProbability(unixTime(c.clock().now()))
}
