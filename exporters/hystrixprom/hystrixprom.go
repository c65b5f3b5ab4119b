package hystrixprom

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gohystrix/hystrix-go/exporters/internal/buckets"
	"github.com/gohystrix/hystrix-go/exporters/internal/outcome"
	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
	"github.com/prometheus/client_golang/prometheus"
)

// The names of the metrics the exporter exposes. Every one has the label
// command, the circuit's name.
const (
	// CallsTotal counts executions by outcome (label outcome).
	CallsTotal = "hystrix_calls_total"
	// FallbackCallsTotal counts fallbacks that ran, by result (label
	// result: success or failure).
	FallbackCallsTotal = "hystrix_fallback_calls_total"
	// RunDurationSeconds is the histogram of how long run functions took,
	// for executions whose run function ran.
	RunDurationSeconds = "hystrix_run_duration_seconds"
	// TotalDurationSeconds is the histogram of whole executions, from the
	// call to its result, fallback included.
	TotalDurationSeconds = "hystrix_total_duration_seconds"
	// CircuitState is 1 for the state the circuit is in and 0 for the
	// others (label state: closed, open or half_open).
	CircuitState = "hystrix_circuit_state"
	// CircuitErrorRatio is the share, 0 to 1, of the executions in the
	// circuit's rolling window that were errors, the figure that
	// ErrorThresholdRatio is compared with: short circuits and bad
	// requests are left out, and an empty window is 0.
	CircuitErrorRatio = "hystrix_circuit_error_ratio"
	// CircuitAdmittedPerMinute is the rate, in executions a minute, at
	// which a half-open circuit on the ramp-up recovery admits executions
	// now. A circuit has the series only while it ramps (see the package
	// doc).
	CircuitAdmittedPerMinute = "hystrix_circuit_admitted_per_minute"
	// CircuitSlowCallRatio is the share, 0 to 1, of the calls in the
	// window of a closed circuit on the slow-call rate that were slow. A
	// circuit has the series only while it tracks them (see the package
	// doc).
	CircuitSlowCallRatio = "hystrix_circuit_slow_call_ratio"
	// CircuitThrottleRatio is the share, 0 to 1, of calls that a closed
	// circuit on adaptive client-side throttling refuses now. A circuit has
	// the series only while it throttles (see the package doc).
	CircuitThrottleRatio = "hystrix_circuit_throttle_ratio"
	// ConcurrentExecutions is how many executions hold a concurrency
	// ticket now.
	ConcurrentExecutions = "hystrix_concurrent_executions"
	// MaxConcurrentRequests is the concurrency limit in force: the fixed
	// max_concurrent_requests, or the current value of an adaptive limit.
	// A circuit without a limit has no series.
	MaxConcurrentRequests = "hystrix_max_concurrent_requests"
	// TimeoutSeconds is the timeout of a run. A circuit without a timeout
	// has no series.
	TimeoutSeconds = "hystrix_timeout_seconds"
	// ErrorThresholdRatio is the error ratio, 0 to 1, at or above which
	// the circuit opens (error_percent_threshold / 100).
	ErrorThresholdRatio = "hystrix_error_threshold_ratio"
	// RequestVolumeThreshold is the least number of executions in the
	// rolling window before the circuit may open.
	RequestVolumeThreshold = "hystrix_request_volume_threshold"
	// SleepWindowSeconds is how long an open circuit waits before it lets
	// a probe through.
	SleepWindowSeconds = "hystrix_sleep_window_seconds"
	// ForceOpen is 1 when the command is configured to refuse every
	// execution (force_open), 0 otherwise.
	ForceOpen = "hystrix_force_open"
	// ForceClosed is 1 when the command is configured to run every
	// execution whatever its health (force_closed), 0 otherwise.
	ForceClosed = "hystrix_force_closed"
)

// MetricNames lists the names of every metric the exporter exposes.
// Histograms are listed by their base name; Prometheus stores them as the
// _bucket, _sum and _count series (or, scraped as native histograms, as
// one series). CircuitAdmittedPerMinute has series only while a circuit
// ramps, CircuitSlowCallRatio and CircuitThrottleRatio only while a
// circuit tracks them, MaxConcurrentRequests and TimeoutSeconds only for a
// circuit with a limit and a timeout.
var MetricNames = []string{
	CallsTotal, FallbackCallsTotal, RunDurationSeconds, TotalDurationSeconds,
	CircuitState, CircuitErrorRatio, CircuitAdmittedPerMinute, CircuitSlowCallRatio, CircuitThrottleRatio,
	ConcurrentExecutions, MaxConcurrentRequests, TimeoutSeconds,
	ErrorThresholdRatio, RequestVolumeThreshold, SleepWindowSeconds, ForceOpen, ForceClosed,
}

// The values of the state label of hystrix_circuit_state.
const (
	StateClosed   = "closed"
	StateOpen     = "open"
	StateHalfOpen = "half_open"
)

// The values of the outcome label of hystrix_calls_total, one per
// execution outcome. Exactly one of them counts each execution.
const (
	OutcomeSuccess                 = outcome.Success                 // "success"
	OutcomeFailure                 = outcome.Failure                 // "failure"
	OutcomeRejected                = outcome.Rejected                // "rejected"
	OutcomeShortCircuit            = outcome.ShortCircuit            // "short_circuit"
	OutcomeTimeout                 = outcome.Timeout                 // "timeout"
	OutcomeContextCanceled         = outcome.ContextCanceled         // "context_canceled"
	OutcomeContextDeadlineExceeded = outcome.ContextDeadlineExceeded // "context_deadline_exceeded"
	// OutcomeBadRequest counts runs that returned a bad request
	// (hystrix.BadRequest): the caller's mistake, which runs no fallback
	// and does not count against the circuit's health.
	OutcomeBadRequest = outcome.BadRequest // "bad_request"
)

// Outcomes lists the values of the outcome label, in a fixed order: that
// of the constants above, from OutcomeSuccess to OutcomeBadRequest.
var Outcomes = append([]string(nil), outcome.Names[:]...)

// DefaultBuckets are the upper bounds, in seconds, of the duration
// histograms unless WithBuckets says otherwise: 101 bounds from 1ms to
// 10s, 25 to each factor of ten, so that consecutive bounds are at most a
// factor 1.1 apart. histogram_quantile interpolates inside one bucket, so
// a p99 (or any quantile) from 1ms to 10s reads within 10% of the true
// value however the latencies are spread. Each histogram costs 104 series
// per command (102 buckets, _sum and _count); see the package doc for
// cheaper choices.
var DefaultBuckets = buckets.Latency()

// Option changes how Register builds the exporter.
type Option func(*options)

type options struct {
	buckets       []float64
	nativeFactor  float64
	nativeBuckets uint32
	constLabels   prometheus.Labels
}

// WithBuckets sets the upper bounds, in seconds, of both duration
// histograms' classic buckets. They must be in increasing order, or
// Register fails. No bounds at all (nil) leaves the histograms without
// classic buckets, which only WithNativeHistograms makes useful: Register
// fails without it.
func WithBuckets(buckets []float64) Option {
	return func(o *options) { o.buckets = append([]float64(nil), buckets...) }
}

// WithNativeHistograms makes both duration histograms native histograms
// too: a Prometheus that scrapes them (2.40 or later, started with
// --enable-feature=native-histograms; later releases also turn them on in
// the scrape configuration) stores each histogram as one series whose
// buckets grow by at most bucketFactor from one to the next and exist only
// once an observation falls in them. 1.1 keeps quantiles within 10%, as
// DefaultBuckets do, in about a hundred buckets at most from 1ms to 10s.
// bucketFactor must be above 1, or Register fails. A series keeps at most
// 160 buckets: past that it starts afresh if its last start was an hour
// ago or more, and halves its resolution otherwise. The classic buckets
// stay, for scrapers that read the text format (a Prometheus that stores
// the native histogram drops them); WithBuckets(nil) leaves them out.
func WithNativeHistograms(bucketFactor float64) Option {
	return func(o *options) {
		o.nativeFactor = bucketFactor
		o.nativeBuckets = 160
	}
}

// WithConstLabels adds labels with fixed values to every metric, such as
// the name of the service that runs the commands.
func WithConstLabels(labels prometheus.Labels) Option {
	return func(o *options) {
		o.constLabels = make(prometheus.Labels, len(labels))
		for k, v := range labels {
			o.constLabels[k] = v
		}
	}
}

// Exporter exposes the metrics of every hystrix command to one Prometheus
// registerer. Get one with Register or MustRegister; it is safe for
// concurrent use.
type Exporter struct {
	reg       prometheus.Registerer
	collector *collector
	closed    atomic.Bool
	once      sync.Once
}

// Register adds an exporter of hystrix's metrics to r and returns it.
//
// It registers one prometheus.Collector with r and one initializer with
// metricCollector.Registry, so that every circuit created from then on
// reports each of its executions to the exporter's counters and
// histograms. Register before the first command runs: circuits that
// already exist get no collector until hystrix.Flush replaces them. The
// gauges (circuit state, admitted rate, slow-call and throttle shares,
// concurrency, settings) are read from hystrix.Circuits at each scrape and
// cover every circuit.
//
// Registering a second exporter with the same registerer fails with a
// prometheus.AlreadyRegisteredError (the metric names collide) and changes
// nothing; exporters on different registerers are independent.
func Register(r prometheus.Registerer, opts ...Option) (*Exporter, error) {
	if r == nil {
		return nil, errors.New("hystrixprom: nil Registerer")
	}
	o := options{buckets: DefaultBuckets}
	for _, opt := range opts {
		opt(&o)
	}
	for i := 1; i < len(o.buckets); i++ {
		if !(o.buckets[i-1] < o.buckets[i]) {
			return nil, fmt.Errorf("hystrixprom: buckets %v are not in increasing order", o.buckets)
		}
	}
	native := o.nativeBuckets > 0
	if native && !(o.nativeFactor > 1) {
		return nil, fmt.Errorf("hystrixprom: native histogram bucket factor %v is not above 1", o.nativeFactor)
	}
	if len(o.buckets) == 0 && !native {
		// client_golang would quietly fall back to its own default buckets.
		return nil, errors.New("hystrixprom: no classic buckets and no native histograms: the histograms would hold nothing")
	}
	e := &Exporter{reg: r}
	e.collector = newCollector(o, &e.closed)
	if err := r.Register(e.collector); err != nil {
		return nil, err
	}
	metricCollector.Registry.Register(e.newCircuitCollector)
	return e, nil
}

// MustRegister is Register that panics on error, like
// prometheus.MustRegister.
func MustRegister(r prometheus.Registerer, opts ...Option) *Exporter {
	e, err := Register(r, opts...)
	if err != nil {
		panic(err)
	}
	return e
}

// Unregister removes the exporter's metrics from its registerer and stops
// it: metricCollector.Registry has no way to remove an initializer, so the
// circuits' collectors stay but record nothing more, and circuits created
// afterwards get none. It reports whether the metrics were registered, and
// is safe to call more than once; only the first call does anything.
func (e *Exporter) Unregister() bool {
	unregistered := false
	e.once.Do(func() {
		e.closed.Store(true)
		unregistered = e.reg.Unregister(e.collector)
	})
	return unregistered
}

// newCircuitCollector is the initializer registered with
// metricCollector.Registry.
func (e *Exporter) newCircuitCollector(name string) metricCollector.MetricCollector {
	if e.closed.Load() {
		return nil
	}
	return e.collector.forCommand(name)
}

// collector is the prometheus.Collector of one exporter.
type collector struct {
	closed *atomic.Bool

	calls     *prometheus.CounterVec
	fallbacks *prometheus.CounterVec
	run       *prometheus.HistogramVec
	total     *prometheus.HistogramVec

	state, errorRatio, admitted, slowCalls, throttled, concurrent, maxConcurrent, timeout, errorThreshold, volume, sleep,
	forceOpen, forceClosed *prometheus.Desc
}

func newCollector(o options, closed *atomic.Bool) *collector {
	cl := o.constLabels
	gauge := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, append([]string{"command"}, labels...), cl)
	}
	histogram := func(name, help string) *prometheus.HistogramVec {
		opts := prometheus.HistogramOpts{Name: name, Help: help, Buckets: o.buckets, ConstLabels: cl}
		if o.nativeBuckets > 0 {
			opts.NativeHistogramBucketFactor = o.nativeFactor
			opts.NativeHistogramMaxBucketNumber = o.nativeBuckets
			opts.NativeHistogramMinResetDuration = time.Hour
		}
		return prometheus.NewHistogramVec(opts, []string{"command"})
	}
	return &collector{
		closed: closed,
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        CallsTotal,
			Help:        "Executions of the hystrix command, by outcome: success, failure, rejected, short_circuit, timeout, context_canceled, context_deadline_exceeded or bad_request.",
			ConstLabels: cl,
		}, []string{"command", "outcome"}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        FallbackCallsTotal,
			Help:        "Fallbacks of the hystrix command that ran, by result: success or failure.",
			ConstLabels: cl,
		}, []string{"command", "result"}),
		run: histogram(RunDurationSeconds,
			"How long the hystrix command's run function took, for executions whose run function ran."),
		total: histogram(TotalDurationSeconds,
			"How long executions of the hystrix command took, from the call to its result, fallback included."),
		state:          gauge(CircuitState, "1 for the state the hystrix command's circuit is in (closed, open or half_open), 0 for the others.", "state"),
		errorRatio:     gauge(CircuitErrorRatio, "Share, 0 to 1, of the executions in the hystrix command's rolling window that were errors, short circuits and bad requests left out."),
		admitted:       gauge(CircuitAdmittedPerMinute, "Executions a minute that the hystrix command's half-open circuit admits now as it ramps up; only while it ramps."),
		slowCalls:      gauge(CircuitSlowCallRatio, "Share, 0 to 1, of the calls in the hystrix command's window that were slow; only while its closed circuit tracks slow calls."),
		throttled:      gauge(CircuitThrottleRatio, "Share, 0 to 1, of calls that the hystrix command's closed circuit refuses now by adaptive throttling; only while it throttles."),
		concurrent:     gauge(ConcurrentExecutions, "Executions of the hystrix command holding a concurrency ticket now."),
		maxConcurrent:  gauge(MaxConcurrentRequests, "Most executions of the hystrix command allowed at once now, fixed or adaptive; no series when unbounded."),
		timeout:        gauge(TimeoutSeconds, "Timeout of the hystrix command's run function; no series when it has none."),
		errorThreshold: gauge(ErrorThresholdRatio, "Error ratio, 0 to 1, at or above which the hystrix command's circuit opens."),
		volume:         gauge(RequestVolumeThreshold, "Executions the rolling window must hold before the hystrix command's circuit may open."),
		sleep:          gauge(SleepWindowSeconds, "How long the hystrix command's open circuit waits before letting a probe through."),
		forceOpen:      gauge(ForceOpen, "1 if the hystrix command is configured to refuse every execution (force_open), else 0."),
		forceClosed:    gauge(ForceClosed, "1 if the hystrix command is configured to run every execution whatever its health (force_closed), else 0."),
	}
}

// Describe sends the descriptors of every metric.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	c.calls.Describe(ch)
	c.fallbacks.Describe(ch)
	c.run.Describe(ch)
	c.total.Describe(ch)
	for _, d := range []*prometheus.Desc{
		c.state, c.errorRatio, c.admitted, c.slowCalls, c.throttled, c.concurrent, c.maxConcurrent, c.timeout, c.errorThreshold,
		c.volume, c.sleep, c.forceOpen, c.forceClosed,
	} {
		ch <- d
	}
}

// states are the values of the state label, indexed by hystrix.State.
var states = [...]string{
	hystrix.StateClosed:   StateClosed,
	hystrix.StateOpen:     StateOpen,
	hystrix.StateHalfOpen: StateHalfOpen,
}

// Collect sends the counters and histograms as recorded, and the gauges
// as every circuit stands now.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	c.calls.Collect(ch)
	c.fallbacks.Collect(ch)
	c.run.Collect(ch)
	c.total.Collect(ch)
	now := hystrix.DefaultRegistry().Clock().Now()
	for _, circuit := range hystrix.Circuits() {
		name := hystrix.StreamName(circuit.Name)
		st := circuit.State()
		for i, s := range states {
			v := 0.0
			if hystrix.State(i) == st {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(c.state, prometheus.GaugeValue, v, name, s)
		}
		ch <- prometheus.MustNewConstMetric(c.errorRatio, prometheus.GaugeValue, errorRatio(circuit, now), name)
		if rate, ok := circuit.AdmittedPerMinute(); ok {
			ch <- prometheus.MustNewConstMetric(c.admitted, prometheus.GaugeValue, rate, name)
		}
		if pct, ok := circuit.SlowCallPercent(); ok {
			ch <- prometheus.MustNewConstMetric(c.slowCalls, prometheus.GaugeValue, pct/100, name)
		}
		if pct, ok := circuit.ThrottlePercent(); ok {
			ch <- prometheus.MustNewConstMetric(c.throttled, prometheus.GaugeValue, pct/100, name)
		}
		ch <- prometheus.MustNewConstMetric(c.concurrent, prometheus.GaugeValue, float64(circuit.ActiveCount()), name)
		// The limit in force, so that an adaptive one shows where it
		// stands rather than the setting it replaces. An unbounded one
		// has no series: no number would compare truly with it.
		if n := circuit.ConcurrencyLimit(); n >= 0 {
			ch <- prometheus.MustNewConstMetric(c.maxConcurrent, prometheus.GaugeValue, float64(n), name)
		}
		s := circuit.Settings()
		if s.Timeout >= 0 {
			ch <- prometheus.MustNewConstMetric(c.timeout, prometheus.GaugeValue, s.Timeout.Seconds(), name)
		}
		ch <- prometheus.MustNewConstMetric(c.errorThreshold, prometheus.GaugeValue, float64(s.ErrorPercentThreshold)/100, name)
		ch <- prometheus.MustNewConstMetric(c.volume, prometheus.GaugeValue, float64(s.RequestVolumeThreshold), name)
		ch <- prometheus.MustNewConstMetric(c.sleep, prometheus.GaugeValue, s.SleepWindow.Seconds(), name)
		ch <- prometheus.MustNewConstMetric(c.forceOpen, prometheus.GaugeValue, oneIf(s.ForceOpen), name)
		ch <- prometheus.MustNewConstMetric(c.forceClosed, prometheus.GaugeValue, oneIf(s.ForceClosed), name)
	}
}

// errorRatio is the share of errors among the executions in the circuit's
// rolling window at now, as its error threshold judges them; 0 for an
// empty window.
func errorRatio(c *hystrix.CircuitBreaker, now time.Time) float64 {
	reqs, errs := c.Executions(now)
	if reqs <= 0 {
		return 0
	}
	return float64(errs) / float64(reqs)
}

func oneIf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// forCommand returns the metricCollector.MetricCollector of one circuit. It
// resolves the command's series once, so that an update costs a few atomic
// additions, and creates every outcome's series at zero, so that rates
// and ratios have both sides from the first scrape.
func (c *collector) forCommand(name string) *circuitCollector {
	// Label values must be UTF-8, or the scrape fails; the stream's
	// reversible escaping keeps distinct names distinct.
	name = hystrix.StreamName(name)
	cc := &circuitCollector{
		closed: c.closed,
		run:    c.run.WithLabelValues(name),
		total:  c.total.WithLabelValues(name),
	}
	for i, o := range outcome.Names {
		cc.outcomes[i] = c.calls.WithLabelValues(name, o)
	}
	for i, res := range outcome.FallbackNames {
		cc.fallbacks[i] = c.fallbacks.WithLabelValues(name, res)
	}
	return cc
}

// circuitCollector feeds one circuit's executions into the exporter's
// counters and histograms.
type circuitCollector struct {
	closed    *atomic.Bool
	outcomes  [outcome.Count]prometheus.Counter         // in the order of outcome.Names
	fallbacks [outcome.FallbackCount]prometheus.Counter // in the order of outcome.FallbackNames
	run       prometheus.Observer
	total     prometheus.Observer
}

// Update records one execution; it does nothing once the exporter is
// unregistered.
func (c *circuitCollector) Update(r metricCollector.MetricResult) {
	if c.closed.Load() {
		return
	}
	for i, v := range outcome.Counts(r) {
		if v > 0 {
			c.outcomes[i].Add(v)
		}
	}
	for i, v := range outcome.FallbackCounts(r) {
		if v > 0 {
			c.fallbacks[i].Add(v)
		}
	}
	c.total.Observe(r.TotalDuration.Seconds())
	if outcome.RunRan(r) {
		c.run.Observe(r.RunDuration.Seconds())
	}
}

// Reset does nothing: circuits call it when they close again, and
// Prometheus counters never go down.
func (c *circuitCollector) Reset() {}
