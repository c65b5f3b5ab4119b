package dashboard

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gohystrix/hystrix-go/internal/browsertest"
)

// wideEvents are circuits and pools with numbers as wide as they get in
// practice: latencies of five digits, counts in the millions.
func wideEvents() []map[string]any {
	var evs []map[string]any
	for i, name := range []string{"orders", "payments", "recommendations-for-the-front-page", "users", "inventory"} {
		c := command(name, 1234567+i, 7*i, 12345, i == 2)
		c["latencyExecute_mean"] = 10432
		c["latencyTotal_mean"] = 10432
		c["rollingCountBadRequests"] = 98765
		c["rollingCountShortCircuited"] = 1234567
		c["rollingCountFallbackSuccess"] = 1234567
		c["rollingCountFallbackFailure"] = 7654321
		c["reportingHosts"] = 12
		evs = append(evs, c)
		evs = append(evs, map[string]any{"type": "HystrixThreadPool", "name": name, "currentActiveCount": 1234,
			"currentPoolSize": 10000, "currentMaximumPoolSize": 10000, "currentQueueSize": 5678,
			"rollingMaxActiveThreads": 9999, "rollingCountThreadsExecuted": 12345678, "reportingHosts": 12,
			"propertyValue_metricsRollingStatisticalWindowInMilliseconds": 10000})
	}
	return evs
}

// overflow is what the page reports about anything wider than its place.
const overflowScript = `(() => {
	const out = [];
	const de = document.documentElement;
	if (de.scrollWidth > innerWidth) {
		out.push('page ' + de.scrollWidth + ' px wide in a ' + innerWidth + ' px window');
	}
	for (const tile of document.querySelectorAll('.tile')) {
		const edge = tile.getBoundingClientRect().right;
		for (const el of tile.querySelectorAll('td, th, table, dd, dt, .big, .label, .rates span, svg, .badges')) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > edge + 0.5) {
				out.push((tile.dataset.command || tile.dataset.pool) + ': ' + el.tagName.toLowerCase() +
					' "' + el.textContent.trim().slice(0, 20) + '" ends at ' + r.right.toFixed(1) + ', the tile at ' + edge.toFixed(1));
			}
		}
	}
	return out;
})()`

func TestPageFitsTheWindowAt1400And400Pixels(t *testing.T) {
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("/hystrix.stream", fakeStream(done, wideEvents()...))
	mux.Handle("/upstreams", upstreamsJSON(`{"connected":1,"total":2,"upstreams":[
		{"url":"http://app-1.example.internal:8181/hystrix.stream","state":"connected","since":"2026-01-01T10:00:00Z"},
		{"url":"http://monitor:xxxxx@app-2.example.internal:8181/hystrix.stream","state":"retrying","since":"2026-01-01T10:00:00Z",
		 "lastError":"Get \"http://monitor:xxxxx@app-2.example.internal:8181/hystrix.stream\": dial tcp 10.0.0.2:8181: connect: connection refused",
		 "lastErrorAt":"2026-01-01T10:00:05Z","retryAt":"2026-01-01T10:00:09Z"}]}`))
	mux.Handle("/", New(Options{UpstreamsURL: "/upstreams"}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(done) })

	for _, width := range []int{1400, 400} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			b := browsertest.Start(t, 40*time.Second, width, 900)
			// Headless Chromium's window is at least 500 px wide; the
			// viewport may be narrower, as a phone's is.
			b.Run(t, "opening the page", chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(srv.URL+"/"))
			b.WaitFor(t, "every tile filled", `document.querySelectorAll('#circuits .tile[data-health]').length === 5 &&
				document.querySelectorAll('#pools .tile[data-rate]').length === 5`, 10*time.Second)
			b.WaitFor(t, "the upstreams listed", `document.querySelectorAll('#upstreams li').length === 2`, 10*time.Second)
			var inner int
			b.Eval(t, `innerWidth`, &inner)
			if inner != width {
				t.Fatalf("window %d px wide, want %d", inner, width)
			}
			var problems []string
			b.Eval(t, overflowScript, &problems)
			for _, p := range problems {
				t.Error(p)
			}
			// No column of tiles stands empty while tiles are narrower than
			// they were meant to be.
			var widths []float64
			b.Eval(t, `Array.from(document.querySelectorAll('#circuits .tile')).map(t => t.getBoundingClientRect().width)`, &widths)
			for _, w := range widths {
				if min := min(float64(width)-2*20, 22*15); w < min {
					t.Errorf("a tile %.0f px wide, want at least %.0f", w, min)
				}
			}
			if p := b.Problems(); len(p) > 0 {
				t.Errorf("the page reported errors:\n%s", strings.Join(p, "\n"))
			}
		})
	}
}

// upstreamsJSON answers every request with body, as cmd/hystrix-dashboard's
// /upstreams does.
func upstreamsJSON(body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})
}
