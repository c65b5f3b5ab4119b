package hystrixotel_test

import (
	"context"
	"fmt"

	"github.com/gohystrix/hystrix-go/exporters/hystrixotel"
	"github.com/gohystrix/hystrix-go/hystrix"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func Example() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	// Before the first command runs, so that every circuit reports to it.
	exp, err := hystrixotel.New(mp)
	if err != nil {
		panic(err)
	}
	defer exp.Close()

	_ = hystrix.Do("example_get_order", func() error { return nil }, nil)

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != hystrixotel.CallsName {
				continue
			}
			for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
				outcome, _ := p.Attributes.Value(hystrixotel.OutcomeKey)
				if p.Value > 0 {
					fmt.Println(outcome.AsString(), p.Value)
				}
			}
		}
	}
	hystrix.Flush()
	// Output: success 1
}
