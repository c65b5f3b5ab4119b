package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/rolling"
)

// display draws the live view: the downstream's phase, the load, and a row
// of metrics per circuit. On a terminal it redraws one screen in place;
// otherwise it appends a block of plain lines per refresh, with the circuit
// events between them, so that logs and tests can read it.
type display struct {
	out     io.Writer
	cfg     config
	start   time.Time
	sched   schedule
	cmds    []*command
	traffic *traffic
	watch   *watcher
	// intro is printed once, or kept at the top of the redrawn screen.
	intro []string
	// briefs are shorter intros, longest first, for a redrawn screen too
	// short for intro.
	briefs [][]string
	// recent holds the latest events for the redrawn screen.
	recent []string
}

// maxRecent is how many events the redrawn screen keeps.
const maxRecent = 6

// ANSI sequences: cursor home, clear to end of line, clear to end of screen.
const (
	ansiHome      = "\x1b[H"
	ansiClearLine = "\x1b[K"
	ansiClearDown = "\x1b[J"
)

// loop draws until ctx ends, then draws a last time.
func (d *display) loop(ctx context.Context) {
	if d.cfg.ANSI {
		fmt.Fprint(d.out, ansiHome+ansiClearDown)
	} else {
		d.lines(d.intro)
	}
	poll := time.NewTicker(watchInterval)
	defer poll.Stop()
	refresh := time.NewTicker(d.cfg.Refresh)
	defer refresh.Stop()
	last := time.Now()
	d.draw(last)
	for {
		select {
		case <-ctx.Done():
			now := time.Now()
			d.poll(now)
			// The end often coincides with a refresh; the same frame
			// twice would only be noise.
			if now.Sub(last) > d.cfg.Refresh/2 {
				d.draw(now)
			}
			return
		case now := <-poll.C:
			d.poll(now)
		case last = <-refresh.C:
			d.draw(last)
		}
	}
}

func (d *display) poll(now time.Time) {
	events := d.watch.poll(now)
	if !d.cfg.ANSI {
		d.lines(events)
		return
	}
	d.recent = append(d.recent, events...)
	if n := len(d.recent); n > maxRecent {
		d.recent = d.recent[n-maxRecent:]
	}
}

func (d *display) draw(now time.Time) {
	status := d.status(now)
	if !d.cfg.ANSI {
		d.lines(status)
		return
	}
	w, h := defaultWidth, defaultHeight
	if d.cfg.Term != nil {
		w, h = d.cfg.Term.Size()
	}
	var b strings.Builder
	b.WriteString(ansiHome)
	for i, l := range d.frame(status, w, h) {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(l)
		b.WriteString(ansiClearLine)
	}
	b.WriteString(ansiClearDown)
	io.WriteString(d.out, b.String())
}

// frame lays the redrawn screen out in w columns and h rows: the longest
// intro that leaves room for the status and the recent events, the status,
// then as many events as still fit. No line reaches the last column, where
// a terminal would wrap it, and the last line ends without a newline, which
// would scroll the top line away.
func (d *display) frame(status []string, w, h int) []string {
	events := []string{"", "Circuit events:"}
	intro := d.intro
	for _, brief := range d.briefs {
		if len(intro)+len(status)+len(events)+maxRecent <= h {
			break
		}
		intro = brief
	}
	lines := append(append([]string(nil), intro...), status...)
	if room := h - len(lines) - len(events); room > 0 {
		lines = append(lines, events...)
		lines = append(lines, d.recent[max(0, len(d.recent)-room):]...)
	}
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	for i, l := range lines {
		lines[i] = fit(l, w-1)
	}
	return lines
}

// fit cuts l to at most n columns.
func fit(l string, n int) string {
	if utf8.RuneCountInString(l) <= n {
		return l
	}
	r := []rune(l)
	return string(r[:max(n, 0)])
}

func (d *display) lines(ls []string) {
	for _, l := range ls {
		fmt.Fprintln(d.out, l)
	}
}

// status is one refresh's worth of lines.
func (d *display) status(now time.Time) []string {
	ph, left := d.sched.at(now)
	ls := []string{
		"",
		fmt.Sprintf("%s downstream %s: %s; %.1fs left",
			stamp(now.Sub(d.start)), ph, ph.describe(), left.Seconds()),
		fmt.Sprintf("         %d calls skipped so far because all %d workers were busy",
			d.traffic.skipped.Load(), d.cfg.Workers),
		fmt.Sprintf("  %-16s %-9s %7s %5s %8s %9s %6s %9s", "COMMAND", "STATE", "REQ/S", "ERR%", "P99 RUN", "P99 TOTAL", "ACTIVE", "ADMITTING"),
	}
	for _, c := range d.cmds {
		ls = append(ls, d.row(now, c))
	}
	return ls
}

// row formats the live metrics of one circuit. Rates and error percentages
// are over hystrix's ten-second window, latencies over its sixty-second one;
// both restart when the circuit closes. ADMITTING is the rate a ramping
// circuit lets through, "-" for any other.
func (d *display) row(now time.Time, c *command) string {
	circuit, _, _ := hystrix.GetCircuit(c.name)
	m := circuit.Metrics()
	reqs := m.NumRequests().Sum(now)
	errs := m.Errors().Sum(now)
	var errPct float64
	if reqs > 0 {
		errPct = errs / reqs * 100
	}
	admitting := "-"
	if rate, ok := circuit.AdmittedPerMinute(); ok {
		admitting = perMinute(rate)
	}
	return fmt.Sprintf("  %-16s %-9s %7.1f %4.0f%% %8s %9s %6d %9s",
		c.name, circuit.State(), reqs/d.window(now, c.name).Seconds(), errPct,
		p99(m.RunDuration(), now), p99(m.TotalDuration(), now),
		circuit.ActiveCount(), admitting)
}

// window is how much time the circuit's rolling counts cover at now: the
// ten one-second buckets end with the current, partial one, and hold nothing
// from before the run started or the circuit last closed.
func (d *display) window(now time.Time, name string) time.Duration {
	full := 9*time.Second + time.Duration(now.UnixNano()%int64(time.Second))
	w := min(full, now.Sub(d.watch.history[name].since))
	// A window only just begun would make one call look like a flood.
	return max(w, 250*time.Millisecond)
}

// p99 formats the 99th percentile of t at now in milliseconds, or "-" when
// there is nothing to take it of, which a plain 0ms would misrepresent.
func p99(t *rolling.Timing, now time.Time) string {
	if t.Count(now) == 0 {
		return "-"
	}
	return fmt.Sprintf("%dms", t.PercentileAt(now, 99).Round(time.Millisecond).Milliseconds())
}
