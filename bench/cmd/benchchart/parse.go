package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A result is one benchmark's value for one metric: the median of its
// samples in raw go test output, or benchstat's summary.
type result struct {
	Scenario string // "pass g75", "memory/10k", "stream"
	Library  string
	Value    float64
}

// A sample is one value of one metric read from the input.
type sample struct {
	name  string // benchmark name without "Benchmark" and the -GOMAXPROCS suffix
	unit  string
	value float64
}

var (
	// A raw result line: name, iterations, then value-unit pairs.
	rawLine = regexp.MustCompile(`^Benchmark(\S+)\s+\d+\s+(.+)$`)
	// The -GOMAXPROCS suffix go test adds to names.
	procsSuffix = regexp.MustCompile(`-\d+$`)
	// A goroutine-count level of a sub-benchmark name.
	variantLevel = regexp.MustCompile(`^g\d+$`)
)

// parse reads raw `go test -bench` output or benchstat output (or both
// concatenated) and returns every sample. benchstat's sec/op is converted to
// ns/op so that both formats answer to the same metric name.
func parse(r io.Reader) ([]sample, error) {
	var out []sample
	unit := "" // the unit of the benchstat table being read
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if m := rawLine.FindStringSubmatch(line); m != nil {
			fields := strings.Fields(m[2])
			for i := 0; i+1 < len(fields); i += 2 {
				v, err := strconv.ParseFloat(fields[i], 64)
				if err != nil {
					return nil, fmt.Errorf("bad value %q in %q", fields[i], line)
				}
				out = append(out, sample{name: cleanName(m[1]), unit: fields[i+1], value: v})
			}
			continue
		}
		if strings.Contains(line, "│") {
			// benchstat header: the second line of each table names the unit.
			cells := strings.Split(line, "│")
			if len(cells) >= 2 {
				if u := strings.TrimSpace(cells[1]); strings.Contains(u, "/") {
					unit = u
				}
			}
			continue
		}
		if unit == "" || line == "" || line[0] == ' ' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.Contains(fields[0], "/") {
			continue // geomean, footnotes, headers
		}
		v, ok := parseSI(fields[1])
		if !ok {
			continue // a footnote or an unsummarized row
		}
		u := unit
		if u == "sec/op" {
			u, v = "ns/op", v*1e9
		}
		out = append(out, sample{name: cleanName(strings.TrimPrefix(fields[0], "Benchmark")), unit: u, value: v})
	}
	return out, sc.Err()
}

func cleanName(name string) string {
	return procsSuffix.ReplaceAllString(name, "")
}

// siFactors are the prefixes benchstat writes before a unit.
var siFactors = map[string]float64{
	"n": 1e-9, "µ": 1e-6, "μ": 1e-6, "u": 1e-6, "m": 1e-3, "": 1,
	"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
	"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40,
}

func parseSI(s string) (float64, bool) {
	i := len(s)
	for i > 0 && !(s[i-1] >= '0' && s[i-1] <= '9' || s[i-1] == '.') {
		i--
	}
	f, ok := siFactors[s[i:]]
	if !ok || i == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, false
	}
	return v * f, true
}

// split turns a benchmark name into its scenario and library. The name's
// first level is the top-level benchmark (Suite) and is dropped; a last
// level like g75 is the goroutine count and joins the scenario:
//
//	Suite/pass/ours/g75    -> "pass g75", "ours"
//	Suite/memory/10k/afex  -> "memory/10k", "afex"
//	Suite/stream/ours      -> "stream", "ours"
func split(name string) (scenario, library string, ok bool) {
	levels := strings.Split(name, "/")
	if len(levels) < 3 {
		return "", "", false
	}
	levels = levels[1:]
	variant := ""
	if n := len(levels); n >= 3 && variantLevel.MatchString(levels[n-1]) {
		variant, levels = levels[n-1], levels[:n-1]
	}
	library = levels[len(levels)-1]
	scenario = strings.Join(levels[:len(levels)-1], "/")
	if variant != "" {
		scenario += " " + variant
	}
	return scenario, library, true
}

// results keeps the samples of one metric whose names match include and not
// exclude (either may be nil) and summarizes each benchmark by its median,
// in the order the benchmarks first appear.
func results(samples []sample, metric string, include, exclude *regexp.Regexp) []result {
	var order []string
	values := map[string][]float64{}
	for _, s := range samples {
		if s.unit != metric || include != nil && !include.MatchString(s.name) || exclude != nil && exclude.MatchString(s.name) {
			continue
		}
		if _, seen := values[s.name]; !seen {
			order = append(order, s.name)
		}
		values[s.name] = append(values[s.name], s.value)
	}
	var out []result
	for _, name := range order {
		scenario, library, ok := split(name)
		if !ok {
			continue
		}
		out = append(out, result{Scenario: scenario, Library: library, Value: median(values[name])})
	}
	return out
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
