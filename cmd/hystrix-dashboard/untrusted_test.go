package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// decodeAll decodes events as an upstream does, failing the test on any
// the upstream would refuse: these cases are about what the merge makes
// of numbers that pass the range check.
func decodeAll(t *testing.T, in ...string) []event {
	t.Helper()
	var evs []event
	for _, s := range in {
		e, _, err := decodeEvent([]byte(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		evs = append(evs, e)
	}
	return evs
}

// The merged stream is itself a Hystrix stream that another dashboard may
// read, so whatever the merge makes of numbers it accepted must encode and
// pass the same range check; a percentage stays a percentage.
func TestMergedEventIsAlwaysValidInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string
	}{
		{"a tiny request count divides errors into infinity", []string{
			`{"type":"HystrixCommand","name":"a","requestCount":5e-324,"errorCount":1}`,
			`{"type":"HystrixCommand","name":"a","requestCount":0,"errorCount":0}`,
		}},
		{"one host, tiny request count", []string{
			`{"type":"HystrixCommand","name":"a","requestCount":5e-324,"errorCount":9e18}`,
		}},
		{"sums beyond the bound", []string{
			`{"type":"HystrixCommand","name":"a","reportingHosts":9e18,"requestCount":9e18,"errorCount":9e18,"rollingCountSuccess":-9e18,"latencyTotal":{"50":9e18}}`,
			`{"type":"HystrixCommand","name":"a","reportingHosts":9e18,"requestCount":9e18,"errorCount":9e18,"rollingCountSuccess":-9e18,"latencyTotal":{"50":9e18}}`,
		}},
		{"more errors than requests", []string{
			`{"type":"HystrixCommand","name":"a","requestCount":1,"errorCount":5}`,
			`{"type":"HystrixCommand","name":"a","requestCount":1,"errorCount":5}`,
		}},
		{"negative counts", []string{
			`{"type":"HystrixCommand","name":"a","requestCount":-10,"errorCount":5}`,
			`{"type":"HystrixCommand","name":"a","requestCount":1,"errorCount":0}`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			merged := merge(decodeAll(t, tc.in...))
			b, err := json.Marshal(merged)
			if err != nil {
				t.Fatalf("merged event does not encode: %v\n%v", err, merged)
			}
			back, _, err := decodeEvent(b)
			if err != nil {
				t.Fatalf("merged event %s is refused as input: %v", b, err)
			}
			if p, ok := toFloat(back["errorPercentage"]); ok && (p < 0 || p > 100) {
				t.Errorf("errorPercentage %v in %s", p, b)
			}
		})
	}
}

// A weighted mean lies between the least and the greatest of the values,
// whatever the weights; with weights near the smallest float the products
// round badly unless the merge takes care.
func TestWeightedMeansStayBetweenTheHosts(t *testing.T) {
	merged := merge(decodeAll(t,
		`{"type":"HystrixCommand","name":"a","requestCount":5e-324,"latencyTotal_mean":0.7,"latencyTotal":{"50":0.7}}`,
		`{"type":"HystrixCommand","name":"a","requestCount":0,"latencyTotal_mean":0.7,"latencyTotal":{"50":0.7}}`,
	))
	if got := number(merged["latencyTotal_mean"]); got != 0.7 {
		t.Errorf("latencyTotal_mean %v, want 0.7: both hosts say so", got)
	}
	if got := number(merged["latencyTotal"].(map[string]any)["50"]); got != 0.7 {
		t.Errorf("latencyTotal[50] %v, want 0.7: both hosts say so", got)
	}
}

// One host whose numbers pass the range check but make nonsense of the
// arithmetic must not take the circuit off the merged stream: the other
// host's event for it still shows.
func TestAHostWithATinyRequestCountKeepsTheCircuit(t *testing.T) {
	good := newFakeUpstream(t, cmd("shared", 0, 0, false, 40))
	odd := newFakeUpstream(t, `{"type":"HystrixCommand","name":"shared","reportingHosts":1,"requestCount":5e-324,"errorCount":1}`)
	addr, logs, _ := startDashboard(t, good.url(), odd.url())
	m := openMerged(t, addr)
	latest := m.until(t, "the shared circuit from both hosts", 3*time.Second, func(l map[eventKey]event) bool {
		return hostsOf(l, "shared") == 2
	})
	if p := num(t, latest[eventKey{"HystrixCommand", "shared"}], "errorPercentage"); p != 100 {
		t.Errorf("errorPercentage %v, want 100: the only error over a sliver of a request", p)
	}
	if strings.Contains(logs.String(), "left out") {
		t.Errorf("an event was left out:\n%s", logs.String())
	}
}

// logBuffer is a logger into a buffer, for tests that drive an upstream
// directly; only one goroutine writes to it.
func logBuffer() (*log.Logger, *bytes.Buffer) {
	var b bytes.Buffer
	return log.New(&b, "", 0), &b
}

// An upstream that keeps sending numbers out of range is logged the first
// time only, however often it reconnects; an earlier warning of another
// kind does not hide it.
func TestOutOfRangeIsLoggedOncePerUpstream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		// One connection's worth, then the stream ends and the upstream
		// reconnects.
		io.WriteString(w, "data: {not json\n\n")
		for i := range 5 {
			fmt.Fprintf(w, "data: {\"type\":\"HystrixCommand\",\"name\":\"c%d\",\"requestCount\":1e400}\n\n", i)
		}
		io.WriteString(w, "data: {\"type\":\"HystrixCommand\",\"name\":\"fine\",\"requestCount\":1}\n\n")
	}))
	defer srv.Close()
	logger, out := logBuffer()
	h := newHub(1, time.Minute, 100)
	u := &upstream{
		url: srv.URL, name: srv.URL, client: srv.Client(), hub: h, logger: logger,
		idle: 5 * time.Second, maxEvent: 1 << 20,
	}
	for i := range 3 {
		got, err := u.once(context.Background())
		if got != 1 || err == nil || err.Error() != "stream ended" {
			t.Fatalf("connection %d: %d events, %v; want the one good event, then the end", i, got, err)
		}
	}
	if n := strings.Count(out.String(), "not a finite number"); n != 1 {
		t.Errorf("out-of-range events logged %d times over 3 connections, want once:\n%s", n, out)
	}
	if n := strings.Count(out.String(), "not a JSON object"); n != 3 {
		t.Errorf("bad JSON logged %d times over 3 connections, want once each:\n%s", n, out)
	}
	srv.Client().CloseIdleConnections()
}

// Numbers in arrays are checked as well as those in objects.
func TestDecodeEventChecksNumbersInArrays(t *testing.T) {
	for _, bad := range []string{
		`{"type":"T","name":"a","x":[1,1e400]}`,
		`{"type":"T","name":"a","x":{"y":[[-1e19]]}}`,
		`{"type":"T","name":"a","x":[{"y":1e308}]}`,
	} {
		if _, _, err := decodeEvent([]byte(bad)); err == nil {
			t.Errorf("decodeEvent(%s): no error", bad)
		}
	}
	if _, _, err := decodeEvent([]byte(`{"type":"T","name":"a","x":[1,{"y":[2.5,-9e18]}]}`)); err != nil {
		t.Errorf("numbers in range refused: %v", err)
	}
}

// A merged event that cannot be encoded is logged, once per circuit, and
// the round still carries the others.
func TestHubLogsAMergedEventThatDoesNotEncode(t *testing.T) {
	h := newHub(1, time.Minute, 10)
	var logged []string
	h.logf = func(format string, v ...any) { logged = append(logged, fmt.Sprintf(format, v...)) }
	now := time.Unix(1000, 0)
	// Only a bug could put a value like this in the hub: decoded events
	// hold no float64, and none that is infinite.
	h.put(0, eventKey{"HystrixCommand", "bad"}, event{"type": "HystrixCommand", "name": "bad", "reportingHosts": 1, "x": math.Inf(1)}, now)
	h.put(0, eventKey{"HystrixCommand", "good"}, ev(t, `{"type":"HystrixCommand","name":"good","reportingHosts":1}`), now)
	for range 3 {
		round := string(h.round(now))
		if !strings.Contains(round, `"name":"good"`) || strings.Contains(round, `"name":"bad"`) {
			t.Errorf("round %q", round)
		}
	}
	if len(logged) != 1 || !strings.Contains(logged[0], `"HystrixCommand" "bad"`) {
		t.Errorf("logged %q, want one line about the bad circuit", logged)
	}
}
