package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
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
	tr := newTraffic(cmds, client, downURL)
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
	return waitErr
}

// intro describes the set-up, once, above the live view. Its lines fit an
// 80-column terminal, since a wrapped line would throw the redraw off.
func intro(cfg config, sched schedule, cmds []*command, downURL string, stream *metricsStream) []string {
	ls := []string{
		fmt.Sprintf("hystrix-demo: %d calls/s from %d workers, %d commands, %v.",
			cfg.RPS, cfg.Workers, len(cmds), cfg.Duration),
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
	ls = append(ls, fmt.Sprintf("  %-16s %7s %3s %9s %6s %-9s  %s",
		"COMMAND", "TIMEOUT", "MAX", "OPENS AT", "SLEEP", "ISOLATION", "FALLBACK"))
	for _, c := range cmds {
		ls = append(ls, fmt.Sprintf("  %-16s %5dms %3d %9s %6s %-9s  %s",
			c.name, c.config.Timeout, c.config.MaxConcurrentRequests, c.opensAt(),
			time.Duration(c.config.SleepWindow)*time.Millisecond, c.isolation(), c.fallback))
	}
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
