package hystrix

import (
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

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
	// implicit names the settings made with defaults on first use rather
	// than configured; Flush forgets them with their circuits.
	implicit map[string]bool
	streams  map[*StreamHandler]struct{}
	// gen counts Flushes; a circuit from an older generation is stale.
	gen atomic.Uint64
}{
	circuits: make(map[string]*CircuitBreaker),
	settings: make(map[string]*Settings),
	implicit: make(map[string]bool),
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
	c.gen = reg.gen.Load()
	reg.circuits[name] = c
	reg.fast.Store(name, c)
	reg.mu.Unlock()
	return c, true, nil
}

// circuitFor is GetCircuit for the call path. Most programs name a command
// with the same string every time, a constant or a name kept from setup, so
// its bytes are at the same address on every call: a small table indexed by
// that address finds the circuit without hashing the name, and the compare
// that confirms it stops at the equal pointers. A name built anew for each
// call takes the map, which is correct, only slower.
func circuitFor(name string) *CircuitBreaker {
	// Two ways: the slot the address hashes to and its neighbour, in the
	// same cache line, so that two names sharing a slot do not evict each
	// other on every call.
	h := (uint64(uintptr(unsafe.Pointer(unsafe.StringData(name)))) * 0x9E3779B97F4A7C15) >> (64 - nameCacheBits)
	gen := reg.gen.Load()
	if c := nameCache[h].Load(); c != nil && sameName(c.Name, name) && c.gen == gen {
		return c
	}
	if c := nameCache[h^1].Load(); c != nil && sameName(c.Name, name) && c.gen == gen {
		return c
	}
	var c *CircuitBreaker
	if v, ok := reg.fast.Load(name); ok {
		c = v.(*CircuitBreaker)
	} else {
		c, _, _ = GetCircuit(name)
	}
	slot := &nameCache[h]
	if old := slot.Load(); old != nil && old.gen == gen {
		slot = &nameCache[h^1] // keep the first way's name, evict the second
	}
	slot.Store(c)
	return c
}

// 16,384 slots (128 KiB): room for the commands of large services before
// names start to share slots.
const nameCacheBits = 14

// sameName compares two names, without a call when they share their bytes.
func sameName(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// nameCache holds circuits by the address of the name's bytes that callers
// pass; see circuitFor. Entries from before a Flush are told apart by their gen.
var nameCache [1 << nameCacheBits]atomic.Pointer[CircuitBreaker]

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
// Settings made with Configure stay; the defaults made for commands that ran
// without configuration go with their circuits. Executions in flight finish on the
// circuit they started with; the next call of a command gets a new circuit.
func Flush() {
	reg.mu.Lock()
	old := reg.circuits
	reg.circuits = make(map[string]*CircuitBreaker)
	reg.fast.Clear()
	reg.gen.Add(1)
	for name := range reg.implicit {
		delete(reg.settings, name)
	}
	clear(reg.implicit)
	streams := reg.streams
	reg.streams = make(map[*StreamHandler]struct{})
	reg.mu.Unlock()

	// Drop the cached circuits too, or they would stay reachable, with
	// all their metrics, until their slots were reused.
	for i := range nameCache {
		nameCache[i].Store(nil)
	}
	for _, c := range old {
		c.mu.Lock()
		c.stopProbeLocked()
		c.mu.Unlock()
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
