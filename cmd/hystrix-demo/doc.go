// Command hystrix-demo shows what the hystrix package does for a program
// whose dependency goes bad, without needing anything outside the process.
//
// It starts a simulated downstream HTTP service on the loopback interface
// and sends it steady, concurrent traffic through four hystrix commands,
// "orders", "payments", "recommendations" and "users", each with its own
// timeout, concurrency limit, sleep window and rule for opening ("orders"
// runs with CallerIsolation, the others on goroutines of their own). Three
// open at an error percentage and recover on a single probe, as in
// hystrix; "payments" opens on the sixth failure in a row and recovers by
// ramping up: half-open, it admits 60 calls a minute, then three times as
// many after each stage (a twentieth of the run, 1 to 3 seconds) in which
// every admitted call succeeded, until a stage refuses nothing and the
// circuit closes; any failure opens it again. Every command has a fallback,
// so the callers always get an answer.
//
// The downstream goes through four phases whose lengths scale with -duration:
//
//   - healthy: quick 200 responses;
//   - failing: every request gets HTTP 500, so each circuit opens once its
//     error percentage crosses its threshold, and calls go straight to the
//     fallback; /orders first hangs for 800ms, so its calls time out at
//     300ms and pile up past its limit of 3 in flight, and the calls past
//     the limit are rejected;
//   - slow: responses take longer than any command's timeout, so the probes
//     that an open circuit lets through after each sleep window time out and
//     the circuits stay open;
//   - recovered: quick 200 responses again; the next probe succeeds and each
//     circuit closes, "payments" once its ramp has climbed past its traffic.
//
// About once a second the terminal shows the current phase and, for each
// circuit, its state, request rate, error percentage, 99th percentile
// latencies, concurrent executions and, while it ramps, the rate it
// admits. The error percentage is Hystrix's: short-circuited calls count
// as errors, so it stays high while a circuit is open, though the circuit
// itself judges only the calls that ran. On a terminal the view is redrawn
// in place, fitted to the terminal's size (golang.org/x/term): a short one
// keeps the title, the URLs and the circuits' rows and drops the rest of the
// introduction, and no line is wider than the terminal. Elsewhere, or with
// -plain, it prints plain lines. The same metrics are served as a Hystrix
// dashboard stream at /hystrix.stream on -addr, whose URL is printed at
// start, with a live dashboard at / and Prometheus metrics (with native
// histograms for a Prometheus that scrapes them) at /metrics. With -otel
// the metrics are also recorded with OpenTelemetry, into an in-memory
// reader whose figures the summary prints.
//
// The demo stops after -duration, or on Ctrl-C, and prints what happened
// to every command and in every phase; interrupted, it exits with status
// 130 (143 for SIGTERM), as shells report a program stopped by the signal.
//
// Usage:
//
//	go run ./cmd/hystrix-demo [-duration 30s] [-addr 127.0.0.1:8181] [-workers 8] [-rps 60] [-refresh 1s] [-plain] [-otel]
//
// Run it with -h for the meaning of each flag.
package main
