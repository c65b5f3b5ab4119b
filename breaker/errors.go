package breaker

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gohystrix/hystrix-go/hystrix"
)

var (
	// ErrOpen is what every refusal answers to with errors.Is: the breaker
	// was open, or half-open and not admitting the call, so the function
	// did not run. The error itself is an *OpenError that names the
	// breaker.
	ErrOpen = errors.New("breaker: open")
	// ErrInvalidSettings is wrapped by the *SettingsError that New returns
	// for settings it refuses.
	ErrInvalidSettings = errors.New("breaker: invalid settings")
	// ErrNilFunc is wrapped by the error Run, RunContext and RunFallback
	// return when given no function to run. Such a call is not counted.
	ErrNilFunc = errors.New("breaker: nil function")
)

// OpenError is the error of a call the breaker refused. Each breaker makes
// its one OpenError in New and returns that same value on every refusal, so
// refusing allocates nothing.
//
// errors.Is(err, ErrOpen) holds for it, and so does
// errors.Is(err, hystrix.ErrCircuitOpen), since a breaker is a hystrix
// circuit; errors.As finds it to get the breaker's name.
type OpenError struct {
	// Name is the name of the breaker that refused the call.
	Name string
	msg  string
}

func newOpenError(name string) *OpenError {
	return &OpenError{Name: name, msg: openMessage(name)}
}

func openMessage(name string) string { return "breaker " + strconv.Quote(name) + ": open" }

// Error returns `breaker "<name>": open`.
func (e *OpenError) Error() string {
	if e.msg == "" {
		return openMessage(e.Name)
	}
	return e.msg
}

// Unwrap returns ErrOpen.
func (e *OpenError) Unwrap() error { return ErrOpen }

// Is reports whether target is hystrix.ErrCircuitOpen; ErrOpen is found
// through Unwrap.
func (e *OpenError) Is(target error) bool { return target == hystrix.ErrCircuitOpen }

// SettingsError says which field of Settings New refused, and why.
// errors.Is(err, ErrInvalidSettings) holds for it.
type SettingsError struct {
	// Name is Settings.Name, possibly empty.
	Name string
	// Field is the refused field, such as "Threshold" or
	// "Ramp.StartPerMinute".
	Field string
	// Value is the field's value.
	Value any
	// Reason says what the field must be.
	Reason string
}

// Error names the breaker, the field, its value and the reason.
func (e *SettingsError) Error() string {
	return fmt.Sprintf("breaker %q: invalid settings: %s %v %s", e.Name, e.Field, e.Value, e.Reason)
}

// Unwrap returns ErrInvalidSettings.
func (e *SettingsError) Unwrap() error { return ErrInvalidSettings }
