package hystrixotel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var seq atomic.Int64

func cmdName(t *testing.T) string {
	return fmt.Sprintf("%s_%d", strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_")), seq.Add(1))
}

// harness is an exporter on a MeterProvider of its own with a manual
// reader, and no circuits from earlier tests around.
type harness struct {
	reader *sdkmetric.ManualReader
	exp    *Exporter
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	hystrix.Flush()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	exp, err := New(mp, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := exp.Close(); err != nil {
			t.Error(err)
		}
		hystrix.Flush()
		if err := mp.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return &harness{reader: reader, exp: exp}
}

// collect returns the exporter's metrics by name.
func (h *harness) collect(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := h.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != ScopeName {
			t.Errorf("scope %q, want %q", sm.Scope.Name, ScopeName)
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

func cmdAttrs(name string, kvs ...attribute.KeyValue) attribute.Set {
	return attribute.NewSet(append([]attribute.KeyValue{CommandKey.String(name)}, kvs...)...)
}

// intPoint returns the value of the int64 sum or gauge point with attrs.
func intPoint(t *testing.T, ms map[string]metricdata.Metrics, metric string, attrs attribute.Set) int64 {
	t.Helper()
	var points []metricdata.DataPoint[int64]
	switch d := ms[metric].Data.(type) {
	case metricdata.Sum[int64]:
		points = d.DataPoints
	case metricdata.Gauge[int64]:
		points = d.DataPoints
	default:
		t.Fatalf("%s: data %T", metric, ms[metric].Data)
	}
	for _, p := range points {
		if p.Attributes.Equals(&attrs) {
			return p.Value
		}
	}
	t.Fatalf("%s: no point with %v", metric, attrs.Encoded(attribute.DefaultEncoder()))
	return 0
}

func floatGauge(t *testing.T, ms map[string]metricdata.Metrics, metric string, attrs attribute.Set) float64 {
	t.Helper()
	g, ok := ms[metric].Data.(metricdata.Gauge[float64])
	if !ok {
		t.Fatalf("%s: data %T", metric, ms[metric].Data)
	}
	for _, p := range g.DataPoints {
		if p.Attributes.Equals(&attrs) {
			return p.Value
		}
	}
	t.Fatalf("%s: no point with %v", metric, attrs.Encoded(attribute.DefaultEncoder()))
	return 0
}

func histogram(t *testing.T, ms map[string]metricdata.Metrics, metric string, attrs attribute.Set) metricdata.HistogramDataPoint[float64] {
	t.Helper()
	h, ok := ms[metric].Data.(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("%s: data %T", metric, ms[metric].Data)
	}
	for _, p := range h.DataPoints {
		if p.Attributes.Equals(&attrs) {
			return p
		}
	}
	t.Fatalf("%s: no point with %v", metric, attrs.Encoded(attribute.DefaultEncoder()))
	return metricdata.HistogramDataPoint[float64]{}
}

func stateOf(t *testing.T, ms map[string]metricdata.Metrics, name string) string {
	t.Helper()
	var on []string
	for _, s := range states {
		if intPoint(t, ms, CircuitStateName, cmdAttrs(name, StateKey.String(s))) == 1 {
			on = append(on, s)
		}
	}
	if len(on) != 1 {
		t.Fatalf("%s: states at 1: %v, want exactly one", name, on)
	}
	return on[0]
}

var errBoom = errors.New("boom")

func ok() error                  { return nil }
func fail() error                { return errBoom }
func badRequest() error          { return hystrix.BadRequest(errBoom) }
func fallbackOK(error) error     { return nil }
func fallbackFail(e error) error { return e }

func configure(t *testing.T, name string, cfg hystrix.CommandConfig) {
	t.Helper()
	if err := hystrix.TryConfigureCommand(name, cfg); err != nil {
		t.Fatal(err)
	}
}

func TestRecordsEveryOutcome(t *testing.T) {
	h := newHarness(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{
		Timeout:                200,
		MaxConcurrentRequests:  1,
		RequestVolumeThreshold: 1000,
		ErrorPercentThreshold:  50,
		SleepWindow:            1500,
		Isolation:              hystrix.CallerIsolation,
	})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(hystrix.Do(name, ok, nil))
	must(hystrix.Do(name, fail, fallbackOK))
	if err := hystrix.Do(name, fail, fallbackFail); err == nil {
		t.Fatal("failing fallback: no error")
	}
	if err := hystrix.DoC(context.Background(), name, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}, nil); !errors.Is(err, hystrix.ErrTimeout) {
		t.Fatalf("timeout: %v", err)
	}
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- hystrix.Do(name, func() error {
			close(started)
			<-release
			return nil
		}, nil)
	}()
	<-started
	if ms := h.collect(t); intPoint(t, ms, ConcurrentExecutionsName, cmdAttrs(name)) != 1 {
		t.Error("the held run is not counted as in flight")
	}
	if err := hystrix.Do(name, ok, nil); !errors.Is(err, hystrix.ErrMaxConcurrency) {
		t.Fatalf("rejected: %v", err)
	}
	close(release)
	must(<-done)
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

	ms := h.collect(t)
	want := map[string]int64{
		"success": 2, "failure": 2, "rejected": 1, "short_circuit": 0, "timeout": 1,
		"context_canceled": 1, "context_deadline_exceeded": 1, "bad_request": 1,
	}
	if len(want) != len(Outcomes) {
		t.Fatalf("the test knows %d outcomes, the exporter %d", len(want), len(Outcomes))
	}
	var points []metricdata.DataPoint[int64]
	for _, o := range Outcomes {
		points = append(points, metricdata.DataPoint[int64]{Attributes: cmdAttrs(name, OutcomeKey.String(o)), Value: want[o]})
	}
	metricdatatest.AssertEqual(t, metricdata.Metrics{
		Name:        CallsName,
		Description: "Executions of the hystrix command, by outcome.",
		Unit:        "{call}",
		Data: metricdata.Sum[int64]{
			Temporality: metricdata.CumulativeTemporality,
			IsMonotonic: true,
			DataPoints:  points,
		},
	}, ms[CallsName], metricdatatest.IgnoreTimestamp())
	for result, n := range map[string]int64{"success": 1, "failure": 1} {
		if got := intPoint(t, ms, FallbackCallsName, cmdAttrs(name, FallbackResultKey.String(result))); got != n {
			t.Errorf("fallback %s: %d, want %d", result, got, n)
		}
	}
	if p := histogram(t, ms, TotalDurationName, cmdAttrs(name)); p.Count != 9 {
		t.Errorf("total duration count %d, want 9", p.Count)
	}
	run := histogram(t, ms, RunDurationName, cmdAttrs(name))
	if run.Count != 6 {
		t.Errorf("run duration count %d, want 6 (2 successes, 2 failures, 1 timeout, 1 bad request)", run.Count)
	}
	if run.Sum < 0.2 {
		t.Errorf("run duration sum %v, want at least the 200ms timeout", run.Sum)
	}
	if fmt.Sprint(run.Bounds) != fmt.Sprint(DefaultBuckets) {
		t.Errorf("bounds %v, want %v", run.Bounds, DefaultBuckets)
	}
	if ms[RunDurationName].Unit != "s" {
		t.Errorf("run duration unit %q", ms[RunDurationName].Unit)
	}

	attrs := cmdAttrs(name)
	for metric, want := range map[string]int64{
		ConcurrentExecutionsName: 0, MaxConcurrentRequestsName: 1,
		RequestVolumeThresholdName: 1000,
		ForceOpenName:              0, ForceClosedName: 0,
	} {
		if got := intPoint(t, ms, metric, attrs); got != want {
			t.Errorf("%s: %d, want %d", metric, got, want)
		}
	}
	for metric, want := range map[string]float64{TimeoutName: 0.2, SleepWindowName: 1.5, ErrorThresholdName: 0.5} {
		if got := floatGauge(t, ms, metric, attrs); got != want {
			t.Errorf("%s: %v, want %v", metric, got, want)
		}
	}
	if s := stateOf(t, ms, name); s != "closed" {
		t.Errorf("state %q, want closed", s)
	}
	if n := admittedPoints(ms, name); n != 0 {
		t.Errorf("a closed circuit has %d admitted-rate points, want none", n)
	}
}

// admittedPoints counts the command's points of the admitted rate.
func admittedPoints(ms map[string]metricdata.Metrics, name string) int {
	g, _ := ms[AdmittedRateName].Data.(metricdata.Gauge[float64])
	attrs := cmdAttrs(name)
	n := 0
	for _, p := range g.DataPoints {
		if p.Attributes.Equals(&attrs) {
			n++
		}
	}
	return n
}

// waitState waits for the named circuit to reach st.
func waitState(t *testing.T, name string, st hystrix.State) {
	t.Helper()
	c, _, _ := hystrix.GetCircuit(name)
	deadline := time.Now().Add(5 * time.Second)
	for c.State() != st {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v after 5s, want %v", name, c.State(), st)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestRampingCircuitObservesItsAdmittedRate follows a circuit on the ramp-up
// recovery: the admitted rate is observed while it ramps, and not once an
// admitted failure opens it again.
func TestRampingCircuitObservesItsAdmittedRate(t *testing.T) {
	h := newHarness(t)
	name := cmdName(t)
	// Open on the second failure in a row; ramp in stages of a minute,
	// longer than the test, so the circuit stays half-open until an
	// admitted execution fails. The sleep window leaves time to look at
	// the open circuit.
	configure(t, name, hystrix.CommandConfig{
		Timeout:     1000,
		SleepWindow: 300,
		Trip:        hystrix.TripConfig{ConsecutiveFailures: 1},
		Recovery:    hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StartPerMinute: 30, Factor: 2, StageMs: 60000}},
	})
	_ = hystrix.Do(name, fail, nil)
	_ = hystrix.Do(name, fail, nil)
	ms := h.collect(t)
	if s := stateOf(t, ms, name); s != "open" {
		t.Fatalf("state %q after two failures in a row, want open", s)
	}
	if n := admittedPoints(ms, name); n != 0 {
		t.Errorf("an open circuit has %d admitted-rate points, want none", n)
	}

	waitState(t, name, hystrix.StateHalfOpen)
	ms = h.collect(t)
	if ms[AdmittedRateName].Unit != "{call}/min" {
		t.Errorf("admitted rate unit %q", ms[AdmittedRateName].Unit)
	}
	if got := floatGauge(t, ms, AdmittedRateName, cmdAttrs(name)); got != 30 {
		t.Errorf("admitted rate %v while ramping, want the first stage's 30", got)
	}

	// The first execution is admitted, and its failure reopens the
	// circuit.
	if err := hystrix.Do(name, fail, nil); !errors.Is(err, errBoom) {
		t.Fatalf("first execution of the ramp: %v, want it run", err)
	}
	ms = h.collect(t)
	if s := stateOf(t, ms, name); s != "open" {
		t.Errorf("state %q after an admitted failure, want open", s)
	}
	if n := admittedPoints(ms, name); n != 0 {
		t.Errorf("the reopened circuit has %d admitted-rate points, want none", n)
	}
}

func TestForceSettings(t *testing.T) {
	h := newHarness(t)
	open, closed := cmdName(t), cmdName(t)
	configure(t, open, hystrix.CommandConfig{ForceOpen: true})
	configure(t, closed, hystrix.CommandConfig{ForceClosed: true})
	if err := hystrix.Do(open, ok, nil); !errors.Is(err, hystrix.ErrCircuitOpen) {
		t.Fatalf("forced open: %v", err)
	}
	if err := hystrix.Do(closed, ok, nil); err != nil {
		t.Fatalf("forced closed: %v", err)
	}
	ms := h.collect(t)
	for _, tc := range []struct {
		name                   string
		forceOpen, forceClosed int64
	}{{open, 1, 0}, {closed, 0, 1}} {
		if v := intPoint(t, ms, ForceOpenName, cmdAttrs(tc.name)); v != tc.forceOpen {
			t.Errorf("%s: %s %d, want %d", tc.name, ForceOpenName, v, tc.forceOpen)
		}
		if v := intPoint(t, ms, ForceClosedName, cmdAttrs(tc.name)); v != tc.forceClosed {
			t.Errorf("%s: %s %d, want %d", tc.name, ForceClosedName, v, tc.forceClosed)
		}
	}
}

func TestStatesAndResetKeepCounters(t *testing.T) {
	h := newHarness(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{
		Timeout:                -1,
		MaxConcurrentRequests:  -1,
		RequestVolumeThreshold: 1,
		ErrorPercentThreshold:  1,
		SleepWindow:            20,
	})
	_ = hystrix.Do(name, fail, nil)
	if err := hystrix.Do(name, ok, nil); !errors.Is(err, hystrix.ErrCircuitOpen) {
		t.Fatalf("after a failure: %v, want the circuit open", err)
	}
	ms := h.collect(t)
	if s := stateOf(t, ms, name); s != "open" {
		t.Errorf("state %q, want open", s)
	}
	// Unbounded: no point, where -1 was observed before.
	if _, ok := ms[MaxConcurrentRequestsName]; ok {
		t.Errorf("unbounded concurrency observed: %v", ms[MaxConcurrentRequestsName].Data)
	}
	if _, ok := ms[TimeoutName]; ok {
		t.Errorf("no timeout observed: %v", ms[TimeoutName].Data)
	}
	// The failure opened the circuit; the short circuit is left out.
	if v := floatGauge(t, ms, ErrorRatioName, cmdAttrs(name)); v != 1 {
		t.Errorf("error ratio %v, want 1", v)
	}

	time.Sleep(30 * time.Millisecond)
	started, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- hystrix.Do(name, func() error {
			close(started)
			<-release
			return nil
		}, nil)
	}()
	<-started
	if s := stateOf(t, h.collect(t), name); s != StateHalfOpen {
		t.Errorf("state %q while the probe runs, want half_open", s)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("probe: %v", err)
	}
	// The probe closed the circuit, which reset its collectors.
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	ms = h.collect(t)
	if s := stateOf(t, ms, name); s != "closed" {
		t.Errorf("state %q after the probe, want closed", s)
	}
	for o, want := range map[string]int64{"failure": 1, "short_circuit": 1, "success": 2} {
		if got := intPoint(t, ms, CallsName, cmdAttrs(name, OutcomeKey.String(o))); got != want {
			t.Errorf("%s: %d, want %d", o, got, want)
		}
	}
}

func TestResetDoesNothing(t *testing.T) {
	h := newHarness(t)
	c := h.exp.forCommand("direct")
	c.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, RunDuration: time.Millisecond, TotalDuration: time.Millisecond})
	c.Reset()
	c.Update(metricCollector.MetricResult{Attempts: 1, Errors: 1, ShortCircuits: 1, FallbackFailures: 1})
	ms := h.collect(t)
	if got := intPoint(t, ms, CallsName, cmdAttrs("direct", OutcomeKey.String("success"))); got != 1 {
		t.Errorf("success %d after Reset, want 1", got)
	}
	if got := intPoint(t, ms, FallbackCallsName, cmdAttrs("direct", FallbackResultKey.String("failure"))); got != 1 {
		t.Errorf("fallback failure %d, want 1", got)
	}
	if p := histogram(t, ms, RunDurationName, cmdAttrs("direct")); p.Count != 1 {
		t.Errorf("a short circuit was given a run duration: count %d", p.Count)
	}
}

func TestCloseStopsRecording(t *testing.T) {
	h := newHarness(t)
	name := cmdName(t)
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	if err := h.exp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.exp.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	ms := h.collect(t)
	if got := intPoint(t, ms, CallsName, cmdAttrs(name, OutcomeKey.String("success"))); got != 1 {
		t.Errorf("success %d after Close, want the 1 from before", got)
	}
	if _, ok := ms[CircuitStateName]; ok {
		t.Error("the state is still observed after Close")
	}
	if mc := h.exp.newCircuitCollector("later"); mc != nil {
		t.Errorf("closed exporter made collector %T", mc)
	}
}

func TestOptions(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("nil MeterProvider: no error")
	}
	if _, err := New(noop.NewMeterProvider(), WithBuckets([]float64{2, 1})); err == nil {
		t.Error("unsorted buckets: no error")
	}
	h := newHarness(t, WithBuckets([]float64{0.5, 1}), WithAttributes(attribute.String("service", "shop")))
	name := cmdName(t)
	if err := hystrix.Do(name, ok, nil); err != nil {
		t.Fatal(err)
	}
	ms := h.collect(t)
	attrs := attribute.NewSet(attribute.String("service", "shop"), CommandKey.String(name))
	p := histogram(t, ms, RunDurationName, attrs)
	if fmt.Sprint(p.Bounds) != "[0.5 1]" || p.Count != 1 {
		t.Errorf("run duration bounds %v count %d, want [0.5 1] and 1", p.Bounds, p.Count)
	}
	if got := floatGauge(t, ms, ErrorThresholdName, attrs); got != float64(hystrix.DefaultErrorPercentThreshold)/100 {
		t.Errorf("error threshold %v with the service attribute", got)
	}
}

// TestNoopProvider checks the exporter works with the API's no-op
// provider, as a library's default MeterProvider often is.
func TestNoopProvider(t *testing.T) {
	hystrix.Flush()
	defer hystrix.Flush()
	exp, err := New(noop.NewMeterProvider())
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	if err := hystrix.Do(cmdName(t), ok, nil); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentExecutions(t *testing.T) {
	h := newHarness(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{MaxConcurrentRequests: -1, RequestVolumeThreshold: 100000})
	const workers, each = 8, 200
	stop, collected := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(collected)
		for {
			select {
			case <-stop:
				return
			default:
				var rm metricdata.ResourceMetrics
				if err := h.reader.Collect(context.Background(), &rm); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if (w+i)%3 == 0 {
					_ = hystrix.Do(name, fail, fallbackOK)
				} else {
					_ = hystrix.Do(name, ok, nil)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-collected
	ms := h.collect(t)
	total := intPoint(t, ms, CallsName, cmdAttrs(name, OutcomeKey.String("success"))) +
		intPoint(t, ms, CallsName, cmdAttrs(name, OutcomeKey.String("failure")))
	if total != workers*each {
		t.Errorf("counted %d executions, want %d", total, workers*each)
	}
	if p := histogram(t, ms, TotalDurationName, cmdAttrs(name)); p.Count != workers*each {
		t.Errorf("total duration count %d, want %d", p.Count, workers*each)
	}
}

// TestErrorRatioFollowsTheWindow checks the rolling error ratio against
// the counts the circuit judges: bad requests are left out.
func TestErrorRatioFollowsTheWindow(t *testing.T) {
	h := newHarness(t)
	name := cmdName(t)
	configure(t, name, hystrix.CommandConfig{RequestVolumeThreshold: 1000, ErrorPercentThreshold: 40})
	if _, _, err := hystrix.GetCircuit(name); err != nil {
		t.Fatal(err)
	}
	if v := floatGauge(t, h.collect(t), ErrorRatioName, cmdAttrs(name)); v != 0 {
		t.Errorf("empty window: error ratio %v, want 0", v)
	}
	for range 3 {
		if err := hystrix.Do(name, ok, nil); err != nil {
			t.Fatal(err)
		}
	}
	_ = hystrix.Do(name, fail, fallbackOK)
	_ = hystrix.Do(name, badRequest, nil)
	ms := h.collect(t)
	if v := floatGauge(t, ms, ErrorRatioName, cmdAttrs(name)); v != 0.25 {
		t.Errorf("error ratio %v after 3 successes, 1 failure and 1 bad request, want 0.25", v)
	}
	if v := floatGauge(t, ms, ErrorThresholdName, cmdAttrs(name)); v != 0.4 {
		t.Errorf("threshold %v, want 0.4", v)
	}
	if u := ms[ErrorRatioName].Unit; u != "1" {
		t.Errorf("unit %q, want 1", u)
	}
}
