package hystrix

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errDown = errors.New("dependency down")

func fail() error    { return errDown }
func succeed() error { return nil }

// tripCircuit configures name in r with a volume threshold of 10 and opens
// its circuit with ten failures.
func tripCircuit(t *testing.T, r *Registry, name string, sleepWindow int) *CircuitBreaker {
	t.Helper()
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: sleepWindow, Isolation: CallerIsolation, Timeout: -1,
	}))
	for i := 0; i < 10; i++ {
		require.ErrorIs(t, r.Do(name, fail, nil), errDown)
	}
	c, _, _ := r.GetCircuit(name)
	require.Equal(t, StateOpen, c.State())
	return c
}

func TestCircuitOpensAtErrorThresholdWithEnoughVolume(t *testing.T) {
	t.Parallel()
	r, _ := newTestRegistry(t)
	name := uniqueName(t)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{RequestVolumeThreshold: 20, ErrorPercentThreshold: 50}))
	c, _, _ := r.GetCircuit(name)
	for i := 0; i < 10; i++ {
		require.NoError(t, r.Do(name, succeed, nil))
	}
	for i := 0; i < 9; i++ {
		require.ErrorIs(t, r.Do(name, fail, nil), errDown)
	}
	assert.Equal(t, StateClosed, c.State(), "19 executions are under the volume threshold")
	require.ErrorIs(t, r.Do(name, fail, nil), errDown)
	assert.Equal(t, StateOpen, c.State(), "20 executions at 50% errors open the circuit")
}

func TestCircuitStaysClosedBelowErrorThreshold(t *testing.T) {
	t.Parallel()
	r, _ := newTestRegistry(t)
	name := uniqueName(t)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{RequestVolumeThreshold: 10, ErrorPercentThreshold: 50}))
	for i := 0; i < 60; i++ {
		run := succeed
		if i%3 == 0 {
			run = fail
		}
		_ = r.Do(name, run, nil)
	}
	c, _, _ := r.GetCircuit(name)
	assert.Equal(t, StateClosed, c.State())
}

func TestOpenCircuitShortCircuitsWithoutRunning(t *testing.T) {
	t.Parallel()
	r, _ := newTestRegistry(t)
	name := uniqueName(t)
	tripCircuit(t, r, name, 1000)
	ran := false
	var got error
	err := r.Do(name, func() error { ran = true; return nil }, func(err error) error { got = err; return nil })
	require.NoError(t, err)
	assert.False(t, ran)
	assert.Equal(t, ErrCircuitOpen, got)
	assert.Equal(t, ErrCircuitOpen, r.Do(name, succeed, nil))
}

func TestErrorsOutsideTheWindowAreForgotten(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{RequestVolumeThreshold: 10}))
	for i := 0; i < 9; i++ {
		_ = r.Do(name, fail, nil)
	}
	clk.Add(11 * time.Second)
	for i := 0; i < 9; i++ {
		_ = r.Do(name, fail, nil)
	}
	c, _, _ := r.GetCircuit(name)
	assert.Equal(t, StateClosed, c.State(), "no ten-second window held ten executions")
}

func TestSleepWindowThenProbeSuccessClosesCircuit(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	c := tripCircuit(t, r, name, 1000)

	clk.Add(999 * time.Millisecond)
	assert.Equal(t, ErrCircuitOpen, r.Do(name, succeed, nil), "still inside the sleep window")
	clk.Add(2 * time.Millisecond)
	require.NoError(t, r.Do(name, succeed, nil), "the probe runs")
	assert.Equal(t, StateClosed, c.State())
	assert.Zero(t, c.Metrics().Errors().Sum(unixTime(r.clock.now())), "closing clears the errors that opened it")
	require.ErrorIs(t, r.Do(name, fail, nil), errDown)
	assert.Equal(t, StateClosed, c.State(), "one failure after closing does not reopen it")
}

func TestProbeFailureKeepsCircuitOpenForAnotherWindow(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	c := tripCircuit(t, r, name, 1000)

	clk.Add(1001 * time.Millisecond)
	require.ErrorIs(t, r.Do(name, fail, nil), errDown, "the probe runs and fails")
	assert.Equal(t, StateOpen, c.State())
	clk.Add(500 * time.Millisecond)
	assert.Equal(t, ErrCircuitOpen, r.Do(name, succeed, nil), "a new window started at the failed probe")
	clk.Add(501 * time.Millisecond)
	require.NoError(t, r.Do(name, succeed, nil))
	assert.Equal(t, StateClosed, c.State())
}

func TestHalfOpenAdmitsExactlyOneProbe(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	c := tripCircuit(t, r, name, 1000)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: 1000, Timeout: -1, MaxConcurrentRequests: -1,
	}))
	clk.Add(2 * time.Second)

	const callers = 64
	var ran atomic.Int32
	release := make(chan struct{})
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, callers)
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			errs[i] = r.Do(name, func() error { ran.Add(1); <-release; return nil }, nil)
		}(i)
	}
	close(start)
	// All but the probe return at once with ErrCircuitOpen.
	require.Eventually(t, func() bool {
		return c.Metrics().ShortCircuits().Sum(unixTime(r.clock.now())) == callers-1
	}, 5*time.Second, time.Millisecond)
	close(release)
	wg.Wait()
	assert.Equal(t, int32(1), ran.Load())
	open := 0
	for _, err := range errs {
		if err == ErrCircuitOpen {
			open++
		}
	}
	assert.Equal(t, callers-1, open)
	assert.Equal(t, StateClosed, c.State())
}

func TestProbeEndedByCallerLetsNextCallProbe(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	c := tripCircuit(t, r, name, 1000)
	clk.Add(1001 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	err := r.DoC(ctx, name, func(ctx context.Context) error { cancel(); return ctx.Err() }, nil)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, StateHalfOpen, c.State(), "the probe's slot is free again")
	require.NoError(t, r.Do(name, succeed, nil), "the next call probes without waiting another window")
	assert.Equal(t, StateClosed, c.State())
}

func TestStuckProbeIsReplacedAfterItsTimeoutAndAnotherWindow(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	c, _, _ := r.GetCircuit(name)
	tripCircuit(t, r, name, 1000)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: 1000, Timeout: 3000, Isolation: CallerIsolation,
	}))
	clk.Add(1001 * time.Millisecond)
	require.True(t, c.AllowRequest(), "AllowRequest admits the probe")
	assert.Equal(t, StateHalfOpen, c.State())
	assert.False(t, c.AllowRequest(), "one probe at a time")
	clk.Add(2 * time.Second)
	assert.False(t, c.AllowRequest(), "a probe slower than the sleep window but within its timeout is waited for")
	clk.Add(2001 * time.Millisecond)
	assert.True(t, c.AllowRequest(), "a probe that outlived its timeout and a window is replaced")
}

func TestReportEventSuccessClosesOpenCircuit(t *testing.T) {
	t.Parallel()
	r, _ := newTestRegistry(t)
	name := uniqueName(t)
	c := tripCircuit(t, r, name, 1000)
	require.NoError(t, c.ReportEvent([]string{"success"}, unixTime(r.clock.now()), time.Millisecond))
	assert.Equal(t, StateClosed, c.State())
	assert.False(t, c.IsOpen())
}

func TestReportEventRejectsUnknownTypes(t *testing.T) {
	t.Parallel()
	r, _ := newTestRegistry(t)
	c, _, _ := r.GetCircuit(uniqueName(t))
	assert.Error(t, c.ReportEvent(nil, unixTime(r.clock.now()), 0))
	assert.Error(t, c.ReportEvent([]string{"bogus"}, unixTime(r.clock.now()), 0))
	assert.Error(t, c.ReportEvent([]string{"failure", "success"}, unixTime(r.clock.now()), 0))
	require.NoError(t, c.ReportEvent([]string{"failure", "fallback-success"}, unixTime(r.clock.now()), 0))
	at := unixTime(r.clock.now())
	assert.Equal(t, 1.0, c.Metrics().Failures().Sum(at))
	assert.Equal(t, 1.0, c.Metrics().FallbackSuccesses().Sum(at))
}

// Not parallel: it changes a package variable that every registry reads.
func TestOutOfRangeDefaultVariablesAreRefused(t *testing.T) {
	r, _ := newTestRegistry(t)
	old := DefaultErrorPercentThreshold
	DefaultErrorPercentThreshold = 150
	defer func() { DefaultErrorPercentThreshold = old }()
	err := r.TryConfigureCommand(uniqueName(t), CommandConfig{})
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "DefaultErrorPercentThreshold", ce.Field)
	require.NoError(t, r.TryConfigureCommand(uniqueName(t), CommandConfig{ErrorPercentThreshold: 40}),
		"a config that sets the field does not depend on the default")

	c, _, _ := r.GetCircuit(uniqueName(t))
	assert.Equal(t, 50, c.Settings().ErrorPercentThreshold, "a new circuit falls back to the built-in value")
}
