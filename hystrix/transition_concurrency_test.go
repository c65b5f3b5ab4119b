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

// hammer runs n goroutines that each call f once, all released at once,
// and waits for them.
func hammer(n int, f func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f()
		}()
	}
	close(start)
	wg.Wait()
}

func TestConcurrentCallersAtHalfOpenGetOneProbe(t *testing.T) {
	t.Parallel()
	for _, iso := range []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation} {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			reg, clk := hystrixtest.NewRegistry(t)
			config := firstFailureOpens()
			config.Isolation = iso
			require.NoError(t, reg.TryConfigureCommand("c", config))
			c, _, _ := reg.GetCircuit("c")
			_ = reg.Do("c", fail, nil)
			clk.Add(5 * time.Second)
			release := make(chan struct{})
			var ran, refused atomic.Int32
			done := make(chan struct{})
			go func() {
				defer close(done)
				hammer(50, func() {
					err := reg.Do("c", func() error { ran.Add(1); <-release; return nil }, nil)
					if err == hystrix.ErrCircuitOpen {
						refused.Add(1)
					}
				})
			}()
			require.Eventually(t, func() bool { return ran.Load()+refused.Load() == 50 || refused.Load() == 49 }, 5*time.Second, time.Millisecond)
			close(release)
			<-done
			assert.Equal(t, int32(1), ran.Load(), "one probe")
			assert.Equal(t, int32(49), refused.Load())
			assert.Equal(t, hystrix.StateClosed, c.State())
			hammer(50, func() { assert.NoError(t, reg.Do("c", pass, nil)) })
		})
	}
}

func TestConcurrentCallersOfARampAtOneInstantGetOneToken(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("ramp", rampConfig))
	_ = reg.Do("ramp", fail, nil)
	_ = reg.Do("ramp", fail, nil)
	clk.Add(time.Second)
	var ran atomic.Int32
	hammer(50, func() { _ = reg.Do("ramp", func() error { ran.Add(1); return nil }, nil) })
	assert.Equal(t, int32(1), ran.Load())
	clk.Add(time.Second)
	hammer(50, func() { _ = reg.Do("ramp", func() error { ran.Add(1); return nil }, nil) })
	assert.Equal(t, int32(2), ran.Load(), "one more a second later")
}

func TestConcurrentProbeFailuresReopenOnce(t *testing.T) {
	t.Parallel()
	var rec hystrixtest.Recorder
	reg, clk := hystrixtest.NewRegistry(t, hystrix.WithStateListener(rec.Record))
	config := rampConfig
	config.MaxConcurrentRequests = -1
	config.Recovery.Ramp = &hystrix.RampConfig{StartPerMinute: 60_000, StageMs: 10_000} // a token a millisecond
	require.NoError(t, reg.TryConfigureCommand("ramp", config))
	_ = reg.Do("ramp", fail, nil)
	_ = reg.Do("ramp", fail, nil)
	clk.Add(time.Second)
	// Twenty probes admitted a millisecond apart, all held, then all fail
	// at once.
	var probes []*held
	for range 20 {
		probes = append(probes, hold(reg, "ramp"))
		clk.Add(time.Millisecond)
	}
	var wg sync.WaitGroup
	for _, p := range probes {
		wg.Add(1)
		go func() { defer wg.Done(); _ = p.finish(errBoom) }()
	}
	wg.Wait()
	assert.Equal(t, []hystrix.State{hystrix.StateOpen, hystrix.StateHalfOpen, hystrix.StateOpen}, rec.States())
}
