package hystrix

import "time"

// A Clock is where a Registry reads the time and arms its timers: circuits'
// open and stage timers, and timeouts. A registry made without WithClock,
// and the default one behind the package-level functions, use the system
// clock. A test
// gives a registry a clock it moves itself (package hystrixtest has one),
// so that a state machine can be driven to fixed instants with no sleeps.
//
// A Clock must be safe for concurrent use. AfterFunc runs f on a goroutine
// of its own, or on the goroutine that moves a manual clock, with no lock
// of the library held.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f once d has passed, unless the timer is stopped
	// first.
	AfterFunc(d time.Duration, f func()) Timer
}

// A Timer is a timer made by a Clock.
type Timer interface {
	// Stop prevents the timer from firing. It reports whether it did:
	// false means the timer had already fired or been stopped.
	Stop() bool
}

// SystemClock is the Clock of the time package.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc returns time.AfterFunc(d, f).
func (SystemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// With the system clock the engine reads the time as Unix nanoseconds
// derived from the monotonic clock: one cheap read per use, immune to
// wall-clock steps, and still comparable with the Unix seconds that the
// rolling windows bucket by.
var (
	clockStart  = time.Now()
	clockOffset = clockStart.UnixNano()
)

func monotonicNow() int64 { return clockOffset + int64(time.Since(clockStart)) }

func unixTime(ns int64) time.Time { return time.Unix(0, ns) }

// clock is a registry's Clock in the form the engine uses.
type clock struct {
	c      Clock // nil for the system clock
	nowFn  func() int64
	system bool
}

func newClock(c Clock) clock {
	if c == nil {
		return clock{nowFn: monotonicNow, system: true}
	}
	if _, ok := c.(SystemClock); ok {
		return clock{nowFn: monotonicNow, system: true}
	}
	return clock{c: c, nowFn: func() int64 { return c.Now().UnixNano() }}
}

// now returns the time in Unix nanoseconds.
func (k *clock) now() int64 { return k.nowFn() }

// afterFunc arms a one-shot timer.
func (k *clock) afterFunc(d time.Duration, f func()) Timer {
	if k.system {
		return time.AfterFunc(d, f)
	}
	return k.c.AfterFunc(d, f)
}

// toMillis converts to whole milliseconds for the dashboard's uint32 fields,
// saturating rather than wrapping.
func toMillis(d time.Duration) uint32 {
	ms := d / time.Millisecond
	if ms > 1<<32-1 {
		return 1<<32 - 1
	}
	if ms < 0 {
		return 0
	}
	return uint32(ms)
}
