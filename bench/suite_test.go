package bench

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	afex "github.com/afex/hystrix-go/hystrix"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// A scenario is one kind of call, measured for every library that has it.
type scenario struct {
	name string
	// applies reports whether the library has what the scenario measures.
	applies func(l *library) bool
	// target sets up the library for this scenario; name is a circuit
	// name of the benchmark's own.
	target func(l *library, tb testing.TB, name string) target
	// expect says what the library's calls may return.
	expect func(l *library) expectation
}

var scenarios = []scenario{
	{
		// pass: the run function returns nil; no fallback.
		name: "pass",
		target: func(l *library, tb testing.TB, name string) target {
			return l.closed(tb, name, runOK)
		},
		expect: func(*library) expectation { return expectation{} },
	},
	{
		// fail: the run function returns an error; no fallback; the
		// breaker is configured not to open (where it can be).
		name: "fail",
		target: func(l *library, tb testing.TB, name string) target {
			return l.closed(tb, name, runFail)
		},
		expect: func(l *library) expectation {
			if l.adaptive {
				return expectation{want: errBoom, other: l.rejected, otherUnit: "rejected/op"}
			}
			return expectation{want: errBoom}
		},
	},
	{
		// hystrix-pass: Hystrix's contract, a timeout and a fallback; the
		// run function returns nil in time.
		name:    "hystrix-pass",
		applies: func(l *library) bool { return l.guarded != nil },
		target: func(l *library, tb testing.TB, name string) target {
			return l.guarded(tb, name, callTimeout, runOK, runOK)
		},
		expect: func(*library) expectation { return expectation{} },
	},
	{
		// hystrix-fallback: the same contract; the run function fails and
		// the fallback returns nil.
		name:    "hystrix-fallback",
		applies: func(l *library) bool { return l.guarded != nil },
		target: func(l *library, tb testing.TB, name string) target {
			return l.guarded(tb, name, callTimeout, runFail, runOK)
		},
		expect: func(*library) expectation { return expectation{} },
	},
	{
		// open: the breaker was tripped first and stays open; every call
		// is refused. The run function would fail.
		name:    "open",
		applies: func(l *library) bool { return l.tripped != nil },
		target: func(l *library, tb testing.TB, name string) target {
			return l.tripped(tb, name, runFail)
		},
		expect: func(l *library) expectation {
			if l.adaptive {
				return expectation{want: l.rejected, other: errBoom, otherUnit: "passed/op"}
			}
			return expectation{want: l.rejected}
		},
	},
	{
		// circuits10k: passing calls spread over 10,000 circuits.
		name: "circuits10k",
		target: func(l *library, tb testing.TB, name string) target {
			return l.many(tb, "many-"+l.name, manyCircuits, runOK)
		},
		expect: func(*library) expectation { return expectation{} },
	},
}

// BenchmarkSuite runs every scenario: scenario/library/gN for the per-call
// scenarios, stream/library for the event stream tick and
// memory/calls/library for the memory a circuit holds.
func BenchmarkSuite(b *testing.B) {
	for i := range scenarios {
		sc := &scenarios[i]
		b.Run(sc.name, func(b *testing.B) {
			for j := range libraries {
				l := &libraries[j]
				if sc.applies != nil && !sc.applies(l) {
					continue
				}
				b.Run(l.name, func(b *testing.B) {
					for _, g := range goroutineCounts {
						b.Run(fmt.Sprintf("g%d", g), func(b *testing.B) {
							measure(b, g, sc.target(l, b, b.Name()), sc.expect(l))
						})
					}
				})
			}
		})
	}
	b.Run("stream", benchStream)
	b.Run("memory", benchMemory)
}

// ---- stream: the cost of one dashboard tick ----

// streamCircuits is how many circuits the dashboard tick reports on, and
// streamCalls how many calls each has served (one in ten failed).
const (
	streamCircuits = 1000
	streamCalls    = 20
)

var sink any

func benchStream(b *testing.B) {
	b.Run("ours", func(b *testing.B) {
		// hystrix.AppendStreamEvents is the work of one tick of our
		// StreamHandler: one round of events for every circuit. Flush
		// first, so that the round covers exactly these circuits.
		hystrix.Flush()
		for _, name := range circuitNames("stream", streamCircuits) {
			oursConfigure(b, name, hystrix.CommandConfig{MaxConcurrentRequests: maxConcurrent})
			for k := range streamCalls {
				_ = hystrix.Do(name, streamRun(k), nil)
			}
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			sink = hystrix.AppendStreamEvents(nil)
		}
		b.StopTimer()
		hystrix.Flush()
	})
	b.Run("afex", func(b *testing.B) {
		// afex's own tick code, reached through go:linkname: for each
		// circuit, publishMetrics and publishThreadPools, which read the
		// metrics and marshal one event each. No client is connected, so
		// the events go nowhere, and afex's lock on its registry is not
		// taken. The circuits are made once, never flushed, and fed again
		// on every call of this function so that their windows are full.
		cbs := memo("afex/stream", func() []*afex.CircuitBreaker {
			var cbs []*afex.CircuitBreaker
			for _, name := range circuitNames("stream", streamCircuits) {
				afexConfigure(name, afex.CommandConfig{MaxConcurrentRequests: maxConcurrent})
				cb, _, _ := afex.GetCircuit(name)
				cbs = append(cbs, cb)
			}
			return cbs
		})
		for _, cb := range cbs {
			for k := range streamCalls {
				_ = afex.Do(cb.Name, streamRun(k), nil)
			}
		}
		pools := make([]unsafe.Pointer, len(cbs))
		names := make([]string, len(cbs))
		for i, cb := range cbs {
			pools[i] = afexPool(cb)
			names[i] = cb.Name
		}
		afexDrain(b, names...)
		sh := afex.NewStreamHandler()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			for i, cb := range cbs {
				_ = afexPublishMetrics(sh, cb)
				_ = afexPublishThreadPools(sh, pools[i])
			}
		}
	})
}

// streamRun is the k-th call's run function: one call in ten fails.
func streamRun(k int) func() error {
	if k%10 == 0 {
		return runFail
	}
	return runOK
}

// ---- memory: the heap one circuit holds ----

var memoryCircuit atomic.Int64

func benchMemory(b *testing.B) {
	for _, calls := range []struct {
		label string
		n     int
	}{{"10k", 10_000}, {"1M", 1_000_000}} {
		b.Run(calls.label, func(b *testing.B) {
			b.Run("ours", func(b *testing.B) {
				// Default settings but the concurrency bound; flushed
				// at the end.
				memoryPerCircuit(b, calls.n, memoryLib{
					configure: func(name string) {
						hystrix.ConfigureCommand(name, hystrix.CommandConfig{MaxConcurrentRequests: maxConcurrent})
					},
					create: func(name string) { hystrix.GetCircuit(name) },
					call:   func(name string) error { return hystrix.Do(name, runOK, nil) },
					settle: func(string) {},
				})
				hystrix.Flush()
			})
			b.Run("afex", func(b *testing.B) {
				// Default settings but the concurrency bound (afex's
				// default, 10, is too few even for two callers: its
				// tickets come back after Do has returned, see
				// afexMaxConcurrent); the driver waits for afex to catch
				// up every 256 calls, so 1,000 is plenty. The figure
				// includes afex's channel of 1,000 tickets, 8 KiB. afex is
				// never flushed (Flush would leave the circuit's two
				// goroutines running anyway), so every circuit measured
				// stays in its registry.
				memoryPerCircuit(b, calls.n, memoryLib{
					configure: func(name string) {
						afex.ConfigureCommand(name, afex.CommandConfig{MaxConcurrentRequests: maxConcurrent})
					},
					create: func(name string) { afex.GetCircuit(name) },
					call:   func(name string) error { return afex.Do(name, runOK, nil) },
					pace:   func(name string) { afexDrain(b, name) },
					settle: func(name string) { afexDrain(b, name) },
				})
			})
		})
	}
}

// memoryLib is what memoryPerCircuit needs of a library.
type memoryLib struct {
	configure func(name string)       // configures, does not make the circuit
	create    func(name string)       // makes the circuit
	call      func(name string) error // one call
	pace      func(name string)       // if set, runs every 256 calls of each driver
	settle    func(name string)       // waits for background work, keeps the circuit
}

// memoryPerCircuit makes b.N fresh circuits and drives calls calls through
// each, on GOMAXPROCS goroutines, and reports per circuit:
//
//   - B/circuit: the bytes allocated while the circuit is made (everything
//     made then is the circuit's, so this is what it holds when new), plus
//     the growth of the live heap (runtime.MemStats.HeapAlloc after
//     collecting garbage) over the calls;
//   - goroutines/circuit: the goroutines it leaves running.
//
// The growth is measured from after the first call. Measuring the live heap
// across the making of the circuit would not do: our engine keeps circuits
// in a cache by name address that Flush does not empty, so making a circuit
// can free a stale one and hide its own size.
//
// ns/op is the time to drive the calls through one circuit.
func memoryPerCircuit(b *testing.B, calls int, lib memoryLib) {
	procs := runtime.GOMAXPROCS(0)
	drive := func(name string, calls int) {
		var bad atomic.Int64
		var first atomic.Value
		var wg sync.WaitGroup
		for w := range procs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := calls / procs
				if w < calls%procs {
					n++
				}
				for i := range n {
					if err := lib.call(name); err != nil {
						bad.Add(1)
						first.CompareAndSwap(nil, err)
					}
					if lib.pace != nil && i%256 == 255 {
						lib.pace(name)
					}
				}
			}()
		}
		wg.Wait()
		if n := bad.Load(); n > 0 {
			b.Errorf("%d of %d calls on %s failed, first with %v", n, calls, name, first.Load())
		}
	}
	// Warm whatever a first circuit makes once for all.
	b.StopTimer()
	warm := fmt.Sprintf("memory-warm-%d", memoryCircuit.Add(1))
	lib.configure(warm)
	drive(warm, 1000)
	lib.settle(warm)

	var held, goroutines float64
	for range b.N {
		name := fmt.Sprintf("memory-%d", memoryCircuit.Add(1))
		lib.configure(name)
		before := quiescentMem()
		lib.create(name)
		made := readMem()
		if err := lib.call(name); err != nil {
			b.Fatalf("first call on %s: %v", name, err)
		}
		lib.settle(name)
		called := quiescentMem()
		b.StartTimer()
		drive(name, calls-1)
		lib.settle(name)
		b.StopTimer()
		after := quiescentMem()
		held += float64(made.allocated-before.allocated) + float64(int64(after.heap)-int64(called.heap))
		goroutines += float64(after.goroutines - before.goroutines)
	}
	b.ReportMetric(held/float64(b.N), "B/circuit")
	b.ReportMetric(goroutines/float64(b.N), "goroutines/circuit")
}

type memSnapshot struct {
	heap       uint64 // live heap
	allocated  uint64 // bytes ever allocated
	goroutines int
}

func readMem() memSnapshot {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSnapshot{heap: ms.HeapAlloc, allocated: ms.TotalAlloc, goroutines: runtime.NumGoroutine()}
}

// quiescentMem waits for goroutines that are finishing to finish, collects
// garbage twice (the second empties what sync.Pools kept from the first)
// and reads the memory statistics.
func quiescentMem() memSnapshot {
	n := runtime.NumGoroutine()
	for range 100 {
		time.Sleep(time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			break
		}
		n = m
	}
	runtime.GC()
	runtime.GC()
	return readMem()
}
