package hystrix

import (
	"math/rand"
	"testing"
	"time"
)

// circuitModel is the state machine of the circuit written the plain way:
// every execution kept with its second, health recomputed from scratch.
type circuitModel struct {
	volume, threshold int
	sleep             int64
	open              bool
	openedAt          int64
	secs              []int64 // seconds of executions in the current closed period
	errs              []bool
}

// call predicts what an execution at t that would fail (or not) returns.
func (m *circuitModel) call(t int64, fails bool) (ran bool) {
	if m.open {
		if t-m.openedAt < m.sleep {
			return false
		}
		// The probe.
		if fails {
			m.openedAt = t
		} else {
			m.open = false
			m.secs, m.errs = nil, nil
		}
		return true
	}
	m.secs = append(m.secs, t/int64(time.Second))
	m.errs = append(m.errs, fails)
	sec := t / int64(time.Second)
	var reqs, errs int
	for i, s := range m.secs {
		if s > sec-10 && s <= sec {
			reqs++
			if m.errs[i] {
				errs++
			}
		}
	}
	if reqs > 0 && reqs >= m.volume && int(float64(errs)/float64(reqs)*100+0.5) >= m.threshold {
		m.open = true
		m.openedAt = t
	}
	return true
}

// TestCircuitMatchesModelOnRandomTraffic runs random traffic, failures and
// clock steps through a circuit and the model and compares, after every
// call, whether the function ran and whether the circuit is open.
func TestCircuitMatchesModelOnRandomTraffic(t *testing.T) {
	t.Parallel()
	for seed := int64(1); seed <= 40; seed++ {
		r, clk := newTestRegistry(t)
		rng := rand.New(rand.NewSource(seed))
		name := uniqueName(t)
		cfg := CommandConfig{
			RequestVolumeThreshold: 1 + rng.Intn(15),
			ErrorPercentThreshold:  1 + rng.Intn(100),
			SleepWindow:            1 + rng.Intn(3000),
			Isolation:              CallerIsolation,
			Timeout:                -1,
		}
		if err := r.TryConfigureCommand(name, cfg); err != nil {
			t.Fatal(err)
		}
		m := &circuitModel{volume: cfg.RequestVolumeThreshold, threshold: cfg.ErrorPercentThreshold,
			sleep: int64(cfg.SleepWindow) * int64(time.Millisecond)}
		failRate := rng.Float64()
		c, _, _ := r.GetCircuit(name)
		for i := 0; i < 400; i++ {
			clk.Add(time.Duration(rng.Intn(400)) * time.Millisecond)
			fails := rng.Float64() < failRate
			ran := false
			_ = r.Do(name, func() error {
				ran = true
				if fails {
					return errDown
				}
				return nil
			}, nil)
			want := m.call(r.clock.now(), fails)
			if ran != want || (c.State() != StateClosed) != m.open {
				t.Fatalf("seed %d, call %d (%+v, fails=%v): ran=%v state=%v; model ran=%v open=%v",
					seed, i, cfg, fails, ran, c.State(), want, m.open)
			}
		}
	}
}
