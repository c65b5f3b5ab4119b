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
