package hystrix

import (
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// A Registry holds a set of circuits by command name, with their settings,
// their collectors, the logger, the listeners and the clock they use. The
// package-level functions (Do, Go, ConfigureCommand, GetCircuit, Flush, ...)
// work on a default registry; NewRegistry makes others, such as one per test
// with a manual clock, that share nothing with it.
//
// Make one with NewRegistry; the zero value is not ready to use. A Registry
// is safe for concurrent use. Lookups on the call path are
// lock-free; a mutex serializes creation, configuration and Flush, which are
// rare, and no user code runs with it held (see the package doc): a
// circuit's collectors are built between two holds of it.
type Registry struct {
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
	// named says the registry is the default one, whose circuits the name
	// cache holds; it sits beside gen, which the same lookup reads.
	named bool
	// last is the circuit last looked up by name, for registries other
	// than the default (ownCircuitFor).
	last atomic.Pointer[CircuitBreaker]

	clock  clock
	logger atomic.Pointer[loggerBox]
	// collectors returns the initializers of a new circuit's collectors.
	collectors func() []func(string) metricCollector.MetricCollector
	listeners  listeners
}

// An Option configures a Registry made by NewRegistry.
type Option interface{ apply(*Registry) }

type optionFunc func(*Registry)

func (f optionFunc) apply(r *Registry) { f(r) }

// WithClock makes the registry read the time and arm its timers through c;
// nil means the system clock.
func WithClock(c Clock) Option { return optionFunc(func(r *Registry) { r.clock = newClock(c) }) }

// WithLogger sets the registry's logger, as SetLogger does for the default
// registry; nil means DefaultLogger.
func WithLogger(l Logger) Option { return optionFunc(func(r *Registry) { r.SetLogger(l) }) }

// WithMetricCollectors gives every circuit of the registry a collector from
// each initializer, in order, besides the DefaultMetricCollector that
// circuits judge their health by. Without it a registry's circuits have
// only that one; the default registry takes its initializers from
// metricCollector.Registry instead.
func WithMetricCollectors(inits ...func(name string) metricCollector.MetricCollector) Option {
	own := append([]func(string) metricCollector.MetricCollector(nil), inits...)
	return optionFunc(func(r *Registry) {
		r.collectors = func() []func(string) metricCollector.MetricCollector { return own }
	})
}

// WithStateListener adds a listener for every circuit's transitions, as
// OnStateChange does.
func WithStateListener(f func(StateChange)) Option {
	return optionFunc(func(r *Registry) { r.OnStateChange(f) })
}

// NewRegistry returns an empty registry with the system clock, the
// DefaultLogger and no collector but each circuit's DefaultMetricCollector,
// changed by opts.
func NewRegistry(opts ...Option) *Registry {
	r := newRegistry()
	for _, o := range opts {
		if o != nil {
			o.apply(r)
		}
	}
	return r
}

func newRegistry() *Registry {
	r := &Registry{
		circuits:   make(map[string]*CircuitBreaker),
		settings:   make(map[string]*Settings),
		implicit:   make(map[string]bool),
		creating:   make(map[string]*creation),
		carried:    make(map[string]*tickets),
		streams:    make(map[*StreamHandler]struct{}),
		clock:      newClock(nil),
		collectors: func() []func(string) metricCollector.MetricCollector { return nil },
	}
	r.logger.Store(&loggerBox{DefaultLogger})
	r.listeners.reg = r
	r.listeners.logTransitions = true
	return r
}

// defaultRegistry is the one the package-level functions use. Its
// collectors come from metricCollector.Registry, as in hystrix-go.
var defaultRegistry = func() *Registry {
	r := newRegistry()
	r.collectors = metricCollector.Registry.Initializers
	r.named = true
	return r
}()

// Clock returns the registry's clock: SystemClock unless WithClock gave
// another.
func (r *Registry) Clock() Clock {
	if r.clock.system {
		return SystemClock{}
	}
	return r.clock.c
}

// DefaultRegistry returns the registry that the package-level functions
// use.
func DefaultRegistry() *Registry { return defaultRegistry }

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
// Creating a circuit calls the collector initializers with no lock held, so
// they may call the library; only a call that needs the very circuit being
// made waits for it.
func (r *Registry) GetCircuit(name string) (*CircuitBreaker, bool, error) {
	for {
		if c, ok := r.fast.Load(name); ok {
			return c.(*CircuitBreaker), false, nil
		}
		r.mu.Lock()
		if c := r.circuits[name]; c != nil {
			r.mu.Unlock()
			return c, false, nil
		}
		if cr := r.creating[name]; cr != nil {
			r.mu.Unlock()
			<-cr.done
			if cr.c != nil {
				return cr.c, false, nil
			}
			continue
		}
		cr := &creation{done: make(chan struct{})}
		r.creating[name] = cr
		r.mu.Unlock()
		return r.createCircuit(name, cr), true, nil
	}
}

// createCircuit makes the circuit that cr announces.
func (r *Registry) createCircuit(name string, cr *creation) *CircuitBreaker {
	defer func() {
		if cr.c == nil {
			// An initializer called runtime.Goexit: let the waiters
			// try again rather than wait for ever.
			r.mu.Lock()
			delete(r.creating, name)
			r.mu.Unlock()
			close(cr.done)
		}
	}()
	def, others := r.collectorsFor(name)
	defaults, derr := settingsFor(name, CommandConfig{})

	// The first period comes from the command's opener, which is user
	// code: it is asked with no lock held, on the settings in force now,
	// and the circuit is re-judged below should they change meanwhile.
	r.mu.Lock()
	s := r.settings[name]
	r.mu.Unlock()
	if s == nil {
		s = defaults
		if derr != nil {
			s = builtinSettings()
		}
	}
	c := newCircuitBreaker(r, name, s, def, others)
	t := r.clock.now()
	// An opener of the program's own may call the library, even ask for
	// this very circuit, so it is asked only once the circuit is
	// published; until then the circuit runs its calls without judging
	// them.
	own := s.Opener != nil && !policy.IsBuiltin(s.Opener) && !s.ForceOpen && !s.ForceClosed
	first := &period{state: StateClosed, since: t}
	if !own {
		first = c.firstPeriod(t, s)
	}
	c.period.Store(first)

	r.mu.Lock()
	cur, refused := r.settingsLocked(name, defaults, derr)
	if cur != s {
		c.settings.Store(cur)
	}
	tk := r.carried[name]
	delete(r.carried, name)
	if tk == nil {
		tk = new(tickets)
	}
	c.pool.tickets = tk
	c.gen = r.gen.Load()
	r.circuits[name] = c
	r.fast.Store(name, c)
	delete(r.creating, name)
	cr.c = c
	r.mu.Unlock()
	close(cr.done)

	if refused != nil {
		r.logf("%v; using the built-in default", refused)
	}
	switch {
	case cur != s:
		c.reconfigure(r.clock.now(), nil, cur)
	case own:
		c.judgeFirst(first, t, s)
	}
	return c
}

// circuitFor is GetCircuit for the call path. Most programs name a command
// with the same string every time, a constant or a name kept from setup, so
// its bytes are at the same address on every call: a small table indexed by
// that address finds the circuit without hashing the name, and the compare
// that confirms it stops at the equal pointers. A name built anew for each
// call takes the map, which is correct, only slower. The table is the
// default registry's: one that held other registries' circuits would keep
// registries that a program dropped alive.
func (r *Registry) circuitFor(name string) *CircuitBreaker {
	if !r.named {
		return r.ownCircuitFor(name)
	}
	// Two ways: the slot the address hashes to and its neighbour, in the
	// same cache line, so that two names sharing a slot do not evict each
	// other on every call.
	h := (uint64(uintptr(unsafe.Pointer(unsafe.StringData(name)))) * 0x9E3779B97F4A7C15) >> (64 - nameCacheBits)
	gen := r.gen.Load()
	if c := nameCache[h].Load(); c != nil && sameName(c.Name, name) && c.gen == gen {
		return c
	}
	if c := nameCache[h^1].Load(); c != nil && sameName(c.Name, name) && c.gen == gen {
		return c
	}
	var c *CircuitBreaker
	if v, ok := r.fast.Load(name); ok {
		c = v.(*CircuitBreaker)
	} else {
		c, _, _ = r.GetCircuit(name)
	}
	slot := &nameCache[h]
	if old := slot.Load(); old != nil && old.gen == gen {
		slot = &nameCache[h^1] // keep the first way's name, evict the second
	}
	slot.Store(c)
	return c
}

// ownCircuitFor is circuitFor for a registry made by NewRegistry: the
// circuit last looked up, which is all a registry of one command (such as
// a breaker's) ever needs, then the map.
func (r *Registry) ownCircuitFor(name string) *CircuitBreaker {
	gen := r.gen.Load()
	if c := r.last.Load(); c != nil && sameName(c.Name, name) && c.gen == gen {
		return c
	}
	var c *CircuitBreaker
	if v, ok := r.fast.Load(name); ok {
		c = v.(*CircuitBreaker)
	} else {
		c, _, _ = r.GetCircuit(name)
	}
	r.last.Store(c)
	return c
}

// 65,536 slots (512 KiB of address space, of which a program touches a
// page per command at most): 10,000 commands fill under a sixth of them, so
// that hardly three names meet on one pair of ways and take turns evicting
// each other.
const nameCacheBits = 16

// sameName compares two names, without a call when they share their bytes.
func sameName(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// nameCache holds circuits by the address of the name's bytes that callers
// pass; see circuitFor. Entries from before a Flush are told apart by their
// gen.
var nameCache [1 << nameCacheBits]atomic.Pointer[CircuitBreaker]

// Circuits returns every circuit, sorted by name.
func (r *Registry) Circuits() []*CircuitBreaker {
	r.mu.Lock()
	out := make([]*CircuitBreaker, 0, len(r.circuits))
	for _, c := range r.circuits {
		out = append(out, c)
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Flush forgets every circuit and its metrics, and stops every StreamHandler
// of the registry that was started, so that nothing the library started
// keeps running. Settings made with Configure stay, and so do listeners;
// the defaults made for commands that ran without configuration go with
// their circuits. Executions in flight finish on the circuit they started
// with; the next call of a command gets a new circuit, which counts those
// still running against its concurrency limit.
func (r *Registry) Flush() {
	r.mu.Lock()
	old := r.circuits
	r.circuits = make(map[string]*CircuitBreaker)
	r.fast.Clear()
	r.gen.Add(1)
	for name := range r.implicit {
		delete(r.settings, name)
	}
	clear(r.implicit)
	for name, t := range r.carried {
		if t.n.Load() <= 0 {
			delete(r.carried, name)
		}
	}
	for name, c := range old {
		if c.pool.tickets.n.Load() > 0 {
			r.carried[name] = c.pool.tickets
		}
	}
	streams := r.streams
	r.streams = make(map[*StreamHandler]struct{})
	r.mu.Unlock()

	// Drop the cached circuits too, or they would stay reachable, with all
	// their metrics, until their slots were reused.
	r.last.Store(nil)
	if r.named {
		for i := range nameCache {
			nameCache[i].Store(nil)
		}
	}
	for _, c := range old {
		c.retire()
		c.resetCollectors()
	}
	for s := range streams {
		s.Stop()
	}
}

// collectorsFor builds the collectors of a new circuit. The circuit judges
// its health by the first DefaultMetricCollector it is given, or by a
// private one when it is given none.
func (r *Registry) collectorsFor(name string) (*metricCollector.DefaultMetricCollector, []*lockedCollector) {
	var def *metricCollector.DefaultMetricCollector
	var others []*lockedCollector
	for _, mc := range r.initCollectors(name) {
		if d, ok := mc.(*metricCollector.DefaultMetricCollector); ok && def == nil {
			def = d
			continue
		}
		others = append(others, &lockedCollector{c: mc, name: name, reg: r})
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
	reg  *Registry
}

func (l *lockedCollector) update(r metricCollector.MetricResult) {
	// The panic is reported after the collector's lock is released: the
	// logger may call the library, which may call this collector.
	if v := l.call(r, false); v != nil {
		l.reg.reportPanic("a metric collector's Update", l.name, v)
	}
}

func (l *lockedCollector) reset() {
	if v := l.call(metricCollector.MetricResult{}, true); v != nil {
		l.reg.reportPanic("a metric collector's Reset", l.name, v)
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
