package hystrix_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// held is an execution started on its own goroutine that returns what it is
// told to, when it is told to.
type held struct {
	started chan struct{}
	result  chan error
	done    chan error
}

func hold(reg *hystrix.Registry, name string) *held {
	h := &held{started: make(chan struct{}), result: make(chan error), done: make(chan error, 1)}
	go func() {
		h.done <- reg.Do(name, func() error { close(h.started); return <-h.result }, nil)
	}()
	select {
	case <-h.started:
	case err := <-h.done:
		panic(fmt.Sprintf("hold: the call did not run: %v", err))
	}
	return h
}

// finish makes the held execution return err and waits for its result.
func (h *held) finish(err error) error {
	h.result <- err
	return <-h.done
}

func TestStaleFailureFromAnEarlierClosedPeriodDoesNotOpenTheCircuit(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", firstFailureOpens()))
	c, _, _ := reg.GetCircuit("c")
	late := hold(reg, "c") // admitted while closed, generation 0
	_ = reg.Do("c", fail, nil)
	clk.Add(5 * time.Second)
	require.NoError(t, reg.Do("c", pass, nil))
	require.Equal(t, hystrix.StateClosed, c.State())
	require.Equal(t, uint64(3), c.Generation())
	// Its first failure would open the new period; the late one must not.
	assert.Equal(t, errBoom, late.finish(errBoom))
	assert.Equal(t, hystrix.StateClosed, c.State())
	assert.Equal(t, uint64(3), c.Generation())
	_ = reg.Do("c", fail, nil)
	assert.Equal(t, hystrix.StateOpen, c.State(), "a failure of this period does")
}

func TestStaleSuccessOfAnEarlierTrialDoesNotCloseTheCircuit(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	config := firstFailureOpens()
	config.Recovery.Ramp = &hystrix.RampConfig{StartPerMinute: 60, StageMs: 60_000}
	require.NoError(t, reg.TryConfigureCommand("c", config))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	clk.Add(5 * time.Second)
	require.Equal(t, hystrix.StateHalfOpen, c.State())
	late := hold(reg, "c") // a probe of the first trial
	clk.Add(time.Second)
	require.Equal(t, errBoom, reg.Do("c", fail, nil), "a second probe fails: reopened")
	clk.Add(5 * time.Second)
	require.Equal(t, hystrix.StateHalfOpen, c.State(), "a second trial")
	gen := c.Generation()
	// A success closes a ramp only at a stage's end; a success of the first
	// trial must not even count towards the second.
	require.NoError(t, late.finish(nil))
	assert.Equal(t, gen, c.Generation())
	clk.Add(time.Minute)
	assert.Equal(t, hystrix.StateClosed, c.State(), "nothing refused, nothing failed in the stage")
}

func TestStaleProbeFailureDoesNotReopenAClosedCircuit(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	config := firstFailureOpens()
	config.Recovery.Ramp = &hystrix.RampConfig{StartPerMinute: 60, StageMs: 10_000}
	require.NoError(t, reg.TryConfigureCommand("c", config))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	clk.Add(5 * time.Second)
	late := hold(reg, "c")
	clk.Add(10 * time.Second)
	require.Equal(t, hystrix.StateClosed, c.State(), "the stage ended with nothing refused or failed")
	assert.Equal(t, errBoom, late.finish(errBoom))
	assert.Equal(t, hystrix.StateClosed, c.State(), "the probe belonged to the trial, not to the closed period")
}

// verdictRecovery is a recovery whose trials admit everything and decide
// what they are told to.
type verdictRecovery struct{ v chan policy.Verdict }

func (r verdictRecovery) Opened(time.Time, int) time.Duration { return time.Second }
func (r verdictRecovery) HalfOpened(time.Time) policy.Trial   { return verdictTrial(r) }

type verdictTrial verdictRecovery

func (t verdictTrial) Admit(time.Time) bool              { return true }
func (t verdictTrial) Done(policy.Result) policy.Verdict { return <-t.v }

func TestConcurrentVerdictsMoveTheCircuitOnce(t *testing.T) {
	t.Parallel()
	var rec hystrixtest.Recorder
	reg, clk := hystrixtest.NewRegistry(t, hystrix.WithStateListener(rec.Record))
	config := firstFailureOpens()
	verdicts := make(chan policy.Verdict, 100)
	config.Recovery.Policy = verdictRecovery{v: verdicts}
	require.NoError(t, reg.TryConfigureCommand("c", config))
	_ = reg.Do("c", fail, nil)
	clk.Add(time.Second)
	probes := make([]*held, 40)
	for i := range probes {
		probes[i] = hold(reg, "c")
	}
	for i := range probes {
		if i%2 == 0 {
			verdicts <- policy.Close
		} else {
			verdicts <- policy.Reopen
		}
	}
	done := make(chan struct{})
	for _, p := range probes {
		go func() { p.result <- nil; <-p.done; done <- struct{}{} }()
	}
	for range probes {
		<-done
	}
	states := rec.States()
	require.Len(t, states, 3, "open, half-open, then one verdict: %v", states)
	assert.Contains(t, []hystrix.State{hystrix.StateClosed, hystrix.StateOpen}, states[2])
}
