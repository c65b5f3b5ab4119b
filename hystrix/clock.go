package hystrix

import "time"

// The engine reads the time as Unix nanoseconds derived from the monotonic
// clock: one cheap read per use, immune to wall-clock steps, and still
// comparable with the Unix seconds that the rolling windows bucket by.
var (
	clockStart  = time.Now()
	clockOffset = clockStart.UnixNano()
)

func monotonicNow() int64 { return clockOffset + int64(time.Since(clockStart)) }

// now is the engine's clock. Tests replace it with one they drive, before
// they start any command.
var now = monotonicNow

func unixTime(ns int64) time.Time { return time.Unix(0, ns) }

// stopper is a timer that can be stopped: a *time.Timer, or a test clock's.
type stopper interface{ Stop() bool }

// afterFunc arms a one-shot timer. Tests replace it, with now, by their
// clock's, so that moving their clock fires it.
var afterFunc = func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }

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
