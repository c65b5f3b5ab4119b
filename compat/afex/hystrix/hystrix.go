package hystrix

import (
	"context"

	gohystrix "github.com/gohystrix/hystrix-go/hystrix"
)

// CircuitError is gohystrix's CircuitError, so that the error variables below
// and the errors gohystrix returns are values of one type and compare equal.
type CircuitError = gohystrix.CircuitError

// The variables are copies of gohystrix's comparable values: an error
// returned by either package is == to them.
var (
	// ErrMaxConcurrency is gohystrix.ErrMaxConcurrency.
	ErrMaxConcurrency = gohystrix.ErrMaxConcurrency
	// ErrCircuitOpen is gohystrix.ErrCircuitOpen.
	ErrCircuitOpen = gohystrix.ErrCircuitOpen
	// ErrTimeout is gohystrix.ErrTimeout.
	ErrTimeout = gohystrix.ErrTimeout
)

// FallbackError is gohystrix.FallbackError, the error of an execution whose
// fallback failed too.
type FallbackError = gohystrix.FallbackError

// PanicError is gohystrix.PanicError, the error of an execution whose run
// function panicked.
type PanicError = gohystrix.PanicError

// ErrNilRun is gohystrix.ErrNilRun; being a pointer, it is the same error.
var ErrNilRun = gohystrix.ErrNilRun

// Go is gohystrix.Go, after applying this package's Default values to a
// command seen for the first time.
func Go(name string, run func() error, fallback func(error) error) chan error {
	settle(name)
	return gohystrix.Go(name, run, fallback)
}

// GoC is gohystrix.GoC, after applying this package's Default values to a
// command seen for the first time.
func GoC(ctx context.Context, name string, run func(context.Context) error, fallback func(context.Context, error) error) chan error {
	settle(name)
	return gohystrix.GoC(ctx, name, run, fallback)
}

// Do is gohystrix.Do, after applying this package's Default values to a
// command seen for the first time.
func Do(name string, run func() error, fallback func(error) error) error {
	settle(name)
	return gohystrix.Do(name, run, fallback)
}

// DoC is gohystrix.DoC, after applying this package's Default values to a
// command seen for the first time.
func DoC(ctx context.Context, name string, run func(context.Context) error, fallback func(context.Context, error) error) error {
	settle(name)
	return gohystrix.DoC(ctx, name, run, fallback)
}

// CircuitBreaker is gohystrix's circuit, so that a circuit got through
// either package is the same object.
type CircuitBreaker = gohystrix.CircuitBreaker

// State is gohystrix.State, the phase a circuit is in.
type State = gohystrix.State

// The phases of a circuit, as in gohystrix.
const (
	// StateClosed is gohystrix.StateClosed.
	StateClosed = gohystrix.StateClosed
	// StateOpen is gohystrix.StateOpen.
	StateOpen = gohystrix.StateOpen
	// StateHalfOpen is gohystrix.StateHalfOpen.
	StateHalfOpen = gohystrix.StateHalfOpen
)

// GetCircuit is gohystrix.GetCircuit. A command that has no settings yet
// takes this package's Default values, as it would if first run through Do.
func GetCircuit(name string) (*CircuitBreaker, bool, error) {
	settle(name)
	return gohystrix.GetCircuit(name)
}

// Circuits is gohystrix.Circuits: every circuit, sorted by name.
func Circuits() []*CircuitBreaker { return gohystrix.Circuits() }

// Flush is gohystrix.Flush. Settings survive a flush, as in afex, so the
// commands whose defaults this package has applied keep them.
func Flush() { gohystrix.Flush() }

// StreamHandler is gohystrix's dashboard event stream.
type StreamHandler = gohystrix.StreamHandler

// NewStreamHandler is gohystrix.NewStreamHandler.
func NewStreamHandler() *StreamHandler { return gohystrix.NewStreamHandler() }
