// Package hystrixprom exposes the metrics of hystrix commands to Prometheus
// through github.com/prometheus/client_golang.
//
// One call, before the first command runs, wires it up:
//
//	hystrixprom.MustRegister(prometheus.DefaultRegisterer)
//	http.Handle("/metrics", promhttp.Handler())
//
// or, with a registry of its own:
//
//	reg := prometheus.NewRegistry()
//	exp := hystrixprom.MustRegister(reg)
//	defer exp.Unregister()
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// Every metric has the label command, the circuit's name:
//
//	hystrix_calls_total{outcome}             counter: executions by outcome,
//	                                         success, failure, rejected,
//	                                         short_circuit, timeout,
//	                                         context_canceled,
//	                                         context_deadline_exceeded or
//	                                         bad_request
//	hystrix_fallback_calls_total{result}     counter: fallbacks that ran,
//	                                         by result, success or failure
//	hystrix_run_duration_seconds             histogram: run functions that ran
//	hystrix_total_duration_seconds           histogram: whole executions,
//	                                         fallback included
//	hystrix_circuit_state{state}             gauge: 1 for the circuit's state,
//	                                         closed, open or half_open, 0 for
//	                                         the other two
//	hystrix_circuit_error_ratio              gauge: errors among the
//	                                         executions in the circuit's
//	                                         rolling window, 0 to 1
//	hystrix_circuit_admitted_per_minute      gauge: executions a minute a
//	                                         half-open circuit on the ramp-up
//	                                         recovery admits; only while it
//	                                         ramps
//	hystrix_circuit_slow_call_ratio          gauge: share of slow calls, 0
//	                                         to 1, in the window of a closed
//	                                         circuit on the slow-call rate;
//	                                         only while it tracks them
//	hystrix_circuit_throttle_ratio           gauge: share of calls, 0 to 1,
//	                                         that a closed circuit on
//	                                         adaptive throttling refuses
//	                                         now; only while it throttles
//	hystrix_concurrent_executions            gauge: executions in flight
//	hystrix_max_concurrent_requests          gauge: the limit in force, fixed
//	                                         or adaptive; none if unbounded
//	hystrix_timeout_seconds                  gauge: none if no timeout
//	hystrix_error_threshold_ratio            gauge: error ratio, 0 to 1, at
//	                                         which the circuit opens
//	hystrix_request_volume_threshold         gauge
//	hystrix_sleep_window_seconds             gauge
//	hystrix_force_open                       gauge: 1 if force_open is set
//	hystrix_force_closed                     gauge: 1 if force_closed is set
//
// The counters and histograms are pushed: a collector registered in
// metricCollector.Registry records each execution as it finishes, so they
// are exact, and they only ever go up (a circuit that closes again resets
// its rolling health window, not these counters). Each command's outcome
// and fallback series exist at zero from the moment its circuit is made.
// The gauges are read from hystrix.Circuits at scrape time and cover every
// circuit, including those made before Register.
//
// Shares are ratios from 0 to 1, as Prometheus names them (_ratio), so
// hystrix_circuit_error_ratio compares directly with
// hystrix_error_threshold_ratio. A circuit without a concurrency limit or a
// timeout has no hystrix_max_concurrent_requests or hystrix_timeout_seconds
// series, rather than a number that would compare falsely with the
// executions and durations. hystrix_circuit_error_ratio is the figure the
// error threshold judges: short circuits (which say nothing about the
// dependency) and bad requests are left out, so it differs from the
// error percentage of Hystrix's dashboard, which counts short circuits.
//
// A bad request (hystrix.BadRequest) is the caller's mistake: it is counted
// under its own outcome and, as in the circuits' own health, left out of
// error ratios. hystrix_circuit_admitted_per_minute exists only while a
// circuit ramps up, as the stream's admittedPerMinute does, so a graph of it
// shows each ramp and nothing between them; a closed circuit admits
// everything and an open one nothing, which no rate would say truly. In the
// same way hystrix_circuit_slow_call_ratio and
// hystrix_circuit_throttle_ratio, like the stream's slowCallPercentage and
// throttlePercentage, exist only for a closed circuit configured with
// "slow_call_ms" and "slow_call_percent" or with "adaptive_k": an open
// circuit calls nothing, and a circuit without the policy measures neither.
// hystrix_max_concurrent_requests is the limit that admits executions now,
// so that a circuit on an adaptive limit ("concurrency": {"adaptive": ...})
// shows it moving.
//
// # Latency buckets
//
// DefaultBuckets has 101 bounds from 1ms to 10s, each at most 1.1 times the
// one before. histogram_quantile interpolates inside the bucket that holds
// the quantile, so a p99 anywhere in that range reads within 10% of the
// true value, however the latencies are spread (a coarser layout read a
// steady 61ms as 99ms). The price is series: each histogram has 104 per
// command (102 buckets with +Inf, _sum, _count), 208 for both. To pay less:
//
//   - WithNativeHistograms(1.1) adds native histograms, which a Prometheus
//     that scrapes them (--enable-feature=native-histograms in 2.x) stores
//     as one series per histogram holding only the buckets in use, at the
//     same 10%; with WithBuckets(nil) too, the classic buckets go;
//   - or WithBuckets with fewer bounds, such as
//     prometheus.ExponentialBucketsRange(0.001, 10, 14), a factor of 2 apart:
//     34 series per command, and a p99 that may read about twice the truth.
//
// The Grafana dashboard reads either kind of histogram.
//
// For example, the error ratio of each command over five minutes:
//
//	sum by (command) (rate(hystrix_calls_total{outcome=~"failure|rejected|short_circuit|timeout"}[5m]))
//	  / sum by (command) (rate(hystrix_calls_total{outcome!="bad_request"}[5m]))
//
// the 99th percentile of its run time:
//
//	histogram_quantile(0.99, sum by (command, le) (rate(hystrix_run_duration_seconds_bucket[5m])))
//
// (with native histograms: histogram_quantile(0.99, sum by (command)
// (rate(hystrix_run_duration_seconds[5m])))), and an alert on circuits
// close to opening:
//
//	hystrix_circuit_error_ratio > 0.8 * hystrix_error_threshold_ratio
//
// The grafana folder at the root of the repository has a dashboard built
// on these metrics.
package hystrixprom
