package hystrixhttp

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// ErrInvalidOption is wrapped by the error NewTransport and NewHandler
// return for an option they cannot use, such as a nil function.
var ErrInvalidOption = errors.New("hystrixhttp: invalid option")

// A TransportOption configures a Transport; pass it to NewTransport.
type TransportOption interface{ applyTransport(*Transport) error }

// A HandlerOption configures a Handler; pass it to NewHandler or
// Middleware.
type HandlerOption interface{ applyHandler(*Handler) error }

// An Option configures a Transport and a Handler alike.
type Option interface {
	TransportOption
	HandlerOption
}

// common holds what both sides are configured with.
type common struct {
	reg  *hystrix.Registry
	name func(*http.Request) string
}

type commonOption func(*common) error

func (f commonOption) applyTransport(t *Transport) error { return f(&t.common) }
func (f commonOption) applyHandler(h *Handler) error     { return f(&h.common) }

type transportOption func(*Transport) error

func (f transportOption) applyTransport(t *Transport) error { return f(t) }

type handlerOption func(*Handler) error

func (f handlerOption) applyHandler(h *Handler) error { return f(h) }

// WithRegistry runs the requests as commands of r rather than of
// hystrix.DefaultRegistry(). A nil r is refused.
func WithRegistry(r *hystrix.Registry) Option {
	return commonOption(func(c *common) error {
		if r == nil {
			return invalid("WithRegistry", "nil registry")
		}
		c.reg = r
		return nil
	})
}

// WithCommand runs every request as the command name, so that they share
// one circuit. An empty name is refused. It replaces WithCommandName.
func WithCommand(name string) Option {
	return commonOption(func(c *common) error {
		if name == "" {
			return invalid("WithCommand", "empty name")
		}
		c.name = func(*http.Request) string { return name }
		return nil
	})
}

// WithCommandName names each request's command after what f returns for
// it; an empty name means the default (the request's host for a
// Transport, the route pattern for a Handler). f must be safe for
// concurrent use and should map requests to a bounded set of names: each
// name gets a circuit of its own. A nil f is refused. It replaces
// WithCommand.
func WithCommandName(f func(*http.Request) string) Option {
	return commonOption(func(c *common) error {
		if f == nil {
			return invalid("WithCommandName", "nil function")
		}
		c.name = f
		return nil
	})
}

// WithClassifier tells a Transport which responses and errors are
// failures, bad requests and successes, in place of DefaultClassifier. A
// nil c is refused.
func WithClassifier(c Classifier) TransportOption {
	return transportOption(func(t *Transport) error {
		if c == nil {
			return invalid("WithClassifier", "nil classifier")
		}
		t.classify = c
		return nil
	})
}

// WithFallback gives a Transport a fallback, run as the command's fallback
// (see Fallback). Without one, a refused or timed-out request returns
// hystrix's error and a failed one its response or error. A nil f is
// refused: leave the option out for no fallback.
func WithFallback(f Fallback) TransportOption {
	return transportOption(func(t *Transport) error {
		if f == nil {
			return invalid("WithFallback", "nil function")
		}
		t.fallback = f
		return nil
	})
}

// WithStatusClassifier tells a Handler which status codes are failures,
// bad requests and successes, in place of DefaultStatusClassifier. A nil
// c is refused.
func WithStatusClassifier(c StatusClassifier) HandlerOption {
	return handlerOption(func(h *Handler) error {
		if c == nil {
			return invalid("WithStatusClassifier", "nil classifier")
		}
		h.classify = c
		return nil
	})
}

// WithFallbackHandler makes a Handler serve requests it cannot give to its
// handler with fb instead of answering 503: requests refused by the circuit
// or the concurrency limit, and those that timed out before the handler
// wrote anything. FallbackCause tells fb why it was called. A nil fb is
// refused: leave the option out to answer 503.
func WithFallbackHandler(fb http.Handler) HandlerOption {
	return handlerOption(func(h *Handler) error {
		if fb == nil {
			return invalid("WithFallbackHandler", "nil handler")
		}
		h.fallback = fb
		return nil
	})
}

func invalid(option, why string) error {
	return fmt.Errorf("hystrixhttp: %s: %s: %w", option, why, ErrInvalidOption)
}
