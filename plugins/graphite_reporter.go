package plugins

import (
	"bytes"
	"fmt"
	"log"
	"net"
	"sort"
	"sync"
	"time"

	metrics "github.com/rcrowley/go-metrics"
)

const (
	// defaultGraphiteTick is the reporter's period when the config gives
	// none.
	defaultGraphiteTick = 10 * time.Second
	// graphiteTimeout bounds connecting to the server and writing to it,
	// so that a stalled server delays a flush, and Stop, by no more.
	graphiteTimeout = 5 * time.Second
)

// graphitePercentiles are the percentiles sent for Timers and Histograms,
// with the path components they are sent under.
var graphitePercentiles = []struct {
	q    float64
	name string
}{
	{0.5, "50-percentile"},
	{0.75, "75-percentile"},
	{0.95, "95-percentile"},
	{0.99, "99-percentile"},
	{0.999, "999-percentile"},
}

// graphiteReporter sends a go-metrics registry to a Graphite server every
// tick, from one goroutine, until stopped.
type graphiteReporter struct {
	addr     *net.TCPAddr
	prefix   string
	registry metrics.Registry
	stop     chan struct{}
	done     chan struct{}
}

// graphite holds the reporter InitializeGraphiteCollector started.
var graphite struct {
	sync.Mutex
	running *graphiteReporter
}

// InitializeGraphiteCollector starts the reporter that sends every metric of
// go-metrics' DefaultRegistry, the GraphiteCollectors' included, to the
// Graphite server config names, every config.TickInterval. A reporter it
// started before is stopped first, as StopGraphiteCollector does.
//
// The reporter is one goroutine, owned by this package: StopGraphiteCollector
// stops it. Failed sends are logged with the standard log package and
// retried at the next tick; a nil config or address is logged and starts
// nothing.
func InitializeGraphiteCollector(config *GraphiteCollectorConfig) {
	graphite.Lock()
	defer graphite.Unlock()
	if graphite.running != nil {
		if err := graphite.running.stopAndFlush(); err != nil {
			log.Printf("hystrix-go/plugins: graphite: %v", err)
		}
		graphite.running = nil
	}
	if config == nil || config.GraphiteAddr == nil {
		log.Printf("hystrix-go/plugins: graphite: no server address; not reporting")
		return
	}
	tick := config.TickInterval
	if tick <= 0 {
		tick = defaultGraphiteTick
	}
	r := &graphiteReporter{
		addr:     config.GraphiteAddr,
		prefix:   config.Prefix,
		registry: metrics.DefaultRegistry,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go r.run(tick)
	graphite.running = r
}

// StopGraphiteCollector stops the reporter that InitializeGraphiteCollector
// started, then sends the metrics one last time, so that nothing recorded
// before it is lost; it returns the error of that last send. It waits for a
// send in progress, at most a few seconds. Without a running reporter it
// does nothing. GraphiteCollectors keep recording afterwards, and a new
// InitializeGraphiteCollector reports their totals.
func StopGraphiteCollector() error {
	graphite.Lock()
	defer graphite.Unlock()
	r := graphite.running
	graphite.running = nil
	if r == nil {
		return nil
	}
	return r.stopAndFlush()
}

func (r *graphiteReporter) run(tick time.Duration) {
	defer close(r.done)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			if err := r.flush(); err != nil {
				log.Printf("hystrix-go/plugins: graphite: %v", err)
			}
		}
	}
}

func (r *graphiteReporter) stopAndFlush() error {
	close(r.stop)
	<-r.done
	return r.flush()
}

// flush sends every metric of the registry over a new connection.
func (r *graphiteReporter) flush() error {
	var buf bytes.Buffer
	writeGraphite(&buf, r.registry, r.prefix, time.Now())
	if buf.Len() == 0 {
		return nil
	}
	conn, err := net.DialTimeout("tcp", r.addr.String(), graphiteTimeout)
	if err != nil {
		return err
	}
	if err := conn.SetWriteDeadline(time.Now().Add(graphiteTimeout)); err != nil {
		conn.Close()
		return err
	}
	_, err = conn.Write(buf.Bytes())
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeGraphite writes the registry in Graphite's plaintext protocol, one
// "path value timestamp" line per value, metrics in name order. The paths
// and values are those afex's reporter (go-metrics' Graphite exporter, with
// durations in nanoseconds) sent.
func writeGraphite(buf *bytes.Buffer, reg metrics.Registry, prefix string, now time.Time) {
	type entry struct {
		name   string
		metric interface{}
	}
	var all []entry
	reg.Each(func(name string, m interface{}) { all = append(all, entry{name, m}) })
	sort.Slice(all, func(i, j int) bool { return all[i].name < all[j].name })

	ts := now.Unix()
	qs := make([]float64, len(graphitePercentiles))
	for i, p := range graphitePercentiles {
		qs[i] = p.q
	}
	for _, e := range all {
		base := e.name
		if prefix != "" {
			base = prefix + "." + base
		}
		line := func(field, format string, v interface{}) {
			fmt.Fprintf(buf, "%s.%s "+format+" %d\n", base, field, v, ts)
		}
		percentiles := func(values []float64) {
			for i, p := range graphitePercentiles {
				line(p.name, "%.2f", values[i])
			}
		}
		switch m := e.metric.(type) {
		case metrics.Counter:
			line("count", "%d", m.Count())
		case metrics.Gauge:
			line("value", "%d", m.Value())
		case metrics.GaugeFloat64:
			line("value", "%f", m.Value())
		case metrics.Timer:
			var s metrics.Timer
			if gt, ok := m.(*graphiteTimer); ok {
				s = gt.snapshotAt(now) // rates as of the lines' timestamp
			} else {
				s = m.Snapshot()
			}
			line("count", "%d", s.Count())
			line("min", "%d", s.Min())
			line("max", "%d", s.Max())
			line("mean", "%.2f", s.Mean())
			line("std-dev", "%.2f", s.StdDev())
			percentiles(s.Percentiles(qs))
			line("one-minute", "%.2f", s.Rate1())
			line("five-minute", "%.2f", s.Rate5())
			line("fifteen-minute", "%.2f", s.Rate15())
			line("mean-rate", "%.2f", s.RateMean())
		case metrics.Histogram:
			s := m.Snapshot()
			line("count", "%d", s.Count())
			line("min", "%d", s.Min())
			line("max", "%d", s.Max())
			line("mean", "%.2f", s.Mean())
			line("std-dev", "%.2f", s.StdDev())
			percentiles(s.Percentiles(qs))
		case metrics.Meter:
			s := m.Snapshot()
			line("count", "%d", s.Count())
			line("one-minute", "%.2f", s.Rate1())
			line("five-minute", "%.2f", s.Rate5())
			line("fifteen-minute", "%.2f", s.Rate15())
			line("mean", "%.2f", s.RateMean())
		}
	}
}
