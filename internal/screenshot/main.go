package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gohystrix/hystrix-go/internal/browsertest"
)

func main() {
	out := flag.String("out", "docs/dashboard.png", "the PNG to write")
	width := flag.Int("width", 1400, "the browser window's width, in pixels")
	height := flag.Int("height", 1000, "the browser window's height, in pixels")
	duration := flag.Duration("duration", time.Minute, "how long the demo runs")
	flag.Parse()
	if flag.NArg() > 0 || *width <= 0 || *height <= 0 || *duration < 20*time.Second {
		fmt.Fprintln(os.Stderr, "screenshot: usage: screenshot [-out file.png] [-width px] [-height px] [-duration ≥20s]")
		os.Exit(2)
	}
	if err := run(*out, *width, *height, *duration, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "screenshot:", err)
		os.Exit(1)
	}
}

// demo is the running hystrix-demo, as its first lines describe it.
type demo struct {
	cmd  *exec.Cmd
	base string // the server's URL, without a path
	// start is about when the demo started (its intro is printed at
	// once); failingEnds is when its downstream stops failing, counted
	// from start.
	start       time.Time
	failingEnds time.Duration
	lines       <-chan string // the rest of its output
	// done is closed when the demo has exited, with waitErr set.
	done    chan struct{}
	waitErr error
}

var (
	streamLine  = regexp.MustCompile(`^\s*stream:\s+(http://\S+)/hystrix\.stream\b`)
	failingLine = regexp.MustCompile(`^\s*([0-9.]+)s-\s*([0-9.]+)s\s+failing\b`)
)

func run(out string, width, height int, duration time.Duration, log io.Writer) error {
	dir, err := os.MkdirTemp("", "screenshot-")
	if err != nil {
		return err
	}
	defer browsertest.RemoveProfile(dir)

	bin := filepath.Join(dir, "hystrix-demo")
	fmt.Fprintln(log, "screenshot: building ./cmd/hystrix-demo")
	build := exec.Command("go", "build", "-o", bin, "./cmd/hystrix-demo")
	build.Stdout, build.Stderr = log, log
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the demo: %w", err)
	}
	d, err := startDemo(bin, duration, log)
	if err != nil {
		return err
	}
	defer d.stop(log)

	// Everything but the build is bounded by the run itself.
	ctx, cancel := context.WithTimeout(context.Background(), d.failingEnds+time.Minute)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, browsertest.ExecOptions(dir, width, height)...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	if err := chromedp.Run(tab, chromedp.EmulateViewport(int64(width), int64(height)), chromedp.Navigate(d.base+"/")); err != nil {
		return fmt.Errorf("opening %s/: %w", d.base, err)
	}
	// Every circuit open, late in the failing phase, when the sparklines
	// show the healthy start, the errors and the short circuits.
	shootAt := d.start.Add(d.failingEnds - 1500*time.Millisecond)
	allOpen := `(() => { const t = document.querySelectorAll('#circuits .tile');
		return t.length > 0 && Array.from(t).every(e => e.dataset.state === 'open'); })()`
	if err := waitFor(tab, allOpen, shootAt.Add(time.Second)); err != nil {
		return fmt.Errorf("waiting for every circuit to open: %w", err)
	}
	time.Sleep(time.Until(shootAt))
	var png []byte
	if err := chromedp.Run(tab, chromedp.FullScreenshot(&png, 100)); err != nil {
		return fmt.Errorf("taking the screenshot: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "screenshot: wrote %s (%d bytes, %dx%d, %.1fs into the demo)\n",
		out, len(png), width, height, time.Since(d.start).Seconds())
	return nil
}

// startDemo runs the demo binary and reads from its first lines where it
// serves and when its downstream fails.
func startDemo(bin string, duration time.Duration, log io.Writer) (*demo, error) {
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-duration", duration.String(), "-plain")
	cmd.Stderr = log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the demo: %w", err)
	}
	d := &demo{cmd: cmd, start: time.Now(), done: make(chan struct{})}
	lines := make(chan string, 64)
	d.lines = lines
	go func() {
		// Read to the end, so that the demo never blocks on a full pipe.
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
		d.waitErr = cmd.Wait()
		close(d.done)
	}()

	timeout := time.After(30 * time.Second)
	var failingEnds time.Duration
	for d.base == "" || failingEnds == 0 {
		select {
		case l, ok := <-lines:
			if !ok {
				<-d.done
				return nil, fmt.Errorf("the demo exited before saying where it serves: %v", d.waitErr)
			}
			if m := streamLine.FindStringSubmatch(l); m != nil {
				d.base = m[1]
			}
			if m := failingLine.FindStringSubmatch(l); m != nil {
				end, err := strconv.ParseFloat(m[2], 64)
				if err != nil || end <= 0 {
					d.stop(log)
					return nil, fmt.Errorf("the demo's failing phase %q", strings.TrimSpace(l))
				}
				failingEnds = time.Duration(end * float64(time.Second))
			}
		case <-timeout:
			d.stop(log)
			return nil, errors.New("the demo did not print its stream's URL and phases within 30s")
		}
	}
	d.failingEnds = failingEnds
	fmt.Fprintf(log, "screenshot: demo at %s, failing until %v\n", d.base, failingEnds)
	// Keep draining; the lines are not needed any more.
	go func() {
		for range lines {
		}
	}()
	return d, nil
}

// stop interrupts the demo, as Ctrl-C does, and waits for it, killing it
// if it takes too long.
func (d *demo) stop(log io.Writer) {
	select {
	case <-d.done:
		return
	default:
	}
	_ = d.cmd.Process.Signal(os.Interrupt)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		fmt.Fprintln(log, "screenshot: the demo did not stop within 10s of an interrupt; killing it")
		_ = d.cmd.Process.Kill()
		<-d.done
	}
}

// waitFor polls script in the tab until it is true or deadline passes.
func waitFor(tab context.Context, script string, deadline time.Time) error {
	for {
		var ok bool
		if err := chromedp.Run(tab, chromedp.Evaluate(script, &ok)); err != nil {
			return err
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not by %v", deadline.Format(time.TimeOnly))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
