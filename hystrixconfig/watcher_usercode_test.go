package hystrixconfig_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
	"github.com/gohystrix/hystrix-go/hystrixconfig"
)

func TestAdjustAddsWhatTheFileCannotHold(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 1s}\n")
	notFound := errors.New("not found")
	rs := newResults()
	var mu sync.Mutex
	var seen []string
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option(),
		hystrixconfig.WithAdjust(func(name string, c *hystrix.CommandConfig) {
			mu.Lock()
			seen = append(seen, name)
			mu.Unlock()
			c.IsBadRequest = hystrix.IsBadRequestFunc(func(err error) bool { return errors.Is(err, notFound) })
		}))
	fail := func() error { return notFound }
	for range 30 {
		if err := r.Do("orders", fail, nil); !errors.Is(err, notFound) {
			t.Fatalf("got %v", err)
		}
	}
	if c, _, _ := r.GetCircuit("orders"); c.IsOpen() {
		t.Fatal("bad requests opened the circuit: the adjustment was not applied")
	}
	writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 2s}\n")
	w.Reload()
	if res := rs.next(t); res.Err != nil {
		t.Fatal(res.Err)
	}
	if s := r.GetCircuitSettings()["orders"]; s.IsBadRequest == nil || s.Timeout != 2*time.Second {
		t.Fatalf("after reload: %+v", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(seen) != "[orders orders]" {
		t.Fatalf("adjust saw %v", seen)
	}
}

func TestAPanicInAdjustFailsTheReloadAndChangesNothing(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 1s}\n")
	rs := newResults()
	var boom sync.Once
	arm := make(chan struct{})
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option(),
		hystrixconfig.WithAdjust(func(name string, c *hystrix.CommandConfig) {
			select {
			case <-arm:
				boom.Do(func() { panic("adjust went wrong") })
			default:
			}
		}))
	close(arm)
	writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 2s}\n")
	w.Reload()
	res := rs.next(t)
	if !errors.Is(res.Err, hystrixconfig.ErrAdjustPanicked) || !strings.Contains(res.Err.Error(), "adjust went wrong") {
		t.Fatalf("got %+v", res)
	}
	if got := timeoutOf(r, "orders"); got != time.Second {
		t.Fatalf("timeout %v", got)
	}
	w.Reload()
	if res := rs.next(t); res.Err != nil || timeoutOf(r, "orders") != 2*time.Second {
		t.Fatalf("got %+v", res)
	}
}

type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) Printf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func TestAPanicInOnReloadIsRecoveredAndLogged(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	path := writeFile(t, t.TempDir(), "h.yaml", "commands: {}\n")
	calls := make(chan struct{}, 4)
	logger := &recordingLogger{}
	w := watch(t, path, hystrixconfig.WithRegistry(r), hystrixconfig.WithLogger(logger),
		hystrixconfig.OnReload(func(hystrixconfig.Result) {
			calls <- struct{}{}
			panic("callback went wrong")
		}))
	for range 2 {
		w.Reload()
		select {
		case <-calls:
		case <-time.After(10 * time.Second):
			t.Fatal("OnReload was not called: the watcher died?")
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	logger.mu.Lock()
	defer logger.mu.Unlock()
	if len(logger.lines) != 2 || !strings.Contains(logger.lines[0], "callback went wrong") {
		t.Fatalf("logged %q", logger.lines)
	}
}

func TestOnReloadMayCallReloadAndTheLibrary(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	path := writeFile(t, t.TempDir(), "h.yaml", "commands:\n  orders: {}\n")
	done := make(chan int, 8)
	var w *hystrixconfig.Watcher
	var mu sync.Mutex
	n := 0
	w = watch(t, path, hystrixconfig.WithRegistry(r), hystrixconfig.OnReload(func(hystrixconfig.Result) {
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		r.ConfigureCommand("other", hystrix.CommandConfig{})
		_ = r.Do("orders", func() error { return nil }, nil)
		if k < 3 {
			w.Reload()
		}
		done <- k
	}))
	w.Reload()
	for want := 1; want <= 3; want++ {
		select {
		case k := <-done:
			if k != want {
				t.Fatalf("reload %d, want %d", k, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("deadlock: Reload from OnReload")
		}
	}
}

func TestAdjustedCommandsWhoseFileSettingsDidNotChangeAreNotConfiguredAgain(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	text := "commands:\n  a: {recovery: {ramp: {factor: 2}}}\n  b: {timeout: 1s}\n"
	path := writeFile(t, dir, "h.yaml", text)
	rs := newResults()
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option(),
		hystrixconfig.WithAdjust(func(name string, c *hystrix.CommandConfig) {
			// Changes what the file gave, through a pointer, and adds
			// a function, which cannot be compared.
			if c.Recovery.Ramp != nil {
				c.Recovery.Ramp.Factor *= 2
			}
			c.IsBadRequest = hystrix.IsBadRequestFunc(func(error) bool { return false })
		}))
	for range 3 {
		w.Reload()
		if res := rs.next(t); res.Err != nil || len(res.Applied) != 0 {
			t.Fatalf("got %+v", res)
		}
	}
	writeFile(t, dir, "h.yaml", "commands:\n  a: {recovery: {ramp: {factor: 3}}}\n  b: {timeout: 1s}\n")
	w.Reload()
	if res := rs.next(t); res.Err != nil || fmt.Sprint(res.Applied) != "[a]" {
		t.Fatalf("got %+v", res)
	}
	c, _, _ := r.GetCircuit("a")
	if rec := c.Settings().Recovery; rec == nil || !strings.Contains(fmt.Sprintf("%+v", rec), "Factor:6") {
		t.Fatalf("recovery %+v, want a ramp of factor 6", rec)
	}
}

func TestARefusalOfWhatAdjustGaveNamesTheGoField(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	path := writeFile(t, t.TempDir(), "h.yaml", "commands:\n  orders: {trip: {consecutive_failures: 3}}\n")
	_, err := hystrixconfig.Watch(path, hystrixconfig.WithRegistry(r),
		hystrixconfig.WithAdjust(func(name string, c *hystrix.CommandConfig) {
			c.Trip.Policy = policy.ConsecutiveFailures{Threshold: 5}
		}))
	want := "orders: Trip.Policy cannot be combined with trip.consecutive_failures (at "
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got  %v\nwant %s...", err, want)
	}
	if _, ok := r.GetCircuitSettings()["orders"]; ok {
		t.Fatal("orders was configured")
	}
}
