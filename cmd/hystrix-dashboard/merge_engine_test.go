package main

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// engineEvents reads one round of reg's stream as an upstream would.
func engineEvents(t *testing.T, reg *hystrix.Registry) map[eventKey]event {
	t.Helper()
	round := reg.AppendStreamEvents(nil)
	r := newSSEReader(bytes.NewReader(round), len(round)+1)
	out := map[eventKey]event{}
	for {
		data, err := r.next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		ev, k, err := decodeEvent(data)
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		out[k] = ev
	}
}

// engineHost is a registry of its own, the engine of one host, with a
// command on the slow-call rate and one that throttles.
type engineHost struct {
	reg *hystrix.Registry
	clk *hystrixtest.Clock
}

func newEngineHost(t *testing.T) *engineHost {
	t.Helper()
	reg, clk := hystrixtest.NewRegistry(t)
	for name, cfg := range map[string]hystrix.CommandConfig{
		// Slow past 100ms, over a volume never reached.
		"slow": {Isolation: hystrix.CallerIsolation, Timeout: -1, RequestVolumeThreshold: 1000,
			Trip: hystrix.TripConfig{SlowCallMs: 100, SlowCallPercent: 90}},
		// Draws of 0.999 refuse nothing here, so the shares are exact.
		"throttled": {Isolation: hystrix.CallerIsolation, Timeout: -1,
			Trip: hystrix.TripConfig{Policy: policy.AdaptiveThrottle{K: 2, Rand: func() float64 { return 0.999 }}}},
	} {
		if err := reg.TryConfigureCommand(name, cfg); err != nil {
			t.Fatal(err)
		}
	}
	return &engineHost{reg: reg, clk: clk}
}

// calls runs n calls of the named command, each taking d on the host's
// clock and returning err.
func (h *engineHost) calls(t *testing.T, name string, n int, d time.Duration, err error) {
	t.Helper()
	for range n {
		got := h.reg.Do(name, func() error { h.clk.Add(d); return err }, nil)
		if !errors.Is(got, err) {
			t.Fatalf("%s: %v, want %v", name, got, err)
		}
	}
}

// TestMergesTheEnginesShares merges the events of two engines: the merged
// slowCallPercentage and throttlePercentage are the share among the
// requests of both hosts together, which is what one host with all their
// calls would report.
func TestMergesTheEnginesShares(t *testing.T) {
	boom := errors.New("boom")
	a, b := newEngineHost(t), newEngineHost(t)
	// slow: A has 1 slow call of 4 (25 %), B 3 of 4 (75 %).
	a.calls(t, "slow", 3, time.Millisecond, nil)
	a.calls(t, "slow", 1, 150*time.Millisecond, nil)
	b.calls(t, "slow", 1, time.Millisecond, nil)
	b.calls(t, "slow", 3, 150*time.Millisecond, nil)
	// throttled: A has 12 requests with 2 accepted, (12 - 2*2) / 13 of
	// calls refused; B accepts all of its 4.
	a.calls(t, "throttled", 2, time.Millisecond, nil)
	a.calls(t, "throttled", 10, time.Millisecond, boom)
	b.calls(t, "throttled", 4, time.Millisecond, nil)

	ea, eb := engineEvents(t, a.reg), engineEvents(t, b.reg)
	slowKey, throttleKey := eventKey{"HystrixCommand", "slow"}, eventKey{"HystrixCommand", "throttled"}
	for _, h := range []map[eventKey]event{ea, eb} {
		if _, ok := h[slowKey]["throttlePercentage"]; ok {
			t.Errorf("a command that does not throttle sends throttlePercentage: %v", h[slowKey])
		}
		if _, ok := h[throttleKey]["slowCallPercentage"]; ok {
			t.Errorf("a command that tracks no slow calls sends slowCallPercentage: %v", h[throttleKey])
		}
	}

	slow := merge([]event{ea[slowKey], eb[slowKey]})
	if got := num(t, slow, "slowCallPercentage"); got != 50 {
		t.Errorf("merged slowCallPercentage %v, want 4 slow calls of 8, 50", got)
	}
	throttled := merge([]event{ea[throttleKey], eb[throttleKey]})
	want := (8.0 / 13 * 100 * 12) / 16
	if got := num(t, throttled, "throttlePercentage"); math.Abs(got-want) > 1e-9 {
		t.Errorf("merged throttlePercentage %v, want A's %v weighted by its 12 requests of 16, %v",
			got, num(t, ea[throttleKey], "throttlePercentage"), want)
	}
	if got := num(t, throttled, "requestCount"); got != 16 {
		t.Errorf("merged requestCount %v, want 16", got)
	}
}
