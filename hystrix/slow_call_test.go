package hystrix_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// slowBy returns a run function that takes d on the manual clock.
func slowBy(clk *hystrixtest.Clock, d time.Duration, err error) func() error {
	return func() error { clk.Add(d); return err }
}

func TestSlowCallRateOpensOnSlowSuccesses(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, Timeout: -1, RequestVolumeThreshold: 4,
		Trip: hystrix.TripConfig{SlowCallMs: 100, SlowCallPercent: 50},
	}))
	c, _, _ := reg.GetCircuit("c")
	require.NoError(t, reg.Do("c", slowBy(clk, 10*time.Millisecond, nil), nil))
	require.NoError(t, reg.Do("c", slowBy(clk, 150*time.Millisecond, nil), nil))
	require.NoError(t, reg.Do("c", slowBy(clk, 100*time.Millisecond, nil), nil), "exactly the threshold is not slow")
	pct, ok := c.SlowCallPercent()
	require.True(t, ok)
	assert.InDelta(t, 100.0/3, pct, 0.01)
	assert.Contains(t, string(reg.AppendStreamEvents(nil)), `"slowCallPercentage":33.3`)
	require.Equal(t, hystrix.StateClosed, c.State(), "below the volume")
	require.NoError(t, reg.Do("c", slowBy(clk, 101*time.Millisecond, nil), nil))
	assert.Equal(t, hystrix.StateOpen, c.State(), "two slow of four: 50 %, though every call succeeded")
}

func TestSlowCallRateCombinesWithTheErrorPercentage(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, Timeout: -1, RequestVolumeThreshold: 4, ErrorPercentThreshold: 50,
		Trip: hystrix.TripConfig{SlowCallMs: 100, SlowCallPercent: 90},
	}))
	c, _, _ := reg.GetCircuit("c")
	for range 2 {
		_ = reg.Do("c", slowBy(clk, time.Millisecond, nil), nil)
		_ = reg.Do("c", slowBy(clk, time.Millisecond, errBoom), nil)
	}
	assert.Equal(t, hystrix.StateOpen, c.State(), "fast failures: the error percentage opens it")
}

func TestSlowCallConfigIsChecked(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	for field, config := range map[string]hystrix.TripConfig{
		"Trip.SlowCallMs":      {SlowCallMs: -1, SlowCallPercent: 5},
		"Trip.SlowCallPercent": {SlowCallMs: 100},
	} {
		var ce *hystrix.ConfigError
		require.ErrorAs(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Trip: config}), &ce)
		assert.Equal(t, field, ce.Field)
	}
	var ce *hystrix.ConfigError
	require.ErrorAs(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Trip: hystrix.TripConfig{SlowCallMs: 1, SlowCallPercent: 101}}), &ce)
	assert.Equal(t, "Trip.SlowCallPercent", ce.Field)
}

func TestConfiguringTheSameSlowCallRuleAgainKeepsItsWindow(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	config := hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, Timeout: -1, RequestVolumeThreshold: 4,
		Trip: hystrix.TripConfig{SlowCallMs: 100, SlowCallPercent: 50},
	}
	require.NoError(t, reg.TryConfigureCommand("c", config))
	c, _, _ := reg.GetCircuit("c")
	for range 3 {
		require.NoError(t, reg.Do("c", slowBy(clk, 200*time.Millisecond, nil), nil))
	}
	// A config file reloaded with nothing changed for this command, as a
	// reload applies every command, must not forget the slow calls seen.
	require.NoError(t, reg.TryConfigureCommand("c", config))
	pct, ok := c.SlowCallPercent()
	require.True(t, ok)
	assert.InDelta(t, 100, pct, 0.01, "the window survives")
	require.NoError(t, reg.Do("c", slowBy(clk, 200*time.Millisecond, nil), nil))
	assert.Equal(t, hystrix.StateOpen, c.State(), "the fourth slow call reaches the volume")
}
