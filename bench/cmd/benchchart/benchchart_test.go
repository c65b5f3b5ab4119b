package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func parseFile(t *testing.T, name string) []sample {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b)) }

// Both input formats give the same medians for the same benchmarks.
func TestParseRawAndBenchstat(t *testing.T) {
	want := []result{
		{"pass g1", "ours", 520},
		{"pass g1", "afex", 5500},
		{"pass g75", "ours", 300},
		{"fail g1", "gozero", 2700},
		{"stream", "ours", 7e6},
		{"memory/10k", "ours", 5744427},
		{"memory/10k", "afex", 69509120},
	}
	for _, file := range []string{"testdata/raw.txt", "testdata/benchstat.txt"} {
		got := results(parseFile(t, file), "ns/op", nil, nil)
		if len(got) != len(want) {
			t.Fatalf("%s: got %d results %v, want %d", file, len(got), got, len(want))
		}
		for i := range want {
			g, w := got[i], want[i]
			// benchstat rounds to four significant digits.
			if g.Scenario != w.Scenario || g.Library != w.Library || math.Abs(g.Value-w.Value) > w.Value*1e-3 {
				t.Errorf("%s: result %d = %+v, want %+v", file, i, g, w)
			}
		}
	}
}

func TestParseOtherMetrics(t *testing.T) {
	raw := parseFile(t, "testdata/raw.txt")
	mem := results(raw, "B/circuit", nil, nil)
	if len(mem) != 2 || mem[0].Library != "ours" || !near(mem[0].Value, 28856) || mem[1].Library != "afex" {
		t.Errorf("B/circuit results = %+v", mem)
	}
	rej := results(raw, "rejected/op", nil, nil)
	if len(rej) != 1 || !near(rej[0].Value, 0.9994) {
		t.Errorf("rejected/op results = %+v", rej)
	}
	bs := results(parseFile(t, "testdata/benchstat.txt"), "B/op", nil, nil)
	if len(bs) == 0 || bs[1].Library != "afex" || math.Abs(bs[1].Value-1.367*1024) > 1 {
		t.Errorf("benchstat B/op results = %+v", bs)
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct{ name, scenario, library string }{
		{"Suite/pass/ours/g75", "pass g75", "ours"},
		{"Suite/hystrix-fallback/ours-caller/g1", "hystrix-fallback g1", "ours-caller"},
		{"Suite/memory/1M/afex", "memory/1M", "afex"},
		{"Suite/stream/ours", "stream", "ours"},
	} {
		s, l, ok := split(tc.name)
		if !ok || s != tc.scenario || l != tc.library {
			t.Errorf("split(%q) = %q, %q, %v; want %q, %q", tc.name, s, l, ok, tc.scenario, tc.library)
		}
	}
	if _, _, ok := split("Suite/lonely"); ok {
		t.Error("split accepted a name without a library")
	}
}

func TestParseSI(t *testing.T) {
	for in, want := range map[string]float64{
		"520.0n": 520e-9, "5.500µ": 5.5e-6, "7.000m": 7e-3, "6.394": 6.394,
		"1.367Ki": 1.367 * 1024, "12.79Mi": 12.79 * 1024 * 1024, "6.031k": 6031,
	} {
		got, ok := parseSI(in)
		if !ok || math.Abs(got-want) > want*1e-12 {
			t.Errorf("parseSI(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"±", "∞", "¹", ""} {
		if _, ok := parseSI(in); ok {
			t.Errorf("parseSI(%q) accepted it", in)
		}
	}
}

// The chart is well-formed SVG with one bar per result, a legend entry per
// library, and bars ordered by value on the log axis.
func TestChartSVG(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"-exclude", "memory/", "-title", "t & t", "testdata/raw.txt"}, nil, &out)
	if err != nil {
		t.Fatal(err)
	}
	svg := out.String()
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
	}
	bars := regexp.MustCompile(`<rect class="bar" x="[\d.]+" y="([\d.]+)" width="\d+" height="([\d.]+)"`).FindAllStringSubmatch(svg, -1)
	if len(bars) != 5 {
		t.Fatalf("%d bars, want 5 (memory excluded)\n%s", len(bars), svg)
	}
	for _, lib := range []string{">ours<", ">afex<", ">gozero<", "t &amp; t"} {
		if !strings.Contains(svg, lib) {
			t.Errorf("SVG lacks %s", lib)
		}
	}
	// Bars in order: pass/ours 520 ns, pass/afex 5.5 µs: afex is taller.
	h0, _ := strconv.ParseFloat(bars[0][2], 64)
	h1, _ := strconv.ParseFloat(bars[1][2], 64)
	if !(h1 > h0 && h0 > 0) {
		t.Errorf("afex's bar (%v) is not taller than ours (%v)", h1, h0)
	}
	if !strings.Contains(svg, ">1 µs<") || !strings.Contains(svg, ">10 ms<") {
		t.Errorf("axis lacks decade labels 1 µs and 10 ms")
	}
}

func TestNoData(t *testing.T) {
	err := run([]string{"-metric", "nothing/op", "testdata/raw.txt"}, nil, io.Discard)
	if err == nil {
		t.Error("charting a metric with no values succeeded")
	}
}

// On a linear axis a zero is a bar of no height, kept in its group, and the
// subtitle says which way is better.
func TestLinearChartKeepsZeros(t *testing.T) {
	raw := `BenchmarkOverload/x2/fixed-200-2   1   0 goodput/s   0 p99-ms
BenchmarkOverload/x2/gradient-2    1   983 goodput/s   79.5 p99-ms
BenchmarkOverload/x0.7/fixed-200-2 1   699 goodput/s   11.7 p99-ms
`
	var out bytes.Buffer
	err := run([]string{"-metric", "goodput/s", "-linear", "-higher"}, strings.NewReader(raw), &out)
	if err != nil {
		t.Fatal(err)
	}
	svg := out.String()
	bars := regexp.MustCompile(`<rect class="bar" x="[\d.]+" y="([\d.]+)" width="\d+" height="([\d.]+)"`).FindAllStringSubmatch(svg, -1)
	if len(bars) != 3 {
		t.Fatalf("%d bars, want 3 (the zero kept)\n%s", len(bars), svg)
	}
	if h, _ := strconv.ParseFloat(bars[0][2], 64); h != 0 {
		t.Errorf("the zero's bar is %v high, want 0", h)
	}
	h1, _ := strconv.ParseFloat(bars[1][2], 64)
	h2, _ := strconv.ParseFloat(bars[2][2], 64)
	if r := h1 / h2; r < 1.39 || r > 1.42 {
		t.Errorf("983 and 699 drawn in the ratio %.3f, want %.3f on a linear axis", r, 983.0/699)
	}
	if !strings.Contains(svg, "linear scale") || !strings.Contains(svg, "higher is better") {
		t.Errorf("the subtitle does not say linear scale and higher is better")
	}
	// A log chart of the same drops the zero.
	out.Reset()
	if err := run([]string{"-metric", "goodput/s"}, strings.NewReader(raw), &out); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), `class="bar"`); n != 2 {
		t.Errorf("log chart has %d bars, want 2", n)
	}
}

func TestRoundStep(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{{0.3, 0.5}, {1, 1}, {1.1, 2}, {196.6, 200}, {201, 500}, {999, 1000}, {0, 0}} {
		if got := roundStep(c.in); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("roundStep(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
