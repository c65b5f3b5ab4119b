package hystrix_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

func consecutive(n int, iso hystrix.Isolation) hystrix.CommandConfig {
	return hystrix.CommandConfig{
		Timeout:               -1,
		Isolation:             iso,
		MaxConcurrentRequests: -1,
		SleepWindow:           5000,
		Trip:                  hystrix.TripConfig{ConsecutiveFailures: n},
	}
}

func TestConsecutiveFailuresOpenOnTheFailureThatExceedsTheThreshold(t *testing.T) {
	t.Parallel()
	for _, iso := range []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation} {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			require.NoError(t, reg.TryConfigureCommand("c", consecutive(3, iso)))
			c, _, _ := reg.GetCircuit("c")
			for i := range 3 {
				require.Equal(t, errBoom, reg.Do("c", fail, nil), "failure %d", i+1)
				require.Equal(t, hystrix.StateClosed, c.State(), "three failures are tolerated")
			}
			require.Equal(t, errBoom, reg.Do("c", fail, nil))
			assert.Equal(t, hystrix.StateOpen, c.State(), "the fourth opens it")
			ran := false
			assert.ErrorIs(t, reg.Do("c", func() error { ran = true; return nil }, nil), hystrix.ErrCircuitOpen)
			assert.False(t, ran)
		})
	}
}

func TestConsecutiveFailuresAreResetBySuccessButNotByBadRequestsOrCancellation(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", consecutive(2, hystrix.CallerIsolation)))
	c, _, _ := reg.GetCircuit("c")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	steps := []struct {
		run  func() error
		ctx  context.Context
		want hystrix.State
	}{
		{fail, nil, hystrix.StateClosed},
		{fail, nil, hystrix.StateClosed},
		{pass, nil, hystrix.StateClosed}, // resets
		{fail, nil, hystrix.StateClosed},
		{func() error { return hystrix.BadRequest(errBoom) }, nil, hystrix.StateClosed}, // neither adds nor resets
		{fail, ctx, hystrix.StateClosed},                                                // the caller's cancellation does not count
		{fail, nil, hystrix.StateClosed},
		{fail, nil, hystrix.StateOpen}, // the third in a row
	}
	for i, st := range steps {
		run := st.run
		if st.ctx != nil {
			_ = reg.DoC(st.ctx, "c", func(context.Context) error { return run() }, nil)
		} else {
			_ = reg.Do("c", run, nil)
		}
		require.Equal(t, st.want, c.State(), "step %d", i)
	}
}

func TestConsecutiveFailuresCountTimeoutsRejectionsAndPanics(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	config := consecutive(2, hystrix.CallerIsolation)
	config.Timeout = 10
	config.MaxConcurrentRequests = 1
	require.NoError(t, reg.TryConfigureCommand("c", config))
	c, _, _ := reg.GetCircuit("c")

	// A timeout: the manual clock passes the timeout while the run waits.
	clkTimeout := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	started := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- reg.DoC(context.Background(), "c", func(ctx context.Context) error { close(started); return clkTimeout(ctx) }, nil)
	}()
	<-started
	// While it runs, a second call is rejected by the concurrency limit.
	assert.ErrorIs(t, reg.Do("c", pass, nil), hystrix.ErrMaxConcurrency)
	assert.Equal(t, hystrix.StateClosed, c.State())
	clock(t, reg).Add(10 * time.Millisecond)
	assert.ErrorIs(t, <-done, hystrix.ErrTimeout)
	assert.Equal(t, hystrix.StateClosed, c.State(), "a rejection and a timeout: two")
	var pe *hystrix.PanicError
	assert.ErrorAs(t, reg.Do("c", func() error { panic("boom") }, nil), &pe)
	assert.Equal(t, hystrix.StateOpen, c.State(), "a panic is the third failure")
}

func TestConcurrentFailuresOpenTheCircuitOnce(t *testing.T) {
	t.Parallel()
	var rec hystrixtest.Recorder
	reg, _ := hystrixtest.NewRegistry(t, hystrix.WithStateListener(rec.Record))
	require.NoError(t, reg.TryConfigureCommand("c", consecutive(5, hystrix.CallerIsolation)))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_ = reg.Do("c", fail, nil)
		}()
	}
	close(start)
	wg.Wait()
	assert.Equal(t, []hystrix.State{hystrix.StateOpen}, rec.States(), "one opening, whoever crossed the threshold")
	ch := rec.Changes()[0]
	assert.Equal(t, hystrix.StateClosed, ch.From)
	assert.GreaterOrEqual(t, ch.Counts.ConsecutiveFailures, int64(6))
}

func TestConsecutiveFailuresAfterRecoveryStartFromZero(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", consecutive(1, hystrix.CallerIsolation)))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	_ = reg.Do("c", fail, nil)
	require.Equal(t, hystrix.StateOpen, c.State())
	clk.Add(5 * time.Second)
	require.Equal(t, hystrix.StateHalfOpen, c.State())
	require.NoError(t, reg.Do("c", pass, nil))
	require.Equal(t, hystrix.StateClosed, c.State())
	_ = reg.Do("c", fail, nil)
	assert.Equal(t, hystrix.StateClosed, c.State(), "one failure is tolerated again")
}

// clock returns the manual clock of a registry made by hystrixtest.
func clock(t *testing.T, reg *hystrix.Registry) *hystrixtest.Clock {
	t.Helper()
	k, ok := reg.Clock().(*hystrixtest.Clock)
	require.True(t, ok)
	return k
}

func TestStreamSaysWhatOpensAConsecutiveFailuresCircuit(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", consecutive(3, hystrix.CallerIsolation)))
	require.NoError(t, reg.TryConfigureCommand("d", hystrix.CommandConfig{}))
	_ = reg.Do("c", pass, nil)
	_ = reg.Do("d", pass, nil)
	round := string(reg.AppendStreamEvents(nil))
	assert.Contains(t, round, `"propertyValue_circuitBreakerConsecutiveFailures":3`)
	assert.Contains(t, round, `"propertyValue_circuitBreakerErrorThresholdPercentage":0`, "the percentage does not open it")
	assert.Contains(t, round, `"propertyValue_circuitBreakerErrorThresholdPercentage":50`, "it does open the other")
	assert.Equal(t, 1, strings.Count(round, "ConsecutiveFailures"))
}
