package breaker

import (
	"context"
	"runtime/debug"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// The typed forms of Run, RunContext and RunFallback, for functions that
// return a value with their error. (A method cannot take a type parameter,
// so these are functions of the breaker.) Each counts, refuses and returns
// errors exactly as its method does, and returns the function's value when
// the error is nil, the zero T with every error.

// Run is b.Run for a function that returns a value: v when fn returned it
// with a nil error; otherwise the zero T and the error Run would return
// (fn's own, skipped or not, the breaker's *OpenError, a
// *hystrix.PanicError, or one wrapping ErrNilFunc). On the pass, fail and
// open paths it allocates nothing.
func Run[T any](b *Breaker, fn func() (v T, err error, skip bool)) (T, error) {
	v, err, _ := run(b, fn)
	return v, err
}

// RunContext is b.RunContext for a function that returns a value, with
// ctx, as Run is b.Run: a ctx done before the call or while fn runs gives
// the zero T and ctx.Err(), and is not counted. A nil ctx means
// context.Background().
func RunContext[T any](ctx context.Context, b *Breaker, fn func(ctx context.Context) (v T, err error, skip bool)) (T, error) {
	var zero T
	if fn == nil {
		return zero, b.errNil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if b.refusesAtOnce() && ctx.Err() == nil {
		return zero, b.errOpen
	}
	pool := typedPool[T]()
	c := pool.Get().(*typedCall[T])
	c.fnC = fn
	err := b.reg.DoSkipC(ctx, b.name, c.runC, nil)
	v, ran, _ := c.take(err)
	pool.Put(c)
	return v, b.result(err, ran)
}

// RunFallback is b.RunFallback for a function that returns a value: every
// error but a skipped one, and the one for a nil fn, goes to fallback,
// which builds the value to return instead, such as a default while the
// breaker is open. What fallback returns is the answer, but for the value
// that comes with an error, which is dropped for the zero T; a panic in
// fallback is returned as a *hystrix.PanicError. A nil fallback makes
// RunFallback Run.
func RunFallback[T any](b *Breaker, fn func() (v T, err error, skip bool), fallback func(err error) (T, error)) (T, error) {
	v, err, skipped := run(b, fn)
	if err == nil || skipped || fallback == nil || fn == nil {
		return v, err
	}
	return fallBackTyped(b, fallback, err)
}

// run is Run, also reporting whether fn skipped its error.
func run[T any](b *Breaker, fn func() (T, error, bool)) (v T, err error, skipped bool) {
	if fn == nil {
		return v, b.errNil, false
	}
	if b.refusesAtOnce() {
		return v, b.errOpen, false
	}
	pool := typedPool[T]()
	c := pool.Get().(*typedCall[T])
	c.fn = fn
	err = b.reg.DoSkip(b.name, c.run, nil)
	v, ran, skipped := c.take(err)
	pool.Put(c)
	return v, b.result(err, ran), skipped
}

func fallBackTyped[T any](b *Breaker, fallback func(error) (T, error), cause error) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			var zero T
			v, err = zero, &hystrix.PanicError{Command: b.name, Value: p, Stack: debug.Stack()}
		}
	}()
	v, err = fallback(cause)
	if err != nil {
		var zero T
		v = zero
	}
	return v, err
}
