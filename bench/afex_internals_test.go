package bench

import (
	"reflect"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	afex "github.com/afex/hystrix-go/hystrix"
)

// afex finishes every call after Do has returned: a goroutine of the call
// gives its ticket back through a goroutine per circuit (an unbuffered
// channel), then hands the outcome to another goroutine per circuit (a
// channel of 2,000). Nothing exported says when that work is done, so the
// harness reads the unexported fields that do, read-only, in the pinned
// version of afex (go.mod):
//
//	CircuitBreaker.executorPool *executorPool{Max int; Tickets chan}
//	CircuitBreaker.executorPool.Metrics *poolMetrics{Mutex *sync.RWMutex}
//	CircuitBreaker.metrics *metricExchange{Updates chan; Mutex *sync.RWMutex}
//
// Each of the two goroutines holds its Mutex for reading while it applies
// an update, so once every ticket is back and the channel is empty, taking
// the Mutexes for writing waits for the updates in hand.

type afexInternals struct {
	max       int
	tickets   reflect.Value // chan *struct{}
	updates   reflect.Value // chan *commandExecution
	metricsMu *sync.RWMutex
	poolMu    *sync.RWMutex
}

func afexInternalsOf(tb testing.TB, cb *afex.CircuitBreaker) afexInternals {
	tb.Helper()
	field := func(v reflect.Value, name string) reflect.Value {
		f := v.FieldByName(name)
		if !f.IsValid() {
			tb.Fatalf("afex: no field %s in %s; the harness knows afex v0.0.0-20180502004556-fa1af6a1f4f5", name, v.Type())
		}
		return f
	}
	c := reflect.ValueOf(cb).Elem()
	metrics := field(c, "metrics").Elem()
	pool := field(c, "executorPool").Elem()
	return afexInternals{
		max:       int(field(pool, "Max").Int()),
		tickets:   field(pool, "Tickets"),
		updates:   field(metrics, "Updates"),
		metricsMu: (*sync.RWMutex)(field(metrics, "Mutex").UnsafePointer()),
		poolMu:    (*sync.RWMutex)(field(field(pool, "Metrics").Elem(), "Mutex").UnsafePointer()),
	}
}

// afexInternalsFor returns, and remembers, the internals of the named
// circuit.
func afexInternalsFor(tb testing.TB, name string) *afexInternals {
	if in, ok := afexInternalsCache.Load(name); ok {
		return in.(*afexInternals)
	}
	cb, _, _ := afex.GetCircuit(name)
	in := afexInternalsOf(tb, cb)
	afexInternalsCache.Store(name, &in)
	return &in
}

var afexInternalsCache sync.Map

// busy reports whether a call is still out or an outcome still queued.
func (in *afexInternals) busy() bool {
	return in.tickets.Len() < in.max || in.updates.Len() > 0
}

// wait takes and releases both Mutexes, waiting for the updates in hand.
func (in *afexInternals) wait() {
	in.poolMu.Lock()
	in.poolMu.Unlock()
	in.metricsMu.Lock()
	in.metricsMu.Unlock()
}

// afexDrain waits until afex has finished every call made so far on the
// named circuits: every ticket back, every outcome applied.
func afexDrain(tb testing.TB, names ...string) {
	ins := make([]*afexInternals, len(names))
	for i, name := range names {
		ins[i] = afexInternalsFor(tb, name)
	}
	deadline := time.Now().Add(time.Minute)
	// Two quiet looks a little apart, since a call's goroutine sends its
	// outcome just after it gives its ticket back. Waiting yields to afex's
	// goroutines rather than sleeping, so that it costs the timing of
	// afex's calls no more than the work it waits for.
	for quiet, spins := 0, 0; quiet < 2; {
		busy := false
		for _, in := range ins {
			if in.busy() {
				busy = true
				break
			}
		}
		if busy {
			quiet = 0
			if spins++; spins%1000 == 0 {
				if time.Now().After(deadline) {
					tb.Errorf("afex: calls did not finish within a minute")
					return
				}
				time.Sleep(50 * time.Microsecond)
			}
			runtime.Gosched()
			continue
		}
		for _, in := range ins {
			in.wait()
		}
		quiet++
		for range 10 {
			runtime.Gosched()
		}
	}
}

// afex's dashboard stream publishes, once a second and for each circuit,
// one event built by publishMetrics and one by publishThreadPools. Both are
// unexported; the stream scenario calls them through go:linkname, so that
// it measures afex's own code. The pool argument is afex's unexported
// *executorPool, passed as the pointer it is.

//go:linkname afexPublishMetrics github.com/afex/hystrix-go/hystrix.(*StreamHandler).publishMetrics
func afexPublishMetrics(sh *afex.StreamHandler, cb *afex.CircuitBreaker) error

//go:linkname afexPublishThreadPools github.com/afex/hystrix-go/hystrix.(*StreamHandler).publishThreadPools
func afexPublishThreadPools(sh *afex.StreamHandler, pool unsafe.Pointer) error

// afexPool returns cb's executor pool for afexPublishThreadPools.
func afexPool(cb *afex.CircuitBreaker) unsafe.Pointer {
	return reflect.ValueOf(cb).Elem().FieldByName("executorPool").UnsafePointer()
}
