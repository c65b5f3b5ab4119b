package breaker

import (
	"context"
	"sync"
)

// A typedCall is a call for a function that returns a value: it carries
// the function into the engine and the value, whether the engine called
// it and whether it skipped its error out. Its run and runC are bound once
// per call, and calls are pooled, one pool per T; a breaker's engine runs
// the function on the caller's goroutine, so the call is done with when
// the engine returns.
type typedCall[T any] struct {
	fn      func() (T, error, bool)
	fnC     func(context.Context) (T, error, bool)
	val     T
	ran     bool
	skipped bool
	run     func() (error, bool)
	runC    func(context.Context) (error, bool)
}

// typedPools holds a *sync.Pool of *typedCall[T] per T, keyed by
// (*T)(nil), which makes a key without allocating.
var typedPools sync.Map

func typedPool[T any]() *sync.Pool {
	key := any((*T)(nil))
	if p, ok := typedPools.Load(key); ok {
		return p.(*sync.Pool)
	}
	p, _ := typedPools.LoadOrStore(key, &sync.Pool{New: func() any {
		c := new(typedCall[T])
		c.run, c.runC = c.invoke, c.invokeContext
		return c
	}})
	return p.(*sync.Pool)
}

func (c *typedCall[T]) invoke() (error, bool) {
	c.ran = true
	v, err, skip := c.fn()
	c.keep(v, err, skip)
	return err, skip
}

func (c *typedCall[T]) invokeContext(ctx context.Context) (error, bool) {
	c.ran = true
	v, err, skip := c.fnC(ctx)
	c.keep(v, err, skip)
	return err, skip
}

func (c *typedCall[T]) keep(v T, err error, skip bool) {
	if err == nil {
		c.val = v
	}
	c.skipped = skip && err != nil
}

// take returns what the call recorded, the value only with the engine's
// nil answer err, and clears the call for the pool, so that the pool holds
// nothing of the caller's. A call whose function called runtime.Goexit
// never gets here, and is left to the garbage collector.
func (c *typedCall[T]) take(err error) (v T, ran, skipped bool) {
	if err == nil {
		v = c.val
	}
	ran, skipped = c.ran, c.skipped
	var zero T
	c.fn, c.fnC, c.val, c.ran, c.skipped = nil, nil, zero, false, false
	return v, ran, skipped
}
