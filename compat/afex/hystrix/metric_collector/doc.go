// Package metricCollector is github.com/afex/hystrix-go's metric collector
// package, forwarded to github.com/gohystrix/hystrix-go/hystrix/metric_collector.
//
// It only forwards: the types are aliases and Registry points at gohystrix's
// one registry, so a collector registered through either import path is
// built for every circuit and sees every execution, whichever package ran
// it. The guarantees collectors get are gohystrix's, documented there.
//
// Registry is a pointer here where afex had a value, because gohystrix's
// registry has an unexported type that cannot be aliased and a copy would
// be a second registry that no circuit reads. Calls through it,
// metricCollector.Registry.Register(f) above all, compile and behave as
// before; only taking its address gives a different type.
package metricCollector
