package hystrix

import (
	"sync"
	"testing"
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

func TestRefusalCountsSpreadGoroutines(t *testing.T) {
	t.Parallel()
	// Goroutines alive at once land on several slots, not one.
	seen := make(chan uintptr, 32)
	var wg sync.WaitGroup
	release := make(chan struct{})
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen <- stripe()
			<-release
		}()
	}
	slots := map[uintptr]bool{}
	for range 32 {
		slots[<-seen] = true
	}
	close(release)
	wg.Wait()
	if len(slots) < 4 {
		t.Fatalf("32 live goroutines used %d slots of %d", len(slots), countStripes)
	}
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
