package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gohystrix/hystrix-go/dashboard"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "hystrix-dashboard:", err)
		os.Exit(1)
	}
}

// run serves the dashboard and the merged stream until ctx ends, then
// stops everything it started and returns. ready, if not nil, is called
// with the address served once the server is listening.
func run(ctx context.Context, cfg config, logOut io.Writer, ready func(addr string)) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	logger := log.New(logOut, "hystrix-dashboard: ", log.LstdFlags)

	h := newHub(len(cfg.Streams), cfg.Stale, cfg.MaxKeys)
	h.logf = logger.Printf
	b := newBroadcaster(cfg.MaxClients, cfg.Heartbeat)
	names := make([]string, len(cfg.Streams))
	for i, s := range cfg.Streams {
		names[i] = redactedURL(s)
	}
	board := newStatusBoard(names, time.Now())
	mux := http.NewServeMux()
	mux.Handle("/hystrix.stream", b)
	mux.Handle("/upstreams", board)
	mux.Handle("/", dashboard.New(dashboard.Options{StreamURL: "/hystrix.stream", UpstreamsURL: "/upstreams", Title: cfg.Title}))

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	// The upstreams' connections: one each, held open, never pooled.
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		MaxIdleConnsPerHost:   1,
		IdleConnTimeout:       30 * time.Second,
	}
	client := &http.Client{Transport: transport}
	upCtx, stopUpstreams := context.WithCancel(ctx)
	defer stopUpstreams()
	var wg sync.WaitGroup
	for i, s := range cfg.Streams {
		u := &upstream{
			host: i, url: s, name: names[i], client: client, hub: h, logger: logger, board: board,
			minBackoff: cfg.MinBackoff, maxBackoff: cfg.MaxBackoff,
			idle: cfg.Idle, maxEvent: cfg.MaxEvent,
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			u.run(upCtx)
		}()
	}

	published := make(chan struct{})
	go func() {
		defer close(published)
		tick := time.NewTicker(cfg.Interval)
		defer tick.Stop()
		for {
			select {
			case <-upCtx.Done():
				return
			case now := <-tick.C:
				if round := h.round(now); len(round) > 0 {
					b.send(round)
				}
			}
		}
	}()

	addr := ln.Addr().String()
	logger.Printf("dashboard at http://%s/, merged stream at http://%s/hystrix.stream, watching %d stream(s)", addr, addr, len(cfg.Streams))
	if ready != nil {
		ready(addr)
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-served:
	}

	// Stop reading upstreams and publishing, end the open streams (they
	// never end by themselves), then let other requests finish.
	stopUpstreams()
	wg.Wait()
	<-published
	transport.CloseIdleConnections()
	b.stop()
	if serveErr != nil {
		return fmt.Errorf("serving: %w", serveErr)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if err != nil {
		err = errors.Join(err, srv.Close())
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	logger.Printf("stopped")
	return err
}
