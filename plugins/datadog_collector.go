package plugins

import (
	"errors"
	"sync"
	"time"

	"github.com/DataDog/datadog-go/v5/statsd"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// The names of the DatadogCollector's metrics. They are the same for every
// command: the command is told apart by the tag "hystrixcircuit:<name>", so
// one query or monitor covers every circuit. NewDatadogCollector puts its
// prefix before them; NewDatadogCollectorWithClient uses them as they are.
const (
	// DM_CircuitOpen is a gauge: 0 after a success, 1 after a short circuit.
	DM_CircuitOpen = "hystrix.circuitOpen"
	// DM_Attempts counts executions.
	DM_Attempts = "hystrix.attempts"
	// DM_Errors counts executions that count against the circuit's health.
	DM_Errors = "hystrix.errors"
	// DM_Successes counts runs that returned nil.
	DM_Successes = "hystrix.successes"
	// DM_Failures counts runs that returned an error.
	DM_Failures = "hystrix.failures"
	// DM_Rejects counts executions refused by the concurrency limit.
	DM_Rejects = "hystrix.rejects"
	// DM_ShortCircuits counts executions refused by an open circuit.
	DM_ShortCircuits = "hystrix.shortCircuits"
	// DM_Timeouts counts runs that outlived their timeout.
	DM_Timeouts = "hystrix.timeouts"
	// DM_FallbackSuccesses counts fallbacks that returned nil.
	DM_FallbackSuccesses = "hystrix.fallbackSuccesses"
	// DM_FallbackFailures counts fallbacks that returned an error.
	DM_FallbackFailures = "hystrix.fallbackFailures"
	// DM_BadRequests counts runs that returned a bad request
	// (hystrix.BadRequest): the caller's mistake, which runs no fallback
	// and is not in DM_Errors.
	DM_BadRequests = "hystrix.badRequests"
	// DM_TotalDuration is a timing, in milliseconds, of whole executions.
	DM_TotalDuration = "hystrix.totalDuration"
	// DM_RunDuration is a timing, in milliseconds, of run functions.
	DM_RunDuration = "hystrix.runDuration"
)

// DatadogClient is what a DatadogCollector sends through. The
// *statsd.Client of github.com/DataDog/datadog-go/v5/statsd implements it;
// so can a wrapper that adds tags, logs or counts what it sends.
type DatadogClient interface {
	// Count adds value to the counter name, tagged with tags, sampled at
	// rate (the collector always passes 1).
	Count(name string, value int64, tags []string, rate float64) error
	// Gauge sets the gauge name to value, tagged with tags, sampled at
	// rate; the collector sets DM_CircuitOpen to 0 or 1 with it.
	Gauge(name string, value float64, tags []string, rate float64) error
	// TimeInMilliseconds records one timing of value milliseconds under
	// name, tagged with tags, sampled at rate.
	TimeInMilliseconds(name string, value float64, tags []string, rate float64) error
}

var _ DatadogClient = (*statsd.Client)(nil)

// DatadogCollector sends the results of one command to a DogStatsD agent,
// as the DM_ metrics tagged "hystrixcircuit:<name>". Counters are sent only
// when non-zero, DM_RunDuration only for executions whose run function ran,
// and every metric at sample rate 1. Send errors are ignored.
type DatadogCollector struct {
	client DatadogClient
	names  *datadogNames
	tags   []string
}

// datadogNames are the metric names of one collector factory, prefix
// included, built once rather than on every Update.
type datadogNames struct {
	circuitOpen, attempts, errors, successes, failures, rejects,
	shortCircuits, timeouts, fallbackSuccesses, fallbackFailures,
	badRequests, totalDuration, runDuration string
}

func newDatadogNames(prefix string) *datadogNames {
	return &datadogNames{
		circuitOpen:       prefix + DM_CircuitOpen,
		attempts:          prefix + DM_Attempts,
		errors:            prefix + DM_Errors,
		successes:         prefix + DM_Successes,
		failures:          prefix + DM_Failures,
		rejects:           prefix + DM_Rejects,
		shortCircuits:     prefix + DM_ShortCircuits,
		timeouts:          prefix + DM_Timeouts,
		fallbackSuccesses: prefix + DM_FallbackSuccesses,
		fallbackFailures:  prefix + DM_FallbackFailures,
		badRequests:       prefix + DM_BadRequests,
		totalDuration:     prefix + DM_TotalDuration,
		runDuration:       prefix + DM_RunDuration,
	}
}

// datadogClients are the clients NewDatadogCollector made, for
// CloseDatadogCollectors to close.
var datadogClients struct {
	sync.Mutex
	open []*statsd.Client
}

// NewDatadogCollector connects a DogStatsD client to addr ("host:port") and
// returns the collector initializer to register with
// metricCollector.Registry. prefix is put, as it is, before every metric
// name: end it with a dot ("myapp.") to make it a path component, or leave
// it empty.
//
// The client runs goroutines of its own. CloseDatadogCollectors sends what
// it has buffered and stops them; to own the client yourself instead, make
// it with statsd.New and pass it to NewDatadogCollectorWithClient.
func NewDatadogCollector(addr, prefix string) (func(string) metricCollector.MetricCollector, error) {
	c, err := statsd.New(addr)
	if err != nil {
		return nil, err
	}
	datadogClients.Lock()
	datadogClients.open = append(datadogClients.open, c)
	datadogClients.Unlock()
	return newDatadogInitializer(c, prefix), nil
}

// CloseDatadogCollectors closes every client that NewDatadogCollector has
// made so far: each sends what it has buffered and stops its goroutines.
// Collectors built from them discard what they are given afterwards, so call
// it when the program no longer runs commands.
func CloseDatadogCollectors() error {
	datadogClients.Lock()
	open := datadogClients.open
	datadogClients.open = nil
	datadogClients.Unlock()
	var errs []error
	for _, c := range open {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// NewDatadogCollectorWithClient returns the collector initializer to
// register with metricCollector.Registry, sending through client under the
// unprefixed DM_ names. The caller keeps ownership of client.
func NewDatadogCollectorWithClient(client DatadogClient) func(string) metricCollector.MetricCollector {
	return newDatadogInitializer(client, "")
}

func newDatadogInitializer(client DatadogClient, prefix string) func(string) metricCollector.MetricCollector {
	names := newDatadogNames(prefix)
	return func(name string) metricCollector.MetricCollector {
		return &DatadogCollector{
			client: client,
			names:  names,
			tags:   []string{"hystrixcircuit:" + name},
		}
	}
}

func (c *DatadogCollector) count(name string, n float64) {
	if n > 0 {
		_ = c.client.Count(name, int64(n), c.tags, 1)
	}
}

// Update sends the metrics of one execution.
func (c *DatadogCollector) Update(r metricCollector.MetricResult) {
	n := c.names
	c.count(n.attempts, r.Attempts)
	c.count(n.errors, r.Errors)
	if r.Successes > 0 {
		_ = c.client.Gauge(n.circuitOpen, 0, c.tags, 1)
		c.count(n.successes, r.Successes)
	}
	c.count(n.failures, r.Failures)
	c.count(n.rejects, r.Rejects)
	if r.ShortCircuits > 0 {
		_ = c.client.Gauge(n.circuitOpen, 1, c.tags, 1)
		c.count(n.shortCircuits, r.ShortCircuits)
	}
	c.count(n.timeouts, r.Timeouts)
	c.count(n.fallbackSuccesses, r.FallbackSuccesses)
	c.count(n.fallbackFailures, r.FallbackFailures)
	c.count(n.badRequests, r.BadRequests)
	_ = c.client.TimeInMilliseconds(n.totalDuration, milliseconds(r.TotalDuration), c.tags, 1)
	if ran(r) {
		_ = c.client.TimeInMilliseconds(n.runDuration, milliseconds(r.RunDuration), c.tags, 1)
	}
}

// Reset does nothing: the agent keeps no state that a circuit's reset
// should clear.
func (c *DatadogCollector) Reset() {}

func milliseconds(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
