package plugins

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"strings"
	"testing"
	"time"

	metrics "github.com/rcrowley/go-metrics"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// graphiteValues parses plaintext lines into path -> value, checking that
// each line has a timestamp close to now.
func graphiteValues(t *testing.T, content string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
		f := strings.Fields(l)
		require.Len(t, f, 3, "line %q", l)
		var ts int64
		_, err := fmt.Sscan(f[2], &ts)
		require.NoError(t, err, l)
		assert.InDelta(t, time.Now().Unix(), ts, 60, l)
		out[f[0]] = f[1]
	}
	return out
}

func quietLog(t *testing.T) {
	out := log.Writer()
	log.SetOutput(io.Discard)
	t.Cleanup(func() { log.SetOutput(out) })
}

func TestGraphiteCollectorRecords(t *testing.T) {
	reg := metrics.NewRegistry()
	g := newGraphiteCollectorIn(reg, "db/query:x.y")
	g.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, TotalDuration: 3 * time.Millisecond, RunDuration: 2 * time.Millisecond})
	g.Update(metricCollector.MetricResult{Attempts: 1, Errors: 1, ShortCircuits: 1, FallbackFailures: 1, TotalDuration: time.Millisecond})
	g.Update(metricCollector.MetricResult{Attempts: 1, Errors: 1, Failures: 1, Rejects: 0, FallbackSuccesses: 1, RunDuration: time.Millisecond})
	g.Update(metricCollector.MetricResult{Attempts: 1, Errors: 1, Rejects: 1})
	g.Update(metricCollector.MetricResult{Attempts: 1, Errors: 1, Timeouts: 1, RunDuration: time.Second})
	g.Update(metricCollector.MetricResult{Attempts: 1, BadRequests: 1}) // a run quicker than the clock
	g.Reset()

	counts := map[string]int64{}
	timers := map[string]int64{}
	reg.Each(func(name string, m interface{}) {
		switch m := m.(type) {
		case metrics.Counter:
			counts[name] = m.Count()
		case metrics.Timer:
			timers[name] = m.Count()
		}
	})
	assert.Equal(t, map[string]int64{
		"db-query-x-y.attempts": 6, "db-query-x-y.errors": 4, "db-query-x-y.successes": 1,
		"db-query-x-y.failures": 1, "db-query-x-y.rejects": 1, "db-query-x-y.shortCircuits": 1,
		"db-query-x-y.timeouts": 1, "db-query-x-y.fallbackSuccesses": 1, "db-query-x-y.fallbackFailures": 1,
		"db-query-x-y.badRequests": 1,
	}, counts)
	assert.Equal(t, map[string]int64{
		"db-query-x-y.totalDuration": 6,
		"db-query-x-y.runDuration":   4, // not the short circuit, nor the rejection
	}, timers)

	// A second collector of the same name carries on with the same totals.
	newGraphiteCollectorIn(reg, "db/query:x.y").Update(metricCollector.MetricResult{Attempts: 1})
	assert.Equal(t, int64(7), reg.Get("db-query-x-y.attempts").(metrics.Counter).Count())
}

func TestGraphiteCollectorSkipsNamesTakenByOtherKinds(t *testing.T) {
	reg := metrics.NewRegistry()
	require.NoError(t, reg.Register("taken.attempts", metrics.NewGauge()))
	require.NoError(t, reg.Register("taken.runDuration", metrics.NewCounter()))
	g := newGraphiteCollectorIn(reg, "taken")
	g.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, RunDuration: time.Millisecond})
	assert.Equal(t, int64(0), reg.Get("taken.runDuration").(metrics.Counter).Count())
	assert.Equal(t, int64(1), reg.Get("taken.successes").(metrics.Counter).Count())
}

// fixedMeter is a metrics.Meter with set values; go-metrics' own starts a
// goroutine that never ends.
type fixedMeter struct{ n int64 }

func (m fixedMeter) Count() int64            { return m.n }
func (fixedMeter) Mark(int64)                {}
func (fixedMeter) Rate1() float64            { return 1.5 }
func (fixedMeter) Rate5() float64            { return 2.5 }
func (fixedMeter) Rate15() float64           { return 3.5 }
func (fixedMeter) RateMean() float64         { return 4.5 }
func (m fixedMeter) Snapshot() metrics.Meter { return m }
func (fixedMeter) Stop()                     {}

func TestWriteGraphiteFormat(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	reg := metrics.NewRegistry()
	c := metrics.NewCounter()
	c.Inc(7)
	require.NoError(t, reg.Register("c", c))
	gauge := metrics.NewGauge()
	gauge.Update(-3)
	require.NoError(t, reg.Register("g", gauge))
	gf := metrics.NewGaugeFloat64()
	gf.Update(0.25)
	require.NoError(t, reg.Register("gf", gf))
	h := metrics.NewHistogram(metrics.NewUniformSample(100))
	for _, v := range []int64{10, 20, 30, 40} {
		h.Update(v)
	}
	require.NoError(t, reg.Register("h", h))
	require.NoError(t, reg.Register("m", fixedMeter{9}))
	tm := newGraphiteTimerAt(now.Add(-10 * time.Second))
	tm.updateAt(now.Add(-9*time.Second), 1000)
	tm.updateAt(now.Add(-9*time.Second), 3000)
	require.NoError(t, reg.Register("t", tm))

	var buf bytes.Buffer
	writeGraphite(&buf, reg, "pre", now)
	want := `pre.c.count 7 1800000000
pre.g.value -3 1800000000
pre.gf.value 0.250000 1800000000
pre.h.count 4 1800000000
pre.h.min 10 1800000000
pre.h.max 40 1800000000
pre.h.mean 25.00 1800000000
pre.h.std-dev 11.18 1800000000
pre.h.50-percentile 25.00 1800000000
pre.h.75-percentile 37.50 1800000000
pre.h.95-percentile 40.00 1800000000
pre.h.99-percentile 40.00 1800000000
pre.h.999-percentile 40.00 1800000000
pre.m.count 9 1800000000
pre.m.one-minute 1.50 1800000000
pre.m.five-minute 2.50 1800000000
pre.m.fifteen-minute 3.50 1800000000
pre.m.mean 4.50 1800000000
pre.t.count 2 1800000000
pre.t.min 1000 1800000000
pre.t.max 3000 1800000000
pre.t.mean 2000.00 1800000000
pre.t.std-dev 1000.00 1800000000
pre.t.50-percentile 2000.00 1800000000
pre.t.75-percentile 3000.00 1800000000
pre.t.95-percentile 3000.00 1800000000
pre.t.99-percentile 3000.00 1800000000
pre.t.999-percentile 3000.00 1800000000
pre.t.one-minute 0.37 1800000000
pre.t.five-minute 0.39 1800000000
pre.t.fifteen-minute 0.40 1800000000
pre.t.mean-rate 0.20 1800000000
`
	assert.Equal(t, want, buf.String())

	buf.Reset()
	writeGraphite(&buf, reg, "", now)
	assert.True(t, strings.HasPrefix(buf.String(), "c.count 7 1800000000\n"), "no leading dot without a prefix")
}

// The lazily ticked rates must match go-metrics' EWMAs ticked every five
// seconds by its goroutine.
func TestGraphiteTimerRatesMatchGoMetrics(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	tm := newGraphiteTimerAt(start)
	ref := []metrics.EWMA{metrics.NewEWMA1(), metrics.NewEWMA5(), metrics.NewEWMA15()}
	tick := func() {
		for _, e := range ref {
			e.Tick()
		}
	}
	mark := func(n int) {
		for _, e := range ref {
			e.Update(int64(n))
		}
	}
	check := func(at time.Duration) {
		t.Helper()
		rates, _ := tm.ratesAt(start.Add(at))
		for i, e := range ref {
			assert.InEpsilon(t, e.Rate(), rates[i], 1e-9, "rate %d at %v", i, at)
		}
	}

	for i := 0; i < 3; i++ {
		tm.updateAt(start.Add(time.Second), time.Millisecond)
	}
	mark(3)
	tick() // at 5 s
	check(5 * time.Second)
	check(9 * time.Second)
	for i := 0; i < 10; i++ {
		tm.updateAt(start.Add(12*time.Second), time.Millisecond)
	}
	tick() // at 10 s, nothing new
	mark(10)
	tick() // at 15 s
	check(15 * time.Second)
	for i := 0; i < 101; i++ { // idle: ticks at 20 s, 25 s, ... 520 s
		tick()
	}
	check(520 * time.Second)

	_, mean := tm.ratesAt(start.Add(520 * time.Second))
	assert.InDelta(t, 13.0/520, mean, 1e-12)
	assert.Equal(t, int64(13), tm.Count())
}
