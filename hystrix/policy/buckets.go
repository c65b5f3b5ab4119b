package policy

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// buckets is a rolling window of two counts, a and b, over the last
// windowSeconds Unix seconds, with one bucket for each second, used again
// ten seconds later, as the circuit's own window is. SlowCallRate and
// AdaptiveThrottle keep one each, since what they count (slow calls, their
// own refusals) is not in the circuit's window.
//
// A bucket holds both counts in one word, a in its low and b in its high 32
// bits, so an add to the current second's bucket is one atomic add and
// takes no lock, and a reader sees a and b of the same moment. A second's
// count wraps past 2^32-1, four billion executions of one circuit in one
// second. Moving a bucket on to a new second takes mu, once a second at
// most. A reader takes no lock. It retries a bucket that moved on while it
// read it. The one inexact case: an add for a second that another
// goroutine moves the bucket off (ten seconds on) at that moment can land in
// the newer second. Only a result ten seconds late can do that.
//
// Call clear before use: the zero value holds Unix second 0.
type buckets struct {
	mu sync.Mutex
	b  [windowSeconds]bucket
}

type bucket struct {
	sec atomic.Int64  // the Unix second counted, or turning while it moves on
	n   atomic.Uint64 // b<<32 | a
}

// turning marks a bucket that is moving on to a new second; no real second
// is that old.
const turning = math.MinInt64

func (w *buckets) clear() {
	for i := range w.b {
		w.b[i].sec.Store(turning)
	}
}

func slot(sec int64) int { return int((sec%windowSeconds + windowSeconds) % windowSeconds) }

// add counts da and db in second sec. It reports false, and counts nothing,
// for a second older than the one its bucket holds now.
func (w *buckets) add(sec int64, da, db uint64) bool {
	k := &w.b[slot(sec)]
	if k.sec.Load() != sec && !w.turn(k, sec) {
		return false
	}
	k.n.Add(db<<32 | da)
	return true
}

// turn moves k on to second sec, unless it already holds sec or a later
// second.
func (w *buckets) turn(k *bucket, sec int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch cur := k.sec.Load(); {
	case cur == sec:
		return true
	case cur > sec:
		return false
	}
	// A reader that loads the bucket during the move sees it turning, or
	// sees its second change and reads it again, so it never takes the
	// cleared counts for the old second's.
	k.sec.Store(turning)
	k.n.Store(0)
	k.sec.Store(sec)
	return true
}

// sum returns the counts of the ten Unix seconds up to and including now's.
func (w *buckets) sum(now time.Time) (a, b uint64) {
	sec := now.Unix()
	for i := range w.b {
		k := &w.b[i]
		for {
			s := k.sec.Load()
			if s == turning || s > sec || s <= sec-windowSeconds {
				break
			}
			n := k.n.Load()
			if k.sec.Load() == s {
				a += n & (1<<32 - 1)
				b += n >> 32
				break
			}
		}
	}
	return a, b
}
