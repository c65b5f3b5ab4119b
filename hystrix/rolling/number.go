package rolling

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// numberBuckets is how many one-second buckets a Number keeps: ten seconds,
// the statistical window of Hystrix.
const numberBuckets = 10

// Number is a float64 tracked over the last ten seconds in one-second buckets.
//
// The buckets, 160 bytes, are made on the first write that changes the
// value and kept for the Number's life, so a Number that was never written
// holds 16 bytes: a circuit keeps a dozen, most of which (rejections,
// timeouts, fallbacks) a healthy command never writes.
//
// The zero value is ready to use. A Number is safe for concurrent use; writes
// are lock-free.
type Number struct {
	mu   sync.Mutex // guards clearing a stale bucket
	ring atomic.Pointer[numberRing]
}

type numberRing [numberBuckets]numberBucket

type numberBucket struct {
	// sec is the Unix second the bucket holds, plus one, so that the zero
	// value means "never written".
	sec  atomic.Int64
	bits atomic.Uint64 // math.Float64bits of the bucket's value
}

// NewNumber returns an empty Number.
func NewNumber() *Number {
	return &Number{}
}

// Increment adds i to the current second's bucket. Adding zero does nothing.
func (r *Number) Increment(i float64) {
	if i == 0 {
		return
	}
	r.IncrementAt(time.Now(), i)
}

// IncrementAt adds i to the bucket of the second that holds now.
func (r *Number) IncrementAt(now time.Time, i float64) {
	r.AddUnix(now.Unix(), i)
}

// AddUnix adds i to the bucket of the given Unix second. It is the
// allocation-free form of IncrementAt for callers that keep time as integers.
func (r *Number) AddUnix(sec int64, i float64) {
	if i == 0 {
		return
	}
	b := r.bucket(r.buckets(), sec)
	if i == 1 {
		addOne(&b.bits)
		return
	}
	for {
		old := b.bits.Load()
		if b.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+i)) {
			return
		}
	}
}

// addOne adds 1.0 to a float64 held as bits. Whole numbers below 2^53 are
// exact in a float64, so counting with a CAS loop loses nothing.
func addOne(bits *atomic.Uint64) {
	for {
		old := bits.Load()
		if bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+1)) {
			return
		}
	}
}

// UpdateMax raises the current second's bucket to n if n is larger.
func (r *Number) UpdateMax(n float64) {
	r.UpdateMaxAt(time.Now(), n)
}

// UpdateMaxAt raises the bucket of the second that holds now to n if n is
// larger.
func (r *Number) UpdateMaxAt(now time.Time, n float64) {
	r.UpdateMaxUnix(now.Unix(), n)
}

// UpdateMaxUnix raises the bucket of the given Unix second to n if n is
// larger.
func (r *Number) UpdateMaxUnix(sec int64, n float64) {
	ring := r.ring.Load()
	if ring == nil {
		if !(n > 0) {
			return // an empty Number's buckets are zero: nothing to raise
		}
		ring = r.make()
	}
	b := r.bucket(ring, sec)
	for {
		old := b.bits.Load()
		if n <= math.Float64frombits(old) {
			return
		}
		if b.bits.CompareAndSwap(old, math.Float64bits(n)) {
			return
		}
	}
}

// Sum returns the total of the buckets in the ten seconds up to now.
func (r *Number) Sum(now time.Time) float64 {
	return r.SumUnix(now.Unix())
}

// SumUnix returns the total of the buckets in the ten seconds up to the given
// Unix second.
func (r *Number) SumUnix(sec int64) float64 {
	ring := r.ring.Load()
	if ring == nil {
		return 0
	}
	var sum float64
	for i := range ring {
		b := &ring[i]
		if live(b.sec.Load()-1, sec, numberBuckets) {
			sum += math.Float64frombits(b.bits.Load())
		}
	}
	return sum
}

// Max returns the largest bucket value in the ten seconds up to now, or zero
// when there is none.
func (r *Number) Max(now time.Time) float64 {
	return r.MaxUnix(now.Unix())
}

// MaxUnix returns the largest bucket value in the ten seconds up to the
// given Unix second.
func (r *Number) MaxUnix(sec int64) float64 {
	ring := r.ring.Load()
	if ring == nil {
		return 0
	}
	var max float64
	for i := range ring {
		b := &ring[i]
		if live(b.sec.Load()-1, sec, numberBuckets) {
			if v := math.Float64frombits(b.bits.Load()); v > max {
				max = v
			}
		}
	}
	return max
}

// Avg returns the per-second average over the ten-second window.
func (r *Number) Avg(now time.Time) float64 {
	return r.Sum(now) / numberBuckets
}

// Reset empties every bucket.
func (r *Number) Reset() {
	ring := r.ring.Load()
	if ring == nil {
		return // never written: nothing to empty
	}
	r.mu.Lock()
	for i := range ring {
		// Stores are barriers and loads are not: skip what is already empty.
		b := &ring[i]
		if b.sec.Load() != 0 {
			b.sec.Store(0)
		}
		if b.bits.Load() != 0 {
			b.bits.Store(0)
		}
	}
	r.mu.Unlock()
}

// buckets returns the Number's buckets, made on first use.
func (r *Number) buckets() *numberRing {
	if ring := r.ring.Load(); ring != nil {
		return ring
	}
	return r.make()
}

// make makes the buckets, unless a concurrent write made them first.
func (r *Number) make() *numberRing {
	fresh := new(numberRing)
	if r.ring.CompareAndSwap(nil, fresh) {
		return fresh
	}
	return r.ring.Load()
}

// bucket returns the bucket of ring for sec, clearing it first if it still
// holds an older second.
func (r *Number) bucket(ring *numberRing, sec int64) *numberBucket {
	b := &ring[slot(sec, numberBuckets)]
	if b.sec.Load() == sec+1 {
		return b
	}
	r.mu.Lock()
	// The value is cleared before the new second is published, so a writer
	// that sees the new second never adds into a value about to be cleared.
	if cur := b.sec.Load(); cur != sec+1 && cur-1 < sec {
		b.bits.Store(0)
		b.sec.Store(sec + 1)
	}
	r.mu.Unlock()
	return b
}

// slot maps a time unit to its index in a ring of n buckets, also for
// negative times.
func slot(unit int64, n int64) int {
	s := unit % n
	if s < 0 {
		s += n
	}
	return int(s)
}

// live reports whether a bucket holding time unit at lies in the window of n
// units that ends at unit now. Buckets from the future (a clock that stepped
// back) are ignored.
func live(at, now, n int64) bool {
	return at > now-n && at <= now
}
