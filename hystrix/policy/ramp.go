package policy

import (
	"sync"
	"time"
)

// Ramp is the adaptive recovery: after SleepWindow the half-open circuit
// admits executions at a controlled rate and raises the rate while they all
// succeed, until the dependency takes full traffic again.
//
// In words: open for SleepWindow; then half-open at StartPerMinute
// executions a minute, spread evenly (a token bucket that holds one token
// and starts full); an execution above the rate is refused, as a
// short-circuit. Time is cut into stages of Stage. At the end of a stage:
// if nothing was refused and nothing failed, the circuit closes; otherwise,
// if at least one admitted execution succeeded and none failed, the rate is
// multiplied by Factor for the next stage. Any failure or timeout of an
// admitted execution opens the circuit again for a SleepWindow, and the
// ramp starts over from StartPerMinute. Bad requests, the caller's
// cancellations and refusals by the concurrency limit neither count as
// successes nor fail the stage.
//
// A stage in which no execution came at all closes the circuit: nothing was
// refused, so the rate was enough. Zero fields take the defaults (10 a
// minute, a factor of 2, stages of a minute); hystrix's configuration
// refuses negative ones and a Factor below 1.
type Ramp struct {
	// SleepWindow is how long the circuit stays open.
	SleepWindow time.Duration
	// StartPerMinute is the rate of the first stage.
	StartPerMinute float64
	// Factor multiplies the rate after each stage that went well.
	Factor float64
	// Stage is how long each rate holds.
	Stage time.Duration
}

// Defaults of Ramp's zero fields.
const (
	DefaultRampStartPerMinute = 10
	DefaultRampFactor         = 2
	DefaultRampStage          = time.Minute
)

// Opened returns SleepWindow, or 0 if it is negative.
func (p Ramp) Opened(now time.Time, reopened int) time.Duration { return max(p.SleepWindow, 0) }

// HalfOpened returns a trial at the starting rate with a full bucket.
func (p Ramp) HalfOpened(now time.Time) Trial {
	t := &rampTrial{
		rate:   p.StartPerMinute,
		factor: p.Factor,
		stage:  p.Stage,
		last:   now,
	}
	if t.rate <= 0 {
		t.rate = DefaultRampStartPerMinute
	}
	if t.factor <= 0 {
		t.factor = DefaultRampFactor
	}
	if t.stage <= 0 {
		t.stage = DefaultRampStage
	}
	t.interval = interval(t.rate)
	t.credit = t.interval
	return t
}

// interval is the time between two executions at rate a minute, at least
// a nanosecond.
func interval(rate float64) time.Duration {
	d := float64(time.Minute) / rate
	if d < 1 {
		return 1
	}
	if d > float64(1<<62) {
		return 1 << 62
	}
	return time.Duration(d)
}

type rampTrial struct {
	factor float64
	stage  time.Duration

	mu   sync.Mutex
	rate float64 // executions a minute
	// The bucket holds one token, kept as time: credit is how much of an
	// interval has passed since the last token was taken, at most one
	// interval. Whole nanoseconds keep "one every interval" exact.
	interval, credit time.Duration
	last             time.Time // when credit was last brought up to date
	begun            bool
	// The stage's counts.
	refused, succeeded, failed int
}

func (t *rampTrial) Admit(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if dt := now.Sub(t.last); dt > 0 {
		t.credit = min(t.interval, t.credit+dt)
		t.last = now
	}
	if t.credit < t.interval {
		t.refused++
		return false
	}
	t.credit = 0
	return true
}

func (t *rampTrial) Done(r Result) Verdict {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch r.Outcome {
	case Success:
		t.succeeded++
	case Failure, Timeout:
		t.failed++
		return Reopen
	default:
		// A bad request, a cancellation or a refusal by the concurrency
		// limit tried nothing: its token goes back.
		t.credit = t.interval
	}
	return Stay
}

// Tick ends a stage; its first call, when the trial begins, only starts
// the first stage.
func (t *rampTrial) Tick(now time.Time) (Verdict, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.begun {
		t.begun = true
		return Stay, t.stage
	}
	switch {
	case t.failed > 0:
		return Reopen, 0
	case t.refused == 0:
		return Close, 0
	case t.succeeded > 0:
		t.rate *= t.factor
		t.interval = interval(t.rate)
		t.credit = min(t.credit, t.interval)
	}
	t.refused, t.succeeded = 0, 0
	return Stay, t.stage
}

// PerMinute returns the current stage's rate.
func (t *rampTrial) PerMinute(time.Time) float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.rate
}
