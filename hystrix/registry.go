package hystrix

import (
	"sort"
	"sync"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// reg holds every circuit and every command's settings. Lookups on the call
// path go through the lock-free fast map; mu serializes creation,
// configuration and Flush, which are rare.
var reg = struct {
	mu       sync.Mutex
	fast     sync.Map // name -> *CircuitBreaker
	circuits map[string]*CircuitBreaker
	settings map[string]*Settings
	streams  map[*StreamHandler]struct{}
}{
	circuits: make(map[string]*CircuitBreaker),
	settings: make(map[string]*Settings),
	streams:  make(map[*StreamHandler]struct{}),
}

// GetCircuit returns the circuit of the named command, creating it on first
// use, and whether this call created it. The error is always nil; it is
// kept for compatibility with hystrix-go.
func GetCircuit(name string) (*CircuitBreaker, bool, error) {
	if c, ok := reg.fast.Load(name); ok {
		return c.(*CircuitBreaker), false, nil
	}
	reg.mu.Lock()
	if c := reg.circuits[name]; c != nil {
		reg.mu.Unlock()
		return c, false, nil
	}
	c := newCircuitBreaker(name, settingsLocked(name))
	reg.circuits[name] = c
	reg.fast.Store(name, c)
	reg.mu.Unlock()
	return c, true, nil
}

// circuitFor is GetCircuit without the extra results, for the call path.
func circuitFor(name string) *CircuitBreaker {
	if c, ok := reg.fast.Load(name); ok {
		return c.(*CircuitBreaker)
	}
	c, _, _ := GetCircuit(name)
	return c
}

// Circuits returns every circuit, sorted by name.
func Circuits() []*CircuitBreaker {
	reg.mu.Lock()
	out := make([]*CircuitBreaker, 0, len(reg.circuits))
	for _, c := range reg.circuits {
		out = append(out, c)
	}
	reg.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Flush forgets every circuit and its metrics, and stops every StreamHandler
// that was started, so that nothing the library started keeps running.
// Settings made with Configure stay. Executions in flight finish on the
// circuit they started with; the next call of a command gets a new circuit.
func Flush() {
	reg.mu.Lock()
	old := reg.circuits
	reg.circuits = make(map[string]*CircuitBreaker)
	reg.fast.Clear()
	streams := reg.streams
	reg.streams = make(map[*StreamHandler]struct{})
	reg.mu.Unlock()

	for _, c := range old {
		c.resetCollectors()
	}
	for s := range streams {
		s.Stop()
	}
}

// collectorsFor builds the collectors of a new circuit. The circuit judges
// its health by the first DefaultMetricCollector that Registry gives it, or
// by a private one when the registry holds none.
func collectorsFor(name string) (*metricCollector.DefaultMetricCollector, []*lockedCollector) {
	var def *metricCollector.DefaultMetricCollector
	var others []*lockedCollector
	for _, mc := range metricCollector.Registry.InitializeMetricCollectors(name) {
		if d, ok := mc.(*metricCollector.DefaultMetricCollector); ok && def == nil {
			def = d
			continue
		}
		if mc != nil {
			others = append(others, &lockedCollector{c: mc})
		}
	}
	if def == nil {
		def = metricCollector.NewDefaultMetricCollector()
	}
	return def, others
}

// lockedCollector serializes the calls into one user collector, which
// hystrix-go promised need no locks of their own.
type lockedCollector struct {
	mu sync.Mutex
	c  metricCollector.MetricCollector
}

func (l *lockedCollector) update(r metricCollector.MetricResult) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.Update(r)
}

func (l *lockedCollector) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.c.Reset()
}
