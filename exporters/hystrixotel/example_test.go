package hystrixotel_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gohystrix/hystrix-go/exporters/hystrixotel"
	"github.com/gohystrix/hystrix-go/hystrix"
	"go.opentelemetry.io/otel/sdk/instrumentation"
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

// A View on the SDK's MeterProvider turns both duration histograms into
// base-2 exponential histograms: 160 buckets hold 1ms to 10s at scale 3,
// 2^(1/8) ≈ 1.09 from one bucket to the next, which keeps quantiles within
// 10% as DefaultBuckets do, in buckets that exist only once used.
func Example_exponentialHistograms() {
	reader := sdkmetric.NewManualReader()
	view := sdkmetric.NewView(
		sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram, Scope: instrumentation.Scope{Name: hystrixotel.ScopeName}},
		sdkmetric.Stream{Aggregation: sdkmetric.AggregationBase2ExponentialHistogram{MaxSize: 160, MaxScale: 3}},
	)
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithView(view))
	defer mp.Shutdown(context.Background())
	exp, err := hystrixotel.New(mp)
	if err != nil {
		panic(err)
	}
	defer exp.Close()

	_ = hystrix.Do("example_get_stock", func() error {
		time.Sleep(2 * time.Millisecond)
		return nil
	}, nil)

	var rm metricdata.ResourceMetrics
	_ = reader.Collect(context.Background(), &rm)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.ExponentialHistogram[float64]); ok && m.Name == hystrixotel.RunDurationName {
				p := h.DataPoints[0]
				fmt.Printf("%s: %d run, scale %d\n", m.Name, p.Count, p.Scale)
			}
		}
	}
	hystrix.Flush()
	// Output: hystrix.run.duration: 1 run, scale 3
}
