package hystrixprom

import (
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// runHistogram returns the gathered run-duration histogram of name.
func runHistogram(t *testing.T, reg *prometheus.Registry, name string) *dto.Histogram {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != RunDurationSeconds {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "command" && l.GetValue() == name {
					return m.GetHistogram()
				}
			}
		}
	}
	t.Fatalf("no %s for %s", RunDurationSeconds, name)
	return nil
}

func TestDefaultBucketsAreFineEnoughForTenPercent(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	h := runHistogram(t, reg, name)
	if n := len(h.GetBucket()); n != 101 {
		t.Errorf("%d classic buckets, want 101", n)
	}
	for i, b := range h.GetBucket()[1:] {
		if r := b.GetUpperBound() / h.GetBucket()[i].GetUpperBound(); r > 1.1 {
			t.Errorf("bounds %v apart by a factor %v", b.GetUpperBound(), r)
		}
	}
	if h.GetSchema() != 0 || len(h.GetPositiveSpan()) != 0 {
		t.Error("native buckets without WithNativeHistograms")
	}
}

func TestNativeHistograms(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []Option
		classic int
	}{
		{"with classic buckets", []Option{WithNativeHistograms(1.1)}, 101},
		{"native only", []Option{WithNativeHistograms(1.1), WithBuckets(nil)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, _ := newExporter(t, tc.opts...)
			name := cmdName(t)
			for range 3 {
				if err := hystrix.Do(name, ok, nil); err != nil {
					t.Fatal(err)
				}
			}
			h := runHistogram(t, reg, name)
			// Schema 3: 2^(1/8) ≈ 1.09 from one bucket to the next, the
			// finest at or below 1.1.
			if h.GetSchema() != 3 {
				t.Errorf("schema %d, want 3", h.GetSchema())
			}
			if h.GetSampleCount() != 3 || len(h.GetPositiveSpan()) == 0 {
				t.Errorf("count %d, spans %v: want 3 observations in native buckets", h.GetSampleCount(), h.GetPositiveSpan())
			}
			if n := len(h.GetBucket()); n != tc.classic {
				t.Errorf("%d classic buckets, want %d", n, tc.classic)
			}
		})
	}
}
