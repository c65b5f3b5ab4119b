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
	return r
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
