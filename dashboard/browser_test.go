package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

// browser is a headless Chromium tab and what its pages reported as errors.
type browser struct {
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

// startBrowser starts headless Chromium for the test and closes it when the
// test ends. Without Chromium the test is skipped, unless CI is set, where
// its absence is a failure.
func startBrowser(t *testing.T, limit time.Duration) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no %s (run .ci/install-chromium.sh); skipped outside CI", chromiumPath)
		}
		t.Fatalf("CI is set but %s is missing: %v (run .ci/install-chromium.sh)", chromiumPath, err)
	}
	// A directory of the test's own rather than t.TempDir: Chromium's
	// helper processes may still be writing to it for a moment after the
	// browser has exited, which t.TempDir's cleanup reports as a failure.
	profile, err := os.MkdirTemp("", "dashboard-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), limit)
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
		chromedp.WindowSize(1280, 900),
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
	b := &browser{ctx: tabCtx}
	chromedp.ListenTarget(tabCtx, func(ev any) {
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
			b.mu.Lock()
			b.problems = append(b.problems, p)
			b.mu.Unlock()
		}
	})
	// Start the browser now, so that its start-up counts against the
	// limit rather than against the first step's wait.
	if err := chromedp.Run(tabCtx); err != nil {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
		removeProfile(profile)
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		cancelTimeout()
		removeProfile(profile)
	})
	return b
}

// removeProfile removes Chromium's profile directory, trying again for a
// while as long as something is still writing to it.
func removeProfile(dir string) {
	for i := 0; i < 20; i++ {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Problems returns the errors the pages have reported so far.
func (b *browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.problems)
}

func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		t.Fatalf("%s: %v; page errors: %q", what, err, b.Problems())
	}
}

// eval runs a script in the page and decodes its result into out.
func (b *browser) eval(t *testing.T, script string, out any) {
	t.Helper()
	b.run(t, "evaluating "+script, chromedp.Evaluate(script, out))
}

// waitFor polls a script until it returns true.
func (b *browser) waitFor(t *testing.T, what, script string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var ok bool
		b.eval(t, script, &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var html string
			b.eval(t, "document.body.innerText", &html)
			t.Fatalf("%s: not within %v; page errors %q; page text:\n%s", what, limit, b.Problems(), html)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fakeStream serves a fixed round of events every 100ms until the client
// leaves or done is closed.
func fakeStream(done <-chan struct{}, events ...map[string]any) http.Handler {
	var round []byte
	for _, ev := range events {
		b, err := json.Marshal(ev)
		if err != nil {
			panic(err)
		}
		round = append(round, "data:"...)
		round = append(round, b...)
		round = append(round, "\n\n"...)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		f := w.(http.Flusher)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, err := w.Write(round); err != nil {
				return
			}
			f.Flush()
			select {
			case <-r.Context().Done():
				return
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
}

func command(name string, requests, errPct, p99 int, open bool) map[string]any {
	return map[string]any{
		"type": "HystrixCommand", "name": name, "group": name, "reportingHosts": 1,
		"requestCount": requests, "errorCount": requests * errPct / 100, "errorPercentage": errPct,
		"isCircuitBreakerOpen":            open,
		"rollingCountSuccess":             requests - requests*errPct/100,
		"rollingCountFailure":             requests * errPct / 100,
		"rollingCountTimeout":             0,
		"latencyTotal_mean":               p99 / 2,
		"latencyTotal":                    map[string]int{"0": 1, "50": p99 / 2, "90": p99 - 1, "99": p99, "99.5": p99, "100": p99 + 5},
		"latencyExecute_mean":             p99 / 2,
		"latencyExecute":                  map[string]int{"0": 1, "50": p99 / 2, "90": p99 - 1, "99": p99, "99.5": p99, "100": p99 + 5},
		"currentConcurrentExecutionCount": 2,
		"propertyValue_metricsRollingStatisticalWindowInMilliseconds":    10000,
		"propertyValue_circuitBreakerErrorThresholdPercentage":           50,
		"propertyValue_circuitBreakerRequestVolumeThreshold":             20,
		"propertyValue_executionIsolationStrategy":                       "SEMAPHORE",
		"propertyValue_executionIsolationSemaphoreMaxConcurrentRequests": 10,
	}
}

const xssName = `<img src=x onerror="document.body.dataset.pwned=1">`

func TestPageInBrowser(t *testing.T) {
	done := make(chan struct{})
	halfOpen := command("delta", 5, 0, 8, true)
	halfOpen["circuitState"] = "half-open"
	mux := http.NewServeMux()
	mux.Handle("/hystrix.stream", fakeStream(done,
		command("alpha", 300, 0, 20, false),
		command("beta", 100, 80, 400, true),
		command(xssName, 900, 10, 5, false),
		halfOpen,
		map[string]any{"type": "HystrixThreadPool", "name": "alpha", "currentActiveCount": 3,
			"currentPoolSize": 10, "currentMaximumPoolSize": 10, "reportingHosts": 1},
		map[string]any{"type": "HystrixCollapser", "name": "ignored"},
	))
	mux.Handle("/other.stream", fakeStream(done, command("gamma", 10, 0, 1, false)))
	mux.Handle("/", New(Options{Title: "Test dashboard"}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close) // runs after the browser has closed
	t.Cleanup(func() { close(done) })

	b := startBrowser(t, 50*time.Second)
	b.run(t, "opening the page", chromedp.Navigate(srv.URL+"/"))
	b.waitFor(t, "four tiles", `document.querySelectorAll('#circuits .tile').length === 4`, 10*time.Second)
	b.waitFor(t, "the page says it is live", `document.body.dataset.status === 'live'`, 5*time.Second)

	var tiles []struct {
		Command, State, Text string
	}
	b.eval(t, `Array.from(document.querySelectorAll('#circuits .tile')).map(t => ({
		command: t.dataset.command, state: t.dataset.state, text: t.innerText}))`, &tiles)
	states := map[string]string{}
	for _, tile := range tiles {
		states[tile.Command] = tile.State
		wantState := map[string]string{"beta": "open", "delta": "half-open"}[tile.Command]
		if wantState == "" {
			wantState = "closed"
		}
		if tile.State != wantState || !strings.Contains(strings.ToLower(tile.Text), wantState) {
			t.Errorf("tile %q: data-state %q, want %q shown; text:\n%s", tile.Command, tile.State, wantState, tile.Text)
		}
	}
	if _, ok := states[xssName]; !ok {
		t.Errorf("no tile for the command named %q: %v", xssName, states)
	}
	var pwned bool
	b.eval(t, `!!document.body.dataset.pwned || document.querySelector('#circuits img') !== null`, &pwned)
	if pwned {
		t.Error("a command's name was read as markup")
	}
	var betaText string
	b.eval(t, `document.querySelector('[data-command="beta"]').innerText`, &betaText)
	for _, want := range []string{"80 %", "active of 10", "400", "opens at 50 % of ≥ 20 requests"} {
		if !strings.Contains(betaText, want) {
			t.Errorf("beta's tile lacks %q:\n%s", want, betaText)
		}
	}
	var alphaText string
	b.eval(t, `document.querySelector('[data-command="alpha"]').innerText`, &alphaText)
	if !strings.Contains(alphaText, "30\nreq/s") {
		t.Errorf("alpha's tile does not show 30 req/s:\n%s", alphaText)
	}
	var poolRows int
	b.eval(t, `document.querySelectorAll('#pools tr[data-pool="alpha"]').length`, &poolRows)
	if poolRows != 1 {
		t.Errorf("%d rows for thread pool alpha, want 1", poolRows)
	}

	order := func() []string {
		var names []string
		b.eval(t, `Array.from(document.querySelectorAll('#circuits .tile:not([hidden])')).map(t => t.dataset.command)`, &names)
		return names
	}
	sortBy := func(key string, want ...string) {
		t.Helper()
		b.run(t, "sorting by "+key, chromedp.Click(`button[data-sort="`+key+`"]`, chromedp.ByQuery))
		deadline := time.Now().Add(3 * time.Second)
		for got := order(); !slices.Equal(got, want); got = order() {
			if time.Now().After(deadline) {
				t.Errorf("sorted by %s: %q, want %q", key, got, want)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	sortBy("name", xssName, "alpha", "beta", "delta") // '<' sorts before letters
	sortBy("name", "delta", "beta", "alpha", xssName) // a second click reverses
	sortBy("volume", xssName, "alpha", "beta", "delta")
	sortBy("latency", "beta", "alpha", "delta", xssName)
	sortBy("error", "beta", xssName, "alpha", "delta")

	b.run(t, "filtering", chromedp.SendKeys("#filter", "ALP", chromedp.ByQuery))
	b.waitFor(t, "only alpha shown", `Array.from(document.querySelectorAll('#circuits .tile:not([hidden])')).map(t => t.dataset.command).join() === 'alpha'`, 3*time.Second)
	var count string
	b.eval(t, `document.getElementById('count').textContent`, &count)
	if count != "1 of 4 circuits shown" {
		t.Errorf("count %q after filtering", count)
	}

	// Another stream on the same server may be watched; another origin's
	// may not, and the page then says so and watches its own.
	b.run(t, "opening ?stream=/other.stream", chromedp.Navigate(srv.URL+"/?stream=/other.stream"))
	b.waitFor(t, "the other stream's tile", `document.querySelector('[data-command="gamma"]') !== null`, 5*time.Second)
	b.run(t, "opening ?stream= of another origin", chromedp.Navigate(srv.URL+"/?stream=http://evil.invalid/hystrix.stream"))
	b.waitFor(t, "the refusal", `document.querySelector('.refused') !== null`, 5*time.Second)
	b.waitFor(t, "its own stream instead", `document.querySelector('[data-command="alpha"]') !== null`, 5*time.Second)
	var shown string
	b.eval(t, `document.getElementById('stream-url').textContent`, &shown)
	if shown != srv.URL+"/hystrix.stream" {
		t.Errorf("watching %q after a refused ?stream=, want the configured stream", shown)
	}

	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(p, "\n"))
	}
}
