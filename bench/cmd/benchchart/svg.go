package main

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// palette gives each library a color, in order of first appearance.
var palette = []string{
	"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
	"#e6ab02", "#a6761d", "#666666", "#1f78b4", "#b2df8a",
}

// chart lays out a grouped bar chart: one group per scenario, one bar per
// library, on a log10 value axis, or a linear one from zero.
type chart struct {
	title, metric string
	scenarios     []string
	libraries     []string
	value         map[[2]string]float64 // scenario, library -> value
	// linear draws a linear axis from zero, on which a zero is a bar of
	// no height; higher says that higher values are better.
	linear, higher bool
}

func newChart(title, metric string, rs []result, linear, higher bool) *chart {
	c := &chart{title: title, metric: metric, value: map[[2]string]float64{}, linear: linear, higher: higher}
	seenS, seenL := map[string]bool{}, map[string]bool{}
	for _, r := range rs {
		if linear && !(r.Value >= 0) || !linear && !(r.Value > 0) {
			continue // a log axis has no place for zero, neither has a linear one for negatives
		}
		if !seenS[r.Scenario] {
			seenS[r.Scenario] = true
			c.scenarios = append(c.scenarios, r.Scenario)
		}
		if !seenL[r.Library] {
			seenL[r.Library] = true
			c.libraries = append(c.libraries, r.Library)
		}
		c.value[[2]string{r.Scenario, r.Library}] = r.Value
	}
	return c
}

const (
	barWidth    = 9
	groupGap    = 14
	plotTop     = 70
	plotHeight  = 360
	leftMargin  = 80
	rightMargin = 20
	labelSpace  = 60
)

// writeSVG renders the chart. Each group holds only the libraries that have
// a value for its scenario.
func (c *chart) writeSVG(w io.Writer) error {
	if len(c.value) == 0 {
		return fmt.Errorf("no values to chart for %s", c.metric)
	}
	ticks, y := c.axis()
	type group struct {
		name  string
		libs  []string
		x, w  float64 // where the group starts, and its width
		barsX float64 // where its first bar starts
	}
	var groups []group
	x := float64(leftMargin + groupGap)
	for _, s := range c.scenarios {
		g := group{name: s, x: x}
		for _, l := range c.libraries {
			if _, ok := c.value[[2]string{s, l}]; ok {
				g.libs = append(g.libs, l)
			}
		}
		// Wide enough for its label too (about 6 px a character).
		name, _, _ := strings.Cut(s, " ")
		bars := float64(len(g.libs) * barWidth)
		g.w = math.Max(bars, float64(6*len(name)))
		g.barsX = g.x + (g.w-bars)/2
		groups = append(groups, g)
		x += g.w + groupGap
	}
	width := int(x) + rightMargin
	legendRows := (len(c.libraries) + 7) / 8
	height := plotTop + plotHeight + labelSpace + legendRows*18 + 10

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", leftMargin, esc(c.title))
	scale, better := "log scale", "lower is better"
	if c.linear {
		scale = "linear scale"
	}
	if c.higher {
		better = "higher is better"
	}
	fmt.Fprintf(&b, `<text x="%d" y="44" font-size="11" fill="#555">%s, %s; median of the samples; %s</text>`+"\n",
		leftMargin, esc(c.metric), scale, better)

	// Axis: a labelled line per tick.
	for _, t := range ticks {
		yy := y(t)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", leftMargin, yy, width-rightMargin, yy)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end">%s</text>`+"\n",
			leftMargin-6, yy+4, esc(formatValue(t, c.metric)))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`+"\n",
		leftMargin, plotTop, leftMargin, plotTop+plotHeight)

	color := map[string]string{}
	for i, l := range c.libraries {
		color[l] = palette[i%len(palette)]
	}
	base := y(ticks[0])
	for _, g := range groups {
		for i, l := range g.libs {
			v := c.value[[2]string{g.name, l}]
			bx, by := g.barsX+float64(i*barWidth), y(v)
			fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`+"\n",
				bx, by, barWidth-1, base-by, color[l], esc(g.name), esc(l), esc(formatValue(v, c.metric)))
		}
		cx := g.x + g.w/2
		name, variant, _ := strings.Cut(g.name, " ")
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>`+"\n", cx, plotTop+plotHeight+14, esc(name))
		if variant != "" {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle" fill="#555">%s</text>`+"\n", cx, plotTop+plotHeight+26, esc(variant))
		}
	}

	// Legend.
	ly := plotTop + plotHeight + labelSpace - 10
	for i, l := range c.libraries {
		lx := leftMargin + (i%8)*110
		ry := ly + (i/8)*18
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/>`+"\n", lx, ry, color[l])
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%s</text>`+"\n", lx+16, ry+11, esc(l))
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func esc(s string) string { return html.EscapeString(s) }

// formatValue writes v in the metric's unit: durations for ns/op, binary
// prefixes for bytes, SI prefixes otherwise.
func formatValue(v float64, metric string) string {
	unit, _, _ := strings.Cut(metric, "/")
	switch unit {
	case "ns":
		for _, u := range []struct {
			name string
			ns   float64
		}{{"s", 1e9}, {"ms", 1e6}, {"µs", 1e3}} {
			if v >= u.ns {
				return trim(v/u.ns) + " " + u.name
			}
		}
		return trim(v) + " ns"
	case "B":
		for _, u := range []struct {
			name string
			b    float64
		}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
			if v >= u.b {
				return trim(v/u.b) + " " + u.name
			}
		}
		return trim(v) + " B"
	}
	for _, u := range []struct {
		name string
		f    float64
	}{{"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if v >= u.f {
			return trim(v/u.f) + u.name
		}
	}
	return trim(v)
}

func trim(v float64) string {
	s := fmt.Sprintf("%.3g", v)
	if strings.ContainsAny(s, "e") {
		s = fmt.Sprintf("%.0f", v)
	}
	return s
}

// axis returns the ticks of the value axis, lowest first, and the function
// that maps a value to its y coordinate: powers of ten on a log axis, or
// five steps of a round size from zero on a linear one.
func (c *chart) axis() ([]float64, func(float64) float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range c.value {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if c.linear {
		step := roundStep(hi / 5)
		top := step * math.Ceil(hi/step)
		if top == 0 {
			top, step = 1, 0.2
		}
		var ticks []float64
		for t := 0.0; t <= top*(1+1e-9); t += step {
			ticks = append(ticks, t)
		}
		return ticks, func(v float64) float64 { return plotTop + plotHeight*(1-v/top) }
	}
	minExp, maxExp := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if maxExp == minExp {
		maxExp++
	}
	var ticks []float64
	for e := minExp; e <= maxExp; e++ {
		ticks = append(ticks, math.Pow(10, e))
	}
	return ticks, func(v float64) float64 {
		return plotTop + plotHeight*(1-(math.Log10(v)-minExp)/(maxExp-minExp))
	}
}

// roundStep rounds v up to 1, 2 or 5 times a power of ten.
func roundStep(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
