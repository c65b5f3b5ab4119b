package hystrix_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// firstFailureOpens is a command whose first failure opens its circuit.
func firstFailureOpens() hystrix.CommandConfig {
	c := consecutive(0, hystrix.CallerIsolation)
	c.Trip.Policy = policy.ConsecutiveFailures{Threshold: 0}
	return c
}

// notFound is a program's own error type that calls itself a bad request.
type notFound struct{ key string }

func (e *notFound) Error() string    { return "not found: " + e.key }
func (e *notFound) BadRequest() bool { return true }

var errInvalid = errors.New("invalid input")

func TestBadRequestIsReturnedAsItIsWithoutFallback(t *testing.T) {
	t.Parallel()
	for _, iso := range []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation} {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Isolation: iso}))
			marked := hystrix.BadRequest(errInvalid)
			fellBack := false
			err := reg.Do("c", func() error { return marked }, func(error) error { fellBack = true; return nil })
			assert.Same(t, marked, err)
			assert.ErrorIs(t, err, errInvalid, "errors.Is sees through the mark")
			assert.True(t, hystrix.IsBadRequest(err))
			assert.False(t, fellBack, "a bad request runs no fallback")

			own := &notFound{key: "42"}
			err = reg.Do("c", func() error { return own }, func(error) error { fellBack = true; return nil })
			var nf *notFound
			assert.ErrorAs(t, err, &nf)
			assert.False(t, fellBack)
		})
	}
}

func TestBadRequestsDoNotOpenTheCircuitAndAreCountedApart(t *testing.T) {
	t.Parallel()
	var seen []metricCollector.MetricResult
	reg, clk := hystrixtest.NewRegistry(t, hystrix.WithMetricCollectors(func(string) metricCollector.MetricCollector {
		return collectorFunc(func(r metricCollector.MetricResult) { seen = append(seen, r) })
	}))
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, RequestVolumeThreshold: 5, ErrorPercentThreshold: 1,
	}))
	c, _, _ := reg.GetCircuit("c")
	for range 20 {
		_ = reg.Do("c", func() error { return hystrix.BadRequest(errInvalid) }, nil)
	}
	assert.Equal(t, hystrix.StateClosed, c.State())
	counts := c.Counts(clk.Now())
	assert.Equal(t, int64(20), counts.BadRequests)
	assert.Zero(t, counts.Requests, "bad requests say nothing about health")
	assert.Zero(t, counts.Errors)
	require.Len(t, seen, 20)
	assert.Equal(t, 1.0, seen[0].BadRequests)
	assert.Equal(t, 1.0, seen[0].Attempts)
	assert.Zero(t, seen[0].Errors+seen[0].Failures+seen[0].Successes)
	assert.Contains(t, string(reg.AppendStreamEvents(nil)), `"rollingCountBadRequests":20`)
}

func TestClassifierMarksMoreErrorsAsBadRequestsAndItsPanicIsReported(t *testing.T) {
	t.Parallel()
	logs := &lines{}
	reg, _ := hystrixtest.NewRegistry(t, hystrix.WithLogger(logs))
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation,
		IsBadRequest: hystrix.IsBadRequestFunc(func(err error) bool {
			if err.Error() == "explode" {
				panic("classifier bug")
			}
			return errors.Is(err, errInvalid)
		}),
	}))
	fellBack := false
	fb := func(error) error { fellBack = true; return nil }
	assert.Equal(t, errInvalid, reg.Do("c", func() error { return errInvalid }, fb))
	assert.False(t, fellBack)
	assert.NoError(t, reg.Do("c", func() error { return errors.New("explode") }, fb), "a classifier that panics says: not a bad request")
	assert.True(t, fellBack)
	assert.Contains(t, logs.String(), "classifier bug")
}

func TestDoSkipReportsBadRequestsWithoutWrapping(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", firstFailureOpens()))
	c, _, _ := reg.GetCircuit("c")
	err := reg.DoSkip("c", func() (error, bool) { return errInvalid, true }, nil)
	assert.Equal(t, errInvalid, err)
	assert.Equal(t, hystrix.StateClosed, c.State(), "a skipped error does not count")
	err = reg.DoSkipC(context.Background(), "c", func(context.Context) (error, bool) { return errBoom, false }, nil)
	assert.Equal(t, errBoom, err)
	assert.Equal(t, hystrix.StateOpen, c.State(), "Threshold 0: the first failure opens")
	assert.Equal(t, int64(1), c.Counts(clk.Now()).BadRequests)
}

func TestBadRequestProbeNeitherDecidesNorSpendsTheProbe(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", firstFailureOpens()))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	clk.Add(5 * time.Second)
	require.Equal(t, hystrix.StateHalfOpen, c.State())
	require.ErrorIs(t, reg.Do("c", func() error { return hystrix.BadRequest(errInvalid) }, nil), errInvalid)
	assert.Equal(t, hystrix.StateHalfOpen, c.State())
	require.NoError(t, reg.Do("c", pass, nil), "the slot is free for the next probe")
	assert.Equal(t, hystrix.StateClosed, c.State())
}
