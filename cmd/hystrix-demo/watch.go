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
	// rate is the rate its ramp admitted at the last poll, 0 when it was
	// not ramping; peak is the highest seen, and ramped says one was.
	rate, peak float64
	ramped     bool
}

// watcher samples the circuits' states and turns their changes into
// events. Sampling shows what a person watching would see: a listener
// (hystrix.OnStateChange) would also report each of the half-open moments,
// a few milliseconds long, in which a ramping circuit's first call fails
// while the dependency is down, and it cannot say how far a ramp has got.
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
// opened, closed or raised the rate of its ramp since the last poll.
func (w *watcher) poll(now time.Time) []string {
	var events []string
	for _, name := range w.names {
		c, _, _ := hystrix.GetCircuit(name)
		h := w.history[name]
		state := c.State()
		rate, ramping := c.AdmittedPerMinute()
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
			why := "a probe succeeded"
			if h.ramped {
				why = "the ramp refused no call"
			}
			events = append(events, w.event(now, name, "circuit closed again, "+why))
		}
		if !ramping {
			h.rate = 0
			continue
		}
		h.ramped = true
		h.peak = max(h.peak, rate)
		// The first stage of each ramp is not news: a failing dependency
		// sends the circuit through it every sleep window.
		if h.rate > 0 && rate > h.rate {
			events = append(events, w.event(now, name, "ramping up, half-open and admitting "+perMinute(rate)))
		}
		h.rate = rate
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

// perMinute formats an admitted rate.
func perMinute(rate float64) string {
	return fmt.Sprintf("%.0f/min", rate)
}
