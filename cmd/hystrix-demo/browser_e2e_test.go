package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gohystrix/hystrix-go/internal/browsertest"
)

// screenshotEnv names a file to which TestDashboardInBrowser writes a PNG
// of the dashboard with the circuits open:
//
//	HYSTRIX_SCREENSHOT=$PWD/docs/dashboard.png go test -run Browser ./cmd/hystrix-demo/
const screenshotEnv = "HYSTRIX_SCREENSHOT"

// TestDashboardRoutes checks that the dashboard at "/" leaves every other
// route to its own handler and answers 404 for paths it does not serve.
func TestDashboardRoutes(t *testing.T) {
	s, err := startStream("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	}()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("Content-Type") == "text/event-stream" {
			return resp, "" // never ends by itself; the headers tell
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp, string(b)
	}

	resp, page := get("/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `data-stream="/hystrix.stream"`) {
		t.Errorf("GET /: %s, want the dashboard watching /hystrix.stream:\n%.300s", resp.Status, page)
	}
	for path, ct := range map[string]string{
		"/app.js":         "text/javascript; charset=utf-8",
		"/style.css":      "text/css; charset=utf-8",
		"/hystrix.stream": "text/event-stream",
	} {
		if resp, _ := get(path); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != ct {
			t.Errorf("GET %s: %s, Content-Type %q, want 200 %s", path, resp.Status, resp.Header.Get("Content-Type"), ct)
		}
	}
	for _, path := range []string{"/nope", "/hystrix.stream/x", "/favicon.ico"} {
		if resp, _ := get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, resp.Status)
		}
	}
	// Other integrations' routes, such as /metrics, reach their handlers.
	for _, r := range routes {
		if r.path == "/" || strings.HasSuffix(r.path, "/") {
			continue
		}
		resp, body := get(r.path)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, `id="tile-template"`) {
			t.Errorf("GET %s: %s, Content-Type %q: want its own handler's answer, not the dashboard's",
				r.path, resp.Status, resp.Header.Get("Content-Type"))
		}
	}
}

// TestDashboardInBrowser runs the demo and watches its dashboard in
// headless Chromium: the page must load without errors, show a tile for
// each of the demo's circuits, show a circuit open while the downstream
// fails, and show the ramping circuit half-open with the rate it admits
// before the run ends.
func TestDashboardInBrowser(t *testing.T) {
	b := browsertest.Start(t, 55*time.Second, 1280, 760)

	// Healthy for 3s, failing until 8s, slow (circuits stay open) until
	// 13s, recovered after. A screenshot waits for a longer failing phase,
	// so that the sparklines have more to show.
	cfg := testConfig(20 * time.Second)
	shot := os.Getenv(screenshotEnv)
	if shot != "" {
		cfg.Duration = time.Minute
	}
	start := time.Now()
	sched := newSchedule(start, cfg.Duration)
	r := startRun(t, cfg)
	base := strings.TrimSuffix(r.streamURL(t), streamPath)
	cmds := demoCommands(cfg.Duration)

	b.Run(t, "opening the dashboard", chromedp.Navigate(base+"/"))
	for _, c := range cmds {
		b.WaitFor(t, "a tile for "+c.name,
			`document.querySelector('#circuits .tile[data-command="`+c.name+`"]') !== null`, 10*time.Second)
	}
	b.WaitFor(t, "the page says it is live", `document.body.dataset.status === 'live'`, 5*time.Second)

	// The first open circuit must show while the downstream is failing, or
	// in the slow phase after it, during which the circuits stay open.
	b.WaitFor(t, "an open circuit", `Array.from(document.querySelectorAll('#circuits .tile[data-state="open"]'))
		.some(t => t.checkVisibility() && /\bopen\b/i.test(t.querySelector('.state').innerText))`, sched.ends[phaseSlow]-time.Since(start))
	at := time.Since(start)
	ph, _ := sched.at(start.Add(at))
	if ph != phaseFailing && ph != phaseSlow {
		t.Errorf("first open tile seen at %v, in the %s phase", at.Round(time.Millisecond), ph)
	}
	var open []string
	b.Eval(t, `Array.from(document.querySelectorAll('#circuits .tile[data-state="open"]')).map(t => t.dataset.command)`, &open)
	t.Logf("open at %v (%s phase): %q", at.Round(time.Millisecond), ph, open)

	if path := shot; path != "" {
		// Every circuit open, late in the failing phase.
		b.WaitFor(t, "every circuit open",
			`document.querySelectorAll('#circuits .tile[data-state="open"]').length === `+strconv.Itoa(len(cmds)),
			sched.ends[phaseFailing]-time.Since(start))
		time.Sleep(time.Until(start.Add(sched.ends[phaseFailing] - 1500*time.Millisecond)))
		var png []byte
		b.Run(t, "taking a screenshot", chromedp.FullScreenshot(&png, 100))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes) at %v", path, len(png), time.Since(start).Round(time.Millisecond))
	}

	// The ramping circuit says what it admits while it ramps: briefly as
	// each probe times out in the slow phase, and for stages of a second
	// from the recovered phase on, until the run ends.
	for _, c := range cmds {
		if !c.ramps() {
			continue
		}
		tile := `document.querySelector('#circuits .tile[data-command="` + c.name + `"]')`
		b.WaitFor(t, c.name+" ramping up", tile+`.dataset.state === 'half-open' && `+tile+`.dataset.admitted !== undefined &&
			/^admitting [0-9,.]+\/min$/.test(`+tile+`.querySelector('[data-field="ramp"]').innerText)`,
			cfg.Duration-time.Since(start))
		var text string
		b.Eval(t, tile+`.querySelector('[data-field="ramp"]').innerText`, &text)
		t.Logf("%s at %v: %s", c.name, time.Since(start).Round(time.Millisecond), text)
	}

	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(p, "\n"))
	}
}
