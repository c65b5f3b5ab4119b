package hystrix_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

func TestAdaptiveThrottleRefusesInProportionAndNeverOpens(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	// A draw of 0.5 each time: a call is refused once the probability of
	// refusal is above a half.
	half := func() float64 { return 0.5 }
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, Timeout: -1,
		Trip: hystrix.TripConfig{Policy: policy.AdaptiveThrottle{K: 2, Rand: half}},
	}))
	c, _, _ := reg.GetCircuit("c")
	for range 10 {
		require.NoError(t, reg.Do("c", pass, nil))
	}
	// 10 accepted of 10 requests: nothing refused. Failures raise the
	// requests r but not the accepts, and refusals begin once
	// (r - 2*10) / (r + 1) > 0.5, that is at r = 42.
	refusedAt := -1
	for i := 0; i < 100; i++ {
		if err := reg.Do("c", fail, nil); err == hystrix.ErrCircuitOpen {
			refusedAt = 10 + i
			break
		}
	}
	assert.Equal(t, 42, refusedAt, "the first refusal comes when (requests - 2 accepts) / (requests + 1) exceeds the draw")
	assert.Equal(t, hystrix.StateClosed, c.State(), "a throttle has no open state")
	pct, ok := c.ThrottlePercent()
	require.True(t, ok)
	assert.InDelta(t, 100*23.0/44, pct, 0.01, "(43 - 20) / 44: the refused call is a request too, as in the SRE book")
	assert.Contains(t, string(reg.AppendStreamEvents(nil)), `"throttlePercentage":52.27`)
	assert.Equal(t, int64(1), c.Counts(clk.Now()).ShortCircuits, "a refusal is a short-circuit")
	clk.Add(11 * time.Second)
	assert.NoError(t, reg.Do("c", pass, nil), "the window forgot: nothing refused")
}

func TestAdaptiveThrottleFromJSONRefusesMostCallsToADeadDependency(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, Timeout: -1, Trip: hystrix.TripConfig{AdaptiveK: 1.5},
	}))
	var refused, ran atomic.Int32
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				if reg.Do("c", func() error { ran.Add(1); return errBoom }, nil) == hystrix.ErrCircuitOpen {
					refused.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	assert.Greater(t, refused.Load(), int32(1500), "with no accepts the probability of refusal nears 1")
	assert.Equal(t, int32(2000), refused.Load()+ran.Load())
	var ce *hystrix.ConfigError
	require.ErrorAs(t, reg.TryConfigureCommand("d", hystrix.CommandConfig{Trip: hystrix.TripConfig{AdaptiveK: 1}}), &ce)
	assert.Equal(t, "Trip.AdaptiveK", ce.Field)
}
