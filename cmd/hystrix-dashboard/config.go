package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// config is everything run needs; main fills it from the flags and tests
// fill it directly.
type config struct {
	Listen     string
	Streams    []string
	Title      string
	Interval   time.Duration // how often the merged stream sends a round
	Stale      time.Duration // how long a host's event counts without news
	Idle       time.Duration // how long an upstream may stay silent
	MaxBackoff time.Duration
	MaxClients int
	MaxKeys    int // circuits and pools kept per upstream
	MaxEvent   int // bytes of one upstream event

	// Not flags: tests shorten them.
	MinBackoff time.Duration
	Heartbeat  time.Duration
}

const maxStreams = 64

func defaultConfig() config {
	return config{
		Listen:     "127.0.0.1:7979",
		Title:      "Hystrix dashboard",
		Interval:   time.Second,
		Stale:      10 * time.Second,
		Idle:       30 * time.Second,
		MaxBackoff: 30 * time.Second,
		MaxClients: 32,
		MaxKeys:    1000,
		MaxEvent:   1 << 20,
		MinBackoff: 500 * time.Millisecond,
		Heartbeat:  10 * time.Second,
	}
}

// streamList is the repeatable -stream flag.
type streamList []string

func (s *streamList) String() string { return strings.Join(*s, " ") }

func (s *streamList) Set(v string) error {
	*s = append(*s, v)
	return nil
}

const usageHead = `hystrix-dashboard serves a live Hystrix dashboard for one or more Hystrix
event streams (of gohystrix/hystrix-go, afex/hystrix-go or Netflix's Java
Hystrix) and, at /hystrix.stream, the streams merged into one: circuits of
the same name on several hosts become one, with their counts summed,
reportingHosts set to the number of hosts, and the circuit shown open when
it is open on any host.

Usage:
  hystrix-dashboard [flags] [stream URL ...]

  hystrix-dashboard -stream http://app-1:8181/hystrix.stream -stream http://app-2:8181/hystrix.stream

Stream URLs may be given with -stream, as arguments, or both.

Flags:
`

// parseFlags reads the command line into a config. Usage and errors go to
// stderr; -h yields flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("hystrix-dashboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var streams streamList
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen,
		"`host:port` to serve the dashboard (/) and the merged stream\n(/hystrix.stream) on; loopback unless you mean to share it")
	fs.Var(&streams, "stream", "`URL` of a Hystrix event stream to watch; repeat for several hosts")
	fs.StringVar(&cfg.Title, "title", cfg.Title, "the page's title")
	fs.DurationVar(&cfg.Interval, "interval", cfg.Interval,
		"how often the merged stream sends a round of events (at least 100ms)")
	fs.DurationVar(&cfg.Stale, "stale", cfg.Stale,
		"how long a host's last event for a circuit still counts when nothing\nnewer comes (at least -interval)")
	fs.DurationVar(&cfg.Idle, "idle", cfg.Idle,
		"reconnect to an upstream that sends nothing, not even a heartbeat,\nfor this long")
	fs.DurationVar(&cfg.MaxBackoff, "max-backoff", cfg.MaxBackoff,
		"longest wait between attempts to reconnect to an upstream; the wait\nstarts at 0.5s and doubles after each failed attempt")
	fs.IntVar(&cfg.MaxClients, "max-clients", cfg.MaxClients,
		"most clients of the merged stream at once; more are answered 503")
	fs.IntVar(&cfg.MaxKeys, "max-circuits", cfg.MaxKeys,
		"most circuits and thread pools kept per upstream; more are ignored")
	fs.IntVar(&cfg.MaxEvent, "max-event", cfg.MaxEvent,
		"largest upstream event in bytes; a larger one drops the connection")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.Streams = append([]string(streams), fs.Args()...)
	if err := cfg.validate(); err != nil {
		fmt.Fprintln(stderr, "hystrix-dashboard:", err)
		fs.Usage()
		return cfg, err
	}
	return cfg, nil
}

func (c config) validate() error {
	switch {
	case len(c.Streams) == 0:
		return errors.New("no stream URL given: use -stream URL or pass URLs as arguments")
	case len(c.Streams) > maxStreams:
		return fmt.Errorf("%d stream URLs; at most %d", len(c.Streams), maxStreams)
	case c.Listen == "":
		return errors.New("-listen must not be empty")
	case c.Interval < 100*time.Millisecond:
		return errors.New("-interval must be at least 100ms")
	case c.Stale < c.Interval:
		return errors.New("-stale must be at least -interval")
	case c.Idle < time.Second:
		return errors.New("-idle must be at least 1s")
	case c.MaxBackoff < c.MinBackoff:
		return fmt.Errorf("-max-backoff must be at least %v", c.MinBackoff)
	case c.MaxClients < 1 || c.MaxClients > 10000:
		return errors.New("-max-clients must be between 1 and 10000")
	case c.MaxKeys < 1 || c.MaxKeys > 1000000:
		return errors.New("-max-circuits must be between 1 and 1000000")
	case c.MaxEvent < 1024 || c.MaxEvent > 64<<20:
		return errors.New("-max-event must be between 1024 and 67108864")
	}
	seen := make(map[string]bool)
	for _, s := range c.Streams {
		// Messages show the URL redacted: it may carry a password.
		u, err := url.Parse(s)
		if err != nil {
			return fmt.Errorf("stream URL %d is not a valid URL", len(seen)+1)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("stream URL %q: want an http or https URL with a host", u.Redacted())
		}
		if seen[u.String()] {
			return fmt.Errorf("stream URL %q given twice; each host would count twice", u.Redacted())
		}
		seen[u.String()] = true
	}
	return nil
}
