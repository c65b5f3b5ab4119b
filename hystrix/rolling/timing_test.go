package rolling

import (
	"math"
	"math/rand"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimingPercentilesAreWithinAFewPercent(t *testing.T) {
	r := NewTiming()
	rng := rand.New(rand.NewSource(1))
	var exact []time.Duration
	for i := 0; i < 20000; i++ {
		// Log-uniform from 10µs to 10s, the range latencies live in.
		d := time.Duration(math.Exp(rng.Float64()*math.Log(1e6)) * 10 * float64(time.Microsecond))
		exact = append(exact, d)
		r.AddAt(t0, d)
	}
	sort.Slice(exact, func(i, j int) bool { return exact[i] < exact[j] })
	for _, p := range []float64{1, 25, 50, 75, 90, 99, 99.9, 100} {
		want := exact[int(math.Ceil(p/100*float64(len(exact))))-1]
		got := r.PercentileAt(t0, p)
		// Within 4%, or the 1µs resolution for the smallest values.
		tolerance := math.Max(0.04*float64(want), float64(time.Microsecond))
		assert.InDelta(t, float64(want), float64(got), tolerance, "p%v: want %v got %v", p, want, got)
	}
	assert.InDelta(t, float64(exact[0]), float64(r.PercentileAt(t0, 0)), float64(time.Microsecond),
		"p0 is the smallest")
}

func TestTimingPercentileMatchesHystrixGoOnSmallSamples(t *testing.T) {
	r := NewTiming()
	for _, ms := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} {
		r.AddAt(t0, time.Duration(ms)*time.Millisecond)
	}
	assert.InDelta(t, 5*time.Millisecond, r.PercentileAt(t0, 50), float64(150*time.Microsecond))
	assert.InDelta(t, 10*time.Millisecond, r.PercentileAt(t0, 100), float64(300*time.Microsecond))
	assert.InDelta(t, 1*time.Millisecond, r.PercentileAt(t0, 0), float64(40*time.Microsecond))
}

func TestTimingMeanIsExactAndDoesNotWrap(t *testing.T) {
	r := NewTiming()
	r.AddAt(t0, 5*time.Second)
	r.AddAt(t0, 7*time.Second)
	assert.Equal(t, 6*time.Second, r.MeanAt(t0))
	live := NewTiming()
	live.Add(5 * time.Second)
	assert.Equal(t, uint32(5000), live.Mean(), "hystrix-go's Mean wrapped above 4.29s")
}

func TestTimingWindowIsSixtySeconds(t *testing.T) {
	r := NewTiming()
	r.AddAt(t0, time.Millisecond)
	assert.Equal(t, uint64(1), r.Count(t0.Add(50*time.Second)))
	assert.Equal(t, uint64(0), r.Count(t0.Add(61*time.Second)))
	r.AddAt(t0.Add(60*time.Second), 2*time.Millisecond)
	assert.Equal(t, uint64(1), r.Count(t0.Add(60*time.Second)), "the recycled bucket starts empty")
}

func TestTimingEmptyAndEdgeValues(t *testing.T) {
	r := NewTiming()
	assert.Zero(t, r.Percentile(99))
	assert.Zero(t, r.Mean())
	assert.Empty(t, r.SortedDurations())
	r.AddAt(t0, -time.Second)
	r.AddAt(t0, 100*time.Hour)
	assert.Zero(t, r.PercentileAt(t0, 0))
	assert.Greater(t, r.PercentileAt(t0, 100), 18*time.Hour, "huge values saturate in the last bucket")
	assert.Zero(t, r.PercentileAt(t0, math.NaN()))
	r.Reset()
	assert.Zero(t, r.Count(t0))
}

func TestTimingSortedDurations(t *testing.T) {
	r := NewTiming()
	for _, d := range []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond} {
		r.Add(d)
	}
	got := r.SortedDurations()
	require.Len(t, got, 3)
	assert.True(t, sort.SliceIsSorted(got, func(i, j int) bool { return got[i] < got[j] }))
}

// hystrix-go kept every duration of the last sixty seconds.
func TestTimingMemoryDoesNotGrowWithTraffic(t *testing.T) {
	r := NewTiming()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < 1_000_000; i++ {
		r.AddAt(t0, time.Duration(i)*time.Microsecond)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	assert.Less(t, int64(after.HeapAlloc)-int64(before.HeapAlloc), int64(64<<10))
	assert.Zero(t, testing.AllocsPerRun(1000, func() { r.AddAt(t0, time.Millisecond) }))
	runtime.KeepAlive(r)
}

func TestHistogramIndexRoundTrips(t *testing.T) {
	for us := uint64(0); us < 1<<20; us += 1 + us/97 {
		i := histogramIndex(us)
		require.Less(t, i, histogramSlots)
		mid := uint64(histogramValue(i) / time.Microsecond)
		if us >= subBuckets {
			assert.InEpsilon(t, float64(us), float64(mid), 1.0/subBuckets, "us=%d", us)
		} else {
			assert.Equal(t, us, mid)
		}
	}
	assert.Equal(t, histogramSlots-1, histogramIndex(math.MaxUint64))
}

// The data of hystrix-go's own percentile test: the extremes come out
// exact, the middle within the histogram's few percent.
func TestTimingPercentilesOnHystrixGoData(t *testing.T) {
	r := NewTiming()
	ms := []int{1, 1004, 1004, 1004, 1004, 1004, 1004, 1004, 1004, 1004, 1005, 1005, 1005, 1005, 1005, 1005,
		1005, 1005, 1005, 1005, 1005, 1005, 1005, 1005, 1006, 1006, 1006, 1006, 1007, 1007, 1007, 1008, 1015}
	for _, d := range ms {
		r.AddAt(t0, time.Duration(d)*time.Millisecond)
	}
	assert.Equal(t, time.Millisecond, r.PercentileAt(t0, 0))
	assert.InEpsilon(t, float64(1006*time.Millisecond), float64(r.PercentileAt(t0, 75)), 0.01)
	assert.Equal(t, 1015*time.Millisecond, r.PercentileAt(t0, 99))
	assert.Equal(t, 1015*time.Millisecond, r.PercentileAt(t0, 100))

	two := NewTiming()
	two.AddAt(t0, 100*time.Millisecond)
	two.AddAt(t0.Add(2*time.Second), 200*time.Millisecond)
	assert.Equal(t, 150*time.Millisecond, two.MeanAt(t0.Add(2*time.Second)))
}
