package dashboard

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gohystrix/hystrix-go/internal/browsertest"
)

func TestPageDividesRatesByThePartOfTheWindowFilled(t *testing.T) {
	done := make(chan struct{})
	// 30 requests each: over 3 s of a window that has just been cleared,
	// over less than the floor of a second, and over a whole window, as
	// streams without the key are read.
	fresh := command("fresh", 30, 0, 5, false)
	fresh["rollingStatsWindowFilledInMilliseconds"] = 3000
	instant := command("instant", 30, 0, 5, false)
	instant["rollingStatsWindowFilledInMilliseconds"] = 200
	full := command("full", 30, 0, 5, false)
	full["rollingStatsWindowFilledInMilliseconds"] = 10000
	old := command("old", 30, 0, 5, false)
	// Three hosts, 60 requests over 2 s: 30/s in all, 10/s each.
	cluster := command("cluster", 60, 50, 5, false)
	cluster["reportingHosts"] = 3
	cluster["rollingStatsWindowFilledInMilliseconds"] = 2000
	mux := http.NewServeMux()
	mux.Handle("/hystrix.stream", fakeStream(done, fresh, instant, full, old, cluster,
		map[string]any{"type": "HystrixThreadPool", "name": "fresh", "rollingCountThreadsExecuted": 50,
			"propertyValue_metricsRollingStatisticalWindowInMilliseconds": 10000, "rollingStatsWindowFilledInMilliseconds": 5000},
		map[string]any{"type": "HystrixThreadPool", "name": "old", "rollingCountThreadsExecuted": 50,
			"propertyValue_metricsRollingStatisticalWindowInMilliseconds": 10000},
	))
	mux.Handle("/", New(Options{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })

	b := browsertest.Start(t, 40*time.Second, 1280, 900)
	b.Run(t, "opening the page", chromedp.Navigate(srv.URL+"/"))
	b.WaitFor(t, "every tile", `document.querySelectorAll('#circuits .tile[data-health]').length === 5 &&
		document.querySelectorAll('#pools .tile[data-rate]').length === 2`, 10*time.Second)

	var shown []struct{ Command, Rate, Host, Cluster, Spark, Health, Radius string }
	b.Eval(t, `Array.from(document.querySelectorAll('#circuits .tile')).map(t => ({
		command: t.dataset.command,
		rate: t.querySelector('[data-field="rate"]').textContent,
		host: t.querySelector('[data-field="host-rate"]').textContent,
		cluster: t.querySelector('[data-field="cluster-rate"]').textContent,
		spark: t.querySelector('.spark-rate').getAttribute('points').split(' ').pop(),
		health: t.dataset.health, radius: t.dataset.radius}))`, &shown)
	want := map[string]struct{ rate, host, health, radius string }{
		"fresh":   {"10", "10", "healthy", "12.66"},
		"instant": {"30", "30", "healthy", "19.00"},
		"full":    {"3.0", "3.0", "healthy", "8.74"},
		"old":     {"3.0", "3.0", "healthy", "8.74"},
		"cluster": {"30", "10", "failing", "19.00"},
	}
	for _, s := range shown {
		w := want[s.Command]
		if s.Rate != w.rate || s.Cluster != w.rate || s.Host != w.host {
			t.Errorf("%s: %s req/s, host %s/s, cluster %s/s; want %s, %s, %s", s.Command, s.Rate, s.Host, s.Cluster, w.rate, w.host, w.rate)
		}
		if s.Health != w.health || s.Radius != w.radius {
			t.Errorf("%s: circle %s of radius %s, want %s of %s", s.Command, s.Health, s.Radius, w.health, w.radius)
		}
	}
	// The sparkline draws the same rates: the busiest at the top.
	for _, s := range shown {
		if (s.Command == "instant" || s.Command == "cluster") && !strings.HasSuffix(s.Spark, ",2.00") {
			t.Errorf("%s: the sparkline's last point %q, want the top (y 2.00)", s.Command, s.Spark)
		}
	}
	var pools map[string]string
	b.Eval(t, `Object.fromEntries(Array.from(document.querySelectorAll('#pools .tile')).map(t =>
		[t.dataset.pool, t.querySelector('[data-field="rate"]').textContent]))`, &pools)
	if pools["fresh"] != "10" || pools["old"] != "5.0" {
		t.Errorf("pool rates %v, want fresh 10 and old 5.0 executions/s", pools)
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(p, "\n"))
	}
}

func TestPageShowsUpstreamsStatesAndIsNotLiveWhenAllAreDown(t *testing.T) {
	done := make(chan struct{})
	var report = `{"connected":0,"total":2,"upstreams":[
		{"url":"http://app-1:8181/hystrix.stream","state":"retrying","since":"2026-01-01T10:00:00Z",
		 "lastError":"answered 503 Service Unavailable","lastErrorAt":"2026-01-01T10:00:05Z","retryAt":"2026-01-01T10:00:09Z"},
		{"url":"http://u:xxxxx@app-2:8181/hystrix.stream","state":"connecting","since":"2026-01-01T10:00:00Z"}]}`
	reports := make(chan string, 1)
	reports <- report
	mux := http.NewServeMux()
	mux.Handle("/hystrix.stream", fakeStream(done, command("alpha", 10, 0, 1, false)))
	mux.HandleFunc("/upstreams", func(w http.ResponseWriter, r *http.Request) {
		select {
		case report = <-reports:
		default:
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(report))
	})
	mux.Handle("/", New(Options{UpstreamsURL: "/upstreams"}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })

	b := browsertest.Start(t, 40*time.Second, 1280, 900)
	b.Run(t, "opening the page", chromedp.Navigate(srv.URL+"/"))
	b.WaitFor(t, "the page says no upstream is connected", `document.body.dataset.status === 'down'`, 10*time.Second)
	var status, list string
	b.Eval(t, `document.getElementById('status').textContent`, &status)
	b.Eval(t, `document.getElementById('upstreams').innerText`, &list)
	if strings.Contains(status, "Live") {
		t.Errorf("status %q while every upstream is down", status)
	}
	for _, want := range []string{"RETRYING", "http://app-1:8181/hystrix.stream", "answered 503 Service Unavailable",
		"CONNECTING", "http://u:xxxxx@app-2:8181/hystrix.stream"} {
		if !strings.Contains(list, want) {
			t.Errorf("the upstreams' list lacks %q:\n%s", want, list)
		}
	}

	reports <- `{"connected":1,"total":2,"upstreams":[
		{"url":"http://app-1:8181/hystrix.stream","state":"connected","since":"2026-01-01T10:00:10Z",
		 "lastError":"answered 503 Service Unavailable","lastErrorAt":"2026-01-01T10:00:05Z"},
		{"url":"http://u:xxxxx@app-2:8181/hystrix.stream","state":"retrying","since":"2026-01-01T10:00:00Z","lastError":"<b>x</b>"}]}`
	b.WaitFor(t, "one of two upstreams live", `document.body.dataset.status === 'partial'`, 10*time.Second)
	b.Eval(t, `document.getElementById('status').textContent`, &status)
	if status != "Live from 1 of 2 upstreams" {
		t.Errorf("status %q with one of two upstreams connected", status)
	}
	var markup bool
	b.Eval(t, `document.querySelector('#upstreams b') !== null`, &markup)
	if markup {
		t.Error("an upstream's error was read as markup")
	}
	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(p, "\n"))
	}
}
