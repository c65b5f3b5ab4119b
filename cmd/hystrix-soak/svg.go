package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// writeSVG draws the samples as two line charts, heap above goroutines,
// sharing the time axis.
func writeSVG(w io.Writer, title string, samples []sample) error {
	const width, chartH, left, right, top, gap = 900, 220, 70, 20, 50, 60
	height := top + 2*chartH + gap + 50
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="28" font-size="16" font-weight="bold">%s</text>`+"\n", left, escapeXML(title))
	var end float64
	if n := len(samples); n > 0 {
		end = samples[n-1].at.Seconds()
	}
	series := []struct {
		label string
		color string
		value func(sample) float64
	}{
		{"heap in use (MiB)", "#1f77b4", func(s sample) float64 { return s.heapMiB }},
		{"goroutines", "#d62728", func(s sample) float64 { return float64(s.goroutines) }},
	}
	for i, s := range series {
		y0 := top + i*(chartH+gap)
		top := 0.0
		for _, x := range samples {
			top = math.Max(top, s.value(x))
		}
		top = niceCeil(top)
		plotW := float64(width - left - right)
		// Axes, grid and labels.
		fmt.Fprintf(&b, `<g class="chart" data-series="%s">`+"\n", escapeXML(s.label))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", left, y0-8, escapeXML(s.label))
		for k := 0; k <= 4; k++ {
			y := float64(y0+chartH) - float64(k)/4*chartH
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", left, y, width-right, y)
			fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", left-6, y+4, trimFloat(top*float64(k)/4))
		}
		for k := 0; k <= 5; k++ {
			x := float64(left) + float64(k)/5*plotW
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%ss</text>`+"\n", x, y0+chartH+16, trimFloat(end*float64(k)/5))
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, y0+chartH, width-right, y0+chartH)
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", left, y0, left, y0+chartH)
		// The line.
		var pts []string
		for _, x := range samples {
			px := float64(left)
			if end > 0 {
				px += x.at.Seconds() / end * plotW
			}
			py := float64(y0 + chartH)
			if top > 0 {
				py -= s.value(x) / top * chartH
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px, py))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n", s.color, strings.Join(pts, " "))
		b.WriteString("</g>\n")
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">time since start</text>`+"\n", width/2, height-12)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string { return strings.TrimSuffix(fmt.Sprintf("%.4g", v), ".0") }

func escapeXML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
