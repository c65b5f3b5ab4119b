package policy

import (
	"slices"
	"sync"
	"time"
)

// Probes is a recovery that lets several probes decide. After SleepWindow
// the half-open circuit admits up to Probes executions. It closes once
// Successes of them have succeeded, and it opens again as soon as that can
// no longer happen.
//
// In words: open for SleepWindow, then half-open with room for Probes
// probes. An execution is admitted while the probes running and the probes
// that have ended, counted together, are fewer than Probes, so that up to
// Probes run at once at first and, unless one is given up on, no more than
// Probes ever decide. A probe
// that succeeds adds a success. One that fails or times out adds a failure.
// The circuit closes at the Successes-th success. It opens again, for
// another SleepWindow, at the failure that leaves too few probes for the
// successes still needed: when failures > Probes - Successes. A probe that
// ends in a bad request, in the caller's cancellation or in a refusal by
// the concurrency limit decides nothing and gives its place back to the
// next execution. A probe that has not reported after GiveUp (a function
// that ignores its context, or a caller of AllowRequest that never reports)
// is given up on, and its place goes to the next execution; its result, if
// it comes, still counts, since the dependency gave it. Once the trial has
// decided it admits nothing. Each later success, failure or timeout gets
// the same verdict, and a neutral outcome gets Stay.
//
// A zero or negative Probes means 1: Probes{Probes: 1} follows
// SingleProbe's rule. A zero or negative Successes means Probes, so any
// failure reopens. A Successes above Probes is taken as Probes (hystrix's
// configuration refuses it). A zero or negative SleepWindow turns half-open
// at once, and a zero or negative GiveUp never gives a probe up.
//
// Its trials are safe for concurrent use. Admit and Done take a mutex and
// scan the running probes, a list no longer than Probes.
type Probes struct {
	// SleepWindow is how long the circuit stays open.
	SleepWindow time.Duration
	// Probes is how many executions may probe, at once and in all.
	Probes int
	// Successes is how many probes must succeed for the circuit to close.
	Successes int
	// GiveUp is how long a probe may run before another may take its
	// place.
	GiveUp time.Duration
}

// Opened returns SleepWindow, or 0 if it is negative.
func (p Probes) Opened(now time.Time, reopened int) time.Duration { return max(p.SleepWindow, 0) }

// HalfOpened returns a trial with all its places free.
func (p Probes) HalfOpened(now time.Time) Trial {
	t := &probesTrial{probes: max(p.Probes, 1), successes: p.Successes, giveUp: p.GiveUp}
	if t.successes <= 0 || t.successes > t.probes {
		t.successes = t.probes
	}
	t.running = make([]time.Time, 0, min(t.probes, 8))
	return t
}

type probesTrial struct {
	probes, successes int
	giveUp            time.Duration

	mu              sync.Mutex
	running         []time.Time // when each running probe was admitted
	succeeded, fail int
	verdict         Verdict
}

func (t *probesTrial) Admit(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.verdict != Stay {
		return false
	}
	if t.giveUp > 0 {
		t.running = slices.DeleteFunc(t.running, func(start time.Time) bool { return now.Sub(start) > t.giveUp })
	}
	if len(t.running)+t.succeeded+t.fail >= t.probes {
		return false
	}
	t.running = append(t.running, now)
	return true
}

func (t *probesTrial) Done(r Result) Verdict {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch r.Outcome {
	case Success:
		t.succeeded++
	case Failure, Timeout:
		t.fail++
	default:
		if t.verdict == Stay {
			t.release(r.Start)
		}
		return Stay
	}
	t.release(r.Start)
	if t.verdict == Stay {
		switch {
		case t.succeeded >= t.successes:
			t.verdict = Close
		case t.fail > t.probes-t.successes:
			t.verdict = Reopen
		}
	}
	return t.verdict
}

// release frees the place of the probe admitted at start, if it still
// holds one: a probe given up on holds none.
func (t *probesTrial) release(start time.Time) {
	if i := slices.IndexFunc(t.running, start.Equal); i >= 0 {
		t.running = slices.Delete(t.running, i, i+1)
	}
}
