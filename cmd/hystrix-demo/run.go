package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"syscall"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// run is the whole demo: it returns after cfg.Duration, or sooner when ctx
// ends, once everything it started has stopped and the summary is written.
func run(ctx context.Context, cfg config, stdout io.Writer) (err error) {
	if err := cfg.validate(); err != nil {
		return err
	}
	// Circuits left by an earlier run in the same process would start
	// with that run's state and metrics.
	hystrix.Flush()
	// Flush also stops the stream handler, should anything below fail
	// before its own stop runs.
	defer hystrix.Flush()
	var om *otelMetrics
	if cfg.OTel {
		// Before any circuit exists, so that every one reports to it.
		if om, err = startOTel(); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, om.close()) }()
	}

	cmds := demoCommands(cfg.Duration)
	configure(cmds)

	start := time.Now()
	sched := newSchedule(start, cfg.Duration)
	down, err := serve("127.0.0.1:0", newDownstream(sched, cmds))
	if err != nil {
		return fmt.Errorf("starting the downstream: %w", err)
	}
	defer func() { err = errors.Join(err, down.shutdown(2*time.Second)) }()

	stream, err := startStream(cfg.Addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("serving on %s: %w; another program has that port: pick another with -addr, or -addr 127.0.0.1:0 for any free one", cfg.Addr, err)
	}
	if err != nil {
		return fmt.Errorf("serving the event stream: %w", err)
	}
	defer func() { err = errors.Join(err, stream.stop()) }()

	transport := &http.Transport{
		MaxIdleConns:        cfg.Workers,
		MaxIdleConnsPerHost: cfg.Workers,
		IdleConnTimeout:     30 * time.Second,
	}
	// The client's own timeout only backs up the commands' shorter ones,
	// which reach the request through its context.
	client := &http.Client{Transport: transport, Timeout: 2 * time.Second}
	defer transport.CloseIdleConnections()

	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	downURL := "http://" + down.addr()
	tr := newTraffic(cmds, client, downURL, sched)
	w := newWatcher(start, cmds)
	d := &display{
		out:     stdout,
		cfg:     cfg,
		start:   start,
		sched:   sched,
		cmds:    cmds,
		traffic: tr,
		watch:   w,
		intro:   intro(cfg, sched, cmds, downURL, stream),
		briefs:  briefs(cfg, cmds, stream),
	}
	tr.start(runCtx, cfg.Workers, cfg.RPS)
	d.loop(runCtx)
	elapsed := time.Since(start)
	// The longest a call can still take is its command's timeout; the
	// limit leaves room on a loaded machine.
	waitErr := tr.wait(5 * time.Second)

	why := "the duration was reached"
	if ctx.Err() != nil {
		why = "it was interrupted"
	}
	printSummary(stdout, elapsed, why, cmds, tr, w)
	if om != nil {
		waitErr = errors.Join(waitErr, om.printSummary(stdout, cmds, tr))
	}
	return waitErr
}

// title is the first line of the intro, the one a short terminal keeps.
func title(cfg config, cmds []*command) string {
	return fmt.Sprintf("hystrix-demo: %d calls/s from %d workers, %d commands, %v; Ctrl-C stops.",
		cfg.RPS, cfg.Workers, len(cmds), cfg.Duration)
}

// briefs are the intros of a terminal too short for the whole one: the
// title, the dashboard's URL and the commands' settings, then only the
// first two.
func briefs(cfg config, cmds []*command, stream *metricsStream) [][]string {
	head := []string{
		title(cfg, cmds),
		fmt.Sprintf("  dashboard: %s/ (Prometheus at %s)", stream.base(), metricsPath),
		fmt.Sprintf("  stream:    %s", stream.url()),
	}
	withTable := append(append([]string(nil), head...), commandTable(cmds)...)
	return [][]string{withTable, head}
}

// commandTable is each command's settings, under a header.
func commandTable(cmds []*command) []string {
	ls := []string{fmt.Sprintf("  %-16s %7s %3s %9s %6s %-9s  %s",
		"COMMAND", "TIMEOUT", "MAX", "OPENS AT", "SLEEP", "ISOLATION", "FALLBACK")}
	for _, c := range cmds {
		ls = append(ls, fmt.Sprintf("  %-16s %5dms %3d %9s %6s %-9s  %s",
			c.name, c.config.Timeout, c.config.MaxConcurrentRequests, c.opensAt(),
			time.Duration(c.config.SleepWindow)*time.Millisecond, c.isolation(), c.fallback))
	}
	return ls
}

// intro describes the set-up, once, above the live view. Its lines fit an
// 80-column terminal, since a wrapped line would throw the redraw off.
func intro(cfg config, sched schedule, cmds []*command, downURL string, stream *metricsStream) []string {
	ls := []string{
		title(cfg, cmds),
		fmt.Sprintf("  stream:     %s (dashboard, curl -N)", stream.url()),
	}
	for _, r := range routes {
		ls = append(ls, fmt.Sprintf("  %-11s %s%s (%s)", r.path+":", stream.base(), r.path, r.describe))
	}
	ls = append(ls, fmt.Sprintf("  downstream: %s (simulated)", downURL))
	for p := range numPhases {
		ls = append(ls, fmt.Sprintf("    %5.1fs-%5.1fs %-9s  %s",
			sched.begins(p).Seconds(), sched.ends[p].Seconds(), p, p.describe()))
	}
	ls = append(ls, commandTable(cmds)...)
	ls = append(ls, "  (OPENS AT: error % / calls needed in the 10s window, or failures in a row)")
	for _, c := range cmds {
		if r := c.config.Recovery.Ramp; r != nil {
			ls = append(ls, fmt.Sprintf("  %s ramps up when half-open: %g calls/min, x%g after each good %v stage",
				c.name, r.StartPerMinute, r.Factor, time.Duration(r.StageMs)*time.Millisecond))
		}
	}
	ls = append(ls, "  (the others let one probe through after each sleep window)")
	return ls
}
