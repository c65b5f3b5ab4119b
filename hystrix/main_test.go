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

// fakeClock is a clock the test moves by hand; it replaces the engine's
// clock until the test ends.
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

// useFakeClock makes c the default registry's clock until the test ends.
func useFakeClock(t *testing.T) *fakeClock {
	t.Helper()
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
	old := defaultRegistry.clock
	defaultRegistry.clock = newClock(c)
	t.Cleanup(func() { defaultRegistry.clock = old })
	return c
}

// now is the default registry's time, for tests.
func now() int64 { return defaultRegistry.clock.now() }

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
