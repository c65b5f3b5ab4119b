package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/gohystrix/hystrix-go/exporters/hystrixotel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// otelMetrics records the commands' metrics with OpenTelemetry (-otel): the
// SDK's MeterProvider with an in-memory reader, so that the figures need no
// collector to be seen.
type otelMetrics struct {
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
	exp    *hystrixotel.Exporter
}

func startOTel() (*otelMetrics, error) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	exp, err := hystrixotel.New(mp)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("starting OpenTelemetry: %w", err), mp.Shutdown(context.Background()))
	}
	return &otelMetrics{reader: reader, mp: mp, exp: exp}, nil
}

// close stops the exporter, then the MeterProvider.
func (o *otelMetrics) close() error {
	return errors.Join(o.exp.Close(), o.mp.Shutdown(context.Background()))
}

// otelCommand is what OpenTelemetry holds for one command.
type otelCommand struct {
	outcomes map[string]int64
	p99      float64 // seconds; NaN without runs
}

// collect reads the reader's figures, by command.
func (o *otelMetrics) collect() (map[string]*otelCommand, error) {
	var rm metricdata.ResourceMetrics
	if err := o.reader.Collect(context.Background(), &rm); err != nil {
		return nil, fmt.Errorf("collecting OpenTelemetry metrics: %w", err)
	}
	out := map[string]*otelCommand{}
	get := func(name string) *otelCommand {
		c := out[name]
		if c == nil {
			c = &otelCommand{outcomes: map[string]int64{}, p99: math.NaN()}
			out[name] = c
		}
		return c
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				if m.Name != hystrixotel.CallsName {
					continue
				}
				for _, p := range d.DataPoints {
					cmd, _ := p.Attributes.Value(hystrixotel.CommandKey)
					oc, _ := p.Attributes.Value(hystrixotel.OutcomeKey)
					get(cmd.AsString()).outcomes[oc.AsString()] += p.Value
				}
			case metricdata.Histogram[float64]:
				if m.Name != hystrixotel.RunDurationName {
					continue
				}
				for _, p := range d.DataPoints {
					cmd, _ := p.Attributes.Value(hystrixotel.CommandKey)
					get(cmd.AsString()).p99 = quantile(0.99, p.Bounds, p.BucketCounts)
				}
			}
		}
	}
	return out, nil
}

// printSummary prints what OpenTelemetry counted, beside the demo's own
// tallies, and whether the two agree.
func (o *otelMetrics) printSummary(out io.Writer, cmds []*command, t *traffic) error {
	got, err := o.collect()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nOpenTelemetry (-otel), read from an in-memory reader:\n")
	fmt.Fprintf(out, "  %-16s %6s %9s %8s %8s %7s %8s %9s\n",
		"COMMAND", "CALLS", "SUCCESSES", "FAILURES", "TIMEOUTS", "SHORTED", "REJECTED", "P99 RUN")
	agree := true
	for _, c := range cmds {
		oc := got[c.name]
		if oc == nil {
			oc = &otelCommand{outcomes: map[string]int64{}, p99: math.NaN()}
		}
		n := oc.outcomes
		var calls int64
		for _, v := range n {
			calls += v
		}
		p99 := "-"
		if !math.IsNaN(oc.p99) {
			p99 = fmt.Sprintf("%.0fms", oc.p99*1000)
		}
		fmt.Fprintf(out, "  %-16s %6d %9d %8d %8d %7d %8d %9s\n", c.name, calls, n["success"], n["failure"],
			n["timeout"], n["short_circuit"], n["rejected"], p99)
		mine := t.tallies[c.name].counts()
		agree = agree && calls == mine.calls && n["success"] == mine.successes && n["failure"] == mine.failures &&
			n["timeout"] == mine.timeouts && n["short_circuit"] == mine.shortCircuits && n["rejected"] == mine.rejected
	}
	if agree {
		fmt.Fprintln(out, "  OpenTelemetry counted every call as the demo did.")
	} else {
		fmt.Fprintln(out, "  OpenTelemetry's counts differ from the demo's.")
	}
	fmt.Fprintf(out, "  P99 RUN: of the whole run, from %s's buckets.\n", hystrixotel.RunDurationName)
	return nil
}

// quantile estimates the q-quantile from explicit buckets as Prometheus's
// histogram_quantile does: linearly inside the bucket that holds the rank.
// counts has one entry more than bounds, for the bucket above the last.
func quantile(q float64, bounds []float64, counts []uint64) float64 {
	var total uint64
	for _, c := range counts {
		total += c
	}
	if total == 0 || len(bounds) == 0 {
		return math.NaN()
	}
	rank := q * float64(total)
	var cum uint64
	for i, c := range counts {
		prev := cum
		cum += c
		if c == 0 || float64(cum) < rank {
			continue
		}
		if i == len(bounds) {
			return bounds[len(bounds)-1]
		}
		lower := 0.0
		if i > 0 {
			lower = bounds[i-1]
		}
		return lower + (bounds[i]-lower)*(rank-float64(prev))/float64(c)
	}
	return bounds[len(bounds)-1]
}
