package rolling

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireReadsEqual fails unless every read of got equals that of want at
// now.
func requireReadsEqual(t *testing.T, want, got *Timing, now time.Time, what string) {
	t.Helper()
	require.Equal(t, want.Count(now), got.Count(now), "%s: Count", what)
	require.Equal(t, want.MeanAt(now), got.MeanAt(now), "%s: MeanAt", what)
	for _, p := range summaryPercentiles {
		require.Equal(t, want.PercentileAt(now, p), got.PercentileAt(now, p), "%s: p%v", what, p)
	}
	pw := make([]time.Duration, len(summaryPercentiles))
	pg := make([]time.Duration, len(summaryPercentiles))
	want.Percentiles(now, summaryPercentiles, pw)
	got.Percentiles(now, summaryPercentiles, pg)
	require.Equal(t, pw, pg, "%s: Percentiles", what)
	var sw, sg TimingSummary
	want.Summarize(now, summaryPercentiles, &sw)
	got.Summarize(now, summaryPercentiles, &sg)
	require.Equal(t, sw, sg, "%s: Summarize", what)
	requireSummaryAgrees(t, got, now, what)
}

// A Timing that includes another reads as one Timing that was given the
// durations of both, whichever of the two each duration went to.
func TestTimingIncludingAnotherReadsAsTheirUnion(t *testing.T) {
	t.Parallel()
	for seed := int64(1); seed <= 8; seed++ {
		rng := rand.New(rand.NewSource(seed))
		var own, shared, union Timing
		own.Include(&shared)
		now := t0
		requireReadsEqual(t, &union, &own, now, "never written")
		for step := range 250 {
			// The clock only moves on: a write dated before a bucket's
			// period lands in that bucket, so two Timings whose rings
			// stand at different periods need not agree with one.
			switch k := rng.Intn(25); {
			case k < 5:
				now = now.Add(time.Duration(rng.Intn(25)) * time.Second)
			default:
				// Latencies from 0 to about 30 s, most of them short.
				d := time.Duration(rng.ExpFloat64() * float64(time.Duration(1+rng.Intn(3000))*time.Millisecond))
				if rng.Intn(3) == 0 {
					own.AddAt(now, d)
				} else {
					shared.AddAt(now, d)
				}
				union.AddAt(now, d)
			}
			if step%5 == 4 {
				requireReadsEqual(t, &union, &own, now, fmt.Sprintf("seed %d step %d", seed, step))
			}
		}
	}
}

func TestTimingSortedDurationsOfAUnion(t *testing.T) {
	var own, shared Timing
	own.Include(&shared)
	now := time.Now()
	own.AddAt(now, 5*time.Millisecond)
	shared.AddAt(now, time.Millisecond)
	shared.AddAt(now, 9*time.Millisecond)
	got := own.SortedDurations()
	require.Len(t, got, 3)
	assert.True(t, slices.IsSorted(got))
	assert.Len(t, shared.SortedDurations(), 2, "the included Timing reads only its own")
}

func TestTimingIncludeIsNotTransitiveAndCanBeUndone(t *testing.T) {
	var a, b, c Timing
	a.Include(&b)
	b.Include(&c)
	c.AddAt(t0, time.Millisecond)
	b.AddAt(t0, 2*time.Millisecond)
	a.AddAt(t0, 3*time.Millisecond)
	assert.Equal(t, uint64(2), a.Count(t0), "a sees b's own, not what b includes")
	assert.Equal(t, uint64(2), b.Count(t0))
	assert.Same(t, &b, a.Included())

	a.Include(nil)
	assert.Nil(t, a.Included())
	assert.Equal(t, uint64(1), a.Count(t0))
	a.Include(&a)
	assert.Nil(t, a.Included(), "including itself includes none")
	assert.Equal(t, uint64(1), a.Count(t0), "and counts nothing twice")
}

func TestTimingResetKeepsTheDurationsOfTheIncludedTiming(t *testing.T) {
	var own, shared Timing
	own.Include(&shared)
	own.AddAt(t0, time.Millisecond)
	shared.AddAt(t0, 2*time.Millisecond)
	own.Reset()
	assert.Equal(t, uint64(1), own.Count(t0))
	assert.Equal(t, 2*time.Millisecond, own.MeanAt(t0))
	shared.Reset()
	assert.Zero(t, own.Count(t0))
}

func TestTimingsShareWhileNeitherHoldsDurationsOfItsOwn(t *testing.T) {
	var run, total, same, other Timing
	assert.False(t, run.Shares(&total, t0), "neither includes a Timing")
	run.Include(&same)
	total.Include(&other)
	assert.False(t, run.Shares(&total, t0), "they include different Timings")
	total.Include(&same)
	assert.True(t, run.Shares(&total, t0))
	same.AddAt(t0, time.Millisecond)
	assert.True(t, run.Shares(&total, t0), "durations of the shared Timing keep them alike")

	run.AddAt(t0, 3*time.Millisecond)
	assert.False(t, run.Shares(&total, t0))
	assert.False(t, total.Shares(&run, t0))
	later := t0.Add(time.Duration(timingBuckets*timingBucketPeriod) * time.Second)
	assert.True(t, run.Shares(&total, later), "its own durations have left the window")
	same.AddAt(later, 7*time.Millisecond)
	requireReadsEqual(t, &run, &total, later, "timings that share")
}

func TestTimingNeverWrittenHoldsTwoPointers(t *testing.T) {
	var r Timing
	assert.Equal(t, 2*unsafe.Sizeof(uintptr(0)), unsafe.Sizeof(r))
	r.Include(new(Timing))
	r.Reset()
	assert.Zero(t, r.Count(t0))
	assert.Zero(t, r.PercentileAt(t0, 99))
	assert.Nil(t, r.data.Load(), "reads, resets and Include allocate nothing")
}
