package hystrix_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// streamRegistry returns a registry of n circuits on a manual clock, each
// with a minute of traffic behind it, so that every bucket of its rolling
// counts and latencies is live when a round is rendered.
func streamRegistry(tb testing.TB, n int) *hystrix.Registry {
	tb.Helper()
	r, _ := streamRegistryAndClock(tb, n)
	return r
}

// streamRegistryAndClock is streamRegistry that also returns the clock.
func streamRegistryAndClock(tb testing.TB, n int) (*hystrix.Registry, *hystrixtest.Clock) {
	tb.Helper()
	r, clk := hystrixtest.NewRegistry(tb)
	circuits := make([]*hystrix.CircuitBreaker, n)
	for i := range circuits {
		c, _, err := r.GetCircuit(fmt.Sprintf("service.endpoint-%05d", i))
		if err != nil {
			tb.Fatal(err)
		}
		circuits[i] = c
	}
	outcomes := [][]string{{"success"}, {"success"}, {"failure", "fallback-success"}, {"timeout"}, {"success"}}
	for step := range 6 {
		now := clk.Now()
		for i, c := range circuits {
			for j, ev := range outcomes {
				d := time.Duration(1+(i+j*7+step*3)%40) * time.Millisecond
				if err := c.ReportEvent(ev, now.Add(-d), d); err != nil {
					tb.Fatal(err)
				}
			}
		}
		clk.Add(10 * time.Second)
	}
	return r, clk
}

func BenchmarkStreamRound(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r := streamRegistry(b, n)
			buf := r.AppendStreamEvents(nil)
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			rounds := 0
			for b.Loop() {
				buf = r.AppendStreamEvents(buf[:0])
				rounds++
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(rounds*n), "allocs/circuit")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rounds*n), "ns/circuit")
		})
	}
}

// BenchmarkStreamRoundChanging is BenchmarkStreamRound with one new event
// in every circuit between rounds (not timed), so that no round can reuse
// anything computed from the metrics of the one before.
func BenchmarkStreamRoundChanging(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r, clk := streamRegistryAndClock(b, n)
			circuits := r.Circuits()
			buf := r.AppendStreamEvents(nil)
			b.ReportAllocs()
			rounds := 0
			var mallocs uint64
			var before, after runtime.MemStats
			for b.Loop() {
				b.StopTimer()
				for i, c := range circuits {
					d := time.Duration(1+(i+rounds)%50) * time.Millisecond
					if err := c.ReportEvent([]string{"success"}, clk.Now().Add(-d), d); err != nil {
						b.Fatal(err)
					}
				}
				runtime.ReadMemStats(&before)
				b.StartTimer()
				buf = r.AppendStreamEvents(buf[:0])
				b.StopTimer()
				runtime.ReadMemStats(&after)
				mallocs += after.Mallocs - before.Mallocs
				rounds++
				b.StartTimer()
			}
			b.ReportMetric(float64(mallocs)/float64(rounds*n), "allocs/circuit")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rounds*n), "ns/circuit")
		})
	}
}

func TestStreamRoundAllocatesAtMostOncePerCircuit(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects; CI runs this guard without -race")
	}
	const n = 200
	r := streamRegistry(t, n)
	buf := r.AppendStreamEvents(nil)
	got := testing.AllocsPerRun(20, func() { buf = r.AppendStreamEvents(buf[:0]) })
	if got > n {
		t.Errorf("a round of %d circuits allocates %v times, want at most %d", n, got, n)
	}
	t.Logf("allocations per round of %d circuits: %v", n, got)
}
