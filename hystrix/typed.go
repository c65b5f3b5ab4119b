package hystrix

import (
	"context"
	"sync"
	"sync/atomic"
)

// The typed API: a run function that returns a value with its error, and a
// fallback that builds the value to answer with instead. Executions are
// DoC's in every respect (timeouts, the caller's context, panics, bad
// requests, metrics); only the value is added.

// Execute runs the named command of the default registry, as DoC does, and
// returns the value of whichever of run and fallback succeeded:
//
//   - run's value, with a nil error, when run succeeded;
//   - fallback's value, with a nil error, when run failed, timed out or was
//     refused (ErrCircuitOpen, ErrMaxConcurrency) or the caller's context
//     ended, and fallback, given that error, succeeded: so the fallback
//     builds the default an open circuit answers with;
//   - the zero T and the error otherwise: run's error or the library's when
//     fallback is nil, a *FallbackError when fallback failed too, a bad
//     request (see BadRequest) as it is, without calling fallback.
//
// A value that comes with a non-nil error is dropped. To run a command
// many times, make a Command once: it finds the circuit without the name.
func Execute[T any](ctx context.Context, name string, run func(context.Context) (T, error), fallback func(context.Context, error) (T, error)) (T, error) {
	return executeTyped(ctx, defaultRegistry, nil, name, recordPool[T](), run, fallback)
}

// A Command is one named command of a registry whose run function returns
// a value of type T. Make it once, with NewCommand or NewRegistryCommand,
// and keep it: its Execute uses the circuit it found the first time and
// looks the name up again only after a Flush of the registry. It is safe
// for concurrent use; the zero Command is not usable.
//
// A Command's executions allocate nothing of their own: records carrying
// run, fallback and the value are pooled. In goroutine isolation the run's
// context, which ends at the timeout or with the caller's, is made per
// call, as DoC makes it: a run may keep its context after it returns, so
// one context object cannot serve two calls.
//
// Making a Command creates nothing: the circuit is made by the first
// Execute, with the settings and collectors in force then, as the first Do
// would make it. So a Command may be a package-level variable made before
// the program configures its commands.
type Command[T any] struct {
	reg  *Registry
	name string
	pool *sync.Pool // of *record[T], one for every Command and Execute of this T
	// circuit is the one last used: nil before the first Execute, stale
	// once its generation is no longer the registry's. Until the next
	// Execute after a Flush it keeps the flushed circuit reachable.
	circuit atomic.Pointer[CircuitBreaker]
}

// NewCommand returns the named command of the default registry, for run
// functions that return a T.
func NewCommand[T any](name string) *Command[T] {
	return NewRegistryCommand[T](defaultRegistry, name)
}

// NewRegistryCommand returns the named command of registry r, for run
// functions that return a T. (A Registry cannot have it as a method: Go
// methods take no type parameters.) Commands of the same name share one
// circuit, whatever their T, and so do Do and the others given the name.
func NewRegistryCommand[T any](r *Registry, name string) *Command[T] {
	return &Command[T]{reg: r, name: name, pool: recordPool[T]()}
}

// Name returns the command's name.
func (cmd *Command[T]) Name() string { return cmd.name }

// Execute runs the command, as the package-level Execute does with the
// command's name and registry.
func (cmd *Command[T]) Execute(ctx context.Context, run func(context.Context) (T, error), fallback func(context.Context, error) (T, error)) (T, error) {
	return executeTyped(ctx, cmd.reg, cmd, cmd.name, cmd.pool, run, fallback)
}

// circuitNow returns the command's circuit in the registry's current
// generation: the one kept, or else the one the name finds now. A circuit
// made before a Flush has an older gen than the registry; Flush is the only
// thing that replaces a registry's circuits.
func (cmd *Command[T]) circuitNow() *CircuitBreaker {
	c := cmd.circuit.Load()
	if c == nil || c.gen != cmd.reg.gen.Load() {
		c = cmd.reg.circuitFor(cmd.name)
		cmd.circuit.Store(c)
	}
	return c
}

// executeTyped runs one typed execution of the named command of r, on the
// circuit cmd keeps when cmd is not nil, with a record from pool.
func executeTyped[T any](ctx context.Context, r *Registry, cmd *Command[T], name string, pool *sync.Pool, run func(context.Context) (T, error), fallback func(context.Context, error) (T, error)) (T, error) {
	if run == nil {
		var zero T
		return zero, nilRunError(name)
	}
	rec := pool.Get().(*record[T])
	rec.run, rec.fallback = run, fallback
	f := funcs{runC: rec.runC}
	if fallback != nil {
		f.fallbackC = rec.fallbackC
	}
	var err error
	if cmd != nil {
		err = r.executeOn(ctx, cmd.circuitNow(), &f)
	} else {
		err = r.execute(ctx, name, f)
	}
	v := rec.result(err)
	rec.release(pool, ctx, err)
	return v, err
}
