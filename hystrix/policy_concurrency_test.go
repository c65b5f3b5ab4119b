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
)

// Concurrent callers at the transitions of the policies beyond hystrix's
// own: each transition happens once, and no policy admits more than it
// says, however many goroutines arrive at the same instant.

// finishAll finishes every held call at once with err.
func finishAll(hs []*held, err error) {
	var wg sync.WaitGroup
	for _, h := range hs {
		wg.Add(1)
		go func() { defer wg.Done(); _ = h.finish(err) }()
	}
	wg.Wait()
}

// holdingCall is a run function that counts itself and waits for release.
func holdingCall(ran *atomic.Int32, release <-chan struct{}) func() error {
	return func() error {
		ran.Add(1)
		<-release
		return nil
	}
}

func TestConcurrentCallersAtHalfOpenGetExactlyTheProbesAllowed(t *testing.T) {
	t.Parallel()
	var rec hystrixtest.Recorder
	reg, clk := hystrixtest.NewRegistry(t, hystrix.WithStateListener(rec.Record))
	require.NoError(t, reg.TryConfigureCommand("c", probesConfig(5, 5)))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	clk.Add(time.Second)

	release := make(chan struct{})
	var ran, refused atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		hammer(50, func() {
			if err := reg.Do("c", holdingCall(&ran, release), nil); err == hystrix.ErrCircuitOpen {
				refused.Add(1)
			}
		})
	}()
	require.Eventually(t, func() bool { return ran.Load() == 5 && refused.Load() == 45 }, 5*time.Second, time.Millisecond)
	close(release)
	<-done
	assert.Equal(t, int32(5), ran.Load(), "five probes")
	assert.Equal(t, hystrix.StateClosed, c.State())
	assert.Equal(t, []hystrix.State{hystrix.StateOpen, hystrix.StateHalfOpen, hystrix.StateClosed}, rec.States(),
		"five successes finishing at once close the circuit once")
}

func TestConcurrentProbeVerdictsWithSeveralProbesMoveTheCircuitOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		result error
		want   hystrix.State
	}{
		{"successes", nil, hystrix.StateClosed},
		{"failures", errBoom, hystrix.StateOpen},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var rec hystrixtest.Recorder
			reg, clk := hystrixtest.NewRegistry(t, hystrix.WithStateListener(rec.Record))
			// Ten probes, of which five successes close it and six
			// failures make that impossible.
			require.NoError(t, reg.TryConfigureCommand("c", probesConfig(10, 5)))
			_ = reg.Do("c", fail, nil)
			clk.Add(time.Second)
			var hs []*held
			for range 10 {
				hs = append(hs, hold(reg, "c"))
			}
			finishAll(hs, tc.result)
			assert.Equal(t, []hystrix.State{hystrix.StateOpen, hystrix.StateHalfOpen, tc.want}, rec.States())
		})
	}
}

func TestConcurrentFailingProbesLengthenTheBackoffOnce(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	config := probesConfig(10, 10)
	config.Recovery.Backoff = &hystrix.BackoffConfig{Multiplier: 2, MaxMs: 60_000}
	require.NoError(t, reg.TryConfigureCommand("c", config))
	c, _, _ := reg.GetCircuit("c")
	_ = reg.Do("c", fail, nil)
	clk.Add(time.Second)
	var hs []*held
	for range 10 {
		hs = append(hs, hold(reg, "c"))
	}
	finishAll(hs, errBoom) // ten failures at once: one reopening
	require.Equal(t, hystrix.StateOpen, c.State())
	clk.Add(2*time.Second - time.Millisecond)
	assert.Equal(t, hystrix.StateOpen, c.State(), "open for twice the base, not 2^10 times")
	clk.Add(time.Millisecond)
	assert.Equal(t, hystrix.StateHalfOpen, c.State(), "and not longer")
}

func TestConcurrentSlowCallsOpenOnce(t *testing.T) {
	t.Parallel()
	var rec hystrixtest.Recorder
	reg, clk := hystrixtest.NewRegistry(t, hystrix.WithStateListener(rec.Record))
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation:              hystrix.CallerIsolation,
		Timeout:                -1,
		MaxConcurrentRequests:  -1,
		RequestVolumeThreshold: 10,
		Trip:                   hystrix.TripConfig{SlowCallMs: 100, SlowCallPercent: 50},
	}))
	// Forty calls held across 200 ms of the manual clock, all slow, end
	// at once.
	var hs []*held
	for range 40 {
		hs = append(hs, hold(reg, "c"))
	}
	clk.Add(200 * time.Millisecond)
	finishAll(hs, nil)
	assert.Equal(t, []hystrix.State{hystrix.StateOpen}, rec.States())
}

func TestConcurrentCallersNeverExceedTheAdaptiveLimit(t *testing.T) {
	t.Parallel()
	for _, adaptive := range []string{"aimd", "gradient"} {
		t.Run(adaptive, func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
				Isolation:              hystrix.CallerIsolation,
				Timeout:                -1,
				RequestVolumeThreshold: 1 << 30,
				Concurrency:            hystrix.ConcurrencyConfig{Adaptive: adaptive, Min: 2, Initial: 8, Max: 100},
			}))
			release := make(chan struct{})
			var ran, refused atomic.Int32
			done := make(chan struct{})
			go func() {
				defer close(done)
				hammer(60, func() {
					if err := reg.Do("c", holdingCall(&ran, release), nil); err == hystrix.ErrMaxConcurrency {
						refused.Add(1)
					}
				})
			}()
			require.Eventually(t, func() bool { return ran.Load()+refused.Load() == 60 }, 5*time.Second, time.Millisecond)
			close(release)
			<-done
			assert.Equal(t, int32(8), ran.Load(), "the initial limit, exactly")
			assert.Equal(t, int32(52), refused.Load())
		})
	}
}

func TestConcurrentCallersOfAThrottleAreRefusedInProportion(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation:             hystrix.CallerIsolation,
		Timeout:               -1,
		MaxConcurrentRequests: -1,
		Trip:                  hystrix.TripConfig{AdaptiveK: 2},
	}))
	// A dependency that always fails: after a warm-up the throttle
	// refuses nearly every call, from however many goroutines.
	for range 200 {
		_ = reg.Do("c", fail, nil)
	}
	var ran, refused atomic.Int32
	hammer(400, func() {
		if err := reg.Do("c", func() error { ran.Add(1); return errBoom }, nil); err == hystrix.ErrCircuitOpen {
			refused.Add(1)
		}
	})
	assert.Equal(t, int32(400), ran.Load()+refused.Load())
	assert.Greater(t, refused.Load(), int32(300), "most calls refused")
	c, _, _ := reg.GetCircuit("c")
	assert.Equal(t, hystrix.StateClosed, c.State(), "a throttle refuses calls one by one and never opens")
}
