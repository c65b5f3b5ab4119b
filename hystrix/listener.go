package hystrix

import (
	"sync"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// StateChange is one transition of a circuit, as listeners see it.
type StateChange struct {
	// Command is the circuit's name.
	Command string
	// From and To are the states before and after.
	From, To State
	// Generation counts the circuit's transitions; this one's is the count
	// after it, so the first transition of a circuit has Generation 1.
	Generation uint64
	// At is when the transition happened, by the registry's clock.
	At time.Time
	// Counts are the circuit's counts that caused it: for an opening, the
	// window and the opener's own counts at that moment.
	Counts policy.Counts
	// Forced says a ForceOpen or ForceClosed setting made the transition.
	Forced bool

	// singleProbe says the half-open circuit admits one probe, for the
	// log line.
	singleProbe bool
}

// listeners delivers a registry's transitions to its listeners: in the
// order the transitions happened, one at a time, and with no lock held, so
// that a listener may call the library, even one whose call makes another
// transition. Transitions are queued under the circuit's lock as they
// happen; whichever goroutine finds nobody delivering delivers the queue.
type listeners struct {
	reg *Registry
	// logTransitions makes the logger one of the listeners, with
	// hystrix-go's lines.
	logTransitions bool

	mu         sync.Mutex
	all        []*listener
	byCommand  map[string][]*listener
	queue      []StateChange
	delivering bool
}

type listener struct{ f func(StateChange) }

// OnStateChange calls f for every transition of every circuit of the
// registry, and returns a function that removes it. Calls come in the order
// the transitions happened, one at a time, with no lock of the library
// held, so f may call the library; a transition that f's own call causes is
// delivered after f returns. A panic in f is recovered and reported. A nil
// f is ignored.
func (r *Registry) OnStateChange(f func(StateChange)) (remove func()) {
	return r.listeners.add("", f)
}

// OnCommandStateChange is OnStateChange for the circuit of one command; it
// lasts across Flush.
func (r *Registry) OnCommandStateChange(name string, f func(StateChange)) (remove func()) {
	return r.listeners.add(name, f)
}

func (ls *listeners) add(name string, f func(StateChange)) func() {
	if f == nil {
		return func() {}
	}
	l := &listener{f: f}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if name == "" {
		ls.all = append(ls.all[:len(ls.all):len(ls.all)], l)
	} else {
		if ls.byCommand == nil {
			ls.byCommand = make(map[string][]*listener)
		}
		cur := ls.byCommand[name]
		ls.byCommand[name] = append(cur[:len(cur):len(cur)], l)
	}
	var once sync.Once
	return func() { once.Do(func() { ls.remove(name, l) }) }
}

func (ls *listeners) remove(name string, l *listener) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	drop := func(in []*listener) []*listener {
		out := make([]*listener, 0, len(in))
		for _, x := range in {
			if x != l {
				out = append(out, x)
			}
		}
		return out
	}
	if name == "" {
		ls.all = drop(ls.all)
		return
	}
	ls.byCommand[name] = drop(ls.byCommand[name])
	if len(ls.byCommand[name]) == 0 {
		delete(ls.byCommand, name)
	}
}

// enqueue adds a transition; callers hold the circuit's lock, so that the
// queue's order is the transitions' order.
func (ls *listeners) enqueue(ev StateChange) {
	ls.mu.Lock()
	ls.queue = append(ls.queue, ev)
	ls.mu.Unlock()
}

// deliver delivers the queued transitions unless another goroutine is
// already doing so; callers hold no lock.
func (ls *listeners) deliver() {
	ls.mu.Lock()
	if ls.delivering || len(ls.queue) == 0 {
		ls.mu.Unlock()
		return
	}
	ls.delivering = true
	for len(ls.queue) > 0 {
		ev := ls.queue[0]
		ls.queue[0] = StateChange{}
		ls.queue = ls.queue[1:]
		all, mine := ls.all, ls.byCommand[ev.Command]
		ls.mu.Unlock()
		ls.call(ev, all, mine)
		ls.mu.Lock()
	}
	ls.queue = nil
	ls.delivering = false
	ls.mu.Unlock()
}

func (ls *listeners) call(ev StateChange, all, mine []*listener) {
	if ls.logTransitions {
		ls.reg.logTransition(ev)
	}
	for _, l := range all {
		ls.callOne(l, ev)
	}
	for _, l := range mine {
		ls.callOne(l, ev)
	}
}

func (ls *listeners) callOne(l *listener, ev StateChange) {
	defer func() {
		if v := recover(); v != nil {
			ls.reg.reportPanic("a state listener", ev.Command, v)
		}
	}()
	l.f(ev)
}

// logTransition writes hystrix-go's line for a transition.
func (r *Registry) logTransition(ev StateChange) {
	switch ev.To {
	case StateOpen:
		if ev.From == StateClosed {
			r.logf("hystrix-go: opening circuit %v", ev.Command)
		} else {
			r.logf("hystrix-go: reopening circuit %v", ev.Command)
		}
	case StateHalfOpen:
		if ev.singleProbe {
			r.logf("hystrix-go: allowing a single probe to possibly close circuit %v", ev.Command)
		} else {
			r.logf("hystrix-go: half-open circuit %v admits probes", ev.Command)
		}
	case StateClosed:
		r.logf("hystrix-go: closing circuit %v", ev.Command)
	}
}
