package policy

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
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
// buckets only while the window holds a request that was not accepted.
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
	t.lastMissSec.Store(math.MinInt64 / 2)
	return t
}

// builtinPolicy: Rand is the program's own code.
func (p AdaptiveThrottle) builtinPolicy() bool { return p.Rand == nil }

type throttlePeriod struct {
	k       float64
	rand    func() float64
	builtin bool
	// lastMissSec is the latest Unix second of a request that was not
	// accepted. With none in the window requests equal accepts, and since
	// K is above 1 nothing is refused: Allow then does not read the window.
	lastMissSec atomic.Int64
	w           buckets // a: requests, b: accepts
}

func (t *throttlePeriod) builtinPolicy() bool { return t.builtin }

func (t *throttlePeriod) Record(r Result) bool { return t.record(r.Outcome, r.End.Unix()) }

// RecordFast is Record from the outcome and the end alone.
func (t *throttlePeriod) RecordFast(o Outcome, end int64, _ time.Duration) bool {
	return t.record(o, unixSecond(end))
}

func (t *throttlePeriod) record(o Outcome, sec int64) bool {
	switch o {
	case Success:
		t.w.add(sec, 1, 1)
	case Failure, Timeout, Rejected:
		t.missed(sec)
		t.w.add(sec, 1, 0)
	}
	return false
}

// missed notes a request in second sec that was not accepted.
func (t *throttlePeriod) missed(sec int64) {
	for last := t.lastMissSec.Load(); sec > last && !t.lastMissSec.CompareAndSwap(last, sec); {
		last = t.lastMissSec.Load()
	}
}

func (t *throttlePeriod) Check(time.Time) bool { return false }

func (t *throttlePeriod) Allow(now time.Time) bool {
	p := t.RejectProbability(now)
	if p <= 0 || t.rand() >= p {
		return true
	}
	sec := now.Unix()
	t.missed(sec)
	t.w.add(sec, 1, 0)
	return false
}

// RejectProbability returns the probability that Allow refuses a call at
// now, from 0 up to but not including 1.
func (t *throttlePeriod) RejectProbability(now time.Time) float64 {
	if d := now.Unix() - t.lastMissSec.Load(); d >= windowSeconds {
		return 0
	}
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
