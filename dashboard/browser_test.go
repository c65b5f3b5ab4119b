package dashboard

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gohystrix/hystrix-go/internal/browsertest"
)

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
	// delta is half-open on the ramp-up recovery, beta forced open.
	halfOpen := command("delta", 5, 0, 8, true)
	halfOpen["circuitState"] = "half-open"
	halfOpen["admittedPerMinute"] = 120
	alpha := command("alpha", 300, 0, 20, false)
	alpha["rollingCountBadRequests"] = 1234
	// alpha trips on slow calls and throttles; delta throttles, and
	// refuses nothing yet, which is still a share.
	alpha["slowCallPercentage"] = 100.0 / 3
	alpha["throttlePercentage"] = 2.5
	halfOpen["throttlePercentage"] = 0
	beta := command("beta", 100, 80, 400, true)
	beta["propertyValue_circuitBreakerForceOpen"] = true
	// No rate is negative: the page shows none rather than nonsense.
	xss := command(xssName, 900, 10, 5, false)
	xss["admittedPerMinute"] = -3
	// Nor is a share outside 0 to 100, or one that is not a number.
	xss["slowCallPercentage"] = 150
	xss["throttlePercentage"] = "n/a"
	mux := http.NewServeMux()
	mux.Handle("/hystrix.stream", fakeStream(done,
		alpha,
		beta,
		xss,
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

	b := browsertest.Start(t, 50*time.Second, 1280, 900)
	b.Run(t, "opening the page", chromedp.Navigate(srv.URL+"/"))
	b.WaitFor(t, "four tiles", `document.querySelectorAll('#circuits .tile').length === 4`, 10*time.Second)
	b.WaitFor(t, "the page says it is live", `document.body.dataset.status === 'live'`, 5*time.Second)

	var tiles []struct {
		Command, State, Text string
	}
	b.Eval(t, `Array.from(document.querySelectorAll('#circuits .tile')).map(t => ({
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
	b.Eval(t, `!!document.body.dataset.pwned || document.querySelector('#circuits img') !== null`, &pwned)
	if pwned {
		t.Error("a command's name was read as markup")
	}
	var betaText string
	b.Eval(t, `document.querySelector('[data-command="beta"]').innerText`, &betaText)
	for _, want := range []string{"80 %", "active of 10", "400", "opens at 50 % of ≥ 20 requests", "FORCED OPEN"} {
		if !strings.Contains(betaText, want) {
			t.Errorf("beta's tile lacks %q:\n%s", want, betaText)
		}
	}
	var alphaText string
	b.Eval(t, `document.querySelector('[data-command="alpha"]').innerText`, &alphaText)
	if !strings.Contains(alphaText, "30\nreq/s") {
		t.Errorf("alpha's tile does not show 30 req/s:\n%s", alphaText)
	}
	var alphaBad string
	b.Eval(t, `document.querySelector('[data-command="alpha"] [data-field="bad"]').textContent`, &alphaBad)
	if alphaBad != "1,234" {
		t.Errorf("alpha's bad requests shown as %q, want 1,234", alphaBad)
	}

	// The ramp's rate shows on the ramping tile only; the forced state on
	// the forced tile only, beside the state rather than instead of it.
	var marks []struct {
		Command, Forced, Ramp  string
		Admitted               *string
		RampShown, ForcedShown bool
	}
	b.Eval(t, `Array.from(document.querySelectorAll('#circuits .tile')).map(t => {
		const ramp = t.querySelector('[data-field="ramp"]'), forced = t.querySelector('[data-field="forced"]');
		return {command: t.dataset.command, forced: t.dataset.forced, admitted: t.dataset.admitted ?? null,
			ramp: ramp.innerText, rampShown: ramp.checkVisibility(), forcedShown: forced.checkVisibility()};
	})`, &marks)
	for _, m := range marks {
		switch m.Command {
		case "delta":
			if !m.RampShown || m.Ramp != "admitting 120/min" || m.Admitted == nil || *m.Admitted != "120" {
				t.Errorf("delta ramps at 120/min; its tile shows %q (shown %v), data-admitted %v", m.Ramp, m.RampShown, m.Admitted)
			}
		default:
			if m.RampShown || m.Admitted != nil {
				t.Errorf("%s does not ramp; its tile shows %q, data-admitted %v", m.Command, m.Ramp, m.Admitted)
			}
		}
		wantForced := map[string]string{"beta": "open"}[m.Command]
		if m.Forced != wantForced || m.ForcedShown != (wantForced != "") {
			t.Errorf("%s: data-forced %q, badge shown %v; want %q", m.Command, m.Forced, m.ForcedShown, wantForced)
		}
	}
	// The shares show on the tiles whose events carry them, under their
	// labels, and nowhere else.
	var shares []struct {
		Command, Slow, Throttle  string
		SlowMark, ThrottleMark   *string
		SlowShown, ThrottleShown bool
	}
	b.Eval(t, `Array.from(document.querySelectorAll('#circuits .tile')).map(t => {
		const slow = t.querySelector('[data-field="slow"]'), throttle = t.querySelector('[data-field="throttle"]');
		return {command: t.dataset.command, slow: slow.innerText, throttle: throttle.innerText,
			slowMark: t.dataset.slow ?? null, throttleMark: t.dataset.throttle ?? null,
			slowShown: slow.checkVisibility(), throttleShown: throttle.checkVisibility()};
	})`, &shares)
	for _, s := range shares {
		want := map[string][2]string{
			"alpha": {"slow 33 %", "throttling 2.5 %"},
			"delta": {"", "throttling 0 %"},
		}[s.Command]
		if s.SlowShown != (want[0] != "") || s.Slow != want[0] || (s.SlowMark != nil) != (want[0] != "") {
			t.Errorf("%s: slow share %q (shown %v, data-slow %v), want %q", s.Command, s.Slow, s.SlowShown, s.SlowMark, want[0])
		}
		if s.ThrottleShown != (want[1] != "") || s.Throttle != want[1] || (s.ThrottleMark != nil) != (want[1] != "") {
			t.Errorf("%s: throttle share %q (shown %v, data-throttle %v), want %q", s.Command, s.Throttle, s.ThrottleShown, s.ThrottleMark, want[1])
		}
		if s.Command == "alpha" && (s.ThrottleMark == nil || *s.ThrottleMark != "2.5") {
			t.Errorf("alpha: data-throttle %v, want the share sent, 2.5", s.ThrottleMark)
		}
	}

	var poolTiles int
	b.Eval(t, `document.querySelectorAll('#pools .tile[data-pool="alpha"]').length`, &poolTiles)
	if poolTiles != 1 {
		t.Errorf("%d tiles for thread pool alpha, want 1", poolTiles)
	}
	var poolText string
	b.Eval(t, `document.querySelector('#pools .tile[data-pool="alpha"]').innerText`, &poolText)
	for _, want := range []string{"3\nactive of 10", "0\nqueued", "executions/s"} {
		if !strings.Contains(poolText, want) {
			t.Errorf("pool alpha's tile lacks %q:\n%s", want, poolText)
		}
	}

	order := func() []string {
		var names []string
		b.Eval(t, `Array.from(document.querySelectorAll('#circuits .tile:not([hidden])')).map(t => t.dataset.command)`, &names)
		return names
	}
	sortBy := func(key string, want ...string) {
		t.Helper()
		b.Run(t, "sorting by "+key, chromedp.Click(`button[data-sort="`+key+`"]`, chromedp.ByQuery))
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

	b.Run(t, "filtering", chromedp.SendKeys("#filter", "ALP", chromedp.ByQuery))
	b.WaitFor(t, "only alpha shown", `Array.from(document.querySelectorAll('#circuits .tile:not([hidden])')).map(t => t.dataset.command).join() === 'alpha'`, 3*time.Second)
	var count string
	b.Eval(t, `document.getElementById('count').textContent`, &count)
	if count != "1 of 4 circuits shown" {
		t.Errorf("count %q after filtering", count)
	}

	// Another stream on the same server may be watched; another origin's
	// may not, and the page then says so and watches its own.
	b.Run(t, "opening ?stream=/other.stream", chromedp.Navigate(srv.URL+"/?stream=/other.stream"))
	b.WaitFor(t, "the other stream's tile", `document.querySelector('[data-command="gamma"]') !== null`, 5*time.Second)
	b.Run(t, "opening ?stream= of another origin", chromedp.Navigate(srv.URL+"/?stream=http://evil.invalid/hystrix.stream"))
	b.WaitFor(t, "the refusal", `document.querySelector('.refused') !== null`, 5*time.Second)
	b.WaitFor(t, "its own stream instead", `document.querySelector('[data-command="alpha"]') !== null`, 5*time.Second)
	var shown string
	b.Eval(t, `document.getElementById('stream-url').textContent`, &shown)
	if shown != srv.URL+"/hystrix.stream" {
		t.Errorf("watching %q after a refused ?stream=, want the configured stream", shown)
	}

	if p := b.Problems(); len(p) > 0 {
		t.Errorf("the page reported errors:\n%s", strings.Join(p, "\n"))
	}
}
