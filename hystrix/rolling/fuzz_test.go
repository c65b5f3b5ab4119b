package rolling

import (
	"math"
	"sort"
	"testing"
	"time"
)

// naiveWindow is the reference the fuzz tests compare with: every value
// kept with its time, summed or ranked by brute force.
type naiveWindow struct {
	secs []int64
	vals []float64
}

func (n *naiveWindow) sum(now, span int64) float64 {
	var s float64
	for i, at := range n.secs {
		if at > now-span && at <= now {
			s += n.vals[i]
		}
	}
	return s
}

// FuzzNumberMatchesNaiveModel drives a Number and the naive model with the
// same writes at times that only move forward, and compares their sums.
func FuzzNumberMatchesNaiveModel(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 200, 5, 9, 11, 1})
	f.Add([]byte{10, 10, 10, 250, 250, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var n Number
		var ref naiveWindow
		sec := int64(1_800_000_000)
		for _, op := range ops {
			// The high bits move time forward by 0-3 s or, rarely, jump
			// a whole window; the low bits pick the value.
			switch step := op >> 6; step {
			case 3:
				sec += 11
			default:
				sec += int64(step)
			}
			v := float64(op&0x3f) / 4
			n.AddUnix(sec, v)
			ref.secs = append(ref.secs, sec)
			ref.vals = append(ref.vals, v)
			if got, want := n.SumUnix(sec), ref.sum(sec, numberBuckets); math.Abs(got-want) > 1e-9 {
				t.Fatalf("at second %d: Sum %v, model %v", sec, got, want)
			}
		}
	})
}

// FuzzTimingMatchesNaiveModel compares a Timing's count, mean and
// percentiles with exact ones over the same durations, and Summarize with
// the separate reads.
func FuzzTimingMatchesNaiveModel(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, uint8(50))
	f.Add([]byte{255, 0, 128, 64}, uint8(99))
	f.Fuzz(func(t *testing.T, raw []byte, pct uint8) {
		if len(raw) == 0 {
			return
		}
		var r Timing
		at := time.Unix(1_800_000_000, 0)
		var exact []time.Duration
		var sum time.Duration
		for _, b := range raw {
			// Spread the durations over 1µs to about 4 s.
			d := time.Duration(math.Pow(1.06, float64(b))) * time.Microsecond
			r.AddAt(at, d)
			exact = append(exact, d)
			sum += d
		}
		sort.Slice(exact, func(i, j int) bool { return exact[i] < exact[j] })
		if got := r.Count(at); got != uint64(len(exact)) {
			t.Fatalf("Count %d, want %d", got, len(exact))
		}
		if got, want := r.MeanAt(at), sum/time.Duration(len(exact)); got != want {
			t.Fatalf("Mean %v, want %v", got, want)
		}
		p := float64(pct % 101)
		rank := int(math.Ceil(p / 100 * float64(len(exact))))
		if rank < 1 {
			rank = 1
		}
		want := exact[rank-1]
		got := r.PercentileAt(at, p)
		// Within 1/16 of the value (the widest bucket), or 1µs for the
		// smallest values, and never outside what was recorded.
		tolerance := math.Max(float64(want)/16, float64(time.Microsecond))
		if math.Abs(float64(got-want)) > tolerance || got < exact[0] || got > exact[len(exact)-1] {
			t.Fatalf("p%v: %v, exact %v (of %d)", p, got, want, len(exact))
		}
		var summary TimingSummary
		r.Summarize(at, []float64{p, 100 - p, 50}, &summary)
		if summary.Count != uint64(len(exact)) || summary.Mean != r.MeanAt(at) ||
			summary.Percentiles[0] != got || summary.Percentiles[1] != r.PercentileAt(at, 100-p) ||
			summary.Percentiles[2] != r.PercentileAt(at, 50) {
			t.Fatalf("Summarize %+v disagrees with Count, MeanAt and PercentileAt", summary)
		}
	})
}
