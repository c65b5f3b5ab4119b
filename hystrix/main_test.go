package hystrix

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeClock is a Clock the test moves by hand.
type fakeClock struct {
	mu     sync.Mutex
	t      int64
	timers []*fakeTimer
}

type fakeTimer struct {
	at      int64
	f       func()
	stopped bool // guarded by the clock's mu
	clk     *fakeClock
}

func (ft *fakeTimer) Stop() bool {
	ft.clk.mu.Lock()
	defer ft.clk.mu.Unlock()
	was := !ft.stopped
	ft.stopped = true
	return was
}

// newTestRegistry returns a registry of the test's own on a fake clock of its
// own, which starts at 2026-01-01 and moves only when the test moves it, so
// that the test can run in parallel with others; opts add to that. The
// registry is flushed when the test ends. Its time in Unix nanoseconds is
// r.clock.now().
func newTestRegistry(t *testing.T, opts ...Option) (*Registry, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
	r := NewRegistry(append([]Option{WithClock(clk)}, opts...)...)
	t.Cleanup(r.Flush)
	return r, clk
}

// newSystemClockRegistry returns a registry of the test's own on the system
// clock, flushed when the test ends, for tests of the event stream, whose
// rounds come in real time and carry the registry's time.
func newSystemClockRegistry(t *testing.T) *Registry {
	t.Helper()
	r := NewRegistry()
	t.Cleanup(r.Flush)
	return r
}

// Now makes fakeClock a Clock.
func (c *fakeClock) Now() time.Time { return time.Unix(0, c.now()) }

// AfterFunc makes fakeClock a Clock.
func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer { return c.afterFunc(d, f) }

func (c *fakeClock) afterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	ft := &fakeTimer{at: c.t + int64(d), f: f, clk: c}
	c.timers = append(c.timers, ft)
	return ft
}

func (c *fakeClock) now() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on and then fires, outside its lock, the timers that
// came due.
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t += int64(d)
	var due []func()
	live := c.timers[:0]
	for _, ft := range c.timers {
		switch {
		case ft.stopped:
		case ft.at <= c.t:
			ft.stopped = true
			due = append(due, ft.f)
		default:
			live = append(live, ft)
		}
	}
	c.timers = live
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

var nameSeq atomic.Int64

// uniqueName returns a command name of the test's own, fresh on every run,
// so that -count=N and reruns never share a circuit.
func uniqueName(t testing.TB) string {
	return fmt.Sprintf("%s#%d", t.Name(), nameSeq.Add(1))
}
