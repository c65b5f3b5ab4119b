package buckets

import (
	"fmt"
	"math"
	"sort"
	"testing"

	"go.uber.org/goleak"
)

func TestLatencyLayout(t *testing.T) {
	b := Latency()
	if len(b) != 101 || b[0] != 0.001 || b[len(b)-1] != 10 {
		t.Fatalf("%d bounds from %v to %v, want 101 from 0.001 to 10", len(b), b[0], b[len(b)-1])
	}
	for i := 1; i < len(b); i++ {
		if r := b[i] / b[i-1]; r <= 1 || r > 1.1 {
			t.Errorf("bounds %v and %v are a factor %.4f apart, want above 1 and at most 1.1", b[i-1], b[i], r)
		}
	}
	for _, d := range []float64{0.01, 0.1, 1} {
		found := false
		for _, v := range b {
			found = found || v == d
		}
		if !found {
			t.Errorf("no bound at %v", d)
		}
	}
}

// truePercentile is the nearest-rank percentile of values, the observation
// that Prometheus's rank q*n falls on.
func truePercentile(q float64, values []float64) float64 {
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	return s[int(math.Ceil(q*float64(len(s))))-1]
}

// distributions returns sample sets whose 99th percentile is near p99,
// made without randomness: a point mass (the worst case for interpolation,
// since every observation sits at one end of its bucket), the same just
// above a bucket bound, a uniform spread, an exponential tail and two
// modes.
func distributions(p99 float64, bounds []float64) map[string][]float64 {
	const n = 1000
	out := map[string][]float64{}
	point := make([]float64, n)
	for i := range point {
		point[i] = p99
	}
	out["point"] = point
	// The bound just below p99, and a hair above it.
	lo := bounds[0]
	for _, b := range bounds {
		if b < p99 {
			lo = b
		}
	}
	edge := make([]float64, n)
	for i := range edge {
		edge[i] = lo * (1 + 1e-9)
	}
	out["just above a bound"] = edge
	uniform := make([]float64, n)
	for i := range uniform {
		uniform[i] = p99 / 3 * (1 + 2*float64(i)/(0.99*n))
	}
	out["uniform"] = uniform
	exp := make([]float64, n)
	for i := range exp {
		// The quantile function of an exponential scaled so that its 99th
		// percentile is p99.
		p := (float64(i) + 0.5) / n
		exp[i] = -math.Log(1-p) * p99 / math.Log(100)
	}
	out["exponential"] = exp
	twoModes := make([]float64, n)
	for i := range twoModes {
		if i < 900 {
			twoModes[i] = p99 / 20
		} else {
			twoModes[i] = p99 * (0.9 + 0.1*float64(i-900)/100)
		}
	}
	out["two modes"] = twoModes
	return out
}

// TestQuantileWithinTenPercent is the layout's promise: for a 99th
// percentile anywhere from 1ms to 10s, histogram_quantile's estimate from
// the default buckets is within 10% of the true value, however the
// observations are spread.
func TestQuantileWithinTenPercent(t *testing.T) {
	bounds := Latency()
	worst := 0.0
	for k := 0; k <= 80; k++ {
		p99 := 0.0011 * math.Pow(10, float64(k)/20*0.95) // 1.1ms to ~9.8s
		for name, values := range distributions(p99, bounds) {
			want := truePercentile(0.99, values)
			if want < 0.001 || want > 10 {
				continue
			}
			got := Quantile(0.99, bounds, Count(bounds, values))
			err := math.Abs(got-want) / want
			worst = max(worst, err)
			if err > 0.10 {
				t.Errorf("%s around %v: estimate %v, true %v: %.1f%% off", name, p99, got, want, err*100)
			}
		}
	}
	for _, p99 := range []float64{0.001, 0.061, 10} {
		values := distributions(p99, bounds)["point"]
		if got := Quantile(0.99, bounds, Count(bounds, values)); math.Abs(got-p99)/p99 > 0.10 {
			t.Errorf("point mass at %v: estimate %v", p99, got)
		}
	}
	t.Logf("worst error %.2f%%", worst*100)
}

// TestOldBucketsMissedByFarMore pins the bug the layout fixes: the
// earlier 13 buckets read a p99 of 61ms as 99ms.
func TestOldBucketsMissedByFarMore(t *testing.T) {
	old := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	values := distributions(0.061, old)["point"]
	old99 := Quantile(0.99, old, Count(old, values))
	new99 := Quantile(0.99, Latency(), Count(Latency(), values))
	if math.Abs(old99-0.0995) > 1e-9 {
		t.Errorf("old buckets: %v, want the 99.5ms Prometheus showed", old99)
	}
	if math.Abs(new99-0.061)/0.061 > 0.10 {
		t.Errorf("new buckets: %v for a true 61ms", new99)
	}
}

func TestQuantileEdges(t *testing.T) {
	bounds := []float64{1, 2}
	for _, tc := range []struct {
		counts []uint64
		want   string
	}{
		{[]uint64{0, 0, 0}, "NaN"},
		{[]uint64{0, 0, 5}, "2"},      // every observation above the last bound
		{[]uint64{10, 0, 0}, "0.99"},  // interpolated from 0 in the first bucket
		{[]uint64{0, 100, 0}, "1.99"}, // near the top of the second
		{[]uint64{99, 0, 1}, "1"},     // the rank falls on the first bucket's end
	} {
		if got := fmt.Sprintf("%.4g", Quantile(0.99, bounds, tc.counts)); got != tc.want {
			t.Errorf("counts %v: %s, want %s", tc.counts, got, tc.want)
		}
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
