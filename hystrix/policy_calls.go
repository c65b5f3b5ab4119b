package hystrix

import (
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// The engine calls its policies through these, with no lock held: a policy
// may be the program's own, so a panic in it is recovered and reported, and
// the circuit goes on with the safest answer (see each).

func (c *CircuitBreaker) policyPanicked(what string) {
	if v := recover(); v != nil {
		c.reg.reportPanic("a policy's "+what, c.Name, v)
	}
}

// newTripper begins a closed period with s's opener; one that panics or
// returns nil gets hystrix's error percentage.
func (c *CircuitBreaker) newTripper(s *Settings, t int64, w policy.Window) (tr policy.Tripper) {
	op := openerOf(s)
	if policy.IsBuiltin(op) {
		return op.Closed(unixTime(t), w)
	}
	defer func() {
		if v := recover(); v != nil {
			c.reg.reportPanic("a policy's Closed", c.Name, v)
		}
		if tr == nil {
			tr = policy.ErrorPercent{Threshold: s.ErrorPercentThreshold, Volume: s.RequestVolumeThreshold}.Closed(unixTime(t), w)
		}
	}()
	return op.Closed(unixTime(t), w)
}

// callRecord: a panic opens nothing.
func (c *CircuitBreaker) callRecord(tr policy.Tripper, r policy.Result) bool {
	defer c.policyPanicked("Record")
	return tr.Record(r)
}

// callCheck: a panic opens nothing.
func (c *CircuitBreaker) callCheck(tr policy.Tripper, t int64) bool {
	defer c.policyPanicked("Check")
	return tr.Check(unixTime(t))
}

// callAllow: a panic lets the execution run, as a closed circuit does.
func (c *CircuitBreaker) callAllow(th policy.Throttle, t int64) (ok bool) {
	ok = true
	defer c.policyPanicked("Allow")
	return th.Allow(unixTime(t))
}

func (c *CircuitBreaker) callAddCounts(cr policy.CountReporter, counts *policy.Counts) {
	defer c.policyPanicked("AddCounts")
	cr.AddCounts(counts)
}

// callOpened: a panic, or a negative duration, means the sleep window.
func (c *CircuitBreaker) callOpened(s *Settings, t int64, reopened int) (d time.Duration) {
	d = s.SleepWindow
	defer c.policyPanicked("Opened")
	if got := c.recoveryFor(s).Opened(unixTime(t), reopened); got >= 0 {
		return got
	}
	return d
}

// callHalfOpened: a panic, or no trial, means hystrix's single probe.
func (c *CircuitBreaker) callHalfOpened(s *Settings, t int64) (tr policy.Trial) {
	defer func() {
		if v := recover(); v != nil {
			c.reg.reportPanic("a policy's HalfOpened", c.Name, v)
		}
		if tr == nil {
			tr = policy.SingleProbe{SleepWindow: s.SleepWindow, GiveUp: giveUpAfter(s)}.HalfOpened(unixTime(t))
		}
	}()
	return c.recoveryFor(s).HalfOpened(unixTime(t))
}

// callAdmit: a panic refuses the execution.
func (c *CircuitBreaker) callAdmit(tr policy.Trial, t int64) bool {
	defer c.policyPanicked("Admit")
	return tr.Admit(unixTime(t))
}

// callDone: a panic decides nothing.
func (c *CircuitBreaker) callDone(tr policy.Trial, r policy.Result) policy.Verdict {
	defer c.policyPanicked("Done")
	return tr.Done(r)
}

// callTick: a panic decides nothing and stops the ticks.
func (c *CircuitBreaker) callTick(tk policy.Ticker, t int64) (policy.Verdict, time.Duration) {
	defer c.policyPanicked("Tick")
	return tk.Tick(unixTime(t))
}

func (c *CircuitBreaker) ratePerMinute(p *period, t int64) (rate float64, ok bool) {
	defer c.policyPanicked("PerMinute")
	return p.rate.PerMinute(unixTime(t)), true
}
