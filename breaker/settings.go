package breaker

import (
	"log/slog"
	"math"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// Defaults of the zero Settings fields.
const (
	// DefaultThreshold is the Threshold of a zero Settings.Threshold:
	// sony/gobreaker's default, the sixth failure in a row opens.
	DefaultThreshold = 5
	// DefaultRetryAfter is the RetryAfter of a zero Settings.RetryAfter:
	// hystrix's shipped sleep window, so a command moved between a
	// registry and a breaker recovers on the same schedule.
	DefaultRetryAfter = 5 * time.Second
	// MaxDuration bounds RetryAfter and Ramp.Stage (2^61 ns, about 73
	// years), so that no instant the engine computes from them overflows.
	MaxDuration = time.Duration(1 << 61)
)

// Settings configure a Breaker; New applies the defaults and refuses the
// values out of range, naming the field. Only Name is required.
type Settings struct {
	// Name names the breaker in its errors and log lines. It must not be
	// empty.
	Name string
	// Threshold is how many failures in a row the breaker tolerates: the
	// Threshold+1-th failure without a success in between opens it. A
	// success sets the count back to zero; a call whose function reports
	// skip, and one whose context ended (RunContext), neither adds to the
	// count nor resets it. 0 means DefaultThreshold; negative
	// is refused.
	Threshold int
	// RetryAfter is how long the breaker stays open before it turns
	// half-open. Half-open, without Ramp, it lets one call through as a
	// probe and refuses the others while it runs: a success closes it, a
	// failure opens it for another RetryAfter, a skipped error frees the
	// slot for the next call. A probe still running RetryAfter after it
	// started is given up on, and the next call probes in its place. 0
	// means DefaultRetryAfter; negative, or more than MaxDuration, is
	// refused.
	RetryAfter time.Duration
	// Ramp, when not nil, makes the recovery adaptive: half-open, the
	// breaker admits calls at a rate that grows while they succeed (see
	// Ramp). nil means one probe at a time, as described under RetryAfter.
	Ramp *Ramp
	// Logger gets a line for every transition: opening at Error level,
	// half-open and closing at Info (see the package doc for the
	// attributes). nil means slog.Default(), looked up at each line.
	Logger *slog.Logger
	// OnStateChange, when not nil, is called with the breaker's name for
	// every transition, after it is logged: one call at a time, in the
	// order of the transitions, with no lock held, so it may call the
	// breaker; a transition its own call causes is delivered after it
	// returns. It may run on a goroutine other than the one whose call
	// made the transition (a timer's, or another caller's), and so after
	// that call has returned. A panic in it is recovered and logged.
	OnStateChange func(name string, from, to State)
	// Clock is where the breaker reads the time and arms its timers; nil
	// means the system clock. Tests pass a manual one, such as
	// hystrixtest.NewClock, to move the breaker through its states at
	// fixed instants.
	Clock hystrix.Clock
}

// Ramp tunes the adaptive recovery of Settings.Ramp, policy.Ramp: half-open
// at StartPerMinute calls a minute, spread evenly, with the calls above the
// rate refused with ErrOpen. Time is cut into stages of Stage. A stage with
// no refusal and no failure closes the breaker; one in which calls ran and
// all succeeded multiplies the rate by Factor; any failure opens the
// breaker again for RetryAfter, and the next ramp starts over.
type Ramp struct {
	// StartPerMinute is the rate of the first stage, in calls a minute.
	// 0 means policy.DefaultRampStartPerMinute (10); negative or infinite
	// is refused.
	StartPerMinute float64
	// Factor multiplies the rate after each stage that went well. 0 means
	// policy.DefaultRampFactor (2); negative, below 1 or infinite is
	// refused.
	Factor float64
	// Stage is how long each rate holds. 0 means policy.DefaultRampStage
	// (a minute); negative, or more than MaxDuration, is refused.
	Stage time.Duration
}

// withDefaults checks s and fills in its zero fields: the one place
// defaults are applied. The Ramp it returns is a copy, so that the caller
// may change its own afterwards.
func (s Settings) withDefaults() (Settings, error) {
	bad := func(field string, v any, reason string) error {
		return &SettingsError{Name: s.Name, Field: field, Value: v, Reason: reason}
	}
	switch {
	case s.Name == "":
		return s, bad("Name", `""`, "must not be empty")
	case s.Threshold < 0:
		return s, bad("Threshold", s.Threshold, "must not be negative (0 means the default)")
	case s.RetryAfter < 0:
		return s, bad("RetryAfter", s.RetryAfter, "must not be negative (0 means the default)")
	case s.RetryAfter > MaxDuration:
		return s, bad("RetryAfter", s.RetryAfter, "is too long (at most MaxDuration)")
	}
	if s.Threshold == 0 {
		s.Threshold = DefaultThreshold
	}
	if s.RetryAfter == 0 {
		s.RetryAfter = DefaultRetryAfter
	}
	if s.Ramp != nil {
		rp := *s.Ramp
		finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
		switch {
		case rp.StartPerMinute < 0 || !finite(rp.StartPerMinute):
			return s, bad("Ramp.StartPerMinute", rp.StartPerMinute, "must be a positive, finite number of calls a minute (0 means the default)")
		case rp.Factor != 0 && (rp.Factor < 1 || !finite(rp.Factor)):
			return s, bad("Ramp.Factor", rp.Factor, "must be at least 1 and finite (0 means the default)")
		case rp.Stage < 0:
			return s, bad("Ramp.Stage", rp.Stage, "must not be negative (0 means the default)")
		case rp.Stage > MaxDuration:
			return s, bad("Ramp.Stage", rp.Stage, "is too long (at most MaxDuration)")
		}
		if rp.StartPerMinute == 0 {
			rp.StartPerMinute = policy.DefaultRampStartPerMinute
		}
		if rp.Factor == 0 {
			rp.Factor = policy.DefaultRampFactor
		}
		if rp.Stage == 0 {
			rp.Stage = policy.DefaultRampStage
		}
		s.Ramp = &rp
	}
	return s, nil
}

// command is the configuration of the one command behind a breaker with
// settings s, which withDefaults filled: on the caller's goroutine, with no
// timeout and no concurrency bound, judged by the consecutive-failures
// opener and recovered by a single probe or a ramp. Every field the engine
// would otherwise default is set, so that hystrix's Default variables,
// which a program may change, play no part.
func (s *Settings) command() hystrix.CommandConfig {
	var rec policy.Recovery = policy.SingleProbe{SleepWindow: s.RetryAfter, GiveUp: s.RetryAfter}
	if rp := s.Ramp; rp != nil {
		rec = policy.Ramp{SleepWindow: s.RetryAfter, StartPerMinute: rp.StartPerMinute, Factor: rp.Factor, Stage: rp.Stage}
	}
	return hystrix.CommandConfig{
		Timeout:               -1,
		MaxConcurrentRequests: -1,
		Isolation:             hystrix.CallerIsolation,
		Trip:                  hystrix.TripConfig{Policy: policy.ConsecutiveFailures{Threshold: s.Threshold}},
		Recovery:              hystrix.RecoveryConfig{Policy: rec},
		// Unused by the policies above, which carry their own values;
		// set so that the engine's defaults are never consulted.
		SleepWindow:            int(max(s.RetryAfter/time.Millisecond, 1)),
		RequestVolumeThreshold: 20,
		ErrorPercentThreshold:  50,
	}
}
