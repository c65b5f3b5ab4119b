package main

import (
	"fmt"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// watchInterval is how often circuit states are sampled. It is far shorter
// than any sleep window, so no open-then-closed cycle goes unseen.
const watchInterval = 20 * time.Millisecond

// history is what a circuit has done during the run.
type history struct {
	state hystrix.State
	// opened counts the times the circuit left the closed state.
	opened int
	// reclosed reports whether it closed again after it last opened.
	reclosed bool
	// since is when the circuit's rolling metrics began: the start of the
	// run, or when it last closed, since closing clears them.
	since time.Time
}

// watcher samples the circuits' states and turns their changes into
// events. The library has no hook for state changes, and its log lines are
// meant for people, so sampling is the dependable way to see them.
type watcher struct {
	start   time.Time
	names   []string
	history map[string]*history
}

func newWatcher(start time.Time, cmds []*command) *watcher {
	w := &watcher{start: start, history: make(map[string]*history, len(cmds))}
	for _, c := range cmds {
		w.names = append(w.names, c.name)
		w.history[c.name] = &history{state: hystrix.StateClosed, since: start}
	}
	return w
}

// poll samples every circuit at now and returns a line for each one that
// opened or closed since the last poll.
func (w *watcher) poll(now time.Time) []string {
	var events []string
	for _, name := range w.names {
		c, _, _ := hystrix.GetCircuit(name)
		h := w.history[name]
		state := c.State()
		wasClosed := h.state == hystrix.StateClosed
		isClosed := state == hystrix.StateClosed
		h.state = state
		switch {
		case wasClosed && !isClosed:
			h.opened++
			h.reclosed = false
			events = append(events, w.event(now, name, "circuit OPENED, calls go straight to the fallback"))
		case !wasClosed && isClosed:
			h.reclosed = true
			h.since = now
			events = append(events, w.event(now, name, "circuit closed again, a probe succeeded"))
		}
	}
	return events
}

func (w *watcher) event(now time.Time, name, what string) string {
	return fmt.Sprintf("%s %s: %s", stamp(now.Sub(w.start)), name, what)
}

// stamp formats an offset from the start of the run for the left margin.
func stamp(d time.Duration) string {
	return fmt.Sprintf("[%5.1fs]", d.Seconds())
}
