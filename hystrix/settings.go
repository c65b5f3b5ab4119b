package hystrix

import (
	"errors"
	"fmt"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

var (
	// DefaultTimeout is the timeout, in milliseconds, of commands that do
	// not configure one.
	DefaultTimeout = 1000
	// DefaultMaxConcurrent is how many executions of one command may run at
	// once when the command does not configure it.
	DefaultMaxConcurrent = 10
	// DefaultVolumeThreshold is how many executions the rolling ten-second
	// window must hold before the circuit may open.
	DefaultVolumeThreshold = 20
	// DefaultSleepWindow is how long, in milliseconds, an open circuit
	// rejects calls before it lets one probe through.
	DefaultSleepWindow = 5000
	// DefaultErrorPercentThreshold is the error percentage at or above which
	// the circuit opens.
	DefaultErrorPercentThreshold = 50
	// DefaultLogger is the logger used until SetLogger is called: it prints
	// nothing.
	DefaultLogger = NoopLogger{}
)

// Settings are the effective settings of one command, with defaults filled
// in.
type Settings struct {
	// Timeout is how long a run may take; negative means no timeout.
	Timeout time.Duration
	// MaxConcurrentRequests bounds the executions in flight; negative means
	// no bound.
	MaxConcurrentRequests int
	// RequestVolumeThreshold is the least number of executions in the
	// rolling window before the circuit may open.
	RequestVolumeThreshold uint64
	// SleepWindow is how long an open circuit waits before a probe.
	SleepWindow time.Duration
	// ErrorPercentThreshold is the error percentage, from 1 to 100, at or
	// above which the circuit opens.
	ErrorPercentThreshold int
	// Isolation says where the run function executes.
	Isolation Isolation
	// ForceOpen refuses every execution; ForceClosed runs every execution
	// whatever the circuit's health. At most one of them is set.
	ForceOpen, ForceClosed bool
	// Opener decides when the closed circuit opens; nil means hystrix's
	// rule, policy.ErrorPercent with ErrorPercentThreshold and
	// RequestVolumeThreshold.
	Opener policy.Opener
	// Recovery decides how the open circuit comes back; nil means hystrix's,
	// policy.SingleProbe after SleepWindow.
	Recovery policy.Recovery
	// Limit, when set, replaces the fixed MaxConcurrentRequests with an
	// adaptive concurrency limit.
	Limit policy.LimitPolicy
	// IsBadRequest, when set, marks the errors that are bad requests
	// besides those that say so themselves (see BadRequest).
	IsBadRequest ErrorClassifier
}

// CommandConfig tunes one command. Every zero field takes its default; the
// JSON keys are hystrix-go's, plus "isolation".
type CommandConfig struct {
	// Timeout in milliseconds; 0 means DefaultTimeout, negative means none.
	Timeout int `json:"timeout"`
	// MaxConcurrentRequests; 0 means DefaultMaxConcurrent, negative means
	// unbounded.
	MaxConcurrentRequests int `json:"max_concurrent_requests"`
	// RequestVolumeThreshold; 0 means DefaultVolumeThreshold. Negative is
	// refused.
	RequestVolumeThreshold int `json:"request_volume_threshold"`
	// SleepWindow in milliseconds; 0 means DefaultSleepWindow. Negative is
	// refused.
	SleepWindow int `json:"sleep_window"`
	// ErrorPercentThreshold from 1 to 100; 0 means
	// DefaultErrorPercentThreshold. Anything else is refused.
	ErrorPercentThreshold int `json:"error_percent_threshold"`
	// Isolation; the zero value is GoroutineIsolation. In JSON, "goroutine"
	// or "caller".
	Isolation Isolation `json:"isolation,omitempty"`
	// Trip chooses what opens the closed circuit; the zero value is
	// hystrix's error percentage.
	Trip TripConfig `json:"trip,omitempty"`
	// Recovery chooses how the open circuit comes back; the zero value is
	// hystrix's single probe after the sleep window.
	Recovery RecoveryConfig `json:"recovery,omitempty"`
	// Concurrency chooses an adaptive concurrency limit in place of
	// MaxConcurrentRequests; the zero value keeps the fixed one.
	Concurrency ConcurrencyConfig `json:"concurrency,omitempty"`
	// ForceOpen refuses every execution with ErrCircuitOpen, as if the
	// circuit were open, until it is configured again without it.
	ForceOpen bool `json:"force_open,omitempty"`
	// ForceClosed runs every execution whatever the circuit's health; the
	// metrics still count. It cannot be set with ForceOpen.
	ForceClosed bool `json:"force_closed,omitempty"`
	// IsBadRequest marks more errors as bad requests (see BadRequest),
	// such as the not-found errors of a client library; nil adds none. Go
	// only.
	IsBadRequest ErrorClassifier `json:"-"`
}

// ErrInvalidConfig is wrapped by every ConfigError.
var ErrInvalidConfig = errors.New("invalid command config")

// ConfigError says which setting of which command was refused and why.
// errors.Is(err, ErrInvalidConfig) holds for it.
type ConfigError struct {
	// Command is the command whose config was refused.
	Command string
	// Field is the refused field, by its Go name, such as
	// "Recovery.Ramp.Factor".
	Field string
	// Value is the refused value for a whole-number field; for others
	// (fractions, names) it is 0 and Text holds the value.
	Value int
	// Text is the refused value as written, for fields that are not whole
	// numbers; empty for the others.
	Text string
	// Reason says what the field must be.
	Reason string
}

// Error describes the refused setting.
func (e *ConfigError) Error() string {
	if e.Text != "" {
		return fmt.Sprintf("hystrix: command %q: %s %s %s", e.Command, e.Field, e.Text, e.Reason)
	}
	return fmt.Sprintf("hystrix: command %q: %s %d %s", e.Command, e.Field, e.Value, e.Reason)
}

// Unwrap returns ErrInvalidConfig.
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// maxMillis bounds the durations given in milliseconds: 2^61 ns, about 73
// years, so that a time.Duration holds the sum of a timeout and a sleep
// window added to a Unix time in nanoseconds without overflowing.
const maxMillis = int64(1<<61) / int64(time.Millisecond)

var tooLong = fmt.Sprintf("is too long (at most %d ms)", maxMillis)

// settingsFor validates config and turns it into Settings, filling the
// defaults. It is the one place defaults are applied.
func settingsFor(name string, config CommandConfig) (*Settings, error) {
	bad := func(field string, v int, reason string) error {
		return &ConfigError{Command: name, Field: field, Value: v, Reason: reason}
	}
	switch {
	case config.RequestVolumeThreshold < 0:
		return nil, bad("RequestVolumeThreshold", config.RequestVolumeThreshold, "must not be negative")
	case config.SleepWindow < 0:
		return nil, bad("SleepWindow", config.SleepWindow, "must not be negative")
	case config.ErrorPercentThreshold < 0 || config.ErrorPercentThreshold > 100:
		return nil, bad("ErrorPercentThreshold", config.ErrorPercentThreshold, "must be between 1 and 100 (0 means the default)")
	case config.Isolation != GoroutineIsolation && config.Isolation != CallerIsolation:
		return nil, bad("Isolation", int(config.Isolation), "is not a known isolation")
	case int64(config.Timeout) > maxMillis:
		return nil, bad("Timeout", config.Timeout, tooLong)
	case int64(config.SleepWindow) > maxMillis:
		return nil, bad("SleepWindow", config.SleepWindow, tooLong)
	}
	orDefault := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	if err := checkPolicies(name, &config); err != nil {
		return nil, err
	}
	s := &Settings{
		Timeout:                time.Duration(orDefault(config.Timeout, DefaultTimeout)) * time.Millisecond,
		MaxConcurrentRequests:  orDefault(config.MaxConcurrentRequests, DefaultMaxConcurrent),
		RequestVolumeThreshold: uint64(orDefault(config.RequestVolumeThreshold, DefaultVolumeThreshold)),
		SleepWindow:            time.Duration(orDefault(config.SleepWindow, DefaultSleepWindow)) * time.Millisecond,
		ErrorPercentThreshold:  orDefault(config.ErrorPercentThreshold, DefaultErrorPercentThreshold),
		Isolation:              config.Isolation,
		ForceOpen:              config.ForceOpen,
		ForceClosed:            config.ForceClosed,
		IsBadRequest:           config.IsBadRequest,
	}
	// The Default variables are the program's to set; one set out of range
	// is refused like a field would be.
	switch {
	case config.RequestVolumeThreshold == 0 && DefaultVolumeThreshold < 0:
		return nil, bad("DefaultVolumeThreshold", DefaultVolumeThreshold, "must not be negative")
	case config.SleepWindow == 0 && DefaultSleepWindow < 0:
		return nil, bad("DefaultSleepWindow", DefaultSleepWindow, "must not be negative")
	case config.ErrorPercentThreshold == 0 && (DefaultErrorPercentThreshold < 1 || DefaultErrorPercentThreshold > 100):
		return nil, bad("DefaultErrorPercentThreshold", DefaultErrorPercentThreshold, "must be between 1 and 100")
	case config.Timeout == 0 && int64(DefaultTimeout) > maxMillis:
		return nil, bad("DefaultTimeout", DefaultTimeout, tooLong)
	case config.SleepWindow == 0 && int64(DefaultSleepWindow) > maxMillis:
		return nil, bad("DefaultSleepWindow", DefaultSleepWindow, tooLong)
	}
	if s.Timeout < 0 {
		s.Timeout = -1
	}
	if s.MaxConcurrentRequests < 0 {
		s.MaxConcurrentRequests = -1
	}
	s.Opener, s.Recovery, s.Limit = policiesFor(&config, s)
	return s, nil
}

// Configure applies ConfigureCommand to every entry of cmds.
func (r *Registry) Configure(cmds map[string]CommandConfig) {
	for name, config := range cmds {
		r.ConfigureCommand(name, config)
	}
}

// TryConfigure is Configure that reports every refused entry, joined into one
// error; the valid entries are applied either way.
func (r *Registry) TryConfigure(cmds map[string]CommandConfig) error {
	var errs []error
	for name, config := range cmds {
		if err := r.TryConfigureCommand(name, config); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ConfigureCommand sets the settings of the named command. It takes effect at
// once, also on a circuit that already runs, its concurrency limit included.
// A config with a setting out of range is refused: the refusal is logged and
// the command keeps its previous settings. Use TryConfigureCommand to get
// the error instead.
func (r *Registry) ConfigureCommand(name string, config CommandConfig) {
	if err := r.TryConfigureCommand(name, config); err != nil {
		r.logf("%v; keeping the previous settings", err)
	}
}

// TryConfigureCommand is ConfigureCommand that returns the refusal, a
// *ConfigError, instead of logging it.
//
// A live circuit is re-judged at once: a closed one that the new settings
// find unhealthy opens; an open one that its opener opened, and that the new
// opener would not have opened on the counts that opened it, closes with its
// window kept; an open one waits out the open time the new recovery gives,
// counted from when it opened; a half-open one finishes its trial. A new
// opener starts a new closed period; ForceOpen and ForceClosed take effect
// at once, and leaving them starts a closed period afresh.
func (r *Registry) TryConfigureCommand(name string, config CommandConfig) error {
	s, err := settingsFor(name, config)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.settings[name] = s
	delete(r.implicit, name)
	c := r.circuits[name]
	var prev *Settings
	if c != nil {
		prev = c.settings.Swap(s)
	}
	r.mu.Unlock()
	if c != nil {
		c.reconfigure(c.clock().now(), prev, s)
	}
	return nil
}

// GetCircuitSettings returns a copy of the settings of every command that
// has been configured or run.
func (r *Registry) GetCircuitSettings() map[string]*Settings {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]*Settings, len(r.settings))
	for name, s := range r.settings {
		c := *s
		out[name] = &c
	}
	return out
}

// settingsLocked returns the settings of name, taking defaults (made by
// settingsFor with a zero config, refused with derr) if it has none;
// callers hold r.mu. It returns derr when it fell back to the built-in
// defaults, for the caller to log once the lock is released.
func (r *Registry) settingsLocked(name string, defaults *Settings, derr error) (*Settings, error) {
	if s := r.settings[name]; s != nil {
		return s, nil
	}
	s := defaults
	if derr != nil {
		// A Default variable is out of range: run with the built-in
		// defaults rather than refuse the command.
		s = builtinSettings()
	}
	r.settings[name] = s
	r.implicit[name] = true
	return s, derr
}

// builtinSettings are the defaults as shipped, whatever the Default
// variables now hold.
func builtinSettings() *Settings {
	s := &Settings{
		Timeout:                time.Second,
		MaxConcurrentRequests:  10,
		RequestVolumeThreshold: 20,
		SleepWindow:            5 * time.Second,
		ErrorPercentThreshold:  50,
	}
	return s
}
