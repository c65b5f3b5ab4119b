package hystrix

import metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"

// UniqueName is uniqueName for the external test package.
var UniqueName = uniqueName

type resultT = metricCollector.MetricResult

// collectorFunc adapts a function to a collector, for internal tests.
type collectorFunc func(resultT)

func (f collectorFunc) Update(r resultT) { f(r) }
func (f collectorFunc) Reset()           {}
