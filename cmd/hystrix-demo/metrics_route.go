package main

import (
	"net/http"
	"sync"

	"github.com/gohystrix/hystrix-go/exporters/hystrixprom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsPath is where Prometheus scrapes the demo.
const metricsPath = "/metrics"

func init() {
	routes = append(routes, route{
		path:     metricsPath,
		handler:  metricsHandler,
		describe: "Prometheus",
	})
}

var (
	metricsOnce     sync.Once
	metricsRegistry *prometheus.Registry
)

// metricsHandler serves the commands' metrics in Prometheus's format, with
// the Go runtime's and the process's. The registry and the exporter are
// made once per process: run may be called several times (tests), and
// metricCollector.Registry keeps every collector registered with it. The
// first call happens in startStream, after run's hystrix.Flush and before
// any traffic, so every circuit of every run reports to the exporter.
func metricsHandler() http.Handler {
	metricsOnce.Do(func() {
		reg := prometheus.NewRegistry()
		reg.MustRegister(
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
		// Native histograms too, for a Prometheus that scrapes them; a
		// text-format scrape (curl) sees the classic buckets.
		hystrixprom.MustRegister(reg, hystrixprom.WithNativeHistograms(1.1))
		metricsRegistry = reg
	})
	return promhttp.HandlerFor(metricsRegistry, promhttp.HandlerOpts{})
}
