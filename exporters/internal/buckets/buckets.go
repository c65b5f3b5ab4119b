// Package buckets holds the latency bucket layout that both exporters
// (hystrixprom, hystrixotel) use by default, and the quantile estimate that
// Prometheus's histogram_quantile makes from such buckets, so that tests
// can show what a layout is worth.
package buckets

import (
	"math"
	"strconv"
)

// PerDecade is how many buckets the default layout has in each factor of
// ten: 10^(1/25) ≈ 1.0965 from one bound to the next, so that a quantile
// read by linear interpolation inside a bucket is within 9.65 % of the
// true value, whatever the distribution.
const PerDecade = 25

// Latency returns the default upper bounds, in seconds: from 1ms to 10s,
// PerDecade to each factor of ten, each rounded to four significant
// digits (101 bounds).
func Latency() []float64 {
	const lo, decades = 0.001, 4
	out := make([]float64, 0, PerDecade*decades+1)
	for k := 0; k <= PerDecade*decades; k++ {
		v := lo * math.Pow(10, float64(k)/PerDecade)
		v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
		out = append(out, v)
	}
	return out
}

// Quantile estimates the q-quantile (0 <= q <= 1) of the observations
// counted in buckets as Prometheus's histogram_quantile does for a classic
// histogram: it finds the bucket that holds the rank q*total and
// interpolates linearly inside it, from 0 for the first bucket. bounds are
// the finite upper bounds; counts has one more entry, for +Inf, and holds
// the observations of each bucket (not cumulative). A rank in the +Inf
// bucket yields the highest finite bound; no observations yield NaN.
func Quantile(q float64, bounds []float64, counts []uint64) float64 {
	var total uint64
	for _, c := range counts {
		total += c
	}
	if total == 0 {
		return math.NaN()
	}
	rank := q * float64(total)
	var cum uint64
	for i, c := range counts {
		prev := cum
		cum += c
		if float64(cum) < rank || c == 0 {
			continue
		}
		if i == len(bounds) {
			return bounds[len(bounds)-1]
		}
		lower := 0.0
		if i > 0 {
			lower = bounds[i-1]
		}
		return lower + (bounds[i]-lower)*(rank-float64(prev))/float64(c)
	}
	return bounds[len(bounds)-1]
}

// Count returns the per-bucket counts of values in the buckets of bounds
// (upper bounds inclusive, one more count for +Inf).
func Count(bounds, values []float64) []uint64 {
	counts := make([]uint64, len(bounds)+1)
	for _, v := range values {
		i := 0
		for i < len(bounds) && v > bounds[i] {
			i++
		}
		counts[i]++
	}
	return counts
}
