package plugins

import (
	metricCollector "github.com/afex/hystrix-go/hystrix/metric_collector"
	goplugins "github.com/gohystrix/hystrix-go/plugins"
)

// The flush sizes of gohystrix, which are afex's.
const (
	// WANStatsdFlushBytes is goplugins.WANStatsdFlushBytes.
	WANStatsdFlushBytes = goplugins.WANStatsdFlushBytes
	// LANStatsdFlushBytes is goplugins.LANStatsdFlushBytes.
	LANStatsdFlushBytes = goplugins.LANStatsdFlushBytes
	// GigabitStatsdFlushBytes is goplugins.GigabitStatsdFlushBytes.
	GigabitStatsdFlushBytes = goplugins.GigabitStatsdFlushBytes
)

// StatsdCollectorConfig is gohystrix's, with afex's fields.
type StatsdCollectorConfig = goplugins.StatsdCollectorConfig

// StatsdCollectorClient is gohystrix's statsd client holder; its
// NewStatsdCollector method is registered with metricCollector.Registry.
type StatsdCollectorClient = goplugins.StatsdCollectorClient

// StatsdCollector is gohystrix's statsd collector.
type StatsdCollector = goplugins.StatsdCollector

// InitializeStatsdCollector is goplugins.InitializeStatsdCollector.
func InitializeStatsdCollector(config *StatsdCollectorConfig) (*StatsdCollectorClient, error) {
	return goplugins.InitializeStatsdCollector(config)
}

// The Datadog metric names of gohystrix, which are afex's.
const (
	// DM_CircuitOpen is goplugins.DM_CircuitOpen.
	DM_CircuitOpen = goplugins.DM_CircuitOpen
	// DM_Attempts is goplugins.DM_Attempts.
	DM_Attempts = goplugins.DM_Attempts
	// DM_Errors is goplugins.DM_Errors.
	DM_Errors = goplugins.DM_Errors
	// DM_Successes is goplugins.DM_Successes.
	DM_Successes = goplugins.DM_Successes
	// DM_Failures is goplugins.DM_Failures.
	DM_Failures = goplugins.DM_Failures
	// DM_Rejects is goplugins.DM_Rejects.
	DM_Rejects = goplugins.DM_Rejects
	// DM_ShortCircuits is goplugins.DM_ShortCircuits.
	DM_ShortCircuits = goplugins.DM_ShortCircuits
	// DM_Timeouts is goplugins.DM_Timeouts.
	DM_Timeouts = goplugins.DM_Timeouts
	// DM_FallbackSuccesses is goplugins.DM_FallbackSuccesses.
	DM_FallbackSuccesses = goplugins.DM_FallbackSuccesses
	// DM_FallbackFailures is goplugins.DM_FallbackFailures.
	DM_FallbackFailures = goplugins.DM_FallbackFailures
	// DM_TotalDuration is goplugins.DM_TotalDuration.
	DM_TotalDuration = goplugins.DM_TotalDuration
	// DM_RunDuration is goplugins.DM_RunDuration.
	DM_RunDuration = goplugins.DM_RunDuration
)

// DatadogClient is gohystrix's interface, afex's method set.
type DatadogClient = goplugins.DatadogClient

// DatadogCollector is gohystrix's Datadog collector.
type DatadogCollector = goplugins.DatadogCollector

// NewDatadogCollector is goplugins.NewDatadogCollector.
func NewDatadogCollector(addr, prefix string) (func(string) metricCollector.MetricCollector, error) {
	return goplugins.NewDatadogCollector(addr, prefix)
}

// NewDatadogCollectorWithClient is goplugins.NewDatadogCollectorWithClient.
func NewDatadogCollectorWithClient(client DatadogClient) func(string) metricCollector.MetricCollector {
	return goplugins.NewDatadogCollectorWithClient(client)
}

// CloseDatadogCollectors is goplugins.CloseDatadogCollectors.
func CloseDatadogCollectors() error { return goplugins.CloseDatadogCollectors() }

// GraphiteCollectorConfig is gohystrix's, with afex's fields.
type GraphiteCollectorConfig = goplugins.GraphiteCollectorConfig

// GraphiteCollector is gohystrix's Graphite collector.
type GraphiteCollector = goplugins.GraphiteCollector

// InitializeGraphiteCollector is goplugins.InitializeGraphiteCollector.
func InitializeGraphiteCollector(config *GraphiteCollectorConfig) {
	goplugins.InitializeGraphiteCollector(config)
}

// NewGraphiteCollector is goplugins.NewGraphiteCollector.
func NewGraphiteCollector(name string) metricCollector.MetricCollector {
	return goplugins.NewGraphiteCollector(name)
}

// StopGraphiteCollector is goplugins.StopGraphiteCollector.
func StopGraphiteCollector() error { return goplugins.StopGraphiteCollector() }
