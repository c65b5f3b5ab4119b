// Package faultinject is a fault-injection suite for package hystrix: it
// drives real commands against a real HTTP downstream on 127.0.0.1 that
// fails on demand, and against a real event stream with a thousand clients,
// and checks what the library promises when things go wrong.
//
// The package itself holds only the downstream, Downstream, a net/http
// server whose Mode the test switches at run time:
//
//   - Healthy answers 200 at once.
//   - Flapping fails every second request with 500 for Options.FlapPeriod
//     of its own clock (2 s by default), then is healthy.
//   - Slow answers after delays whose median is Options.SlowMedian; the
//     suite sets it to five times the command's timeout.
//   - Hung never answers, until the request's context ends or the
//     downstream is closed.
//   - Refused sends callers to a port where nothing listens (URL switches
//     to it), so that connecting fails at once.
//   - Reset hijacks the connection, writes the headers and part of the
//     body and closes it with SO_LINGER 0, so the caller reads a reset in
//     the middle of the response.
//
// Everything else is in the tests, which import only the standard library,
// package hystrix and go.uber.org/goleak.
//
// # What the tests check
//
// TestDownstreamModes checks the downstream itself: each mode answers as
// described above, so that a failure elsewhere is the library's.
//
// TestFaultFlapping, TestFaultSlow, TestFaultHung, TestFaultRefused and
// TestFaultReset each run one mode in both isolations (GoroutineIsolation
// and CallerIsolation), with timeouts and sleep windows of tens of
// milliseconds. Each runs a main command through warm-up, trip, open load,
// heal and steady phases, and a second command that never opens through a
// concurrent burst; the calls go through Do, DoC and GoC, with and without
// fallbacks, and in the burst also with callers that cancel or whose
// deadline passes first. After every phase:
//
//   - every call is accounted exactly once: a collector registered with
//     metricCollector.Registry.Register counts the MetricResult fields,
//     and over its life they must equal, outcome by outcome, what the calls
//     the test made came to; in the circuit's default collector
//     (CircuitBreaker.Metrics) NumRequests over the rolling window must be
//     the sum of the seven outcomes; and while the test knows what the
//     window holds (after sequential phases), both collectors' windows must
//     hold exactly that. Each result must also keep the MetricResult
//     contract (Attempts 1, one outcome, Errors for the right ones), and no
//     two Updates may overlap.
//   - the circuit opens no later than the call after the one that crossed
//     the error threshold, and not before (the percentage is rounded).
//   - while the circuit is open and every probe fails, at most one
//     execution runs per sleep window.
//   - after the downstream heals, the circuit closes within one sleep window
//     plus one probe (plus a small slack for timers), through one probe.
//   - ActiveCount never exceeds MaxConcurrentRequests, and the number of
//     goroutines stays below what there was before the phase plus two per
//     caller plus a constant per concurrent execution plus a constant, in
//     the hung mode too.
//   - the live heap after garbage collection, compared between the first
//     trip and the end, grows by less than a generous factor.
//
// TestHungRunsEndWhenTheServerCloses fills every ticket with runs that wait
// for a hung downstream without a timeout, and checks that further calls are
// rejected, goroutines stay bounded and closing the downstream ends them all.
//
// TestGoexitInRunGivesTheTicketBack, TestCollectorPanicIsRecovered and
// TestProbeWhoseCallerGivesUp inject faults into the code the library is
// given: a run that calls runtime.Goexit must give its ticket back and count
// as one failure; a collector whose Update and Reset panic must not break the
// call, the circuit or the collectors after it; a half-open probe whose
// caller cancels, or whose deadline passes, must not keep the circuit from
// closing soon after.
//
// TestStreamThousandClientsTenSlow starts a StreamHandler with MaxClients
// 1,000 behind an httptest server on loopback, reporting twenty circuits
// (rounds of about 50 KB), and connects 1,000 raw HTTP clients, ten of which
// read 512 bytes every 100 ms through a small receive buffer. It checks that
// five more clients get 503, that every fast client keeps getting every
// round, that the heap stays bounded, that a client that leaves frees its
// place, and that Stop ends every response, the slow clients' too.
// TestStreamIdleSendsPing checks that a stream with no circuits sends a
// ":ping" comment each round.
//
// BenchmarkDoWhileStreaming measures the latency and allocations of Do with
// 1,000 stream clients (ten slow) attached and with none.
//
// # Running
//
//	go test -race ./hystrix/faultinject/
//	go test -race ./hystrix/faultinject/ -faultinject.long
//	go test -run='^$' -bench=. ./hystrix/faultinject/
//
// The default run takes about ten seconds under the race detector, half of
// it the stream tests waiting for the stream's once-a-second rounds. The
// flag -faultinject.long, given after the package, runs the long variants:
// the real 2 s flapping period, 100 healthy calls per phase instead of 10,
// open-load and burst phases of a second with 32 callers, three fault cycles
// per scenario, and fifteen stream rounds, more than a stream client's
// buffer holds; it takes a few minutes.
//
// The stream test and benchmark need about 2,300 open files (two per
// loopback connection); they skip, saying so, when the limit (ulimit -n)
// is lower.
//
// The tests do not run in parallel: they measure process-wide things
// (goroutines, heap) and call hystrix.Flush in their cleanups. Command names
// are unique per test and run. Every test waits for the goroutines it
// started, and TestMain checks with goleak that none is left.
package faultinject
