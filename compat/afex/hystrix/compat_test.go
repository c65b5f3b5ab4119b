package hystrix_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/afex/hystrix-go/hystrix"
	metricCollector "github.com/afex/hystrix-go/hystrix/metric_collector"
	gohystrix "github.com/gohystrix/hystrix-go/hystrix"
	gometric "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// The tests mix the afex import path (as hystrix) with the gohystrix one
// (as gohystrix) on purpose: the point is that both reach one engine.

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// recorder collects the results of every circuit, by command name. It is
// registered once per test binary, through each path, because a registry
// cannot forget an initializer.
type recorder struct {
	mu      sync.Mutex
	results map[string][]metricCollector.MetricResult
}

func newRecorder() *recorder {
	return &recorder{results: make(map[string][]metricCollector.MetricResult)}
}

func (r *recorder) collectorFor(name string) metricCollector.MetricCollector {
	return &namedRecorder{r: r, name: name}
}

func (r *recorder) of(name string) []metricCollector.MetricResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]metricCollector.MetricResult(nil), r.results[name]...)
}

type namedRecorder struct {
	r    *recorder
	name string
}

func (n *namedRecorder) Update(res metricCollector.MetricResult) {
	n.r.mu.Lock()
	n.r.results[n.name] = append(n.r.results[n.name], res)
	n.r.mu.Unlock()
}

func (n *namedRecorder) Reset() {}

var (
	viaAfex     = newRecorder()
	viaEngine   = newRecorder()
	registerAll sync.Once
)

func registerRecorders() {
	registerAll.Do(func() {
		metricCollector.Registry.Register(viaAfex.collectorFor)
		gometric.Registry.Register(viaEngine.collectorFor)
	})
}

// fresh returns a command name no earlier test, nor an earlier run of the
// same test under -count, has used: circuits, settings and collectors are
// process-wide and outlive a test.
func fresh(name string) string {
	return fmt.Sprintf("%s-%d", name, nameSeq.Add(1))
}

var nameSeq atomic.Int64

// logRecorder is a logger with afex's Printf signature.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) Printf(format string, items ...interface{}) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, items...))
	l.mu.Unlock()
}

func (l *logRecorder) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func TestGetCircuitReturnsOneCircuitThroughBothPaths(t *testing.T) {
	name := fresh("compat-same-circuit")
	afexCircuit, created, err := hystrix.GetCircuit(name)
	if err != nil || !created {
		t.Fatalf("first GetCircuit through afex: created=%v err=%v, want true, nil", created, err)
	}
	engineCircuit, created, err := gohystrix.GetCircuit(name)
	if err != nil || created {
		t.Fatalf("GetCircuit through gohystrix: created=%v err=%v, want false, nil", created, err)
	}
	if afexCircuit != engineCircuit {
		t.Fatalf("the two paths returned different circuits: %p and %p", afexCircuit, engineCircuit)
	}

	found := false
	for _, c := range hystrix.Circuits() {
		found = found || c == engineCircuit
	}
	if !found {
		t.Fatalf("Circuits through afex does not list the circuit")
	}
}

func TestFlushThroughEitherPathForgetsTheSharedCircuits(t *testing.T) {
	name := fresh("compat-flush")
	before, _, _ := gohystrix.GetCircuit(name)
	hystrix.Flush()
	after, created, _ := gohystrix.GetCircuit(name)
	if !created || after == before {
		t.Fatalf("afex Flush left gohystrix's circuit in place (created=%v)", created)
	}
	gohystrix.Flush()
	again, created, _ := hystrix.GetCircuit(name)
	if !created || again == after {
		t.Fatalf("gohystrix Flush left the circuit afex sees in place (created=%v)", created)
	}
}

func TestRegistryIsTheEngineRegistry(t *testing.T) {
	if metricCollector.Registry != &gometric.Registry {
		t.Fatalf("metricCollector.Registry is not gohystrix's registry")
	}
}

func TestCollectorsSeeExecutionsOfBothPaths(t *testing.T) {
	registerRecorders()
	afexName, engineName := fresh("compat-collect-afex"), fresh("compat-collect-engine")

	if err := hystrix.Do(afexName, func() error { return nil }, nil); err != nil {
		t.Fatalf("afex Do: %v", err)
	}
	runErr := errors.New("down")
	if err := gohystrix.Do(engineName, func() error { return runErr }, func(error) error { return nil }); err != nil {
		t.Fatalf("gohystrix Do with a succeeding fallback: %v", err)
	}

	for _, rec := range []struct {
		path string
		r    *recorder
	}{{"afex", viaAfex}, {"gohystrix", viaEngine}} {
		got := rec.r.of(afexName)
		if len(got) != 1 || got[0].Successes != 1 {
			t.Errorf("collector registered through %s saw %+v for the afex Do, want one success", rec.path, got)
		}
		got = rec.r.of(engineName)
		if len(got) != 1 || got[0].Failures != 1 || got[0].FallbackSuccesses != 1 {
			t.Errorf("collector registered through %s saw %+v for the gohystrix Do, want one failure with fallback success", rec.path, got)
		}
	}

	// The circuit judges its health by the default collector, which both
	// paths must also share.
	c, _, _ := hystrix.GetCircuit(engineName)
	if n := c.Metrics().Failures().Sum(time.Now()); n != 1 {
		t.Errorf("the circuit's own metrics count %v failures, want 1", n)
	}
}

// blockingRun returns a run function that signals when it starts and then
// waits for release, and a wait that returns once it has returned, so that
// no test leaves a goroutine behind.
func blockingRun() (run func() error, started, release chan struct{}, wait func()) {
	started = make(chan struct{}, 1)
	release = make(chan struct{})
	var done sync.WaitGroup
	done.Add(1)
	run = func() error {
		defer done.Done()
		started <- struct{}{}
		<-release
		return nil
	}
	return run, started, release, done.Wait
}

func TestErrorsCompareEqualAcrossPaths(t *testing.T) {
	t.Run("timeout from gohystrix", func(t *testing.T) {
		name := fresh("compat-err-timeout-engine")
		gohystrix.ConfigureCommand(name, gohystrix.CommandConfig{Timeout: 10})
		run, _, release, wait := blockingRun()
		err := gohystrix.Do(name, run, nil)
		close(release)
		wait()
		if err != hystrix.ErrTimeout || !errors.Is(err, hystrix.ErrTimeout) {
			t.Fatalf("gohystrix Do returned %v, want == afex ErrTimeout", err)
		}
	})

	t.Run("timeout from afex", func(t *testing.T) {
		name := fresh("compat-err-timeout-afex")
		hystrix.ConfigureCommand(name, hystrix.CommandConfig{Timeout: 10})
		run, _, release, wait := blockingRun()
		var cause error
		err := hystrix.Do(name, run, func(err error) error { cause = err; return err })
		close(release)
		wait()
		if cause != gohystrix.ErrTimeout {
			t.Fatalf("afex fallback got %v, want == gohystrix ErrTimeout", cause)
		}
		var fe *hystrix.FallbackError
		if !errors.As(err, &fe) || fe.RunErr != hystrix.ErrTimeout {
			t.Fatalf("afex Do returned %#v, want a FallbackError wrapping ErrTimeout", err)
		}
	})

	t.Run("circuit open", func(t *testing.T) {
		name := fresh("compat-err-open")
		hystrix.ConfigureCommand(name, hystrix.CommandConfig{
			RequestVolumeThreshold: 1,
			ErrorPercentThreshold:  1,
			SleepWindow:            60000,
		})
		_ = hystrix.Do(name, func() error { return errors.New("down") }, nil)
		err := gohystrix.Do(name, func() error { return nil }, nil)
		if err != hystrix.ErrCircuitOpen {
			t.Fatalf("gohystrix Do after a failure returned %v, want == afex ErrCircuitOpen", err)
		}
		if c, _, _ := hystrix.GetCircuit(name); !c.IsOpen() {
			t.Fatalf("the circuit seen through afex is not open")
		}
	})

	t.Run("max concurrency", func(t *testing.T) {
		name := fresh("compat-err-concurrency")
		gohystrix.ConfigureCommand(name, gohystrix.CommandConfig{MaxConcurrentRequests: 1})
		run, started, release, wait := blockingRun()
		errs := hystrix.Go(name, run, nil)
		<-started
		err := gohystrix.Do(name, func() error { return nil }, nil)
		close(release)
		wait()
		if err != hystrix.ErrMaxConcurrency {
			t.Fatalf("second execution returned %v, want == afex ErrMaxConcurrency", err)
		}
		select {
		case err := <-errs:
			t.Fatalf("the first execution failed: %v", err)
		default:
		}
	})
}

func TestGoCAndDoCForwardTheContext(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "v")
	seen := make(chan any, 1)
	err := hystrix.DoC(ctx, fresh("compat-doc"), func(ctx context.Context) error {
		seen <- ctx.Value(key{})
		return nil
	}, nil)
	if err != nil || <-seen != "v" {
		t.Fatalf("DoC: err=%v, or the run function did not get the caller's context", err)
	}

	runErr := errors.New("down")
	errs := hystrix.GoC(ctx, fresh("compat-goc"), func(context.Context) error { return runErr }, nil)
	if err := <-errs; err != runErr {
		t.Fatalf("GoC sent %v, want the run error", err)
	}
}

func TestConfigurationIsShared(t *testing.T) {
	afexName, engineName := fresh("compat-cfg-afex"), fresh("compat-cfg-engine")
	hystrix.ConfigureCommand(afexName, hystrix.CommandConfig{Timeout: 123})
	if s := gohystrix.GetCircuitSettings()[afexName]; s == nil || s.Timeout != 123*time.Millisecond {
		t.Fatalf("gohystrix sees %+v for a command configured through afex", s)
	}
	gohystrix.Configure(map[string]gohystrix.CommandConfig{engineName: {Timeout: 456}})
	if s := hystrix.GetCircuitSettings()[engineName]; s == nil || s.Timeout != 456*time.Millisecond {
		t.Fatalf("afex sees %+v for a command configured through gohystrix", s)
	}

	err := hystrix.TryConfigureCommand(fresh("compat-cfg-bad"), hystrix.CommandConfig{ErrorPercentThreshold: 101})
	var ce *gohystrix.ConfigError
	if !errors.As(err, &ce) || !errors.Is(err, hystrix.ErrInvalidConfig) {
		t.Fatalf("TryConfigureCommand with a bad threshold returned %v, want a ConfigError", err)
	}
}

func TestSetLoggerSetsTheEngineLogger(t *testing.T) {
	logs := &logRecorder{}
	hystrix.SetLogger(logs)
	defer hystrix.SetLogger(hystrix.DefaultLogger)

	// gohystrix logs a refused configuration through the one logger.
	name := fresh("compat-logger")
	gohystrix.ConfigureCommand(name, gohystrix.CommandConfig{ErrorPercentThreshold: 101})
	if !logs.contains(name) {
		t.Fatalf("the logger set through afex did not get gohystrix's message: %q", logs.lines)
	}
}

func TestStreamHandlerIsTheEngines(t *testing.T) {
	var h *gohystrix.StreamHandler = hystrix.NewStreamHandler()
	h.Start()
	// Flush through the afex path must stop it, or goleak fails the binary.
	hystrix.Flush()
}

// setDefaults assigns the afex Default variables for one test, as an afex
// program would, and restores them after.
func setDefaults(t *testing.T, timeout, maxConcurrent, volume, sleep, errPercent int) {
	t.Helper()
	old := [...]int{hystrix.DefaultTimeout, hystrix.DefaultMaxConcurrent, hystrix.DefaultVolumeThreshold,
		hystrix.DefaultSleepWindow, hystrix.DefaultErrorPercentThreshold}
	t.Cleanup(func() {
		hystrix.DefaultTimeout, hystrix.DefaultMaxConcurrent, hystrix.DefaultVolumeThreshold,
			hystrix.DefaultSleepWindow, hystrix.DefaultErrorPercentThreshold = old[0], old[1], old[2], old[3], old[4]
	})
	hystrix.DefaultTimeout, hystrix.DefaultMaxConcurrent, hystrix.DefaultVolumeThreshold,
		hystrix.DefaultSleepWindow, hystrix.DefaultErrorPercentThreshold = timeout, maxConcurrent, volume, sleep, errPercent
}

func TestAssignedDefaultsApplyThroughTheAfexPath(t *testing.T) {
	engineTimeout := gohystrix.DefaultTimeout
	setDefaults(t, 4321, 7, 3, 2500, 33)
	want := gohystrix.Settings{
		Timeout:                4321 * time.Millisecond,
		MaxConcurrentRequests:  7,
		RequestVolumeThreshold: 3,
		SleepWindow:            2500 * time.Millisecond,
		ErrorPercentThreshold:  33,
	}
	ok := func(error) error { return nil }
	settingsOf := func(name string) gohystrix.Settings {
		c, _, _ := gohystrix.GetCircuit(name)
		return c.Settings()
	}

	cmd := map[string]string{}
	for _, k := range []string{"configured", "map", "first-use", "get-circuit", "explicit", "engine"} {
		cmd[k] = fresh("compat-defaults-" + k)
	}

	hystrix.ConfigureCommand(cmd["configured"], hystrix.CommandConfig{})
	if got := settingsOf(cmd["configured"]); got != want {
		t.Errorf("configured through afex: %+v, want %+v", got, want)
	}

	hystrix.Configure(map[string]hystrix.CommandConfig{cmd["map"]: {Timeout: 50}})
	wantMap := want
	wantMap.Timeout = 50 * time.Millisecond
	if got := settingsOf(cmd["map"]); got != wantMap {
		t.Errorf("Configure through afex: %+v, want %+v", got, wantMap)
	}

	if err := hystrix.Do(cmd["first-use"], func() error { return nil }, ok); err != nil {
		t.Fatal(err)
	}
	if got := settingsOf(cmd["first-use"]); got != want {
		t.Errorf("first used through afex Do: %+v, want %+v", got, want)
	}
	if _, _, err := hystrix.GetCircuit(cmd["get-circuit"]); err != nil {
		t.Fatal(err)
	}
	if got := settingsOf(cmd["get-circuit"]); got != want {
		t.Errorf("first used through afex GetCircuit: %+v, want %+v", got, want)
	}

	// Explicit settings win over defaults, whichever path made them.
	gohystrix.ConfigureCommand(cmd["explicit"], gohystrix.CommandConfig{Timeout: 77})
	if err := hystrix.Do(cmd["explicit"], func() error { return nil }, ok); err != nil {
		t.Fatal(err)
	}
	if got := settingsOf(cmd["explicit"]).Timeout; got != 77*time.Millisecond {
		t.Errorf("afex's first use overwrote an explicit timeout: %v, want 77ms", got)
	}

	// gohystrix's own defaults are untouched, and rule its own path.
	if gohystrix.DefaultTimeout != engineTimeout {
		t.Errorf("gohystrix.DefaultTimeout changed to %d", gohystrix.DefaultTimeout)
	}
	if err := gohystrix.Do(cmd["engine"], func() error { return nil }, ok); err != nil {
		t.Fatal(err)
	}
	if got := settingsOf(cmd["engine"]).Timeout; got != time.Duration(engineTimeout)*time.Millisecond {
		t.Errorf("first used through gohystrix: timeout %v, want gohystrix's default", got)
	}
}

func TestUnchangedDefaultsLeaveFirstUseToTheEngine(t *testing.T) {
	name := fresh("compat-defaults-unchanged")
	if err := hystrix.Do(name, func() error { return nil }, nil); err != nil {
		t.Fatal(err)
	}
	c, _, _ := gohystrix.GetCircuit(name)
	if got, want := c.Settings().Timeout, time.Duration(gohystrix.DefaultTimeout)*time.Millisecond; got != want {
		t.Fatalf("timeout %v, want gohystrix's default %v", got, want)
	}
}
