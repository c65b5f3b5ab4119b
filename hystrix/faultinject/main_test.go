package faultinject

import (
	"flag"
	"testing"

	"go.uber.org/goleak"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

var long = flag.Bool("faultinject.long", false,
	"run the long variants: the real 2 s flapping period, more calls and cycles, more stream rounds")

func TestMain(m *testing.M) {
	// The collectors are registered once, before any circuit exists, so
	// that every circuit of the suite gets them. The panicking one comes
	// first, so that a panic it lets escape would keep the counting one
	// from seeing the execution.
	metricCollector.Registry.Register(newPanickingCollector)
	metricCollector.Registry.Register(newCountingCollector)
	goleak.VerifyTestMain(m)
}
