package hystrix_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

func probesConfig(probes, successes int) hystrix.CommandConfig {
	c := firstFailureOpens()
	c.SleepWindow = 1000
	c.Recovery.Probes, c.Recovery.Successes = probes, successes
	return c
}

func TestProbesAdmitSeveralAndCloseAfterEnoughSuccesses(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", probesConfig(3, 2)))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	clk.Add(time.Second)
	require.Equal(t, hystrix.StateHalfOpen, c.State())
	held := []*held{hold(reg, "c"), hold(reg, "c"), hold(reg, "c")}
	assert.ErrorIs(t, reg.Do("c", pass, nil), hystrix.ErrCircuitOpen, "three probes at most")
	require.NoError(t, held[0].finish(nil))
	assert.Equal(t, hystrix.StateHalfOpen, c.State(), "one success of two")
	require.NoError(t, held[1].finish(nil))
	assert.Equal(t, hystrix.StateClosed, c.State())
	require.NoError(t, held[2].finish(nil))
}

func TestProbesReopenOnceEnoughSuccessesAreImpossible(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", probesConfig(3, 2)))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	clk.Add(time.Second)
	a, b := hold(reg, "c"), hold(reg, "c")
	require.Equal(t, errBoom, a.finish(errBoom))
	assert.Equal(t, hystrix.StateHalfOpen, c.State(), "one failure leaves two probes for two successes")
	require.ErrorIs(t, reg.Do("c", func() error { return hystrix.BadRequest(errBoom) }, nil), errBoom)
	assert.Equal(t, hystrix.StateHalfOpen, c.State(), "a bad request gives its place back")
	require.Equal(t, errBoom, b.finish(errBoom))
	assert.Equal(t, hystrix.StateOpen, c.State(), "two failures of three: two successes are out of reach")
}

func TestProbesConfigIsChecked(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	var ce *hystrix.ConfigError
	require.ErrorAs(t, reg.TryConfigureCommand("c", probesConfig(2, 3)), &ce)
	assert.Equal(t, "Recovery.Successes", ce.Field)
	config := probesConfig(2, 1)
	config.Recovery.Ramp = &hystrix.RampConfig{}
	require.ErrorAs(t, reg.TryConfigureCommand("c", config), &ce)
	assert.Equal(t, "Recovery.Probes", ce.Field)
}

func TestBackoffLengthensEachReopeningAndDecaysWhileHealthy(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	config := firstFailureOpens()
	config.SleepWindow = 1000
	config.Recovery.Backoff = &hystrix.BackoffConfig{Multiplier: 2, MaxMs: 5000}
	require.NoError(t, reg.TryConfigureCommand("c", config))
	c, _, _ := reg.GetCircuit("c")
	// openFor returns how long the circuit stays open now, to the
	// millisecond, failing the probe that ends each opening.
	openFor := func() time.Duration {
		require.Equal(t, hystrix.StateOpen, c.State())
		for d := time.Duration(0); d < time.Minute; d += time.Millisecond {
			if c.State() == hystrix.StateHalfOpen {
				return d
			}
			clk.Add(time.Millisecond)
		}
		t.Fatal("still open after a minute")
		return 0
	}
	_ = reg.Do("c", fail, nil)
	var got []time.Duration
	for range 5 {
		got = append(got, openFor())
		_ = reg.Do("c", fail, nil) // the probe fails: reopened
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}, got)
	openFor()
	require.NoError(t, reg.Do("c", pass, nil))
	require.Equal(t, hystrix.StateClosed, c.State())
	clk.Add(2 * time.Second) // healthy for two base windows: the count falls by two
	_ = reg.Do("c", fail, nil)
	d := openFor()
	assert.Less(t, d, 5*time.Second, "a spell of health shortens the next opening")
	assert.Greater(t, d, time.Second, "but not back to the base at once")
}
