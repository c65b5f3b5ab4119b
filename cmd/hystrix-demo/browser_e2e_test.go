package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, which .ci/install-chromium.sh installs.
const chromiumPath = "/usr/bin/chromium"

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
// each of the demo's circuits and show a circuit open while the
// downstream fails.
func TestDashboardInBrowser(t *testing.T) {
	b := startChromium(t, 55*time.Second)

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

	b.run(t, "opening the dashboard", chromedp.Navigate(base+"/"))
	for _, c := range demoCommands(cfg.Duration) {
		b.waitFor(t, "a tile for "+c.name,
			`document.querySelector('#circuits .tile[data-command="`+c.name+`"]') !== null`, 10*time.Second)
	}
	b.waitFor(t, "the page says it is live", `document.body.dataset.status === 'live'`, 5*time.Second)

	// The first open circuit must show while the downstream is failing, or
	// in the slow phase after it, during which the circuits stay open.
	b.waitFor(t, "an open circuit", `Array.from(document.querySelectorAll('#circuits .tile[data-state="open"]'))
		.some(t => t.checkVisibility() && /\bopen\b/i.test(t.querySelector('.state').innerText))`, sched.ends[phaseSlow]-time.Since(start))
	at := time.Since(start)
	ph, _ := sched.at(start.Add(at))
	if ph != phaseFailing && ph != phaseSlow {
		t.Errorf("first open tile seen at %v, in the %s phase", at.Round(time.Millisecond), ph)
	}
	var open []string
	b.eval(t, `Array.from(document.querySelectorAll('#circuits .tile[data-state="open"]')).map(t => t.dataset.command)`, &open)
	t.Logf("open at %v (%s phase): %q", at.Round(time.Millisecond), ph, open)

	if path := shot; path != "" {
		// Every circuit open, late in the failing phase.
		b.waitFor(t, "every circuit open",
			`document.querySelectorAll('#circuits .tile[data-state="open"]').length === 3`,
			sched.ends[phaseFailing]-time.Since(start))
		time.Sleep(time.Until(start.Add(sched.ends[phaseFailing] - 1500*time.Millisecond)))
		var png []byte
		b.run(t, "taking a screenshot", chromedp.FullScreenshot(&png, 100))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes) at %v", path, len(png), time.Since(start).Round(time.Millisecond))
	}

	if p := b.problems(); len(p) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(p, "\n"))
	}
}

// chromium is a headless Chromium tab and what its pages reported as
// errors.
type chromium struct {
	ctx context.Context

	mu   sync.Mutex
	errs []string
}

// startChromium starts headless Chromium for the test, bounded by limit,
// and closes it when the test ends. Without
// Chromium the test is skipped, unless CI is set, where its absence is a
// failure.
func startChromium(t *testing.T, limit time.Duration) *chromium {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no %s (run .ci/install-chromium.sh); skipped outside CI", chromiumPath)
		}
		t.Fatalf("CI is set but %s is missing: %v (run .ci/install-chromium.sh)", chromiumPath, err)
	}
	// Not t.TempDir: Chromium's helper processes may still write to the
	// profile for a moment after the browser has exited.
	profile, err := os.MkdirTemp("", "hystrix-demo-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancelLimit := context.WithTimeout(context.Background(), limit)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(filepath.Join(profile, "profile")),
		// Chromium leaves its singleton socket's directory in TMPDIR.
		chromedp.Env("TMPDIR="+profile),
		chromedp.WindowSize(1280, 760),
		// Without these Chromium keeps trying to reach Google's services,
		// which only floods a closed network.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	c := &chromium{ctx: tabCtx}
	stop := func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		cancelLimit()
		for i := 0; i < 20 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	}
	chromedp.ListenTarget(tabCtx, c.listen)
	if err := chromedp.Run(tabCtx); err != nil {
		stop()
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	t.Cleanup(stop)
	return c
}

// listen records console errors, uncaught exceptions and error log entries
// (failed loads, refused connections, violated security policies).
func (c *chromium) listen(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
		}
	case *runtime.EventExceptionThrown:
		p = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			p += " " + ev.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.LevelError {
			p = "log: " + ev.Entry.Text + " " + ev.Entry.URL
		}
	}
	if p != "" {
		c.mu.Lock()
		c.errs = append(c.errs, p)
		c.mu.Unlock()
	}
}

func (c *chromium) problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.errs)
}

func (c *chromium) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(c.ctx, actions...); err != nil {
		t.Fatalf("%s: %v; page errors: %q", what, err, c.problems())
	}
}

func (c *chromium) eval(t *testing.T, script string, out any) {
	t.Helper()
	c.run(t, "evaluating "+script, chromedp.Evaluate(script, out))
}

// waitFor polls a script until it returns true, for at most limit.
func (c *chromium) waitFor(t *testing.T, what, script string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var ok bool
		c.eval(t, script, &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var text string
			c.eval(t, "document.body.innerText", &text)
			t.Fatalf("%s: not within %v; page errors %q; page text:\n%s", what, limit, c.problems(), text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
