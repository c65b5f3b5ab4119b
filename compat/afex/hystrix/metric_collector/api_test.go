package metricCollector_test

import (
	"time"

	metricCollector "github.com/afex/hystrix-go/hystrix/metric_collector"
	"github.com/afex/hystrix-go/hystrix/rolling"
)

// afex's exported API with afex's signatures; see the hystrix package's
// api_test.go for why.
var (
	_ func(func(string) metricCollector.MetricCollector)            = metricCollector.Registry.Register
	_ func(string) []metricCollector.MetricCollector                = metricCollector.Registry.InitializeMetricCollectors
	_ metricCollector.MetricCollector                               = (*metricCollector.DefaultMetricCollector)(nil)
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).NumRequests
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).Errors
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).Successes
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).Failures
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).Rejects
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).ShortCircuits
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).Timeouts
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).FallbackSuccesses
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).FallbackFailures
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).ContextCanceled
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Number = (*metricCollector.DefaultMetricCollector).ContextDeadlineExceeded
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Timing = (*metricCollector.DefaultMetricCollector).TotalDuration
	_ func(*metricCollector.DefaultMetricCollector) *rolling.Timing = (*metricCollector.DefaultMetricCollector).RunDuration

	_ = metricCollector.MetricResult{
		Attempts:                float64(0),
		Errors:                  float64(0),
		Successes:               float64(0),
		Failures:                float64(0),
		Rejects:                 float64(0),
		ShortCircuits:           float64(0),
		Timeouts:                float64(0),
		FallbackSuccesses:       float64(0),
		FallbackFailures:        float64(0),
		ContextCanceled:         float64(0),
		ContextDeadlineExceeded: float64(0),
		TotalDuration:           time.Duration(0),
		RunDuration:             time.Duration(0),
		ConcurrencyInUse:        float64(0),
	}
)
