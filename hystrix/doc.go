// Package hystrix protects a program from the dependencies it calls: each
// named command gets a circuit breaker, a concurrency limit, a timeout and
// rolling metrics, and when the dependency fails or slows the circuit opens
// and calls go straight to their fallback until probes find it healthy.
//
// The API is that of github.com/afex/hystrix-go, so that replacing the import
// path is the whole migration:
//
//	hystrix.ConfigureCommand("get_user", hystrix.CommandConfig{
//		Timeout:               500, // milliseconds
//		MaxConcurrentRequests: 100,
//		ErrorPercentThreshold: 25,
//	})
//	err := hystrix.Do("get_user", func() error {
//		return fetchUser()
//	}, func(err error) error {
//		return serveCachedUser()
//	})
//
// Execute and Command are the typed forms: the run function returns a value
// as well as an error, and the fallback builds the value an open circuit, or
// a failure, answers with. A Command is made once and skips the lookup by
// name.
//
// # Registries
//
// The package-level functions (Do, Go, ConfigureCommand, GetCircuit, Flush,
// ...) work on a default registry. NewRegistry makes others that share
// nothing with it: their own circuits, settings, collectors, logger,
// listeners and Clock. A test gives its registry a manual clock
// (package hystrixtest) and drives circuits to fixed instants, in parallel
// with other tests, with no sleeps.
//
// # Policies
//
// What opens a closed circuit and how an open one comes back are policies,
// chosen per command in CommandConfig (in Go or in its JSON form) or written
// by the program (package policy):
//
//   - by default, hystrix's rule: the circuit opens when the rolling
//     ten-second window holds at least RequestVolumeThreshold executions and
//     ErrorPercentThreshold percent of them failed, timed out or were
//     refused, and after SleepWindow one probe decides;
//   - Trip.ConsecutiveFailures opens it when more failures than that come
//     in a row;
//   - Recovery.Ramp makes recovery adaptive: the half-open circuit admits
//     executions at a rate that grows while they all succeed;
//   - ForceOpen and ForceClosed override the policies.
//
// A circuit's life is a sequence of periods, one per state it enters, each
// with a generation. An execution belongs to the period that admitted it,
// and its result moves only that period: a late success does not close a
// circuit that reopened meanwhile, a late failure does not open one that
// closed.
//
// # Outcomes
//
// An execution succeeds, fails (an error, a panic, which becomes a
// *PanicError, or runtime.Goexit, ErrGoexit), times out (ErrTimeout), is
// refused by the concurrency limit (ErrMaxConcurrency) or by the circuit
// (ErrCircuitOpen), ends with the caller's own context, or is a bad request:
// an error marked with BadRequest, or one the command's IsBadRequest
// accepts, which is returned as it is, runs no fallback and says nothing
// about health. Every outcome reaches the collectors of package
// metricCollector once.
//
// # User code
//
// Everything the library is given to call (run functions, fallbacks,
// collector initializers, collectors, policies, listeners, classifiers and
// the logger) is called with no lock of the library held, so it may call the
// library back. A panic in any of it is recovered where it happens: in run
// or fallback it becomes a *PanicError, elsewhere it is reported once
// through the logger with its stack, and the rest of the bookkeeping goes
// on, with the safest answer in place of the panicking policy's. A logger
// that panics falls back to the standard library's log. A collector's
// Update and Reset are serialized, so a collector must not run the command
// it collects; an initializer, or an opener of the program's own asked when
// its circuit is made, must not wait for that very circuit.
//
// State changes reach listeners (OnStateChange, OnCommandStateChange) in
// the order they happened, one at a time; a transition that a listener's
// own call causes is delivered after the listener returns. The logger is
// one of the listeners and writes hystrix-go's lines.
//
// # Limits that hold in every path
//
// A half-open circuit runs the probes its recovery admits and no more: by
// default one at a time, and when the probe's caller gives up first, the
// slot stays taken until the run returns or until its timeout and another
// sleep window pass. A probe refused for want of a concurrency ticket, or
// that ended in a bad request, lets the next call probe.
// MaxConcurrentRequests also bounds runs that a Flush left in flight.
// ConfigureCommand re-judges a live circuit at once.
//
// Nothing runs in the background per circuit: health is judged on the call
// path, as each outcome is recorded, and a circuit that is not closed has at
// most one timer (the end of its open period, or the next stage of its
// recovery), stopped when it moves on or is flushed. An open circuit refuses
// calls without reading the clock. The only goroutines the library starts
// are those that run goroutine-isolated functions (each ends when its
// function returns), those of Go and GoC (each ends with its execution) and
// one per started StreamHandler (ended by Stop or Flush).
package hystrix
