package hystrixotel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/gohystrix/hystrix-go/exporters/internal/buckets"
	"github.com/gohystrix/hystrix-go/exporters/internal/outcome"
	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// ScopeName is the instrumentation scope of the exporter's meter.
const ScopeName = "github.com/gohystrix/hystrix-go/exporters/hystrixotel"

// The names of the instruments the exporter creates. Every measurement has
// the attribute hystrix.command, the circuit's name.
const (
	// CallsName counts executions by outcome (attribute hystrix.outcome).
	CallsName = "hystrix.calls"
	// FallbackCallsName counts fallbacks that ran, by result (attribute
	// hystrix.fallback.result: success or failure).
	FallbackCallsName = "hystrix.fallback.calls"
	// RunDurationName is the histogram, in seconds, of how long run
	// functions took, for executions whose run function ran.
	RunDurationName = "hystrix.run.duration"
	// TotalDurationName is the histogram, in seconds, of whole executions,
	// from the call to its result, fallback included.
	TotalDurationName = "hystrix.total.duration"
	// CircuitStateName is 1 for the state the circuit is in and 0 for the
	// others (attribute hystrix.circuit.state: closed, open or half_open).
	CircuitStateName = "hystrix.circuit.state"
	// ErrorRatioName is the share, 0 to 1 (unit "1"), of the executions in
	// the circuit's rolling window that were errors, the figure that
	// ErrorThresholdName is compared with: short circuits and bad requests
	// are left out, and an empty window is 0.
	ErrorRatioName = "hystrix.circuit.error_ratio"
	// AdmittedRateName is the rate, in executions a minute, at which a
	// half-open circuit on the ramp-up recovery admits executions now. It
	// is observed only while the circuit ramps (see the package doc).
	AdmittedRateName = "hystrix.circuit.admitted_rate"
	// SlowCallRatioName is the share, 0 to 1, of the calls in the window
	// of a closed circuit on the slow-call rate that were slow. It is
	// observed only while the circuit tracks them (see the package doc).
	SlowCallRatioName = "hystrix.circuit.slow_call_ratio"
	// ThrottleRatioName is the share, 0 to 1, of calls that a closed
	// circuit on adaptive client-side throttling refuses now. It is
	// observed only while the circuit throttles (see the package doc).
	ThrottleRatioName = "hystrix.circuit.throttle_ratio"
	// ConcurrentExecutionsName is how many executions hold a concurrency
	// ticket now.
	ConcurrentExecutionsName = "hystrix.concurrent_executions"
	// MaxConcurrentRequestsName is the concurrency limit in force: the fixed
	// max_concurrent_requests, or the current value of an adaptive limit.
	// It is not observed for a circuit without a limit.
	MaxConcurrentRequestsName = "hystrix.max_concurrent_requests"
	// TimeoutName is the timeout of a run, in seconds. It is not observed
	// for a circuit without a timeout.
	TimeoutName = "hystrix.timeout"
	// ErrorThresholdName is the error ratio, 0 to 1 (unit "1"), at or
	// above which the circuit opens (error_percent_threshold / 100).
	ErrorThresholdName = "hystrix.error_threshold"
	// RequestVolumeThresholdName is the least number of executions in the
	// rolling window before the circuit may open.
	RequestVolumeThresholdName = "hystrix.request_volume_threshold"
	// SleepWindowName is how long, in seconds, an open circuit waits before
	// it lets a probe through.
	SleepWindowName = "hystrix.sleep_window"
	// ForceOpenName is 1 when the command is configured to refuse every
	// execution (force_open), 0 otherwise.
	ForceOpenName = "hystrix.force_open"
	// ForceClosedName is 1 when the command is configured to run every
	// execution whatever its health (force_closed), 0 otherwise.
	ForceClosedName = "hystrix.force_closed"
)

// The attribute keys of the measurements.
const (
	// CommandKey names the command; every measurement has it.
	CommandKey = attribute.Key("hystrix.command")
	// OutcomeKey is the outcome of an execution, on hystrix.calls.
	OutcomeKey = attribute.Key("hystrix.outcome")
	// FallbackResultKey is success or failure, on hystrix.fallback.calls.
	FallbackResultKey = attribute.Key("hystrix.fallback.result")
	// StateKey is closed, open or half_open, on hystrix.circuit.state.
	StateKey = attribute.Key("hystrix.circuit.state")
)

// The values of StateKey.
const (
	StateClosed   = "closed"
	StateOpen     = "open"
	StateHalfOpen = "half_open"
)

// Outcomes lists the values of hystrix.outcome, in a fixed order: success,
// failure, rejected, short_circuit, timeout, context_canceled,
// context_deadline_exceeded and bad_request (a run that returned
// hystrix.BadRequest: the caller's mistake, which runs no fallback and does
// not count against health). Exactly one of them counts each execution.
var Outcomes = append([]string(nil), outcome.Names[:]...)

// DefaultBuckets are the bucket boundaries, in seconds, of the duration
// histograms unless WithBuckets says otherwise: 101 boundaries from 1ms to
// 10s, each at most 1.1 times the one before, so that a quantile
// interpolated inside its bucket (as Prometheus's histogram_quantile does)
// reads within 10% of the true value from 1ms to 10s. The package doc
// shows how to use exponential histograms instead.
var DefaultBuckets = buckets.Latency()

// Option changes how New builds the exporter.
type Option func(*options)

type options struct {
	buckets []float64
	attrs   []attribute.KeyValue
}

// WithBuckets sets the bucket boundaries, in seconds, of both duration
// histograms. They must be in increasing order, or New fails. A View
// registered with the MeterProvider overrides them.
func WithBuckets(buckets []float64) Option {
	return func(o *options) { o.buckets = append([]float64(nil), buckets...) }
}

// WithAttributes adds attributes to every measurement, such as the name of
// the service that runs the commands.
func WithAttributes(attrs ...attribute.KeyValue) Option {
	return func(o *options) { o.attrs = append(o.attrs, attrs...) }
}

// Exporter records the metrics of every hystrix command with an
// OpenTelemetry meter. Get one with New; it is safe for concurrent use.
type Exporter struct {
	closed atomic.Bool
	once   sync.Once
	reg    metric.Registration
	attrs  []attribute.KeyValue

	calls     metric.Int64Counter
	fallbacks metric.Int64Counter
	run       metric.Float64Histogram
	total     metric.Float64Histogram

	state          metric.Int64ObservableGauge
	admitted       metric.Float64ObservableGauge
	slowCalls      metric.Float64ObservableGauge
	throttled      metric.Float64ObservableGauge
	concurrent     metric.Int64ObservableUpDownCounter
	maxConcurrent  metric.Int64ObservableGauge
	timeout        metric.Float64ObservableGauge
	errorRatio     metric.Float64ObservableGauge
	errorThreshold metric.Float64ObservableGauge
	volume         metric.Int64ObservableGauge
	sleep          metric.Float64ObservableGauge
	forceOpen      metric.Int64ObservableGauge
	forceClosed    metric.Int64ObservableGauge
}

// New creates the exporter's instruments with a meter of mp named
// ScopeName and returns the exporter.
//
// It registers one initializer with metricCollector.Registry, so that
// every circuit created from then on records each of its executions to
// the counters and histograms. Call New before the first command runs:
// circuits that already exist get no collector until hystrix.Flush
// replaces them. The observable gauges (circuit state, admitted rate,
// slow-call and throttle shares, concurrency, settings) are read from
// hystrix.Circuits at each collection and cover every circuit.
//
// Each call makes an independent exporter; two on the same MeterProvider
// record every execution twice into the same instruments, so make one.
func New(mp metric.MeterProvider, opts ...Option) (*Exporter, error) {
	if mp == nil {
		return nil, errors.New("hystrixotel: nil MeterProvider")
	}
	o := options{buckets: DefaultBuckets}
	for _, opt := range opts {
		opt(&o)
	}
	for i := 1; i < len(o.buckets); i++ {
		if !(o.buckets[i-1] < o.buckets[i]) {
			return nil, fmt.Errorf("hystrixotel: buckets %v are not in increasing order", o.buckets)
		}
	}
	m := mp.Meter(ScopeName)
	e := &Exporter{attrs: o.attrs}
	var err error
	add := func(e2 error) { err = errors.Join(err, e2) }
	var e2 error

	e.calls, e2 = m.Int64Counter(CallsName, metric.WithUnit("{call}"),
		metric.WithDescription("Executions of the hystrix command, by outcome."))
	add(e2)
	e.fallbacks, e2 = m.Int64Counter(FallbackCallsName, metric.WithUnit("{call}"),
		metric.WithDescription("Fallbacks of the hystrix command that ran, by result."))
	add(e2)
	e.run, e2 = m.Float64Histogram(RunDurationName, metric.WithUnit("s"),
		metric.WithDescription("How long the hystrix command's run function took, for executions whose run function ran."),
		metric.WithExplicitBucketBoundaries(o.buckets...))
	add(e2)
	e.total, e2 = m.Float64Histogram(TotalDurationName, metric.WithUnit("s"),
		metric.WithDescription("How long executions of the hystrix command took, from the call to its result, fallback included."),
		metric.WithExplicitBucketBoundaries(o.buckets...))
	add(e2)

	e.state, e2 = m.Int64ObservableGauge(CircuitStateName, metric.WithUnit("1"),
		metric.WithDescription("1 for the state the hystrix command's circuit is in (closed, open or half_open), 0 for the others."))
	add(e2)
	e.errorRatio, e2 = m.Float64ObservableGauge(ErrorRatioName, metric.WithUnit("1"),
		metric.WithDescription("Share, 0 to 1, of the executions in the hystrix command's rolling window that were errors, short circuits and bad requests left out."))
	add(e2)
	e.admitted, e2 = m.Float64ObservableGauge(AdmittedRateName, metric.WithUnit("{call}/min"),
		metric.WithDescription("Executions a minute that the hystrix command's half-open circuit admits now as it ramps up; only while it ramps."))
	add(e2)
	e.slowCalls, e2 = m.Float64ObservableGauge(SlowCallRatioName, metric.WithUnit("1"),
		metric.WithDescription("Share, 0 to 1, of the calls in the hystrix command's window that were slow; only while its closed circuit tracks slow calls."))
	add(e2)
	e.throttled, e2 = m.Float64ObservableGauge(ThrottleRatioName, metric.WithUnit("1"),
		metric.WithDescription("Share, 0 to 1, of calls that the hystrix command's closed circuit refuses now by adaptive throttling; only while it throttles."))
	add(e2)
	e.concurrent, e2 = m.Int64ObservableUpDownCounter(ConcurrentExecutionsName, metric.WithUnit("{execution}"),
		metric.WithDescription("Executions of the hystrix command holding a concurrency ticket now."))
	add(e2)
	e.maxConcurrent, e2 = m.Int64ObservableGauge(MaxConcurrentRequestsName, metric.WithUnit("{execution}"),
		metric.WithDescription("Most executions of the hystrix command allowed at once now, fixed or adaptive; not observed when unbounded."))
	add(e2)
	e.timeout, e2 = m.Float64ObservableGauge(TimeoutName, metric.WithUnit("s"),
		metric.WithDescription("Timeout of the hystrix command's run function; not observed when it has none."))
	add(e2)
	e.errorThreshold, e2 = m.Float64ObservableGauge(ErrorThresholdName, metric.WithUnit("1"),
		metric.WithDescription("Error ratio, 0 to 1, at or above which the hystrix command's circuit opens."))
	add(e2)
	e.volume, e2 = m.Int64ObservableGauge(RequestVolumeThresholdName, metric.WithUnit("{call}"),
		metric.WithDescription("Executions the rolling window must hold before the hystrix command's circuit may open."))
	add(e2)
	e.sleep, e2 = m.Float64ObservableGauge(SleepWindowName, metric.WithUnit("s"),
		metric.WithDescription("How long the hystrix command's open circuit waits before letting a probe through."))
	add(e2)
	e.forceOpen, e2 = m.Int64ObservableGauge(ForceOpenName, metric.WithUnit("1"),
		metric.WithDescription("1 if the hystrix command is configured to refuse every execution (force_open), else 0."))
	add(e2)
	e.forceClosed, e2 = m.Int64ObservableGauge(ForceClosedName, metric.WithUnit("1"),
		metric.WithDescription("1 if the hystrix command is configured to run every execution whatever its health (force_closed), else 0."))
	add(e2)
	if err != nil {
		return nil, fmt.Errorf("hystrixotel: creating instruments: %w", err)
	}

	e.reg, err = m.RegisterCallback(e.observe,
		e.state, e.errorRatio, e.admitted, e.slowCalls, e.throttled, e.concurrent, e.maxConcurrent, e.timeout, e.errorThreshold,
		e.volume, e.sleep, e.forceOpen, e.forceClosed)
	if err != nil {
		return nil, fmt.Errorf("hystrixotel: registering the callback: %w", err)
	}
	metricCollector.Registry.Register(e.newCircuitCollector)
	return e, nil
}

// Close stops the exporter: the gauges' callback is unregistered, and,
// since metricCollector.Registry has no way to remove an initializer, the
// circuits' collectors stay but record nothing more, and circuits created
// afterwards get none. What was recorded stays with the MeterProvider.
// Only the first call does anything.
func (e *Exporter) Close() error {
	var err error
	e.once.Do(func() {
		e.closed.Store(true)
		err = e.reg.Unregister()
	})
	return err
}

// attrSet is the attribute set of one measurement: the exporter's own
// attributes, the command and kvs.
func (e *Exporter) attrSet(name string, kvs ...attribute.KeyValue) attribute.Set {
	all := make([]attribute.KeyValue, 0, len(e.attrs)+1+len(kvs))
	all = append(all, e.attrs...)
	// Escaped as on the Hystrix stream: attribute values must be UTF-8, and
	// distinct names must stay distinct.
	all = append(all, CommandKey.String(hystrix.StreamName(name)))
	all = append(all, kvs...)
	return attribute.NewSet(all...)
}

// states are the values of hystrix.circuit.state, indexed by
// hystrix.State.
var states = [...]string{
	hystrix.StateClosed:   StateClosed,
	hystrix.StateOpen:     StateOpen,
	hystrix.StateHalfOpen: StateHalfOpen,
}

// observe reports the gauges of every circuit.
func (e *Exporter) observe(_ context.Context, o metric.Observer) error {
	if e.closed.Load() {
		return nil
	}
	now := hystrix.DefaultRegistry().Clock().Now()
	for _, c := range hystrix.Circuits() {
		st := c.State()
		for i, s := range states {
			v := int64(0)
			if hystrix.State(i) == st {
				v = 1
			}
			o.ObserveInt64(e.state, v, metric.WithAttributeSet(e.attrSet(c.Name, StateKey.String(s))))
		}
		cmd := metric.WithAttributeSet(e.attrSet(c.Name))
		ratio := 0.0
		if reqs, errs := c.Executions(now); reqs > 0 {
			ratio = float64(errs) / float64(reqs)
		}
		o.ObserveFloat64(e.errorRatio, ratio, cmd)
		if rate, ok := c.AdmittedPerMinute(); ok {
			o.ObserveFloat64(e.admitted, rate, cmd)
		}
		if pct, ok := c.SlowCallPercent(); ok {
			o.ObserveFloat64(e.slowCalls, pct/100, cmd)
		}
		if pct, ok := c.ThrottlePercent(); ok {
			o.ObserveFloat64(e.throttled, pct/100, cmd)
		}
		o.ObserveInt64(e.concurrent, int64(c.ActiveCount()), cmd)
		// The limit in force, so that an adaptive one shows where it
		// stands rather than the setting it replaces. Unbounded ones are
		// not observed: no number would compare truly with them.
		if n := c.ConcurrencyLimit(); n >= 0 {
			o.ObserveInt64(e.maxConcurrent, int64(n), cmd)
		}
		s := c.Settings()
		if s.Timeout >= 0 {
			o.ObserveFloat64(e.timeout, s.Timeout.Seconds(), cmd)
		}
		o.ObserveFloat64(e.errorThreshold, float64(s.ErrorPercentThreshold)/100, cmd)
		o.ObserveInt64(e.volume, int64(s.RequestVolumeThreshold), cmd)
		o.ObserveFloat64(e.sleep, s.SleepWindow.Seconds(), cmd)
		o.ObserveInt64(e.forceOpen, oneIf(s.ForceOpen), cmd)
		o.ObserveInt64(e.forceClosed, oneIf(s.ForceClosed), cmd)
	}
	return nil
}

func oneIf(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// newCircuitCollector is the initializer registered with
// metricCollector.Registry.
func (e *Exporter) newCircuitCollector(name string) metricCollector.MetricCollector {
	if e.closed.Load() {
		return nil
	}
	return e.forCommand(name)
}

// forCommand returns the metricCollector.MetricCollector of one circuit,
// with its attribute sets built once. It adds 0 to every outcome and
// fallback result, so that their series exist from the start and rates and
// ratios have both sides.
func (e *Exporter) forCommand(name string) *circuitCollector {
	c := &circuitCollector{e: e}
	ctx := context.Background()
	for i, o := range outcome.Names {
		c.outcomes[i] = []metric.AddOption{metric.WithAttributeSet(e.attrSet(name, OutcomeKey.String(o)))}
		e.calls.Add(ctx, 0, c.outcomes[i]...)
	}
	for i, res := range outcome.FallbackNames {
		c.fallbacks[i] = []metric.AddOption{metric.WithAttributeSet(e.attrSet(name, FallbackResultKey.String(res)))}
		e.fallbacks.Add(ctx, 0, c.fallbacks[i]...)
	}
	c.cmd = []metric.RecordOption{metric.WithAttributeSet(e.attrSet(name))}
	return c
}

// circuitCollector feeds one circuit's executions into the exporter's
// counters and histograms.
type circuitCollector struct {
	e         *Exporter
	outcomes  [outcome.Count][]metric.AddOption         // in the order of outcome.Names
	fallbacks [outcome.FallbackCount][]metric.AddOption // in the order of outcome.FallbackNames
	cmd       []metric.RecordOption
}

// Update records one execution; it does nothing once the exporter is
// closed.
func (c *circuitCollector) Update(r metricCollector.MetricResult) {
	e := c.e
	if e.closed.Load() {
		return
	}
	ctx := context.Background()
	for i, v := range outcome.Counts(r) {
		if v > 0 {
			e.calls.Add(ctx, int64(v), c.outcomes[i]...)
		}
	}
	for i, v := range outcome.FallbackCounts(r) {
		if v > 0 {
			e.fallbacks.Add(ctx, int64(v), c.fallbacks[i]...)
		}
	}
	e.total.Record(ctx, r.TotalDuration.Seconds(), c.cmd...)
	if outcome.RunRan(r) {
		e.run.Record(ctx, r.RunDuration.Seconds(), c.cmd...)
	}
}

// Reset does nothing: circuits call it when they close again, and the
// counters are cumulative.
func (c *circuitCollector) Reset() {}
