// Command benchchart draws the results of the bench module as an SVG chart:
// one group of bars per scenario (and goroutine count), one bar per library,
// on a log scale.
//
// It reads raw `go test -bench` output (several samples of a benchmark are
// summarized by their median) or benchstat output, from the files named or
// from standard input:
//
//	benchchart -o chart.svg results/raw.txt
//	benchchart -metric B/circuit -include 'memory/' -o memory.svg results/raw.txt
//
// Benchmark names are read as Suite/scenario.../library[/gN].
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchchart:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("benchchart", flag.ContinueOnError)
	metric := fs.String("metric", "ns/op", "the metric to chart (sec/op in benchstat output counts as ns/op)")
	include := fs.String("include", "", "chart only benchmarks whose names match this regexp")
	exclude := fs.String("exclude", "", "leave out benchmarks whose names match this regexp")
	title := fs.String("title", "hystrix-go and its peers", "the chart's title")
	out := fs.String("o", "", "write the SVG here instead of standard output")
	linear := fs.Bool("linear", false, "a linear value axis from zero instead of a log one (zeros are charted)")
	higher := fs.Bool("higher", false, "say that higher values are better (goodput, say)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var inc, exc *regexp.Regexp
	var err error
	if *include != "" {
		if inc, err = regexp.Compile(*include); err != nil {
			return err
		}
	}
	if *exclude != "" {
		if exc, err = regexp.Compile(*exclude); err != nil {
			return err
		}
	}

	var samples []sample
	if fs.NArg() == 0 {
		if samples, err = parse(stdin); err != nil {
			return err
		}
	}
	for _, name := range fs.Args() {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		s, err := parse(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		samples = append(samples, s...)
	}

	c := newChart(*title, *metric, results(samples, *metric, inc, exc), *linear, *higher)
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return c.writeSVG(w)
}
