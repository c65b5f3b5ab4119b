package hystrixtest

import (
	"sort"
	"sync"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// Clock is a hystrix.Clock that moves only when told to. Its timers fire on
// the goroutine that moves it past their time, in the order they are due,
// each with the clock reading its due time, so that what a timer does
// happens at an exact instant and is finished when Add or Set returns. It
// is safe for concurrent use; the zero value is not, use NewClock.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers []*timer
	// moving serializes Add and Set, so that timers fire in order even
	// when two goroutines move the clock.
	moving sync.Mutex
}

// Epoch is the time a NewClock starts at when given the zero time.
var Epoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// NewClock returns a clock that reads start, or Epoch if start is zero.
func NewClock(start time.Time) *Clock {
	if start.IsZero() {
		start = Epoch
	}
	return &Clock{now: start}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms a timer that calls f once the clock has moved d on; a d of
// zero or less fires at the next move, even a move by zero.
func (c *Clock) AfterFunc(d time.Duration, f func()) hystrix.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{clock: c, at: c.now.Add(max(d, 0)), f: f, seq: c.seq}
	c.timers = append(c.timers, t)
	return t
}

// Add moves the clock on by d, firing the timers that come due on the way.
// Two moves at once take turns: the second moves on from where the first
// ended.
func (c *Clock) Add(d time.Duration) {
	c.moving.Lock()
	defer c.moving.Unlock()
	c.moveTo(c.Now().Add(d))
}

// Set moves the clock to t, firing the timers due by then, or back to t,
// firing none. A timer armed by a firing timer and due by t fires too. A
// timer's function must not move the clock itself.
func (c *Clock) Set(t time.Time) {
	c.moving.Lock()
	defer c.moving.Unlock()
	c.moveTo(t)
}

// moveTo moves the clock; callers hold moving.
func (c *Clock) moveTo(t time.Time) {
	for {
		c.mu.Lock()
		next := c.dueLocked(t)
		if next == nil {
			c.now = t
			c.mu.Unlock()
			return
		}
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.mu.Unlock()
		next.f()
	}
}

// dueLocked removes and returns the first timer due by t, or nil.
func (c *Clock) dueLocked(t time.Time) *timer {
	sort.SliceStable(c.timers, func(i, j int) bool {
		a, b := c.timers[i], c.timers[j]
		if !a.at.Equal(b.at) {
			return a.at.Before(b.at)
		}
		return a.seq < b.seq
	})
	if len(c.timers) == 0 || c.timers[0].at.After(t) {
		return nil
	}
	next := c.timers[0]
	c.timers = c.timers[1:]
	return next
}

// Pending returns how many timers are armed and have not fired.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// Next returns when the first armed timer is due, and whether there is one.
func (c *Clock) Next() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dueLocked(time.Time{}) // sorts
	if len(c.timers) == 0 {
		return time.Time{}, false
	}
	return c.timers[0].at, true
}

type timer struct {
	clock *Clock
	at    time.Time
	f     func()
	seq   uint64
}

// Stop disarms the timer and reports whether it was armed.
func (t *timer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return true
		}
	}
	return false
}
