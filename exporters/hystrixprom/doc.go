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
//	                                         closed, open or half-open, 0 for
//	                                         the other two
//	hystrix_circuit_admitted_per_minute      gauge: executions a minute a
//	                                         half-open circuit on the ramp-up
//	                                         recovery admits; only while it
//	                                         ramps
//	hystrix_circuit_slow_call_percent        gauge: share of slow calls, 0
//	                                         to 100, in the window of a
//	                                         closed circuit on the slow-call
//	                                         rate; only while it tracks them
//	hystrix_circuit_throttle_percent         gauge: share of calls, 0 to
//	                                         100, that a closed circuit on
//	                                         adaptive throttling refuses
//	                                         now; only while it throttles
//	hystrix_concurrent_executions            gauge: executions in flight
//	hystrix_max_concurrent_requests          gauge: the limit in force, fixed
//	                                         or adaptive; -1 means unbounded
//	hystrix_timeout_seconds                  gauge: -1 means none
//	hystrix_error_percent_threshold          gauge
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
// A bad request (hystrix.BadRequest) is the caller's mistake: it is counted
// under its own outcome and, as in the circuits' own health, left out of
// error percentages. hystrix_circuit_admitted_per_minute exists only while a
// circuit ramps up, as the stream's admittedPerMinute does, so a graph of it
// shows each ramp and nothing between them; a closed circuit admits
// everything and an open one nothing, which no rate would say truly. In the
// same way hystrix_circuit_slow_call_percent and
// hystrix_circuit_throttle_percent, like the stream's slowCallPercentage and
// throttlePercentage, exist only for a closed circuit configured with
// "slow_call_ms" and "slow_call_percent" or with "adaptive_k": an open
// circuit calls nothing, and a circuit without the policy measures neither.
// hystrix_max_concurrent_requests is the limit that admits executions now,
// so that a circuit on an adaptive limit ("concurrency": {"adaptive": ...})
// shows it moving.
//
// For example, the error percentage of each command over five minutes:
//
//	100 * sum by (command) (rate(hystrix_calls_total{outcome=~"failure|rejected|short_circuit|timeout"}[5m]))
//	  / sum by (command) (rate(hystrix_calls_total{outcome!="bad_request"}[5m]))
//
// and the 99th percentile of its run time:
//
//	histogram_quantile(0.99, sum by (command, le) (rate(hystrix_run_duration_seconds_bucket[5m])))
//
// The grafana folder at the root of the repository has a dashboard built
// on these metrics.
package hystrixprom
