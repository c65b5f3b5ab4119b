package plugins

import (
	"math"
	"net"
	"sync"
	"time"

	metrics "github.com/rcrowley/go-metrics"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// GraphiteCollector records the results of one command in go-metrics'
// DefaultRegistry, which InitializeGraphiteCollector's reporter sends to
// Graphite. Its metrics are named {name}.{metric}, where every '/', ':' and
// '.' of the command's name is replaced by '-':
//
//   - attempts, errors, successes, failures, rejects, shortCircuits,
//     timeouts, fallbackSuccesses, fallbackFailures and badRequests are
//     go-metrics Counters, running totals; a bad request
//     (hystrix.BadRequest) counts as an attempt and a badRequest, not as
//     an error;
//   - totalDuration and runDuration are go-metrics Timers, in nanoseconds;
//     runDuration records only executions whose run function ran.
//
// Since the metrics live in DefaultRegistry, any other go-metrics reporter
// a program runs sees them too.
type GraphiteCollector struct {
	attempts          metrics.Counter
	errors            metrics.Counter
	successes         metrics.Counter
	failures          metrics.Counter
	rejects           metrics.Counter
	shortCircuits     metrics.Counter
	timeouts          metrics.Counter
	fallbackSuccesses metrics.Counter
	fallbackFailures  metrics.Counter
	badRequests       metrics.Counter
	totalDuration     metrics.Timer
	runDuration       metrics.Timer
}

// GraphiteCollectorConfig says where and how often the Graphite reporter
// sends.
type GraphiteCollectorConfig struct {
	// GraphiteAddr is the address of the Graphite server's plaintext
	// (line protocol) TCP listener, usually port 2003.
	GraphiteAddr *net.TCPAddr
	// Prefix starts every metric path, followed by a dot; empty for none.
	Prefix string
	// TickInterval is how often the reporter sends every metric; 0 means
	// ten seconds.
	TickInterval time.Duration
}

// NewGraphiteCollector returns the collector of the named command, for
// metricCollector.Registry:
//
//	metricCollector.Registry.Register(plugins.NewGraphiteCollector)
//
// Collectors of the same name share their metrics, so the totals carry on
// when a circuit is made again after hystrix.Flush.
func NewGraphiteCollector(name string) metricCollector.MetricCollector {
	return newGraphiteCollectorIn(metrics.DefaultRegistry, name)
}

func newGraphiteCollectorIn(reg metrics.Registry, name string) *GraphiteCollector {
	base := metricSafeName(name) + "."
	// A name already taken by a metric of another kind gives nil, and
	// Update skips it.
	counter := func(metric string) metrics.Counter {
		c, _ := reg.GetOrRegister(base+metric, metrics.NewCounter).(metrics.Counter)
		return c
	}
	timer := func(metric string) metrics.Timer {
		t, _ := reg.GetOrRegister(base+metric, newGraphiteTimer).(metrics.Timer)
		return t
	}
	return &GraphiteCollector{
		attempts:          counter("attempts"),
		errors:            counter("errors"),
		successes:         counter("successes"),
		failures:          counter("failures"),
		rejects:           counter("rejects"),
		shortCircuits:     counter("shortCircuits"),
		timeouts:          counter("timeouts"),
		fallbackSuccesses: counter("fallbackSuccesses"),
		fallbackFailures:  counter("fallbackFailures"),
		badRequests:       counter("badRequests"),
		totalDuration:     timer("totalDuration"),
		runDuration:       timer("runDuration"),
	}
}

func inc(c metrics.Counter, n float64) {
	if n != 0 && c != nil {
		c.Inc(int64(n))
	}
}

// Update records one execution.
func (g *GraphiteCollector) Update(r metricCollector.MetricResult) {
	inc(g.attempts, r.Attempts)
	inc(g.errors, r.Errors)
	inc(g.successes, r.Successes)
	inc(g.failures, r.Failures)
	inc(g.rejects, r.Rejects)
	inc(g.shortCircuits, r.ShortCircuits)
	inc(g.timeouts, r.Timeouts)
	inc(g.fallbackSuccesses, r.FallbackSuccesses)
	inc(g.fallbackFailures, r.FallbackFailures)
	inc(g.badRequests, r.BadRequests)
	if g.totalDuration != nil {
		g.totalDuration.Update(r.TotalDuration)
	}
	if g.runDuration != nil && ran(r) {
		g.runDuration.Update(r.RunDuration)
	}
}

// Reset does nothing: the counters are running totals, as Graphite expects.
func (g *GraphiteCollector) Reset() {}

// graphiteTimer is a go-metrics Timer that needs no goroutine. go-metrics'
// own NewTimer registers a Meter with a package goroutine that ticks it
// every five seconds and can never be stopped; this one keeps the same
// one-, five- and fifteen-minute moving averages but brings them up to date
// whenever it is used, by applying the ticks that fell due since.
type graphiteTimer struct {
	metrics.Histogram // Count, Min, Max, Mean, StdDev, Percentiles, ...

	mu      sync.Mutex
	start   time.Time
	due     time.Time  // when the next five-second tick falls
	pending int64      // events since the last tick
	total   int64      // events since start
	rates   [3]float64 // events per second, as in rateAlphas
	primed  bool       // whether a tick has happened
}

// rateTick is the period of the moving averages, as in go-metrics.
const rateTick = 5 * time.Second

// rateAlphas are go-metrics' smoothing factors for five-second ticks over
// one, five and fifteen minutes.
var rateAlphas = [3]float64{
	1 - math.Exp(-5.0/60/1),
	1 - math.Exp(-5.0/60/5),
	1 - math.Exp(-5.0/60/15),
}

func newGraphiteTimer() metrics.Timer {
	if metrics.UseNilMetrics {
		return metrics.NilTimer{}
	}
	return newGraphiteTimerAt(time.Now())
}

func newGraphiteTimerAt(now time.Time) *graphiteTimer {
	return &graphiteTimer{
		// go-metrics' NewTimer sample: 1028 values, biased towards the
		// last five minutes.
		Histogram: metrics.NewHistogram(metrics.NewExpDecaySample(1028, 0.015)),
		start:     now,
		due:       now.Add(rateTick),
	}
}

// advance applies the ticks due by now. t.mu must be held.
func (t *graphiteTimer) advance(now time.Time) {
	if now.Before(t.due) {
		return
	}
	ticks := int64(now.Sub(t.due)/rateTick) + 1
	t.due = t.due.Add(time.Duration(ticks) * rateTick)
	// The events since the last tick belong to the first tick due; the
	// others saw none, and each of them only decays the averages.
	instant := float64(t.pending) / rateTick.Seconds()
	t.pending = 0
	for i, a := range rateAlphas {
		if t.primed {
			t.rates[i] += a * (instant - t.rates[i])
		} else {
			t.rates[i] = instant
		}
		if ticks > 1 {
			t.rates[i] *= math.Pow(1-a, float64(ticks-1))
		}
	}
	t.primed = true
}

func (t *graphiteTimer) updateAt(now time.Time, d time.Duration) {
	t.mu.Lock()
	t.advance(now)
	t.Histogram.Update(int64(d))
	t.pending++
	t.total++
	t.mu.Unlock()
}

// ratesAt returns the moving averages and the mean rate at now.
func (t *graphiteTimer) ratesAt(now time.Time) (rates [3]float64, mean float64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.advance(now)
	if elapsed := now.Sub(t.start).Seconds(); elapsed > 0 {
		mean = float64(t.total) / elapsed
	}
	return t.rates, mean
}

func (t *graphiteTimer) snapshotAt(now time.Time) *graphiteTimerSnapshot {
	s := &graphiteTimerSnapshot{}
	// The rates and the histogram have separate locks: a value recorded
	// between the two reads shows in the histogram only, one event off.
	s.rates, s.rateMean = t.ratesAt(now)
	s.Histogram = t.Histogram.Snapshot()
	return s
}

// Update records one duration.
func (t *graphiteTimer) Update(d time.Duration) { t.updateAt(time.Now(), d) }

// UpdateSince records the time since start.
func (t *graphiteTimer) UpdateSince(start time.Time) {
	now := time.Now()
	t.updateAt(now, now.Sub(start))
}

// Time records how long f takes.
func (t *graphiteTimer) Time(f func()) {
	start := time.Now()
	f()
	t.UpdateSince(start)
}

// Snapshot returns a copy that no longer changes.
func (t *graphiteTimer) Snapshot() metrics.Timer { return t.snapshotAt(time.Now()) }

// Rate1 returns the one-minute moving average of events per second.
func (t *graphiteTimer) Rate1() float64 { r, _ := t.ratesAt(time.Now()); return r[0] }

// Rate5 returns the five-minute moving average of events per second.
func (t *graphiteTimer) Rate5() float64 { r, _ := t.ratesAt(time.Now()); return r[1] }

// Rate15 returns the fifteen-minute moving average of events per second.
func (t *graphiteTimer) Rate15() float64 { r, _ := t.ratesAt(time.Now()); return r[2] }

// RateMean returns the mean number of events per second since the timer was
// made.
func (t *graphiteTimer) RateMean() float64 { _, m := t.ratesAt(time.Now()); return m }

// Stop does nothing: there is no goroutine to stop.
func (t *graphiteTimer) Stop() {}

// graphiteTimerSnapshot is a graphiteTimer frozen in time.
type graphiteTimerSnapshot struct {
	metrics.Histogram // a histogram snapshot
	rates             [3]float64
	rateMean          float64
}

func (s *graphiteTimerSnapshot) Rate1() float64          { return s.rates[0] }
func (s *graphiteTimerSnapshot) Rate5() float64          { return s.rates[1] }
func (s *graphiteTimerSnapshot) Rate15() float64         { return s.rates[2] }
func (s *graphiteTimerSnapshot) RateMean() float64       { return s.rateMean }
func (s *graphiteTimerSnapshot) Snapshot() metrics.Timer { return s }
func (s *graphiteTimerSnapshot) Stop()                   {}
func (s *graphiteTimerSnapshot) Time(func())             { panic("plugins: Time called on a timer snapshot") }
func (s *graphiteTimerSnapshot) Update(time.Duration) {
	panic("plugins: Update called on a timer snapshot")
}
func (s *graphiteTimerSnapshot) UpdateSince(time.Time) {
	panic("plugins: UpdateSince called on a timer snapshot")
}
