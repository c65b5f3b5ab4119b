// Package bench compares github.com/gohystrix/hystrix-go ("ours") with
// github.com/afex/hystrix-go and with other Go circuit breakers.
//
// It is a module of its own, so that none of the libraries it measures ever
// enters the dependency graph of a program that uses hystrix-go, and it
// always measures the engine in the directory above it (see the replace
// directive in go.mod).
//
// Everything lives in the package's test files: BenchmarkSuite holds every
// scenario as a sub-benchmark named scenario/library/gN (or
// memory/N/library); BenchmarkConsecutive compares the consecutive-failures
// rule of ours, our breaker package, gobreaker and rubyist, and
// BenchmarkBreaker the breaker package's calls with the engine call they
// make. The tests check the harness, the adapters and the semantics that
// the README claims. See README.md for what each scenario
// measures, how each library is configured and how to run the suite;
// cmd/benchchart turns the output into an SVG chart.
package bench
