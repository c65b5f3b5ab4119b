package hystrix

import (
	"fmt"
	"strings"
)

// Isolation says where a command's run function executes.
type Isolation int

const (
	// GoroutineIsolation, the default, runs the function on a goroutine of
	// its own, so the caller gets ErrTimeout at the timeout even if the
	// function never returns. The function keeps its concurrency ticket
	// until it does return. This is Hystrix's THREAD isolation.
	GoroutineIsolation Isolation = iota
	// CallerIsolation runs the function on the caller's goroutine: no
	// goroutine is started and the success path allocates nothing but the
	// context that carries the deadline (nothing at all without a
	// timeout). The timeout reaches the function only through its context,
	// so the call returns when the function does; if that is after the
	// timeout the result is ErrTimeout. This is Hystrix's SEMAPHORE
	// isolation.
	CallerIsolation
)

// String returns "goroutine" or "caller".
func (i Isolation) String() string {
	switch i {
	case GoroutineIsolation:
		return "goroutine"
	case CallerIsolation:
		return "caller"
	}
	return fmt.Sprintf("Isolation(%d)", int(i))
}

// MarshalText encodes the isolation as its String form.
func (i Isolation) MarshalText() ([]byte, error) {
	if i != GoroutineIsolation && i != CallerIsolation {
		return nil, fmt.Errorf("hystrix: unknown isolation %d", int(i))
	}
	return []byte(i.String()), nil
}

// UnmarshalText accepts "goroutine" or "caller", and Hystrix's names
// "THREAD" and "SEMAPHORE", in any case; an empty text means the default.
func (i *Isolation) UnmarshalText(text []byte) error {
	switch strings.ToLower(string(text)) {
	case "", "goroutine", "thread":
		*i = GoroutineIsolation
	case "caller", "semaphore":
		*i = CallerIsolation
	default:
		return fmt.Errorf("hystrix: unknown isolation %q (want \"goroutine\" or \"caller\")", text)
	}
	return nil
}
