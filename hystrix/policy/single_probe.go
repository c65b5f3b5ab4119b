package policy

import (
	"sync"
	"time"
)

// SingleProbe is hystrix's recovery, the default: an open circuit waits
// SleepWindow, then lets one execution through as a probe, and the probe
// decides.
//
// In words: open for SleepWindow; then half-open, where the first execution
// is admitted and every other one refused while it runs; a success closes
// the circuit, a failure or timeout opens it again for another SleepWindow;
// a probe that ends in a bad request, the caller's cancellation or a
// refusal by the concurrency limit says nothing and frees the slot for the
// next execution. A probe that has not reported after GiveUp (a function
// that ignores its context, a caller of AllowRequest that never reports) is
// given up on, and the next execution probes in its place.
//
// A zero or negative SleepWindow turns half-open at once; a zero or
// negative GiveUp never gives a probe up.
type SingleProbe struct {
	// SleepWindow is how long the circuit stays open.
	SleepWindow time.Duration
	// GiveUp is how long a probe may run before another may start.
	GiveUp time.Duration
}

// Opened returns SleepWindow, or 0 if it is negative.
func (p SingleProbe) Opened(now time.Time, reopened int) time.Duration {
	return max(p.SleepWindow, 0)
}

// HalfOpened returns a trial with its one slot free.
func (p SingleProbe) HalfOpened(now time.Time) Trial { return &singleProbeTrial{giveUp: p.GiveUp} }

type singleProbeTrial struct {
	giveUp time.Duration
	mu     sync.Mutex
	busy   bool
	since  time.Time // when the probe in the slot was admitted
}

func (t *singleProbeTrial) Admit(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.busy && (t.giveUp <= 0 || now.Sub(t.since) <= t.giveUp) {
		return false
	}
	t.busy, t.since = true, now
	return true
}

func (t *singleProbeTrial) Done(r Result) Verdict {
	v := probeVerdict(r.Outcome)
	t.mu.Lock()
	// Free the slot only for its own probe: one given up on that reports
	// late finds another in it. Its verdict stands either way, since the
	// dependency answered it.
	if v == Stay && r.Start.Equal(t.since) {
		t.busy = false
	}
	t.mu.Unlock()
	return v
}

// probeVerdict is what one probe's outcome says.
func probeVerdict(o Outcome) Verdict {
	switch o {
	case Success:
		return Close
	case Failure, Timeout:
		return Reopen
	}
	return Stay
}
