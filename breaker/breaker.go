package breaker

import (
	"fmt"
	"log/slog"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// Breaker is a circuit breaker for one dependency: it runs calls while the
// dependency answers, refuses them with ErrOpen for a while once too many
// fail in a row, and then tries the dependency again (see the package doc
// for the cycle). Make one with New; the zero Breaker is not usable. A
// Breaker is safe for concurrent use.
//
// A Breaker starts no goroutine. While it is open it holds one timer of its
// clock, which turns it half-open; nothing needs closing.
type Breaker struct {
	name string
	reg  *hystrix.Registry
	// circuit is the registry's one circuit, kept so that Status is one
	// atomic load. The registry is never flushed, so it stays current.
	circuit *hystrix.CircuitBreaker
	// The errors every refusal and every nil function return, made once.
	errOpen error
	errNil  error

	logger   *slog.Logger
	onChange func(name string, from, to State)
	clock    hystrix.Clock // nil for the system clock
}

// New returns a closed Breaker with settings s, or a *SettingsError (which
// wraps ErrInvalidSettings) naming the first field it refuses.
func New(s Settings) (*Breaker, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Breaker{
		name:     s.Name,
		errOpen:  newOpenError(s.Name),
		errNil:   fmt.Errorf("breaker %q: %w", s.Name, ErrNilFunc),
		logger:   s.Logger,
		onChange: s.OnStateChange,
		clock:    s.Clock,
	}
	// The engine's own logger stays silent: the breaker logs its
	// transitions itself, with slog, from the listener.
	b.reg = hystrix.NewRegistry(hystrix.WithClock(s.Clock), hystrix.WithStateListener(b.transition))
	if err := b.reg.TryConfigureCommand(s.Name, s.command()); err != nil {
		// withDefaults refuses everything the engine would; this is a
		// bug, reported as a value all the same.
		return nil, fmt.Errorf("breaker %q: %w: %w", s.Name, ErrInvalidSettings, err)
	}
	b.circuit, _, _ = b.reg.GetCircuit(s.Name)
	return b, nil
}

// Name returns the breaker's name, Settings.Name.
func (b *Breaker) Name() string { return b.name }

// Status returns the breaker's state now: Closed, Open or HalfOpen. It
// reads one atomic value and never moves the breaker.
func (b *Breaker) Status() State { return b.circuit.State() }
