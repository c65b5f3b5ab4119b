// Command hystrix-dashboard watches one or more Hystrix event streams and
// serves a live dashboard of their circuits, and the streams merged into
// one, as Netflix's Hystrix dashboard and Turbine did together.
//
// Point it at the /hystrix.stream of each host of a service, whether the
// host runs this library, afex/hystrix-go or Netflix's Java Hystrix (the
// format is the same):
//
//	go run ./cmd/hystrix-dashboard -stream http://app-1:8181/hystrix.stream -stream http://app-2:8181/hystrix.stream
//
// and open http://127.0.0.1:7979/ (-listen changes the address; it is the
// loopback interface unless told otherwise, since the page and stream have
// no authentication). The page is package dashboard's; the merged stream
// is at /hystrix.stream in the same format, for this page, curl, or
// anything else that reads Hystrix streams.
//
// Merging: events of the same type and name from several hosts become one
// event per round (one a second by default, -interval):
//
//   - counts and other numbers are summed, bad requests
//     (rollingCountBadRequests) among them, and reportingHosts is the
//     number of hosts reporting (the sum of the upstreams' own
//     reportingHosts, so that an upstream that is itself merged counts for
//     its hosts);
//   - admittedPerMinute, the rate at which a half-open circuit on the
//     ramp-up recovery admits calls, sent only while it ramps, is summed
//     over the hosts that send it: each ramping host admits at its own
//     rate, so the sum is what the dependency receives from them;
//   - errorPercentage is recomputed from the summed errorCount and
//     requestCount;
//   - slowCallPercentage and throttlePercentage, the share of slow calls
//     and of calls refused by adaptive throttling, sent only by hosts whose
//     closed circuit tracks them, are those hosts' shares weighted by their
//     requestCount: the share among the requests of those hosts together;
//   - isCircuitBreakerOpen is true if the circuit is open on any host, and
//     circuitState is the most severe of the hosts' (open, then half-open,
//     then closed; a host that sends no circuitState counts by its
//     isCircuitBreakerOpen);
//   - latency means are weighted by each host's requestCount; of the latency
//     percentiles, "0" is the least of the hosts' and "100" the greatest,
//     and the others are weighted by requestCount (the combined requests'
//     true percentile lies between the hosts' least and greatest);
//   - rollingStatsWindowFilledInMilliseconds, how much of its rolling
//     window a host's counts cover (less while the window fills, after a
//     start or after a closing circuit cleared it), becomes the time that
//     makes the summed requestCount's rate the sum of the hosts' rates; a
//     host that does not send it covers its whole window;
//   - propertyValue_* settings and strings are those of the first host, in
//     the order the streams were given.
//
// Unlike Turbine, which summed every number and left the dashboard to
// divide latencies, error percentages and the rolling window by
// reportingHosts, every value in the merged stream is final; Netflix's own
// dashboard, which still divides, shows them too small when more than one
// host reports.
//
// Upstreams are not trusted to send sane numbers. An event with a number,
// at any depth, that is not finite or lies beyond ±2^63 (what an int64
// holds; the format's counts are 32-bit), admittedPerMinute and
// rollingCountBadRequests included, is left out, that host's alone,
// so the circuit still shows with the other hosts' numbers; this is
// logged the first time for each upstream, not on every event. The
// merged numbers saturate at the same bound, and the recomputed
// errorPercentage and the merged slowCallPercentage and throttlePercentage
// stay within 0 to 100 (each host's share is brought within it before it
// is weighed), so the merged stream is valid input for another dashboard. Upstream URLs are logged with any password
// redacted.
//
// The page shows each upstream's state (connecting, connected or
// retrying), since when, and its last error, and says the stream is live
// only as far as its upstreams are connected; the same is served as JSON
// at /upstreams. Passwords in the upstreams' URLs are redacted there too,
// also where an error quotes the URL.
//
// A host's events leave the merge when its connection ends, or when it has
// not reported a circuit for -stale. Each upstream is reconnected after a
// failure or -idle seconds of silence, waiting from 0.5s up to
// -max-backoff, doubling after each failed attempt. Everything is bounded:
// the clients of the merged stream (-max-clients), the circuits kept per
// upstream (-max-circuits), the size of an upstream event (-max-event) and
// the number of upstreams (64). On SIGINT or SIGTERM it closes the
// upstreams and the open streams and exits.
//
// Usage:
//
//	hystrix-dashboard [flags] [stream URL ...]
//
// Run it with -h for the flags.
package main
