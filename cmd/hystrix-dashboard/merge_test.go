package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// ev decodes a JSON event as the upstream reader does.
func ev(t *testing.T, s string) event {
	t.Helper()
	e, _, err := decodeEvent([]byte(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return e
}

// canon re-encodes an event, so that events compare as JSON.
func canon(t *testing.T, e event) string {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(v)
	return string(b)
}

func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string
		want string
	}{
		{
			name: "one host passes through",
			in:   []string{`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":7,"rollingCountBadRequests":2,"x":{"y":"z"}}`},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":7,"rollingCountBadRequests":2,"x":{"y":"z"}}`,
		},
		{
			name: "one host without reportingHosts counts as one",
			in:   []string{`{"type":"HystrixCommand","name":"a","requestCount":7}`},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":7}`,
		},
		{
			name: "counts and gauges are summed",
			in: []string{
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"rollingCountSuccess":10,"rollingCountFailure":1,"rollingCountShortCircuited":0,"currentConcurrentExecutionCount":2}`,
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"rollingCountSuccess":5,"rollingCountFailure":3,"rollingCountShortCircuited":4,"currentConcurrentExecutionCount":1}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"rollingCountSuccess":15,"rollingCountFailure":4,"rollingCountShortCircuited":4,"currentConcurrentExecutionCount":3}`,
		},
		{
			name: "the window filled makes the merged rate the hosts' rates summed",
			in: []string{
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":10,"rollingStatsWindowFilledInMilliseconds":1000}`,
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":90,"rollingStatsWindowFilledInMilliseconds":9000}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":100,"rollingStatsWindowFilledInMilliseconds":5000}`,
		},
		{
			name: "a host without the window filled covers its whole window",
			in: []string{
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":20,"rollingStatsWindowFilledInMilliseconds":2000,"propertyValue_metricsRollingStatisticalWindowInMilliseconds":10000}`,
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":100,"propertyValue_metricsRollingStatisticalWindowInMilliseconds":10000}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":120,"rollingStatsWindowFilledInMilliseconds":6000,"propertyValue_metricsRollingStatisticalWindowInMilliseconds":10000}`,
		},
		{
			name: "without requests the window filled is the longest, each at least a second",
			in: []string{
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":0,"rollingStatsWindowFilledInMilliseconds":300}`,
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":0,"rollingStatsWindowFilledInMilliseconds":"soon"}`,
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":0,"rollingStatsWindowFilledInMilliseconds":400}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":3,"requestCount":0,"rollingStatsWindowFilledInMilliseconds":10000}`,
		},
		{
			name: "a short window filled counts as a second",
			in: []string{
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":3,"rollingStatsWindowFilledInMilliseconds":100}`,
				`{"type":"HystrixCommand","name":"a","reportingHosts":1,"requestCount":3,"rollingStatsWindowFilledInMilliseconds":1000}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":6,"rollingStatsWindowFilledInMilliseconds":1000}`,
		},
		{
			name: "reportingHosts adds up merged upstreams",
			in: []string{
				`{"type":"HystrixCommand","name":"a","reportingHosts":3}`,
				`{"type":"HystrixCommand","name":"a","reportingHosts":1}`,
				`{"type":"HystrixCommand","name":"a"}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":5}`,
		},
		{
			name: "error percentage from the summed counts",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":90,"errorCount":0,"errorPercentage":0}`,
				`{"type":"HystrixCommand","name":"a","requestCount":10,"errorCount":10,"errorPercentage":100}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":100,"errorCount":10,"errorPercentage":10}`,
		},
		{
			name: "error percentage weighted when counts are missing",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":30,"errorPercentage":10}`,
				`{"type":"HystrixCommand","name":"a","requestCount":10,"errorPercentage":50}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":40,"errorPercentage":20}`,
		},
		{
			name: "no requests: no errors",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":0,"errorCount":0,"errorPercentage":0}`,
				`{"type":"HystrixCommand","name":"a","requestCount":0,"errorCount":0,"errorPercentage":0}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":0,"errorCount":0,"errorPercentage":0}`,
		},
		{
			name: "open on any host is open",
			in: []string{
				`{"type":"HystrixCommand","name":"a","isCircuitBreakerOpen":false}`,
				`{"type":"HystrixCommand","name":"a","isCircuitBreakerOpen":true}`,
				`{"type":"HystrixCommand","name":"a","isCircuitBreakerOpen":false}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":3,"isCircuitBreakerOpen":true}`,
		},
		{
			name: "closed everywhere is closed",
			in: []string{
				`{"type":"HystrixCommand","name":"a","isCircuitBreakerOpen":false}`,
				`{"type":"HystrixCommand","name":"a","isCircuitBreakerOpen":false}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"isCircuitBreakerOpen":false}`,
		},
		{
			name: "latencies: min, weighted, max",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":300,"latencyTotal_mean":10,"latencyTotal":{"0":2,"50":10,"99":40,"99.5":41,"100":50}}`,
				`{"type":"HystrixCommand","name":"a","requestCount":100,"latencyTotal_mean":30,"latencyTotal":{"0":1,"50":30,"99":80,"99.5":81,"100":900}}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":400,"latencyTotal_mean":15,"latencyTotal":{"0":1,"50":15,"99":50,"99.5":51,"100":900}}`,
		},
		{
			name: "latencies of idle hosts weigh the same",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":0,"latencyExecute_mean":10,"latencyExecute":{"50":10}}`,
				`{"type":"HystrixCommand","name":"a","requestCount":0,"latencyExecute_mean":21,"latencyExecute":{"50":20}}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":0,"latencyExecute_mean":16,"latencyExecute":{"50":15}}`,
		},
		{
			name: "non-integral numbers stay so",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":1,"latencyTotal_mean":1.5,"load":0.25}`,
				`{"type":"HystrixCommand","name":"a","requestCount":1,"latencyTotal_mean":2,"load":0.5}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":2,"latencyTotal_mean":1.75,"load":0.75}`,
		},
		{
			name: "settings and strings are the first host's",
			in: []string{
				`{"type":"HystrixCommand","name":"a","group":"g1","propertyValue_circuitBreakerErrorThresholdPercentage":50,"propertyValue_metricsRollingStatisticalWindowInMilliseconds":10000,"propertyValue_executionIsolationStrategy":"THREAD","propertyValue_circuitBreakerForceOpen":false}`,
				`{"type":"HystrixCommand","name":"a","group":"g2","propertyValue_circuitBreakerErrorThresholdPercentage":20,"propertyValue_metricsRollingStatisticalWindowInMilliseconds":10000,"propertyValue_executionIsolationStrategy":"SEMAPHORE","propertyValue_circuitBreakerForceOpen":true}`,
			},
			want: `{"type":"HystrixCommand","name":"a","group":"g1","reportingHosts":2,"propertyValue_circuitBreakerErrorThresholdPercentage":50,"propertyValue_metricsRollingStatisticalWindowInMilliseconds":10000,"propertyValue_executionIsolationStrategy":"THREAD","propertyValue_circuitBreakerForceOpen":false}`,
		},
		{
			name: "the latest time",
			in: []string{
				`{"type":"HystrixCommand","name":"a","currentTime":1700000000500}`,
				`{"type":"HystrixCommand","name":"a","currentTime":1700000001000}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"currentTime":1700000001000}`,
		},
		{
			name: "fields some hosts lack",
			in: []string{
				`{"type":"HystrixCommand","name":"a","rollingCountBadRequests":4}`,
				`{"type":"HystrixCommand","name":"a","rollingCountEmit":2}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"rollingCountBadRequests":4,"rollingCountEmit":2}`,
		},
		{
			name: "a value of another kind on a later host is ignored",
			in: []string{
				`{"type":"HystrixCommand","name":"a","rollingCountSuccess":"n/a","isCircuitBreakerOpen":false}`,
				`{"type":"HystrixCommand","name":"a","rollingCountSuccess":5,"isCircuitBreakerOpen":"yes"}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"rollingCountSuccess":"n/a","isCircuitBreakerOpen":false}`,
		},
		{
			name: "bad requests and admitted rates are summed",
			in: []string{
				`{"type":"HystrixCommand","name":"a","circuitState":"half-open","admittedPerMinute":60,"rollingCountBadRequests":3}`,
				`{"type":"HystrixCommand","name":"a","circuitState":"half-open","admittedPerMinute":30.5,"rollingCountBadRequests":4}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"circuitState":"half-open","admittedPerMinute":90.5,"rollingCountBadRequests":7}`,
		},
		{
			// A host that is not ramping sends no rate and adds none.
			name: "the admitted rate of the ramping hosts alone",
			in: []string{
				`{"type":"HystrixCommand","name":"a","circuitState":"closed","isCircuitBreakerOpen":false}`,
				`{"type":"HystrixCommand","name":"a","circuitState":"half-open","isCircuitBreakerOpen":true,"admittedPerMinute":120}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"circuitState":"half-open","isCircuitBreakerOpen":true,"admittedPerMinute":120}`,
		},
		{
			name: "an admitted rate that is not a number is the first host's",
			in: []string{
				`{"type":"HystrixCommand","name":"a","admittedPerMinute":"fast"}`,
				`{"type":"HystrixCommand","name":"a","admittedPerMinute":{"50":60}}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"admittedPerMinute":"fast"}`,
		},
		{
			name: "slow-call and throttle shares weighted by requests",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":30,"slowCallPercentage":10.5,"throttlePercentage":0}`,
				`{"type":"HystrixCommand","name":"a","requestCount":10,"slowCallPercentage":50,"throttlePercentage":80}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":40,"slowCallPercentage":20.375,"throttlePercentage":20}`,
		},
		{
			// A host that does not track them measures neither: its
			// requests do not dilute the share of those that do.
			name: "the shares of the hosts that send them alone",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":90,"circuitState":"open"}`,
				`{"type":"HystrixCommand","name":"a","requestCount":10,"circuitState":"closed","slowCallPercentage":40,"throttlePercentage":12.5}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":100,"circuitState":"open","slowCallPercentage":40,"throttlePercentage":12.5}`,
		},
		{
			name: "shares of idle hosts weigh the same",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":0,"slowCallPercentage":20}`,
				`{"type":"HystrixCommand","name":"a","requestCount":0,"slowCallPercentage":40}`,
				`{"type":"HystrixCommand","name":"a","requestCount":0,"slowCallPercentage":0}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":3,"requestCount":0,"slowCallPercentage":20}`,
		},
		{
			// Each host's share is brought within 0 to 100 before it is
			// weighed, so that one host's nonsense cannot outweigh the
			// others.
			name: "shares out of range",
			in: []string{
				`{"type":"HystrixCommand","name":"a","requestCount":1,"slowCallPercentage":1e18,"throttlePercentage":-5}`,
				`{"type":"HystrixCommand","name":"a","requestCount":3,"slowCallPercentage":0,"throttlePercentage":40}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"requestCount":4,"slowCallPercentage":25,"throttlePercentage":30}`,
		},
		{
			name: "a share that is not a number is the first host's",
			in: []string{
				`{"type":"HystrixCommand","name":"a","slowCallPercentage":"high","throttlePercentage":150}`,
				`{"type":"HystrixCommand","name":"a","slowCallPercentage":30,"throttlePercentage":{"now":3}}`,
			},
			want: `{"type":"HystrixCommand","name":"a","reportingHosts":2,"slowCallPercentage":"high","throttlePercentage":150}`,
		},
		{
			name: "thread pools",
			in: []string{
				`{"type":"HystrixThreadPool","name":"p","reportingHosts":1,"currentActiveCount":2,"currentPoolSize":10,"currentQueueSize":0,"rollingMaxActiveThreads":3,"rollingCountThreadsExecuted":100,"propertyValue_queueSizeRejectionThreshold":5}`,
				`{"type":"HystrixThreadPool","name":"p","reportingHosts":1,"currentActiveCount":1,"currentPoolSize":10,"currentQueueSize":4,"rollingMaxActiveThreads":6,"rollingCountThreadsExecuted":50,"propertyValue_queueSizeRejectionThreshold":5}`,
			},
			want: `{"type":"HystrixThreadPool","name":"p","reportingHosts":2,"currentActiveCount":3,"currentPoolSize":20,"currentQueueSize":4,"rollingMaxActiveThreads":9,"rollingCountThreadsExecuted":150,"propertyValue_queueSizeRejectionThreshold":5}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in []event
			for _, s := range tc.in {
				in = append(in, ev(t, s))
			}
			got := canon(t, merge(in))
			if want := canon(t, ev(t, tc.want)); got != want {
				t.Errorf("merged\n got %s\nwant %s", got, want)
			}
		})
	}
}

// The merged circuitState agrees with isCircuitBreakerOpen: the most
// severe state of any host, open before half-open before closed.
func TestMergeCircuitState(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hosts []string // each host's fields beyond type and name
		want  any      // nil for no circuitState
	}{
		{"closed everywhere", []string{`"circuitState":"closed"`, `"circuitState":"closed"`}, "closed"},
		{"open anywhere", []string{`"circuitState":"closed"`, `"circuitState":"open"`, `"circuitState":"half-open"`}, "open"},
		{"half-open before closed", []string{`"circuitState":"closed"`, `"circuitState":"half-open"`}, "half-open"},
		{"the first host's order does not matter", []string{`"circuitState":"half-open"`, `"circuitState":"closed"`}, "half-open"},
		{"a Java host open by its boolean", []string{`"circuitState":"half-open"`, `"isCircuitBreakerOpen":true`}, "open"},
		{"a Java host closed by its boolean", []string{`"isCircuitBreakerOpen":false`, `"circuitState":"half-open"`}, "half-open"},
		{"a state merge does not know counts by the boolean", []string{`"circuitState":"forced","isCircuitBreakerOpen":true`, `"circuitState":"half-open"`}, "open"},
		{"nothing that counts keeps the first host's", []string{`"circuitState":"forced"`, `"circuitState":7`}, "forced"},
		{"no host sends one", []string{`"isCircuitBreakerOpen":true`, `"isCircuitBreakerOpen":false`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in []event
			for _, h := range tc.hosts {
				in = append(in, ev(t, `{"type":"HystrixCommand","name":"a",`+h+`}`))
			}
			got, ok := merge(in)["circuitState"]
			if tc.want == nil {
				if ok {
					t.Errorf("circuitState %v, which no host sent", got)
				}
				return
			}
			if got != tc.want {
				t.Errorf("circuitState %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMergeLeavesInputsAlone(t *testing.T) {
	a := ev(t, `{"type":"HystrixCommand","name":"a","requestCount":1,"latencyTotal":{"50":1}}`)
	b := ev(t, `{"type":"HystrixCommand","name":"a","requestCount":3,"latencyTotal":{"50":5}}`)
	before := canon(t, a) + canon(t, b)
	merge([]event{a, b})
	if after := canon(t, a) + canon(t, b); after != before {
		t.Errorf("merge changed its inputs:\n%s\n%s", before, after)
	}
}

func TestHub(t *testing.T) {
	t0 := time.Unix(1000, 0)
	h := newHub(2, 5*time.Second, 2)
	put := func(host int, s string, at time.Time) bool {
		e := ev(t, s)
		k, _ := keyOf(e)
		return h.put(host, k, e, at)
	}
	names := func(at time.Time) []string {
		var out []string
		for _, e := range h.merged(at) {
			out = append(out, e["type"].(string)+"/"+e["name"].(string)+"/"+string(e["reportingHosts"].(jsonNum)))
		}
		return out
	}
	put(0, `{"type":"HystrixThreadPool","name":"b","reportingHosts":1}`, t0)
	put(0, `{"type":"HystrixCommand","name":"b","reportingHosts":1}`, t0)
	put(1, `{"type":"HystrixCommand","name":"b","reportingHosts":1}`, t0)
	put(1, `{"type":"HystrixCommand","name":"a","reportingHosts":1}`, t0.Add(3*time.Second))
	if put(1, `{"type":"HystrixCommand","name":"c","reportingHosts":1}`, t0) {
		t.Error("host 1 kept a third key beyond maxKeys 2")
	}
	if !put(1, `{"type":"HystrixCommand","name":"a","reportingHosts":1}`, t0.Add(3*time.Second)) {
		t.Error("host 1 refused a newer event for a key it has")
	}

	want := []string{"HystrixCommand/a/1", "HystrixCommand/b/2", "HystrixThreadPool/b/1"}
	if got := names(t0.Add(time.Second)); !reflect.DeepEqual(got, want) {
		t.Errorf("merged %q, want %q", got, want)
	}
	// Six seconds on, only host 1's "a" is fresh enough.
	if got, want := names(t0.Add(6*time.Second)), []string{"HystrixCommand/a/1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after 6s merged %q, want %q", got, want)
	}
	h.drop(1)
	if got := names(t0.Add(6 * time.Second)); len(got) != 0 {
		t.Errorf("after dropping host 1 merged %q, want nothing", got)
	}

	put(0, `{"type":"HystrixCommand","name":"x","reportingHosts":1,"requestCount":3}`, t0)
	round := string(h.round(t0))
	if round != "data:{\"name\":\"x\",\"reportingHosts\":1,\"requestCount\":3,\"type\":\"HystrixCommand\"}\n\n" {
		t.Errorf("round %q", round)
	}
}

func TestSSEReader(t *testing.T) {
	stream := ": comment\r\n" +
		"data:{\"a\":1}\n\n" +
		"ping: \n\n" + // Java Hystrix's heartbeat
		":ping\n\n" +
		"event: message\nid: 7\ndata: {\"b\":\n" + // two data lines, one space dropped
		"data:2}\r\n\r\n" +
		"retry: 100\n\n" +
		"data:{\"c\":3}\n\n" +
		"data:{\"unterminated\":1}"
	r := newSSEReader(strings.NewReader(stream), 100)
	var got []string
	for {
		d, err := r.next()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("next: %v", err)
			}
			break
		}
		got = append(got, string(d))
	}
	want := []string{`{"a":1}`, "{\"b\":\n2}", `{"c":3}`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}

	long := "data:" + strings.Repeat("x", 200) + "\n\n"
	if _, err := newSSEReader(strings.NewReader(long), 100).next(); err != errEventTooLong {
		t.Errorf("oversized line: %v, want errEventTooLong", err)
	}
	many := strings.Repeat("data:"+strings.Repeat("x", 40)+"\n", 5) + "\n"
	if _, err := newSSEReader(strings.NewReader(many), 100).next(); err != errEventTooLong {
		t.Errorf("oversized event of short lines: %v, want errEventTooLong", err)
	}
}

func TestDecodeEvent(t *testing.T) {
	for _, bad := range []string{``, `null`, `[]`, `{"type":"HystrixCommand"}`, `{"name":"a"}`, `{"type":1,"name":"a"}`, `{"type":"T","name":"a"} {}`, `{`} {
		if _, _, err := decodeEvent([]byte(bad)); err == nil {
			t.Errorf("decodeEvent(%q): no error", bad)
		}
	}
	e, k, err := decodeEvent([]byte(`{"type":"HystrixCommand","name":"a","n":12345678901234567}`))
	if err != nil || k != (eventKey{"HystrixCommand", "a"}) {
		t.Fatalf("decodeEvent: %v, %v", k, err)
	}
	if e["n"] != jsonNum("12345678901234567") {
		t.Errorf("number decoded as %#v, want it kept as written", e["n"])
	}
}
