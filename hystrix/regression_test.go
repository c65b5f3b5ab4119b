package hystrix_test

// Each test here pins a flaw of afex/hystrix-go that this package fixes; the
// comment on each says what hystrix-go did instead.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// exclusiveCounter counts its updates and notes any two that overlap.
type exclusiveCounter struct {
	inUpdate   atomic.Int32
	overlapped atomic.Bool
	updates    int // guarded by the library's promise of exclusivity
	attempts   float64
}

func (c *exclusiveCounter) Update(r metricCollector.MetricResult) {
	if c.inUpdate.Add(1) != 1 {
		c.overlapped.Store(true)
	}
	c.updates++
	c.attempts += r.Attempts
	runtime.Gosched() // widen the window for an overlap to show
	c.inUpdate.Add(-1)
}

func (c *exclusiveCounter) Reset() {}

var exclusives perCommand[*exclusiveCounter]

func exclusiveCounterFor(name string) *exclusiveCounter {
	return exclusives.forCommand(name, &exclusiveCounter{})
}

// hystrix-go pushed each result through a channel of 2000 and dropped it
// when full, and updated collectors from a goroutine each.
func TestEveryExecutionReachesEveryCollectorExactlyOnce(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso, MaxConcurrentRequests: -1,
			RequestVolumeThreshold: 1 << 30})
		counter := exclusiveCounterFor(name)
		const workers, calls = 64, 100
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < calls; i++ {
					run := func() error { return nil }
					if (w+i)%2 == 0 {
						run = func() error { return errBoom }
					}
					_ = hystrix.Do(name, run, nil)
				}
			}(w)
		}
		wg.Wait()
		assert.Equal(t, workers*calls, counter.updates)
		assert.Equal(t, float64(workers*calls), counter.attempts)
		assert.False(t, counter.overlapped.Load(), "Update ran concurrently with itself")
		c, _, _ := hystrix.GetCircuit(name)
		assert.Equal(t, float64(workers*calls), c.Metrics().NumRequests().Sum(time.Now()))
	})
}

// hystrix-go judged health from metrics that a goroutine per circuit updated
// later, so calls kept running after the threshold was crossed.
func TestCircuitTripsOnTheFirstCallAfterTheThreshold(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso, RequestVolumeThreshold: 5, SleepWindow: 60000})
		for i := 0; i < 5; i++ {
			require.Equal(t, errBoom, hystrix.Do(name, func() error { return errBoom }, nil))
		}
		ran := false
		err := hystrix.Do(name, func() error { ran = true; return nil }, nil)
		assert.Equal(t, hystrix.ErrCircuitOpen, err)
		assert.False(t, ran)
	})
}

// hystrix-go crashed the whole process on a panic in run.
func TestPanicInRunBecomesAFailureHandedToTheFallback(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso})
		var got error
		err := hystrix.Do(name, func() error { panic("kaboom") }, func(err error) error { got = err; return nil })
		require.NoError(t, err)
		var pe *hystrix.PanicError
		require.ErrorAs(t, got, &pe)
		assert.Equal(t, "kaboom", pe.Value)
		assert.Equal(t, name, pe.Command)
		assert.Contains(t, pe.Error(), "kaboom")
		assert.NotEmpty(t, pe.Stack)

		err = hystrix.Do(name, func() error { panic(errBoom) }, nil)
		assert.ErrorIs(t, err, errBoom, "a panic with an error unwraps to it")

		c, _, _ := hystrix.GetCircuit(name)
		assert.Equal(t, 2.0, c.Metrics().Failures().Sum(time.Now()))
	})
}

func TestPanicInFallbackBecomesAFallbackFailure(t *testing.T) {
	err := hystrix.Do(hystrix.UniqueName(t), func() error { return errBoom }, func(error) error { panic("fallback broke") })
	var pe *hystrix.PanicError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, errBoom)
}

// hystrix-go returned the ticket at the timeout while the run went on, so a
// hung dependency piled up goroutines without bound.
func TestTimedOutRunKeepsItsTicketUntilItReturns(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{Timeout: 10, MaxConcurrentRequests: 2, RequestVolumeThreshold: 1000})
	release := make(chan struct{})
	var running atomic.Int32
	hung := func() error { running.Add(1); <-release; running.Add(-1); return nil }
	for i := 0; i < 2; i++ {
		assert.Equal(t, hystrix.ErrTimeout, hystrix.Do(name, hung, nil))
	}
	for i := 0; i < 20; i++ {
		assert.Equal(t, hystrix.ErrMaxConcurrency, hystrix.Do(name, hung, nil))
	}
	assert.Equal(t, int32(2), running.Load(), "never more runs in flight than the limit")
	c, _, _ := hystrix.GetCircuit(name)
	assert.Equal(t, 2, c.ActiveCount())
	close(release)
	waitIdle(t, name)
	assert.NoError(t, hystrix.Do(name, func() error { return nil }, nil))
}

func TestRunContextIsCancelledAtTheTimeout(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{Timeout: 10})
	stopped := make(chan error, 1)
	err := hystrix.DoC(context.Background(), name, func(ctx context.Context) error {
		<-ctx.Done()
		stopped <- ctx.Err()
		return ctx.Err()
	}, nil)
	assert.Equal(t, hystrix.ErrTimeout, err)
	select {
	case cause := <-stopped:
		assert.Equal(t, context.DeadlineExceeded, cause)
	case <-time.After(5 * time.Second):
		t.Fatal("the run's context was not cancelled at the timeout")
	}
	waitIdle(t, name)
}

func TestRunContextCarriesTheTimeoutAsDeadline(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{Timeout: 5000})
	var deadline time.Time
	var ok bool
	require.NoError(t, hystrix.DoC(context.Background(), name, func(ctx context.Context) error {
		deadline, ok = ctx.Deadline()
		return nil
	}, nil))
	require.True(t, ok)
	assert.WithinDuration(t, time.Now().Add(5*time.Second), deadline, time.Second)
}

// hystrix-go kept one goroutine per circuit running for ever, and Flush left
// them running.
func TestFlushStopsEveryBackgroundGoroutine(t *testing.T) {
	sh := hystrix.NewStreamHandler()
	sh.Start()
	for i := 0; i < 10; i++ {
		_ = hystrix.Do(fmt.Sprintf("%s-%d", hystrix.UniqueName(t), i), func() error { return nil }, nil)
	}
	hystrix.Flush()
	sh.Stop() // stopping again is harmless
	assertNoLibraryGoroutines(t)
}

func TestCircuitsRunNothingInTheBackground(t *testing.T) {
	for i := 0; i < 100; i++ {
		_ = hystrix.Do(fmt.Sprintf("%s-%d", hystrix.UniqueName(t), i), func() error { return nil }, nil)
	}
	assertNoLibraryGoroutines(t)
}

// assertNoLibraryGoroutines fails if any goroutine is running this module's
// code, Go's or Do's included.
func assertNoLibraryGoroutines(t *testing.T) {
	t.Helper()
	var stacks []byte
	ok := assert.Eventually(t, func() bool {
		buf := make([]byte, 1<<20)
		stacks = buf[:runtime.Stack(buf, true)]
		for _, g := range bytes.Split(stacks, []byte("\n\n")) {
			if bytes.Contains(g, []byte("gohystrix/hystrix-go/hystrix.")) &&
				!bytes.Contains(g, []byte("assertNoLibraryGoroutines")) &&
				!bytes.Contains(g, []byte("testing.tRunner")) {
				return false
			}
		}
		return true
	}, 5*time.Second, 5*time.Millisecond)
	if !ok {
		t.Logf("goroutines:\n%s", stacks)
	}
}

// hystrix-go counted an error that a run returned because its caller gave
// up as a failure of the dependency.
func TestCallersOwnCancellationDoesNotCountAgainstHealth(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso, RequestVolumeThreshold: 5})
		for i := 0; i < 20; i++ {
			ctx, cancel := context.WithCancel(context.Background())
			err := hystrix.DoC(ctx, name, func(ctx context.Context) error {
				cancel()
				// Clients wrap the context's error, as net/http does.
				return fmt.Errorf("GET /users: %w", ctx.Err())
			}, nil)
			assert.ErrorIs(t, err, context.Canceled)
		}
		c, _, _ := hystrix.GetCircuit(name)
		assert.Equal(t, hystrix.StateClosed, c.State())
		assert.Zero(t, c.Metrics().Errors().Sum(time.Now()))
		assert.Equal(t, 20.0, c.Metrics().ContextCanceled().Sum(time.Now()))
	})
}

// hystrix-go sized the executor pool once, when the circuit was made, so a
// later ConfigureCommand never changed its concurrency limit.
func TestConfigureCommandChangesTheLimitOfALiveCircuit(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{MaxConcurrentRequests: 1, Timeout: -1})
	occupy := func(n int) (release func()) {
		stop := make(chan struct{})
		started := make(chan struct{}, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = hystrix.Do(name, func() error { started <- struct{}{}; <-stop; return nil }, nil)
			}()
		}
		for i := 0; i < n; i++ {
			<-started
		}
		return func() { close(stop); wg.Wait() }
	}
	release := occupy(1)
	assert.Equal(t, hystrix.ErrMaxConcurrency, hystrix.Do(name, func() error { return nil }, nil))
	release()

	configure(t, name, hystrix.CommandConfig{MaxConcurrentRequests: 3, Timeout: -1})
	release = occupy(3)
	assert.Equal(t, hystrix.ErrMaxConcurrency, hystrix.Do(name, func() error { return nil }, nil))
	release()

	configure(t, name, hystrix.CommandConfig{MaxConcurrentRequests: -1, Timeout: -1})
	release = occupy(50)
	assert.NoError(t, hystrix.Do(name, func() error { return nil }, nil), "negative means unbounded")
	release()
}

func TestNegativeTimeoutMeansNone(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Timeout: -1, Isolation: iso})
		err := hystrix.DoC(context.Background(), name, func(ctx context.Context) error {
			_, has := ctx.Deadline()
			assert.False(t, has)
			time.Sleep(30 * time.Millisecond)
			return nil
		}, nil)
		assert.NoError(t, err)
	})
}

// hystrix-go's Timing.Mean did uint32(nanoseconds) and wrapped above 4.29 s.
func TestStreamAndMeanHandleLongDurations(t *testing.T) {
	c, _, _ := hystrix.GetCircuit(hystrix.UniqueName(t))
	require.NoError(t, c.ReportEvent([]string{"success"}, time.Now().Add(-6*time.Second), 6*time.Second))
	assert.Equal(t, uint32(6000), c.Metrics().RunDuration().Mean())
}

// hystrix-go's errors had no Unwrap: errors.Is could not find the run error
// inside a fallback failure.
func TestErrorsIsSeesThroughFallbackFailure(t *testing.T) {
	errFallback := errors.New("fallback down")
	err := hystrix.Do(hystrix.UniqueName(t), func() error { return errBoom }, func(error) error { return errFallback })
	assert.True(t, errors.Is(err, errBoom))
	assert.True(t, errors.Is(err, errFallback))
	assert.Equal(t, "fallback failed with 'fallback down'. run error was 'boom'", err.Error())
}

// hystrix-go started two goroutines and a timer per call; a thousand
// concurrent timeouts must all fire close to on time.
func TestAThousandTimeoutsFireOnTime(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{Timeout: 50, MaxConcurrentRequests: -1, RequestVolumeThreshold: 1 << 30})
	release := make(chan struct{})
	const n = 1000
	var wg sync.WaitGroup
	var late atomic.Int32
	var slowest atomic.Int64
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			began := time.Now()
			err := hystrix.Do(name, func() error { <-release; return nil }, nil)
			took := time.Since(began)
			if err != hystrix.ErrTimeout {
				late.Add(1)
			}
			for {
				old := slowest.Load()
				if int64(took) <= old || slowest.CompareAndSwap(old, int64(took)) {
					break
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(release)
	waitIdle(t, name)
	assert.Zero(t, late.Load())
	// Generous for a loaded 2-core machine under the race detector, yet far
	// below what a queue of timers firing one by one would take.
	assert.Less(t, time.Duration(slowest.Load()), 50*time.Millisecond+time.Second)
}

// Caller isolation runs on the caller's goroutine, with no goroutine of its
// own.
func TestCallerIsolationRunsOnTheCallersGoroutine(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Timeout: 100})
	caller := goroutineID()
	var runner uint64
	require.NoError(t, hystrix.Do(name, func() error { runner = goroutineID(); return nil }, nil))
	assert.Equal(t, caller, runner)

	configure(t, name+"-goroutine", hystrix.CommandConfig{})
	require.NoError(t, hystrix.Do(name+"-goroutine", func() error { runner = goroutineID(); return nil }, nil))
	assert.NotEqual(t, caller, runner)
}

func goroutineID() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	var id uint64
	_, _ = fmt.Sscanf(string(buf), "goroutine %d ", &id)
	return id
}

func TestNilRunReturnsAnErrorNamingTheCommand(t *testing.T) {
	err := hystrix.Do("orders", nil, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, hystrix.ErrNilRun)
	assert.Contains(t, err.Error(), `"orders"`)
	err = hystrix.DoC(context.Background(), "orders", nil, nil)
	assert.ErrorIs(t, err, hystrix.ErrNilRun)
	assert.ErrorIs(t, <-hystrix.Go("orders", nil, nil), hystrix.ErrNilRun)
}

func TestOutOfRangeSettingsAreRefusedAndThePreviousKept(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{ErrorPercentThreshold: 30, Timeout: 200})
	log := &captureLogger{}
	hystrix.SetLogger(log)
	defer hystrix.SetLogger(nil)

	bad := []hystrix.CommandConfig{
		{ErrorPercentThreshold: 101},
		{ErrorPercentThreshold: -5},
		{RequestVolumeThreshold: -1},
		{SleepWindow: -100},
		{Isolation: hystrix.Isolation(7)},
	}
	for _, cfg := range bad {
		hystrix.ConfigureCommand(name, cfg)
		err := hystrix.TryConfigureCommand(name, cfg)
		var ce *hystrix.ConfigError
		require.ErrorAs(t, err, &ce, "%+v", cfg)
		assert.ErrorIs(t, err, hystrix.ErrInvalidConfig)
		assert.Contains(t, err.Error(), name)
	}
	assert.Len(t, log.lines, len(bad))
	assert.Contains(t, log.lines[0], "ErrorPercentThreshold 101")
	s := hystrix.GetCircuitSettings()[name]
	assert.Equal(t, 30, s.ErrorPercentThreshold)
	assert.Equal(t, 200*time.Millisecond, s.Timeout)

	err := hystrix.TryConfigure(map[string]hystrix.CommandConfig{
		name + "-a": {ErrorPercentThreshold: 200},
		name + "-b": {Timeout: 5},
	})
	assert.ErrorContains(t, err, name+"-a")
	assert.Equal(t, 5*time.Millisecond, hystrix.GetCircuitSettings()[name+"-b"].Timeout)
}

// Flush must let go of every circuit, including those cached for the call
// path, and of the default settings made for unconfigured commands, or a
// program with many dynamic names grows without bound.
func TestFlushReleasesCircuitsAndImplicitSettings(t *testing.T) {
	configured := hystrix.UniqueName(t)
	configure(t, configured, hystrix.CommandConfig{Timeout: 123})
	names := make([]string, 100)
	collected := make(chan struct{}, len(names))
	for i := range names {
		names[i] = fmt.Sprintf("%s-%d", hystrix.UniqueName(t), i)
		require.NoError(t, hystrix.Do(names[i], func() error { return nil }, nil))
		c, _, _ := hystrix.GetCircuit(names[i])
		runtime.AddCleanup(c, func(ch chan struct{}) { ch <- struct{}{} }, collected)
	}
	hystrix.Flush()
	settings := hystrix.GetCircuitSettings()
	assert.NotContains(t, settings, names[0])
	assert.Equal(t, 123*time.Millisecond, settings[configured].Timeout)

	got := 0
	deadline := time.After(5 * time.Second)
	for got < len(names) {
		runtime.GC()
		select {
		case <-collected:
			got++
		case <-deadline:
			t.Fatalf("only %d of %d flushed circuits were freed", got, len(names))
		case <-time.After(10 * time.Millisecond):
		}
	}
}
