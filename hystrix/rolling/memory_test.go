package rolling

import (
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// timingBytes is the memory r holds: the struct, its buckets once written
// and the groups it has allocated.
func timingBytes(r *Timing) uintptr {
	n := unsafe.Sizeof(*r)
	d := r.data.Load()
	if d == nil {
		return n
	}
	n += unsafe.Sizeof(*d)
	for i := range d.groups {
		if d.groups[i].Load() != nil {
			n += unsafe.Sizeof(timingGroup{})
		}
	}
	return n
}

// spreadLatencies records durations from lo to hi, each an eighth longer
// than the one before, in every second of a minute, so that every bucket is
// live, and returns how many it recorded per second.
func spreadLatencies(r *Timing, at time.Time, lo, hi time.Duration) int {
	n := 0
	for s := 0; s < 60; s++ {
		n = 0
		for d := lo; d <= hi; d += d / 8 {
			r.AddAt(at.Add(time.Duration(s)*time.Second), d)
			n++
		}
	}
	return n
}

func TestTimingHoldsLittleMemoryBeforeAndAfterTraffic(t *testing.T) {
	var fresh Timing
	assert.LessOrEqual(t, timingBytes(&fresh), uintptr(512), "a Timing never written")
	cases := []struct {
		name   string
		lo, hi time.Duration
		groups int
		max    uintptr
	}{
		// A circuit holds two Timings: at most 8 KiB for both.
		{"1ms to 100ms", time.Millisecond, 100 * time.Millisecond, 8, 4 << 10},
		{"500µs to 2s", 500 * time.Microsecond, 2 * time.Second, 13, 5600},
		{"1µs to 30s", time.Microsecond, 30 * time.Second, 22, 9 << 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r Timing
			per := spreadLatencies(&r, t0, c.lo, c.hi)
			allocated := 0
			for i := range r.data.Load().groups {
				if r.data.Load().groups[i].Load() != nil {
					allocated++
				}
			}
			assert.Equal(t, c.groups, allocated, "one group per power of two spanned")
			assert.LessOrEqual(t, timingBytes(&r), c.max)
			t.Logf("%s: %d bytes", c.name, timingBytes(&r))
			end := t0.Add(59 * time.Second)
			assert.Equal(t, uint64(per)*uint64(r.Count(end)/uint64(per)), r.Count(end))
			assert.GreaterOrEqual(t, r.Count(end), uint64(50*per), "at least five live buckets")
		})
	}
}

// The heap agrees with timingBytes: a thousand Timings, fresh and then
// written, grow the heap by about what the struct and groups account for.
func TestTimingHeapMatchesAccountedBytes(t *testing.T) {
	const n = 1000
	rs := make([]*Timing, n)
	var before, fresh, used runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range rs {
		rs[i] = new(Timing)
	}
	runtime.GC()
	runtime.ReadMemStats(&fresh)
	for _, r := range rs {
		spreadLatencies(r, t0, time.Millisecond, 100*time.Millisecond)
	}
	runtime.GC()
	runtime.ReadMemStats(&used)
	perFresh := (int64(fresh.HeapAlloc) - int64(before.HeapAlloc)) / n
	perUsed := (int64(used.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("bytes per Timing: %d fresh, %d after a spread of latencies", perFresh, perUsed)
	assert.Less(t, perFresh, int64(128), "a Timing never written holds two pointers")
	assert.Less(t, perUsed, int64(timingBytes(rs[0]))+512)
	runtime.KeepAlive(rs)
}

func TestTimingAddDoesNotAllocateAfterWarmUp(t *testing.T) {
	var r Timing
	spreadLatencies(&r, t0, time.Millisecond, 100*time.Millisecond)
	sec := t0.Unix()
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		r.AddUnix(sec+int64(i%60), benchDurations[i%len(benchDurations)])
		i++
	})
	assert.Zero(t, allocs)
	// A bucket recycled for a later period reuses the groups.
	allocs = testing.AllocsPerRun(100, func() {
		r.AddUnix(sec+int64(60+i%60), benchDurations[i%len(benchDurations)])
		i++
	})
	assert.Zero(t, allocs)
}

// Writers that race to allocate the same group all land in one: no count
// is lost to a group dropped by the compare-and-swap.
func TestTimingConcurrentFirstWritesShareOneGroup(t *testing.T) {
	for round := 0; round < 20; round++ {
		var r Timing
		const writers, each = 8, 200
		var start, done sync.WaitGroup
		start.Add(1)
		done.Add(writers)
		for w := 0; w < writers; w++ {
			go func() {
				defer done.Done()
				start.Wait()
				for i := 0; i < each; i++ {
					// Every writer touches the same few groups
					// first, in a different order.
					r.AddAt(t0, benchDurations[(i*(w+1))%len(benchDurations)])
				}
			}()
		}
		start.Done()
		done.Wait()
		require.Equal(t, uint64(writers*each), r.Count(t0), "round %d", round)
	}
}

func TestTimingResetClearsAllocatedGroupsAndKeepsThem(t *testing.T) {
	var r Timing
	spreadLatencies(&r, t0, 500*time.Microsecond, 2*time.Second)
	bytes := timingBytes(&r)
	now := t0.Add(59 * time.Second)
	require.NotZero(t, r.Count(now))
	r.Reset()
	assert.Zero(t, r.Count(now))
	assert.Zero(t, r.PercentileAt(now, 99))
	assert.Equal(t, bytes, timingBytes(&r), "the groups are kept for reuse")
	for i := range r.data.Load().groups {
		if g := r.data.Load().groups[i].Load(); g != nil {
			for s := range g {
				for j := range g[s] {
					require.Zero(t, g[s][j].Load())
				}
			}
		}
	}
	r.AddAt(now, 3*time.Millisecond)
	assert.Equal(t, uint64(1), r.Count(now))
	assert.InEpsilon(t, float64(3*time.Millisecond), float64(r.PercentileAt(now, 50)), 0.04)
}

func TestNumberMakesItsBucketsOnTheFirstWriteThatCounts(t *testing.T) {
	var r Number
	assert.Equal(t, uintptr(16), unsafe.Sizeof(r), "a Number never written")
	sec := t0.Unix()
	// Reads, resets and writes that change nothing leave it empty.
	assert.Zero(t, r.SumUnix(sec))
	assert.Zero(t, r.MaxUnix(sec))
	r.Reset()
	r.AddUnix(sec, 0)
	r.UpdateMaxUnix(sec, 0)
	r.UpdateMaxUnix(sec, -3)
	assert.Nil(t, r.ring.Load(), "nothing written, nothing made")
	r.UpdateMaxUnix(sec, 2)
	require.NotNil(t, r.ring.Load())
	assert.Equal(t, 2.0, r.MaxUnix(sec))
	var s Number
	s.AddUnix(sec, 1.5)
	assert.Equal(t, 1.5, s.SumUnix(sec))
	s.Reset()
	assert.Zero(t, s.SumUnix(sec))
	assert.NotNil(t, s.ring.Load(), "Reset keeps the buckets for the next write")
}

func TestNumberConcurrentFirstWritesShareOneRing(t *testing.T) {
	for range 20 {
		var r Number
		sec := t0.Unix()
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 100 {
					r.AddUnix(sec, 1)
				}
			}()
		}
		wg.Wait()
		require.Equal(t, 800.0, r.SumUnix(sec), "no count lost to a ring made twice")
	}
}

func TestNumberWritesDoNotAllocateAfterTheFirst(t *testing.T) {
	var r Number
	sec := t0.Unix()
	r.AddUnix(sec, 1)
	got := testing.AllocsPerRun(1000, func() {
		sec++
		r.AddUnix(sec, 1)
		r.UpdateMaxUnix(sec, 3)
	})
	assert.Zero(t, got)
}
