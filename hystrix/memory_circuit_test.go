package hystrix_test

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

var errDependency = errors.New("the dependency failed")

// heapPerCircuit makes n circuits on a registry of its own, runs calls
// calls through each (latencies of 1 to 100 ms spread over a minute of the
// manual clock; every fallbackEvery-th one, if that is above zero, fails
// and runs a fallback that takes 5 ms) and returns the heap they hold, in
// bytes per circuit.
func heapPerCircuit(t *testing.T, n, calls, fallbackEvery int) float64 {
	t.Helper()
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("memory-%05d", i)
	}
	before := heap()
	r, clk := hystrixtest.NewRegistry(t)
	for _, name := range names {
		if err := r.TryConfigureCommand(name, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.GetCircuit(name); err != nil {
			t.Fatal(err)
		}
	}
	for i := range calls {
		d := time.Duration(1+i%100) * time.Millisecond
		for _, name := range names {
			if fallbackEvery > 0 && i%fallbackEvery == 0 {
				_ = r.Do(name, func() error { clk.Add(d); return errDependency },
					func(error) error { clk.Add(5 * time.Millisecond); return nil })
				continue
			}
			_ = r.Do(name, func() error { clk.Add(d); return nil }, nil)
		}
		if i%(calls/60+1) == 0 {
			clk.Add(time.Second)
		}
	}
	after := heap()
	runtime.KeepAlive(r)
	return float64(after-before) / float64(n)
}

// A circuit that has not run holds at most 2 KiB, the performance issue's
// target, and one after traffic at most 8 KiB: its rolling counts and
// histograms make their buckets when first written. After latencies from 1
// to 100 ms without a fallback it holds about 5 KiB, 3 KiB of them one
// latency histogram (eight powers of two, 384 bytes a power), which the run
// and total distributions share. When a quarter of the calls also run a
// fallback, those write the run's and the total's histograms of their own
// as well: about 10 KiB, the one case past the target.
func TestCircuitHeapAllocatedFreshAndAfterTraffic(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory skews the heap")
	}
	fresh := heapPerCircuit(t, 500, 0, 0)
	busy := heapPerCircuit(t, 500, 2000, 0)
	mixed := heapPerCircuit(t, 500, 2000, 4)
	t.Logf("a circuit holds %.0f B fresh, %.0f B after traffic, %.0f B after traffic with fallbacks", fresh, busy, mixed)
	if fresh > 1280 {
		t.Errorf("a fresh circuit holds %.0f B, want at most 1280", fresh)
	}
	if busy > 6144 {
		t.Errorf("a circuit after traffic holds %.0f B, want at most 6144", busy)
	}
	if mixed > 11264 {
		t.Errorf("a circuit after traffic with fallbacks holds %.0f B, want at most 11264", mixed)
	}
}
