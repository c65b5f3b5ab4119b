package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// One upstream sending numbers that no Hystrix stream holds must lose only
// its own event: the circuit still shows with the other host's numbers.
func TestAnUpstreamSendingHugeNumbersLosesOnlyItsOwnEvent(t *testing.T) {
	good := newFakeUpstream(t, cmd("shared", 10, 1, false, 40))
	evil := newFakeUpstream(t, `{"type":"HystrixCommand","name":"shared","reportingHosts":1,"requestCount":1e308,`+
		`"errorCount":1,"latencyTotal_mean":1e308,"latencyTotal":{"0":1,"50":1e308,"100":1e308}}`)
	addr, logs, _ := startDashboard(t, good.url(), evil.url())
	m := openMerged(t, addr)
	latest := m.until(t, "the shared circuit from the good host", 5*time.Second, func(l map[eventKey]event) bool {
		return hostsOf(l, "shared") == 1
	})
	if got := num(t, latest[eventKey{"HystrixCommand", "shared"}], "requestCount"); got != 10 {
		t.Errorf("requestCount %v, want the good host's 10", got)
	}
	// Several rounds have come from the evil host by now: the circuit is
	// still there, and the refusal was logged once.
	time.Sleep(300 * time.Millisecond)
	m.until(t, "the shared circuit, rounds later", 2*time.Second, func(l map[eventKey]event) bool {
		_, ok := l[eventKey{"HystrixCommand", "shared"}]
		return ok
	})
	if n := strings.Count(logs.String(), "left out"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, logs.String())
	}
}

// The keys of bad requests and of the ramp's admitted rate get the range
// check of every number: a host whose rate is absurd loses its event, and
// the circuit shows with the other host's rate alone.
func TestAnUpstreamWithAnAbsurdAdmittedRateLosesOnlyItsOwnEvent(t *testing.T) {
	ramping := func(rate string) string {
		return `{"type":"HystrixCommand","name":"ramp","reportingHosts":1,"requestCount":3,"errorCount":0,` +
			`"circuitState":"half-open","isCircuitBreakerOpen":true,"admittedPerMinute":` + rate + `,"rollingCountBadRequests":2}`
	}
	good := newFakeUpstream(t, ramping("60"))
	evil := newFakeUpstream(t, ramping("1e300"))
	addr, logs, _ := startDashboard(t, good.url(), evil.url())
	m := openMerged(t, addr)
	latest := m.until(t, "the ramping circuit from the good host", 5*time.Second, func(l map[eventKey]event) bool {
		return hostsOf(l, "ramp") == 1
	})
	e := latest[eventKey{"HystrixCommand", "ramp"}]
	if got := num(t, e, "admittedPerMinute"); got != 60 {
		t.Errorf("admittedPerMinute %v, want the good host's 60", got)
	}
	if got := num(t, e, "rollingCountBadRequests"); got != 2 {
		t.Errorf("rollingCountBadRequests %v, want the good host's 2", got)
	}
	if e["circuitState"] != "half-open" {
		t.Errorf("circuitState %v, want half-open", e["circuitState"])
	}
	time.Sleep(300 * time.Millisecond)
	m.until(t, "the ramping circuit, rounds later", 2*time.Second, func(l map[eventKey]event) bool {
		return hostsOf(l, "ramp") == 1
	})
	if n := strings.Count(logs.String(), "left out"); n != 1 || !strings.Contains(logs.String(), "admittedPerMinute") {
		t.Errorf("want the refusal, naming admittedPerMinute, logged once:\n%s", logs.String())
	}
}

func TestDecodeEventRefusesNumbersOutOfRange(t *testing.T) {
	for _, bad := range []string{
		`{"type":"T","name":"a","n":1e308}`,
		`{"type":"T","name":"a","n":-1e19}`,
		`{"type":"T","name":"a","latency":{"99":1e400}}`,
		`{"type":"T","name":"a","admittedPerMinute":1e300}`,
		`{"type":"T","name":"a","admittedPerMinute":-1e19}`,
		`{"type":"T","name":"a","rollingCountBadRequests":1e400}`,
	} {
		if _, _, err := decodeEvent([]byte(bad)); err == nil {
			t.Errorf("decodeEvent(%s): no error", bad)
		}
	}
	if _, _, err := decodeEvent([]byte(`{"type":"T","name":"a","n":9e18,"m":-9e18,"admittedPerMinute":0.25,"rollingCountBadRequests":9e18}`)); err != nil {
		t.Errorf("numbers within an int64 refused: %v", err)
	}
}

// A URL's password must never reach the log, whatever happens to the
// connection.
func TestUpstreamPasswordsAreNeverLogged(t *testing.T) {
	up := newFakeUpstream(t, cmd("svc", 1, 0, false, 1))
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close() // nothing listens there now
	withPassword := func(raw string) string {
		return strings.Replace(raw, "http://", "http://user:s3cret@", 1)
	}
	addr, logs, _ := startDashboard(t, withPassword(up.url()), withPassword(refusedURL)+"/hystrix.stream")
	m := openMerged(t, addr)
	m.until(t, "the upstream's circuit", 5*time.Second, func(l map[eventKey]event) bool { return hostsOf(l, "svc") == 1 })
	up.kick() // a reconnect
	upConnected := strings.TrimPrefix(up.srv.URL, "http://") + "/hystrix.stream: connected"
	deadline := time.Now().Add(5 * time.Second)
	for (strings.Count(logs.String(), "reconnecting in") < 3 || strings.Count(logs.String(), upConnected) < 2) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := logs.String()
	if n := strings.Count(out, upConnected); n < 2 {
		t.Errorf("the upstream connected %d times, want a reconnect:\n%s", n, out)
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("the password is in the log:\n%s", out)
	}
	// Redacted in what is shown, not in what is sent.
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("user:s3cret")); up.lastAuth() != want {
		t.Errorf("the upstream was sent Authorization %q, want %q", up.lastAuth(), want)
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if bytes.Contains(page, []byte("s3cret")) {
		t.Errorf("the page shows the password")
	}
	if !strings.Contains(out, "user:xxxxx@") {
		t.Errorf("the log does not name the upstreams by their redacted URL:\n%s", out)
	}
}

func TestConfigErrorsRedactPasswords(t *testing.T) {
	cfg := defaultConfig()
	cfg.Streams = []string{"http://u:s3cret@h/a", "http://u:s3cret@h/a"}
	err := cfg.validate()
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("validate: %v", err)
	}
	cfg.Streams = []string{"http://u:s3cret@h/a\x7f"}
	if err := cfg.validate(); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("validate: %v", err)
	}
}
