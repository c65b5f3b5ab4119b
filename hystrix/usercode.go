package hystrix

import (
	"runtime/debug"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// Two rules hold for every call the library makes into code it was given:
// run functions, fallbacks, collector initializers, collectors and the
// logger.
//
//  1. No lock of the library is held during the call, so the code may call
//     back into the library (GetCircuit, ConfigureCommand, Circuits, Do on
//     another command, ...). The one lock held is the collector's own, which
//     serializes its Update and Reset calls as hystrix-go promised; a
//     collector that runs the very command it collects would wait on it.
//  2. A panic is recovered where it happens. A run or fallback panic becomes
//     a *PanicError, the call's error. Any other is reported once through
//     the logger, with its stack, and the bookkeeping around it goes on: the
//     other collectors still see the execution and the circuit still moves.
//     The logger's own panics go to the standard library's log (logf).
//
// runtime.Goexit in a run function (what t.FailNow does) cannot be stopped,
// but the ticket it holds is given back and it is recorded as a failure
// with ErrGoexit (runOnCaller, goroutineCall.run).

// reportPanic logs a recovered panic of user code other than run and
// fallback functions.
func (r *Registry) reportPanic(what, command string, v any) {
	r.logf("hystrix: %s of command %q panicked: %v\n%s", what, command, v, debug.Stack())
}

// initCollectors builds the collectors of a new circuit from the
// registered initializers; an initializer that panics gives the command no
// collector. Called without any lock of the library held.
func (r *Registry) initCollectors(name string) []metricCollector.MetricCollector {
	inits := r.collectors()
	out := make([]metricCollector.MetricCollector, 0, len(inits))
	for _, f := range inits {
		if mc := r.callInitializer(f, name); mc != nil {
			out = append(out, mc)
		}
	}
	return out
}

func (r *Registry) callInitializer(f func(string) metricCollector.MetricCollector, name string) (mc metricCollector.MetricCollector) {
	defer func() {
		if v := recover(); v != nil {
			r.reportPanic("a metric collector initializer", name, v)
			mc = nil
		}
	}()
	return f(name)
}
