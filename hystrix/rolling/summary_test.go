package rolling

import (
	"math"
	"math/rand"
	"testing"
	"time"
)

// summaryPercentiles mixes the dashboard's ascending list with ones out of
// order, repeated and out of range, which restart Summarize's walk.
var summaryPercentiles = []float64{0, 25, 50, 75, 90, 95, 99, 99.5, 100, 10, 10, 99.9, 1, -5, 150, math.NaN(), 0.001, 50}

// requireSummaryAgrees fails unless Summarize at now reports what Count,
// MeanAt and PercentileAt do.
func requireSummaryAgrees(t *testing.T, r *Timing, now time.Time, what string) {
	t.Helper()
	var s TimingSummary
	r.Summarize(now, summaryPercentiles, &s)
	if want := r.Count(now); s.Count != want {
		t.Fatalf("%s: Count %d, Count() %d", what, s.Count, want)
	}
	if want := r.MeanAt(now); s.Mean != want {
		t.Fatalf("%s: Mean %v, MeanAt %v", what, s.Mean, want)
	}
	if len(s.Percentiles) != len(summaryPercentiles) {
		t.Fatalf("%s: %d percentiles for %d asked", what, len(s.Percentiles), len(summaryPercentiles))
	}
	for i, p := range summaryPercentiles {
		if want := r.PercentileAt(now, p); s.Percentiles[i] != want {
			t.Fatalf("%s: p%v is %v, PercentileAt %v", what, p, s.Percentiles[i], want)
		}
	}
}

func TestSummarizeAgreesWithSeparateReadsOnRandomTraffic(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewSource(seed))
		var r Timing
		now := time.Unix(1_800_000_000, 0)
		requireSummaryAgrees(t, &r, now, "never written")
		for step := 0; step < 300; step++ {
			switch k := rng.Intn(20); {
			case k == 0:
				// The clock steps back, up to past the whole window.
				now = now.Add(-time.Duration(rng.Intn(90)) * time.Second)
			case k == 1:
				// A long quiet spell empties the window.
				now = now.Add(time.Duration(60+rng.Intn(100)) * time.Second)
			case k == 2:
				r.Reset()
			default:
				now = now.Add(time.Duration(rng.Intn(4000)) * time.Millisecond)
			}
			for n := rng.Intn(40); n > 0; n-- {
				// From 0 to 2^40 ns (about 18 minutes), log-uniform, so
				// that many powers of two of the histogram are used;
				// now and then beyond its last bucket or negative.
				d := time.Duration(rng.Int63n(2) << uint(rng.Intn(41)))
				d += time.Duration(rng.Int63n(int64(d) + 1))
				switch rng.Intn(50) {
				case 0:
					d = -d
				case 1:
					d = 30 * time.Hour
				}
				// Some writes land in an older bucket than now's.
				at := now.Add(-time.Duration(rng.Intn(3)) * 10 * time.Second * time.Duration(rng.Intn(2)))
				r.AddAt(at, d)
			}
			requireSummaryAgrees(t, &r, now, "now")
			requireSummaryAgrees(t, &r, now.Add(-25*time.Second), "in the past")
			requireSummaryAgrees(t, &r, now.Add(45*time.Second), "partly expired")
			requireSummaryAgrees(t, &r, now.Add(2*time.Minute), "expired")
		}
	}
}

func TestSummarizeOfAnEmptyWindowIsZero(t *testing.T) {
	var r Timing
	r.AddAt(t0, 3*time.Millisecond)
	s := TimingSummary{Count: 7, Mean: time.Second, Percentiles: []time.Duration{1, 2, 3, 4, 5}}
	r.Summarize(t0.Add(time.Hour), []float64{50, 99}, &s)
	if s.Count != 0 || s.Mean != 0 || len(s.Percentiles) != 2 || s.Percentiles[0] != 0 || s.Percentiles[1] != 0 {
		t.Fatalf("summary of an expired window: %+v", s)
	}
	r.Summarize(t0, nil, &s)
	if s.Count != 1 || s.Mean != 3*time.Millisecond || len(s.Percentiles) != 0 {
		t.Fatalf("summary with no percentiles asked: %+v", s)
	}
}

func TestSummarizeReusesThePercentilesArray(t *testing.T) {
	var r Timing
	for i := range 1000 {
		r.AddAt(t0.Add(time.Duration(i)*50*time.Millisecond), time.Duration(i)*time.Millisecond)
	}
	now := t0.Add(50 * time.Second)
	var backing [9]time.Duration
	s := TimingSummary{Percentiles: backing[:0]}
	ps := summaryPercentiles[:9]
	if allocs := testing.AllocsPerRun(50, func() { r.Summarize(now, ps, &s) }); allocs != 0 {
		t.Errorf("Summarize with room for its percentiles allocates %v times", allocs)
	}
	if &s.Percentiles[0] != &backing[0] {
		t.Error("Summarize replaced a backing array that had room")
	}
	if s.Percentiles[8] != r.PercentileAt(now, 100) {
		t.Errorf("p100 %v, PercentileAt %v", s.Percentiles[8], r.PercentileAt(now, 100))
	}
}

func TestSummarizeCountsABucketCaughtMidWriteAsCountDoes(t *testing.T) {
	var r Timing
	for i := range 60 {
		at := t0.Add(time.Duration(i) * time.Second)
		r.AddAt(at, time.Duration(1+i)*time.Millisecond)
		r.AddAt(at, time.Duration(1+i)*time.Second)
	}
	now := t0.Add(59 * time.Second)
	// A writer that has added its count but not yet its extremes leaves a
	// live bucket with counts and no minimum: Count has its durations,
	// the percentiles do not.
	d := r.data.Load()
	_, s := d.bucket(periodOf(t0.Add(20 * time.Second).Unix()))
	d.buckets[s].minNs.Store(0)
	requireSummaryAgrees(t, &r, now, "a bucket mid-write")
	var sum TimingSummary
	r.Summarize(now, []float64{50}, &sum)
	if sum.Count != 120 {
		t.Fatalf("Count %d, want 120", sum.Count)
	}
}

// BenchmarkTimingSummary compares one Summarize with the separate reads a
// dashboard would otherwise make, over a full window of latencies from 1ms
// to 40ms.
func BenchmarkTimingSummary(b *testing.B) {
	var r Timing
	for i := range 6000 {
		r.AddAt(t0.Add(time.Duration(i)*10*time.Millisecond), time.Duration(1+i%40)*time.Millisecond)
	}
	now := t0.Add(59 * time.Second)
	ps := []float64{0, 25, 50, 75, 90, 95, 99, 99.5, 100}
	b.Run("Summarize", func(b *testing.B) {
		b.ReportAllocs()
		var d [9]time.Duration
		s := TimingSummary{Percentiles: d[:0]}
		for b.Loop() {
			r.Summarize(now, ps, &s)
		}
	})
	b.Run("Separate", func(b *testing.B) {
		b.ReportAllocs()
		var d [9]time.Duration
		for b.Loop() {
			r.Percentiles(now, ps, d[:])
			_ = r.MeanAt(now)
			_ = r.Count(now)
		}
	})
}
