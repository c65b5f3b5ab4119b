package rolling

import (
	"math/bits"
	"time"
)

// The histogram is log-linear over microseconds: values below 16µs get a
// bucket each, and every power of two above that is split into 16 equal
// buckets, so a bucket is never wider than 1/16 of its lower bound and its
// midpoint is within about 3% of any value in it. Values from 2^36µs (about
// 19 hours) up share the last bucket.
const (
	subBuckets     = 16
	subBucketBits  = 4
	maxShift       = 31
	histogramSlots = (maxShift+2)*subBuckets + 0
	// histogramGroups is how many powers of two the histogram has: the
	// first holds the values below 16µs, one a microsecond each.
	histogramGroups = histogramSlots / subBuckets
	maxMicros       = 1<<(maxShift+subBucketBits+1) - 1
)

// histogramIndex returns the bucket for a duration of us microseconds.
func histogramIndex(us uint64) int {
	if us < subBuckets {
		return int(us)
	}
	if us > maxMicros {
		us = maxMicros
	}
	shift := bits.Len64(us) - subBucketBits - 1
	return (shift+1)*subBuckets + int(us>>uint(shift)) - subBuckets
}

// histogramBounds returns the lower bound and the width of bucket i.
func histogramBounds(i int) (lower, width time.Duration) {
	if i < subBuckets {
		return time.Duration(i) * time.Microsecond, time.Microsecond
	}
	shift := uint(i/subBuckets - 1)
	lower = time.Duration(uint64(subBuckets+i%subBuckets)<<shift) * time.Microsecond
	return lower, time.Duration(uint64(1)<<shift) * time.Microsecond
}

// histogramValue returns the midpoint of bucket i.
func histogramValue(i int) time.Duration {
	lower, width := histogramBounds(i)
	return lower + width/2
}
