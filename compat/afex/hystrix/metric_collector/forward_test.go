package metricCollector_test

import (
	"testing"

	metricCollector "github.com/afex/hystrix-go/hystrix/metric_collector"
	gometric "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

type nopCollector struct{ name string }

func (nopCollector) Update(metricCollector.MetricResult) {}
func (nopCollector) Reset()                              {}

func TestRegisterReachesTheEngineRegistry(t *testing.T) {
	if metricCollector.Registry != &gometric.Registry {
		t.Fatalf("Registry is not gohystrix's registry")
	}
	metricCollector.Registry.Register(func(name string) metricCollector.MetricCollector {
		return nopCollector{name: name}
	})
	// gohystrix builds a circuit's collectors from its own registry; the
	// initializer registered above must be among them.
	var found bool
	for _, c := range gometric.Registry.InitializeMetricCollectors("cmd") {
		if n, ok := c.(nopCollector); ok && n.name == "cmd" {
			found = true
		}
	}
	if !found {
		t.Fatalf("gohystrix's registry does not hold the initializer registered through afex")
	}
}

func TestDefaultMetricCollectorIsTheEngines(t *testing.T) {
	var d *gometric.DefaultMetricCollector = metricCollector.NewDefaultMetricCollector()
	d.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1})
	var c metricCollector.MetricCollector = d
	c.Reset()
}
