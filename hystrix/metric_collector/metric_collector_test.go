package metricCollector

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestDefaultCollectorCountsEveryField(t *testing.T) {
	d := NewDefaultMetricCollector()
	at := time.Unix(1_800_000_000, 0)
	d.UpdateAt(at, MetricResult{Attempts: 1, Successes: 1, TotalDuration: 3 * time.Millisecond, RunDuration: 2 * time.Millisecond})
	d.UpdateAt(at, MetricResult{Attempts: 1, Errors: 1, Failures: 1, FallbackSuccesses: 1, RunDuration: time.Millisecond})
	d.UpdateAt(at, MetricResult{Attempts: 1, Errors: 1, Rejects: 1, FallbackFailures: 1})
	d.UpdateAt(at, MetricResult{Attempts: 1, Errors: 1, ShortCircuits: 1})
	d.UpdateAt(at, MetricResult{Attempts: 1, Errors: 1, Timeouts: 1, RunDuration: time.Second})
	d.UpdateAt(at, MetricResult{Attempts: 1, ContextCanceled: 1})
	d.UpdateAt(at, MetricResult{Attempts: 1, ContextDeadlineExceeded: 1})

	for name, tc := range map[string]struct {
		got  float64
		want float64
	}{
		"requests": {d.NumRequests().Sum(at), 7}, "errors": {d.Errors().Sum(at), 4},
		"successes": {d.Successes().Sum(at), 1}, "failures": {d.Failures().Sum(at), 1},
		"rejects": {d.Rejects().Sum(at), 1}, "short circuits": {d.ShortCircuits().Sum(at), 1},
		"timeouts": {d.Timeouts().Sum(at), 1}, "canceled": {d.ContextCanceled().Sum(at), 1},
		"deadline":           {d.ContextDeadlineExceeded().Sum(at), 1},
		"fallback successes": {d.FallbackSuccesses().Sum(at), 1},
		"fallback failures":  {d.FallbackFailures().Sum(at), 1},
	} {
		assert.Equal(t, tc.want, tc.got, name)
	}
	assert.Equal(t, uint64(3), d.TotalDuration().Count(at), "only executions that ran have latencies")
	assert.Equal(t, uint64(3), d.RunDuration().Count(at), "only executions that ran have a run duration")

	d.Reset()
	assert.Zero(t, d.NumRequests().Sum(at))
	assert.Zero(t, d.RunDuration().Count(at))
}

type nopCollector struct{ name string }

func (nopCollector) Update(MetricResult) {}
func (nopCollector) Reset()              {}

func TestRegistryBuildsDefaultFirstThenRegistered(t *testing.T) {
	var r metricCollectorRegistry
	r.registry = []func(string) MetricCollector{newDefaultMetricCollector}
	r.Register(func(name string) MetricCollector { return nopCollector{name} })
	r.Register(nil)
	got := r.InitializeMetricCollectors("cmd")
	require.Len(t, got, 2)
	assert.IsType(t, &DefaultMetricCollector{}, got[0])
	assert.Equal(t, nopCollector{"cmd"}, got[1])
}

// The run and total distributions read as if each execution had written
// both, though one without a fallback writes a histogram shared by the two.
func TestDefaultCollectorLatenciesWithAndWithoutFallback(t *testing.T) {
	var zero DefaultMetricCollector // the zero value works as the constructor's
	for name, d := range map[string]*DefaultMetricCollector{"new": NewDefaultMetricCollector(), "zero": &zero} {
		t.Run(name, func(t *testing.T) {
			at := time.Unix(1_800_000_000, 0)
			for i := 1; i <= 10; i++ {
				ms := time.Duration(i) * time.Millisecond
				d.UpdateUnix(at.Unix(), MetricResult{Attempts: 1, Successes: 1, TotalDuration: ms, RunDuration: ms})
			}
			d.UpdateUnix(at.Unix(), MetricResult{Attempts: 1, Errors: 1, Failures: 1, FallbackSuccesses: 1,
				RunDuration: time.Millisecond, TotalDuration: time.Second})
			run, total := d.RunDuration(), d.TotalDuration()
			assert.Equal(t, uint64(11), run.Count(at))
			assert.Equal(t, uint64(11), total.Count(at))
			assert.Equal(t, 10*time.Millisecond, run.PercentileAt(at, 100), "the run's longest")
			assert.Equal(t, time.Second, total.PercentileAt(at, 100), "the fallback's wait is in the total")
			assert.Equal(t, time.Millisecond, run.PercentileAt(at, 0))
			assert.Equal(t, time.Millisecond, total.PercentileAt(at, 0))
			assert.Equal(t, (55*time.Millisecond+time.Millisecond)/11, run.MeanAt(at))
			assert.Equal(t, (55*time.Millisecond+time.Second)/11, total.MeanAt(at))
			assert.False(t, total.Shares(run, at), "one execution ran a fallback")
			later := at.Add(2 * time.Minute)
			d.UpdateUnix(later.Unix(), MetricResult{Attempts: 1, Successes: 1, TotalDuration: time.Millisecond, RunDuration: time.Millisecond})
			assert.True(t, total.Shares(run, later), "no fallback in the window")

			d.Reset()
			assert.Zero(t, run.Count(later))
			assert.Zero(t, total.Count(later))
		})
	}
}

// Resetting one of the two distributions forgets the executions that ran a
// fallback; the collector's Reset forgets all.
func TestDefaultCollectorResetOfOneLatencyDistribution(t *testing.T) {
	d := NewDefaultMetricCollector()
	at := time.Unix(1_800_000_000, 0)
	d.UpdateUnix(at.Unix(), MetricResult{Attempts: 1, Successes: 1, TotalDuration: time.Millisecond, RunDuration: time.Millisecond})
	d.UpdateUnix(at.Unix(), MetricResult{Attempts: 1, Errors: 1, Failures: 1, FallbackSuccesses: 1,
		RunDuration: time.Millisecond, TotalDuration: 3 * time.Millisecond})
	d.RunDuration().Reset()
	assert.Equal(t, uint64(1), d.RunDuration().Count(at), "the execution without a fallback stays")
	assert.Equal(t, uint64(2), d.TotalDuration().Count(at))
	d.Reset()
	assert.Zero(t, d.RunDuration().Count(at))
	assert.Zero(t, d.TotalDuration().Count(at))
}
