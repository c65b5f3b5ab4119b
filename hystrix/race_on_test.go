//go:build race

package hystrix_test

// raceEnabled is true under the race detector, which makes sync.Pool drop
// a quarter of what is put back, so pooled paths allocate more.
const raceEnabled = true
