//go:build !race

package hystrix_test

const raceEnabled = false
