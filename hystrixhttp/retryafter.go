package hystrixhttp

import (
	"sync"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// openTracker remembers when each circuit of a registry last opened, from
// the registry's state changes, for Retry-After.
type openTracker struct {
	mu    sync.Mutex
	since map[string]time.Time
}

func (o *openTracker) record(sc hystrix.StateChange) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if sc.To != hystrix.StateOpen {
		delete(o.since, sc.Command)
		return
	}
	if o.since == nil {
		o.since = make(map[string]time.Time)
	}
	o.since[sc.Command] = sc.At
}

func (o *openTracker) openedAt(name string) (time.Time, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t, ok := o.since[name]
	return t, ok
}

// retryAfter returns the whole seconds, at least 1, until the open circuit
// of command name may let a probe through: the rest of its sleep window
// when the Handler saw it open, the whole window otherwise. A half-open
// circuit, whose probe is running, and a closed one that throttles get 1.
func (h *Handler) retryAfter(name string) int {
	cb, _, err := h.reg.GetCircuit(name)
	if err != nil || cb.State() != hystrix.StateOpen {
		return 1
	}
	wait := cb.Settings().SleepWindow
	if at, ok := h.opened.openedAt(name); ok {
		wait = at.Add(wait).Sub(h.reg.Clock().Now())
	}
	secs := int((wait + time.Second - 1) / time.Second)
	return max(secs, 1)
}
