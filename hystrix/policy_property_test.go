package hystrix_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// breakerModel is the simple breaker of the design written the plain way:
// a count of failures in a row, an opening time, one probe.
type breakerModel struct {
	threshold int
	sleep     time.Duration
	state     hystrix.State
	fails     int
	openedAt  time.Duration
}

// step predicts one call at time now with outcome kind: whether it runs,
// then applies it.
func (m *breakerModel) step(now time.Duration, kind int) (ran bool) {
	if m.state == hystrix.StateOpen && now-m.openedAt >= m.sleep {
		m.state = hystrix.StateHalfOpen
	}
	switch m.state {
	case hystrix.StateOpen:
		return false
	case hystrix.StateHalfOpen:
		switch kind {
		case kindPass:
			m.state, m.fails = hystrix.StateClosed, 0
		case kindFail:
			m.state, m.openedAt = hystrix.StateOpen, now
		}
		return true
	}
	switch kind {
	case kindPass:
		m.fails = 0
	case kindFail:
		m.fails++
		if m.fails > m.threshold {
			m.state, m.openedAt = hystrix.StateOpen, now
		}
	}
	return true
}

const (
	kindPass = iota
	kindFail
	kindBadRequest
)

// TestConsecutiveFailuresMatchModelOnRandomTraffic drives the engine and the
// model with the same random calls and clock steps, over many seeds, and
// compares after every call whether the function ran and the state.
func TestConsecutiveFailuresMatchModelOnRandomTraffic(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		threshold := rng.IntN(4)
		sleep := time.Duration(1+rng.IntN(5)) * time.Second
		reg, clk := hystrixtest.NewRegistry(t)
		config := firstFailureOpens()
		config.Trip.Policy = nil
		config.Trip.ConsecutiveFailures = threshold
		if threshold == 0 {
			config = firstFailureOpens()
		}
		config.SleepWindow = int(sleep / time.Millisecond)
		if err := reg.TryConfigureCommand("c", config); err != nil {
			t.Fatal(err)
		}
		c, _, _ := reg.GetCircuit("c")
		m := &breakerModel{threshold: threshold, sleep: sleep}
		var elapsed time.Duration
		for call := 0; call < 200; call++ {
			if rng.IntN(4) == 0 {
				d := time.Duration(rng.IntN(3000)) * time.Millisecond
				clk.Add(d)
				elapsed += d
			}
			kind := rng.IntN(3)
			ran := false
			_ = reg.Do("c", func() error {
				ran = true
				switch kind {
				case kindFail:
					return errBoom
				case kindBadRequest:
					return hystrix.BadRequest(errors.New("bad input"))
				}
				return nil
			}, nil)
			want := m.step(elapsed, kind)
			if ran != want || c.State() != m.state {
				t.Fatalf("seed %d call %d (threshold %d, sleep %v, kind %d at %v): ran=%v state=%v; model ran=%v state=%v",
					seed, call, threshold, sleep, kind, elapsed, ran, c.State(), want, m.state)
			}
		}
		reg.Flush()
	}
}
