package hystrix

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRefusalCountsAreExactUnderConcurrentAdds(t *testing.T) {
	t.Parallel()
	var s refusalCounts
	if got := s.take(refusedFallbackSuccess); got != 0 {
		t.Fatalf("an unused count took %d", got)
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				s.add(refusedFallbackSuccess)
			}
		}()
	}
	// Takes while adds go on lose nothing: what one take misses, the next
	// one gets.
	var taken int64
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
			taken += s.take(refusedFallbackSuccess)
		}
	}
	taken += s.take(refusedFallbackSuccess)
	if taken != 50_000 {
		t.Fatalf("took %d, want 50000", taken)
	}
	s.add(refusedShortCircuit)
	s.add(refusedFallbackSuccess)
	s.clear()
	for k := range refusalKinds {
		if got := s.take(k); got != 0 {
			t.Fatalf("after clear took %d of kind %d", got, k)
		}
	}
}

func TestRefusalCountsHaveASlotPerP(t *testing.T) {
	t.Parallel()
	var s refusalCounts
	s.add(refusedShortCircuit)
	st := s.stripes.Load()
	procs := runtime.GOMAXPROCS(0)
	n := len(st.slots)
	if n&(n-1) != 0 || st.mask != n-1 {
		t.Fatalf("%d slots with mask %d, want a power of two", n, st.mask)
	}
	if n < min(procs, maxCountStripes) || n >= 2*procs && n > 1 {
		t.Fatalf("%d slots for GOMAXPROCS %d", n, procs)
	}
	if got := s.take(refusedShortCircuit); got != 1 {
		t.Fatalf("took %d, want 1", got)
	}
}

func TestRefusalCountsKeepCountingWhenPsShareASlot(t *testing.T) {
	t.Parallel()
	// As after GOMAXPROCS grew past the slots made: every P lands on slot 0.
	var s refusalCounts
	s.stripes.Store(&refusalStripes{mask: 0, slots: make([]refusalSlot, 1)})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				s.add(refusedFallbackFailure)
			}
		}()
	}
	wg.Wait()
	if got := s.take(refusedFallbackFailure); got != 4000 {
		t.Fatalf("took %d, want 4000", got)
	}
}

func TestGoroutinesRunningAtOnceUseDifferentSlots(t *testing.T) {
	t.Parallel()
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs two Ps")
	}
	// Two goroutines spinning at the same time run on two Ps, so they
	// report two ids; the scheduler may need a moment to spread them.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var ids [2]atomic.Int64
		var wg sync.WaitGroup
		var both atomic.Int32
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				both.Add(1)
				for both.Load() < 2 {
				}
				ids[i].Store(int64(currentP()))
			}()
		}
		wg.Wait()
		a, b := ids[0].Load(), ids[1].Load()
		if a < 0 || b < 0 || a >= int64(runtime.GOMAXPROCS(0)) || b >= int64(runtime.GOMAXPROCS(0)) {
			t.Fatalf("P ids %d and %d out of range", a, b)
		}
		if a != b {
			return
		}
	}
	t.Fatal("two goroutines spinning at once always reported the same P")
}

func TestConcurrentRefusalsAreAllCounted(t *testing.T) {
	t.Parallel()
	r, _ := newTestRegistry(t)
	if err := r.TryConfigureCommand("c", CommandConfig{RequestVolumeThreshold: 1, SleepWindow: 3_600_000, Isolation: CallerIsolation}); err != nil {
		t.Fatal(err)
	}
	_ = r.Do("c", func() error { return errDown }, nil)
	c, _, _ := r.GetCircuit("c")
	if !c.IsOpen() {
		t.Fatal("not open")
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				_ = r.Do("c", func() error { return nil }, nil)
			}
		}()
	}
	wg.Wait()
	c.foldPending(c.clock().now() / 1e9)
	if got := c.metrics.ShortCircuits().SumUnix(c.clock().now() / 1e9); got != 10_000 {
		t.Fatalf("counted %v short circuits, want 10000", got)
	}
}
