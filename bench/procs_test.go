package bench

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// The contention benchmark: our hot paths under b.RunParallel (one
// goroutine per P) at GOMAXPROCS 1, 2 and every core, named
// Procs/scenario/pN so that the chart puts the three side by side. A path
// that writes a cache line every core shares gets slower per call as P
// grows, where one that scales keeps its ns/op falling: ns/op is wall time
// over all calls.

// procCounts is 1, 2 and every core, without repeats.
func procCounts() []int {
	counts := []int{1}
	for _, n := range []int{2, runtime.NumCPU()} {
		if n > counts[len(counts)-1] {
			counts = append(counts, n)
		}
	}
	return counts
}

type procsScenario struct {
	name string
	// setup configures a command of its own and returns the call.
	setup func(tb testing.TB, name string) (call func() error, want error)
}

var procsScenarios = []procsScenario{
	{"open", func(tb testing.TB, name string) (func() error, error) {
		oursConfigure(tb, name, hystrix.CommandConfig{RequestVolumeThreshold: 1, SleepWindow: int(openFor / time.Millisecond)})
		_ = hystrix.Do(name, runFail, nil)
		return func() error { return hystrix.Do(name, runOK, nil) }, hystrix.ErrCircuitOpen
	}},
	{"pass-caller", func(tb testing.TB, name string) (func() error, error) {
		oursConfigure(tb, name, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Timeout: -1, MaxConcurrentRequests: -1, RequestVolumeThreshold: noTrip})
		return func() error { return hystrix.Do(name, runOK, nil) }, nil
	}},
	{"fail-caller", func(tb testing.TB, name string) (func() error, error) {
		oursConfigure(tb, name, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Timeout: -1, MaxConcurrentRequests: -1, RequestVolumeThreshold: noTrip})
		return func() error { return hystrix.Do(name, runFail, nil) }, errBoom
	}},
	{"pass-goroutine", func(tb testing.TB, name string) (func() error, error) {
		oursConfigure(tb, name, hystrix.CommandConfig{MaxConcurrentRequests: -1, RequestVolumeThreshold: noTrip})
		return func() error { return hystrix.Do(name, runOK, nil) }, nil
	}},
}

// procsCommands numbers the commands, as the benchmark function runs more
// than once.
var procsCommands int

// BenchmarkProcs runs every scenario at GOMAXPROCS 1, 2 and every core.
func BenchmarkProcs(b *testing.B) {
	for _, sc := range procsScenarios {
		b.Run(sc.name, func(b *testing.B) {
			for _, p := range procCounts() {
				b.Run(fmt.Sprintf("p%d", p), func(b *testing.B) {
					procsCommands++
					call, want := sc.setup(b, fmt.Sprintf("procs/%s#%d", sc.name, procsCommands))
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(p))
					b.ReportAllocs()
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := call(); err != want {
								b.Errorf("call returned %v, want %v", err, want)
								return
							}
						}
					})
				})
			}
		})
	}
}
