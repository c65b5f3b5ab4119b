package hystrix

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// CircuitBreaker tracks the health of one command and decides whether its
// executions may run. Get one with GetCircuit; it is safe for concurrent use.
//
// A circuit is closed while the command is healthy. It opens when the
// rolling ten-second window holds at least RequestVolumeThreshold executions
// and ErrorPercentThreshold percent of them or more were errors. While open
// it refuses executions with ErrCircuitOpen. After SleepWindow it turns
// half-open and lets exactly one probe run: a success closes it and clears
// its metrics, anything else opens it for another SleepWindow. Only a probe
// still running after its timeout and another SleepWindow is given up on
// and replaced by a new one. While open, a call is refused without reading
// the clock (see open_state.go).
type CircuitBreaker struct {
	// Name is the command's name.
	Name string

	// The fields every call reads come first, to share cache lines.
	gen        uint64 // reg.gen when the circuit was made
	settings   atomic.Pointer[Settings]
	state      atomic.Int32 // a State
	metrics    *metricCollector.DefaultMetricCollector
	collectors []*lockedCollector
	// openedAt is when the circuit last opened or admitted a probe, in Unix
	// nanoseconds.
	openedAt atomic.Int64
	// lastErrorSec is the Unix second of the latest error, so that a
	// success need not recompute health unless errors are in the window.
	lastErrorSec atomic.Int64

	pool executorPool
	open openState

	// mu serializes state transitions; the call path reads state without it.
	mu sync.Mutex
	// openedByHealth says the health check opened the circuit, with
	// openRequests executions in its window of which openErrors were
	// errors; a failed probe clears it. Guarded by mu.
	openedByHealth           bool
	openRequests, openErrors float64
}

// State is where a circuit is in its cycle.
type State int32

const (
	// StateClosed lets every execution run.
	StateClosed State = iota
	// StateOpen refuses executions until the sleep window has passed.
	StateOpen
	// StateHalfOpen lets one probe run and refuses everything else.
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

func newCircuitBreaker(name string, s *Settings, def *metricCollector.DefaultMetricCollector, others []*lockedCollector, t *tickets) *CircuitBreaker {
	c := &CircuitBreaker{Name: name, metrics: def, collectors: others}
	c.settings.Store(s)
	c.pool.tickets = t
	return c
}

// State returns the circuit's current state.
func (c *CircuitBreaker) State() State { return State(c.state.Load()) }

// Settings returns the circuit's current settings.
func (c *CircuitBreaker) Settings() Settings { return *c.settings.Load() }

// Metrics returns the collector that the circuit judges its health by, up
// to date with the calls refused while open.
func (c *CircuitBreaker) Metrics() *metricCollector.DefaultMetricCollector {
	c.foldPending(now() / int64(time.Second))
	return c.metrics
}

// ActiveCount returns how many executions hold a concurrency ticket now,
// timed-out runs that have not yet returned included.
func (c *CircuitBreaker) ActiveCount() int { return int(c.pool.tickets.n.Load()) }

// IsOpen reports whether the circuit refuses executions, first opening it if
// its metrics show it unhealthy. A half-open circuit counts as open.
func (c *CircuitBreaker) IsOpen() bool {
	if c.State() != StateClosed {
		return true
	}
	c.checkHealth(now())
	return c.State() != StateClosed
}

// AllowRequest reports whether an execution may run now. On an open circuit
// whose sleep window has passed, it admits one probe and turns the circuit
// half-open; report the probe's result with ReportEvent.
func (c *CircuitBreaker) AllowRequest() bool {
	if c.IsOpen() {
		ok, _ := c.allow(now(), c.settings.Load())
		return ok
	}
	return true
}

// allow decides whether an execution starting at t may run and whether it
// is the half-open probe. s is the settings the execution started with; the
// decision to admit a probe is taken again under the lock with the settings
// in force then.
func (c *CircuitBreaker) allow(t int64, s *Settings) (ok, probe bool) {
	if c.state.Load() == int32(StateClosed) {
		return true, false
	}
	if t-c.openedAt.Load() <= waitLimit(State(c.state.Load()), s) {
		return false, false
	}
	c.mu.Lock()
	st := State(c.state.Load())
	if st == StateClosed {
		c.mu.Unlock()
		return true, false
	}
	cur := c.settings.Load()
	if t-c.openedAt.Load() <= waitLimit(st, cur) {
		c.mu.Unlock()
		return false, false
	}
	c.foldPending(t / int64(time.Second))
	c.openedAt.Store(t)
	c.state.Store(int32(StateHalfOpen))
	c.armProbeLocked(time.Duration(waitLimit(StateHalfOpen, cur)))
	c.mu.Unlock()
	logf("hystrix-go: allowing a single probe to possibly close circuit %v", c.Name)
	return true, true
}

// waitLimit is how long, in nanoseconds since openedAt, a circuit in state
// st refuses executions. An open circuit waits out the sleep window. A
// half-open one waits for its probe, which reports back by its timeout at
// the latest; only a probe that outlives its timeout and a further sleep
// window (a function that ignores its context, or a caller of AllowRequest
// that never reports) is given up on and replaced. Settings keep both below
// 2^62 ns, so the sum does not overflow.
func waitLimit(st State, s *Settings) int64 {
	limit := int64(s.SleepWindow)
	if st == StateHalfOpen && s.Timeout > 0 {
		limit += int64(s.Timeout)
	}
	return limit
}

// probeDone moves a half-open circuit on once its probe, admitted at
// admittedAt, has finished with outcome e.
func (c *CircuitBreaker) probeDone(admittedAt, t int64, e event) {
	c.mu.Lock()
	if State(c.state.Load()) != StateHalfOpen || c.openedAt.Load() != admittedAt {
		// A later probe superseded this one, or the circuit moved on.
		c.mu.Unlock()
		return
	}
	switch {
	case e == eventSuccess:
		c.closeLocked()
		c.mu.Unlock()
		c.onClosed()
		return
	case e.callerEnded() || e == eventRejected:
		// The caller gave up, or the probe never ran for want of a
		// concurrency ticket: that says nothing about the dependency, so
		// let the next call probe at once.
		c.foldPending(t / int64(time.Second))
		c.state.Store(int32(StateOpen))
		c.openedAt.Store(t - int64(c.settings.Load().SleepWindow) - 1)
		c.stopProbeLocked()
		c.open.probeDue.Store(true)
	default:
		c.foldPending(t / int64(time.Second))
		c.state.Store(int32(StateOpen))
		c.openedAt.Store(t)
		c.openedByHealth = false
		c.armProbeLocked(c.settings.Load().SleepWindow)
	}
	c.mu.Unlock()
}

// checkHealth opens a closed circuit whose window at t holds enough
// executions with too many errors, judged by the settings in force.
func (c *CircuitBreaker) checkHealth(t int64) {
	if c.state.Load() != int32(StateClosed) {
		return
	}
	requests, errs := c.executions(t / int64(time.Second))
	if !unhealthy(requests, errs, c.settings.Load()) {
		return
	}
	c.mu.Lock()
	// Settings a ConfigureCommand stored before taking the lock are seen
	// here; one that comes later re-judges the circuit itself.
	s := c.settings.Load()
	opened := c.state.Load() == int32(StateClosed) && unhealthy(requests, errs, s)
	if opened {
		c.openedAt.Store(t)
		c.state.Store(int32(StateOpen))
		c.openedByHealth = true
		c.openRequests, c.openErrors = requests, errs
		c.armProbeLocked(s.SleepWindow)
	}
	c.mu.Unlock()
	if opened {
		logf("hystrix-go: opening circuit %v", c.Name)
	}
}

// executions returns how many executions the window at second sec holds
// and how many of them were errors, leaving out the calls refused while
// the circuit was open: those say nothing about the dependency. A circuit
// that closes after a probe starts with an empty window, so this matters
// only for one that ConfigureCommand closed (rejudge), which keeps it.
func (c *CircuitBreaker) executions(sec int64) (requests, errs float64) {
	sc := c.metrics.ShortCircuits().SumUnix(sec)
	return c.metrics.NumRequests().SumUnix(sec) - sc, c.metrics.Errors().SumUnix(sec) - sc
}

// unhealthy reports whether a window of requests executions, errs of them
// errors, opens a circuit with settings s.
func unhealthy(requests, errs float64, s *Settings) bool {
	if requests <= 0 || uint64(requests) < s.RequestVolumeThreshold {
		return false
	}
	return int(errs/requests*100+0.5) >= s.ErrorPercentThreshold
}

// rejudge applies new settings s at time t to a live circuit: a closed
// one that they find unhealthy opens, an open one that the health check
// opened (not a failed probe) and that they would not have opened, judged
// on the executions that opened it, closes with its window kept, and an
// open one's next probe moves with the new sleep window. A half-open
// circuit waits for its probe.
func (c *CircuitBreaker) rejudge(t int64, s *Settings) {
	c.mu.Lock()
	st := State(c.state.Load())
	if st == StateOpen && c.openedByHealth && !unhealthy(c.openRequests, c.openErrors, s) {
		// Close as if it had never opened: the window keeps the executions
		// it holds, to be judged by these settings and any later ones, as
		// hystrix-go judges them lazily at the next call.
		c.foldPending(t / int64(time.Second))
		c.state.Store(int32(StateClosed))
		c.stopProbeLocked()
		c.mu.Unlock()
		logf("hystrix-go: closing circuit %v", c.Name)
		return
	}
	c.rearmLocked(t, s)
	c.mu.Unlock()
	if st == StateClosed {
		c.checkHealth(t)
	}
}

func (c *CircuitBreaker) closeLocked() {
	c.state.Store(int32(StateClosed))
	c.lastErrorSec.Store(0)
	c.stopProbeLocked()
	c.dropPending()
}

// onClosed clears the metrics of a circuit that just closed, so that the
// errors that opened it do not open it again; called without c.mu held.
func (c *CircuitBreaker) onClosed() {
	logf("hystrix-go: closing circuit %v", c.Name)
	c.resetCollectors()
}

func (c *CircuitBreaker) resetCollectors() {
	c.metrics.Reset()
	for _, l := range c.collectors {
		l.reset()
	}
}

// ReportEvent records an execution that ran outside Do and Go, for callers
// that drive the circuit themselves with AllowRequest. eventTypes holds the
// outcome ("success", "failure", "rejected", "short-circuit", "timeout",
// "context_canceled" or "context_deadline_exceeded") and optionally a
// fallback result ("fallback-success" or "fallback-failure"), as hystrix-go
// reports them. A success closes an open circuit.
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
	t := now()
	if e == eventSuccess && c.State() != StateClosed {
		c.mu.Lock()
		wasOpen := c.state.Load() != int32(StateClosed)
		if wasOpen {
			c.closeLocked()
		}
		c.mu.Unlock()
		if wasOpen {
			c.onClosed()
		}
	}
	c.record(c.settings.Load(), e, fb, start.UnixNano(), t, runDuration)
	return nil
}
