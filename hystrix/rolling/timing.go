package rolling

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// A Timing's window is sixty seconds in six buckets of ten seconds each.
const (
	timingBuckets      = 6
	timingBucketPeriod = 10 // seconds
)

// Timing keeps the distribution of durations seen over the last sixty
// seconds. Each ten-second bucket is a fixed-size histogram, so a Timing
// holds the same memory after a thousand calls as after a billion, and its
// percentiles are within about 3% of the exact ones.
//
// The zero value is ready to use. A Timing is safe for concurrent use; writes
// are lock-free.
type Timing struct {
	mu      sync.Mutex // guards clearing a stale bucket
	buckets [timingBuckets]timingBucket
}

type timingBucket struct {
	// period is the ten-second period the bucket holds, plus one, so that
	// the zero value means "never written".
	period atomic.Int64
	sumNs  atomic.Uint64
	// minNs and maxNs are exact, so that the 0th and 100th percentiles are
	// too; minNs holds the minimum plus one, so that zero means "none yet".
	minNs  atomic.Int64
	maxNs  atomic.Int64
	counts [histogramSlots]atomic.Uint32
}

// NewTiming returns an empty Timing.
func NewTiming() *Timing {
	return &Timing{}
}

// Add records one duration at the current time. Negative durations count as
// zero.
func (r *Timing) Add(duration time.Duration) {
	r.AddAt(time.Now(), duration)
}

// AddAt records one duration at time now.
func (r *Timing) AddAt(now time.Time, duration time.Duration) {
	r.AddUnix(now.Unix(), duration)
}

// AddUnix records one duration in the bucket of the given Unix second.
func (r *Timing) AddUnix(sec int64, duration time.Duration) {
	if duration < 0 {
		duration = 0
	}
	b := r.bucket(periodOf(sec))
	b.sumNs.Add(uint64(duration))
	b.counts[histogramIndex(uint64(duration/time.Microsecond))].Add(1)
	for d := int64(duration); ; {
		old := b.minNs.Load()
		if (old != 0 && old-1 <= d) || b.minNs.CompareAndSwap(old, d+1) {
			break
		}
	}
	for d := int64(duration); ; {
		old := b.maxNs.Load()
		if old >= d || b.maxNs.CompareAndSwap(old, d) {
			break
		}
	}
}

// Reset forgets every recorded duration.
func (r *Timing) Reset() {
	r.mu.Lock()
	for i := range r.buckets {
		// A bucket never written, or cleared before, has nothing to clear.
		if b := &r.buckets[i]; b.period.Load() != 0 {
			r.clear(b, 0)
		}
	}
	r.mu.Unlock()
}

// Count returns how many durations were recorded in the window ending now.
func (r *Timing) Count(now time.Time) uint64 {
	var n uint64
	r.each(now, func(b *timingBucket) { n += b.total() })
	return n
}

// Mean returns the average duration of the last sixty seconds in
// milliseconds, rounded down, or zero when there is none.
func (r *Timing) Mean() uint32 {
	return toMillis(r.MeanAt(time.Now()))
}

// MeanAt returns the average duration in the window ending at now.
func (r *Timing) MeanAt(now time.Time) time.Duration {
	var n, sum uint64
	r.each(now, func(b *timingBucket) {
		n += b.total()
		sum += b.sumNs.Load()
	})
	if n == 0 {
		return 0
	}
	return time.Duration(sum / n)
}

// Percentile returns the duration below which p percent of the last sixty
// seconds' durations fall, in milliseconds, or zero when there is none. p is
// clamped to [0, 100]; the 0th percentile is the smallest duration.
func (r *Timing) Percentile(p float64) uint32 {
	return toMillis(r.PercentileAt(time.Now(), p))
}

// PercentileAt returns the p-th percentile of the window ending at now as a
// duration. The smallest and largest durations are exact; percentiles in
// between are interpolated within their histogram bucket.
func (r *Timing) PercentileAt(now time.Time, p float64) time.Duration {
	var w window
	r.merge(now, &w)
	return w.percentile(p)
}

// Percentiles fills out[i] with the ps[i]-th percentile of the window ending
// at now, merging the buckets once for all of them.
func (r *Timing) Percentiles(now time.Time, ps []float64, out []time.Duration) {
	var w window
	r.merge(now, &w)
	for i, p := range ps {
		out[i] = w.percentile(p)
	}
}

// SortedDurations returns the durations of the last sixty seconds, shortest
// first. Each is the midpoint of its histogram bucket, not the exact value
// recorded, and the slice is as long as the number of durations recorded, so
// prefer Percentile for large windows.
func (r *Timing) SortedDurations() []time.Duration {
	var w window
	r.merge(time.Now(), &w)
	out := make([]time.Duration, 0, w.total)
	for i, c := range w.counts {
		v := w.clamp(histogramValue(i))
		for ; c > 0; c-- {
			out = append(out, v)
		}
	}
	return out
}

// window is the merged histogram of the live buckets.
type window struct {
	counts   [histogramSlots]uint64
	total    uint64
	min, max time.Duration
}

func (w *window) clamp(d time.Duration) time.Duration {
	return min(max(d, w.min), w.max)
}

func (w *window) percentile(p float64) time.Duration {
	if w.total == 0 {
		return 0
	}
	if math.IsNaN(p) || p < 0 {
		p = 0
	}
	if p > 100 {
		p = 100
	}
	// The rank of the wanted value, counting from one, as in nearest-rank
	// percentiles.
	rank := uint64(math.Ceil(p / 100 * float64(w.total)))
	switch {
	case rank <= 1:
		return w.min
	case rank >= w.total:
		return w.max
	}
	var seen uint64
	for i, c := range w.counts {
		if seen+c >= rank {
			// Spread the bucket's values evenly over its width.
			lower, width := histogramBounds(i)
			frac := (float64(rank-seen) - 0.5) / float64(c)
			return w.clamp(lower + time.Duration(frac*float64(width)))
		}
		seen += c
	}
	return w.max
}

func (r *Timing) merge(now time.Time, w *window) {
	r.each(now, func(b *timingBucket) {
		lo, hi := b.minNs.Load(), b.maxNs.Load()
		if lo == 0 {
			return // no duration yet, or one being cleared
		}
		if d := time.Duration(lo - 1); w.total == 0 || d < w.min {
			w.min = d
		}
		if d := time.Duration(hi); d > w.max {
			w.max = d
		}
		for i := range b.counts {
			c := uint64(b.counts[i].Load())
			w.counts[i] += c
			w.total += c
		}
	})
}

func (r *Timing) each(now time.Time, f func(*timingBucket)) {
	p := periodOf(now.Unix())
	for i := range r.buckets {
		b := &r.buckets[i]
		if live(b.period.Load()-1, p, timingBuckets) {
			f(b)
		}
	}
}

func (r *Timing) bucket(period int64) *timingBucket {
	b := &r.buckets[slot(period, timingBuckets)]
	if b.period.Load() == period+1 {
		return b
	}
	r.mu.Lock()
	if cur := b.period.Load(); cur != period+1 && cur-1 < period {
		r.clear(b, period+1)
	}
	r.mu.Unlock()
	return b
}

// clear empties b and then marks it as holding period; callers hold r.mu.
func (r *Timing) clear(b *timingBucket, period int64) {
	b.period.Store(0)
	b.sumNs.Store(0)
	b.minNs.Store(0)
	b.maxNs.Store(0)
	// Most slots of a bucket are empty, and an atomic store is a full
	// barrier on most CPUs while a load is a plain read: storing only
	// where there is a count makes clearing a bucket some hundred times
	// cheaper (a circuit closing after a probe clears all of them). A
	// writer that adds between the load and the skipped store keeps its
	// count, as it would had it added just after a store.
	for i := range b.counts {
		if b.counts[i].Load() != 0 {
			b.counts[i].Store(0)
		}
	}
	b.period.Store(period)
}

// total counts the durations in b. Writes keep no separate count, to spare
// the call path an atomic add; reads, which are rare, pay instead.
func (b *timingBucket) total() uint64 {
	var n uint64
	for i := range b.counts {
		n += uint64(b.counts[i].Load())
	}
	return n
}

func periodOf(sec int64) int64 {
	if sec < 0 {
		return (sec - timingBucketPeriod + 1) / timingBucketPeriod
	}
	return sec / timingBucketPeriod
}

// toMillis converts to whole milliseconds, saturating at the largest uint32
// rather than wrapping.
func toMillis(d time.Duration) uint32 {
	ms := d / time.Millisecond
	if ms > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(ms)
}
