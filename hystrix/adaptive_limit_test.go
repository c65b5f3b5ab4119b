package hystrix_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

func TestAIMDLimitShrinksOnTimeoutsAndIsOnTheStream(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, Timeout: 100, RequestVolumeThreshold: 1 << 30,
		Concurrency: hystrix.ConcurrencyConfig{Adaptive: "aimd", Min: 2, Initial: 10, Max: 50},
	}))
	c, _, _ := reg.GetCircuit("c")
	assert.Equal(t, 10, c.ConcurrencyLimit())
	slow := func(ctx context.Context) error { clk.Add(100 * time.Millisecond); return ctx.Err() }
	for range 3 {
		require.ErrorIs(t, reg.DoC(context.Background(), "c", slow, nil), hystrix.ErrTimeout)
	}
	assert.Equal(t, 7, c.ConcurrencyLimit(), "10 -> 9 -> 8 -> 7: each timeout takes a tenth, rounded down")
	round := string(reg.AppendStreamEvents(nil))
	assert.Contains(t, round, `"currentCorePoolSize":7`)
	for range 50 {
		_ = reg.DoC(context.Background(), "c", slow, nil)
	}
	assert.Equal(t, 2, c.ConcurrencyLimit(), "never below Min")
}

func TestAdaptiveLimitRefusesAboveTheCurrentLimit(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, Timeout: -1,
		Concurrency: hystrix.ConcurrencyConfig{Adaptive: "gradient", Min: 1, Initial: 2, Max: 10},
	}))
	a, b := hold(reg, "c"), hold(reg, "c")
	assert.ErrorIs(t, reg.Do("c", pass, nil), hystrix.ErrMaxConcurrency, "two in flight: the limit")
	require.NoError(t, a.finish(nil))
	require.NoError(t, b.finish(nil))
	c, _, _ := reg.GetCircuit("c")
	assert.GreaterOrEqual(t, c.ConcurrencyLimit(), 1)
}

func TestAdaptiveLimitConfigIsChecked(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	for field, cc := range map[string]hystrix.ConcurrencyConfig{
		"Concurrency.Adaptive": {Adaptive: "vegas"},
		"Concurrency.Min":      {Adaptive: "aimd", Min: 20, Max: 10},
		"Concurrency.Initial":  {Adaptive: "aimd", Initial: 100, Max: 10},
	} {
		var ce *hystrix.ConfigError
		require.ErrorAs(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Concurrency: cc}), &ce, field)
		assert.Equal(t, field, ce.Field)
	}
}
