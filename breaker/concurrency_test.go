package breaker_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/breaker"
)

// callers is how many goroutines hit a breaker at once in these tests.
const callers = 50

// together runs f on n goroutines released at the same moment and waits
// for them all.
func together(n int, f func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			f(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// eventually yields until cond holds and reports whether it did within a
// generous bound. It waits on goroutines of the test, not on time passing.
func eventually(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		runtime.Gosched()
	}
	return true
}

func TestConcurrentFailuresOpenExactlyOnce(t *testing.T) {
	t.Parallel()
	var rec transitions
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 5, OnStateChange: rec.record})
	var ran, refused, other atomic.Int64
	together(callers, func(int) {
		err := cb.Run(func() (error, bool) { ran.Add(1); return errBoom, false })
		switch {
		case err == errBoom:
		case errors.Is(err, breaker.ErrOpen):
			refused.Add(1)
		default:
			other.Add(1)
		}
	})
	wantStatus(t, cb, breaker.Open)
	if got := rec.list(); len(got) != 1 || got[0] != "closed>open" {
		t.Fatalf("transitions %v, want exactly one opening", got)
	}
	if ran.Load() < 6 || ran.Load()+refused.Load() != callers || other.Load() != 0 {
		t.Fatalf("ran %d, refused %d, other %d of %d", ran.Load(), refused.Load(), other.Load(), callers)
	}
}

func TestConcurrentCallersOfAnOpenBreakerAreAllRefused(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Hour})
	trip(t, cb, 2)
	var ran, refused atomic.Int64
	together(callers, func(int) {
		for range 100 {
			if err := cb.Run(func() (error, bool) { ran.Add(1); return nil, false }); errors.Is(err, breaker.ErrOpen) {
				refused.Add(1)
			}
		}
	})
	if ran.Load() != 0 || refused.Load() != callers*100 {
		t.Fatalf("ran %d, refused %d of %d", ran.Load(), refused.Load(), callers*100)
	}
}

// halfOpenRush makes cb half-open and has callers goroutines call it at
// once; the function the one probe runs waits until every other caller
// has returned, then returns probeErr.
func halfOpenRush(t *testing.T, probeErr error) (*transitions, *breaker.Breaker, int64) {
	t.Helper()
	var rec transitions
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Second, OnStateChange: rec.record})
	trip(t, cb, 2)
	clk.Add(time.Second)
	wantStatus(t, cb, breaker.HalfOpen)

	var ran, refused, returned atomic.Int64
	release := make(chan struct{})
	var settled atomic.Bool
	go func() {
		settled.Store(eventually(func() bool { return ran.Load() == 1 && returned.Load() == callers-1 }))
		close(release)
	}()
	together(callers, func(int) {
		err := cb.Run(func() (error, bool) {
			ran.Add(1)
			<-release
			return probeErr, false
		})
		if errors.Is(err, breaker.ErrOpen) {
			refused.Add(1)
		}
		returned.Add(1)
	})
	if !settled.Load() || ran.Load() != 1 || refused.Load() != callers-1 {
		t.Fatalf("half-open ran %d probes and refused %d calls of %d; want one probe", ran.Load(), refused.Load(), callers)
	}
	return &rec, cb, refused.Load()
}

func TestHalfOpenAdmitsOneProbeAmongConcurrentCallers(t *testing.T) {
	t.Parallel()
	rec, cb, _ := halfOpenRush(t, nil)
	wantStatus(t, cb, breaker.Closed)
	if got, want := rec.list(), []string{"closed>open", "open>half-open", "half-open>closed"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("transitions %v, want %v", got, want)
	}
}

func TestConcurrentCallersAtAFailedProbeReopenOnce(t *testing.T) {
	t.Parallel()
	rec, cb, _ := halfOpenRush(t, errBoom)
	wantStatus(t, cb, breaker.Open)
	if got, want := rec.list(), []string{"closed>open", "open>half-open", "half-open>open"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("transitions %v, want %v", got, want)
	}
}

// Calls and clock moves from many goroutines: whatever the interleaving,
// the callback sees a chain of transitions, each from the state the one
// before went to, and every refusal is the breaker's own error. Run it
// under -race.
func TestConcurrentCallsAndClockMovesKeepTransitionsChained(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var last = breaker.Closed
	var broken []string
	var n atomic.Int64
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 2, RetryAfter: time.Second, OnStateChange: func(_ string, from, to breaker.State) {
		mu.Lock()
		defer mu.Unlock()
		if from != last || from == to {
			broken = append(broken, fmt.Sprintf("%v>%v after %v", from, to, last))
		}
		last = to
		n.Add(1)
	}})
	var bad atomic.Int64
	together(8, func(i int) {
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		for range 2000 {
			switch r := rng.IntN(10); {
			case i == 0 && r < 3:
				clk.Add(time.Duration(rng.IntN(600)) * time.Millisecond)
			case r < 5:
				if err := cb.Run(fail); err != errBoom && !errors.Is(err, breaker.ErrOpen) {
					bad.Add(1)
				}
			case r < 6:
				if err := cb.Run(skip); err != errBadInput && !errors.Is(err, breaker.ErrOpen) {
					bad.Add(1)
				}
			default:
				if err := cb.Run(pass); err != nil && !errors.Is(err, breaker.ErrOpen) {
					bad.Add(1)
				}
			}
		}
	})
	if len(broken) > 0 || bad.Load() > 0 {
		t.Fatalf("broken chain %v; %d unexpected results", broken, bad.Load())
	}
	if st := cb.Status(); st != last {
		t.Fatalf("Status() = %v, but the last transition went to %v", st, last)
	}
	t.Logf("%d transitions", n.Load())
}
