// Package plugins sends the outcome of every hystrix command to a metrics
// system: statsd, Datadog (DogStatsD) or Graphite. It has the API of
// github.com/afex/hystrix-go/plugins, the same names, configuration fields,
// constants and metric names, so a program that used afex's plugins changes
// only its import path.
//
// Each collector is registered with metricCollector.Registry before the first
// command runs; every circuit made afterwards builds one collector for its
// command and hands it every execution, on the goroutine that ran it. The
// collectors only record in memory there (a buffer append, an atomic add, a
// short lock); the network is used from goroutines of their own.
//
// # statsd
//
//	client, err := plugins.InitializeStatsdCollector(&plugins.StatsdCollectorConfig{
//		StatsdAddr: "localhost:8125",
//		Prefix:     "myapp.hystrix",
//	})
//	if err != nil {
//		log.Print(err) // client still works, discarding everything
//	}
//	defer client.Close()
//	metricCollector.Registry.Register(client.NewStatsdCollector)
//
// Metrics are named {Prefix}.{command}.{metric}; see StatsdCollector. They
// are sent with github.com/cactus/go-statsd-client/v5, buffered into packets
// of at most FlushBytes and sent at least once a second.
//
// # Datadog
//
//	collector, err := plugins.NewDatadogCollector("localhost:8125", "myapp.")
//	if err != nil {
//		return err
//	}
//	defer plugins.CloseDatadogCollectors()
//	metricCollector.Registry.Register(collector)
//
// Every command shares the metric names DM_CircuitOpen to DM_RunDuration and
// is told apart by the tag "hystrixcircuit:<command>". The client is a
// *statsd.Client of github.com/DataDog/datadog-go/v5/statsd with its default
// options. To choose them, or to own the client, make it yourself:
//
//	client, err := statsd.New("localhost:8125", statsd.WithoutTelemetry())
//	if err != nil {
//		return err
//	}
//	defer client.Close()
//	metricCollector.Registry.Register(plugins.NewDatadogCollectorWithClient(client))
//
// # Graphite
//
//	addr, err := net.ResolveTCPAddr("tcp", "graphite:2003")
//	if err != nil {
//		return err
//	}
//	plugins.InitializeGraphiteCollector(&plugins.GraphiteCollectorConfig{
//		GraphiteAddr: addr,
//		Prefix:       "myapp.hystrix",
//		TickInterval: 10 * time.Second,
//	})
//	defer plugins.StopGraphiteCollector()
//	metricCollector.Registry.Register(plugins.NewGraphiteCollector)
//
// The collectors keep their counters and timers in go-metrics'
// (github.com/rcrowley/go-metrics) DefaultRegistry; the reporter sends the
// whole registry every TickInterval, over Graphite's plaintext protocol, as
// {Prefix}.{command}.{metric}.{field}: see GraphiteCollector and
// InitializeGraphiteCollector.
//
// # Goroutines
//
// Every goroutine this package starts has an owner who stops it, and each
// stop first sends what is still buffered:
//
//   - a StatsdCollectorClient's two goroutines, by its Close;
//   - the clients NewDatadogCollector makes, by CloseDatadogCollectors (a
//     client you pass to NewDatadogCollectorWithClient stays yours to close);
//   - the Graphite reporter, by StopGraphiteCollector.
//
// Collectors whose client is closed, or whose reporter is stopped, keep
// working and discard (statsd, Datadog) or keep (Graphite) what they get.
//
// # Differences from afex/hystrix-go/plugins
//
// The names, types and metrics are afex's. Behaviour differs where afex had
// no way to stop what it started, depended on unmaintained libraries, or
// reported misleading numbers:
//
//   - New names stop goroutines: StatsdCollectorClient.Close (afex told
//     callers to close the client but gave them no method for it),
//     CloseDatadogCollectors and StopGraphiteCollector. Calling
//     InitializeGraphiteCollector again replaces the running reporter
//     instead of starting a second one.
//   - runDuration (and DM_RunDuration) is recorded only for executions whose
//     run function ran, not as zero for rejected and short-circuited ones;
//     the circuits' own metrics follow the same rule.
//   - Bad requests (hystrix.BadRequest), which afex's hystrix did not
//     have, are counted under a metric of their own, badRequests
//     (DM_BadRequests), beside attempts: they are the caller's mistake, so
//     they are neither errors nor failures, and they run no fallback.
//   - statsd: send errors are dropped instead of logged, since statsd is
//     best effort and logging would slow the command; NewStatsdCollector on
//     a nil StatsdCollectorClient gives a collector that discards everything,
//     where afex's stopped the program.
//   - Datadog: the client is datadog-go v5's. The DatadogClient interface is
//     afex's method set, which v5's *statsd.Client satisfies unchanged. With
//     v5's defaults, counts and gauges are added up in the client and sent
//     every two seconds (the totals in Datadog are the same) and the client
//     sends its own telemetry metrics (datadog.dogstatsd.client.*). Timings
//     are sent in fractional milliseconds where afex cut them to whole ones,
//     so that sub-millisecond commands no longer read as 0. As in afex the
//     prefix is put before the names as it is: "myapp." gives
//     "myapp.hystrix.attempts".
//   - Graphite: the reporter is this package's own, because go-metrics'
//     built-in Graphite exporter is deprecated (it logs a warning on every
//     send and cannot be stopped) and github.com/cyberdelia/go-metrics-graphite
//     is unmaintained. It sends the same paths and values as afex's, durations
//     in nanoseconds, with these changes: a zero TickInterval means ten
//     seconds (afex never sent), an empty Prefix gives paths without a
//     leading dot, connecting and writing time out after five seconds, and
//     failed sends are logged and retried at the next tick. The collectors'
//     Timers are go-metrics Timers that need no goroutine, where go-metrics'
//     own start one that never ends.
package plugins
