package breaker

import "github.com/gohystrix/hystrix-go/hystrix"

// State is where a breaker is in its cycle. It is hystrix.State, so a
// breaker's states print and compare like a hystrix circuit's: Closed is
// "closed", Open "open" and HalfOpen "half-open".
type State = hystrix.State

const (
	// Closed runs every call and counts the failures in a row.
	Closed = hystrix.StateClosed
	// Open refuses every call with ErrOpen, without running it, until
	// Settings.RetryAfter has passed.
	Open = hystrix.StateOpen
	// HalfOpen runs the calls its recovery admits, as probes, and refuses
	// the others with ErrOpen: one probe at a time by default, a growing
	// rate with Settings.Ramp.
	HalfOpen = hystrix.StateHalfOpen
)
