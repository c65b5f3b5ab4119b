// Package hystrix lets code written against github.com/afex/hystrix-go run
// on github.com/gohystrix/hystrix-go without changing a single import. Point
// the afex module at this one with a replace directive and everything under
// github.com/afex/hystrix-go/hystrix compiles as before.
//
// It only forwards. Its types are aliases of the gohystrix types, its error
// variables compare equal to the gohystrix ones, and its functions call
// straight through. There is one set of circuits, settings, metric
// collectors and one logger, the gohystrix package's, so a program (or its
// dependencies) may mix both import paths freely:
//
//   - a command run through this package and through gohystrix shares one
//     circuit, and GetCircuit returns the same *CircuitBreaker either way;
//   - ConfigureCommand, Flush and SetLogger through either path act on the
//     same state;
//   - err == ErrTimeout (and errors.Is) holds whichever package returned err.
//
// # The Default variables
//
// DefaultTimeout, DefaultMaxConcurrent, DefaultVolumeThreshold,
// DefaultSleepWindow, DefaultErrorPercentThreshold and DefaultLogger are
// variables that afex users assign to. Go cannot make a variable of one
// package an alias of another's, so these are this package's own copies,
// initialized from gohystrix's, and an assignment to one of them does not
// change the gohystrix variable of the same name. To keep such assignments
// meaningful, this package applies its own values itself, where afex read
// them:
//
//   - ConfigureCommand, Configure, TryConfigureCommand and TryConfigure
//     fill each zero field of the CommandConfig from this package's Default
//     variables before passing it on;
//   - the first time a command that has no settings yet is run (or
//     GetCircuit is called for it) through this package, while this
//     package's Default values differ from gohystrix's, the command is
//     configured with this package's values, just as afex configured a
//     command on its first use.
//
// So the rule is: a command configured, or first used, through this package
// gets this package's defaults; one configured or first used through
// gohystrix gets gohystrix's. As in afex, defaults are read only at those
// moments: assigning one later does not change commands that already have
// settings, and a zero assigned to a Default variable means "gohystrix's
// default" rather than zero. The first-use check costs one lookup in a
// concurrent map per call. As in afex, a ConfigureCommand that races with the
// very first execution of the same command may be overwritten by the
// defaults; configure commands before running them.
//
// DefaultLogger has no such mechanism because afex never read it after
// start-up either; call SetLogger to change the logger.
//
// # Other differences
//
// Behaviour is gohystrix's, which is documented in its package. Beyond that,
// a few things afex exposed cannot be forwarded:
//
//   - fields of the rolling types (Number.Buckets, Timing.Buckets, ...),
//     which afex exported by accident, do not exist;
//   - metricCollector.Registry is a pointer to gohystrix's registry rather
//     than a value, so metricCollector.Registry.Register(f) works as before
//     but &metricCollector.Registry has a different type;
//   - GetCircuitSettings returns copies, so changing a *Settings it returns
//     changes nothing.
//
// The plugins package (statsd, datadog, graphite collectors) forwards to
// gohystrix's in the same way.
//
// Names that gohystrix adds, such as CallerIsolation, Circuits and
// TryConfigureCommand, are forwarded too, so that code can move to them
// before it moves to the gohystrix import path.
package hystrix
