package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package if anything a test started is still running
// after the tests: upstream readers, servers, streams, connections.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeUpstream is a Hystrix stream on loopback that sends its events every
// 50ms. kick ends the connections open at the time.
type fakeUpstream struct {
	srv   *httptest.Server
	conns atomic.Int32

	mu     sync.Mutex
	events []string
	kicked chan struct{}
	status int    // answered instead of a stream, when not 0
	auth   string // the Authorization header of the latest request
}

func newFakeUpstream(t *testing.T, events ...string) *fakeUpstream {
	t.Helper()
	f := &fakeUpstream{events: events, kicked: make(chan struct{})}
	quit := make(chan struct{})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.conns.Add(1)
		f.mu.Lock()
		f.auth = r.Header.Get("Authorization")
		status, kicked := f.status, f.kicked
		var round bytes.Buffer
		for _, e := range f.events {
			fmt.Fprintf(&round, "data: %s\n\n", e)
		}
		f.mu.Unlock()
		if status != 0 {
			http.Error(w, "no stream here", status)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream;charset=UTF-8")
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := w.Write(round.Bytes()); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-kicked:
				return
			case <-quit:
				return
			case <-tick.C:
			}
		}
	}))
	// Cleanups run last first: the handlers end before the server closes.
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(quit) })
	return f
}

func (f *fakeUpstream) url() string { return f.srv.URL + "/hystrix.stream" }

func (f *fakeUpstream) setStatus(code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = code
}

// lastAuth is the Authorization header the latest request came with.
func (f *fakeUpstream) lastAuth() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.auth
}

func (f *fakeUpstream) kick() {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.kicked)
	f.kicked = make(chan struct{})
}

// syncBuffer is run's log in tests.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDashboard runs the program in the background until the test ends
// and returns its address.
func startDashboard(t *testing.T, streams ...string) (addr string, logs *syncBuffer, stop func() error) {
	t.Helper()
	cfg := defaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.Streams = streams
	cfg.Interval = 100 * time.Millisecond
	cfg.Stale = 2 * time.Second
	cfg.MinBackoff = 50 * time.Millisecond
	cfg.MaxBackoff = 200 * time.Millisecond
	cfg.Heartbeat = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	logs = new(syncBuffer)
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, logs, func(a string) { ready <- a }) }()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("run returned %v before serving; log:\n%s", err, logs.String())
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("not serving within 5s")
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = errors.New("run did not return within 10s of being cancelled")
			}
		})
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	return addr, logs, stop
}

// mergedStream reads the program's merged stream.
type mergedStream struct {
	resp   *http.Response
	r      *sseReader
	cancel context.CancelFunc
	tr     *http.Transport
}

func openMerged(t *testing.T, addr string) *mergedStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/hystrix.stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("merged stream: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	m := &mergedStream{resp: resp, r: newSSEReader(resp.Body, 1<<20), cancel: cancel, tr: tr}
	t.Cleanup(m.close)
	return m
}

func (m *mergedStream) close() {
	m.cancel()
	m.resp.Body.Close()
	m.tr.CloseIdleConnections()
}

// until reads events until ok is true of the latest event of each key,
// failing the test after limit.
func (m *mergedStream) until(t *testing.T, what string, limit time.Duration, ok func(latest map[eventKey]event) bool) map[eventKey]event {
	t.Helper()
	latest := make(map[eventKey]event)
	deadline := time.AfterFunc(limit, m.cancel)
	defer deadline.Stop()
	for {
		data, err := m.r.next()
		if err != nil {
			t.Fatalf("%s: not seen within %v (%v); last events: %v", what, limit, err, latest)
		}
		e, k, err := decodeEvent(data)
		if err != nil {
			t.Fatalf("merged stream sent a bad event: %v: %s", err, data)
		}
		latest[k] = e
		if ok(latest) {
			return latest
		}
	}
}

func num(t *testing.T, e event, k string) float64 {
	t.Helper()
	v, ok := toFloat(e[k])
	if !ok {
		t.Fatalf("%s is %#v in %v", k, e[k], e)
	}
	return v
}

func cmd(name string, requests, errs int, open bool, p99 int) string {
	b, _ := json.Marshal(map[string]any{
		"type": "HystrixCommand", "name": name, "group": name, "reportingHosts": 1,
		"requestCount": requests, "errorCount": errs, "errorPercentage": errs * 100 / max(requests, 1),
		"isCircuitBreakerOpen": open, "rollingCountSuccess": requests - errs, "rollingCountFailure": errs,
		"latencyTotal_mean": p99 / 2,
		"latencyTotal":      map[string]int{"0": 1, "50": p99 / 2, "99": p99, "100": p99 * 2},
		"propertyValue_metricsRollingStatisticalWindowInMilliseconds": 10000,
	})
	return string(b)
}

func hostsOf(latest map[eventKey]event, name string) float64 {
	e, ok := latest[eventKey{"HystrixCommand", name}]
	if !ok {
		return 0
	}
	return number(e["reportingHosts"])
}

func TestMergesTwoUpstreams(t *testing.T) {
	a := newFakeUpstream(t,
		cmd("shared", 30, 3, false, 40),
		cmd("onlyA", 5, 0, false, 10),
		`{"type":"HystrixThreadPool","name":"shared","reportingHosts":1,"currentActiveCount":2,"currentPoolSize":10}`,
	)
	b := newFakeUpstream(t,
		cmd("shared", 10, 10, true, 400),
		cmd("onlyB", 7, 7, true, 20),
		`{"type":"HystrixThreadPool","name":"shared","reportingHosts":1,"currentActiveCount":1,"currentPoolSize":10}`,
	)
	addr, logs, stop := startDashboard(t, a.url(), b.url())
	m := openMerged(t, addr)

	latest := m.until(t, "both hosts' events merged", 10*time.Second, func(l map[eventKey]event) bool {
		return hostsOf(l, "shared") == 2 && hostsOf(l, "onlyA") == 1 && hostsOf(l, "onlyB") == 1 &&
			number(l[eventKey{"HystrixThreadPool", "shared"}]["reportingHosts"]) == 2
	})
	shared := latest[eventKey{"HystrixCommand", "shared"}]
	for k, want := range map[string]float64{
		"requestCount": 40, "errorCount": 13, "errorPercentage": 33,
		"rollingCountSuccess": 27, "rollingCountFailure": 13,
		"latencyTotal_mean": 20*30/40 + 200*10/40, // 65, weighted by requests
		"propertyValue_metricsRollingStatisticalWindowInMilliseconds": 10000,
	} {
		if got := num(t, shared, k); got != want {
			t.Errorf("shared %s = %v, want %v", k, got, want)
		}
	}
	if shared["isCircuitBreakerOpen"] != true {
		t.Errorf("shared isCircuitBreakerOpen = %v, want true: open on one host", shared["isCircuitBreakerOpen"])
	}
	lat, _ := shared["latencyTotal"].(map[string]any)
	for p, want := range map[string]float64{"0": 1, "50": 65, "99": 130, "100": 800} {
		if got, _ := toFloat(lat[p]); got != want {
			t.Errorf("shared latencyTotal[%s] = %v, want %v", p, got, want)
		}
	}
	if open := latest[eventKey{"HystrixCommand", "onlyA"}]["isCircuitBreakerOpen"]; open != false {
		t.Errorf("onlyA isCircuitBreakerOpen = %v", open)
	}
	if n := num(t, latest[eventKey{"HystrixThreadPool", "shared"}], "currentActiveCount"); n != 3 {
		t.Errorf("pool currentActiveCount = %v, want 3", n)
	}

	// B drops its connection and fails for a while: its circuits leave the
	// merge, and come back once it has reconnected.
	b.setStatus(http.StatusServiceUnavailable)
	b.kick()
	m.until(t, "B gone", 5*time.Second, func(l map[eventKey]event) bool {
		return hostsOf(l, "shared") == 1
	})
	b.setStatus(0)
	m.until(t, "B back", 5*time.Second, func(l map[eventKey]event) bool {
		return hostsOf(l, "shared") == 2
	})
	if n := b.conns.Load(); n < 3 {
		t.Errorf("B was tried %d times, want reconnections", n)
	}

	// The page is served beside the stream.
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `data-stream="/hystrix.stream"`) {
		t.Errorf("GET /: %s\n%.200s", resp.Status, page)
	}
	if resp, err := http.Get("http://" + addr + "/nope"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nope: %v %v", resp.Status, err)
	} else {
		resp.Body.Close()
	}
	http.DefaultClient.CloseIdleConnections()

	// Shutting down ends the open merged stream too.
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("run: %v\n%s", err, logs.String())
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v to stop", d)
	}
	if _, err := m.r.next(); err == nil {
		// Rounds already buffered may still come; the stream must end.
		for err == nil {
			_, err = m.r.next()
		}
	}
	if !strings.Contains(logs.String(), "stopped") {
		t.Errorf("log does not say it stopped:\n%s", logs.String())
	}
}

func TestRetriesAFailingUpstream(t *testing.T) {
	good := newFakeUpstream(t, cmd("svc", 10, 0, false, 5))
	bad := newFakeUpstream(t)
	bad.setStatus(http.StatusInternalServerError)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html>login</html>")
	}))
	defer html.Close()
	addr, logs, _ := startDashboard(t, good.url(), bad.url(), html.URL)
	m := openMerged(t, addr)
	m.until(t, "the good upstream's circuit", 5*time.Second, func(l map[eventKey]event) bool {
		return hostsOf(l, "svc") == 1
	})
	deadline := time.Now().Add(5 * time.Second)
	for bad.conns.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := bad.conns.Load(); n < 3 {
		t.Errorf("the failing upstream was tried %d times, want retries", n)
	}
	out := logs.String()
	for _, want := range []string{"answered 500 Internal Server Error; reconnecting in", "not an event stream"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestStreamClientLimitAndDelay(t *testing.T) {
	h := newHub(1, time.Second, 10)
	b := newBroadcaster(1, time.Hour)
	srv := httptest.NewServer(b)
	defer srv.Close()
	defer b.stop()

	for q, want := range map[string]int{"?delay=x": 400, "?delay=-1": 400} {
		resp, err := http.Get(srv.URL + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %s, want %d", q, resp.Status, want)
		}
	}
	m := openMerged(t, strings.TrimPrefix(srv.URL, "http://"))
	resp, err := http.Get(srv.URL + "/hystrix.stream")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("second client: %s, want 503", resp.Status)
	}
	http.DefaultClient.CloseIdleConnections()

	e := ev(t, `{"type":"HystrixCommand","name":"a","reportingHosts":1}`)
	h.put(0, eventKey{"HystrixCommand", "a"}, e, time.Now())
	quit, sent := make(chan struct{}), make(chan struct{})
	go func() {
		// Rounds until the reader has one; a full client buffer drops them.
		defer close(sent)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case now := <-tick.C:
				b.send(h.round(now))
			}
		}
	}()
	m.until(t, "a round", 5*time.Second, func(l map[eventKey]event) bool { return len(l) == 1 })
	close(quit)
	<-sent
	m.close()
}

func TestParseFlags(t *testing.T) {
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v, want flag.ErrHelp", err)
	}
	for _, f := range []string{"-listen", "-stream", "-interval", "-stale", "-idle", "-max-backoff", "-max-clients", "-max-circuits", "-max-event", "127.0.0.1:7979"} {
		if !strings.Contains(usage.String(), f) {
			t.Errorf("usage lacks %s:\n%s", f, usage.String())
		}
	}

	cfg, err := parseFlags([]string{"-stream", "http://a:1/hystrix.stream", "-listen", "127.0.0.1:0", "-interval", "500ms", "http://b:2/hystrix.stream"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Streams, " "); got != "http://a:1/hystrix.stream http://b:2/hystrix.stream" {
		t.Errorf("streams %q", got)
	}
	if cfg.Listen != "127.0.0.1:0" || cfg.Interval != 500*time.Millisecond || cfg.Stale != 10*time.Second {
		t.Errorf("parsed %+v", cfg)
	}

	for _, args := range [][]string{
		{},
		{"ftp://a/x"},
		{"a:1/hystrix.stream"},
		{"http:///x"},
		{"http://a/x", "http://a/x"},
		{"-interval", "10ms", "http://a/x"},
		{"-stale", "500ms", "http://a/x"},
		{"-max-clients", "0", "http://a/x"},
		{"-max-event", "10", "http://a/x"},
		{"-listen", "", "http://a/x"},
	} {
		var stderr bytes.Buffer
		if _, err := parseFlags(args, &stderr); err == nil {
			t.Errorf("%q: no error", args)
		} else if !strings.Contains(stderr.String(), "Usage:") {
			t.Errorf("%q: error without usage: %q", args, stderr.String())
		}
	}
}
