package hystrix

import (
	"context"
	"sync"
	"sync/atomic"
)

// A record carries one typed execution's run and fallback into the engine
// and its value out. The engine gets the record's runC and fallbackC, its
// own methods bound once when the record is made, so that an execution
// makes no closure; records are pooled, one per T for the whole process.
//
// The run and the fallback write different fields: a goroutine-isolated
// run that outlived its caller may still write its value while the caller
// reads the fallback's.
type record[T any] struct {
	run      func(context.Context) (T, error)
	fallback func(context.Context, error) (T, error)

	runVal T           // run's value, read once done is set
	done   atomic.Bool // run returned; set after runVal

	// Written by the fallback, on the caller's goroutine.
	fbVal    T
	fellBack bool
	cause    error // what the fallback was given

	runC      func(context.Context) error
	fallbackC func(context.Context, error) error
}

func newRecord[T any]() any {
	rec := new(record[T])
	rec.runC, rec.fallbackC = rec.invoke, rec.invokeFallback
	return rec
}

// recordPools holds a *sync.Pool of *record[T] per T, keyed by (*T)(nil):
// Go has no per-instantiation variables, and a nil pointer makes a key
// without allocating.
var recordPools sync.Map

func recordPool[T any]() *sync.Pool {
	key := any((*T)(nil))
	if p, ok := recordPools.Load(key); ok {
		return p.(*sync.Pool)
	}
	p, _ := recordPools.LoadOrStore(key, &sync.Pool{New: newRecord[T]})
	return p.(*sync.Pool)
}

func (rec *record[T]) invoke(ctx context.Context) error {
	v, err := rec.run(ctx)
	if err == nil {
		rec.runVal = v
	}
	rec.done.Store(true)
	return err
}

func (rec *record[T]) invokeFallback(ctx context.Context, cause error) error {
	rec.fellBack, rec.cause = true, cause
	v, err := rec.fallback(ctx, cause)
	if err == nil {
		rec.fbVal = v
	}
	return err
}

// result returns the execution's value, given the engine's answer err.
// The run's value is read only when the engine answered with it, which it
// does only once the run has returned.
func (rec *record[T]) result(err error) T {
	switch {
	case err != nil:
		var zero T
		return zero
	case rec.fellBack:
		return rec.fbVal
	}
	return rec.runVal
}

// release clears rec and pools it, unless its run may still be going: a
// goroutine-isolated run is abandoned at the timeout or when the caller's
// context ends, and may have been started or not yet. Such a record is
// left to the garbage collector, since the run will still read run and
// write runVal. Every other execution either ran its function to the end
// or never will.
func (rec *record[T]) release(pool *sync.Pool, ctx context.Context, err error) {
	cause := err
	if rec.fellBack {
		cause = rec.cause
	}
	// ctx.Err() stays set once the context has ended, so it tells the
	// caller who stopped waiting, whatever the fallback made of it.
	if !rec.done.Load() && (cause == errTimeout || ctx.Err() != nil) {
		return
	}
	var zero T
	rec.run, rec.fallback = nil, nil
	rec.runVal, rec.fbVal = zero, zero
	rec.done.Store(false)
	rec.fellBack, rec.cause = false, nil
	pool.Put(rec)
}
