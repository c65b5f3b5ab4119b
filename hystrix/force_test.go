package hystrix_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

func TestForceOpenRefusesEveryCallUntilItIsLifted(t *testing.T) {
	t.Parallel()
	var rec hystrixtest.Recorder
	reg, clk := hystrixtest.NewRegistry(t, hystrix.WithStateListener(rec.Record))
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{ForceOpen: true, Isolation: hystrix.CallerIsolation}))
	c, _, _ := reg.GetCircuit("c")
	ran := false
	assert.ErrorIs(t, reg.Do("c", func() error { ran = true; return nil }, nil), hystrix.ErrCircuitOpen)
	assert.NoError(t, reg.Do("c", pass, func(error) error { return nil }), "the fallback answers")
	assert.False(t, ran)
	assert.Equal(t, hystrix.StateOpen, c.State())
	assert.False(t, c.AllowRequest())
	clk.Add(time.Hour)
	assert.Equal(t, hystrix.StateOpen, c.State(), "no sleep window ends a forced opening")
	round := string(reg.AppendStreamEvents(nil))
	assert.Contains(t, round, `"propertyValue_circuitBreakerForceOpen":true`)
	assert.Contains(t, round, `"rollingCountShortCircuited":2`)

	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Isolation: hystrix.CallerIsolation}))
	assert.Equal(t, hystrix.StateClosed, c.State())
	assert.NoError(t, reg.Do("c", pass, nil))
	require.Len(t, rec.Changes(), 1, "a circuit made forced open has no transition into it")
	assert.True(t, rec.Changes()[0].Forced)
}

func TestForceClosedRunsEveryCallWhateverTheHealth(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	config := firstFailureOpens()
	require.NoError(t, reg.TryConfigureCommand("c", config))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	require.Equal(t, hystrix.StateOpen, c.State())
	config.ForceClosed = true
	require.NoError(t, reg.TryConfigureCommand("c", config))
	assert.Equal(t, hystrix.StateClosed, c.State(), "forcing closed closes an open circuit")
	for range 10 {
		assert.Equal(t, errBoom, reg.Do("c", fail, nil), "every call runs")
	}
	assert.Equal(t, hystrix.StateClosed, c.State())
	assert.Equal(t, int64(11), c.Counts(clk.Now()).Failures, "the metrics still count")
	assert.Contains(t, string(reg.AppendStreamEvents(nil)), `"propertyValue_circuitBreakerForceClosed":true`)
	config.ForceClosed = false
	require.NoError(t, reg.TryConfigureCommand("c", config))
	_ = reg.Do("c", fail, nil)
	assert.Equal(t, hystrix.StateOpen, c.State(), "lifted, the policy judges again")
}

func TestForceOpenAndForceClosedTogetherAreRefused(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	err := reg.TryConfigureCommand("c", hystrix.CommandConfig{ForceOpen: true, ForceClosed: true})
	var ce *hystrix.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "ForceClosed", ce.Field)
}
