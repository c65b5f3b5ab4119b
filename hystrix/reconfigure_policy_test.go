package hystrix_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

func TestConfigureRejudgesAConsecutiveFailuresOpeningOnTheRunThatOpenedIt(t *testing.T) {
	t.Parallel()
	open := func(t *testing.T) (*hystrix.Registry, *hystrix.CircuitBreaker) {
		reg, _ := hystrixtest.NewRegistry(t)
		require.NoError(t, reg.TryConfigureCommand("c", consecutive(2, hystrix.CallerIsolation)))
		c, _, _ := reg.GetCircuit("c")
		for range 3 {
			_ = reg.Do("c", fail, nil)
		}
		require.Equal(t, hystrix.StateOpen, c.State())
		return reg, c
	}
	t.Run("a higher threshold closes it", func(t *testing.T) {
		t.Parallel()
		reg, c := open(t)
		require.NoError(t, reg.TryConfigureCommand("c", consecutive(5, hystrix.CallerIsolation)))
		assert.Equal(t, hystrix.StateClosed, c.State(), "three in a row would not have opened it")
		for range 2 {
			_ = reg.Do("c", fail, nil)
		}
		assert.Equal(t, hystrix.StateClosed, c.State(), "the run goes on from three: five tolerated")
		_ = reg.Do("c", fail, nil)
		assert.Equal(t, hystrix.StateOpen, c.State(), "the sixth in a row opens it")
	})
	t.Run("a lower threshold keeps it open", func(t *testing.T) {
		t.Parallel()
		reg, c := open(t)
		require.NoError(t, reg.TryConfigureCommand("c", consecutive(1, hystrix.CallerIsolation)))
		assert.Equal(t, hystrix.StateOpen, c.State())
	})
}

func TestConfigureWithANewOpenerJudgesTheLiveWindow(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, RequestVolumeThreshold: 100}))
	c, _, _ := reg.GetCircuit("c")
	for range 10 {
		_ = reg.Do("c", fail, nil)
	}
	require.Equal(t, hystrix.StateClosed, c.State(), "below the volume")
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, RequestVolumeThreshold: 11}))
	assert.Equal(t, hystrix.StateClosed, c.State())
	require.NoError(t, reg.Do("c", pass, nil))
	assert.Equal(t, hystrix.StateOpen, c.State(), "a success that lifts the volume over the new threshold opens it")
}

func TestConfigureMovesTheEndOfAnOpeningWithTheNewSleepWindow(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	config := firstFailureOpens()
	require.NoError(t, reg.TryConfigureCommand("c", config))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	clk.Add(time.Second)
	config.SleepWindow = 2000
	require.NoError(t, reg.TryConfigureCommand("c", config))
	clk.Add(999 * time.Millisecond)
	assert.Equal(t, hystrix.StateOpen, c.State())
	clk.Add(time.Millisecond)
	assert.Equal(t, hystrix.StateHalfOpen, c.State(), "two seconds after it opened")
}
