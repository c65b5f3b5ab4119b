package hystrixtest

import (
	"slices"
	"sync"
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// NewRegistry returns a registry of the test's own on a new manual clock,
// with opts applied after the clock, and flushes it when the test ends. The
// registry shares nothing with the default one, so tests that use it may
// run in parallel.
func NewRegistry(tb testing.TB, opts ...hystrix.Option) (*hystrix.Registry, *Clock) {
	tb.Helper()
	clk := NewClock(Epoch)
	r := hystrix.NewRegistry(append([]hystrix.Option{hystrix.WithClock(clk)}, opts...)...)
	tb.Cleanup(r.Flush)
	return r, clk
}

// Recorder keeps the state changes a registry delivers to it. It is safe
// for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	changes []hystrix.StateChange
}

// Record records a state change; pass it to OnStateChange.
func (r *Recorder) Record(sc hystrix.StateChange) {
	r.mu.Lock()
	r.changes = append(r.changes, sc)
	r.mu.Unlock()
}

// Changes returns the state changes recorded so far, in order.
func (r *Recorder) Changes() []hystrix.StateChange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.changes)
}

// States returns the states entered so far, in order.
func (r *Recorder) States() []hystrix.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]hystrix.State, len(r.changes))
	for i, sc := range r.changes {
		out[i] = sc.To
	}
	return out
}
