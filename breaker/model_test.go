package breaker_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/breaker"
)

// model is the breaker's cycle written as plainly as possible, for one
// caller at a time: the reference the property and fuzz tests compare the
// real breaker with.
type model struct {
	threshold int
	retry     time.Duration
	now       time.Time

	state    breaker.State
	failures int
	openedAt time.Time
}

// call says what the breaker must do with one call of the given outcome:
// whether it runs the function; it then moves the model.
func (m *model) call(o outcome) (runs bool) {
	switch m.state {
	case breaker.Open:
		return false
	case breaker.HalfOpen:
		switch o {
		case success:
			m.state, m.failures = breaker.Closed, 0
		case failure:
			m.state, m.openedAt = breaker.Open, m.now
		}
		return true // a skip leaves it half-open for the next probe
	}
	switch o {
	case success:
		m.failures = 0
	case failure:
		m.failures++
		if m.failures > m.threshold {
			m.state, m.openedAt = breaker.Open, m.now
		}
	}
	return true
}

func (m *model) advance(d time.Duration) {
	m.now = m.now.Add(d)
	if m.state == breaker.Open && !m.now.Before(m.openedAt.Add(m.retry)) {
		m.state = breaker.HalfOpen
	}
}

type outcome int

const (
	success outcome = iota
	failure
	skipped
)

var outcomeFns = [...]func() (error, bool){success: pass, failure: fail, skipped: skip}

// step is one move of a scenario: a call with an outcome, or a clock move.
type step struct {
	call    bool
	outcome outcome
	move    time.Duration
}

func (s step) String() string {
	if s.call {
		return [...]string{"pass", "fail", "skip"}[s.outcome]
	}
	return "+" + s.move.String()
}

const modelRetry = 10 * time.Second

// moves are the clock moves scenarios pick from: short ones, and ones that
// land just before, on and past the retry instant.
var moves = [...]time.Duration{time.Millisecond, modelRetry / 3, modelRetry - time.Nanosecond, modelRetry, 3 * modelRetry}

// checkAgainstModel drives a fresh breaker and the model through steps and
// reports the first step at which they disagree.
func checkAgainstModel(t *testing.T, threshold int, steps []step) {
	t.Helper()
	cb, clk := newBreaker(t, breaker.Settings{Threshold: threshold, RetryAfter: modelRetry})
	m := &model{threshold: threshold, retry: modelRetry, now: clk.Now(), state: breaker.Closed}
	for i, s := range steps {
		if !s.call {
			clk.Add(s.move)
			m.advance(s.move)
		} else {
			ran := false
			fn := outcomeFns[s.outcome]
			err := cb.Run(func() (error, bool) { ran = true; return fn() })
			runs := m.call(s.outcome)
			want, _ := fn()
			switch {
			case ran != runs:
				t.Fatalf("step %d (%v) of %v: ran = %v, the model says %v", i, s, steps[:i+1], ran, runs)
			case runs && err != want:
				t.Fatalf("step %d (%v) of %v: got %v, want the function's %v", i, s, steps[:i+1], err, want)
			case !runs && !errors.Is(err, breaker.ErrOpen):
				t.Fatalf("step %d (%v) of %v: got %v, want ErrOpen", i, s, steps[:i+1], err)
			}
		}
		if got := cb.Status(); got != m.state {
			t.Fatalf("step %d (%v) of %v: Status() = %v, the model says %v", i, s, steps[:i+1], got, m.state)
		}
	}
}

func TestBreakerMatchesModelOverRandomScenarios(t *testing.T) {
	t.Parallel()
	for seed := range uint64(300) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 0x5eed))
			steps := make([]step, 200)
			for i := range steps {
				// Mostly calls, failures a little more often than
				// successes, so that every state is reached.
				switch r := rng.IntN(10); {
				case r < 2:
					steps[i] = step{move: moves[rng.IntN(len(moves))]}
				case r < 3:
					steps[i] = step{call: true, outcome: skipped}
				case r < 7:
					steps[i] = step{call: true, outcome: failure}
				default:
					steps[i] = step{call: true, outcome: success}
				}
			}
			checkAgainstModel(t, 1+rng.IntN(4), steps)
		})
	}
}

// FuzzBreakerMatchesModel reads a scenario from bytes: the first sets the
// threshold, each of the others a call or a clock move.
func FuzzBreakerMatchesModel(f *testing.F) {
	f.Add([]byte{2, 1, 1, 1, 7, 0})
	f.Add([]byte{0, 1, 1, 1, 1, 1, 1, 5, 6, 2, 0, 1})
	f.Add([]byte{1, 1, 2, 1, 8, 1, 7, 2, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		threshold := int(data[0] % 6)
		steps := make([]step, 0, len(data)-1)
		for _, b := range data[1:] {
			if b%8 < 3 {
				steps = append(steps, step{call: true, outcome: outcome(b % 8)})
			} else {
				steps = append(steps, step{move: moves[int(b)%len(moves)]})
			}
		}
		if threshold == 0 {
			threshold = breaker.DefaultThreshold // what New makes of a zero
		}
		checkAgainstModel(t, threshold, steps)
	})
}
