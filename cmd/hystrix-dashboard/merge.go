package main

import (
	"math"
	"strconv"
	"strings"
)

// event is one event of a Hystrix stream, decoded with its numbers kept as
// json.Number so that integers stay integers and unknown fields pass
// through as they came.
type event = map[string]any

// eventKey identifies the events that merge: those of the same type
// ("HystrixCommand", "HystrixThreadPool", "HystrixCollapser") and name.
type eventKey struct{ typ, name string }

// keyOf returns ev's key, or false if ev lacks a type or a name.
func keyOf(ev event) (eventKey, bool) {
	typ, _ := ev["type"].(string)
	name, _ := ev["name"].(string)
	return eventKey{typ, name}, typ != "" && name != ""
}

// merge combines the latest events of several hosts for one key into one
// event of the same format, as Turbine did, except that every value it
// sends is final (Turbine summed everything and left the dashboard to
// divide by reportingHosts):
//
//   - reportingHosts is the sum of the hosts' (each at least 1, so that a
//     merged upstream counts for the hosts it merged);
//   - counts, gauges and every other number are summed: rolling counts
//     (rollingCountBadRequests among them), requestCount, errorCount,
//     current concurrency, pool and queue sizes;
//   - admittedPerMinute, which a host sends only while its circuit ramps
//     up, is summed over the hosts that send it: each admits calls at its
//     own rate, so the sum is the rate the dependency is sent by the
//     ramping hosts (the others admit everything or nothing, which no rate
//     says);
//   - errorPercentage is recomputed from the summed errorCount and
//     requestCount, and kept within 0 to 100 (the hosts' percentages
//     weighted by requestCount when those are missing);
//   - slowCallPercentage and throttlePercentage, which a host sends only
//     while its closed circuit tracks slow calls or throttles, are the
//     percentages of the hosts that send them weighted by their
//     requestCount, kept within 0 to 100: the share of slow calls, or of
//     refused ones, among the requests of those hosts together (the others
//     measure neither);
//   - isCircuitBreakerOpen, and any other boolean, is true if it is true
//     on any host: a circuit open anywhere is shown open;
//   - circuitState is, in the same spirit, the most severe of the hosts':
//     "open" if any host is open, else "half-open" if any is, else
//     "closed". A host without a circuitState this merge knows (Java
//     Hystrix sends none) counts by its isCircuitBreakerOpen, so that the
//     two keys agree; if no host says anything that counts, the first
//     host's value stays;
//   - latency means (keys ending in "_mean") are the hosts' means weighted
//     by their requestCount, which is the exact mean of all the requests;
//   - latency percentiles (objects such as latencyExecute and
//     latencyTotal): "0" is the least of the hosts', "100" the greatest,
//     and every other percentile the hosts' values weighted by their
//     requestCount. The true percentile of the combined requests lies
//     between the hosts' least and greatest, and the weighted mean is
//     exact when the hosts' latencies are alike;
//   - rollingStatsWindowFilledInMilliseconds, how much of its window a
//     host's counts cover (less while the window fills after a start or a
//     reset), is the time that divides the summed requestCount into the
//     sum of the hosts' rates, so that the merged rate is the hosts'
//     together; a host without the key covers its whole window, and each
//     host's is taken as at least a second, as the page takes it;
//   - currentTime is the latest;
//   - propertyValue_* settings, strings and anything else are the first
//     host's (the order of the -stream flags), since the hosts of one
//     service share them.
//
// Where requestCount is missing or zero on every host, the hosts weigh
// the same. Numbers that were integers on every host stay integers
// (weighted means are rounded). Every number merge computes is finite and
// within ±maxStreamValue (sums saturate there), so that the merged event
// always encodes and is itself valid input for another dashboard, whatever
// numbers within that bound the hosts sent.
func merge(evs []event) event {
	if len(evs) == 1 && evs[0]["reportingHosts"] != nil {
		return evs[0]
	}
	weights := requestWeights(evs)
	out := make(event, len(evs[0]))
	seen := make(map[string]bool)
	for _, ev := range evs {
		for k := range ev {
			if seen[k] {
				continue
			}
			seen[k] = true
			out[k] = mergeField(k, evs, weights)
		}
	}
	hosts := 0.0
	for _, ev := range evs {
		hosts += max(1, number(ev["reportingHosts"]))
	}
	// A count, but a host may send a fraction: writing it as an integer
	// would truncate it and the sum would no longer be the hosts'.
	out["reportingHosts"] = jsonNumber(hosts, hosts == math.Trunc(hosts))
	if _, ok := out[filledKey]; ok {
		out[filledKey] = mergeFilled(evs)
	}
	if req, ok := sumIfAll(evs, "requestCount"); ok {
		if errs, ok := sumIfAll(evs, "errorCount"); ok {
			pct := 0.0
			if req > 0 {
				// A tiny requestCount from one host would otherwise make
				// this infinite, and more errors than requests is no
				// more than all of them failing.
				pct = min(100, max(0, math.Round(errs/req*100)))
			}
			out["errorPercentage"] = jsonNumber(pct, true)
		}
	}
	return out
}

// mergeField merges the values of key k, taken from the events that have
// it.
func mergeField(k string, evs []event, weights []float64) any {
	var vals []any
	var ws []float64
	for i, ev := range evs {
		if v, ok := ev[k]; ok {
			vals = append(vals, v)
			ws = append(ws, weights[i])
		}
	}
	switch {
	case k == "currentTime":
		return combineNumbers(vals, ws, opMax)
	case strings.HasPrefix(k, "propertyValue_"):
		return vals[0]
	case strings.HasSuffix(k, "_mean"), k == "errorPercentage":
		return combineNumbers(vals, ws, opWeighted)
	case k == "slowCallPercentage", k == "throttlePercentage":
		return mergeShare(vals, ws)
	case k == "admittedPerMinute":
		// Named, not left to the type switch below: a rate is summed
		// whatever shape a host sends it in, and kept as the first
		// host's when it is not a number.
		return combineNumbers(vals, ws, opSum)
	case k == "circuitState":
		return mergeState(evs, vals[0])
	}
	switch vals[0].(type) {
	case map[string]any:
		return mergePercentiles(vals, ws)
	case bool:
		for _, v := range vals {
			if b, _ := v.(bool); b {
				return true
			}
		}
		return false
	}
	if isNumber(vals[0]) {
		return combineNumbers(vals, ws, opSum)
	}
	return vals[0]
}

// filledKey is the key of the time a host's rolling counts cover.
const filledKey = "rollingStatsWindowFilledInMilliseconds"

// mergeFilled returns the time, in milliseconds, that the summed
// requestCount covers: the one that makes the merged rate the sum of the
// hosts' rates, each host's count divided by the time it covers (its
// window when it does not say, at least a second and at most the window);
// the longest of those when no host has requests.
func mergeFilled(evs []event) any {
	var reqs, rate, longest float64
	for _, ev := range evs {
		window := number(ev["propertyValue_metricsRollingStatisticalWindowInMilliseconds"])
		if window <= 0 {
			window = 10000
		}
		f, ok := toFloat(ev[filledKey])
		if !ok || f > window {
			f = window
		}
		f = max(f, min(1000, window))
		longest = max(longest, f)
		if n := max(0, number(ev["requestCount"])); n > 0 {
			reqs += n
			rate += n / f
		}
	}
	if rate == 0 {
		return jsonNumber(math.Round(longest), true)
	}
	return jsonNumber(math.Round(reqs/rate), true)
}

// mergeShare merges a percentage that only some hosts send: their values,
// each first brought within 0 to 100 (a host that sends more sends
// nonsense, which must not outweigh the others), weighted by their
// requestCount; the first host's value, as it is, if any is not a number.
func mergeShare(vals []any, ws []float64) any {
	xs := make([]any, len(vals))
	for i, v := range vals {
		x, ok := toFloat(v)
		if !ok {
			return vals[0]
		}
		xs[i] = min(100, max(0, x))
	}
	return combineNumbers(xs, ws, opWeighted)
}

// stateSeverity ranks the values of circuitState that merge knows, from
// the least severe.
var stateSeverity = map[string]int{"closed": 1, "half-open": 2, "open": 3}

// mergeState returns the most severe circuit state of the hosts, each
// host's taken from its circuitState or, when that is missing or unknown,
// from its isCircuitBreakerOpen; first when no host has either.
func mergeState(evs []event, first any) any {
	var worst any = first
	rank := 0
	for _, ev := range evs {
		s, _ := ev["circuitState"].(string)
		r := stateSeverity[s]
		if r == 0 {
			switch ev["isCircuitBreakerOpen"] {
			case true:
				s, r = "open", stateSeverity["open"]
			case false:
				s, r = "closed", stateSeverity["closed"]
			}
		}
		if r > rank {
			worst, rank = s, r
		}
	}
	return worst
}

// mergePercentiles merges objects of latency percentiles keyed "0" to
// "100".
func mergePercentiles(vals []any, ws []float64) any {
	out := make(map[string]any)
	for _, v := range vals {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		for p := range m {
			if _, done := out[p]; done {
				continue
			}
			var pv []any
			var pw []float64
			for i, v := range vals {
				if m, ok := v.(map[string]any); ok {
					if x, ok := m[p]; ok {
						pv = append(pv, x)
						pw = append(pw, ws[i])
					}
				}
			}
			op := opWeighted
			switch p {
			case "0":
				op = opMin
			case "100":
				op = opMax
			}
			out[p] = combineNumbers(pv, pw, op)
		}
	}
	return out
}

type combineOp int

const (
	opSum combineOp = iota
	opMin
	opMax
	opWeighted
)

// combineNumbers combines the numeric values; if any is not a number, the
// first value is kept as it is.
func combineNumbers(vals []any, ws []float64, op combineOp) any {
	integral := true
	xs := make([]float64, len(vals))
	for i, v := range vals {
		x, ok := toFloat(v)
		if !ok {
			return vals[0]
		}
		xs[i] = x
		integral = integral && x == math.Trunc(x)
	}
	var r float64
	switch op {
	case opSum:
		for _, x := range xs {
			r += x
		}
	case opMin:
		r = xs[0]
		for _, x := range xs[1:] {
			r = min(r, x)
		}
	case opMax:
		r = xs[0]
		for _, x := range xs[1:] {
			r = max(r, x)
		}
	case opWeighted:
		var sw float64
		for _, w := range ws {
			sw += w
		}
		lo, hi := xs[0], xs[0]
		for i, x := range xs {
			// Dividing each weight first keeps the products away from
			// the subnormal floats, where x*w rounds by up to a factor of
			// two: a host weighing 5e-324 must not turn 0.7 into 1.
			if sw > 0 {
				r += x * (ws[i] / sw)
			} else {
				r += x / float64(len(xs))
			}
			lo, hi = min(lo, x), max(hi, x)
		}
		// What rounding is left cannot take a mean outside its values.
		r = min(hi, max(lo, r))
		if integral {
			r = math.Round(r)
		}
	}
	return jsonNumber(r, integral)
}

// requestWeights returns each event's requestCount, or equal weights when
// no event has a positive one.
func requestWeights(evs []event) []float64 {
	ws := make([]float64, len(evs))
	total := 0.0
	for i, ev := range evs {
		ws[i] = max(0, number(ev["requestCount"]))
		total += ws[i]
	}
	if total == 0 {
		for i := range ws {
			ws[i] = 1
		}
	}
	return ws
}

// sumIfAll sums key k over the events, if every event has it as a number.
func sumIfAll(evs []event, k string) (float64, bool) {
	var sum float64
	for _, ev := range evs {
		x, ok := toFloat(ev[k])
		if !ok {
			return 0, false
		}
		sum += x
	}
	return sum, true
}

func isNumber(v any) bool {
	_, ok := toFloat(v)
	return ok
}

// toFloat reads a decoded JSON number; anything that is not a finite
// number is not one.
func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case jsonNum:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	case float64:
		return x, !math.IsInf(x, 0) && !math.IsNaN(x)
	case int:
		return float64(x), true
	}
	return 0, false
}

// number is toFloat without the check, zero for anything else.
func number(v any) float64 {
	f, _ := toFloat(v)
	return f
}

// jsonNumber writes a number merge computed. It saturates at
// ±maxStreamValue and writes NaN, which finite inputs do not produce, as 0:
// json.Marshal refuses "+Inf" and "NaN", and losing the whole event to one
// bad number is what this guards against.
func jsonNumber(f float64, integral bool) jsonNum {
	switch {
	case math.IsNaN(f):
		f = 0
	case f > maxStreamValue:
		f = maxStreamValue
	case f < -maxStreamValue:
		f = -maxStreamValue
	}
	if integral && math.Abs(f) < 1<<53 {
		return jsonNum(strconv.FormatInt(int64(f), 10))
	}
	return jsonNum(strconv.FormatFloat(f, 'g', -1, 64))
}
