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
// configuration and Flush, which are rare. No user code runs with mu held
// (usercode.go): a circuit's collectors are built between two holds of it.
var reg = struct {
	mu       sync.Mutex
	fast     sync.Map // name -> *CircuitBreaker
	circuits map[string]*CircuitBreaker
	settings map[string]*Settings
	// implicit names the settings made with defaults on first use rather
	// than configured; Flush forgets them with their circuits.
	implicit map[string]bool
	// creating holds the circuits whose collectors are being built, so
	// that concurrent first calls wait for one circuit instead of each
	// calling the initializers.
	creating map[string]*creation
	// carried holds the tickets of flushed circuits whose runs are still in
	// flight, for the next circuit of the same name to count them.
	carried map[string]*tickets
	streams map[*StreamHandler]struct{}
	// gen counts Flushes; a circuit from an older generation is stale.
	gen atomic.Uint64
}{
	circuits: make(map[string]*CircuitBreaker),
	settings: make(map[string]*Settings),
	implicit: make(map[string]bool),
	creating: make(map[string]*creation),
	carried:  make(map[string]*tickets),
	streams:  make(map[*StreamHandler]struct{}),
}

// creation is a circuit being made; done is closed when c is set, or left
// nil because the goroutine making it exited half way.
type creation struct {
	done chan struct{}
	c    *CircuitBreaker
}

// GetCircuit returns the circuit of the named command, creating it on first
// use, and whether this call created it. The error is always nil; it is
// kept for compatibility with hystrix-go.
//
// Creating a circuit calls the collector initializers registered with
// metricCollector.Registry, with no lock held, so they may call the
// library; only a call that needs the very circuit being made waits for it.
func GetCircuit(name string) (*CircuitBreaker, bool, error) {
	for {
		if c, ok := reg.fast.Load(name); ok {
			return c.(*CircuitBreaker), false, nil
		}
		reg.mu.Lock()
		if c := reg.circuits[name]; c != nil {
			reg.mu.Unlock()
			return c, false, nil
		}
		if cr := reg.creating[name]; cr != nil {
			reg.mu.Unlock()
			<-cr.done
			if cr.c != nil {
				return cr.c, false, nil
			}
			continue
		}
		cr := &creation{done: make(chan struct{})}
		reg.creating[name] = cr
		reg.mu.Unlock()
		return createCircuit(name, cr), true, nil
	}
}

// createCircuit makes the circuit that cr announces.
func createCircuit(name string, cr *creation) *CircuitBreaker {
	defer func() {
		if cr.c == nil {
			// An initializer called runtime.Goexit: let the waiters
			// try again rather than wait for ever.
			reg.mu.Lock()
			delete(reg.creating, name)
			reg.mu.Unlock()
			close(cr.done)
		}
	}()
	def, others := collectorsFor(name)
	defaults, derr := settingsFor(name, CommandConfig{})

	reg.mu.Lock()
	s, refused := settingsLocked(name, defaults, derr)
	t := reg.carried[name]
	delete(reg.carried, name)
	if t == nil {
		t = new(tickets)
	}
	c := newCircuitBreaker(name, s, def, others, t)
	c.gen = reg.gen.Load()
	reg.circuits[name] = c
	reg.fast.Store(name, c)
	delete(reg.creating, name)
	cr.c = c
	reg.mu.Unlock()
	close(cr.done)

	if refused != nil {
		logf("%v; using the built-in default", refused)
	}
	return c
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
// without configuration go with their circuits. Executions in flight finish
// on the circuit they started with; the next call of a command gets a new
// circuit, which counts those still running against its concurrency limit.
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
	for name, t := range reg.carried {
		if t.n.Load() <= 0 {
			delete(reg.carried, name)
		}
	}
	for name, c := range old {
		if c.pool.tickets.n.Load() > 0 {
			reg.carried[name] = c.pool.tickets
		}
	}
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
	for _, mc := range initCollectors(name) {
		if d, ok := mc.(*metricCollector.DefaultMetricCollector); ok && def == nil {
			def = d
			continue
		}
		others = append(others, &lockedCollector{c: mc, name: name})
	}
	if def == nil {
		def = metricCollector.NewDefaultMetricCollector()
	}
	return def, others
}

// lockedCollector serializes the calls into one user collector, which
// hystrix-go promised need no locks of their own, and keeps its panics
// from reaching the caller.
type lockedCollector struct {
	mu   sync.Mutex
	c    metricCollector.MetricCollector
	name string
}

func (l *lockedCollector) update(r metricCollector.MetricResult) {
	// The panic is reported after the collector's lock is released: the
	// logger may call the library, which may call this collector.
	if v := l.call(r, false); v != nil {
		reportPanic("a metric collector's Update", l.name, v)
	}
}

func (l *lockedCollector) reset() {
	if v := l.call(metricCollector.MetricResult{}, true); v != nil {
		reportPanic("a metric collector's Reset", l.name, v)
	}
}

// call runs Update(r), or Reset, under the collector's lock and returns
// what it panicked with, if anything.
func (l *lockedCollector) call(r metricCollector.MetricResult, reset bool) (v any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer func() { v = recover() }()
	if reset {
		l.c.Reset()
	} else {
		l.c.Update(r)
	}
	return nil
}
