package breaker

import (
	"context"
	"runtime/debug"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// Run calls fn unless the breaker refuses it, and returns what the call
// came to:
//
//   - nil when fn returned a nil error;
//   - fn's own error, unchanged, when it failed: a failure, counted
//     towards Threshold;
//   - fn's own error, unchanged, when fn also returned skip: the error is
//     the caller's, such as invalid input, and is not counted, neither
//     towards Threshold nor as a success;
//   - the breaker's *OpenError (errors.Is(err, ErrOpen)) when it was open,
//     or half-open and not admitting the call: fn was not called;
//   - a *hystrix.PanicError when fn panicked, a failure;
//   - an error wrapping ErrNilFunc when fn is nil.
//
// skip with a nil error means nothing: the call is a success. fn runs on
// the caller's goroutine, with no lock held. On the pass, fail and open
// paths Run allocates nothing.
func (b *Breaker) Run(fn func() (err error, skip bool)) error {
	err, _ := b.run(fn)
	return err
}

// RunContext is Run for a function that takes a context: fn gets ctx as it
// is. When ctx is done before the call, fn is not called and RunContext
// returns ctx.Err(); when it ends while fn runs, RunContext returns
// ctx.Err() whatever fn returned. Neither counts, as the caller's own
// cancellation says nothing of the dependency. A nil ctx means
// context.Background().
func (b *Breaker) RunContext(ctx context.Context, fn func(ctx context.Context) (err error, skip bool)) error {
	if fn == nil {
		return b.errNil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	// A done ctx goes to the engine, which answers with its error even
	// when the breaker is open.
	if b.refusesAtOnce() && ctx.Err() == nil {
		return b.errOpen
	}
	c := getCall()
	c.fnC = fn
	err := b.reg.DoSkipC(ctx, b.name, c.runC, nil)
	ran := c.ran
	putCall(c)
	return b.result(err, ran)
}

// RunFallback is Run that hands every error but a skipped one to fallback
// and returns fallback's result instead: the breaker's *OpenError when fn
// was refused, fn's error (or *hystrix.PanicError) when it failed. A
// skipped error is returned as it is, without calling fallback, and so is
// the error for a nil fn; a nil fallback makes RunFallback Run. fallback
// runs on the caller's goroutine, with no lock held; a panic in it is
// recovered and returned as a *hystrix.PanicError. It decides nothing: the
// call has been counted when it runs.
func (b *Breaker) RunFallback(fn func() (err error, skip bool), fallback func(error) error) error {
	err, skipped := b.run(fn)
	if err == nil || skipped || fallback == nil || fn == nil {
		return err
	}
	return b.fallBack(fallback, err)
}

// run is Run, also reporting whether fn skipped its error.
func (b *Breaker) run(fn func() (error, bool)) (err error, skipped bool) {
	if fn == nil {
		return b.errNil, false
	}
	if b.refusesAtOnce() {
		return b.errOpen, false
	}
	c := getCall()
	c.fn = fn
	err = b.reg.DoSkip(b.name, c.run, nil)
	ran := c.ran
	skipped = c.skipped
	putCall(c)
	return b.result(err, ran), skipped
}

// refusesAtOnce reports whether the breaker is open. An open breaker
// refuses on this one atomic load of the engine's state, as the engine
// itself would, but without counting the refusal in the circuit's rolling
// window, which nothing of a breaker reads: so refusing writes no shared
// memory and scales with the callers. The engine decides every other call,
// and refuses those a half-open breaker does not admit.
func (b *Breaker) refusesAtOnce() bool { return b.circuit.State() == Open }

// result turns the engine's answer into the breaker's: a refusal becomes
// the breaker's own error. The engine refuses with hystrix.ErrCircuitOpen,
// which fn may return too (from a hystrix command it calls), so ran tells
// the two apart.
func (b *Breaker) result(err error, ran bool) error {
	if !ran && err == hystrix.ErrCircuitOpen {
		return b.errOpen
	}
	return err
}

func (b *Breaker) fallBack(fallback func(error) error, cause error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &hystrix.PanicError{Command: b.name, Value: v, Stack: debug.Stack()}
		}
	}()
	return fallback(cause)
}
