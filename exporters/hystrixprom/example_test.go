package hystrixprom_test

import (
	"fmt"
	"net/http"

	"github.com/gohystrix/hystrix-go/exporters/hystrixprom"
	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func Example() {
	// Before the first command runs, so that every circuit reports to it.
	reg := prometheus.NewRegistry()
	exp := hystrixprom.MustRegister(reg)
	defer exp.Unregister()
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))

	_ = hystrix.Do("example_get_user", func() error { return nil }, nil)

	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != hystrixprom.CallsTotal {
			continue
		}
		for _, m := range mf.GetMetric() {
			if v := m.GetCounter().GetValue(); v > 0 {
				fmt.Println(m.GetLabel()[0].GetValue(), m.GetLabel()[1].GetValue(), v)
			}
		}
	}
	hystrix.Flush()
	// Output: example_get_user success 1
}

// With native histograms, a Prometheus that scrapes them stores each
// duration histogram as one series with buckets 2^(1/8) ≈ 1.09 apart, the
// finest layout at or below the factor asked for, holding only the buckets
// in use; WithBuckets(nil) drops the classic buckets.
func ExampleWithNativeHistograms() {
	reg := prometheus.NewRegistry()
	exp := hystrixprom.MustRegister(reg, hystrixprom.WithNativeHistograms(1.1), hystrixprom.WithBuckets(nil))
	defer exp.Unregister()

	_ = hystrix.Do("example_get_price", func() error { return nil }, nil)

	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == hystrixprom.RunDurationSeconds {
			h := mf.GetMetric()[0].GetHistogram()
			fmt.Printf("%s: %d run, schema %d, %d classic buckets\n",
				mf.GetName(), h.GetSampleCount(), h.GetSchema(), len(h.GetBucket()))
		}
	}
	hystrix.Flush()
	// Output: hystrix_run_duration_seconds: 1 run, schema 3, 0 classic buckets
}
