// Package dashboard serves a live, single-page dashboard for Hystrix event
// streams: the Server-Sent Events stream that hystrix.StreamHandler serves
// at /hystrix.stream, and the same format from afex/hystrix-go, Netflix's
// Java Hystrix or a stream merged by cmd/hystrix-dashboard.
//
// The page, its script, style sheet and icon are embedded in the binary;
// nothing is fetched at run time but the stream itself, and the page loads
// no framework and nothing from another site. Serve it beside the stream:
//
//	stream := hystrix.NewStreamHandler()
//	stream.Start()
//	defer stream.Stop()
//	mux := http.NewServeMux()
//	mux.Handle("/hystrix.stream", stream)
//	mux.Handle("/", dashboard.New(dashboard.Options{StreamURL: "/hystrix.stream"}))
//
// or under a prefix of its own, since the page refers to its files by
// relative URLs:
//
//	mux.Handle("/dashboard/", http.StripPrefix("/dashboard", dashboard.New(dashboard.Options{})))
//
// The page shows one tile per circuit (HystrixCommand event) with its
// request rate, for one host and for the cluster, error percentage,
// circuit state, concurrent executions, a circle sized by its request rate
// beside the busiest circuit's and coloured by its health, the rolling
// counts of each outcome (bad requests among them, from
// rollingCountBadRequests), latency percentiles of execution and of the
// whole call, and a sparkline of the last minute's rates; and one tile per
// thread pool (HystrixThreadPool event) with its execution rate, active
// threads of its size, queue, and rolling counts. Rates divide the rolling
// counts by the time they cover: the optional
// rollingStatsWindowFilledInMilliseconds field, which hystrix.StreamHandler
// sends and which is less than the window while it fills (after a circuit
// is made, and after a probe closes it and clears its window), taken as at
// least a second; the whole window for streams without it. A circuit
// configured to stay open or closed (propertyValue_circuitBreakerForceOpen
// or ForceClosed) has a "forced open" or "forced closed" badge beside its
// state, and a half-open circuit on the ramp-up recovery says the rate it
// admits now, "admitting 60/min", from the optional admittedPerMinute
// field. A closed circuit that trips on slow calls says their share of its
// window, "slow 25 %", from the optional slowCallPercentage field, and one
// on adaptive client-side throttling the share of calls it refuses now,
// "throttling 3.5 %", from throttlePercentage; shares are whole from 10 %
// up and to a tenth below. Tiles can be sorted by name, error percentage,
// volume or latency and filtered by name. The layout has no horizontal
// scrolling from phone widths (400 px) up.
//
// With Options.UpstreamsURL the page also lists the streams merged behind
// StreamURL, each with its state, since when and its last error, and says
// it is live only as far as they are connected.
//
// Tests and scripts can find things by data attributes: each tile is an
// element with data-command set to the circuit's name and data-state set to
// "closed", "open" or "half-open" (the last only when an event carries the
// optional circuitState field, since the Hystrix format itself has only
// isCircuitBreakerOpen); data-forced is "open", "closed" or empty, and
// data-admitted, present only while the circuit ramps, is its admitted rate
// a minute; data-slow and data-throttle, present only while the event
// carries slowCallPercentage or throttlePercentage within 0 to 100, are
// those shares; data-health is "healthy", "warning" or "failing" and
// data-radius the circle's radius (4 to 19 in a 40 by 40 box). Each thread
// pool's tile has data-pool, its name, and data-rate, its executions a
// second. The body's data-status is "connecting", "live" or "disconnected"
// for the page's stream and, with UpstreamsURL, "partial" while only some
// upstreams are connected and "down" while none is.
//
// The page watches Options.StreamURL, or the URL in its own ?stream= query
// parameter when that is on the page's own origin; it refuses any other,
// so that a link cannot point a viewer's browser at a third party's stream.
// The handler also sends a Content-Security-Policy that only allows the
// page's own files and connections to its own origin (and to StreamURL's
// origin when that is another one).
package dashboard
