package bench

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zeromicro/go-zero/core/logx"
	"github.com/zeromicro/go-zero/core/stat"
)

func TestMain(m *testing.M) {
	// go-zero logs its CPU usage once a minute and writes a report when its
	// breaker drops calls; neither belongs in benchmark output. (Importing
	// go-zero also starts a goroutine that samples CPU usage four times a
	// second, for the whole run; it cannot be stopped, and its cost is far
	// below the noise.)
	logx.Disable()
	stat.DisableLog()
	stat.SetReporter(nil)
	os.Exit(m.Run())
}

// errBoom is what a failing run function returns.
var errBoom = errors.New("boom")

func runOK() error   { return nil }
func runFail() error { return errBoom }

// goroutineCounts are the concurrencies every per-call scenario runs at: g1
// is a plain loop on the benchmark's goroutine, g75 is exactly 75 goroutines
// sharing b.N calls, whatever GOMAXPROCS is.
var goroutineCounts = []int{1, 75}

// A target is what a library's adapter hands the harness: a call to make
// over and over, and what a call is expected to return.
type target struct {
	// call makes one call; callAt makes one call through the i-th of many
	// circuits. One of the two is set.
	call   func() error
	callAt func(i int) error
	// circuits is how many circuits callAt takes.
	circuits int
	// settle, if set, waits for the work the calls left running in the
	// background (afex's metrics goroutines). It runs inside the timing:
	// that work is part of what the calls cost, and it must not spill into
	// the next benchmark.
	settle func()
}

// An expectation says what a call may return: want normally, and other
// (matched with errors.Is) as a counted, documented outcome, reported per
// call under otherUnit. Anything else fails the benchmark.
type expectation struct {
	want      error
	other     error
	otherUnit string
}

// tally counts one goroutine's outcomes; padded so that goroutines do not
// share a cache line.
type tally struct {
	other, bad int64
	firstBad   error
	_          [64]byte
}

func (t *tally) run(do func() error, e *expectation, n int) {
	want, other := e.want, e.other
	for range n {
		err := do()
		if err == want {
			continue
		}
		if other != nil && errors.Is(err, other) {
			t.other++
			continue
		}
		t.bad++
		if t.firstBad == nil {
			t.firstBad = err
		}
	}
}

// measure runs b.N calls on exactly g goroutines and checks every result.
// With g == 1 the calls run in a plain loop on the benchmark's goroutine.
// With more, each goroutine takes batches of calls from a shared counter,
// as b.RunParallel does, until b.N are done; ns/op is wall time over b.N.
func measure(b *testing.B, g int, tg target, e expectation) {
	b.ReportAllocs()
	workers := make([]func() error, g)
	for w := range workers {
		workers[w] = tg.call
		if tg.callAt != nil {
			workers[w] = spread(tg.callAt, tg.circuits, w)
		}
	}
	tallies := make([]tally, g)
	n := int64(b.N)
	grain := min(max(n/int64(g*64), 1), 1000)
	var next atomic.Int64
	var wg sync.WaitGroup

	b.ResetTimer()
	if g == 1 {
		tallies[0].run(workers[0], &e, b.N)
	} else {
		wg.Add(g)
		for w := range g {
			go func() {
				defer wg.Done()
				for {
					end := next.Add(grain)
					start := end - grain
					if start >= n {
						return
					}
					tallies[w].run(workers[w], &e, int(min(end, n)-start))
				}
			}()
		}
		wg.Wait()
	}
	if tg.settle != nil {
		tg.settle()
	}
	b.StopTimer()

	var other, bad int64
	var firstBad error
	for _, t := range tallies {
		other += t.other
		bad += t.bad
		if firstBad == nil {
			firstBad = t.firstBad
		}
	}
	if bad > 0 {
		b.Errorf("%d of %d calls returned something unexpected, first %v; want %v", bad, b.N, firstBad, e.want)
	}
	if e.otherUnit != "" {
		b.ReportMetric(float64(other)/float64(b.N), e.otherUnit)
	}
}

// manyCircuits is how many circuits the circuits10k scenario spreads its
// calls over, and manyStride how it walks them: a prime step, coprime with
// the count, so that every goroutine visits every circuit in a scattered order
// rather than sweeping neighbouring ones.
const (
	manyCircuits = 10_000
	manyStride   = 7919
)

// spread turns a call through the i-th of n circuits into a call that moves
// on to another circuit each time; worker w starts at its own offset.
func spread(callAt func(int) error, n, w int) func() error {
	i := (w * 1013) % n
	step := manyStride % n
	return func() error {
		i += step
		if i >= n {
			i -= n
		}
		return callAt(i)
	}
}

// circuitNames returns n distinct names with the given prefix.
func circuitNames(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%05d", prefix, i)
	}
	return names
}

// memo builds a value once per key and returns it on every later call, for
// adapters whose setup leaves goroutines behind (afex, rubyist's Panel, an
// open eapache breaker) and so must not be repeated each time the testing
// package calls a benchmark function again.
var memos sync.Map

func memo[T any](key string, build func() T) T {
	if v, ok := memos.Load(key); ok {
		return v.(T)
	}
	v, _ := memos.LoadOrStore(key, build())
	return v.(T)
}
