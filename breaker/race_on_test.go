//go:build race

package breaker_test

// raceEnabled is true under the race detector, which makes sync.Pool drop
// some of what is put back, so that the pooled call path allocates.
const raceEnabled = true
