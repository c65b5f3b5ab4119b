// Command hystrix-demo shows what the hystrix package does for a program
// whose dependency goes bad, without needing anything outside the process.
//
// It starts a simulated downstream HTTP service on the loopback interface
// and sends it steady, concurrent traffic through three hystrix commands,
// "users", "orders" and "recommendations", each with its own timeout,
// concurrency limit, error threshold and sleep window ("orders" runs with
// CallerIsolation, the others on goroutines of their own). Every command has
// a fallback, so the callers always get an answer.
//
// The downstream goes through four phases whose lengths scale with -duration:
//
//   - healthy: quick 200 responses;
//   - failing: every request gets HTTP 500, so each circuit opens once its
//     error percentage crosses its threshold, and calls go straight to the
//     fallback;
//   - slow: responses take longer than any command's timeout, so the probes
//     that an open circuit lets through after each sleep window time out and
//     the circuits stay open;
//   - recovered: quick 200 responses again; the next probe succeeds and each
//     circuit closes.
//
// About once a second the terminal shows the current phase and, for each
// circuit, its state, request rate, error percentage, 99th percentile
// latencies and concurrent executions. The same metrics are served as a
// Hystrix dashboard stream at /hystrix.stream on -addr, whose URL is printed
// at start. The demo stops after -duration, or on Ctrl-C, and prints what
// happened to every command.
//
// Usage:
//
//	go run ./cmd/hystrix-demo [-duration 30s] [-addr 127.0.0.1:8181] [-workers 8] [-rps 60] [-refresh 1s] [-plain]
//
// Run it with -h for the meaning of each flag.
package main
