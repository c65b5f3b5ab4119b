package plugins_test

import (
	"net"
	"time"

	metricCollector "github.com/afex/hystrix-go/hystrix/metric_collector"
	"github.com/afex/hystrix-go/plugins"
)

// afex's exported API with afex's signatures; see the hystrix package's
// api_test.go for why.
var (
	_ func(*plugins.StatsdCollectorConfig) (*plugins.StatsdCollectorClient, error) = plugins.InitializeStatsdCollector
	_ func(*plugins.StatsdCollectorClient, string) metricCollector.MetricCollector = (*plugins.StatsdCollectorClient).NewStatsdCollector
	_ func(string, string) (func(string) metricCollector.MetricCollector, error)   = plugins.NewDatadogCollector
	_ func(plugins.DatadogClient) func(string) metricCollector.MetricCollector     = plugins.NewDatadogCollectorWithClient
	_ func(*plugins.GraphiteCollectorConfig)                                       = plugins.InitializeGraphiteCollector
	_ func(string) metricCollector.MetricCollector                                 = plugins.NewGraphiteCollector
	_ func(*plugins.StatsdCollector, metricCollector.MetricResult)                 = (*plugins.StatsdCollector).Update
	_ func(*plugins.StatsdCollector)                                               = (*plugins.StatsdCollector).Reset
	_ func(*plugins.DatadogCollector, metricCollector.MetricResult)                = (*plugins.DatadogCollector).Update
	_ func(*plugins.DatadogCollector)                                              = (*plugins.DatadogCollector).Reset
	_ func(*plugins.GraphiteCollector, metricCollector.MetricResult)               = (*plugins.GraphiteCollector).Update
	_ func(*plugins.GraphiteCollector)                                             = (*plugins.GraphiteCollector).Reset
	_ interface {
		Count(name string, value int64, tags []string, rate float64) error
		Gauge(name string, value float64, tags []string, rate float64) error
		TimeInMilliseconds(name string, value float64, tags []string, rate float64) error
	} = plugins.DatadogClient(nil)

	_ = plugins.StatsdCollectorConfig{
		StatsdAddr: "",
		Prefix:     "",
		SampleRate: float32(0),
		FlushBytes: int(0),
	}
	_ = plugins.GraphiteCollectorConfig{
		GraphiteAddr: (*net.TCPAddr)(nil),
		Prefix:       "",
		TickInterval: time.Duration(0),
	}
)
