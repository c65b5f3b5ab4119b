package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// phase is what the simulated downstream is doing.
type phase int

const (
	phaseHealthy phase = iota
	phaseFailing
	phaseSlow
	phaseRecovered
	numPhases
)

// phaseShares are the fractions of the run each phase lasts. The healthy
// phase is short so that the failing phase's errors soon outweigh its
// successes in the ten-second window; the recovered phase is long enough for
// every sleep window to pass and a probe to succeed.
var phaseShares = [numPhases]float64{0.15, 0.25, 0.25, 0.35}

func (p phase) String() string {
	switch p {
	case phaseHealthy:
		return "healthy"
	case phaseFailing:
		return "failing"
	case phaseSlow:
		return "slow"
	case phaseRecovered:
		return "recovered"
	}
	return fmt.Sprintf("phase(%d)", int(p))
}

// describe says what the phase does to callers.
func (p phase) describe() string {
	switch p {
	case phaseFailing:
		return fmt.Sprintf("HTTP 500s; %s hangs %v first", hangingPath, slowDelay)
	case phaseSlow:
		return fmt.Sprintf("responses take %v, past every timeout", slowDelay)
	default:
		return "quick 200 responses"
	}
}

// slowDelay is how long the slow phase makes responses take: well past
// every command's timeout, so that each call in that phase times out.
const slowDelay = 800 * time.Millisecond

// hangingPath is the resource that, in the failing phase, holds each
// request for slowDelay before its HTTP 500, as a service stuck on a lock
// does: its command's calls time out, pile up to its concurrency limit,
// and the calls past the limit are rejected, so that every outcome shows
// before the circuits open.
const hangingPath = "/orders"

// schedule maps the time since the start to the downstream's phase.
type schedule struct {
	start time.Time
	// ends[p] is when phase p ends, as an offset from start.
	ends [numPhases]time.Duration
}

func newSchedule(start time.Time, total time.Duration) schedule {
	s := schedule{start: start}
	var sum float64
	for p := range numPhases {
		sum += phaseShares[p]
		s.ends[p] = time.Duration(float64(total) * sum).Round(time.Millisecond)
	}
	// Rounding must not leave a gap before the end of the run.
	s.ends[numPhases-1] = total
	return s
}

// at returns the phase at t and how long it still lasts. After the last
// phase's end the downstream stays recovered.
func (s schedule) at(t time.Time) (phase, time.Duration) {
	off := t.Sub(s.start)
	for p := range numPhases {
		if off < s.ends[p] {
			return p, s.ends[p] - off
		}
	}
	return phaseRecovered, 0
}

// begins returns when phase p begins, as an offset from the start.
func (s schedule) begins(p phase) time.Duration {
	if p == 0 {
		return 0
	}
	return s.ends[p-1]
}

// downstream is the simulated service the commands call. Each command has a
// path of its own with its own healthy latency; the phase is the same for
// all of them.
type downstream struct {
	sched schedule
	// latency maps a path to its healthy response time range [min, max).
	latency map[string][2]time.Duration
}

func newDownstream(sched schedule, cmds []*command) *downstream {
	d := &downstream{sched: sched, latency: make(map[string][2]time.Duration)}
	for _, c := range cmds {
		d.latency[c.path] = c.latency
	}
	return d
}

func (d *downstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lat, ok := d.latency[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ph, _ := d.sched.at(time.Now())
	var delay time.Duration
	switch ph {
	case phaseFailing:
		// A real outage usually fails fast, which is what lets the error
		// count climb quickly; one resource hangs instead.
		if r.URL.Path == hangingPath && !sleep(r.Context(), slowDelay) {
			return
		}
		http.Error(w, "simulated outage", http.StatusInternalServerError)
		return
	case phaseSlow:
		delay = slowDelay
	default:
		delay = lat[0]
		if lat[1] > lat[0] {
			delay += rand.N(lat[1] - lat[0])
		}
	}
	if !sleep(r.Context(), delay) {
		// The caller gave up (its timeout fired); there is nobody to answer,
		// and holding on would only delay the server's shutdown.
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"path\":%q,\"phase\":%q}\n", r.URL.Path, ph)
}

// sleep waits for d and reports whether it did so before ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
