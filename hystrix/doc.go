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
//	err := hystrix.DoC(ctx, "get_user", func(ctx context.Context) error {
//		return fetchUser(ctx) // ctx ends at the timeout
//	}, func(ctx context.Context, err error) error {
//		return serveCachedUser() // err says why: the run's error, ErrTimeout, ...
//	})
//
// # Calls
//
// Do runs a command and returns when it has a result; DoC does the same
// with a context, which the run function receives, ending at the command's
// timeout or with the caller's context. Go and GoC run it asynchronously
// and return a channel that receives an error only when the call fails.
// Registry.DoSkip and Registry.DoSkipC take a run function that says
// itself whether its error counts against the dependency.
//
// Execute and Command are the typed forms: the run function returns a value
// as well as an error, and the fallback builds the value to answer with
// instead, such as the default an open circuit answers with. A Command
// (NewCommand, NewRegistryCommand) is made once and finds its circuit
// without looking the name up on every call.
//
// A fallback is optional. It gets the reason the call did not succeed and
// returns nil to make the call succeed; when it fails too, the caller gets a
// *FallbackError holding both errors.
//
// # Configuration
//
// ConfigureCommand and Configure set a command's CommandConfig, in Go or in
// its JSON form, whose keys are hystrix-go's (timeout,
// max_concurrent_requests, request_volume_threshold, sleep_window,
// error_percent_threshold) plus those of the newer fields. A zero field
// takes its default (DefaultTimeout, DefaultMaxConcurrent and the other
// Default variables); each field's documentation says what a negative value
// means. Settings take effect at once, also on a circuit that is already
// running, which is re-judged on the spot. A config with a value out of
// range is refused as a whole: ConfigureCommand logs the refusal and keeps
// the previous settings, TryConfigureCommand and TryConfigure return it as a
// *ConfigError naming the field. A command that is run without being
// configured gets the defaults.
//
// GetCircuit returns a command's *CircuitBreaker, made on first use, to
// read its State, Metrics, ActiveCount, ConcurrencyLimit and the rest;
// Circuits lists them, and Flush forgets them all.
//
// # Isolation
//
// CommandConfig.Isolation says where the run function executes.
// GoroutineIsolation, the default and hystrix-go's behaviour, runs it on a
// goroutine of its own, so the caller gets ErrTimeout at the timeout even
// from a function that never returns; the function keeps its concurrency
// ticket until it does return, so a hung dependency never has more than
// MaxConcurrentRequests runs in flight. CallerIsolation runs it on the
// caller's goroutine, starts no goroutine and allocates nothing on the
// success path without a timeout; the timeout reaches the function only
// through its context.
//
// # Policies
//
// What opens a closed circuit and how an open one comes back are policies,
// chosen per command in CommandConfig (TripConfig, RecoveryConfig,
// ConcurrencyConfig) or written by the program against the interfaces of
// package policy:
//
//   - by default, hystrix's rule: the circuit opens when the rolling
//     ten-second window holds at least RequestVolumeThreshold executions and
//     ErrorPercentThreshold percent of them failed, timed out or were
//     refused, and after SleepWindow one probe decides;
//   - Trip.ConsecutiveFailures opens it when more failures than that come
//     in a row;
//   - Trip.SlowCallMs and SlowCallPercent also open it when too large a
//     share of the window's calls were slow;
//   - Trip.AdaptiveK throttles on the client side instead: calls are
//     refused with a probability that grows as the dependency's successes
//     fall behind the requests;
//   - Recovery.Ramp admits the half-open circuit's executions at a rate that
//     grows while they all succeed, Recovery.Probes runs several probes and
//     closes after enough successes, and Recovery.Backoff lengthens the open
//     time at each reopening in a row;
//   - Concurrency.Adaptive replaces MaxConcurrentRequests with a limit
//     that follows the measured latency ("aimd" or "gradient");
//   - ForceOpen and ForceClosed override the policies.
//
// A circuit's life is a sequence of periods, one per state it enters, each
// with a generation. An execution belongs to the period that admitted it,
// and its result moves only that period: a late success does not close a
// circuit that reopened meanwhile, a late failure does not open one that
// closed.
//
// OnStateChange and OnCommandStateChange add listeners that get every
// transition as a StateChange, with the counts that caused it, in the order
// the transitions happened, one at a time; a transition that a listener's
// own call causes is delivered after the listener returns. The logger set
// with SetLogger is one of the listeners and writes hystrix-go's lines.
//
// # Registries and clocks
//
// The package-level functions (Do, Go, ConfigureCommand, GetCircuit, Flush,
// ...) work on a default registry, DefaultRegistry. NewRegistry makes others
// that share nothing with it: their own circuits, settings, collectors
// (WithMetricCollectors), logger (WithLogger), listeners (WithStateListener)
// and Clock (WithClock), through which the registry reads the time and arms
// its timers. Package hystrixtest gives a test a registry on a manual
// clock, so that it drives circuits to fixed instants, in parallel with
// other tests, with no sleeps.
//
// # Metrics and collectors
//
// Every execution's outcome reaches each collector of the circuit once, as a
// metricCollector.MetricResult, on the goroutine that ran it, before the
// caller sees the result. Each circuit judges its health by its
// metricCollector.DefaultMetricCollector, which CircuitBreaker.Metrics
// returns. The default registry builds the other collectors from the
// initializers in metricCollector.Registry, as hystrix-go did: the
// collectors of package plugins (statsd, Datadog, Graphite) and the
// Prometheus and OpenTelemetry exporters (exporters/hystrixprom,
// exporters/hystrixotel) register there. A registry made with NewRegistry
// takes its initializers from WithMetricCollectors instead.
//
// # Errors
//
// An execution succeeds, fails (an error, a panic, which becomes a
// *PanicError, or runtime.Goexit, ErrGoexit), times out (ErrTimeout), is
// refused by the concurrency limit (ErrMaxConcurrency) or by the circuit
// (ErrCircuitOpen), ends with the caller's own context, or is a bad request:
// an error marked with BadRequest, or one the command's IsBadRequest
// accepts, which is returned as it is, runs no fallback and says nothing
// about health. The caller's own cancellation never counts against the
// dependency. ErrTimeout, ErrCircuitOpen and ErrMaxConcurrency are
// CircuitError values, comparable with == as in hystrix-go; every error
// the package returns works with errors.Is and errors.As, a
// *FallbackError and a *PanicError of a panic(err) included, and a nil run
// function gives an error that wraps ErrNilRun.
//
// # Stream
//
// NewStreamHandler, and Registry.NewStreamHandler, return an http.Handler
// that serves the registry's circuits as the Server-Sent Events stream of
// Netflix's Hystrix dashboard, one round a second, for package dashboard,
// cmd/hystrix-dashboard or any Hystrix dashboard. Start it before serving
// and Stop it when done; it caps its clients (StreamHandler.MaxClients) and
// drops those that stop reading. It has no authentication: serve it where
// only operators reach it. AppendStreamEvents renders one round for
// programs that carry the events some other way, and StreamName is the
// reversible form of a command name that the stream and the exporters
// show.
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
// # Limits that hold in every path
//
// A half-open circuit runs the probes its recovery admits and no more: by
// default one at a time, and when the probe's caller gives up first, the
// slot stays taken until the run returns or until its timeout and another
// sleep window pass. A probe refused for want of a concurrency ticket, or
// that ended in a bad request, lets the next call probe.
// MaxConcurrentRequests also bounds runs that a Flush left in flight.
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
