package rolling

import (
	"math"
	"math/bits"
	"slices"
	"sync/atomic"
	"time"
)

// TimingSummary is what Summarize reads from a Timing's window in one pass.
type TimingSummary struct {
	// Count is the number of durations in the window, as Count reports.
	Count uint64
	// Mean is the average duration in the window, as MeanAt reports.
	Mean time.Duration
	// Percentiles holds the requested percentiles in the order they were
	// asked for, each as PercentileAt reports it. Summarize reuses its
	// backing array when it is large enough.
	Percentiles []time.Duration
}

// Summarize sets s to the count, the mean and the ps-th percentiles of the
// window ending at now, merging the live buckets once for all of them. Each
// value equals what Count, MeanAt and PercentileAt return for the same now
// while no duration is being recorded. It reads only the powers of two of
// the histogram that were ever written, so it costs a fraction of those
// calls together. It allocates only when s.Percentiles has less capacity than ps
// has elements.
func (r *Timing) Summarize(now time.Time, ps []float64, s *TimingSummary) {
	cur := periodOf(now.Unix())
	parts := r.parts()
	// For each part, inWindow lists every bucket of the window; ranked,
	// those of them that hold a duration, whose counts the percentiles use
	// (a bucket being cleared, or written this instant, may have counts but
	// no extremes yet, and PercentileAt leaves it out too).
	var inWindow, ranked [len(parts)][timingBuckets]int
	var nLive, nRanked [len(parts)]int
	var sum uint64
	var lowest, highest time.Duration
	extremes := false
	for pi, d := range parts {
		if d == nil {
			continue
		}
		for i := range d.buckets {
			b := &d.buckets[i]
			if !live(b.period.Load()-1, cur, timingBuckets) {
				continue
			}
			inWindow[pi][nLive[pi]] = i
			nLive[pi]++
			sum += b.sumNs.Load()
			lo, hi := b.minNs.Load(), b.maxNs.Load()
			if lo == 0 {
				continue
			}
			if v := time.Duration(lo - 1); !extremes || v < lowest {
				lowest = v
			}
			if v := time.Duration(hi); !extremes || v > highest {
				highest = v
			}
			extremes = true
			ranked[pi][nRanked[pi]] = i
			nRanked[pi]++
		}
	}

	// The merged counts of the allocated groups only, in ascending order:
	// merged[k*subBuckets:][:subBuckets] are the counts of power of two
	// groups[k], and groupTotal[k] their sum, so that the walk below
	// steps over a whole power of two at once.
	var merged [histogramSlots]uint64
	var groups [histogramGroups]uint8
	var groupTotal [histogramGroups]uint64
	nGroups := 0
	var total, unranked uint64
	// The groups made in the parts that have live buckets, in ascending
	// order of size.
	var made [len(parts)]uint64
	for pi, d := range parts {
		if nLive[pi] > 0 {
			made[pi] = d.made.Load()
		}
	}
	for all := made[0] | made[1]; all != 0; all &= all - 1 {
		gi := bits.TrailingZeros64(all)
		bit := uint64(1) << gi
		m := (*[subBuckets]uint64)(merged[nGroups*subBuckets:])
		for pi, d := range parts {
			if made[pi]&bit == 0 {
				continue
			}
			g := d.groups[gi].Load()
			if g == nil {
				continue // being made: nothing counted in it yet
			}
			for _, bs := range ranked[pi][:nRanked[pi]] {
				addRow(m, &g[bs])
			}
			if nLive[pi] > nRanked[pi] {
				// Count has these, the percentiles do not.
				for _, bs := range inWindow[pi][:nLive[pi]] {
					if !slices.Contains(ranked[pi][:nRanked[pi]], bs) {
						for j := range g[bs] {
							unranked += uint64(g[bs][j].Load())
						}
					}
				}
			}
		}
		var gt uint64
		for _, c := range m {
			gt += c
		}
		groups[nGroups] = uint8(gi)
		groupTotal[nGroups] = gt
		total += gt
		nGroups++
	}
	count := total + unranked

	s.Count = count
	s.Mean = 0
	if count > 0 {
		s.Mean = time.Duration(sum / count)
	}
	if cap(s.Percentiles) < len(ps) {
		s.Percentiles = make([]time.Duration, len(ps))
	}
	s.Percentiles = s.Percentiles[:len(ps)]

	// One cumulative walk serves every percentile asked for in ascending
	// order; one asked for below the last starts the walk over.
	var seen uint64 // the counts before group k
	k := 0
	prev := uint64(0)
	for pi, p := range ps {
		if total == 0 {
			s.Percentiles[pi] = 0
			continue
		}
		if math.IsNaN(p) || p < 0 {
			p = 0
		}
		if p > 100 {
			p = 100
		}
		rank := uint64(math.Ceil(p / 100 * float64(total)))
		switch {
		case rank <= 1:
			s.Percentiles[pi] = lowest
			continue
		case rank >= total:
			s.Percentiles[pi] = highest
			continue
		}
		if rank < prev {
			seen, k = 0, 0
		}
		prev = rank
		for k < nGroups && seen+groupTotal[k] < rank {
			seen += groupTotal[k]
			k++
		}
		if k == nGroups {
			s.Percentiles[pi] = highest
			continue
		}
		// The rank is within group k: find its slot there.
		at := seen
		m := (*[subBuckets]uint64)(merged[k*subBuckets:])
		j := 0
		for at+m[j] < rank {
			at += m[j]
			j++
		}
		c := m[j]
		lower, width := histogramBounds(int(groups[k])*subBuckets + j)
		frac := (float64(rank-at) - 0.5) / float64(c)
		s.Percentiles[pi] = min(max(lower+time.Duration(frac*float64(width)), lowest), highest)
	}
}

// addRow adds a bucket's counters of one power of two to m. The merge
// spends most of its time here, and the compiler does not unroll loops:
// unrolled by hand it is about a third faster.
func addRow(m *[subBuckets]uint64, row *[subBuckets]atomic.Uint32) {
	m[0], m[1], m[2], m[3] = m[0]+uint64(row[0].Load()), m[1]+uint64(row[1].Load()), m[2]+uint64(row[2].Load()), m[3]+uint64(row[3].Load())
	m[4], m[5], m[6], m[7] = m[4]+uint64(row[4].Load()), m[5]+uint64(row[5].Load()), m[6]+uint64(row[6].Load()), m[7]+uint64(row[7].Load())
	m[8], m[9], m[10], m[11] = m[8]+uint64(row[8].Load()), m[9]+uint64(row[9].Load()), m[10]+uint64(row[10].Load()), m[11]+uint64(row[11].Load())
	m[12], m[13], m[14], m[15] = m[12]+uint64(row[12].Load()), m[13]+uint64(row[13].Load()), m[14]+uint64(row[14].Load()), m[15]+uint64(row[15].Load())
}
