package hystrixprom

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The exporter reads the default registry, whose clock is the system's: a
// run that waits for its context is a timeout at a known count, whatever
// the machine's load, and a timeout of 20ms keeps the tests quick.
const shortTimeoutMs = 20

// waitForTimeout is a run function that ends only when its timeout does.
func waitForTimeout(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func timeOut(t *testing.T, name string) {
	t.Helper()
	if err := hystrix.DoC(context.Background(), name, waitForTimeout, nil); !errors.Is(err, hystrix.ErrTimeout) {
		t.Fatalf("%s: %v, want a timeout", name, err)
	}
}

// slowCallConfig tracks slow calls over a volume that the tests never
// reach, so the circuit stays closed: a call is slow past a minute, which
// no quick run takes, and every timeout is slow.
func slowCallConfig() hystrix.CommandConfig {
	return hystrix.CommandConfig{
		Isolation:              hystrix.CallerIsolation,
		Timeout:                shortTimeoutMs,
		RequestVolumeThreshold: 1000,
		Trip:                   hystrix.TripConfig{SlowCallMs: 60000, SlowCallPercent: 90},
	}
}

// fixedDraw throttles with draws of 0.999, above any probability the tests
// reach: nothing is refused, so the counts, and the share, are exact.
func fixedDraw() float64 { return 0.999 }

func TestSlowCallShareIsExportedWhileTracked(t *testing.T) {
	reg, _ := newExporter(t)
	name, plain := cmdName(t), cmdName(t)
	configure(t, name, slowCallConfig())
	if _, _, err := hystrix.GetCircuit(name); err != nil {
		t.Fatal(err)
	}
	if err := hystrix.Do(plain, ok, nil); err != nil {
		t.Fatal(err)
	}
	if v := gaugeValue(t, reg, CircuitSlowCallRatio, name); v != 0 {
		t.Errorf("an empty window's slow-call share %v, want 0", v)
	}
	for range 3 {
		if err := hystrix.Do(name, ok, nil); err != nil {
			t.Fatal(err)
		}
	}
	timeOut(t, name)
	want := fmt.Sprintf(`
# HELP hystrix_circuit_slow_call_ratio Share, 0 to 1, of the calls in the hystrix command's window that were slow; only while its closed circuit tracks slow calls.
# TYPE hystrix_circuit_slow_call_ratio gauge
hystrix_circuit_slow_call_ratio{command=%q} 0.25
`, name)
	// plain tracks no slow calls and has no series.
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), CircuitSlowCallRatio); err != nil {
		t.Error(err)
	}
	if n := seriesCount(t, reg, CircuitThrottleRatio, name); n != 0 {
		t.Errorf("a circuit that does not throttle has %d throttle series", n)
	}
}

func TestSlowCallShareGoesWithTheOpenCircuit(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	cfg := slowCallConfig()
	cfg.RequestVolumeThreshold = 2
	cfg.Trip.SlowCallPercent = 50
	cfg.SleepWindow = 60000
	configure(t, name, cfg)
	timeOut(t, name)
	if v := gaugeValue(t, reg, CircuitSlowCallRatio, name); v != 1 {
		t.Errorf("one timeout: slow-call share %v, want 1", v)
	}
	timeOut(t, name)
	if got := stateOf(t, reg, name); got != "open" {
		t.Fatalf("state %q after two slow calls of two, want open", got)
	}
	if n := seriesCount(t, reg, CircuitSlowCallRatio, name); n != 0 {
		t.Errorf("an open circuit has %d slow-call series, want none", n)
	}
}

func TestThrottleShareIsExportedWhileThrottling(t *testing.T) {
	reg, _ := newExporter(t)
	fromJSON, exact := cmdName(t), cmdName(t)
	configure(t, fromJSON, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Trip: hystrix.TripConfig{AdaptiveK: 2}})
	configure(t, exact, hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation,
		Trip:      hystrix.TripConfig{Policy: policy.AdaptiveThrottle{K: 2, Rand: fixedDraw}},
	})
	if _, _, err := hystrix.GetCircuit(fromJSON); err != nil {
		t.Fatal(err)
	}
	if v := gaugeValue(t, reg, CircuitThrottleRatio, fromJSON); v != 0 {
		t.Errorf("adaptive_k with no calls yet: throttle share %v, want 0", v)
	}
	for range 2 {
		if err := hystrix.Do(exact, ok, nil); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		if err := hystrix.Do(exact, fail, nil); !errors.Is(err, errBoom) {
			t.Fatalf("failure: %v, want it run", err)
		}
	}
	// 12 requests, 2 accepted: (12 - 2*2) / (12 + 1).
	if v, want := gaugeValue(t, reg, CircuitThrottleRatio, exact), 8.0/13; math.Abs(v-want) > 1e-9 {
		t.Errorf("throttle share %v, want %v", v, want)
	}
	if got := stateOf(t, reg, exact); got != "closed" {
		t.Errorf("a throttle has no open state; state %q", got)
	}
	if n := seriesCount(t, reg, CircuitSlowCallRatio, exact); n != 0 {
		t.Errorf("a circuit that tracks no slow calls has %d slow-call series", n)
	}
}

// TestAdaptiveLimitIsExportedAsItMoves follows an AIMD limit down: each
// timeout takes a tenth off, rounded down, and the gauge shows where the
// limit stands rather than the fixed setting it replaces.
func TestAdaptiveLimitIsExportedAsItMoves(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{
		Isolation:              hystrix.CallerIsolation,
		Timeout:                shortTimeoutMs,
		MaxConcurrentRequests:  100,
		RequestVolumeThreshold: 1 << 30,
		Concurrency:            hystrix.ConcurrencyConfig{Adaptive: "aimd", Min: 2, Initial: 10, Max: 50},
	})
	if _, _, err := hystrix.GetCircuit(name); err != nil {
		t.Fatal(err)
	}
	if v := gaugeValue(t, reg, MaxConcurrentRequests, name); v != 10 {
		t.Errorf("limit %v before any call, want the initial 10", v)
	}
	for range 3 {
		timeOut(t, name)
	}
	want := fmt.Sprintf(`
# HELP hystrix_max_concurrent_requests Most executions of the hystrix command allowed at once now, fixed or adaptive; no series when unbounded.
# TYPE hystrix_max_concurrent_requests gauge
hystrix_max_concurrent_requests{command=%q} 7
`, name)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), MaxConcurrentRequests); err != nil {
		t.Error(err)
	}
	for range 20 {
		timeOut(t, name)
	}
	if v := gaugeValue(t, reg, MaxConcurrentRequests, name); v != 2 {
		t.Errorf("limit %v after many timeouts, want the least, 2", v)
	}
}
