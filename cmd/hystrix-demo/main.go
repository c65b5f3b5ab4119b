package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

func main() {
	os.Exit(realMain())
}

// realMain returns the exit code, so that deferred calls run before
// os.Exit: 0 once the duration is reached, 1 on an error, 2 for bad flags,
// and 128 plus the signal's number when Ctrl-C (130) or SIGTERM (143)
// stopped the demo, after the summary, as shells report a program killed
// by it.
func realMain() int {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	cfg.ANSI = !cfg.Plain && isTerminal(os.Stdout)
	if cfg.ANSI {
		cfg.Term = fileTerminal{os.Stdout}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got atomic.Value // os.Signal
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			got.Store(s)
			// A second signal should kill the process outright rather
			// than wait for the shutdown.
			signal.Stop(sigs)
			cancel()
		case <-done:
		}
	}()

	err = run(ctx, cfg, os.Stdout)
	close(done)
	signal.Stop(sigs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hystrix-demo:", err)
	}
	if s, ok := got.Load().(syscall.Signal); ok {
		return 128 + int(s)
	}
	if err != nil {
		return 1
	}
	return 0
}
