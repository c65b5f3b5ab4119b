package hystrix

import (
	"errors"
	"fmt"
	"math"
	"strconv"
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
	// SlowCallMs and SlowCallPercent, set together, also open the circuit
	// when, in the rolling window holding at least RequestVolumeThreshold
	// calls that reached the dependency, SlowCallPercent percent or more
	// took longer than SlowCallMs milliseconds (policy.SlowCallRate),
	// successes and failures alike; either rule opens it. 0 means no
	// slow-call rule; negative values, a percentage above 100 or one field
	// without the other are refused.
	SlowCallMs int `json:"slow_call_ms,omitempty"`
	// SlowCallPercent is the share of slow calls, from 1 to 100, that opens
	// the circuit; see SlowCallMs.
	SlowCallPercent int `json:"slow_call_percent,omitempty"`
	// AdaptiveK, when set, throttles on the client side as in the Google
	// SRE book (policy.AdaptiveThrottle): each call is refused, as a
	// short-circuit, with probability max(0, (requests - K*accepts) /
	// (requests + 1)) over the rolling window, where accepts are the
	// calls the dependency answered successfully. Such a circuit has no
	// open state unless ConsecutiveFailures or the slow-call rule is set
	// too; the error percentage no longer opens it. 0 means none; K must
	// be above 1.
	AdaptiveK float64 `json:"adaptive_k,omitempty"`
	// Policy is an opener of the program's own, used instead of the above;
	// it cannot be combined with them. Go only.
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
	// Probes and Successes, when Probes is set, let the half-open circuit
	// run up to Probes probes at once and close it after Successes of
	// them succeeded (policy.Probes); it opens again as soon as that has
	// become impossible. Probes that end in a bad request, the caller's
	// cancellation or a refusal by the concurrency limit give their slot
	// back. 0 Successes means Probes; more successes than probes, negative
	// values or Probes with Ramp are refused.
	Probes int `json:"probes,omitempty"`
	// Successes is how many of the Probes must succeed to close the
	// circuit; see Probes.
	Successes int `json:"successes,omitempty"`
	// Backoff, when set, lengthens the open time at each reopening in a
	// row (policy.Backoff), whatever the recovery.
	Backoff *BackoffConfig `json:"backoff,omitempty"`
	// Policy is a recovery of the program's own, used instead of the
	// above; it cannot be combined with Ramp or Probes. Go only.
	Policy policy.Recovery `json:"-"`
}

// BackoffConfig tunes the back-off while open: the open time is multiplied
// by Multiplier at each reopening in a row, up to MaxMs, with a random
// jitter of up to Jitter of it either way; the count of reopenings decays
// by one per sleep window of health after the circuit closes.
type BackoffConfig struct {
	// Multiplier; 0 means 2, below 1 is refused.
	Multiplier float64 `json:"multiplier,omitempty"`
	// MaxMs caps the open time, in milliseconds; 0 means no cap.
	MaxMs int `json:"max_ms,omitempty"`
	// Jitter is the share of the open time, from 0 up to but not
	// including 1, by which it varies at random; 0 means none.
	Jitter float64 `json:"jitter,omitempty"`
}

// ConcurrencyConfig chooses a command's concurrency limit. The zero value
// is the fixed MaxConcurrentRequests.
type ConcurrencyConfig struct {
	// Adaptive, "aimd" or "gradient", replaces MaxConcurrentRequests with
	// a limit that follows the measured latency (policy.AIMD,
	// policy.Gradient); "" means the fixed limit.
	Adaptive string `json:"adaptive,omitempty"`
	// Min, Max and Initial bound and start the adaptive limit; 0 means the
	// policy's default. Negative values, or Min above Max, are refused.
	Min int `json:"min,omitempty"`
	// Max is the highest the adaptive limit goes; see Min.
	Max int `json:"max,omitempty"`
	// Initial is where each circuit's adaptive limit starts, kept within
	// Min and Max; see Min.
	Initial int `json:"initial,omitempty"`
	// Policy is a limit of the program's own, used instead of Adaptive.
	// Go only.
	Policy policy.LimitPolicy `json:"-"`
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
	// IsBadRequest reports whether err, a non-nil error the run function
	// returned, blames the caller rather than the dependency. It is never
	// asked about a *PanicError.
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
		return &ConfigError{Command: name, Field: field, Text: strconv.FormatFloat(v, 'g', -1, 64), Reason: reason}
	}
	switch {
	case config.ForceOpen && config.ForceClosed:
		return bad("ForceClosed", 1, "cannot be set with ForceOpen")
	case config.Trip.ConsecutiveFailures < 0:
		return bad("Trip.ConsecutiveFailures", config.Trip.ConsecutiveFailures, "must not be negative")
	case config.Trip.ConsecutiveFailures > 0 && config.Trip.Policy != nil:
		return bad("Trip.Policy", config.Trip.ConsecutiveFailures, "cannot be combined with Trip.ConsecutiveFailures")
	}
	tr := &config.Trip
	switch {
	case tr.SlowCallMs < 0:
		return bad("Trip.SlowCallMs", tr.SlowCallMs, "must not be negative")
	case int64(tr.SlowCallMs) > maxMillis:
		return bad("Trip.SlowCallMs", tr.SlowCallMs, tooLong)
	case tr.SlowCallPercent < 0 || tr.SlowCallPercent > 100:
		return bad("Trip.SlowCallPercent", tr.SlowCallPercent, "must be between 1 and 100")
	case (tr.SlowCallMs > 0) != (tr.SlowCallPercent > 0):
		return bad("Trip.SlowCallPercent", tr.SlowCallPercent, "and Trip.SlowCallMs are set together or not at all")
	case tr.AdaptiveK != 0 && (tr.AdaptiveK <= 1 || math.IsNaN(tr.AdaptiveK) || math.IsInf(tr.AdaptiveK, 0)):
		return badFloat("Trip.AdaptiveK", tr.AdaptiveK, "must be above 1")
	case tr.Policy != nil && (tr.SlowCallMs > 0 || tr.AdaptiveK != 0):
		return bad("Trip.Policy", 0, "cannot be combined with the other Trip fields")
	}
	rc := &config.Recovery
	switch {
	case rc.Probes < 0:
		return bad("Recovery.Probes", rc.Probes, "must not be negative")
	case rc.Successes < 0:
		return bad("Recovery.Successes", rc.Successes, "must not be negative")
	case rc.Successes > 0 && rc.Probes == 0:
		return bad("Recovery.Successes", rc.Successes, "needs Recovery.Probes")
	case rc.Successes > rc.Probes:
		return bad("Recovery.Successes", rc.Successes, fmt.Sprintf("must not exceed Recovery.Probes (%d)", rc.Probes))
	case rc.Probes > 0 && rc.Ramp != nil:
		return bad("Recovery.Probes", rc.Probes, "cannot be combined with Recovery.Ramp")
	case rc.Probes > 0 && rc.Policy != nil:
		return bad("Recovery.Policy", rc.Probes, "cannot be combined with Recovery.Probes")
	}
	if b := rc.Backoff; b != nil {
		switch {
		case b.Multiplier != 0 && (b.Multiplier < 1 || math.IsNaN(b.Multiplier) || math.IsInf(b.Multiplier, 0)):
			return badFloat("Recovery.Backoff.Multiplier", b.Multiplier, "must be at least 1")
		case b.MaxMs < 0:
			return bad("Recovery.Backoff.MaxMs", b.MaxMs, "must not be negative")
		case int64(b.MaxMs) > maxMillis:
			return bad("Recovery.Backoff.MaxMs", b.MaxMs, tooLong)
		case b.Jitter < 0 || b.Jitter >= 1 || math.IsNaN(b.Jitter):
			return badFloat("Recovery.Backoff.Jitter", b.Jitter, "must be at least 0 and below 1")
		}
	}
	cc := &config.Concurrency
	switch {
	case cc.Adaptive != "" && cc.Adaptive != "aimd" && cc.Adaptive != "gradient":
		return &ConfigError{Command: name, Field: "Concurrency.Adaptive", Text: strconv.Quote(cc.Adaptive), Reason: `is not "aimd" or "gradient"`}
	case cc.Min < 0:
		return bad("Concurrency.Min", cc.Min, "must not be negative")
	case cc.Max < 0:
		return bad("Concurrency.Max", cc.Max, "must not be negative")
	case cc.Initial < 0:
		return bad("Concurrency.Initial", cc.Initial, "must not be negative")
	case cc.Min > 0 && cc.Max > 0 && cc.Min > cc.Max:
		return bad("Concurrency.Min", cc.Min, fmt.Sprintf("must not exceed Concurrency.Max (%d)", cc.Max))
	case cc.Initial > 0 && cc.Max > 0 && cc.Initial > cc.Max:
		return bad("Concurrency.Initial", cc.Initial, fmt.Sprintf("must not exceed Concurrency.Max (%d)", cc.Max))
	case cc.Initial > 0 && cc.Initial < cc.Min:
		return bad("Concurrency.Initial", cc.Initial, fmt.Sprintf("must not be below Concurrency.Min (%d)", cc.Min))
	case cc.Policy != nil && cc.Adaptive != "":
		return bad("Concurrency.Policy", 0, "cannot be combined with Concurrency.Adaptive")
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

// policiesFor returns the policies that config chooses beyond hystrix's,
// which are left nil: a command that keeps the defaults has Settings equal
// to hystrix-go's, and the engine derives them from the thresholds
// (openerOf, recoveryOf).
func policiesFor(config *CommandConfig, s *Settings) (policy.Opener, policy.Recovery, policy.LimitPolicy) {
	return openerFor(&config.Trip, s), recoveryFor(&config.Recovery, s), limitFor(&config.Concurrency)
}

func openerFor(tr *TripConfig, s *Settings) policy.Opener {
	if tr.Policy != nil {
		return tr.Policy
	}
	var ops []policy.Opener
	switch {
	case tr.ConsecutiveFailures > 0:
		ops = append(ops, policy.ConsecutiveFailures{Threshold: tr.ConsecutiveFailures})
	case tr.AdaptiveK == 0 && tr.SlowCallMs > 0:
		// The slow-call rate is added to the error percentage.
		ops = append(ops, policy.ErrorPercent{Threshold: s.ErrorPercentThreshold, Volume: s.RequestVolumeThreshold})
	}
	if tr.SlowCallMs > 0 {
		ops = append(ops, policy.SlowCallRate{
			Slow:    time.Duration(tr.SlowCallMs) * time.Millisecond,
			Percent: tr.SlowCallPercent,
			Volume:  s.RequestVolumeThreshold,
		})
	}
	if tr.AdaptiveK != 0 {
		ops = append(ops, policy.AdaptiveThrottle{K: tr.AdaptiveK})
	}
	switch len(ops) {
	case 0:
		return nil
	case 1:
		return ops[0]
	}
	return policy.Any(ops...)
}

func recoveryFor(rc *RecoveryConfig, s *Settings) policy.Recovery {
	var rec policy.Recovery
	switch {
	case rc.Policy != nil:
		rec = rc.Policy
	case rc.Ramp != nil:
		rec = policy.Ramp{
			SleepWindow:    s.SleepWindow,
			StartPerMinute: rc.Ramp.StartPerMinute,
			Factor:         rc.Ramp.Factor,
			Stage:          time.Duration(rc.Ramp.StageMs) * time.Millisecond,
		}
	case rc.Probes > 0:
		rec = policy.Probes{SleepWindow: s.SleepWindow, Probes: rc.Probes, Successes: rc.Successes, GiveUp: giveUpAfter(s)}
	}
	if b := rc.Backoff; b != nil {
		if rec == nil {
			rec = policy.SingleProbe{SleepWindow: s.SleepWindow, GiveUp: giveUpAfter(s)}
		}
		rec = policy.Backoff{
			Recovery:   rec,
			Multiplier: b.Multiplier,
			Max:        time.Duration(b.MaxMs) * time.Millisecond,
			Jitter:     b.Jitter,
		}
	}
	return rec
}

func limitFor(cc *ConcurrencyConfig) policy.LimitPolicy {
	switch {
	case cc.Policy != nil:
		return cc.Policy
	case cc.Adaptive == "aimd":
		return policy.AIMD{Min: cc.Min, Max: cc.Max, Initial: cc.Initial}
	case cc.Adaptive == "gradient":
		return policy.Gradient{Min: cc.Min, Max: cc.Max, Initial: cc.Initial}
	}
	return nil
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
