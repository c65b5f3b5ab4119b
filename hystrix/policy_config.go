package hystrix

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// TripConfig chooses what opens a command's closed circuit. The zero value
// is hystrix's rule: ErrorPercentThreshold percent of at least
// RequestVolumeThreshold executions in the rolling window.
type TripConfig struct {
	// ConsecutiveFailures, when positive, opens the circuit instead when
	// more than this many executions in a row fail (policy.ConsecutiveFailures):
	// the N+1-th failure opens it. Timeouts and rejections are failures;
	// a success resets the count; bad requests and the caller's own
	// cancellations do neither. 0 means the error percentage; negative is
	// refused.
	ConsecutiveFailures int `json:"consecutive_failures,omitempty"`
	// Policy is an opener of the program's own, used instead of the above;
	// it cannot be combined with ConsecutiveFailures. Go only.
	Policy policy.Opener `json:"-"`
}

// RecoveryConfig chooses how a command's open circuit comes back. The zero
// value is hystrix's: after SleepWindow one probe runs, and its success
// closes the circuit.
type RecoveryConfig struct {
	// Ramp, when set, makes the recovery adaptive (policy.Ramp): after
	// SleepWindow the half-open circuit admits executions at a rate that
	// grows while they all succeed.
	Ramp *RampConfig `json:"ramp,omitempty"`
	// Policy is a recovery of the program's own, used instead of the
	// above; it cannot be combined with Ramp. Go only.
	Policy policy.Recovery `json:"-"`
}

// RampConfig tunes the ramp-up recovery. Zero fields take their defaults;
// negative ones are refused.
type RampConfig struct {
	// StartPerMinute is the rate of the first stage, in executions a
	// minute; 0 means 10.
	StartPerMinute float64 `json:"start_per_minute,omitempty"`
	// Factor multiplies the rate after each stage in which executions ran
	// and all succeeded; 0 means 2, below 1 is refused.
	Factor float64 `json:"factor,omitempty"`
	// StageMs is how long each rate holds, in milliseconds; 0 means 60000.
	StageMs int `json:"stage_ms,omitempty"`
}

// An ErrorClassifier says which errors of a command are bad requests.
type ErrorClassifier interface {
	IsBadRequest(err error) bool
}

// IsBadRequestFunc adapts a function to an ErrorClassifier.
type IsBadRequestFunc func(err error) bool

// IsBadRequest returns f(err).
func (f IsBadRequestFunc) IsBadRequest(err error) bool { return f(err) }

// checkPolicies refuses the policy settings of config that are out of
// range.
func checkPolicies(name string, config *CommandConfig) error {
	bad := func(field string, v int, reason string) error {
		return &ConfigError{Command: name, Field: field, Value: v, Reason: reason}
	}
	badFloat := func(field string, v float64, reason string) error {
		return &ConfigError{Command: name, Field: field, Value: int(v), Reason: fmt.Sprintf("%s (got %g)", reason, v)}
	}
	switch {
	case config.ForceOpen && config.ForceClosed:
		return bad("ForceClosed", 1, "cannot be set with ForceOpen")
	case config.Trip.ConsecutiveFailures < 0:
		return bad("Trip.ConsecutiveFailures", config.Trip.ConsecutiveFailures, "must not be negative")
	case config.Trip.ConsecutiveFailures > 0 && config.Trip.Policy != nil:
		return bad("Trip.Policy", config.Trip.ConsecutiveFailures, "cannot be combined with Trip.ConsecutiveFailures")
	}
	if rp := config.Recovery.Ramp; rp != nil {
		switch {
		case config.Recovery.Policy != nil:
			return bad("Recovery.Policy", 0, "cannot be combined with Recovery.Ramp")
		case rp.StartPerMinute < 0 || math.IsNaN(rp.StartPerMinute) || math.IsInf(rp.StartPerMinute, 0):
			return badFloat("Recovery.Ramp.StartPerMinute", rp.StartPerMinute, "must be a positive number of executions a minute")
		case rp.Factor != 0 && (rp.Factor < 1 || math.IsNaN(rp.Factor) || math.IsInf(rp.Factor, 0)):
			return badFloat("Recovery.Ramp.Factor", rp.Factor, "must be at least 1")
		case rp.StageMs < 0:
			return bad("Recovery.Ramp.StageMs", rp.StageMs, "must not be negative")
		case int64(rp.StageMs) > maxMillis:
			return bad("Recovery.Ramp.StageMs", rp.StageMs, tooLong)
		}
	}
	return nil
}

// policiesFor returns the opener and recovery that config chooses beyond
// hystrix's, which are left nil: a command that keeps the defaults has
// Settings equal to hystrix-go's, and the engine derives them from the
// thresholds (openerOf, recoveryOf).
func policiesFor(config *CommandConfig, s *Settings) (policy.Opener, policy.Recovery) {
	var op policy.Opener
	switch {
	case config.Trip.Policy != nil:
		op = config.Trip.Policy
	case config.Trip.ConsecutiveFailures > 0:
		op = policy.ConsecutiveFailures{Threshold: config.Trip.ConsecutiveFailures}
	}
	var rec policy.Recovery
	switch {
	case config.Recovery.Policy != nil:
		rec = config.Recovery.Policy
	case config.Recovery.Ramp != nil:
		rp := config.Recovery.Ramp
		rec = policy.Ramp{
			SleepWindow:    s.SleepWindow,
			StartPerMinute: rp.StartPerMinute,
			Factor:         rp.Factor,
			Stage:          time.Duration(rp.StageMs) * time.Millisecond,
		}
	}
	return op, rec
}

// openerOf returns the opener of settings s: its own, or hystrix's error
// percentage on its thresholds.
func openerOf(s *Settings) policy.Opener {
	if s.Opener != nil {
		return s.Opener
	}
	return policy.ErrorPercent{Threshold: s.ErrorPercentThreshold, Volume: s.RequestVolumeThreshold}
}

// recoveryOf returns the recovery of settings s: its own, or hystrix's
// single probe after the sleep window.
func recoveryOf(s *Settings) policy.Recovery {
	if s.Recovery != nil {
		return s.Recovery
	}
	return policy.SingleProbe{SleepWindow: s.SleepWindow, GiveUp: giveUpAfter(s)}
}

// giveUpAfter is how long a half-open circuit waits for its single probe:
// it reports back by its timeout at the latest, so only a probe that
// outlives its timeout and a further sleep window (a function that ignores
// its context, or a caller of AllowRequest that never reports) is given up
// on and replaced. Settings keep both below 2^61 ns, so the sum does not
// overflow.
func giveUpAfter(s *Settings) time.Duration {
	d := s.SleepWindow
	if s.Timeout > 0 {
		d += s.Timeout
	}
	if d <= 0 {
		// A zero sleep window with no timeout: give a probe a moment
		// rather than replace it at once.
		d = time.Nanosecond
	}
	return d
}

// A badRequestError marks an error as a bad request.
type badRequestError struct{ err error }

func (e *badRequestError) Error() string    { return e.err.Error() }
func (e *badRequestError) Unwrap() error    { return e.err }
func (e *badRequestError) BadRequest() bool { return true }

// BadRequest marks err as a bad request: an error that says the caller, not
// the dependency, was wrong, such as invalid input or a missing record. An
// execution whose run function returns it gets it back as it is (errors.Is
// and errors.As see through the mark), runs no fallback, does not count
// against the circuit's health, does not spend or decide a half-open probe,
// and is counted as a bad request. An error of the program's own type can
// say the same with a method BadRequest() bool. BadRequest(nil) is nil.
func BadRequest(err error) error {
	if err == nil {
		return nil
	}
	return &badRequestError{err: err}
}

// IsBadRequest reports whether err, or an error it wraps, has a method
// BadRequest() bool that returns true, as the errors made by BadRequest do.
// It walks the chain as errors.As does.
func IsBadRequest(err error) bool {
	// By hand rather than with errors.As, whose target escapes: this runs
	// on every failed execution.
	for err != nil {
		if br, ok := err.(interface{ BadRequest() bool }); ok && br.BadRequest() {
			return true
		}
		switch u := err.(type) {
		case interface{ As(any) bool }:
			var br interface{ BadRequest() bool }
			return errors.As(err, &br) && br.BadRequest()
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if IsBadRequest(e) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
