package hystrixotel

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// The exporter reads the default registry, whose clock is the system's: a
// run that waits for its context is a timeout at a known count, whatever
// the machine's load, and a timeout of 20ms keeps the tests quick.
const shortTimeoutMs = 20

func timeOut(t *testing.T, name string) {
	t.Helper()
	err := hystrix.DoC(context.Background(), name, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}, nil)
	if !errors.Is(err, hystrix.ErrTimeout) {
		t.Fatalf("%s: %v, want a timeout", name, err)
	}
}

// points counts the command's points of a float gauge.
func points(ms map[string]metricdata.Metrics, metric, name string) int {
	g, _ := ms[metric].Data.(metricdata.Gauge[float64])
	attrs := cmdAttrs(name)
	n := 0
	for _, p := range g.DataPoints {
		if p.Attributes.Equals(&attrs) {
			n++
		}
	}
	return n
}

func TestSlowCallShareIsObservedWhileTracked(t *testing.T) {
	h := newHarness(t)
	name, plain := cmdName(t), cmdName(t)
	// Slow past a minute, which no quick run takes; every timeout is
	// slow. The volume is out of reach, so the circuit stays closed.
	configure(t, name, hystrix.CommandConfig{
		Isolation:              hystrix.CallerIsolation,
		Timeout:                shortTimeoutMs,
		RequestVolumeThreshold: 1000,
		SleepWindow:            60000,
		Trip:                   hystrix.TripConfig{SlowCallMs: 60000, SlowCallPercent: 50},
	})
	if err := hystrix.Do(plain, ok, nil); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := hystrix.Do(name, ok, nil); err != nil {
			t.Fatal(err)
		}
	}
	timeOut(t, name)
	ms := h.collect(t)
	if u := ms[SlowCallRatioName].Unit; u != "1" {
		t.Errorf("slow-call share unit %q, want 1", u)
	}
	if got := floatGauge(t, ms, SlowCallRatioName, cmdAttrs(name)); got != 0.25 {
		t.Errorf("slow-call share %v after 1 timeout in 4 calls, want 0.25", got)
	}
	if n := points(ms, SlowCallRatioName, plain); n != 0 {
		t.Errorf("a circuit that tracks no slow calls has %d slow-call points", n)
	}
	if n := points(ms, ThrottleRatioName, name); n != 0 {
		t.Errorf("a circuit that does not throttle has %d throttle points", n)
	}

	// Down to a volume of 2, which starts an empty window: two timeouts
	// open the circuit, which calls nothing and has no share.
	configure(t, name, hystrix.CommandConfig{
		Isolation:              hystrix.CallerIsolation,
		Timeout:                shortTimeoutMs,
		RequestVolumeThreshold: 2,
		SleepWindow:            60000,
		Trip:                   hystrix.TripConfig{SlowCallMs: 60000, SlowCallPercent: 50},
	})
	timeOut(t, name)
	timeOut(t, name)
	ms = h.collect(t)
	if s := stateOf(t, ms, name); s != "open" {
		t.Fatalf("state %q after slow calls past the threshold, want open", s)
	}
	if n := points(ms, SlowCallRatioName, name); n != 0 {
		t.Errorf("an open circuit has %d slow-call points, want none", n)
	}
}

func TestThrottleShareIsObservedWhileThrottling(t *testing.T) {
	h := newHarness(t)
	fromJSON, exact := cmdName(t), cmdName(t)
	configure(t, fromJSON, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Trip: hystrix.TripConfig{AdaptiveK: 2}})
	// Draws of 0.999, above any probability reached here: nothing is
	// refused, so the counts, and the share, are exact.
	configure(t, exact, hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation,
		Trip:      hystrix.TripConfig{Policy: policy.AdaptiveThrottle{K: 2, Rand: func() float64 { return 0.999 }}},
	})
	if _, _, err := hystrix.GetCircuit(fromJSON); err != nil {
		t.Fatal(err)
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
	ms := h.collect(t)
	if got := floatGauge(t, ms, ThrottleRatioName, cmdAttrs(fromJSON)); got != 0 {
		t.Errorf("adaptive_k with no calls yet: throttle share %v, want 0", got)
	}
	// 12 requests, 2 accepted: (12 - 2*2) / (12 + 1).
	if got, want := floatGauge(t, ms, ThrottleRatioName, cmdAttrs(exact)), 8.0/13; math.Abs(got-want) > 1e-9 {
		t.Errorf("throttle share %v, want %v", got, want)
	}
	if u := ms[ThrottleRatioName].Unit; u != "1" {
		t.Errorf("throttle share unit %q, want 1", u)
	}
	if s := stateOf(t, ms, exact); s != "closed" {
		t.Errorf("a throttle has no open state; state %q", s)
	}
	if n := points(ms, SlowCallRatioName, exact); n != 0 {
		t.Errorf("a circuit that tracks no slow calls has %d slow-call points", n)
	}
}

// TestAdaptiveLimitIsObservedAsItMoves follows an AIMD limit down: each
// timeout takes a tenth off, rounded down, and the gauge shows where the
// limit stands rather than the fixed setting it replaces.
func TestAdaptiveLimitIsObservedAsItMoves(t *testing.T) {
	h := newHarness(t)
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
	if v := intPoint(t, h.collect(t), MaxConcurrentRequestsName, cmdAttrs(name)); v != 10 {
		t.Errorf("limit %d before any call, want the initial 10", v)
	}
	for range 3 {
		timeOut(t, name)
	}
	if v := intPoint(t, h.collect(t), MaxConcurrentRequestsName, cmdAttrs(name)); v != 7 {
		t.Errorf("limit %d after three timeouts, want 10 -> 9 -> 8 -> 7", v)
	}
	for range 20 {
		timeOut(t, name)
	}
	if v := intPoint(t, h.collect(t), MaxConcurrentRequestsName, cmdAttrs(name)); v != 2 {
		t.Errorf("limit %d after many timeouts, want the least, 2", v)
	}
}
