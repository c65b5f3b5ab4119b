package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gohystrix/hystrix-go/hystrix"
	"go.uber.org/goleak"
)

// TestMain fails the package if anything the demo started is still running
// after the tests: servers, workers, hystrix goroutines, connections.
func TestMain(m *testing.M) {
	// TestInterruptPrintsSummaryAndExits130 runs this binary as the demo.
	if os.Getenv(asDemoEnv) == "1" {
		main()
	}
	goleak.VerifyTestMain(m)
}

// syncBuffer is the demo's stdout in tests: run writes to it while the test
// reads it.
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

// demoRun is run going on in the background.
type demoRun struct {
	out    *syncBuffer
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// startRun starts the demo and makes sure it has ended when the test does,
// even a failed one, so that goleak reports leaks rather than cut-short
// tests.
func startRun(t *testing.T, cfg config) *demoRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &demoRun{out: new(syncBuffer), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = run(ctx, cfg, r.out)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("run did not return within 10s of being cancelled")
		}
	})
	return r
}

// wait returns run's error once it has returned, failing the test if that
// takes longer than limit.
func (r *demoRun) wait(t *testing.T, limit time.Duration) error {
	t.Helper()
	select {
	case <-r.done:
		return r.err
	case <-time.After(limit):
		t.Fatalf("run still going after %v; output so far:\n%s", limit, r.out.String())
		return nil
	}
}

var streamURLRE = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+/hystrix\.stream`)

// streamURL waits for the demo to print the stream's URL.
func (r *demoRun) streamURL(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if u := streamURLRE.FindString(r.out.String()); u != "" {
			return u
		}
		select {
		case <-r.done:
			t.Fatalf("run returned %v before printing the stream URL:\n%s", r.err, r.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no stream URL printed within 5s:\n%s", r.out.String())
	return ""
}

func testConfig(d time.Duration) config {
	cfg := defaultConfig()
	cfg.Duration = d
	cfg.Addr = "127.0.0.1:0"
	cfg.Workers = 16
	cfg.RPS = 150
	// Frequent refreshes, so that a short failing phase shows in a frame
	// even on a slow machine.
	cfg.Refresh = 200 * time.Millisecond
	return cfg
}

func TestRunShowsCircuitsOpenAndClose(t *testing.T) {
	cfg := testConfig(4 * time.Second)
	cfg.OTel = true
	r := startRun(t, cfg)

	ev := readCommandEvent(t, r.streamURL(t))
	known := false
	for _, c := range demoCommands(cfg.Duration) {
		known = known || ev["name"] == c.name
	}
	if !known {
		t.Errorf("stream event names command %q, want one of the demo's", ev["name"])
	}

	if err := r.wait(t, cfg.Duration+10*time.Second); err != nil {
		t.Fatalf("run: %v\n%s", err, r.out.String())
	}
	out := r.out.String()
	t.Logf("output:\n%s", out)

	if strings.Contains(out, "\x1b[") {
		t.Error("plain output contains ANSI escape codes")
	}
	// The same lines make the redrawn screen, which a wrapped line would
	// throw off.
	live, _, _ := strings.Cut(out, "\nSummary: ")
	for _, line := range strings.Split(live, "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("a line of %d columns, wider than a terminal's 80: %q", n, line)
		}
	}
	if !openWhileFailing(out) {
		t.Error("no frame shows a circuit open during the failing phase")
	}

	rows := summaryRows(t, out)
	if !strings.Contains(out, "stopped because the duration was reached") {
		t.Error("summary does not say the duration was reached")
	}
	reclosed := 0
	for _, c := range demoCommands(cfg.Duration) {
		row, ok := rows[c.name]
		if !ok {
			t.Errorf("summary has no row for %s", c.name)
			continue
		}
		checkSummaryRow(t, c.name, row)
		if !strings.HasPrefix(row.story, "opened") {
			t.Errorf("%s: circuit %q, want it opened by the failing phase", c.name, row.story)
		}
		// The ramping circuit is half-open, ramping, whenever a probe
		// times out in the slow phase and from the recovered phase on.
		if ramped := strings.Contains(row.story, "half-open at up to"); ramped != c.ramps() {
			t.Errorf("%s: circuit %q; ramps up: %v", c.name, row.story, c.ramps())
		}
		if strings.HasSuffix(row.story, "closed again") {
			reclosed++
		}
	}
	if reclosed == 0 {
		t.Error("no circuit closed again in the recovered phase")
	}

	// Every outcome the dashboard has a colour for shows: the hanging
	// resource's calls pile up past its limit in the failing phase.
	phases := phaseRows(t, out)
	if n := phases["failing"].rejected; n == 0 {
		t.Errorf("no call rejected in the failing phase: %+v", phases["failing"])
	}
	// Calls are filed under the phase in which they started, so the few
	// in flight when the outage begins (at most one per worker) may fail;
	// the rest of the healthy phase succeeds.
	if n := phases["healthy"]; n.successes == 0 || n.calls-n.successes > cfg.Workers {
		t.Errorf("healthy phase: %+v, want only successes but for the calls in flight as it ended", n)
	}
	var all summaryRow
	for _, row := range rows {
		all.calls += row.calls
		all.successes += row.successes
		all.shortCircuits += row.shortCircuits
		all.rejected += row.rejected
		all.timeouts += row.timeouts
		all.failures += row.failures
	}
	if all.successes == 0 || all.failures == 0 || all.timeouts == 0 || all.shortCircuits == 0 || all.rejected == 0 {
		t.Errorf("some outcome never happened: %+v", all)
	}
	for name, ph := range phases {
		checkSummaryRow(t, name, ph)
	}
	if want := fmt.Sprintf("All %d calls that did not succeed were answered by their fallback.", all.calls-all.successes); !strings.Contains(out, want) {
		t.Errorf("summary does not say %q", want)
	}
	// -otel: OpenTelemetry saw the same calls.
	if !strings.Contains(out, "OpenTelemetry counted every call as the demo did.") {
		t.Error("the OpenTelemetry summary is missing or disagrees with the demo's counts")
	}

	// ConfigureCommand only logs a refused config; make sure the demo's
	// settings are the ones that ran.
	s := hystrix.GetCircuitSettings()["orders"]
	if s == nil || s.Isolation != hystrix.CallerIsolation || s.Timeout != 300*time.Millisecond {
		t.Errorf("orders settings = %+v, want caller isolation and a 300ms timeout", s)
	}
}

func TestRunStopsEarlyWhenCancelled(t *testing.T) {
	cfg := testConfig(time.Minute)
	cfg.ANSI = true
	cfg.Term = fixedSize{80, 24}
	r := startRun(t, cfg)
	r.streamURL(t)
	time.Sleep(time.Second)

	r.cancel()
	start := time.Now()
	if err := r.wait(t, 5*time.Second); err != nil {
		t.Fatalf("run: %v", err)
	}
	// The calls in flight may take up to the longest timeout to finish.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("run took %v to stop after being cancelled", d)
	}
	out := r.out.String()
	if !strings.Contains(out, ansiHome) {
		t.Error("ANSI output does not redraw")
	}
	checkFits(t, frames(out), 80, 24)
	if !strings.Contains(out, "stopped because it was interrupted") {
		t.Errorf("summary does not say the run was interrupted:\n%s", out)
	}
	rows := summaryRows(t, out)
	for name, row := range rows {
		checkSummaryRow(t, name, row)
		if row.calls == 0 {
			t.Errorf("%s: no calls in a second of healthy traffic", name)
		}
	}
}

func TestParseFlags(t *testing.T) {
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &usage); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: err = %v, want flag.ErrHelp", err)
	}
	for _, f := range []string{"-duration", "-addr", "-workers", "-rps", "-refresh", "-plain", "-otel", "hystrix.stream", "ERR%", "130"} {
		if !strings.Contains(usage.String(), f) {
			t.Errorf("usage does not mention %s:\n%s", f, usage.String())
		}
	}

	cfg, err := parseFlags([]string{"-duration", "12s", "-addr", "127.0.0.1:0", "-workers", "3", "-rps", "9", "-plain", "-otel"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	want := config{Duration: 12 * time.Second, Addr: "127.0.0.1:0", Workers: 3, RPS: 9, Refresh: time.Second, Plain: true, OTel: true}
	if cfg != want {
		t.Errorf("parsed %+v, want %+v", cfg, want)
	}

	for _, args := range [][]string{
		{"-duration", "100ms"},
		{"-workers", "0"},
		{"-rps", "-1"},
		{"-refresh", "1ms"},
		{"-addr", ""},
		{"extra"},
	} {
		var stderr bytes.Buffer
		if _, err := parseFlags(args, &stderr); err == nil {
			t.Errorf("%q: no error", args)
		} else if !strings.Contains(stderr.String(), "Usage:") {
			t.Errorf("%q: error without usage: %q", args, stderr.String())
		}
	}
}

func TestSchedule(t *testing.T) {
	start := time.Unix(1000, 0)
	s := newSchedule(start, 20*time.Second)
	for _, tc := range []struct {
		at   time.Duration
		want phase
	}{
		{0, phaseHealthy},
		{2999 * time.Millisecond, phaseHealthy},
		{3 * time.Second, phaseFailing},
		{8 * time.Second, phaseSlow},
		{13 * time.Second, phaseRecovered},
		{25 * time.Second, phaseRecovered},
	} {
		if got, _ := s.at(start.Add(tc.at)); got != tc.want {
			t.Errorf("at %v: %v, want %v", tc.at, got, tc.want)
		}
	}
}

// readCommandEvent reads the stream until a HystrixCommand event arrives.
func readCommandEvent(t *testing.T, url string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A transport of its own, so that no connection outlives the test.
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q, want text/event-stream", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok || !strings.Contains(data, "HystrixCommand") {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(data), &ev); err != nil {
			t.Fatalf("stream event is not JSON: %v: %s", err, data)
		}
		if ev["type"] != "HystrixCommand" {
			continue
		}
		return ev
	}
	t.Fatalf("stream ended without a HystrixCommand event: %v", sc.Err())
	return nil
}

var (
	frameRE = regexp.MustCompile(`^\[\s*[0-9.]+s\] downstream ([a-z]+):`)
	rowRE   = regexp.MustCompile(`^  ([a-z]+)\s+(closed|open|half-open)\s`)
)

// openWhileFailing reports whether a frame drawn in the failing phase shows
// an open circuit.
func openWhileFailing(out string) bool {
	phase := ""
	for _, line := range strings.Split(out, "\n") {
		if m := frameRE.FindStringSubmatch(line); m != nil {
			phase = m[1]
		} else if m := rowRE.FindStringSubmatch(line); m != nil && phase == "failing" && m[2] == "open" {
			return true
		}
	}
	return false
}

type summaryRow struct {
	calls, successes, failures, timeouts, shortCircuits, rejected, fallbacks int
	// story says what the circuit did, e.g. "opened once, closed again".
	story string
}

var (
	summaryRowRE   = regexp.MustCompile(`^  ([a-z]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$`)
	summaryStoryRE = regexp.MustCompile(`^  ([a-z]+): circuit (.+)\.$`)
)

// summaryRows parses the summary's table of commands.
func summaryRows(t *testing.T, out string) map[string]summaryRow {
	t.Helper()
	_, summary, ok := strings.Cut(out, "\nSummary: ")
	if !ok {
		t.Fatalf("no summary in the output:\n%s", out)
	}
	summary, _, _ = strings.Cut(summary, "\n  By the downstream's phase")
	rows := tableRows(summary)
	_, tail, _ := strings.Cut(out, "\n  By the downstream's phase")
	for _, line := range strings.Split(tail, "\n") {
		if m := summaryStoryRE.FindStringSubmatch(line); m != nil {
			if r, ok := rows[m[1]]; ok {
				r.story = m[2]
				rows[m[1]] = r
			}
		}
	}
	if n := len(demoCommands(time.Minute)); len(rows) != n {
		t.Fatalf("summary has %d command rows, want %d:\n%s", len(rows), n, summary)
	}
	return rows
}

// phaseRows parses the summary's table of phases.
func phaseRows(t *testing.T, out string) map[string]summaryRow {
	t.Helper()
	_, tail, ok := strings.Cut(out, "\n  By the downstream's phase")
	if !ok {
		t.Fatalf("no table of phases in the output:\n%s", out)
	}
	tail, _, _ = strings.Cut(tail, "\n\n  ")
	rows := tableRows(tail)
	if len(rows) != int(numPhases) {
		t.Fatalf("summary has %d phase rows, want %d:\n%s", len(rows), numPhases, tail)
	}
	return rows
}

// tableRows parses the rows of a summary table.
func tableRows(table string) map[string]summaryRow {
	rows := make(map[string]summaryRow)
	for _, line := range strings.Split(table, "\n") {
		m := summaryRowRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n := make([]int, 7)
		for i := range n {
			n[i], _ = strconv.Atoi(m[i+2])
		}
		rows[m[1]] = summaryRow{n[0], n[1], n[2], n[3], n[4], n[5], n[6], ""}
	}
	return rows
}

// checkSummaryRow checks that every call is counted exactly once and that
// every unsuccessful one fell back.
func checkSummaryRow(t *testing.T, name string, r summaryRow) {
	t.Helper()
	if sum := r.successes + r.failures + r.timeouts + r.shortCircuits + r.rejected; sum != r.calls {
		t.Errorf("%s: outcomes add up to %d, calls %d", name, sum, r.calls)
	}
	if r.fallbacks != r.calls-r.successes {
		t.Errorf("%s: %d fallbacks for %d unsuccessful calls", name, r.fallbacks, r.calls-r.successes)
	}
}

func TestCircuitStory(t *testing.T) {
	for _, tc := range []struct {
		h    history
		want string
	}{
		{history{}, "never opened"},
		{history{opened: 1, reclosed: true}, "opened once, closed again"},
		{history{opened: 2, state: hystrix.StateOpen}, "opened 2 times, still open at the end"},
		{history{opened: 1, ramped: true, peak: 540, reclosed: true}, "opened once, half-open at up to 540/min, closed again"},
		{history{opened: 1, ramped: true, peak: 60, state: hystrix.StateHalfOpen}, "opened once, half-open at up to 60/min, still half-open at the end"},
	} {
		if got := circuitStory(&tc.h); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.h, got, tc.want)
		}
	}
}

// The ramp's stages scale with the run within bounds, and a 30s run, the
// default, gets the stages its ramp was tuned for.
func TestRampStage(t *testing.T) {
	for total, want := range map[time.Duration]int{
		4 * time.Second: 1000, 30 * time.Second: 1500, time.Minute: 3000, time.Hour: 3000,
	} {
		if got := rampStage(total); got != want {
			t.Errorf("rampStage(%v) = %d, want %d", total, got, want)
		}
	}
	ramps := 0
	for _, c := range demoCommands(defaultConfig().Duration) {
		if !c.ramps() {
			continue
		}
		ramps++
		if err := hystrix.TryConfigureCommand("ramp-check-"+c.name, c.config); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.config.Recovery.Ramp.StageMs != 1500 || c.config.SleepWindow != 2000 || c.opensAt() != ">5 in row" {
			t.Errorf("%s: stage %dms, sleep window %dms, opens at %q", c.name,
				c.config.Recovery.Ramp.StageMs, c.config.SleepWindow, c.opensAt())
		}
	}
	hystrix.Flush()
	if ramps != 1 {
		t.Errorf("%d commands ramp, want 1", ramps)
	}
}
