package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the flags, soaks, writes the chart and the summary, and
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hystrix-soak", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Minute, "how long to run")
	fs.DurationVar(&cfg.Sample, "sample", time.Second, "how often to read heap and goroutines")
	fs.DurationVar(&cfg.Phase, "phase", 4*time.Second, "how long each downstream phase (healthy, flapping, slow, hung, reset) lasts")
	fs.IntVar(&cfg.Workers, "workers", 32, "concurrent callers")
	fs.DurationVar(&cfg.Timeout, "timeout", 50*time.Millisecond, "the commands' timeout")
	fs.StringVar(&cfg.SVG, "svg", "soak.svg", "where to write the chart of heap and goroutines")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.Duration <= 0 || cfg.Sample <= 0 || cfg.Phase <= 0 || cfg.Workers < 2 || cfg.Timeout < time.Millisecond {
		fmt.Fprintln(stderr, "hystrix-soak: -duration, -sample and -phase must be positive, -workers at least 2, -timeout at least 1ms")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	sum, err := soak(ctx, cfg, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "hystrix-soak: %v\n", err)
		return 1
	}
	f, err := os.Create(cfg.SVG)
	if err == nil {
		title := fmt.Sprintf("hystrix-soak: %v, %d workers, %d calls", cfg.Duration, cfg.Workers, sum.calls)
		err = writeSVG(f, title, sum.samples)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "hystrix-soak: %v\n", err)
		return 1
	}
	return report(stdout, sum, cfg.SVG)
}

// report prints the summary and returns 1 if something grew or the counts
// do not add up.
func report(w io.Writer, sum *summary, svg string) int {
	fmt.Fprintf(w, "\ncalls %d, seen by the collectors %d\n", sum.calls, sum.attempts)
	names := make([]string, 0, len(sum.outcomes))
	for n := range sum.outcomes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-26s %d\n", n, sum.outcomes[n])
	}
	var peakHeap, peakG float64
	for _, s := range sum.samples {
		peakHeap = max(peakHeap, s.heapMiB)
		peakG = max(peakG, float64(s.goroutines))
	}
	if n := len(sum.samples); n > 0 {
		last := sum.samples[n-1]
		fmt.Fprintf(w, "heap in use: peak %.1f MiB, last %.1f MiB; goroutines: peak %.0f, last %d\n",
			peakHeap, last.heapMiB, peakG, last.goroutines)
	}
	heapOK, gOK := sum.flat()
	status := 0
	check := func(ok bool, what string) {
		verdict := "flat"
		if !ok {
			verdict, status = "GREW", 1
		}
		fmt.Fprintf(w, "%s: %s\n", what, verdict)
	}
	check(heapOK, "heap")
	check(gOK, "goroutines")
	if sum.calls != sum.attempts || sum.attempts != sum.outcomeSum() {
		fmt.Fprintf(w, "accounting: MISMATCH (calls %d, attempts %d, outcomes %d)\n", sum.calls, sum.attempts, sum.outcomeSum())
		status = 1
	} else {
		fmt.Fprintln(w, "accounting: every call seen once")
	}
	fmt.Fprintf(w, "chart: %s\n", svg)
	return status
}
