// Package plugins is github.com/afex/hystrix-go's plugins package, forwarded
// to github.com/gohystrix/hystrix-go/plugins.
//
// It only forwards: the types are aliases, the constants are gohystrix's
// values, and the functions call straight through, so a collector made
// through either import path is the same collector and there is one
// Graphite reporter and one set of Datadog clients. Behaviour, and what
// differs from afex's plugins, is documented in the gohystrix package.
//
// The gohystrix package adds StatsdCollectorClient.Close,
// CloseDatadogCollectors and StopGraphiteCollector, which stop the
// goroutines the collectors' clients run; they are forwarded too, so that
// code written against this import path can shut them down.
package plugins
