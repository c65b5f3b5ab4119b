// Package hystrixotel records the metrics of hystrix commands through the
// OpenTelemetry metrics API, go.opentelemetry.io/otel/metric, so that any
// OpenTelemetry exporter (OTLP, Prometheus, stdout) can ship them.
//
// Create the exporter once, before the first command runs, with the
// program's MeterProvider:
//
//	exp, err := hystrixotel.New(otel.GetMeterProvider())
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer exp.Close()
//
// Every measurement has the attribute hystrix.command, the circuit's name:
//
//	hystrix.calls                    counter {call}: executions, by
//	                                 hystrix.outcome: success, failure,
//	                                 rejected, short_circuit, timeout,
//	                                 context_canceled,
//	                                 context_deadline_exceeded or
//	                                 bad_request
//	hystrix.fallback.calls           counter {call}: fallbacks that ran, by
//	                                 hystrix.fallback.result: success or
//	                                 failure
//	hystrix.run.duration             histogram s: run functions that ran
//	hystrix.total.duration           histogram s: whole executions,
//	                                 fallback included
//	hystrix.circuit.state            gauge: 1 for the circuit's
//	                                 hystrix.circuit.state (closed, open or
//	                                 half_open), 0 for the other two
//	hystrix.circuit.error_ratio      gauge 1: errors among the executions
//	                                 in the circuit's rolling window, 0 to 1
//	hystrix.circuit.admitted_rate    gauge {call}/min: what a half-open
//	                                 circuit on the ramp-up recovery
//	                                 admits; only while it ramps
//	hystrix.circuit.slow_call_ratio  gauge 1: share of slow calls, 0 to 1,
//	                                 in the window of a closed circuit on
//	                                 the slow-call rate; only while it
//	                                 tracks them
//	hystrix.circuit.throttle_ratio   gauge 1: share of calls, 0 to 1, a
//	                                 closed circuit on adaptive throttling
//	                                 refuses now; only while it throttles
//	hystrix.concurrent_executions    up-down counter {execution}: in flight
//	hystrix.max_concurrent_requests  gauge {execution}: the limit in force,
//	                                 fixed or adaptive; none if unbounded
//	hystrix.timeout                  gauge s: none if no timeout
//	hystrix.error_threshold          gauge 1: error ratio, 0 to 1, at which
//	                                 the circuit opens
//	hystrix.request_volume_threshold gauge {call}
//	hystrix.sleep_window             gauge s
//	hystrix.force_open               gauge 1: 1 if force_open is set
//	hystrix.force_closed             gauge 1: 1 if force_closed is set
//
// The counters and histograms are recorded as each execution finishes, by
// a collector registered in metricCollector.Registry, so they are exact and
// cumulative (a circuit that closes again resets its rolling health
// window, not these). Each command's outcome and fallback series start at
// zero when its circuit is made. The gauges are observed from
// hystrix.Circuits at each collection and cover every circuit.
//
// Shares are ratios from 0 to 1 with unit "1", which an OpenTelemetry
// Prometheus exporter names with _ratio, as hystrixprom does:
// hystrix.circuit.error_ratio compares directly with
// hystrix.error_threshold. It is the figure the error threshold judges:
// short circuits and bad requests are left out. A circuit without a
// concurrency limit or a timeout has no hystrix.max_concurrent_requests or
// hystrix.timeout point, rather than a number that would compare falsely.
//
// A bad request (hystrix.BadRequest) is the caller's mistake: it has its own
// outcome, which error ratios should leave out as the circuits' own health
// does. hystrix.circuit.admitted_rate is observed only while a circuit ramps
// up, as the stream's admittedPerMinute is sent, so that it shows each ramp
// and nothing between them: a closed circuit admits everything and an open
// one nothing, which no rate would say truly. In the same way
// hystrix.circuit.slow_call_ratio and hystrix.circuit.throttle_ratio,
// like the stream's slowCallPercentage and throttlePercentage, are observed
// only for a closed circuit configured with "slow_call_ms" and
// "slow_call_percent" or with "adaptive_k": an open circuit calls nothing,
// and a circuit without the policy measures neither.
// hystrix.max_concurrent_requests is the limit that admits executions now,
// so that a circuit on an adaptive limit ("concurrency": {"adaptive": ...})
// shows it moving.
//
// # Latency buckets
//
// The duration histograms ask for DefaultBuckets: 101 boundaries from 1ms to
// 10s, each at most 1.1 times the one before, so that a quantile
// interpolated inside its bucket reads within 10% of the true value
// however the latencies are spread (102 counts per point). A View on the
// SDK's MeterProvider may replace them; an exponential histogram with
// MaxSize 160 and MaxScale 3 gives the same 10% in buckets that exist only
// once used (see the example):
//
//	sdkmetric.NewView(
//		sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram,
//			Scope: instrumentation.Scope{Name: hystrixotel.ScopeName}},
//		sdkmetric.Stream{Aggregation: sdkmetric.AggregationBase2ExponentialHistogram{
//			MaxSize: 160, MaxScale: 3}})
package hystrixotel
