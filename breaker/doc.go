// Package breaker is the simple circuit breaker: one value that guards one
// dependency, for code that wants no registry of named commands, no
// timeouts, no concurrency limit and no metrics stream.
//
// A Breaker is a thin layer over a private hystrix.Registry that holds one
// command, run on the caller's goroutine with no timeout and no bound on
// concurrency, judged by policy.ConsecutiveFailures and recovered by
// policy.SingleProbe or policy.Ramp. So the project has one state machine
// and one implementation of each policy; this package adds the settings,
// its own open error, slog logging and a callback.
//
// # The cycle
//
// A breaker starts closed, and runs every call. Each failure adds one to a
// count of failures in a row and each success sets it back to zero; an
// error the function reports as skipped (the caller's fault, not the
// dependency's) does neither. The failure that takes the count past
// Settings.Threshold opens the breaker.
//
// Open, the breaker refuses every call with its *OpenError, which answers
// to errors.Is(err, ErrOpen), without calling the function. After
// Settings.RetryAfter it turns half-open.
//
// Half-open, it lets one call through as a probe and refuses the others
// while the probe runs. The probe's success closes the breaker, with a
// count of zero; its failure opens it again for another RetryAfter; a
// skipped error decides nothing and lets the next call probe. With
// Settings.Ramp the half-open breaker instead admits calls at a rate that
// grows stage by stage while they all succeed, and closes after a stage in
// which it refused nothing; any failure opens it again.
//
// # Transitions
//
// Every transition is logged through Settings.Logger (slog.Default() when
// nil): an opening at Error level, a turn to half-open and a closing at
// Info, each with the attributes breaker (the name), from and to (the
// states) and failures (the run of failures that opened it), and stamped
// with the instant of the transition on the breaker's clock. Then
// Settings.OnStateChange, if set, is called. Both come in the order of
// the transitions, one at a time and with no lock held, so they may call
// the breaker.
//
// # Usage
//
//	cb, err := breaker.New(breaker.Settings{
//		Name:       "inventory",
//		Threshold:  5,                // the sixth failure in a row opens
//		RetryAfter: 10 * time.Second, // open, then half-open
//	})
//	if err != nil {
//		return err // a *breaker.SettingsError naming the field
//	}
//	var item inventory.Item
//	err = cb.Run(func() (error, bool) {
//		var err error
//		item, err = inventory.Get(id)
//		// Not found is the caller's problem, not the dependency's: skip it.
//		return err, errors.Is(err, inventory.ErrNotFound)
//	})
//	if errors.Is(err, breaker.ErrOpen) {
//		// refused: inventory was failing; try later or degrade
//	}
//
// A Breaker is safe for concurrent use, starts no goroutine and needs no
// closing. Tests give it a manual clock (Settings.Clock, such as
// hystrixtest.NewClock) and move that clock to fixed instants instead of
// sleeping.
package breaker
