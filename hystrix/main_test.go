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
	mu sync.Mutex
	t  int64
}

func useFakeClock(t *testing.T) *fakeClock {
	t.Helper()
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()}
	old := now
	now = c.now
	t.Cleanup(func() { now = old })
	return c
}

func (c *fakeClock) now() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t += int64(d)
	c.mu.Unlock()
}

var nameSeq atomic.Int64

// uniqueName returns a command name of the test's own, fresh on every run,
// so that -count=N and reruns never share a circuit.
func uniqueName(t testing.TB) string {
	return fmt.Sprintf("%s#%d", t.Name(), nameSeq.Add(1))
}
