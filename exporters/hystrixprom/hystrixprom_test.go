package hystrixprom

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// seq makes command names that no earlier test or -count run has used.
var seq atomic.Int64

func cmdName(t *testing.T) string {
	return fmt.Sprintf("%s_%d", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_")), seq.Add(1))
}

// newExporter registers an exporter on a registry of its own, with no
// circuits from earlier tests around, and removes both when the test ends.
func newExporter(t *testing.T, opts ...Option) (*prometheus.Registry, *Exporter) {
	t.Helper()
	hystrix.Flush()
	reg := prometheus.NewRegistry()
	e, err := Register(reg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.Unregister()
		hystrix.Flush()
	})
	return reg, e
}

func configure(t *testing.T, name string, cfg hystrix.CommandConfig) {
	t.Helper()
	if err := hystrix.TryConfigureCommand(name, cfg); err != nil {
		t.Fatal(err)
	}
}

var errBoom = errors.New("boom")

func ok() error                  { return nil }
func fail() error                { return errBoom }
func badRequest() error          { return hystrix.BadRequest(errBoom) }
func fallbackOK(error) error     { return nil }
func fallbackFail(e error) error { return e }

// TestCountsEveryOutcome drives one command through every outcome and
// checks each lands in its own series, exactly once.
func TestCountsEveryOutcome(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{
		Timeout:                200,
		MaxConcurrentRequests:  1,
		RequestVolumeThreshold: 1000, // never opens
		ErrorPercentThreshold:  50,
		SleepWindow:            1000,
		Isolation:              hystrix.CallerIsolation,
	})

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(hystrix.Do(name, ok, nil))
	must(hystrix.Do(name, ok, nil))
	must(hystrix.Do(name, fail, fallbackOK))
	if err := hystrix.Do(name, fail, fallbackFail); err == nil {
		t.Fatal("failing fallback: no error")
	}
	// A run that waits for its context ends at the 200ms timeout, long
	// enough that no quick run times out on a loaded machine.
	if err := hystrix.DoC(context.Background(), name, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}, nil); !errors.Is(err, hystrix.ErrTimeout) {
		t.Fatalf("timeout: %v", err)
	}
	// A run holding the only ticket makes the next call rejected.
	started, release := make(chan struct{}), make(chan struct{})
	done := hystrix.Go(name, func() error {
		close(started)
		<-release
		return nil
	}, nil)
	<-started
	if err := hystrix.Do(name, ok, nil); !errors.Is(err, hystrix.ErrMaxConcurrency) {
		t.Fatalf("rejected: %v", err)
	}
	close(release)
	waitActive(t, name, 0)
	select {
	case err := <-done:
		t.Fatalf("held run: %v", err)
	default:
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := hystrix.DoC(canceled, name, func(context.Context) error { return nil }, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %v", err)
	}
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	if err := hystrix.DoC(expired, name, func(context.Context) error { return nil }, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	// A bad request comes back as it is, without the fallback.
	if err := hystrix.Do(name, badRequest, fallbackOK); !errors.Is(err, errBoom) || !hystrix.IsBadRequest(err) {
		t.Fatalf("bad request: %v", err)
	}

	// The held run is recorded after its run returns, on its goroutine.
	waitCount(t, reg, name, OutcomeSuccess, 3)
	want := fmt.Sprintf(`
# HELP hystrix_calls_total Executions of the hystrix command, by outcome: success, failure, rejected, short_circuit, timeout, context_canceled, context_deadline_exceeded or bad_request.
# TYPE hystrix_calls_total counter
hystrix_calls_total{command=%[1]q,outcome="bad_request"} 1
hystrix_calls_total{command=%[1]q,outcome="context_canceled"} 1
hystrix_calls_total{command=%[1]q,outcome="context_deadline_exceeded"} 1
hystrix_calls_total{command=%[1]q,outcome="failure"} 2
hystrix_calls_total{command=%[1]q,outcome="rejected"} 1
hystrix_calls_total{command=%[1]q,outcome="short_circuit"} 0
hystrix_calls_total{command=%[1]q,outcome="success"} 3
hystrix_calls_total{command=%[1]q,outcome="timeout"} 1
# HELP hystrix_fallback_calls_total Fallbacks of the hystrix command that ran, by result: success or failure.
# TYPE hystrix_fallback_calls_total counter
hystrix_fallback_calls_total{command=%[1]q,result="failure"} 1
hystrix_fallback_calls_total{command=%[1]q,result="success"} 1
# HELP hystrix_concurrent_executions Executions of the hystrix command holding a concurrency ticket now.
# TYPE hystrix_concurrent_executions gauge
hystrix_concurrent_executions{command=%[1]q} 0
# HELP hystrix_max_concurrent_requests Most executions of the hystrix command allowed at once now, fixed or adaptive; no series when unbounded.
# TYPE hystrix_max_concurrent_requests gauge
hystrix_max_concurrent_requests{command=%[1]q} 1
# HELP hystrix_timeout_seconds Timeout of the hystrix command's run function; no series when it has none.
# TYPE hystrix_timeout_seconds gauge
hystrix_timeout_seconds{command=%[1]q} 0.2
# HELP hystrix_error_threshold_ratio Error ratio, 0 to 1, at or above which the hystrix command's circuit opens.
# TYPE hystrix_error_threshold_ratio gauge
hystrix_error_threshold_ratio{command=%[1]q} 0.5
# HELP hystrix_request_volume_threshold Executions the rolling window must hold before the hystrix command's circuit may open.
# TYPE hystrix_request_volume_threshold gauge
hystrix_request_volume_threshold{command=%[1]q} 1000
# HELP hystrix_sleep_window_seconds How long the hystrix command's open circuit waits before letting a probe through.
# TYPE hystrix_sleep_window_seconds gauge
hystrix_sleep_window_seconds{command=%[1]q} 1
# HELP hystrix_circuit_state 1 for the state the hystrix command's circuit is in (closed, open or half_open), 0 for the others.
# TYPE hystrix_circuit_state gauge
hystrix_circuit_state{command=%[1]q,state="closed"} 1
hystrix_circuit_state{command=%[1]q,state="half_open"} 0
hystrix_circuit_state{command=%[1]q,state="open"} 0
# HELP hystrix_force_open 1 if the hystrix command is configured to refuse every execution (force_open), else 0.
# TYPE hystrix_force_open gauge
hystrix_force_open{command=%[1]q} 0
# HELP hystrix_force_closed 1 if the hystrix command is configured to run every execution whatever its health (force_closed), else 0.
# TYPE hystrix_force_closed gauge
hystrix_force_closed{command=%[1]q} 0
`, name)
	// A circuit that is not ramping has no admitted rate, and one without
	// those policies no slow-call or throttle share.
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		CallsTotal, FallbackCallsTotal, ConcurrentExecutions, MaxConcurrentRequests, TimeoutSeconds,
		ErrorThresholdRatio, RequestVolumeThreshold, SleepWindowSeconds, CircuitState,
		CircuitAdmittedPerMinute, CircuitSlowCallRatio, CircuitThrottleRatio, ForceOpen, ForceClosed); err != nil {
		t.Error(err)
	}

	// Every one of the 10 executions has a total duration; the 7 whose run
	// function ran (3 successes, 2 failures, 1 timeout, 1 bad request) a
	// run duration.
	if n := histogramCount(t, reg, TotalDurationSeconds, name); n != 10 {
		t.Errorf("total duration count %d, want 10", n)
	}
	if n := histogramCount(t, reg, RunDurationSeconds, name); n != 7 {
		t.Errorf("run duration count %d, want 7", n)
	}
	if sum := histogramSum(t, reg, RunDurationSeconds, name); sum < 0.2 {
		t.Errorf("run duration sum %vs, want at least the 200ms timeout", sum)
	}
}

// TestCircuitStateAndResetKeepCounters opens a circuit, short-circuits a
// call, lets a probe close it (which resets the circuit's collectors) and
// checks that the counters kept counting from where they were.
func TestCircuitStateAndResetKeepCounters(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{
		Timeout:                1000,
		MaxConcurrentRequests:  -1,
		RequestVolumeThreshold: 1,
		ErrorPercentThreshold:  1,
		SleepWindow:            20,
	})

	_ = hystrix.Do(name, fail, nil)
	if err := hystrix.Do(name, ok, nil); !errors.Is(err, hystrix.ErrCircuitOpen) {
		t.Fatalf("after a failure: %v, want the circuit open", err)
	}
	if got := stateOf(t, reg, name); got != "open" {
		t.Errorf("state %q, want open", got)
	}
	if n := seriesCount(t, reg, MaxConcurrentRequests, name); n != 0 {
		t.Errorf("unbounded concurrency has %d limit series, want none", n)
	}
	// The failure opened it; the short circuit after it says nothing
	// about the dependency and is left out.
	if v := gaugeValue(t, reg, CircuitErrorRatio, name); v != 1 {
		t.Errorf("error ratio %v after one failure and one short circuit, want 1", v)
	}

	time.Sleep(30 * time.Millisecond)
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if got := stateOf(t, reg, name); got != "closed" {
		t.Errorf("state %q after a successful probe, want closed", got)
	}
	for outcome, want := range map[string]float64{OutcomeFailure: 1, OutcomeShortCircuit: 1, OutcomeSuccess: 1} {
		if got := countOf(t, reg, name, outcome); got != want {
			t.Errorf("%s: %v, want %v", outcome, got, want)
		}
	}
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	if got := countOf(t, reg, name, OutcomeSuccess); got != 2 {
		t.Errorf("successes after the reset: %v, want 2", got)
	}
}

// TestHalfOpenState catches a circuit while its probe runs.
func TestHalfOpenState(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{
		Timeout:                2000,
		RequestVolumeThreshold: 1,
		ErrorPercentThreshold:  1,
		SleepWindow:            10,
	})
	_ = hystrix.Do(name, fail, nil)
	time.Sleep(20 * time.Millisecond)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- hystrix.Do(name, func() error {
			close(started)
			<-release
			return nil
		}, nil)
	}()
	<-started
	if got := stateOf(t, reg, name); got != StateHalfOpen {
		t.Errorf("state %q while the probe runs, want half_open", got)
	}
	if n := seriesCount(t, reg, CircuitAdmittedPerMinute, name); n != 0 {
		t.Errorf("a single probe's circuit has %d admitted-rate series, want none: it does not ramp", n)
	}
	if v := gaugeValue(t, reg, ConcurrentExecutions, name); v != 1 {
		t.Errorf("concurrent executions %v while the probe runs, want 1", v)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := stateOf(t, reg, name); got != "closed" {
		t.Errorf("state %q after the probe, want closed", got)
	}
}

// rampConfig opens on the second failure in a row and, sleepMs later,
// ramps up from 30 executions a minute in stages of a minute, longer than
// any test: the circuit stays half-open until an admitted execution fails.
func rampConfig(sleepMs int) hystrix.CommandConfig {
	return hystrix.CommandConfig{
		Timeout:     1000,
		SleepWindow: sleepMs,
		Trip:        hystrix.TripConfig{ConsecutiveFailures: 1},
		Recovery:    hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StartPerMinute: 30, Factor: 2, StageMs: 60000}},
	}
}

// startRamp opens the named circuit, configured with rampConfig, with two
// failures in a row.
func startRamp(t *testing.T, name string, sleepMs int) {
	t.Helper()
	configure(t, name, rampConfig(sleepMs))
	_ = hystrix.Do(name, fail, nil)
	_ = hystrix.Do(name, fail, nil)
}

// waitHalfOpen waits for the named circuit's sleep window to end.
func waitHalfOpen(t *testing.T, name string) {
	t.Helper()
	c, _, _ := hystrix.GetCircuit(name)
	deadline := time.Now().Add(5 * time.Second)
	for c.State() != hystrix.StateHalfOpen {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v after 5s, want half-open", name, c.State())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRampingCircuitExportsItsAdmittedRate follows a circuit on the ramp-up
// recovery: it has an admitted rate while it ramps, and none once an
// admitted failure opens it again.
func TestRampingCircuitExportsItsAdmittedRate(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	// A sleep window long enough to look at the open circuit.
	startRamp(t, name, 300)
	if got := stateOf(t, reg, name); got != "open" {
		t.Fatalf("state %q after two failures in a row, want open", got)
	}
	if n := seriesCount(t, reg, CircuitAdmittedPerMinute, name); n != 0 {
		t.Errorf("an open circuit has %d admitted-rate series, want none", n)
	}

	waitHalfOpen(t, name)
	want := fmt.Sprintf(`
# HELP hystrix_circuit_admitted_per_minute Executions a minute that the hystrix command's half-open circuit admits now as it ramps up; only while it ramps.
# TYPE hystrix_circuit_admitted_per_minute gauge
hystrix_circuit_admitted_per_minute{command=%q} 30
`, name)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), CircuitAdmittedPerMinute); err != nil {
		t.Error(err)
	}

	// The bucket starts with one execution in it: the first is admitted,
	// and its failure opens the circuit again.
	if err := hystrix.Do(name, fail, nil); !errors.Is(err, errBoom) {
		t.Fatalf("first execution of the ramp: %v, want it run", err)
	}
	if got := stateOf(t, reg, name); got != "open" {
		t.Errorf("state %q after an admitted failure, want open", got)
	}
	if n := seriesCount(t, reg, CircuitAdmittedPerMinute, name); n != 0 {
		t.Errorf("reopened circuit has %d admitted-rate series, want none", n)
	}
}

func TestForceSettings(t *testing.T) {
	reg, _ := newExporter(t)
	open, closed := cmdName(t), cmdName(t)
	configure(t, open, hystrix.CommandConfig{ForceOpen: true})
	configure(t, closed, hystrix.CommandConfig{ForceClosed: true})
	if err := hystrix.Do(open, ok, nil); !errors.Is(err, hystrix.ErrCircuitOpen) {
		t.Fatalf("forced open: %v", err)
	}
	if err := hystrix.Do(closed, ok, nil); err != nil {
		t.Fatalf("forced closed: %v", err)
	}
	for _, tc := range []struct {
		name                   string
		forceOpen, forceClosed float64
	}{{open, 1, 0}, {closed, 0, 1}} {
		if v := gaugeValue(t, reg, ForceOpen, tc.name); v != tc.forceOpen {
			t.Errorf("%s: %s %v, want %v", tc.name, ForceOpen, v, tc.forceOpen)
		}
		if v := gaugeValue(t, reg, ForceClosed, tc.name); v != tc.forceClosed {
			t.Errorf("%s: %s %v, want %v", tc.name, ForceClosed, v, tc.forceClosed)
		}
	}
	if got := countOf(t, reg, open, OutcomeShortCircuit); got != 1 {
		t.Errorf("forced open: %v short circuits, want 1", got)
	}
}

// TestUnboundedLimitsHaveNoSeries pins the absence that replaced the old
// -1: a number would compare falsely with the executions and durations.
func TestUnboundedLimitsHaveNoSeries(t *testing.T) {
	reg, _ := newExporter(t)
	name, bounded := cmdName(t), cmdName(t)
	configure(t, name, hystrix.CommandConfig{Timeout: -1, MaxConcurrentRequests: -1})
	configure(t, bounded, hystrix.CommandConfig{Timeout: 250, MaxConcurrentRequests: 7})
	for _, n := range []string{name, bounded} {
		if _, _, err := hystrix.GetCircuit(n); err != nil {
			t.Fatal(err)
		}
	}
	for _, metric := range []string{TimeoutSeconds, MaxConcurrentRequests} {
		if n := seriesCount(t, reg, metric, name); n != 0 {
			t.Errorf("%s: %d series for an unbounded circuit, want none", metric, n)
		}
	}
	if v := gaugeValue(t, reg, TimeoutSeconds, bounded); v != 0.25 {
		t.Errorf("timeout %v, want 0.25", v)
	}
	if v := gaugeValue(t, reg, MaxConcurrentRequests, bounded); v != 7 {
		t.Errorf("limit %v, want 7", v)
	}
}

// TestErrorRatioFollowsTheWindow checks the rolling error ratio against
// the counts the circuit judges: bad requests are left out, and the ratio
// is compared with a threshold on the same 0 to 1 scale.
func TestErrorRatioFollowsTheWindow(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{RequestVolumeThreshold: 1000, ErrorPercentThreshold: 40})
	if _, _, err := hystrix.GetCircuit(name); err != nil {
		t.Fatal(err)
	}
	if v := gaugeValue(t, reg, CircuitErrorRatio, name); v != 0 {
		t.Errorf("empty window: error ratio %v, want 0", v)
	}
	for range 3 {
		if err := hystrix.Do(name, ok, nil); err != nil {
			t.Fatal(err)
		}
	}
	_ = hystrix.Do(name, fail, fallbackOK)
	_ = hystrix.Do(name, badRequest, nil)
	if v := gaugeValue(t, reg, CircuitErrorRatio, name); v != 0.25 {
		t.Errorf("error ratio %v after 3 successes, 1 failure and 1 bad request, want 0.25", v)
	}
	if v := gaugeValue(t, reg, ErrorThresholdRatio, name); v != 0.4 {
		t.Errorf("threshold %v, want 0.4", v)
	}
}

func TestRegisterTwiceOnOneRegistryFails(t *testing.T) {
	reg, _ := newExporter(t)
	_, err := Register(reg)
	var are prometheus.AlreadyRegisteredError
	if !errors.As(err, &are) {
		t.Fatalf("second Register: %v, want an AlreadyRegisteredError", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("second MustRegister did not panic")
			}
		}()
		MustRegister(reg)
	}()

	// The failed registrations added no collector: one call counts once.
	name := cmdName(t)
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	if got := countOf(t, reg, name, OutcomeSuccess); got != 1 {
		t.Errorf("success counted %v times, want once", got)
	}
}

func TestTwoRegistriesCountIndependently(t *testing.T) {
	reg1, _ := newExporter(t)
	reg2 := prometheus.NewRegistry()
	e2 := MustRegister(reg2, WithConstLabels(prometheus.Labels{"service": "shop"}))
	defer e2.Unregister()

	name := cmdName(t)
	for range 3 {
		if err := hystrix.Do(name, ok, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := countOf(t, reg1, name, OutcomeSuccess); got != 3 {
		t.Errorf("first registry: %v successes, want 3", got)
	}
	want := fmt.Sprintf(`
# HELP hystrix_fallback_calls_total Fallbacks of the hystrix command that ran, by result: success or failure.
# TYPE hystrix_fallback_calls_total counter
hystrix_fallback_calls_total{command=%[1]q,result="failure",service="shop"} 0
hystrix_fallback_calls_total{command=%[1]q,result="success",service="shop"} 0
`, name)
	if err := testutil.GatherAndCompare(reg2, strings.NewReader(want), FallbackCallsTotal); err != nil {
		t.Error(err)
	}
}

func TestUnregisterStopsRecording(t *testing.T) {
	hystrix.Flush()
	t.Cleanup(hystrix.Flush)
	reg := prometheus.NewRegistry()
	e := MustRegister(reg)
	name := cmdName(t)
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	c, _, _ := hystrix.GetCircuit(name)
	if !e.Unregister() {
		t.Error("first Unregister reported nothing registered")
	}
	if e.Unregister() {
		t.Error("second Unregister reported something registered")
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 0 {
		t.Errorf("after Unregister the registry gathers %d series (%v), want none", n, err)
	}
	// The circuit's collector is still called, and records nothing.
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(e.collector.calls.WithLabelValues(name, OutcomeSuccess)); got != 1 {
		t.Errorf("success counted %v times after Unregister, want the 1 from before", got)
	}
	if c.Name != name {
		t.Fatal(c.Name)
	}
	// New circuits get no collector from the stopped exporter.
	if mc := e.newCircuitCollector("later"); mc != nil {
		t.Errorf("stopped exporter made collector %T", mc)
	}

	// The registry is free for a new exporter.
	e2, err := Register(reg)
	if err != nil {
		t.Fatalf("Register after Unregister: %v", err)
	}
	e2.Unregister()
}

func TestRejectsBadOptions(t *testing.T) {
	if _, err := Register(nil); err == nil {
		t.Error("nil registerer: no error")
	}
	reg := prometheus.NewRegistry()
	if _, err := Register(reg, WithBuckets([]float64{1, 0.5})); err == nil {
		t.Error("unsorted buckets: no error")
	}
	if _, err := Register(reg, WithConstLabels(prometheus.Labels{"command": "x"})); err == nil {
		t.Error("const label command: no error")
	}
	if _, err := Register(reg, WithBuckets(nil)); err == nil {
		t.Error("no buckets and no native histograms: no error")
	}
	for _, f := range []float64{0, 1, -2, math.NaN()} {
		if _, err := Register(reg, WithNativeHistograms(f)); err == nil {
			t.Errorf("native bucket factor %v: no error", f)
		}
	}
	// Nothing was left registered by the failures.
	e, err := Register(reg, WithBuckets([]float64{0.1, 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Unregister()
	hystrix.Flush()
	defer hystrix.Flush()
	name := cmdName(t)
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	// The run took some time, so compare the buckets, not the sum.
	got, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range got {
		if mf.GetName() != RunDurationSeconds {
			continue
		}
		h := mf.GetMetric()[0].GetHistogram()
		var bounds []float64
		for _, b := range h.GetBucket() {
			bounds = append(bounds, b.GetUpperBound())
			if b.GetCumulativeCount() != 1 {
				t.Errorf("bucket le=%v holds %d, want 1", b.GetUpperBound(), b.GetCumulativeCount())
			}
		}
		if fmt.Sprint(bounds) != "[0.1 1]" {
			t.Errorf("buckets %v, want [0.1 1]", bounds)
		}
		return
	}
	t.Errorf("no %s gathered", RunDurationSeconds)
}

func TestResetDoesNotLowerCounters(t *testing.T) {
	reg, e := newExporter(t)
	cc := e.collector.forCommand("direct")
	cc.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, TotalDuration: time.Millisecond, RunDuration: time.Millisecond})
	cc.Reset()
	cc.Update(metricCollector.MetricResult{Attempts: 1, Errors: 1, Rejects: 1, FallbackSuccesses: 1})
	if got := countOf(t, reg, "direct", OutcomeSuccess); got != 1 {
		t.Errorf("success %v after Reset, want 1", got)
	}
	if got := countOf(t, reg, "direct", OutcomeRejected); got != 1 {
		t.Errorf("rejected %v, want 1", got)
	}
	if n := histogramCount(t, reg, RunDurationSeconds, "direct"); n != 1 {
		t.Errorf("a rejection was given a run duration: count %d, want 1", n)
	}
}

// TestConcurrentExecutions runs many goroutines through one command while
// scraping, for the race detector, and checks nothing is lost.
func TestConcurrentExecutions(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{MaxConcurrentRequests: -1, RequestVolumeThreshold: 100000})
	const workers, each = 8, 200
	var wg sync.WaitGroup
	stop := make(chan struct{})
	scraped := make(chan struct{})
	go func() {
		defer close(scraped)
		for {
			select {
			case <-stop:
				return
			default:
				if _, err := reg.Gather(); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if (w+i)%4 == 0 {
					_ = hystrix.Do(name, fail, fallbackOK)
				} else {
					_ = hystrix.Do(name, ok, nil)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-scraped
	total := countOf(t, reg, name, OutcomeSuccess) + countOf(t, reg, name, OutcomeFailure)
	if total != workers*each {
		t.Errorf("counted %v executions, want %d", total, workers*each)
	}
	if n := histogramCount(t, reg, TotalDurationSeconds, name); n != workers*each {
		t.Errorf("total duration count %d, want %d", n, workers*each)
	}
}

func TestLint(t *testing.T) {
	reg, _ := newExporter(t)
	name := cmdName(t)
	_ = hystrix.Do(name, fail, fallbackOK)
	// A ramping circuit, for the one metric that only it has.
	ramping := cmdName(t)
	startRamp(t, ramping, 10)
	waitHalfOpen(t, ramping)
	// And one of each for the shares that only they have.
	slow, throttled := cmdName(t), cmdName(t)
	configure(t, slow, slowCallConfig())
	configure(t, throttled, hystrix.CommandConfig{Trip: hystrix.TripConfig{AdaptiveK: 2}})
	for _, n := range []string{slow, throttled} {
		if err := hystrix.Do(n, ok, nil); err != nil {
			t.Fatal(err)
		}
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	// Every documented name is exposed.
	got, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, mf := range got {
		seen[mf.GetName()] = true
	}
	for _, n := range MetricNames {
		if !seen[n] {
			t.Errorf("%s is not exposed", n)
		}
	}
	if len(seen) != len(MetricNames) {
		t.Errorf("exposed %d metrics, MetricNames lists %d", len(seen), len(MetricNames))
	}
}

// waitActive waits for the command's executions in flight to drop to n.
func waitActive(t *testing.T, name string, n int) {
	t.Helper()
	c, _, _ := hystrix.GetCircuit(name)
	deadline := time.Now().Add(5 * time.Second)
	for c.ActiveCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d executions in flight, want %d", name, c.ActiveCount(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitCount waits for a counter to reach want; executions finishing on
// other goroutines are recorded there.
func waitCount(t *testing.T, reg *prometheus.Registry, name, outcome string, want float64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for countOf(t, reg, name, outcome) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s %s: %v, want %v", name, outcome, countOf(t, reg, name, outcome), want)
		}
		time.Sleep(time.Millisecond)
	}
}

// seriesCount returns how many series of metric the command has.
func seriesCount(t *testing.T, reg *prometheus.Registry, metric, name string) int {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		if mf.GetName() != metric {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "command" && l.GetValue() == name {
					n++
				}
			}
		}
	}
	return n
}

func countOf(t *testing.T, reg *prometheus.Registry, name, outcome string) float64 {
	t.Helper()
	return value(t, reg, CallsTotal, map[string]string{"command": name, "outcome": outcome}, func(m metricValue) float64 { return m.counter })
}

func gaugeValue(t *testing.T, reg *prometheus.Registry, metric, name string) float64 {
	t.Helper()
	return value(t, reg, metric, map[string]string{"command": name}, func(m metricValue) float64 { return m.gauge })
}

func histogramCount(t *testing.T, reg *prometheus.Registry, metric, name string) uint64 {
	t.Helper()
	return uint64(value(t, reg, metric, map[string]string{"command": name}, func(m metricValue) float64 { return float64(m.count) }))
}

func histogramSum(t *testing.T, reg *prometheus.Registry, metric, name string) float64 {
	t.Helper()
	return value(t, reg, metric, map[string]string{"command": name}, func(m metricValue) float64 { return m.sum })
}

// stateOf returns the state whose one-hot series is 1, failing the test
// unless exactly one is.
func stateOf(t *testing.T, reg *prometheus.Registry, name string) string {
	t.Helper()
	var on []string
	for _, s := range states {
		if value(t, reg, CircuitState, map[string]string{"command": name, "state": s}, func(m metricValue) float64 { return m.gauge }) == 1 {
			on = append(on, s)
		}
	}
	if len(on) != 1 {
		t.Fatalf("%s: states at 1: %v, want exactly one", name, on)
	}
	return on[0]
}

type metricValue struct {
	counter, gauge, sum float64
	count               uint64
}

// value gathers reg and returns f of the one series of metric whose labels
// include labels.
func value(t *testing.T, reg *prometheus.Registry, metric string, labels map[string]string, f func(metricValue) float64) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != metric {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue next
				}
			}
			return f(metricValue{
				counter: m.GetCounter().GetValue(),
				gauge:   m.GetGauge().GetValue(),
				sum:     m.GetHistogram().GetSampleSum(),
				count:   m.GetHistogram().GetSampleCount(),
			})
		}
	}
	t.Fatalf("no %s series with labels %v", metric, labels)
	return 0
}

func TestNamesThatAreNotUTF8AreEscapedAndKeptApart(t *testing.T) {
	reg, _ := newExporter(t)
	base := cmdName(t)
	a, b := base+"\xff", base+"\xfe"
	for _, n := range []string{a, b} {
		if err := hystrix.Do(n, ok, nil); err != nil {
			t.Fatal(err)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("scrape failed: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range families {
		if f.GetName() != CallsTotal {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "command" {
					seen[l.GetValue()] = true
				}
			}
		}
	}
	for _, n := range []string{a, b} {
		if !seen[hystrix.StreamName(n)] {
			t.Errorf("no series for %q (as %q); have %v", n, hystrix.StreamName(n), seen)
		}
	}
}
