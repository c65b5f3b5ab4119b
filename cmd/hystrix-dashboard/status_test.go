package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// getUpstreams reads /upstreams.
func getUpstreams(t *testing.T, addr string) (upstreamsReport, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/upstreams")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	defer http.DefaultClient.CloseIdleConnections()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("/upstreams: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	var r upstreamsReport
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("/upstreams: %v in %s", err, body)
	}
	return r, string(body)
}

func TestUpstreamsEndpointShowsEachStateAndRedactedErrors(t *testing.T) {
	up := newFakeUpstream(t, cmd("svc", 1, 0, false, 1))
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL + "/hystrix.stream"
	refused.Close() // nothing listens there now
	secret := strings.Replace(refusedURL, "http://", "http://monitor:s3cret-pw@", 1)
	before := time.Now()
	addr, _, _ := startDashboard(t, up.url(), secret)

	var r upstreamsReport
	var body string
	deadline := time.Now().Add(5 * time.Second)
	for {
		r, body = getUpstreams(t, addr)
		if len(r.Upstreams) == 2 && r.Upstreams[0].State == stateConnected && r.Upstreams[1].State == stateRetrying {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/upstreams did not show one connected and one retrying within 5s: %s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(body, "s3cret-pw") {
		t.Errorf("/upstreams shows the password: %s", body)
	}
	if r.Connected != 1 || r.Total != 2 {
		t.Errorf("connected %d of %d, want 1 of 2", r.Connected, r.Total)
	}
	ok, down := r.Upstreams[0], r.Upstreams[1]
	if ok.URL != up.url() || ok.LastError != "" || ok.RetryAt != nil || ok.Since.Before(before) {
		t.Errorf("the live upstream: %+v", ok)
	}
	if want := strings.Replace(refusedURL, "http://", "http://monitor:xxxxx@", 1); down.URL != want {
		t.Errorf("the down upstream named %q, want %q", down.URL, want)
	}
	if !strings.Contains(down.LastError, "refused") || down.LastErrorAt == nil || down.RetryAt == nil ||
		down.RetryAt.Before(*down.LastErrorAt) || down.Since.After(*down.LastErrorAt) {
		t.Errorf("the down upstream: %+v", down)
	}

	// A connection that ends makes the live one retry, and say why, until
	// it is back.
	up.setStatus(http.StatusServiceUnavailable)
	up.kick()
	deadline = time.Now().Add(5 * time.Second)
	for r, body = getUpstreams(t, addr); r.Upstreams[0].State != stateRetrying || !strings.Contains(r.Upstreams[0].LastError, "503"); r, body = getUpstreams(t, addr) {
		if time.Now().After(deadline) {
			t.Fatalf("/upstreams did not show the kicked upstream retrying within 5s: %s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	up.setStatus(0)
	deadline = time.Now().Add(5 * time.Second)
	for r, body = getUpstreams(t, addr); r.Upstreams[0].State != stateConnected; r, body = getUpstreams(t, addr) {
		if time.Now().After(deadline) {
			t.Fatalf("/upstreams did not show the upstream back within 5s: %s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(r.Upstreams[0].LastError, "503") {
		t.Errorf("a connected upstream keeps its last error; got %+v", r.Upstreams[0])
	}
	resp, err := http.Post("http://"+addr+"/upstreams", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /upstreams: %s", resp.Status)
	}
}

func TestRedactRemovesThePasswordInAnyFormTheErrorQuotesIt(t *testing.T) {
	const raw = "http://user:p%40ss%2Fword@host:1/hystrix.stream"
	u := &upstream{url: raw, name: redactedURL(raw)}
	for _, err := range []error{
		errors.New(`Get "` + raw + `": refused`),
		errors.New(`proxy said: bad credentials p@ss/word`),
		errors.New(`echoed p%40ss%2Fword back`),
	} {
		got := u.redact(err)
		if strings.Contains(got, "p@ss/word") || strings.Contains(got, "p%40ss%2Fword") {
			t.Errorf("redact(%q) = %q, which holds the password", err, got)
		}
	}
	if got := u.redact(errors.New("plain")); got != "plain" {
		t.Errorf("redact changed an error without a password: %q", got)
	}
}
