package hystrixtest_test

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

var _ hystrix.Clock = hystrixtest.NewClock(time.Time{})

// firings records, in order, which timers fired and what the clock read
// as each did.
type firings struct {
	clk   *hystrixtest.Clock
	mu    sync.Mutex
	names []string
	reads []time.Duration // since Epoch
}

func (f *firings) timer(name string) func() {
	return func() {
		now := f.clk.Now()
		f.mu.Lock()
		f.names = append(f.names, name)
		f.reads = append(f.reads, now.Sub(hystrixtest.Epoch))
		f.mu.Unlock()
	}
}

func (f *firings) want(t *testing.T, names []string, reads []time.Duration) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Equal(f.names, names) || !slices.Equal(f.reads, reads) {
		t.Errorf("fired %v reading %v, want %v reading %v", f.names, f.reads, names, reads)
	}
}

func TestNewClockStartsAtTheGivenTimeOrEpoch(t *testing.T) {
	t.Parallel()
	if got := hystrixtest.NewClock(time.Time{}).Now(); !got.Equal(hystrixtest.Epoch) {
		t.Errorf("NewClock(zero).Now() = %v, want Epoch", got)
	}
	start := time.Date(2030, time.June, 1, 0, 0, 0, 0, time.UTC)
	if got := hystrixtest.NewClock(start).Now(); !got.Equal(start) {
		t.Errorf("NewClock(%v).Now() = %v", start, got)
	}
}

func TestClockFiresTimersInTheOrderTheyAreDueEachReadingItsDueTime(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	f := &firings{clk: clk}
	clk.AfterFunc(3*time.Second, f.timer("3s"))
	clk.AfterFunc(time.Second, f.timer("1s"))
	clk.AfterFunc(2*time.Second, f.timer("2s, armed first"))
	clk.AfterFunc(2*time.Second, f.timer("2s, armed second"))
	clk.Add(5 * time.Second)
	f.want(t,
		[]string{"1s", "2s, armed first", "2s, armed second", "3s"},
		[]time.Duration{time.Second, 2 * time.Second, 2 * time.Second, 3 * time.Second})
	if got := clk.Now().Sub(hystrixtest.Epoch); got != 5*time.Second {
		t.Errorf("after the timers the clock reads +%v, want +5s", got)
	}
}

func TestClockFiresATimerAtItsDueInstantAndNotBefore(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	f := &firings{clk: clk}
	clk.AfterFunc(time.Second, f.timer("add"))
	clk.Add(time.Second - 1)
	f.want(t, nil, nil)
	clk.Add(1)
	f.want(t, []string{"add"}, []time.Duration{time.Second})

	clk.AfterFunc(time.Second, f.timer("set"))
	clk.Set(hystrixtest.Epoch.Add(2 * time.Second)) // exactly due
	f.want(t, []string{"add", "set"}, []time.Duration{time.Second, 2 * time.Second})
}

func TestClockTimerOfZeroOrLessFiresAtTheNextMoveEvenByZero(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	f := &firings{clk: clk}
	clk.AfterFunc(0, f.timer("zero"))
	clk.AfterFunc(-time.Hour, f.timer("negative"))
	f.want(t, nil, nil)
	clk.Add(0)
	f.want(t, []string{"zero", "negative"}, []time.Duration{0, 0})
}

func TestClockFiresATimerArmedByAFiringTimerWithinTheSameMove(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	f := &firings{clk: clk}
	clk.AfterFunc(time.Second, func() {
		f.timer("first")()
		clk.AfterFunc(time.Second, f.timer("armed by first, due 2s"))
		clk.AfterFunc(0, f.timer("armed by first, due now"))
		clk.AfterFunc(10*time.Second, f.timer("armed by first, due 11s"))
	})
	clk.AfterFunc(1500*time.Millisecond, f.timer("1.5s"))
	clk.Add(5 * time.Second)
	f.want(t,
		[]string{"first", "armed by first, due now", "1.5s", "armed by first, due 2s"},
		[]time.Duration{time.Second, time.Second, 1500 * time.Millisecond, 2 * time.Second})
	if n := clk.Pending(); n != 1 {
		t.Errorf("Pending = %d, want the timer due at 11s", n)
	}
	if next, ok := clk.Next(); !ok || !next.Equal(hystrixtest.Epoch.Add(11*time.Second)) {
		t.Errorf("Next = %v, %v; want +11s", next, ok)
	}
}

func TestClockStopDisarmsATimer(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	f := &firings{clk: clk}
	stopped := clk.AfterFunc(time.Second, f.timer("stopped"))
	if !stopped.Stop() {
		t.Error("Stop of an armed timer = false")
	}
	if stopped.Stop() {
		t.Error("a second Stop = true")
	}
	var later hystrix.Timer
	clk.AfterFunc(2*time.Second, func() {
		f.timer("stops the later one")()
		if !later.Stop() {
			t.Error("Stop from a firing timer = false")
		}
	})
	later = clk.AfterFunc(3*time.Second, f.timer("later"))
	fired := clk.AfterFunc(time.Second, f.timer("fired"))
	clk.Add(time.Minute)
	f.want(t, []string{"fired", "stops the later one"}, []time.Duration{time.Second, 2 * time.Second})
	if fired.Stop() {
		t.Error("Stop of a fired timer = true")
	}
	if n := clk.Pending(); n != 0 {
		t.Errorf("Pending = %d", n)
	}
}

func TestClockPendingAndNextShowTheArmedTimers(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	if n := clk.Pending(); n != 0 {
		t.Errorf("Pending of a new clock = %d", n)
	}
	if _, ok := clk.Next(); ok {
		t.Error("a new clock has a next timer")
	}
	clk.AfterFunc(3*time.Second, func() {})
	a := clk.AfterFunc(time.Second, func() {})
	clk.AfterFunc(2*time.Second, func() {})
	steps := []struct {
		do      func()
		pending int
		next    time.Duration
	}{
		{func() {}, 3, time.Second},
		{func() { a.Stop() }, 2, 2 * time.Second},
		{func() { clk.Add(2 * time.Second) }, 1, 3 * time.Second},
		{func() { clk.AfterFunc(0, func() {}) }, 2, 2 * time.Second},
		{func() { clk.Add(0) }, 1, 3 * time.Second},
	}
	for i, st := range steps {
		st.do()
		if n := clk.Pending(); n != st.pending {
			t.Errorf("step %d: Pending = %d, want %d", i, n, st.pending)
		}
		if next, ok := clk.Next(); !ok || next.Sub(hystrixtest.Epoch) != st.next {
			t.Errorf("step %d: Next = +%v, %v; want +%v", i, next.Sub(hystrixtest.Epoch), ok, st.next)
		}
	}
}

func TestClockSetBackwardsFiresNothing(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	f := &firings{clk: clk}
	clk.AfterFunc(time.Second, f.timer("1s"))
	clk.AfterFunc(0, f.timer("due now"))
	back := hystrixtest.Epoch.Add(-time.Hour)
	clk.Set(back)
	f.want(t, nil, nil)
	if got := clk.Now(); !got.Equal(back) {
		t.Errorf("Now = %v, want %v", got, back)
	}
	if n := clk.Pending(); n != 2 {
		t.Errorf("Pending = %d, want 2", n)
	}
	// The timers keep their due instants: they fire once the clock is
	// back there.
	clk.Add(time.Hour)
	f.want(t, []string{"due now"}, []time.Duration{0})
	clk.Add(time.Second)
	f.want(t, []string{"due now", "1s"}, []time.Duration{0, time.Second})
}

func TestClockUsedConcurrentlyFiresEveryTimerOnceInDueOrder(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	const armers, each = 8, 200
	var (
		fired    [armers * each]atomic.Int32
		stopped  [armers * each]atomic.Bool
		lastRead atomic.Int64 // the latest reading of a firing timer, since Epoch
		wg       sync.WaitGroup
	)
	for g := range armers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				k := g*each + i
				tm := clk.AfterFunc(time.Duration(k%37)*time.Millisecond, func() {
					fired[k].Add(1)
					read := int64(clk.Now().Sub(hystrixtest.Epoch))
					if prev := lastRead.Swap(read); prev > read {
						t.Errorf("a timer fired reading +%v after one reading +%v", time.Duration(read), time.Duration(prev))
					}
				})
				if i%5 == 0 && tm.Stop() {
					stopped[k].Store(true)
				}
				clk.Now()
				clk.Pending()
				clk.Next()
			}
		}()
	}
	// The test's goroutine moves the clock until every timer is armed.
	var armed atomic.Bool
	go func() { wg.Wait(); armed.Store(true) }()
	for !armed.Load() {
		clk.Add(time.Millisecond)
	}
	clk.Add(time.Second) // every timer still armed is due by now
	for k := range fired {
		switch n, s := fired[k].Load(), stopped[k].Load(); {
		case s && n != 0:
			t.Errorf("timer %d fired after Stop reported it armed", k)
		case !s && n != 1:
			t.Errorf("timer %d fired %d times", k, n)
		}
	}
	if n := clk.Pending(); n != 0 {
		t.Errorf("Pending = %d after every timer was due", n)
	}
}

func TestClockConcurrentMovesFireEachTimerOnce(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	const n = 500
	var fired [n]atomic.Int32
	for k := range n {
		clk.AfterFunc(time.Duration(k)*time.Millisecond, func() {
			fired[k].Add(1)
			if now, due := clk.Now(), hystrixtest.Epoch.Add(time.Duration(k)*time.Millisecond); now.Before(due) {
				t.Errorf("timer %d fired reading %v, before it was due", k, now.Sub(hystrixtest.Epoch))
			}
		})
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				clk.Set(hystrixtest.Epoch.Add(time.Duration(i*5+g) * time.Millisecond))
			}
		}()
	}
	wg.Wait()
	clk.Set(hystrixtest.Epoch.Add(time.Second))
	for k := range fired {
		if c := fired[k].Load(); c != 1 {
			t.Errorf("timer %d fired %d times", k, c)
		}
	}
}

// An Add that comes while another goroutine is moving the clock should
// move it on from wherever that move ends.
func TestClockAddDuringAnotherMoveMovesOnFromWhereThatMoveEnds(t *testing.T) {
	t.Parallel()
	clk := hystrixtest.NewClock(time.Time{})
	done := make(chan struct{})
	clk.AfterFunc(time.Second, func() {
		go func() { clk.Add(time.Second); close(done) }()
		// Hold this move until the other Add waits for it.
		for deadline := time.Now().Add(10 * time.Second); inAdd() < 2; {
			if time.Now().After(deadline) {
				t.Error("the second Add never started")
				return
			}
			runtime.Gosched()
		}
	})
	clk.Add(10 * time.Second)
	<-done
	if got := clk.Now().Sub(hystrixtest.Epoch); got != 11*time.Second {
		t.Errorf("an Add of 1s during an Add of 10s left the clock at +%v, want +11s", got)
	}
}

// inAdd returns how many goroutines are in Clock.Add.
func inAdd() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "hystrixtest.(*Clock).Add(")
}
