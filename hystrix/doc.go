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
//   - eventstream.go serves the metrics to Hystrix dashboards.
//
// Nothing runs in the background per circuit: health is judged on the call
// path, as each outcome is recorded, and an open circuit has only a one-shot
// timer that marks when its next probe is due (open_state.go), stopped when
// the circuit closes or is flushed. The only goroutines the library starts
// are those that run goroutine-isolated functions (each ends when its
// function returns), those of Go and GoC (each ends with its execution) and
// one per started StreamHandler (ended by Stop or Flush).
package hystrix
