package hystrix

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// A goroutineCall carries one goroutine-isolated execution between the
// caller, the goroutine that runs the function and the timeout timer. It is
// pooled: each of the three holds a reference while it may still touch the
// call, and whichever lets go last returns it, so a run that outlives its
// timeout never sees it reused.
type goroutineCall struct {
	f       funcs
	name    string
	tickets *tickets
	ctx     context.Context // what the run function gets
	runCtx  *runContext     // non-nil when ctx is one of ours
	// wake receives, first come first served, the run's end and the
	// timeout: one channel, so the caller waits with a plain receive
	// rather than a select.
	wake   chan wakeReason
	err    error // the run's error, read after wakeRun
	skip   bool  // the run called err a bad request, read after wakeRun
	runEnd int64 // when the run returned, read after wakeRun
	timer  *time.Timer
	// clockTimer is the timeout's timer on a registry's own clock, used
	// instead of timer.
	clockTimer Timer
	// start is call.run as a func value, made once per pooled call, so
	// that starting the goroutine allocates no closure.
	start func()
	refs  atomic.Int32

	// A half-open probe whose caller gave up is finished by the run when it
	// returns, so that no second probe starts while it is still running.
	// probeHandoff goes from 0 to handedToRun (by the caller, after setting
	// circuit and admittedAt) or to runReturned (by the run), whichever
	// comes first.
	probeHandoff atomic.Int32
	circuit      *CircuitBreaker
	period       *period
	admittedAt   int64
}

const (
	handedToRun = iota + 1
	runReturned
)

type wakeReason uint8

const (
	wakeRun wakeReason = iota + 1
	wakeTimeout
	wakeCaller
)

var goroutineCalls sync.Pool

func init() { goroutineCalls.New = newGoroutineCall }

func newGoroutineCall() any {
	call := &goroutineCall{wake: make(chan wakeReason, 2)}
	call.timer = time.AfterFunc(time.Duration(math.MaxInt64), call.timedOut)
	call.timer.Stop()
	call.start = call.run
	return call
}

// runOnGoroutine runs the function on a new goroutine and waits for it, the
// timeout or the caller's context, whichever comes first, and returns the
// outcome and when it came. The goroutine keeps the concurrency ticket until
// the function really returns. When the execution is the half-open probe
// admitted at start and its caller gives up first, the run finishes the
// probe when it returns, and handedOff is true.
func runOnGoroutine(ctx context.Context, c *CircuitBreaker, s *Settings, p *period, f *funcs, probe bool, start int64) (err error, e event, runEnd int64, handedOff bool) {
	k := c.clock()
	call := goroutineCalls.Get().(*goroutineCall)
	call.f = *f
	call.name = c.Name
	call.tickets = c.pool.tickets
	call.circuit = c
	// A function that takes no context needs none; one that does gets a
	// context that ends at the timeout or with the caller's.
	call.ctx = ctx
	if f.wantsContext() && (s.Timeout > 0 || ctx.Done() != nil) {
		call.runCtx = newRunContext(ctx, k, s.Timeout)
		call.ctx = call.runCtx
	}
	timed := s.Timeout > 0
	if timed {
		call.refs.Store(3)
	} else {
		call.refs.Store(2)
	}
	go call.start()
	if timed {
		if k.system {
			call.timer.Reset(s.Timeout)
		} else {
			call.clockTimer = k.afterFunc(s.Timeout, call.timedOut)
		}
	}

	var reason wakeReason
	if done := ctx.Done(); done == nil {
		reason = <-call.wake
	} else {
		select {
		case reason = <-call.wake:
		case <-done:
			reason = wakeCaller
		}
	}
	if timed && call.stopTimer() {
		call.release() // the timer will never fire
	}

	switch reason {
	case wakeRun:
		err, e = c.classify(ctx, s, call.err, call.skip)
		runEnd = call.runEnd
	case wakeTimeout:
		call.cancel(context.DeadlineExceeded)
		err, e = errTimeout, eventTimeout
		runEnd = k.now()
	default:
		if probe {
			call.period, call.admittedAt = p, start
			handedOff = call.probeHandoff.CompareAndSwap(0, handedToRun)
		}
		call.cancel(ctx.Err())
		err = ctx.Err()
		e = contextEvent(err)
		runEnd = k.now()
	}
	call.release()
	return err, e, runEnd, handedOff
}

func (call *goroutineCall) run() {
	returned := false
	defer func() {
		// Also when the function called runtime.Goexit, which ends this
		// goroutine whatever it does: the ticket goes back and the caller
		// learns of it as a failure.
		if !returned {
			call.err, call.skip = ErrGoexit, false
		}
		call.runEnd = call.circuit.clock().now()
		// Like the cancel of context.WithTimeout, release whatever the
		// function hung on its context.
		call.cancel(context.Canceled)
		// The probe's result before the ticket: once the ticket is back,
		// the circuit has moved on.
		if !call.probeHandoff.CompareAndSwap(0, runReturned) {
			o := policy.Canceled // frees the probe slot
			if call.err == nil {
				o = policy.Success
			}
			call.circuit.probeDone(call.period, o, call.admittedAt, call.runEnd, time.Duration(call.runEnd-call.admittedAt))
		}
		call.tickets.release()
		call.wake <- wakeRun
		call.release()
	}()
	call.err, call.skip = call.f.callRun(call.ctx, call.name)
	returned = true
}

// stopTimer stops the timeout's timer and reports whether it will never
// fire.
func (call *goroutineCall) stopTimer() bool {
	if call.clockTimer != nil {
		return call.clockTimer.Stop()
	}
	return call.timer.Stop()
}

// timedOut runs on the timer's goroutine when the timeout passes first.
func (call *goroutineCall) timedOut() {
	call.wake <- wakeTimeout
	call.release()
}

func (call *goroutineCall) cancel(err error) {
	if call.runCtx != nil {
		call.runCtx.cancel(err)
	}
}

// release drops one reference; the last one clears the call and pools it.
func (call *goroutineCall) release() {
	if call.refs.Add(-1) != 0 {
		return
	}
	for len(call.wake) > 0 {
		<-call.wake // what came after the caller had its answer
	}
	call.f = funcs{}
	call.name = ""
	call.tickets = nil
	call.probeHandoff.Store(0)
	call.circuit = nil
	call.period = nil
	call.clockTimer = nil
	call.admittedAt = 0
	call.ctx = nil
	call.runCtx = nil
	call.err = nil
	call.skip = false
	call.runEnd = 0
	goroutineCalls.Put(call)
}

// runContext is the context a goroutine-isolated run function gets: its
// caller's, ended early at the command's timeout. Its done channel is made
// only when asked for, so functions that never look cost nothing.
type runContext struct {
	parent   context.Context
	deadline time.Time
	hasDL    bool
	mu       sync.Mutex
	done     chan struct{}
	err      error
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func newRunContext(parent context.Context, k *clock, timeout time.Duration) *runContext {
	rc := &runContext{parent: parent}
	rc.deadline, rc.hasDL = parent.Deadline()
	if timeout > 0 {
		// The deadline is for code that measures it with time.Now
		// (dialers, gRPC, net/http), so it is in wall-clock time even
		// when the registry runs on a clock of the program's own, whose
		// instants may be anywhere; the timeout itself fires on the
		// registry's clock.
		now := time.Now()
		if k.system {
			now = unixTime(k.now())
		}
		if d := now.Add(timeout); !rc.hasDL || d.Before(rc.deadline) {
			rc.deadline, rc.hasDL = d, true
		}
	}
	return rc
}

// Deadline returns the earlier of the caller's deadline and the timeout.
func (rc *runContext) Deadline() (time.Time, bool) { return rc.deadline, rc.hasDL }

// Done returns a channel closed when the context ends.
func (rc *runContext) Done() <-chan struct{} {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.done == nil {
		if rc.err != nil {
			return closedChan
		}
		rc.done = make(chan struct{})
	}
	return rc.done
}

// Err returns why the context ended, or nil.
func (rc *runContext) Err() error {
	rc.mu.Lock()
	err := rc.err
	rc.mu.Unlock()
	if err == nil {
		// The caller's cancellation reaches rc through the waiting caller;
		// until then, report it straight from the parent.
		return rc.parent.Err()
	}
	return err
}

// Value returns the caller's context values.
func (rc *runContext) Value(key any) any { return rc.parent.Value(key) }

func (rc *runContext) cancel(err error) {
	rc.mu.Lock()
	if rc.err == nil {
		rc.err = err
		if rc.done != nil {
			close(rc.done)
		}
	}
	rc.mu.Unlock()
}
