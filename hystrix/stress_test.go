package hystrix_test

import (
	"context"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// TestStressMixedTrafficWhileReconfiguring hammers one command with every
// kind of outcome from many goroutines while its settings change under it
// and a stream publishes, then checks that every call was counted once and
// every ticket came back. Bounded: a few thousand calls, short timeouts.
func TestStressMixedTrafficWhileReconfiguring(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{Timeout: 5, MaxConcurrentRequests: 8, RequestVolumeThreshold: 20, SleepWindow: 20})
	counter := exclusiveCounterFor(name)

	stream := hystrix.NewStreamHandler()
	stream.Start()
	defer stream.Stop()

	stop := make(chan struct{})
	var reconfig sync.WaitGroup
	reconfig.Add(1)
	go func() {
		defer reconfig.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			iso := hystrix.GoroutineIsolation
			if i%2 == 1 {
				iso = hystrix.CallerIsolation
			}
			hystrix.ConfigureCommand(name, hystrix.CommandConfig{Timeout: 5, MaxConcurrentRequests: 4 + i%8,
				RequestVolumeThreshold: 20, SleepWindow: 10 + i%30, Isolation: iso})
			_ = hystrix.AppendStreamEvents(nil)
		}
	}()

	const workers, calls = 16, 150
	var total atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for i := 0; i < calls; i++ {
				kind := rng.Intn(6)
				ctx, cancel := context.WithCancel(context.Background())
				if kind == 5 {
					cancel()
				}
				_ = hystrix.DoC(ctx, name, func(ctx context.Context) error {
					switch kind {
					case 1:
						return errBoom
					case 2:
						panic("stress")
					case 3:
						select { // outlives the timeout unless cancelled
						case <-ctx.Done():
						case <-time.After(10 * time.Millisecond):
						}
						return ctx.Err()
					}
					return nil
				}, func(context.Context, error) error {
					if kind == 4 {
						return errBoom
					}
					return nil
				})
				cancel()
				total.Add(1)
			}
		}(int64(w))
	}
	wg.Wait()
	close(stop)
	reconfig.Wait()
	waitIdle(t, name)

	assert.Equal(t, int(total.Load()), counter.updates, "every call reached the collector once")
	assert.False(t, counter.overlapped.Load())
}
