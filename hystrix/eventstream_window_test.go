package hystrix_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// commandEvent returns the HystrixCommand event of the named circuit in one
// round of r's stream.
func commandEvent(t *testing.T, r *hystrix.Registry, name string) map[string]any {
	t.Helper()
	for _, line := range bytes.Split(r.AppendStreamEvents(nil), []byte("\n")) {
		data, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("event %s: %v", data, err)
		}
		if ev["type"] == "HystrixCommand" && ev["name"] == name {
			return ev
		}
	}
	t.Fatalf("no HystrixCommand event for %q", name)
	return nil
}

// filled reads rollingStatsWindowFilledInMilliseconds from the stream.
func filled(t *testing.T, r *hystrix.Registry, name string) float64 {
	t.Helper()
	v, ok := commandEvent(t, r, name)["rollingStatsWindowFilledInMilliseconds"].(float64)
	if !ok {
		t.Fatalf("no rollingStatsWindowFilledInMilliseconds in %q's event", name)
	}
	return v
}

var errWindowDown = errors.New("down")

func TestStreamWindowFilledGrowsFromTheCircuitsMakingUntilTheWindowIsFull(t *testing.T) {
	t.Parallel()
	r, clk := hystrixtest.NewRegistry(t)
	// Made 400ms into a second, so that the oldest bucket's start and the
	// making differ.
	clk.Add(400 * time.Millisecond)
	if err := r.Do("made", func() error { return nil }, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		after time.Duration // since the making
		want  float64
	}{
		{0, 0},
		{250 * time.Millisecond, 250},
		{time.Second, 1000},
		{5*time.Second + 300*time.Millisecond, 5300},
		// 9.5s after the making the window's oldest bucket is the
		// making's second, which holds the counts from the making on.
		{9500 * time.Millisecond, 9500},
		// At 10s after the making, 0.4s into a second, that second has
		// left the window: the counts cover the nine whole seconds before
		// this one and 0.4s of it.
		{10 * time.Second, 9400},
		{time.Minute + 900*time.Millisecond, 9300},
	} {
		clk.Set(hystrixtest.Epoch.Add(400*time.Millisecond + tc.after))
		if got := filled(t, r, "made"); got != tc.want {
			t.Errorf("%v after the circuit was made: window filled %vms, want %vms", tc.after, got, tc.want)
		}
	}
}

func TestStreamWindowFilledStartsAgainWhenAProbeClosesTheCircuit(t *testing.T) {
	t.Parallel()
	r, clk := hystrixtest.NewRegistry(t)
	const name = "reset"
	if err := r.TryConfigureCommand(name, hystrix.CommandConfig{
		RequestVolumeThreshold: 1, ErrorPercentThreshold: 50, SleepWindow: 2000,
	}); err != nil {
		t.Fatal(err)
	}
	c, _, err := r.GetCircuit(name)
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(20 * time.Second) // well past a full window
	if err := r.Do(name, func() error { return errWindowDown }, nil); !errors.Is(err, errWindowDown) {
		t.Fatalf("first call: %v", err)
	}
	if c.State() != hystrix.StateOpen {
		t.Fatalf("circuit %s after a failure, want open", c.State())
	}
	// While open the window is the one the circuit opened on, full.
	if got := filled(t, r, name); got != 9000 {
		t.Errorf("open: window filled %vms, want 9000ms", got)
	}
	clk.Add(2*time.Second + 300*time.Millisecond)
	if err := r.Do(name, func() error { return nil }, nil); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if c.State() != hystrix.StateClosed {
		t.Fatalf("circuit %s after a good probe, want closed", c.State())
	}
	closedAt := clk.Now()
	for _, tc := range []struct {
		after time.Duration
		want  float64
	}{
		{0, 0},
		{1500 * time.Millisecond, 1500},
		{9 * time.Second, 9000},
		{20 * time.Second, 9300},
	} {
		clk.Set(closedAt.Add(tc.after))
		if got := filled(t, r, name); got != tc.want {
			t.Errorf("%v after closing: window filled %vms, want %vms", tc.after, got, tc.want)
		}
	}
	// The rate over the filled part is the true one: one call a second
	// for 3s after a reset reads 1/s, where the whole window would say
	// 0.3/s.
	r2, clk2 := hystrixtest.NewRegistry(t)
	for range 3 {
		if err := r2.Do("steady", func() error { return nil }, nil); err != nil {
			t.Fatal(err)
		}
		clk2.Add(time.Second)
	}
	ev := commandEvent(t, r2, "steady")
	rate := ev["requestCount"].(float64) / (ev["rollingStatsWindowFilledInMilliseconds"].(float64) / 1000)
	if rate != 1 {
		t.Errorf("rate over the filled window %v/s, want 1/s (event %v)", rate, ev)
	}
}
