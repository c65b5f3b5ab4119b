// Package policy holds the rules a circuit follows: what opens a closed
// circuit (an Opener) and how an open one comes back (a Recovery). The
// engine in package hystrix keeps the state, the locks, the timers and the
// clock; a policy is given times and results and answers with verdicts and
// durations, so it can be tested at fixed instants with no engine at all.
//
// An Opener makes a Tripper for each closed period of a circuit, and a
// Recovery a Trial for each half-open period. Results reach only the period
// that admitted them, so a result that comes back after the circuit moved on
// cannot move it again: a late success does not close a reopened circuit,
// a late failure does not open a closed one.
//
// The built-in policies:
//
//   - ErrorPercent, hystrix's opener: an error percentage over a volume in
//     the rolling window;
//   - ConsecutiveFailures: more than a number of failures in a row;
//   - SingleProbe, hystrix's recovery: one probe after a sleep window;
//   - Ramp: half-open at a rate that grows while the executions succeed;
//   - SlowCallRate: a share of slow calls over a volume in a window of its
//     own;
//   - Any: opens when any of several openers would, such as ErrorPercent
//     and SlowCallRate;
//   - AdaptiveThrottle: never opens, but refuses single calls at random as
//     the dependency accepts fewer of them (the Google SRE book's
//     client-side throttling);
//   - Probes: several probes at once, and a number of successes to close;
//   - Backoff: wraps a recovery and lengthens its open time at each
//     reopening in a row, with jitter (a PerCircuit recovery);
//   - AIMD and Gradient, LimitPolicies: an adaptive concurrency limit, by
//     additive increase and multiplicative decrease on timeouts, or by the
//     gradient of the latency.
//
// A command picks them through hystrix.CommandConfig, in Go or in JSON:
//
//	hystrix.ConfigureCommand("inventory", hystrix.CommandConfig{
//		Trip:     hystrix.TripConfig{ConsecutiveFailures: 5},
//		Recovery: hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StartPerMinute: 10}},
//	})
//
// or sets its own Opener and Recovery there; the breaker package builds
// a single circuit from the same policies.
//
// Every method of a policy may be called concurrently and with no lock of
// the engine held, so a policy may call the library; a panic in one is
// recovered and reported by the engine.
package policy
