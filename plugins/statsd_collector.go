package plugins

import (
	"errors"
	"strings"
	"time"

	"github.com/cactus/go-statsd-client/v5/statsd"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// Sizes, in bytes, for StatsdCollectorConfig.FlushBytes: the largest packet
// the collector sends, by the kind of network between it and the statsd
// server.
const (
	// WANStatsdFlushBytes suits a path over the internet, where packets
	// larger than 512 bytes may be fragmented or dropped.
	WANStatsdFlushBytes = 512
	// LANStatsdFlushBytes fits a 1500-byte Ethernet frame; it is the
	// default.
	LANStatsdFlushBytes = 1432
	// GigabitStatsdFlushBytes fits a 9000-byte jumbo frame.
	GigabitStatsdFlushBytes = 8932
)

// statsdFlushInterval is how long a metric may wait in the client's buffer
// before it is sent, when the buffer does not fill first.
const statsdFlushInterval = time.Second

// StatsdCollectorConfig says where and how a StatsdCollectorClient sends.
type StatsdCollectorConfig struct {
	// StatsdAddr is the statsd server's UDP address, "host:port".
	StatsdAddr string
	// Prefix starts every metric name, followed by a dot; empty for none.
	Prefix string
	// SampleRate is the fraction of metrics sent, in (0, 1]; 0 means 1,
	// every metric.
	SampleRate float32
	// FlushBytes is the largest packet sent; 0 means LANStatsdFlushBytes.
	FlushBytes int
}

// StatsdCollectorClient holds one connection to a statsd server, shared by
// the StatsdCollector of every command. Make it with InitializeStatsdCollector
// and register its NewStatsdCollector method with metricCollector.Registry.
//
// The client buffers metrics and sends them from two goroutines of its own,
// at least once a second; Close sends what is buffered and stops them.
type StatsdCollectorClient struct {
	client     statsd.Statter
	sampleRate float32
}

// InitializeStatsdCollector connects to the statsd server that config names.
// On error it still returns a usable client, whose collectors discard
// everything, so that a program may carry on without metrics.
//
// The caller owns the client: call its Close method when the program no
// longer runs commands, to send what is buffered and stop its goroutines.
func InitializeStatsdCollector(config *StatsdCollectorConfig) (*StatsdCollectorClient, error) {
	// A nil *statsd.Client is cactus's no-op client: every method returns
	// without sending.
	noop := &StatsdCollectorClient{client: (*statsd.Client)(nil), sampleRate: 1}
	if config == nil {
		return noop, errors.New("plugins: nil StatsdCollectorConfig")
	}
	flushBytes := config.FlushBytes
	if flushBytes <= 0 {
		flushBytes = LANStatsdFlushBytes
	}
	rate := config.SampleRate
	if rate <= 0 {
		rate = 1
	}
	noop.sampleRate = rate
	c, err := statsd.NewClientWithConfig(&statsd.ClientConfig{
		Address:       config.StatsdAddr,
		Prefix:        config.Prefix,
		UseBuffered:   true,
		FlushInterval: statsdFlushInterval,
		FlushBytes:    flushBytes,
	})
	if err != nil {
		return noop, err
	}
	return &StatsdCollectorClient{client: c, sampleRate: rate}, nil
}

// Close sends the metrics still buffered and stops the client's goroutines.
// Collectors made by the client discard what they are given afterwards.
// Close may be called more than once.
func (s *StatsdCollectorClient) Close() error {
	if s == nil || s.client == nil {
		return nil
	}
	return s.client.Close()
}

// NewStatsdCollector returns the collector of the named command. Its metrics
// are named {Prefix}.{name}.{metric}, where every '/', ':' and '.' of name
// is replaced by '-'. Register the method value itself:
//
//	metricCollector.Registry.Register(client.NewStatsdCollector)
//
// A nil client gives a collector that discards everything.
func (s *StatsdCollectorClient) NewStatsdCollector(name string) metricCollector.MetricCollector {
	c := &StatsdCollector{client: (*statsd.Client)(nil), sampleRate: 1}
	if s != nil && s.client != nil {
		c.client, c.sampleRate = s.client, s.sampleRate
	}
	base := metricSafeName(name) + "."
	c.circuitOpen = base + "circuitOpen"
	c.attempts = base + "attempts"
	c.errors = base + "errors"
	c.successes = base + "successes"
	c.failures = base + "failures"
	c.rejects = base + "rejects"
	c.shortCircuits = base + "shortCircuits"
	c.timeouts = base + "timeouts"
	c.fallbackSuccesses = base + "fallbackSuccesses"
	c.fallbackFailures = base + "fallbackFailures"
	c.contextCanceled = base + "contextCanceled"
	c.contextDeadlineExceeded = base + "contextDeadlineExceeded"
	c.badRequests = base + "badRequests"
	c.totalDuration = base + "totalDuration"
	c.runDuration = base + "runDuration"
	c.concurrencyInUse = base + "concurrencyInUse"
	return c
}

// StatsdCollector sends the results of one command to statsd. Every metric
// is sent at the client's sample rate:
//
//   - circuitOpen, a gauge: 0 after a success, 1 after a short circuit;
//   - attempts, errors, successes, failures, rejects, shortCircuits,
//     timeouts, fallbackSuccesses, fallbackFailures, contextCanceled,
//     contextDeadlineExceeded and badRequests, counters, each sent only
//     when non-zero; a bad request (hystrix.BadRequest) counts as an
//     attempt and a badRequest, not as an error;
//   - totalDuration and runDuration, timings in milliseconds; runDuration
//     only for executions whose run function ran;
//   - concurrencyInUse, a timing holding the percentage (0 to 100) of the
//     command's concurrency limit in use.
//
// Send errors are ignored: statsd is best effort, and a collector must not
// slow its command.
type StatsdCollector struct {
	client     statsd.StatSender
	sampleRate float32

	circuitOpen             string
	attempts                string
	errors                  string
	successes               string
	failures                string
	rejects                 string
	shortCircuits           string
	timeouts                string
	fallbackSuccesses       string
	fallbackFailures        string
	contextCanceled         string
	contextDeadlineExceeded string
	badRequests             string
	totalDuration           string
	runDuration             string
	concurrencyInUse        string
}

func (c *StatsdCollector) count(stat string, n float64) {
	if n != 0 {
		_ = c.client.Inc(stat, int64(n), c.sampleRate)
	}
}

// Update sends the metrics of one execution.
func (c *StatsdCollector) Update(r metricCollector.MetricResult) {
	if r.Successes > 0 {
		_ = c.client.Gauge(c.circuitOpen, 0, c.sampleRate)
	} else if r.ShortCircuits > 0 {
		_ = c.client.Gauge(c.circuitOpen, 1, c.sampleRate)
	}
	c.count(c.attempts, r.Attempts)
	c.count(c.errors, r.Errors)
	c.count(c.successes, r.Successes)
	c.count(c.failures, r.Failures)
	c.count(c.rejects, r.Rejects)
	c.count(c.shortCircuits, r.ShortCircuits)
	c.count(c.timeouts, r.Timeouts)
	c.count(c.fallbackSuccesses, r.FallbackSuccesses)
	c.count(c.fallbackFailures, r.FallbackFailures)
	c.count(c.contextCanceled, r.ContextCanceled)
	c.count(c.contextDeadlineExceeded, r.ContextDeadlineExceeded)
	c.count(c.badRequests, r.BadRequests)
	_ = c.client.TimingDuration(c.totalDuration, r.TotalDuration, c.sampleRate)
	if ran(r) {
		_ = c.client.TimingDuration(c.runDuration, r.RunDuration, c.sampleRate)
	}
	_ = c.client.Timing(c.concurrencyInUse, int64(100*r.ConcurrencyInUse), c.sampleRate)
}

// Reset does nothing: statsd counters are deltas, and the server keeps no
// state that a circuit's reset should clear.
func (c *StatsdCollector) Reset() {}

// nameReplacer keeps a command's name one component of a dotted metric path.
var nameReplacer = strings.NewReplacer("/", "-", ":", "-", ".", "-")

func metricSafeName(name string) string { return nameReplacer.Replace(name) }

// ran reports whether the execution's run function ran; the others have no
// run duration to report, and reporting zero would drag the distribution
// down. The rule is the DefaultMetricCollector's: a bad request came from
// a run that ran.
func ran(r metricCollector.MetricResult) bool {
	return r.RunDuration > 0 || r.Successes+r.Failures+r.Timeouts+r.BadRequests > 0
}
