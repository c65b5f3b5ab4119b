// Command hystrix-soak runs the library at full speed for a long time
// against a downstream that misbehaves in every way the fault-injection
// suite knows, and shows whether memory and goroutines stay flat.
//
//	go run ./cmd/hystrix-soak                       # 10 minutes, writes soak.svg
//	go run ./cmd/hystrix-soak -duration 1m -svg /tmp/soak.svg
//
// A loopback downstream cycles through healthy, flapping (half the requests
// fail), slow (five times the timeout), hung (no answer until the request
// ends) and reset (the connection dropped mid-response) phases, and one
// command calls a port where nothing listens. Workers call commands in both
// isolations through Do, DoC, Go and GoC, with and without fallbacks, some
// of which fail or panic, and runs that panic now and then; meanwhile the
// commands are reconfigured, the registry is flushed and a stream client
// reads the event stream. Every sample interval the heap in use and the
// goroutine count are recorded; at the end the program writes them as an
// SVG chart, prints a summary whose outcome counts must add up to the calls
// made, and exits with status 1 if the heap or the goroutines grew (the
// median of the last fifth of the run against that of the second fifth,
// past a factor of two plus a small allowance) or the counts do not add up.
//
// It is not run in CI: the fault-injection tests are its short form.
package main
