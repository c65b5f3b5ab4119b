package hystrix_test

import (
	"strings"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// collectorFunc adapts a function to a collector.
type collectorFunc func(metricCollector.MetricResult)

func (f collectorFunc) Update(r metricCollector.MetricResult) { f(r) }
func (f collectorFunc) Reset()                                {}

// lines is a logger that keeps what it is given, one line per call.
type lines struct{ captureLogger }

// String returns every line logged, joined by newlines.
func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
