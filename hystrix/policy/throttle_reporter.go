package policy

import "time"

// A ThrottleReporter is a Throttle that refuses calls at random, with a
// probability that the circuit can show on its stream and to exporters.
// AdaptiveThrottle's tripper is one.
type ThrottleReporter interface {
	// RejectProbability returns the probability, from 0 to 1, that Allow
	// refuses a call at now.
	RejectProbability(now time.Time) float64
}
