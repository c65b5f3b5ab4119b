package hystrix_test

// Each test here pins a fault that a careless or hostile user could cause
// and that the engine must survive: user code that calls back into the
// library, that panics or that calls runtime.Goexit, settings out of range,
// and names that JSON cannot carry as they are.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// initHooks lets a test give its command an initializer of its own: one
// initializer registered once dispatches by name.
var initHooks struct {
	once sync.Once
	mu   sync.Mutex
	m    map[string]func(string) metricCollector.MetricCollector
}

func hookInitializer(name string, f func(string) metricCollector.MetricCollector) {
	initHooks.once.Do(func() {
		initHooks.m = map[string]func(string) metricCollector.MetricCollector{}
		metricCollector.Registry.Register(func(name string) metricCollector.MetricCollector {
			initHooks.mu.Lock()
			f := initHooks.m[name]
			initHooks.mu.Unlock()
			if f == nil {
				return nil
			}
			return f(name)
		})
	})
	initHooks.mu.Lock()
	initHooks.m[name] = f
	initHooks.mu.Unlock()
}

// within runs f and fails the test if it has not returned after d: a
// deadlock shows as a failure rather than a hung test binary.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still blocked after %v (deadlock)", what, d)
	}
}

// captureLogger keeps every line logged.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
	// also runs on every line, as a logger that calls the library would.
	also func()
}

func (l *captureLogger) Printf(format string, items ...interface{}) {
	if l.also != nil {
		l.also()
	}
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, items...))
	l.mu.Unlock()
}

// matching returns the lines that contain every one of subs.
func (l *captureLogger) matching(subs ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
next:
	for _, line := range l.lines {
		for _, s := range subs {
			if !strings.Contains(line, s) {
				continue next
			}
		}
		out = append(out, line)
	}
	return out
}

func useLogger(t *testing.T, l hystrix.Logger) {
	t.Helper()
	hystrix.SetLogger(l)
	t.Cleanup(func() { hystrix.SetLogger(nil) })
}

func TestCollectorInitializerMayCallTheLibrary(t *testing.T) {
	name, other := hystrix.UniqueName(t), hystrix.UniqueName(t)
	configure(t, other, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation})
	var calls []string
	hookInitializer(name, func(string) metricCollector.MetricCollector {
		_ = hystrix.GetCircuitSettings()
		calls = append(calls, "GetCircuitSettings")
		hystrix.ConfigureCommand(other, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Timeout: 2000})
		calls = append(calls, "ConfigureCommand")
		_, _, _ = hystrix.GetCircuit(other)
		calls = append(calls, "GetCircuit")
		_ = hystrix.Circuits()
		calls = append(calls, "Circuits")
		_ = hystrix.Do(other, func() error { return nil }, nil)
		calls = append(calls, "Do")
		return &recorder{}
	})
	within(t, 5*time.Second, "first call of a command whose initializer calls the library", func() {
		require.NoError(t, hystrix.Do(name, func() error { return nil }, nil))
	})
	assert.Equal(t, []string{"GetCircuitSettings", "ConfigureCommand", "GetCircuit", "Circuits", "Do"}, calls)
	within(t, 5*time.Second, "later calls", func() {
		require.NoError(t, hystrix.Do(name, func() error { return nil }, nil))
		_ = hystrix.Circuits()
	})
}

func TestConcurrentFirstCallsInitializeCollectorsOnce(t *testing.T) {
	name := hystrix.UniqueName(t)
	var mu sync.Mutex
	inits := 0
	hookInitializer(name, func(string) metricCollector.MetricCollector {
		mu.Lock()
		inits++
		mu.Unlock()
		_ = hystrix.Circuits()            // outside any lock of the library
		time.Sleep(10 * time.Millisecond) // let the other first calls arrive
		return &recorder{}
	})
	within(t, 5*time.Second, "concurrent first calls", func() {
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = hystrix.Do(name, func() error { return nil }, nil)
			}()
		}
		wg.Wait()
	})
	assert.Equal(t, 1, inits)
}

func TestLoggerMayCallTheLibraryWhenADefaultIsRefused(t *testing.T) {
	old := hystrix.DefaultVolumeThreshold
	hystrix.DefaultVolumeThreshold = -1
	t.Cleanup(func() { hystrix.DefaultVolumeThreshold = old })
	logger := &captureLogger{also: func() {
		_ = hystrix.GetCircuitSettings()
		_ = hystrix.Circuits()
	}}
	useLogger(t, logger)
	name := hystrix.UniqueName(t)
	within(t, 5*time.Second, "first call while a Default variable is out of range", func() {
		require.NoError(t, hystrix.Do(name, func() error { return nil }, nil))
	})
	assert.NotEmpty(t, logger.matching("DefaultVolumeThreshold", name))
}

// panicky is a collector that panics in Update and Reset.
type panicky struct{}

func (panicky) Update(metricCollector.MetricResult) { panic("collector update exploded") }
func (panicky) Reset()                              { panic("collector reset exploded") }

func TestPanicInACollectorIsReportedAndTheOthersStillSeeTheExecution(t *testing.T) {
	for _, async := range []bool{false, true} {
		t.Run(fmt.Sprintf("async=%v", async), func(t *testing.T) {
			logger := &captureLogger{}
			useLogger(t, logger)
			name := hystrix.UniqueName(t)
			hookInitializer(name, func(string) metricCollector.MetricCollector { return panicky{} })
			rec := recorderFor(name)
			run := func() error { return nil }
			if async {
				// On the library's goroutine, a panic would be fatal.
				select {
				case err := <-hystrix.Go(name, run, nil):
					t.Fatalf("Go sent %v", err)
				case <-time.After(50 * time.Millisecond):
				}
				require.Eventually(t, func() bool { return len(rec.all()) == 1 }, 5*time.Second, time.Millisecond)
			} else {
				require.NoError(t, hystrix.Do(name, run, nil))
			}
			require.Len(t, rec.all(), 1, "the other collector saw the execution")
			lines := logger.matching("collector update exploded", name)
			require.Len(t, lines, 1, "reported once")
			assert.Contains(t, lines[0], "goroutine", "with the stack")
		})
	}
}

func TestPanicInACollectorInitializerIsReported(t *testing.T) {
	logger := &captureLogger{}
	useLogger(t, logger)
	name := hystrix.UniqueName(t)
	hookInitializer(name, func(string) metricCollector.MetricCollector { panic("initializer exploded") })
	require.NoError(t, hystrix.Do(name, func() error { return nil }, nil))
	lines := logger.matching("initializer exploded", name)
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0], "goroutine")
	require.NoError(t, hystrix.Do(name, func() error { return nil }, nil), "the command keeps working")
}

// panickyLogger panics on every line.
type panickyLogger struct{}

func (panickyLogger) Printf(string, ...interface{}) { panic("logger exploded") }

func TestPanickingLoggerFallsBackToTheStandardLog(t *testing.T) {
	var std bytes.Buffer
	var stdMu sync.Mutex
	log.SetOutput(writerFunc(func(p []byte) (int, error) {
		stdMu.Lock()
		defer stdMu.Unlock()
		return std.Write(p)
	}))
	t.Cleanup(func() { log.SetOutput(nil) })
	useLogger(t, panickyLogger{})
	name := hystrix.UniqueName(t)
	// A refused setting is logged.
	hystrix.ConfigureCommand(name, hystrix.CommandConfig{ErrorPercentThreshold: 1000})
	stdMu.Lock()
	out := std.String()
	stdMu.Unlock()
	assert.Contains(t, out, "logger exploded")
	assert.Contains(t, out, "ErrorPercentThreshold", "the line it was logging")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestGoexitInRunGivesTheTicketBackAndCountsAsAFailure(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso, MaxConcurrentRequests: 1})
		rec := recorderFor(name)
		var got error
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			got = hystrix.Do(name, func() error { runtime.Goexit(); return nil }, nil)
		}()
		wg.Wait()
		c, _, _ := hystrix.GetCircuit(name)
		require.Eventually(t, func() bool { return c.ActiveCount() == 0 }, 5*time.Second, time.Millisecond,
			"the ticket is given back")
		if iso == hystrix.GoroutineIsolation {
			assert.ErrorIs(t, got, hystrix.ErrGoexit)
		}
		require.Len(t, rec.all(), 1)
		assert.Equal(t, 1.0, rec.all()[0].Failures)
		assert.NoError(t, hystrix.Do(name, func() error { return nil }, nil), "the next call gets the ticket")
	})
}

func TestConcurrencyBoundHoldsAcrossFlush(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{MaxConcurrentRequests: 2, Timeout: 20})
	release := make(chan struct{})
	hang := func() error { <-release; return nil }
	defer func() { close(release); waitIdle(t, name) }()
	for flush := 0; flush < 3; flush++ {
		for i := 0; i < 2; i++ {
			err := hystrix.Do(name, hang, nil)
			if flush == 0 {
				require.ErrorIs(t, err, hystrix.ErrTimeout, "the run times out and keeps its ticket")
			} else {
				require.ErrorIs(t, err, hystrix.ErrMaxConcurrency,
					"after Flush the new circuit counts the old one's runs")
			}
		}
		hystrix.Flush()
	}
	c, _, _ := hystrix.GetCircuit(name)
	assert.Equal(t, 2, c.ActiveCount())
}

func TestDurationsThatOverflowAreRefused(t *testing.T) {
	for _, tc := range []struct{ json, field string }{
		{`{"timeout": 18446744073710}`, "Timeout"},
		{`{"sleep_window": 9223372036854775}`, "SleepWindow"},
		{`{"sleep_window": 2305843009214}`, "SleepWindow"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			name := hystrix.UniqueName(t)
			configure(t, name, hystrix.CommandConfig{Timeout: 123, SleepWindow: 456})
			var config hystrix.CommandConfig
			require.NoError(t, json.Unmarshal([]byte(tc.json), &config))
			err := hystrix.TryConfigureCommand(name, config)
			var ce *hystrix.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.field, ce.Field)
			s := hystrix.GetCircuitSettings()[name]
			assert.Equal(t, 123*time.Millisecond, s.Timeout, "previous settings kept")
			assert.Equal(t, 456*time.Millisecond, s.SleepWindow)
		})
	}
	name := hystrix.UniqueName(t)
	require.NoError(t, hystrix.TryConfigureCommand(name, hystrix.CommandConfig{SleepWindow: 2305843009213}),
		"the longest accepted window")
}

func TestStreamKeepsNamesThatAreNotUTF8Distinct(t *testing.T) {
	names := []string{"x\xff" + hystrix.UniqueName(t), "x\xfe" + hystrix.UniqueName(t)}
	names[1] = "x\xfe" + names[0][2:]
	for _, n := range names {
		require.NoError(t, hystrix.Do(n, func() error { return nil }, nil))
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(hystrix.AppendStreamEvents(nil)), "\n") {
		if !strings.HasPrefix(line, "data:") {
			continue
		}
		var ev struct{ Type, Name string }
		require.NoError(t, json.Unmarshal([]byte(line[len("data:"):]), &ev))
		if ev.Type != "HystrixCommand" {
			continue
		}
		orig, ok := hystrix.ParseStreamName(ev.Name)
		require.True(t, ok, ev.Name)
		seen[orig] = true
	}
	for _, n := range names {
		assert.True(t, seen[n], "%q is on the stream under a name of its own", n)
	}
}

func TestStreamNameRoundTrips(t *testing.T) {
	for _, tc := range []struct{ name, stream string }{
		{"plain", "plain"},
		{"ünïcode ok", "ünïcode ok"},
		{"x\xff", `x\xff`},
		{`back\slash`, `back\\slash`},
		{`\x41`, `\\x41`},
		{"\xe2\x82", `\xe2\x82`},
	} {
		assert.Equal(t, tc.stream, hystrix.StreamName(tc.name))
		got, ok := hystrix.ParseStreamName(tc.stream)
		assert.True(t, ok)
		assert.Equal(t, tc.name, got)
	}
	for _, bad := range []string{`\q`, `\x4`, `\xFF`, `\x41`, "\xff"} {
		_, ok := hystrix.ParseStreamName(bad)
		assert.False(t, ok, "%q is not a stream name", bad)
	}
}

func FuzzStreamName(f *testing.F) {
	for _, s := range []string{"", "a", "x\xff", `\`, `\\x00`, "\xe2\x82\xac", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s := hystrix.StreamName(name)
		if !utf8Valid(s) {
			t.Fatalf("StreamName(%q) = %q is not UTF-8", name, s)
		}
		back, ok := hystrix.ParseStreamName(s)
		if !ok || back != name {
			t.Fatalf("ParseStreamName(StreamName(%q)) = %q, %v", name, back, ok)
		}
		if n, ok := hystrix.ParseStreamName(name); ok && hystrix.StreamName(n) != name {
			t.Fatalf("ParseStreamName(%q) = %q does not escape back", name, n)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestCallerWhoseContextEndsDuringARunThatSucceedsGetsTheContextError(t *testing.T) {
	bothIsolations(t, func(t *testing.T, name string, iso hystrix.Isolation) {
		configure(t, name, hystrix.CommandConfig{Isolation: iso, Timeout: 5000})
		rec := recorderFor(name)
		ctx, cancel := context.WithCancel(context.Background())
		err := hystrix.DoC(ctx, name, func(context.Context) error {
			cancel() // the caller gives up while the run is still going
			return nil
		}, nil)
		assert.ErrorIs(t, err, context.Canceled)
		waitIdle(t, name)
		require.Len(t, rec.all(), 1)
		assert.Equal(t, 1.0, rec.all()[0].ContextCanceled, "not a success")
	})
}
