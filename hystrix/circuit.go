package hystrix

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// CircuitBreaker tracks the health of one command and decides whether its
// executions may run. Get one with GetCircuit; it is safe for concurrent use.
//
// A circuit is closed while the command is healthy; its opener (by default
// the error percentage: the rolling ten-second window holds at least
// RequestVolumeThreshold executions and ErrorPercentThreshold percent of
// them or more were errors) decides when it opens. While open it refuses
// executions with ErrCircuitOpen, without reading the clock, until a timer
// turns it half-open after the time its recovery gives (by default
// SleepWindow). Half-open, the recovery admits probes and decides: by
// default exactly one probe runs, a success closes the circuit and clears
// its metrics, and a failure opens it for another SleepWindow.
//
// Each stretch between two transitions is a period with a generation of its
// own. An execution belongs to the period that admitted it, and its result
// can move only that period: a late success does not close a circuit that
// has reopened since, a late failure does not open one that has closed.
type CircuitBreaker struct {
	// Name is the command's name.
	Name string

	// The fields every call reads come first, to share cache lines.
	reg        *Registry
	gen        uint64 // reg.gen when the circuit was made
	settings   atomic.Pointer[Settings]
	period     atomic.Pointer[period]
	metrics    *metricCollector.DefaultMetricCollector
	collectors []*lockedCollector

	pool executorPool
	// own holds the policy instances the circuit made for itself.
	own atomic.Pointer[ownPolicies]
	// pending counts the refusals of an open circuit, made without the
	// clock, until the window takes them in (foldPending).
	pending refusalCounts

	// mu serializes transitions; the call path reads period without it.
	// No user code runs with it held.
	mu sync.Mutex
	// timer is the period's timer: an open period's end, or a half-open
	// period's next tick. Guarded by mu.
	timer Timer
	// reopened counts the openings since the circuit was last closed.
	// Guarded by mu.
	reopened int
	// retired is set when Flush forgot the circuit: it makes no more
	// timers. Guarded by mu.
	retired bool
	// windowStart is when the default collector's window began, in Unix
	// nanoseconds: when the circuit was made, or when closing after a
	// probe last cleared its metrics. The stream reports from it how much
	// of the window the counts cover.
	windowStart atomic.Int64
}

// period is one stretch of a circuit's life between two transitions. It
// never changes once published, except through the policy objects it
// holds, so the call path reads it with one atomic load.
type period struct {
	// What every call reads comes first, to share one cache line: the
	// state, and in a closed period the throttle and the tripper's fast
	// form. trusted says the tripper is a built-in, called without a
	// guard.
	state    State
	trusted  bool
	fast     policy.FastTripper // the tripper, when trusted and it is one
	throttle policy.Throttle    // the tripper, if it is one
	tripper  policy.Tripper     // what judges a closed period

	gen   uint64
	since int64 // Unix nanoseconds
	// forced says ForceOpen or ForceClosed made it: a forced open period
	// has no timer, a forced closed one no tripper.
	forced bool

	// Open: whether the opener opened it (not a failed trial), and the
	// counts that did.
	byTrip bool
	counts policy.Counts
	// Half-open: the recovery's trial, and its rate if it reports one.
	trial policy.Trial
	rate  policy.RateReporter
	// single says the trial is SingleProbe's, for the log line.
	single bool
}

// State is where a circuit is in its cycle.
type State int32

const (
	// StateClosed lets every execution run.
	StateClosed State = iota
	// StateOpen refuses executions until its recovery's open time has
	// passed.
	StateOpen
	// StateHalfOpen lets the executions its recovery admits run, as
	// probes, and refuses the others.
	StateHalfOpen
)

// String returns "closed", "open" or "half-open".
func (s State) String() string {
	switch s {
	case StateClosed:
		return "closed"
	case StateOpen:
		return "open"
	case StateHalfOpen:
		return "half-open"
	}
	return "unknown"
}

func newCircuitBreaker(r *Registry, name string, s *Settings, def *metricCollector.DefaultMetricCollector, others []*lockedCollector) *CircuitBreaker {
	c := &CircuitBreaker{Name: name, reg: r, metrics: def, collectors: others}
	c.settings.Store(s)
	c.windowStart.Store(r.clock.now())
	return c
}

func (c *CircuitBreaker) clock() *clock { return &c.reg.clock }

// firstPeriod builds the circuit's first period, before it is published;
// it calls the opener, so no lock may be held.
func (c *CircuitBreaker) firstPeriod(t int64, s *Settings) *period {
	switch {
	case s.ForceOpen:
		return &period{state: StateOpen, since: t, forced: true}
	case s.ForceClosed:
		return &period{state: StateClosed, since: t, forced: true}
	}
	return c.closedPeriod(0, t, c.newTripper(s, t, c))
}

// judgeFirst replaces a new circuit's first period, which judges nothing,
// with one from the command's own opener, now that the circuit is
// published and the opener may ask for it.
func (c *CircuitBreaker) judgeFirst(first *period, t int64, s *Settings) {
	next := c.closedPeriod(0, t, c.newTripper(s, t, c))
	c.mu.Lock()
	if !c.retired && c.period.Load() == first {
		c.period.Store(next)
	}
	c.mu.Unlock()
}

func (c *CircuitBreaker) closedPeriod(gen uint64, t int64, tr policy.Tripper) *period {
	p := &period{gen: gen, state: StateClosed, since: t, tripper: tr, trusted: policy.IsBuiltin(tr)}
	p.throttle, _ = tr.(policy.Throttle)
	if p.trusted {
		p.fast, _ = tr.(policy.FastTripper)
	}
	return p
}

// State returns the circuit's current state. A circuit forced open reports
// StateOpen.
func (c *CircuitBreaker) State() State { return c.period.Load().state }

// Generation returns the count of the circuit's transitions so far.
func (c *CircuitBreaker) Generation() uint64 { return c.period.Load().gen }

// Settings returns the circuit's current settings.
func (c *CircuitBreaker) Settings() Settings { return *c.settings.Load() }

// Metrics returns the collector that the circuit judges its health by, up
// to date with the calls refused while open.
func (c *CircuitBreaker) Metrics() *metricCollector.DefaultMetricCollector {
	c.foldPending(c.clock().now() / int64(time.Second))
	return c.metrics
}

// ActiveCount returns how many executions hold a concurrency ticket now,
// timed-out runs that have not yet returned included.
func (c *CircuitBreaker) ActiveCount() int { return int(c.pool.tickets.n.Load()) }

// AdmittedPerMinute returns the rate at which a half-open circuit whose
// recovery admits executions at a rate (policy.Ramp) admits them now, and
// whether it does.
func (c *CircuitBreaker) AdmittedPerMinute() (float64, bool) {
	p := c.period.Load()
	if p.state != StateHalfOpen || p.rate == nil {
		return 0, false
	}
	return c.ratePerMinute(p, c.clock().now())
}

// IsOpen reports whether the circuit refuses executions, first opening it if
// its opener finds it unhealthy. A half-open circuit counts as open.
func (c *CircuitBreaker) IsOpen() bool {
	p := c.period.Load()
	if p.state != StateClosed {
		return true
	}
	c.checkHealth(p, c.clock().now())
	return c.State() != StateClosed
}

// AllowRequest reports whether an execution may run now. On a half-open
// circuit it asks the recovery to admit a probe; report the probe's result
// with ReportEvent.
func (c *CircuitBreaker) AllowRequest() bool {
	if !c.IsOpen() {
		return true
	}
	ok, _ := c.admit(c.period.Load(), c.clock().now())
	return ok
}

// admit decides whether an execution starting at t in period p may run,
// and whether it is a probe of a half-open period.
func (c *CircuitBreaker) admit(p *period, t int64) (ok, probe bool) {
	switch p.state {
	case StateClosed:
		if p.throttle != nil {
			if p.trusted {
				return p.throttle.Allow(unixTime(t)), false
			}
			return c.callAllow(p.throttle, t), false
		}
		return true, false
	case StateHalfOpen:
		if c.callAdmit(p.trial, t) {
			return true, true
		}
	}
	return false, false
}

// recordOutcome hands one execution admitted in closed period p to its
// tripper and opens the circuit if the tripper says so.
func (c *CircuitBreaker) recordOutcome(p *period, o policy.Outcome, start, end int64, run time.Duration) {
	if p.fast != nil {
		if p.fast.RecordFast(o, end, run) {
			c.trip(p, end)
		}
		return
	}
	if p.tripper == nil {
		return
	}
	r := policy.Result{Outcome: o, Start: unixTime(start), End: unixTime(end), Duration: run}
	var open bool
	if p.trusted {
		open = p.tripper.Record(r)
	} else {
		open = c.callRecord(p.tripper, r)
	}
	if open {
		c.trip(p, end)
	}
}

// checkHealth opens closed period p if its tripper finds it unhealthy at t.
func (c *CircuitBreaker) checkHealth(p *period, t int64) {
	if p.state == StateClosed && p.tripper != nil && c.callCheck(p.tripper, t) {
		c.trip(p, t)
	}
}

// probeDone hands the outcome of a probe admitted in half-open period p to
// its trial and applies the verdict.
func (c *CircuitBreaker) probeDone(p *period, o policy.Outcome, start, end int64, run time.Duration) {
	r := policy.Result{Outcome: o, Start: unixTime(start), End: unixTime(end), Duration: run}
	c.apply(p, c.callDone(p.trial, r), end)
}

// apply carries out a recovery's verdict on period p at t.
func (c *CircuitBreaker) apply(p *period, v policy.Verdict, t int64) {
	switch v {
	case policy.Close:
		c.close(p, t, true, nil)
	case policy.Reopen:
		c.open(p, t, false, c.countsAt(t, nil))
	}
}

// trip opens closed period p at t on its tripper's word.
func (c *CircuitBreaker) trip(p *period, t int64) {
	if c.period.Load() != p {
		return // a result of an earlier period
	}
	c.open(p, t, true, c.countsAt(t, p.tripper))
}

// countsAt returns the window's counts at t and what tr counts itself.
func (c *CircuitBreaker) countsAt(t int64, tr policy.Tripper) policy.Counts {
	counts := c.Counts(unixTime(t))
	if cr, ok := tr.(policy.CountReporter); ok {
		c.callAddCounts(cr, &counts)
	}
	return counts
}

// install replaces period old with next and queues the transition, unless
// old is no longer current; callers hold c.mu.
func (c *CircuitBreaker) installLocked(old, next *period, counts policy.Counts) bool {
	if c.retired || c.period.Load() != old {
		return false
	}
	next.gen = old.gen + 1
	c.foldPending(next.since / int64(time.Second))
	c.period.Store(next)
	c.stopTimerLocked()
	if old.state != next.state {
		c.reg.listeners.enqueue(StateChange{
			Command: c.Name, From: old.state, To: next.state, Generation: next.gen,
			At: unixTime(next.since), Counts: counts, Forced: next.forced || old.forced,
			singleProbe: next.single,
		})
	}
	return true
}

// open moves period old to open at t: byTrip says its opener opened it,
// counts are what caused it.
func (c *CircuitBreaker) open(old *period, t int64, byTrip bool, counts policy.Counts) {
	next := &period{state: StateOpen, since: t, byTrip: byTrip, counts: counts}
	c.mu.Lock()
	if !c.installLocked(old, next, counts) {
		c.mu.Unlock()
		return
	}
	if old.state == StateHalfOpen {
		c.reopened++
	} else {
		c.reopened = 0
	}
	reopened := c.reopened
	c.mu.Unlock()
	c.reg.listeners.deliver()
	c.armOpen(next, c.callOpened(c.settings.Load(), t, reopened))
}

// armOpen arms the timer that ends open period p after d from its start.
func (c *CircuitBreaker) armOpen(p *period, d time.Duration) {
	c.mu.Lock()
	if c.retired || c.period.Load() != p {
		c.mu.Unlock()
		return
	}
	left := time.Duration(p.since + int64(d) - c.clock().now())
	if d > 0 && left > 0 {
		c.stopTimerLocked()
		c.timer = c.clock().afterFunc(left, func() { c.halfOpen(p) })
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.halfOpen(p)
}

// halfOpen turns open period p half-open, when its time is up.
func (c *CircuitBreaker) halfOpen(p *period) {
	if c.period.Load() != p {
		return
	}
	t := c.clock().now()
	s := c.settings.Load()
	tr := c.callHalfOpened(s, t)
	next := &period{state: StateHalfOpen, since: t, trial: tr}
	next.rate, _ = tr.(policy.RateReporter)
	_, next.single = c.recoveryFor(s).(policy.SingleProbe)
	c.mu.Lock()
	ok := c.installLocked(p, next, policy.Counts{})
	c.mu.Unlock()
	if !ok {
		return
	}
	c.reg.listeners.deliver()
	if tk, ok := tr.(policy.Ticker); ok {
		c.tick(next, tk)
	}
}

// tick calls the trial's Tick and applies its verdict, or arms the next.
func (c *CircuitBreaker) tick(p *period, tk policy.Ticker) {
	if c.period.Load() != p {
		return
	}
	t := c.clock().now()
	v, next := c.callTick(tk, t)
	if v != policy.Stay {
		c.apply(p, v, t)
		return
	}
	if next <= 0 {
		return
	}
	c.mu.Lock()
	if !c.retired && c.period.Load() == p {
		c.stopTimerLocked()
		c.timer = c.clock().afterFunc(next, func() { c.tick(p, tk) })
	}
	c.mu.Unlock()
}

// close closes period old at t. reset clears the metrics, as after a probe
// found the dependency healthy; tr, when not nil, is the tripper of the
// new period, made by the caller.
func (c *CircuitBreaker) close(old *period, t int64, reset bool, tr policy.Tripper) {
	s := c.settings.Load()
	var next *period
	switch {
	case s.ForceOpen:
		return
	case s.ForceClosed:
		next = &period{state: StateClosed, since: t, forced: true}
	default:
		if tr == nil {
			tr = c.newTripper(s, t, c)
		}
		next = c.closedPeriod(0, t, tr)
	}
	c.mu.Lock()
	if c.retired || c.period.Load() != old {
		c.mu.Unlock()
		return
	}
	if reset {
		// The window the new period judges by is cleared before the
		// period is published, so that no execution of it is judged on
		// the errors that opened the circuit. The default collector is
		// the library's own; the program's collectors are reset below,
		// with no lock held.
		c.dropPending()
		c.metrics.Reset()
		c.windowStart.Store(t)
	}
	c.installLocked(old, next, policy.Counts{})
	c.reopened = 0
	c.mu.Unlock()
	if reset {
		for _, l := range c.collectors {
			l.reset()
		}
	}
	c.reg.listeners.deliver()
}

// replace installs next in place of whatever period is current, for
// settings that force a state; it reports whether it did.
func (c *CircuitBreaker) replace(next *period) {
	c.mu.Lock()
	ok := c.installLocked(c.period.Load(), next, policy.Counts{})
	c.mu.Unlock()
	if ok {
		c.reg.listeners.deliver()
	}
}

func (c *CircuitBreaker) stopTimerLocked() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

// retire stops the circuit's timer for good, for Flush.
func (c *CircuitBreaker) retire() {
	c.mu.Lock()
	c.retired = true
	c.stopTimerLocked()
	c.mu.Unlock()
}

// reconfigure applies settings s, which replaced prev, at time t to a live
// circuit; see TryConfigureCommand.
func (c *CircuitBreaker) reconfigure(t int64, prev, s *Settings) {
	p := c.period.Load()
	switch {
	case s.ForceOpen:
		if !(p.forced && p.state == StateOpen) {
			c.replace(&period{state: StateOpen, since: t, forced: true})
		}
		return
	case s.ForceClosed:
		if !(p.forced && p.state == StateClosed) {
			c.replace(&period{state: StateClosed, since: t, forced: true})
		}
		return
	case p.forced:
		next := c.closedPeriod(0, t, c.newTripper(s, t, c))
		c.mu.Lock()
		ok := c.installLocked(p, next, policy.Counts{})
		c.mu.Unlock()
		if ok {
			c.reg.listeners.deliver()
			c.checkHealth(next, t)
		}
		return
	}
	switch p.state {
	case StateClosed:
		if prev != nil && samePolicy(openerOf(prev), openerOf(s)) {
			c.checkHealth(p, t)
			return
		}
		// A new opener judges a new period, on the same window.
		next := c.closedPeriod(0, t, c.newTripper(s, t, c))
		c.mu.Lock()
		if c.retired || c.period.Load() != p {
			c.mu.Unlock()
			return
		}
		next.gen = p.gen + 1
		c.period.Store(next)
		c.mu.Unlock()
		c.checkHealth(next, t)
	case StateOpen:
		if p.byTrip {
			// Would the new opener have opened it, on the counts that did?
			snap := fixedWindow(p.counts)
			if !c.callCheck(c.newTripper(s, p.since, snap), p.since) {
				// Close as if it had never opened: the window keeps
				// the executions it holds, to be judged by these
				// settings and any later ones, as hystrix-go judges
				// them lazily at the next call.
				carry := carryWindow{c: c, consecutive: p.counts.ConsecutiveFailures}
				c.close(p, t, false, c.newTripper(s, t, carry))
				return
			}
		}
		c.mu.Lock()
		reopened := c.reopened
		c.mu.Unlock()
		c.armOpen(p, c.callOpened(s, p.since, reopened))
	}
}

// resetCollectors clears the metrics of a circuit that closed after a probe
// found its dependency healthy, so that the errors that opened it do not
// open it again; called with no lock held.
func (c *CircuitBreaker) resetCollectors() {
	c.metrics.Reset()
	for _, l := range c.collectors {
		l.reset()
	}
}

// Counts returns the circuit's rolling counts at t.
func (c *CircuitBreaker) Counts(t time.Time) policy.Counts {
	sec := t.Unix()
	c.foldPending(sec)
	m := c.metrics
	sc := int64(m.ShortCircuits().SumUnix(sec))
	return policy.Counts{
		Requests:      int64(m.NumRequests().SumUnix(sec)) - sc,
		Errors:        int64(m.Errors().SumUnix(sec)) - sc,
		Successes:     int64(m.Successes().SumUnix(sec)),
		Failures:      int64(m.Failures().SumUnix(sec)),
		Timeouts:      int64(m.Timeouts().SumUnix(sec)),
		Rejections:    int64(m.Rejects().SumUnix(sec)),
		ShortCircuits: sc,
		BadRequests:   int64(m.BadRequests().SumUnix(sec)),
	}
}

// Executions returns how many executions the window at t holds and how
// many of them were errors, leaving out the calls refused while the circuit
// was open (they say nothing about the dependency) and bad requests. With
// Counts, it makes the circuit a policy.Window.
func (c *CircuitBreaker) Executions(t time.Time) (requests, errs int64) {
	sec := t.Unix()
	sc := c.metrics.ShortCircuits().SumUnix(sec)
	return int64(c.metrics.NumRequests().SumUnix(sec) - sc), int64(c.metrics.Errors().SumUnix(sec) - sc)
}

// RequestsAtMost bounds the requests of Executions at t from above with one
// counter: every execution and short circuit is a request of the default
// collector, so its count is never lower than requests less short circuits.
func (c *CircuitBreaker) RequestsAtMost(t time.Time) int64 {
	return int64(c.metrics.NumRequests().SumUnix(t.Unix()))
}

// fixedWindow is a window that holds the counts of one moment.
type fixedWindow policy.Counts

func (w fixedWindow) Executions(time.Time) (int64, int64) { return w.Requests, w.Errors }
func (w fixedWindow) Counts(time.Time) policy.Counts      { return policy.Counts(w) }

// carryWindow is a circuit's live window that also reports a run of
// failures carried over from before a re-judged opening.
type carryWindow struct {
	c           *CircuitBreaker
	consecutive int64
}

func (w carryWindow) Executions(t time.Time) (int64, int64) { return w.c.Executions(t) }
func (w carryWindow) RequestsAtMost(t time.Time) int64      { return w.c.RequestsAtMost(t) }
func (w carryWindow) Counts(t time.Time) policy.Counts {
	counts := w.c.Counts(t)
	counts.ConsecutiveFailures = w.consecutive
	return counts
}

// ReportEvent records an execution that ran outside Do and Go, for callers
// that drive the circuit themselves with AllowRequest. eventTypes holds the
// outcome ("success", "failure", "rejected", "short-circuit", "timeout",
// "bad-request", "context_canceled" or "context_deadline_exceeded") and
// optionally a fallback result ("fallback-success" or "fallback-failure"),
// as hystrix-go reports them. A success closes an open circuit.
func (c *CircuitBreaker) ReportEvent(eventTypes []string, start time.Time, runDuration time.Duration) error {
	if len(eventTypes) == 0 {
		return errors.New("hystrix: no event types sent for metrics")
	}
	e, ok := parseEvent(eventTypes[0])
	if !ok || e.isFallback() {
		return fmt.Errorf("hystrix: unknown event type %q", eventTypes[0])
	}
	var fb event
	if len(eventTypes) > 1 {
		if fb, ok = parseEvent(eventTypes[1]); !ok || !fb.isFallback() {
			return fmt.Errorf("hystrix: unknown fallback event type %q", eventTypes[1])
		}
	}
	t := c.clock().now()
	p := c.period.Load()
	if e == eventSuccess && p.state != StateClosed && !p.forced {
		c.close(p, t, true, nil)
		p = c.period.Load()
	}
	c.record(c.settings.Load(), p, e, fb, start.UnixNano(), t, runDuration)
	return nil
}
