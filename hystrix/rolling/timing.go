package rolling

import (
	"math"
	"math/bits"
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
// Nothing is allocated until the first duration is recorded: a Timing never
// written holds two pointers. The histogram's counters are then allocated a
// power of two at a time, the first time a duration of that size is
// recorded, and are kept for the Timing's life, so one whose durations span
// a few decades holds a few kilobytes.
//
// A Timing can include another (Include): its reads then see the other's
// durations as well as its own. Two distributions that mostly hold the same
// durations keep those once that way, in a Timing both include.
//
// The zero value is ready to use. A Timing is safe for concurrent use; writes
// are lock-free.
type Timing struct {
	data atomic.Pointer[timingData]
	also atomic.Pointer[Timing]
}

// timingData is what a Timing holds once written.
type timingData struct {
	// groups holds, for each power of two of the histogram, the counters
	// of every bucket, or nil until a duration of that size is recorded.
	// Latencies rarely span more than a few decades, so most stay nil.
	// Every write reads it and few write it; the line it may share with
	// the buckets' sums and extremes, which every write writes, holds the
	// groups of durations of hours, which latencies do not reach, so no
	// padding is spent to keep them apart.
	groups [histogramGroups]atomic.Pointer[timingGroup]
	mu     sync.Mutex // guards clearing a stale bucket
	// made has bit gi set once groups[gi] is made, so that reads visit
	// the few groups there are instead of testing every pointer.
	made    atomic.Uint64
	buckets [timingBuckets]timingBucket
}

// timingGroup is one power of two of the histogram, for every bucket. It
// holds the counters of all six buckets rather than one bucket's, so that a
// Timing needs one directory of groups instead of six.
type timingGroup [timingBuckets][subBuckets]atomic.Uint32

type timingBucket struct {
	// period is the ten-second period the bucket holds, plus one, so that
	// the zero value means "never written".
	period atomic.Int64
	sumNs  atomic.Uint64
	// minNs and maxNs are exact, so that the 0th and 100th percentiles are
	// too; minNs holds the minimum plus one, so that zero means "none yet".
	minNs atomic.Int64
	maxNs atomic.Int64
}

// NewTiming returns an empty Timing.
func NewTiming() *Timing {
	return &Timing{}
}

// Include makes r's reads (Count, MeanAt, PercentileAt, Percentiles,
// SortedDurations and Summarize) see the durations recorded in o as well as
// r's own; r's writes and Reset still touch only r's own. A Timing includes
// at most one other, and not what that one includes in turn: Include
// replaces the one before, and nil, or r itself, includes none. It is safe
// to call while r is in use.
func (r *Timing) Include(o *Timing) {
	if o == r {
		o = nil
	}
	r.also.Store(o)
}

// Included returns the Timing that r includes, or nil.
func (r *Timing) Included() *Timing {
	return r.also.Load()
}

// Shares reports whether r and o read alike in the window ending at now
// because both include the same Timing and neither holds a duration of its
// own there: a caller that needs both can then read one.
func (r *Timing) Shares(o *Timing, now time.Time) bool {
	inc := r.also.Load()
	if inc == nil || o.also.Load() != inc {
		return false
	}
	p := periodOf(now.Unix())
	return r.data.Load().idle(p) && o.data.Load().idle(p)
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
	d := r.data.Load()
	if d == nil {
		d = r.makeData()
	}
	d.add(sec, duration)
}

// makeData allocates r's buckets on its first write. Writers that race here
// agree on one through the compare-and-swap.
func (r *Timing) makeData() *timingData {
	d := new(timingData)
	if r.data.CompareAndSwap(nil, d) {
		return d
	}
	return r.data.Load()
}

func (d *timingData) add(sec int64, duration time.Duration) {
	if duration < 0 {
		duration = 0
	}
	b, s := d.bucket(periodOf(sec))
	b.sumNs.Add(uint64(duration))
	// Unsigned, the division and remainder are a shift and a mask.
	i := uint(histogramIndex(uint64(duration / time.Microsecond)))
	g := d.groups[i>>subBucketBits].Load()
	if g == nil {
		g = d.group(int(i >> subBucketBits))
	}
	g[s][i&(subBuckets-1)].Add(1)
	for v := int64(duration); ; {
		old := b.minNs.Load()
		if (old != 0 && old-1 <= v) || b.minNs.CompareAndSwap(old, v+1) {
			break
		}
	}
	for v := int64(duration); ; {
		old := b.maxNs.Load()
		if old >= v || b.maxNs.CompareAndSwap(old, v) {
			break
		}
	}
}

// Reset forgets every duration recorded in r; those of a Timing r includes
// stay.
func (r *Timing) Reset() {
	d := r.data.Load()
	if d == nil {
		return
	}
	d.mu.Lock()
	for i := range d.buckets {
		// A bucket never written, or cleared before, has nothing to clear.
		if d.buckets[i].period.Load() != 0 {
			d.clear(i, 0)
		}
	}
	d.mu.Unlock()
}

// parts returns the data that r's reads see: r's own and that of the Timing
// it includes. Either may be nil.
func (r *Timing) parts() [2]*timingData {
	ps := [2]*timingData{r.data.Load()}
	if o := r.also.Load(); o != nil {
		ps[1] = o.data.Load()
	}
	return ps
}

// Count returns how many durations were recorded in the window ending now.
func (r *Timing) Count(now time.Time) uint64 {
	var n uint64
	for _, d := range r.parts() {
		d.each(now, func(s int) { n += d.total(s) })
	}
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
	for _, d := range r.parts() {
		d.each(now, func(s int) {
			n += d.total(s)
			sum += d.buckets[s].sumNs.Load()
		})
	}
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
	// extremes says whether min and max hold a bucket's yet.
	extremes bool
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

// merge adds the live buckets of every part r reads to w.
func (r *Timing) merge(now time.Time, w *window) {
	for _, d := range r.parts() {
		d.merge(now, w)
	}
}

func (d *timingData) merge(now time.Time, w *window) {
	var rows [timingBuckets]int
	n := 0
	d.each(now, func(s int) {
		b := &d.buckets[s]
		lo, hi := b.minNs.Load(), b.maxNs.Load()
		if lo == 0 {
			return // no duration yet, or one being cleared
		}
		if v := time.Duration(lo - 1); !w.extremes || v < w.min {
			w.min = v
		}
		if v := time.Duration(hi); !w.extremes || v > w.max {
			w.max = v
		}
		w.extremes = true
		rows[n] = s
		n++
	})
	if n == 0 {
		return
	}
	for m := d.made.Load(); m != 0; m &= m - 1 {
		gi := bits.TrailingZeros64(m)
		g := d.groups[gi].Load()
		if g == nil {
			continue // being made: nothing counted in it yet
		}
		counts := w.counts[gi*subBuckets : (gi+1)*subBuckets]
		for _, s := range rows[:n] {
			row := &g[s]
			for j := range row {
				c := uint64(row[j].Load())
				counts[j] += c
				w.total += c
			}
		}
	}
}

// each calls f with the index of every bucket in the window ending at now;
// a nil d has none.
func (d *timingData) each(now time.Time, f func(s int)) {
	if d == nil {
		return
	}
	p := periodOf(now.Unix())
	for s := range d.buckets {
		if live(d.buckets[s].period.Load()-1, p, timingBuckets) {
			f(s)
		}
	}
}

// idle reports whether d holds no bucket in the window of period p; a nil d
// holds none.
func (d *timingData) idle(p int64) bool {
	if d == nil {
		return true
	}
	for s := range d.buckets {
		if live(d.buckets[s].period.Load()-1, p, timingBuckets) {
			return false
		}
	}
	return true
}

// bucket returns the bucket for period and its index, clearing it first if
// it still holds an older period.
func (d *timingData) bucket(period int64) (*timingBucket, int) {
	s := slot(period, timingBuckets)
	b := &d.buckets[s]
	if b.period.Load() == period+1 {
		return b, s
	}
	d.mu.Lock()
	if cur := b.period.Load(); cur != period+1 && cur-1 < period {
		d.clear(s, period+1)
	}
	d.mu.Unlock()
	return b, s
}

// group returns the counters of power of two gi, allocating them if no
// writer has yet. Writers that race here agree on one group through the
// compare-and-swap; the losers' allocations are dropped unused.
func (d *timingData) group(gi int) *timingGroup {
	// The bit goes up before the group is published, so that a reader (or
	// a clear) that misses the bit never misses counts added to the group;
	// one that sees the bit first may find the group still nil.
	d.made.Or(1 << gi)
	g := new(timingGroup)
	if d.groups[gi].CompareAndSwap(nil, g) {
		return g
	}
	return d.groups[gi].Load()
}

// clear empties bucket s and then marks it as holding period; callers hold
// d.mu.
func (d *timingData) clear(s int, period int64) {
	b := &d.buckets[s]
	b.period.Store(0)
	b.sumNs.Store(0)
	b.minNs.Store(0)
	b.maxNs.Store(0)
	// Most slots of a bucket are empty, and an atomic store is a full
	// barrier on most CPUs while a load is a plain read: storing only
	// where there is a count makes clearing a bucket some hundred times
	// cheaper (a circuit closing after a probe clears all of them). A
	// writer that adds between the load and the skipped store keeps its
	// count, as it would had it added just after a store. A group
	// allocated while this runs starts at zero and needs no clearing.
	for m := d.made.Load(); m != 0; m &= m - 1 {
		gi := bits.TrailingZeros64(m)
		g := d.groups[gi].Load()
		if g == nil {
			continue // being made: nothing counted in it yet
		}
		row := &g[s]
		for j := range row {
			if row[j].Load() != 0 {
				row[j].Store(0)
			}
		}
	}
	b.period.Store(period)
}

// total counts the durations in bucket s. Writes keep no separate count, to
// spare the call path an atomic add; reads, which are rare, pay instead.
func (d *timingData) total(s int) uint64 {
	var n uint64
	for m := d.made.Load(); m != 0; m &= m - 1 {
		gi := bits.TrailingZeros64(m)
		g := d.groups[gi].Load()
		if g == nil {
			continue // being made: nothing counted in it yet
		}
		row := &g[s]
		for j := range row {
			n += uint64(row[j].Load())
		}
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
