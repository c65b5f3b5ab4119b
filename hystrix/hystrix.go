package hystrix

import (
	"context"
	"runtime/debug"
)

// Go runs the command asynchronously. The returned channel receives an error
// only when the execution fails (the run and the fallback, if any, both
// failed, or the library refused it); on success nothing is ever sent.
func (r *Registry) Go(name string, run func() error, fallback func(error) error) chan error {
	return r.goAsync(context.Background(), name, funcs{run: run, fallback: fallback})
}

// GoC is Go with a context: the run function gets a context that ends at the
// command's timeout or when ctx does, and the fallback gets ctx.
func (r *Registry) GoC(ctx context.Context, name string, run func(context.Context) error, fallback func(context.Context, error) error) chan error {
	return r.goAsync(ctx, name, funcs{runC: run, fallbackC: fallback})
}

func (r *Registry) goAsync(ctx context.Context, name string, f funcs) chan error {
	errs := make(chan error, 1)
	go func() {
		// execute recovers every panic of user code where it happens; this
		// is the last line of defence, on a goroutine the caller cannot
		// guard, for whatever slips through (a panicking context, say).
		defer func() {
			if v := recover(); v != nil {
				r.reportPanic("an asynchronous execution", name, v)
				errs <- &PanicError{Command: name, Value: v, Stack: debug.Stack()}
			}
		}()
		if err := r.execute(ctx, name, f); err != nil {
			errs <- err
		}
	}()
	return errs
}

// Do runs the command and returns when it has a result: nil when the run
// function or the fallback succeeded, otherwise the error. Without a
// fallback the error is the run function's own or one of ErrTimeout,
// ErrCircuitOpen, ErrMaxConcurrency or the caller's context error; when the
// fallback fails too it is a *FallbackError. A bad request (see BadRequest)
// is returned as it is, without the fallback.
func (r *Registry) Do(name string, run func() error, fallback func(error) error) error {
	return r.execute(context.Background(), name, funcs{run: run, fallback: fallback})
}

// DoC is Do with a context. A ctx that is already done, or ends while the
// command runs, returns its error at once; it does not count against the
// circuit's health.
func (r *Registry) DoC(ctx context.Context, name string, run func(context.Context) error, fallback func(context.Context, error) error) error {
	return r.execute(ctx, name, funcs{runC: run, fallbackC: fallback})
}

// DoSkip is Do for a run function that says itself whether its error
// counts, in the form of the simple breaker's design: an error returned with
// skip set is a bad request (see BadRequest), returned as it is, with no
// fallback and without counting against health. skip with a nil error means
// nothing.
func (r *Registry) DoSkip(name string, run func() (err error, skip bool), fallback func(error) error) error {
	return r.execute(context.Background(), name, funcs{runSkip: run, fallback: fallback})
}

// DoSkipC is DoSkip with a context, as DoC is Do with one.
func (r *Registry) DoSkipC(ctx context.Context, name string, run func(context.Context) (err error, skip bool), fallback func(context.Context, error) error) error {
	return r.execute(ctx, name, funcs{runSkipC: run, fallbackC: fallback})
}
