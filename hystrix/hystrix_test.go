package hystrix_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

var errBoom = errors.New("boom")

// recorder is a collector that keeps every result of the command it was
// made for.
type recorder struct {
	mu      sync.Mutex
	results []metricCollector.MetricResult
}

func (r *recorder) Update(m metricCollector.MetricResult) {
	r.mu.Lock()
	r.results = append(r.results, m)
	r.mu.Unlock()
}

func (r *recorder) Reset() {}

func (r *recorder) all() []metricCollector.MetricResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]metricCollector.MetricResult(nil), r.results...)
}

// perCommand gives each test's command a collector of its own: it registers
// one initializer with the global Registry, on first use, that hands every
// new circuit the collector made for its name, if any.
type perCommand[T metricCollector.MetricCollector] struct {
	once sync.Once
	mu   sync.Mutex
	m    map[string]T
}

// forCommand returns a new collector for name; call it before the command
// first runs.
func (p *perCommand[T]) forCommand(name string, c T) T {
	p.once.Do(func() {
		p.m = map[string]T{}
		metricCollector.Registry.Register(func(name string) metricCollector.MetricCollector {
			p.mu.Lock()
			defer p.mu.Unlock()
			if c, ok := p.m[name]; ok {
				return c
			}
			return nil
		})
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	p.m[name] = c
	return c
}

var recorders perCommand[*recorder]

func recorderFor(name string) *recorder { return recorders.forCommand(name, &recorder{}) }

func configure(t *testing.T, name string, c hystrix.CommandConfig) {
	t.Helper()
	require.NoError(t, hystrix.TryConfigureCommand(name, c))
}

// bothIsolations runs f once per isolation, with its own command name.
func bothIsolations(t *testing.T, f func(t *testing.T, name string, iso hystrix.Isolation)) {
	for _, iso := range []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation} {
		t.Run(iso.String(), func(t *testing.T) { f(t, hystrix.UniqueName(t), iso) })
	}
}

func TestDoReturnsNilWhenRunSucceeds(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso})
		assert.NoError(t, hystrix.Do(name, func() error { return nil }, nil))
	})
}

func TestRunErrorWithoutFallbackIsReturnedItself(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso})
		assert.Equal(t, errBoom, hystrix.Do(name, func() error { return errBoom }, nil))
	})
}

func TestFallbackGetsRunErrorAndItsNilMakesTheCallSucceed(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso})
		var got error
		err := hystrix.Do(name, func() error { return errBoom }, func(err error) error { got = err; return nil })
		assert.NoError(t, err)
		assert.Equal(t, errBoom, got)
	})
}

func TestFallbackFailureKeepsHystrixGoTextAndUnwrapsToBoth(t *testing.T) {
	errFallback := errors.New("no cache")
	err := hystrix.Do(hystrix.UniqueName(t), func() error { return errBoom }, func(error) error { return errFallback })
	require.Error(t, err)
	assert.Equal(t, "fallback failed with 'no cache'. run error was 'boom'", err.Error())
	assert.ErrorIs(t, err, errBoom)
	assert.ErrorIs(t, err, errFallback)
	var fe *hystrix.FallbackError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, errBoom, fe.RunErr)
}

func TestGoSendsOnlyOnError(t *testing.T) {
	name := hystrix.UniqueName(t)
	rec := recorderFor(name)
	ok := hystrix.Go(name, func() error { return nil }, nil)
	fellBack := hystrix.Go(name, func() error { return errBoom }, func(error) error { return nil })
	failed := hystrix.Go(name, func() error { return errBoom }, nil)
	assert.Equal(t, errBoom, <-failed)
	require.Eventually(t, func() bool { return len(rec.all()) == 3 }, 5*time.Second, time.Millisecond)
	// Go's goroutine sends, if at all, right after recording; give it the
	// chance before checking that nothing came.
	time.Sleep(20 * time.Millisecond)
	assert.Len(t, ok, 0)
	assert.Len(t, fellBack, 0)
}

func TestGoCPassesContextToRunAndFallback(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	var runSaw, fbSaw interface{}
	errs := hystrix.GoC(ctx, hystrix.UniqueName(t), func(ctx context.Context) error {
		runSaw = ctx.Value(key{})
		return errBoom
	}, func(ctx context.Context, err error) error {
		fbSaw = ctx.Value(key{})
		return err
	})
	err := <-errs
	assert.ErrorIs(t, err, errBoom)
	assert.Equal(t, "v", runSaw)
	assert.Equal(t, "v", fbSaw)
}

func TestTimeoutReturnsErrTimeoutEvenIfRunIgnoresContext(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{Timeout: 20})
	release := make(chan struct{})
	start := time.Now()
	var fbErr error
	err := hystrix.Do(name, func() error { <-release; return nil }, func(err error) error { fbErr = err; return err })
	elapsed := time.Since(start)
	close(release)
	assert.ErrorIs(t, err, hystrix.ErrTimeout)
	assert.Equal(t, hystrix.ErrTimeout, fbErr)
	assert.GreaterOrEqual(t, elapsed, 20*time.Millisecond)
	assert.Less(t, elapsed, time.Second)
	waitIdle(t, name)
}

func TestCallerIsolationTimeoutReachesRunThroughContext(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{Timeout: 20, Isolation: hystrix.CallerIsolation})
	err := hystrix.DoC(context.Background(), name, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}, nil)
	assert.Equal(t, hystrix.ErrTimeout, err)
}

func TestCancelledContextReturnsPromptly(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso, Timeout: 10000})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(10*time.Millisecond, cancel)
		start := time.Now()
		var fbErr error
		err := hystrix.DoC(ctx, name, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}, func(_ context.Context, err error) error { fbErr = err; return err })
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, context.Canceled, fbErr)
		assert.Less(t, time.Since(start), 2*time.Second)
	})
}

func TestContextPastDeadlineReturnsItsErrorWithoutRunning(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	ran := false
	err := hystrix.DoC(ctx, hystrix.UniqueName(t), func(context.Context) error { ran = true; return nil }, nil)
	assert.Equal(t, context.DeadlineExceeded, err)
	assert.False(t, ran)
}

func TestMaxConcurrencyRejectsExtraExecutions(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{MaxConcurrentRequests: 2, Timeout: -1})
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = hystrix.Do(name, func() error { started <- struct{}{}; <-release; return nil }, nil)
		}()
	}
	<-started
	<-started
	var fbErr error
	err := hystrix.Do(name, func() error { return nil }, func(err error) error { fbErr = err; return err })
	close(release)
	wg.Wait()
	assert.ErrorIs(t, err, hystrix.ErrMaxConcurrency)
	assert.Equal(t, hystrix.ErrMaxConcurrency, fbErr)
}

func TestMetricEventsMatchHystrixGo(t *testing.T) {
	type want struct {
		successes, failures, rejects, shortCircuits, timeouts, canceled, deadline, errs, fbOK, fbFail float64
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), -1)
	defer cancel2()
	cases := []struct {
		name     string
		ctx      context.Context
		run      func(context.Context) error
		fallback func(context.Context, error) error
		want     want
	}{
		{"success", context.Background(), func(context.Context) error { return nil }, nil, want{successes: 1}},
		{"failure", context.Background(), func(context.Context) error { return errBoom }, nil, want{failures: 1, errs: 1}},
		{"fallback-success", context.Background(), func(context.Context) error { return errBoom },
			func(context.Context, error) error { return nil }, want{failures: 1, errs: 1, fbOK: 1}},
		{"fallback-failure", context.Background(), func(context.Context) error { return errBoom },
			func(_ context.Context, err error) error { return err }, want{failures: 1, errs: 1, fbFail: 1}},
		{"timeout", context.Background(), func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, nil,
			want{timeouts: 1, errs: 1}},
		{"context_canceled", cancelled, func(context.Context) error { return nil }, nil, want{canceled: 1}},
		{"context_deadline_exceeded", expired, func(context.Context) error { return nil }, nil, want{deadline: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := hystrix.UniqueName(t)
			configure(t, name, hystrix.CommandConfig{Timeout: 10})
			rec := recorderFor(name)
			_ = hystrix.DoC(tc.ctx, name, tc.run, tc.fallback)
			got := rec.all()
			require.Len(t, got, 1)
			r := got[0]
			assert.Equal(t, 1.0, r.Attempts)
			assert.Equal(t, tc.want, want{r.Successes, r.Failures, r.Rejects, r.ShortCircuits, r.Timeouts,
				r.ContextCanceled, r.ContextDeadlineExceeded, r.Errors, r.FallbackSuccesses, r.FallbackFailures})
			assert.GreaterOrEqual(t, r.TotalDuration, r.RunDuration)
		})
	}
}

func TestZeroConfigFieldsMeanDefaults(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{})
	s := hystrix.GetCircuitSettings()[name]
	require.NotNil(t, s)
	assert.Equal(t, time.Duration(hystrix.DefaultTimeout)*time.Millisecond, s.Timeout)
	assert.Equal(t, hystrix.DefaultMaxConcurrent, s.MaxConcurrentRequests)
	assert.Equal(t, uint64(hystrix.DefaultVolumeThreshold), s.RequestVolumeThreshold)
	assert.Equal(t, time.Duration(hystrix.DefaultSleepWindow)*time.Millisecond, s.SleepWindow)
	assert.Equal(t, hystrix.DefaultErrorPercentThreshold, s.ErrorPercentThreshold)
	assert.Equal(t, hystrix.GoroutineIsolation, s.Isolation)
}

func TestHystrixGoJSONConfigStillDecodes(t *testing.T) {
	var cfg hystrix.CommandConfig
	require.NoError(t, json.Unmarshal([]byte(`{"timeout":100,"max_concurrent_requests":5,`+
		`"request_volume_threshold":7,"sleep_window":300,"error_percent_threshold":25}`), &cfg))
	assert.Equal(t, hystrix.CommandConfig{Timeout: 100, MaxConcurrentRequests: 5, RequestVolumeThreshold: 7,
		SleepWindow: 300, ErrorPercentThreshold: 25}, cfg)

	require.NoError(t, json.Unmarshal([]byte(`{"isolation":"caller"}`), &cfg))
	assert.Equal(t, hystrix.CallerIsolation, cfg.Isolation)
	err := json.Unmarshal([]byte(`{"isolation":"fibre"}`), &cfg)
	assert.ErrorContains(t, err, `unknown isolation "fibre"`)

	out, err := json.Marshal(hystrix.CommandConfig{Timeout: 1})
	require.NoError(t, err)
	assert.NotContains(t, string(out), "isolation", "a default isolation is left out, as hystrix-go would")
}

func TestGetCircuitReportsCreation(t *testing.T) {
	name := hystrix.UniqueName(t)
	c1, created, err := hystrix.GetCircuit(name)
	require.NoError(t, err)
	assert.True(t, created)
	c2, created, _ := hystrix.GetCircuit(name)
	assert.False(t, created)
	assert.Same(t, c1, c2)
	assert.Equal(t, name, c1.Name)
}

func TestCircuitErrorText(t *testing.T) {
	assert.Equal(t, "hystrix: max concurrency", hystrix.ErrMaxConcurrency.Error())
	assert.Equal(t, "hystrix: circuit open", hystrix.ErrCircuitOpen.Error())
	assert.Equal(t, "hystrix: timeout", hystrix.ErrTimeout.Error())
	assert.Equal(t, "hystrix: x", hystrix.CircuitError{Message: "x"}.Error())
}

// waitIdle waits until no execution of name holds a ticket, so that runs
// released by a test have returned before it ends.
func waitIdle(t *testing.T, name string) {
	t.Helper()
	c, _, _ := hystrix.GetCircuit(name)
	require.Eventually(t, func() bool { return c.ActiveCount() == 0 }, 5*time.Second, time.Millisecond)
}
