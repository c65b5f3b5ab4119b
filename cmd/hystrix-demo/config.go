package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// config is everything run needs to know; main fills it from the flags and
// tests fill it directly.
type config struct {
	// Duration is how long the demo runs; the downstream's phases are
	// fractions of it.
	Duration time.Duration
	// Addr is where /hystrix.stream is served.
	Addr string
	// Workers bounds the calls in flight.
	Workers int
	// RPS is the rate at which calls are started, spread evenly over the
	// commands.
	RPS int
	// Refresh is how often the live view is drawn.
	Refresh time.Duration
	// Plain asks for plain lines even on a terminal.
	Plain bool
	// OTel also records the metrics with OpenTelemetry, into an in-memory
	// reader whose figures the summary prints.
	OTel bool
	// ANSI redraws the live view in place; main sets it when stdout is a
	// terminal and Plain is off.
	ANSI bool
	// Term gives the size the redrawn view must fit; nil means 80x24.
	Term sizer
}

func defaultConfig() config {
	return config{
		Duration: 30 * time.Second,
		Addr:     "127.0.0.1:8181",
		Workers:  8,
		RPS:      60,
		Refresh:  time.Second,
	}
}

const usageHead = `hystrix-demo runs a simulated downstream service through healthy, failing,
slow and recovered phases, calls it through four hystrix commands and shows
their circuits open and close again, one of them ramping its traffic back up.
It needs nothing outside the process.

Usage:
  go run ./cmd/hystrix-demo [flags]

Flags:
`

const usageTail = `
While it runs, open the address it prints: / is a live dashboard of the
circuits, /hystrix.stream the Hystrix event stream (for any Hystrix
dashboard, or curl) and /metrics the Prometheus metrics. ERR% counts
short-circuited calls as errors, as Hystrix's dashboard does, so it stays
high while a circuit is open. It stops after -duration, or on Ctrl-C (exit
status 130), and prints a summary per command and per phase.
`

// parseFlags reads the command line into a config. Usage and errors go to
// stderr; -h yields flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("hystrix-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration,
		"how long the demo runs (at least 1s); the downstream spends 15% of it\nhealthy, 25% failing, 25% slow and 35% recovered")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr,
		"`host:port` to serve the dashboard (/), the Hystrix event stream\n(/hystrix.stream) and Prometheus metrics (/metrics) on;\nport 0 picks a free port, and the URLs are printed at start")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers,
		"most calls in flight at once; a call due while all workers are busy\nis skipped")
	fs.IntVar(&cfg.RPS, "rps", cfg.RPS,
		"calls started per second, in turn across the four commands")
	fs.DurationVar(&cfg.Refresh, "refresh", cfg.Refresh,
		"how often the live view is redrawn (at least 50ms)")
	fs.BoolVar(&cfg.Plain, "plain", cfg.Plain,
		"print plain lines even when stdout is a terminal (the default when\nit is not)")
	fs.BoolVar(&cfg.OTel, "otel", cfg.OTel,
		"also record the metrics with OpenTelemetry (exporters/hystrixotel,\nan in-memory reader) and print what it counted in the summary")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), usageTail)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("unexpected argument %q", fs.Arg(0))
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return cfg, err
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintln(stderr, err)
		fs.Usage()
		return cfg, err
	}
	return cfg, nil
}

func (c config) validate() error {
	switch {
	case c.Duration < time.Second:
		return errors.New("-duration must be at least 1s: a shorter run is over before a circuit can open")
	case c.Addr == "":
		return errors.New("-addr must not be empty")
	case c.Workers < 1 || c.Workers > 1000:
		return errors.New("-workers must be between 1 and 1000")
	case c.RPS < 1 || c.RPS > 10000:
		return errors.New("-rps must be between 1 and 10000")
	case c.Refresh < 50*time.Millisecond:
		return errors.New("-refresh must be at least 50ms")
	}
	return nil
}
