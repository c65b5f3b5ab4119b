package metricCollector

import gometric "github.com/gohystrix/hystrix-go/hystrix/metric_collector"

// MetricCollector is gohystrix's collector interface, so a collector written
// for afex can be registered through either package.
type MetricCollector = gometric.MetricCollector

// MetricResult is gohystrix's MetricResult: afex's fields, with the same
// meaning.
type MetricResult = gometric.MetricResult

// DefaultMetricCollector is gohystrix's in-memory collector, the one circuits
// judge their health by.
type DefaultMetricCollector = gometric.DefaultMetricCollector

// NewDefaultMetricCollector is gometric.NewDefaultMetricCollector.
func NewDefaultMetricCollector() *DefaultMetricCollector {
	return gometric.NewDefaultMetricCollector()
}

// Registry is gohystrix's registry itself, not a copy: circuits build their
// collectors from it whichever package registered them.
var Registry = &gometric.Registry
