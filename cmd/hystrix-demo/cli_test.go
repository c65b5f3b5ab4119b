package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// asDemoEnv makes the test binary run main instead of the tests, so that a
// test can run the demo as a process of its own and signal it.
const asDemoEnv = "HYSTRIX_DEMO_RUN_MAIN"

func TestInterruptPrintsSummaryAndExits130(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo for a few seconds")
	}
	cmd := exec.Command(os.Args[0], "-duration", "1m", "-addr", "127.0.0.1:0", "-rps", "40")
	cmd.Env = append(os.Environ(), asDemoEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string)
	var out strings.Builder
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// Once the first status frame is out, the demo is under way.
	deadline := time.After(10 * time.Second)
	for started := false; !started; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the demo ended before it started:\n%s\nstderr: %s", out.String(), stderr.String())
			}
			out.WriteString(l + "\n")
			started = strings.Contains(l, "downstream healthy")
		case <-deadline:
			t.Fatalf("no status within 10s:\n%s", out.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		out.WriteString(l + "\n")
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130\nstderr: %s", err, stderr.String())
	}
	if !strings.Contains(out.String(), "stopped because it was interrupted") {
		t.Errorf("no summary after Ctrl-C:\n%s", out.String())
	}
	summaryRows(t, out.String())
}

func TestPortInUseSuggestsAnyFreePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cfg := testConfig(time.Second)
	cfg.Addr = ln.Addr().String()
	err = run(context.Background(), cfg, io.Discard)
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("run on a port in use: %v, want EADDRINUSE", err)
	}
	if !strings.Contains(err.Error(), "-addr 127.0.0.1:0") || !strings.Contains(err.Error(), cfg.Addr) {
		t.Errorf("error %q does not name the address and suggest -addr 127.0.0.1:0", err)
	}
}

func TestFallbackSentenceIsTrue(t *testing.T) {
	for _, tc := range []struct {
		n    tallyCounts
		want string
	}{
		{tallyCounts{}, "No call was made."},
		{tallyCounts{calls: 5, successes: 5}, "Every call succeeded, so no fallback was needed."},
		{tallyCounts{calls: 5, successes: 4, fallbacks: 1}, "The one call that did not succeed was answered by its fallback."},
		{tallyCounts{calls: 5, successes: 2, fallbacks: 3}, "All 3 calls that did not succeed were answered by their fallback."},
		{tallyCounts{calls: 5, successes: 2, fallbacks: 1}, "1 of the 3 calls that did not succeed were answered by their fallback."},
	} {
		if got := fallbackSentence(tc.n); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.n, got, tc.want)
		}
	}
	for n, want := range map[int64]string{
		0: "No call was skipped: a worker was always free.",
		1: "1 call was skipped because all workers were busy.",
		7: "7 calls were skipped because all workers were busy.",
	} {
		if got := skippedSentence(n); got != want {
			t.Errorf("%d skipped: %q, want %q", n, got, want)
		}
	}
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// frames splits redrawn output into its frames' lines, escape codes gone.
func frames(out string) [][]string {
	var fs [][]string
	live, _, _ := strings.Cut(out, "\nSummary: ")
	for _, f := range strings.Split(live, ansiHome)[1:] {
		// The screen is cleared once, before the first frame.
		if f = ansiRE.ReplaceAllString(f, ""); f != "" {
			fs = append(fs, strings.Split(f, "\n"))
		}
	}
	return fs
}

// checkFits checks that every frame fits w x h: no more than h lines, none
// reaching the last column, and the title and every command's row shown
// when there is room for them.
func checkFits(t *testing.T, fs [][]string, w, h int) {
	t.Helper()
	if len(fs) == 0 {
		t.Fatal("no frame drawn")
	}
	for i, f := range fs {
		if len(f) > h {
			t.Errorf("%dx%d: frame %d has %d lines", w, h, i, len(f))
		}
		for _, l := range f {
			if n := utf8.RuneCountInString(l); n >= w {
				t.Errorf("%dx%d: frame %d has a line of %d columns: %q", w, h, i, n, l)
			}
		}
		if h < 12 {
			continue
		}
		joined := strings.Join(f, "\n")
		if !strings.HasPrefix(joined, "hystrix-demo:") {
			t.Errorf("%dx%d: frame %d does not start with the title:\n%s", w, h, i, joined)
		}
		for _, c := range demoCommands(time.Minute) {
			if !regexp.MustCompile(`(?m)^  ` + c.name + ` +(closed|open|half-open) `).MatchString(joined) {
				t.Errorf("%dx%d: frame %d has no row for %s:\n%s", w, h, i, c.name, joined)
			}
		}
	}
}

// TestFrameFitsTheTerminal draws the live view into terminals of several
// sizes, with more events than fit.
func TestFrameFitsTheTerminal(t *testing.T) {
	hystrix.Flush()
	defer hystrix.Flush()
	start := time.Now()
	cfg := testConfig(30 * time.Second)
	cfg.ANSI = true
	cmds := demoCommands(cfg.Duration)
	sched := newSchedule(start, cfg.Duration)
	stream := &metricsStream{srv: &server{ln: fakeAddr{}}}
	for _, size := range []fixedSize{{80, 24}, {60, 16}, {132, 50}, {40, 10}, {100, 30}} {
		var out strings.Builder
		d := &display{
			out: &out, cfg: cfg, start: start, sched: sched, cmds: cmds,
			traffic: newTraffic(cmds, nil, "", sched),
			watch:   newWatcher(start, cmds),
			intro:   intro(cfg, sched, cmds, "http://127.0.0.1:9", stream),
			briefs:  briefs(cfg, cmds, stream),
		}
		d.cfg.Term = size
		// Nothing is cut on an 80-column terminal: every line of every
		// intro fits 79 columns as it is.
		for _, ls := range append([][]string{d.intro}, d.briefs...) {
			for _, l := range ls {
				if n := utf8.RuneCountInString(l); n > 79 {
					t.Errorf("intro line of %d columns: %q", n, l)
				}
			}
		}
		for i := range 10 {
			d.recent = append(d.recent, d.watch.event(start, "orders", strings.Repeat("event ", 20)+string(rune('a'+i))))
		}
		d.draw(start.Add(time.Second))
		checkFits(t, frames(out.String()), size.w, size.h)
		f := frames(out.String())[0]
		if size.h >= 24 && !strings.Contains(strings.Join(f, "\n"), "Circuit events:") {
			t.Errorf("%v: no events shown", size)
		}
		if size.h >= 50 && !strings.Contains(strings.Join(f, "\n"), "OPENS AT: error %") {
			t.Errorf("%v: a tall terminal does not get the whole intro", size)
		}
	}
}

// fakeAddr is a listener that only has an address, for intros in tests.
type fakeAddr struct{ net.Listener }

func (fakeAddr) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8181} }
