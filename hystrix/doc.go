// Package hystrix protects a program from the dependencies it calls: each
// named command gets a circuit breaker, a concurrency limit, a timeout and
// rolling metrics, and when the dependency fails or slows the circuit opens
// and calls go straight to their fallback until a probe finds it healthy.
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
// # User code
//
// Everything the library is given to call (run functions, fallbacks,
// collector initializers, collectors and the logger) is called with no lock
// of the library held, so it may call the library back: an initializer may
// call GetCircuitSettings, ConfigureCommand, GetCircuit, Circuits or Do on
// another command, and a logger may do the same. A panic in any of it is
// recovered where it happens: in run or fallback it becomes a *PanicError,
// elsewhere it is reported once through the logger with its stack, and the
// rest of the bookkeeping goes on (the other collectors still see the
// execution, a probe still closes the circuit). A logger that panics falls
// back to the standard library's log. A run function that calls
// runtime.Goexit, as t.FailNow does, gives its concurrency ticket back and
// counts as a failure (ErrGoexit). A collector's Update and Reset are
// serialized, so a collector must not run the command it collects.
//
// # Limits that hold in every path
//
// A half-open circuit runs one probe at a time: when the probe's caller
// gives up first, the slot stays taken until the run returns (a success
// then closes the circuit) or until its timeout and another sleep window
// pass. A probe refused for want of a concurrency ticket lets the next call
// probe. MaxConcurrentRequests also bounds runs that a Flush left in
// flight. ConfigureCommand re-judges a live circuit at once: a closed one
// that the new thresholds find unhealthy opens, and one the health check
// opened that they would not have opened closes.
//
// How the parts fit:
//
//   - registry.go keeps the circuits by name; GetCircuit makes them on first
//     use from the command's Settings (settings.go, the one place defaults
//     are applied).
//   - command.go runs one execution: it asks the circuit (circuit.go), takes
//     a ticket from the executor pool (executor_pool.go), runs the function
//     in the command's Isolation (goroutine_isolation.go or on the caller),
//     falls back on error and records the outcome (metrics.go) into the
//     collectors of package metricCollector, all on the calling goroutine.
//   - open_state.go refuses calls to an open circuit without reading the
//     clock.
//   - eventstream.go serves the metrics to Hystrix dashboards, with names
//     escaped as StreamName says (streamname.go).
//   - usercode.go holds the rules above for calling user code.
//
// Nothing runs in the background per circuit: health is judged on the call
// path, as each outcome is recorded, and an open circuit has only a one-shot
// timer that marks when its next probe is due (open_state.go), stopped when
// the circuit closes or is flushed. The only goroutines the library starts
// are those that run goroutine-isolated functions (each ends when its
// function returns), those of Go and GoC (each ends with its execution) and
// one per started StreamHandler (ended by Stop or Flush).
package hystrix
