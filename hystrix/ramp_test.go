package hystrix_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// rampConfig opens on the second failure in a row, stays open a second,
// then ramps from 60 a minute (one a second), doubling every ten seconds.
var rampConfig = hystrix.CommandConfig{
	Timeout:     -1,
	Isolation:   hystrix.CallerIsolation,
	SleepWindow: 1000,
	Trip:        hystrix.TripConfig{ConsecutiveFailures: 1},
	Recovery:    hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StartPerMinute: 60, Factor: 2, StageMs: 10_000}},
}

func pass() error { return nil }
func fail() error { return errBoom }

// openRamp returns a ramping command whose circuit has just turned
// half-open.
func openRamp(t *testing.T) (*hystrix.Registry, *hystrixtest.Clock, string, *hystrix.CircuitBreaker) {
	t.Helper()
	reg, clk := hystrixtest.NewRegistry(t)
	const name = "ramp"
	require.NoError(t, reg.TryConfigureCommand(name, rampConfig))
	c, _, _ := reg.GetCircuit(name)
	require.Equal(t, errBoom, reg.Do(name, fail, nil))
	require.Equal(t, errBoom, reg.Do(name, fail, nil))
	require.Equal(t, hystrix.StateOpen, c.State())
	clk.Add(time.Second)
	require.Equal(t, hystrix.StateHalfOpen, c.State())
	return reg, clk, name, c
}

func TestRampAdmitsAtTheStartRateSpreadEvenly(t *testing.T) {
	t.Parallel()
	reg, clk, name, c := openRamp(t)
	rate, ok := c.AdmittedPerMinute()
	require.True(t, ok)
	assert.Equal(t, 60.0, rate)
	assert.NoError(t, reg.Do(name, pass, nil), "the bucket starts with one token")
	assert.ErrorIs(t, reg.Do(name, pass, nil), hystrix.ErrCircuitOpen, "the next comes a second later")
	clk.Add(999 * time.Millisecond)
	assert.ErrorIs(t, reg.Do(name, pass, nil), hystrix.ErrCircuitOpen)
	clk.Add(time.Millisecond)
	assert.NoError(t, reg.Do(name, pass, nil))
	assert.Equal(t, hystrix.StateHalfOpen, c.State())
}

func TestRampDoublesAfterAStageThatWentWellAndClosesWhenNothingIsRefused(t *testing.T) {
	t.Parallel()
	reg, clk, name, c := openRamp(t)
	// Stage 1: a call every half second, twice the rate: half refused.
	admitted := 0
	for range 20 {
		if reg.Do(name, pass, nil) == nil {
			admitted++
		}
		clk.Add(500 * time.Millisecond)
	}
	assert.Equal(t, 10, admitted, "60 a minute over ten seconds")
	rate, ok := c.AdmittedPerMinute()
	require.True(t, ok, "refusals keep it ramping")
	assert.Equal(t, 120.0, rate, "all admitted calls succeeded: the rate doubles")
	// Stage 2: the same traffic now fits.
	for range 20 {
		require.NoError(t, reg.Do(name, pass, nil))
		clk.Add(500 * time.Millisecond)
	}
	assert.Equal(t, hystrix.StateClosed, c.State(), "a stage with no refusal and no failure closes it")
	_, ok = c.AdmittedPerMinute()
	assert.False(t, ok)
}

func TestRampFailureReopensAndStartsOver(t *testing.T) {
	t.Parallel()
	reg, clk, name, c := openRamp(t)
	for range 20 {
		_ = reg.Do(name, pass, nil)
		clk.Add(500 * time.Millisecond)
	}
	rate, _ := c.AdmittedPerMinute()
	require.Equal(t, 120.0, rate)
	require.Equal(t, errBoom, reg.Do(name, fail, nil))
	assert.Equal(t, hystrix.StateOpen, c.State(), "any failure opens it again")
	clk.Add(time.Second)
	require.Equal(t, hystrix.StateHalfOpen, c.State())
	rate, _ = c.AdmittedPerMinute()
	assert.Equal(t, 60.0, rate, "the ramp starts over")
}

func TestRampStageWithRefusalsButNoSuccessKeepsTheRate(t *testing.T) {
	t.Parallel()
	reg, clk, name, c := openRamp(t)
	// The stage's one admitted call is still running at its end: a refusal
	// but no success, so nothing went well and nothing went wrong.
	long := hold(reg, name)
	require.ErrorIs(t, reg.Do(name, pass, nil), hystrix.ErrCircuitOpen)
	clk.Add(10 * time.Second)
	rate, ok := c.AdmittedPerMinute()
	require.True(t, ok)
	assert.Equal(t, 60.0, rate)
	require.NoError(t, long.finish(nil))
}

func TestRampBadRequestGivesItsTokenBack(t *testing.T) {
	t.Parallel()
	reg, _, name, c := openRamp(t)
	require.ErrorIs(t, reg.Do(name, func() error { return hystrix.BadRequest(errBoom) }, nil), errBoom)
	assert.NoError(t, reg.Do(name, pass, nil), "the bad request tried nothing: the token went back")
	assert.ErrorIs(t, reg.Do(name, pass, nil), hystrix.ErrCircuitOpen)
	assert.Equal(t, hystrix.StateHalfOpen, c.State())
}

func TestRampStreamShowsTheAdmittedRate(t *testing.T) {
	t.Parallel()
	reg, _, _, _ := openRamp(t)
	round := string(reg.AppendStreamEvents(nil))
	assert.Contains(t, round, `"admittedPerMinute":60`)
	assert.Contains(t, round, `"circuitState":"half-open"`)
}
