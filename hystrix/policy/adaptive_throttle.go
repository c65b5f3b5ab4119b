package policy

import (
	"math"
	"math/rand/v2"
	"time"
)

// AdaptiveThrottle is client-side throttling as the Google SRE book
// describes it ("Handling Overload"). A closed circuit refuses single calls
// with a probability that rises as the dependency accepts fewer of the
// calls it is sent, and it never opens.
//
// In words: over the last ten seconds (ten one-second buckets of its own)
// it counts requests, every call the client tried, and accepts, the calls
// the dependency answered successfully. The requests are each execution
// recorded with an outcome that is not neutral (a success, a failure, a
// timeout or a rejection by the concurrency limit), by Result.End, and each
// call it refused itself, at the instant Allow refused it: the book counts
// the calls the application tried, throttled ones included, so a
// dependency that keeps failing is left nearly alone. The accepts are the
// successes. Allow refuses a call with probability
//
//	max(0, (requests - K*accepts) / (requests + 1))
//
// so nothing is refused while at least one call in K is accepted, and
// beyond that about as many calls get through as K times what the
// dependency accepts. Record and Check never open the circuit. A refused
// call is a short-circuit, which the engine does not Record.
//
// K is how many calls the client may send for each accepted one. A K of 1
// or less, or NaN, is taken as DefaultAdaptiveK (hystrix's configuration
// refuses it). A K of +Inf never refuses once one call was accepted. Rand
// returns the random numbers in [0, 1) that Allow compares with the
// probability. It must be safe for concurrent use; nil means math/rand/v2's
// Float64.
//
// Its tripper is a Throttle and a ThrottleReporter, safe for concurrent
// use. Record costs one or two atomic adds, and Allow reads the ten
// buckets.
type AdaptiveThrottle struct {
	// K multiplies the accepts: the SRE book suggests 2.
	K float64
	// Rand draws the numbers Allow decides by; nil means math/rand/v2's.
	Rand func() float64
}

// DefaultAdaptiveK is AdaptiveThrottle's K when it is 1 or less.
const DefaultAdaptiveK = 2

// Closed returns the period's Throttle, with an empty window. It does not
// read w.
func (p AdaptiveThrottle) Closed(now time.Time, w Window) Tripper {
	t := &throttlePeriod{k: p.K, rand: p.Rand, builtin: p.Rand == nil}
	if !(t.k > 1) {
		t.k = DefaultAdaptiveK
	}
	if t.rand == nil {
		t.rand = rand.Float64
	}
	t.w.clear()
	return t
}

// builtinPolicy: Rand is the program's own code.
func (p AdaptiveThrottle) builtinPolicy() bool { return p.Rand == nil }

type throttlePeriod struct {
	k       float64
	rand    func() float64
	builtin bool
	w       buckets // a: requests, b: accepts
}

func (t *throttlePeriod) builtinPolicy() bool { return t.builtin }

func (t *throttlePeriod) Record(r Result) bool {
	switch r.Outcome {
	case Success:
		t.w.add(r.End.Unix(), 1, 1)
	case Failure, Timeout, Rejected:
		t.w.add(r.End.Unix(), 1, 0)
	}
	return false
}

func (t *throttlePeriod) Check(time.Time) bool { return false }

func (t *throttlePeriod) Allow(now time.Time) bool {
	p := t.RejectProbability(now)
	if p <= 0 || t.rand() >= p {
		return true
	}
	t.w.add(now.Unix(), 1, 0)
	return false
}

// RejectProbability returns the probability that Allow refuses a call at
// now, from 0 up to but not including 1.
func (t *throttlePeriod) RejectProbability(now time.Time) float64 {
	requests, accepts := t.w.sum(now)
	return rejectProbability(t.k, requests, accepts)
}

func rejectProbability(k float64, requests, accepts uint64) float64 {
	excess := float64(requests)
	if accepts > 0 {
		// Not K*0 when there are none: with K infinite that is NaN.
		excess -= k * float64(accepts)
	}
	return math.Max(0, excess/float64(requests+1))
}
