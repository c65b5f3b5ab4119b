package hystrixconfig_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrixconfig"
)

// results collects what OnReload reports.
type results chan hystrixconfig.Result

func newResults() results { return make(results, 64) }

func (rs results) option() hystrixconfig.Option {
	return hystrixconfig.OnReload(func(r hystrixconfig.Result) { rs <- r })
}

// next waits for the next reload; it returns as soon as one is reported.
func (rs results) next(t *testing.T) hystrixconfig.Result {
	t.Helper()
	select {
	case r := <-rs:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no reload was reported")
	}
	return hystrixconfig.Result{}
}

// none checks that no reload is reported for a little while.
func (rs results) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case r := <-rs:
		t.Fatalf("unexpected reload: %+v", r)
	case <-time.After(d):
	}
}

func timeoutOf(r *hystrix.Registry, name string) time.Duration {
	s := r.GetCircuitSettings()[name]
	if s == nil {
		return 0
	}
	return s.Timeout
}

func watch(t *testing.T, path string, opts ...hystrixconfig.Option) *hystrixconfig.Watcher {
	t.Helper()
	w, err := hystrixconfig.Watch(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

func TestWatchAppliesTheFileAtOnce(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	path := writeFile(t, t.TempDir(), "h.yaml", "commands:\n  orders: {timeout: 2s}\n")
	w := watch(t, path, hystrixconfig.WithRegistry(r))
	if got := timeoutOf(r, "orders"); got != 2*time.Second {
		t.Fatalf("timeout %v", got)
	}
	if w.Path() != path {
		t.Fatalf("Path() = %q", w.Path())
	}
}

func TestWatchOfABadFileFailsAndChangesNothing(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r, _ := hystrixtest.NewRegistry(t)
	r.ConfigureCommand("orders", hystrix.CommandConfig{Timeout: 77})
	dir := t.TempDir()
	path := writeFile(t, dir, "h.json", `{"commands": {"orders": {"timeout": "7s"}, "users": {"timeout": "soon"}}}`)
	w, err := hystrixconfig.Watch(path, hystrixconfig.WithRegistry(r), hystrixconfig.OnFileChange(time.Millisecond))
	if err == nil || w != nil || !strings.HasPrefix(err.Error(), "users.timeout: ") {
		t.Fatalf("got %v, %v", w, err)
	}
	if got := timeoutOf(r, "orders"); got != 77*time.Millisecond {
		t.Fatalf("timeout %v", got)
	}
	if _, err := hystrixconfig.Watch(dir+"/missing.yaml", hystrixconfig.WithRegistry(r)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v", err)
	}
}

func TestWatchRefusesBadOptions(t *testing.T) {
	path := writeFile(t, t.TempDir(), "h.yaml", "commands: {}\n")
	for _, tc := range []struct {
		name string
		opt  hystrixconfig.Option
	}{
		{"nil registry", hystrixconfig.WithRegistry(nil)},
		{"no signal", hystrixconfig.OnSignal()},
		{"nil signal", hystrixconfig.OnSignal(nil)},
		{"zero interval", hystrixconfig.OnFileChange(0)},
		{"negative interval", hystrixconfig.OnFileChange(-time.Second)},
		{"nil OnReload", hystrixconfig.OnReload(nil)},
		{"nil adjust", hystrixconfig.WithAdjust(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if w, err := hystrixconfig.Watch(path, tc.opt); err == nil {
				_ = w.Close()
				t.Fatal("accepted")
			}
		})
	}
	if _, err := hystrixconfig.Watch(strings.TrimSuffix(path, ".yaml")+".ini", nil); !errors.Is(err, hystrixconfig.ErrUnknownFormat) {
		t.Fatalf("got %v", err)
	}
}

func TestReloadAppliesNewSettingsToLiveCircuits(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 1s}\n")
	rs := newResults()
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option())
	ok := func() error { return nil }
	if err := r.Do("orders", ok, nil); err != nil {
		t.Fatal(err)
	}
	c, _, _ := r.GetCircuit("orders")

	writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 3s, force_open: true}\n")
	w.Reload()
	res := rs.next(t)
	if res.Err != nil || res.Trigger != hystrixconfig.TriggerReload || fmt.Sprint(res.Applied) != "[orders]" {
		t.Fatalf("got %+v", res)
	}
	if got := c.Settings().Timeout; got != 3*time.Second {
		t.Fatalf("live circuit's timeout %v", got)
	}
	if err := r.Do("orders", ok, nil); !errors.Is(err, hystrix.ErrCircuitOpen) {
		t.Fatalf("got %v, want ErrCircuitOpen", err)
	}
}

func TestReloadKeepsTheOldSettingsOnABadFile(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	good := "commands:\n  orders: {timeout: 1s}\n  users: {timeout: 2s}\n"
	path := writeFile(t, dir, "h.yaml", good)
	rs := newResults()
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option())

	for _, tc := range []struct {
		name, text, want string
	}{
		{"bad value", "commands:\n  orders: {timeout: 9s}\n  users: {timeout: 1us}\n", "users.timeout: "},
		{"engine refusal", "commands:\n  orders: {timeout: 9s}\n  users: {error_percent_threshold: 101}\n", "users.error_percent_threshold: "},
		{"syntax error", "commands:\n  orders: {timeout: 9s\n", ""},
		{"unknown key", "commands:\n  orders: {timeout: 9s}\n  users: {timeot: 1s}\n", "users.timeot: "},
		{"empty", "", "the file is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, dir, "h.yaml", tc.text)
			w.Reload()
			res := rs.next(t)
			if res.Err == nil || !strings.HasPrefix(res.Err.Error(), tc.want) || len(res.Applied) != 0 || len(res.Reset) != 0 {
				t.Fatalf("got %+v", res)
			}
			if a, u := timeoutOf(r, "orders"), timeoutOf(r, "users"); a != time.Second || u != 2*time.Second {
				t.Fatalf("settings changed: orders %v, users %v", a, u)
			}
		})
	}
	writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 9s}\n  users: {timeout: 2s}\n")
	w.Reload()
	if res := rs.next(t); res.Err != nil || fmt.Sprint(res.Applied) != "[orders]" {
		t.Fatalf("got %+v", res)
	}
	if got := timeoutOf(r, "orders"); got != 9*time.Second {
		t.Fatalf("timeout %v", got)
	}
}

func TestReloadOfAMissingFileKeepsTheSettings(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 1s}\n")
	rs := newResults()
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option())
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	w.Reload()
	if res := rs.next(t); !errors.Is(res.Err, os.ErrNotExist) {
		t.Fatalf("got %+v", res)
	}
	if got := timeoutOf(r, "orders"); got != time.Second {
		t.Fatalf("timeout %v", got)
	}
}

func TestReloadConfiguresOnlyTheCommandsThatChanged(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "h.yaml", "defaults: {timeout: 1s}\ncommands:\n  a: {}\n  b: {}\n  c: {timeout: 2s}\n")
	rs := newResults()
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option())

	// The same settings written differently change nothing.
	writeFile(t, dir, "h.yaml", "commands:\n  a: {timeout: 1000}\n  b: {timeout: 1s}\n  c: {timeout: 2000ms}\n")
	w.Reload()
	if res := rs.next(t); res.Err != nil || len(res.Applied) != 0 || len(res.Reset) != 0 {
		t.Fatalf("got %+v", res)
	}
	writeFile(t, dir, "h.yaml", "defaults: {timeout: 5s}\ncommands:\n  a: {}\n  b: {timeout: 1s}\n  c: {timeout: 2s}\n")
	w.Reload()
	if res := rs.next(t); res.Err != nil || fmt.Sprint(res.Applied) != "[a]" {
		t.Fatalf("got %+v", res)
	}
}

func TestReloadResetsTheCommandsDroppedFromTheFile(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	r.ConfigureCommand("mine", hystrix.CommandConfig{Timeout: 42})
	dir := t.TempDir()
	path := writeFile(t, dir, "h.yaml", "commands:\n  a: {timeout: 3s}\n  b: {force_open: true}\n")
	rs := newResults()
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option())

	writeFile(t, dir, "h.yaml", "commands:\n  a: {timeout: 3s}\n")
	w.Reload()
	res := rs.next(t)
	if res.Err != nil || len(res.Applied) != 0 || fmt.Sprint(res.Reset) != "[b]" {
		t.Fatalf("got %+v", res)
	}
	if s := r.GetCircuitSettings()["b"]; s.ForceOpen || s.Timeout != time.Duration(hystrix.DefaultTimeout)*time.Millisecond {
		t.Fatalf("b not reset: %+v", s)
	}
	if got := timeoutOf(r, "mine"); got != 42*time.Millisecond {
		t.Fatalf("a command the file never named changed: %v", got)
	}
	// A command reset once is not reset again, and may come back.
	writeFile(t, dir, "h.yaml", "commands:\n  a: {timeout: 3s}\n  b: {timeout: 4s}\n")
	w.Reload()
	if res := rs.next(t); res.Err != nil || fmt.Sprint(res.Applied) != "[b]" || len(res.Reset) != 0 {
		t.Fatalf("got %+v", res)
	}
}

func TestFileChangeTriggersAReload(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "h.json", `{"commands": {"orders": {"timeout": "1s"}}}`)
	rs := newResults()
	watch(t, path, hystrixconfig.WithRegistry(r), rs.option(), hystrixconfig.OnFileChange(2*time.Millisecond))

	// Replaced by a rename, as editors and deployments do.
	writeFile(t, dir, "h.json", `{"commands": {"orders": {"timeout": "2s"}}}`)
	res := rs.next(t)
	if res.Err != nil || res.Trigger != hystrixconfig.TriggerChange {
		t.Fatalf("got %+v", res)
	}
	if got := timeoutOf(r, "orders"); got != 2*time.Second {
		t.Fatalf("timeout %v", got)
	}

	// Written in place, with the same size and maybe the same mtime.
	if err := os.WriteFile(path, []byte(`{"commands": {"orders": {"timeout": "3s"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// A poll may catch the file truncated and half written: that is
	// reported, and the next poll applies the whole file.
	for res := rs.next(t); res.Err != nil; res = rs.next(t) {
		t.Logf("seen while the file was being written: %v", res.Err)
	}
	if got := timeoutOf(r, "orders"); got != 3*time.Second {
		t.Fatalf("timeout %v", got)
	}

	// A bad file is reported once, not at every poll.
	writeFile(t, dir, "h.json", `{"commands": {"orders": {"timeout": "3 s"}}}`)
	if res := rs.next(t); res.Err == nil {
		t.Fatalf("got %+v", res)
	}
	rs.none(t, 30*time.Millisecond)
	if got := timeoutOf(r, "orders"); got != 3*time.Second {
		t.Fatalf("timeout %v", got)
	}

	// So is a file that disappears; it is applied again when it is back.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if res := rs.next(t); !errors.Is(res.Err, os.ErrNotExist) {
		t.Fatalf("got %+v", res)
	}
	rs.none(t, 30*time.Millisecond)
	writeFile(t, dir, "h.json", `{"commands": {"orders": {"timeout": "4s"}}}`)
	if res := rs.next(t); res.Err != nil {
		t.Fatalf("got %+v", res)
	}
	if got := timeoutOf(r, "orders"); got != 4*time.Second {
		t.Fatalf("timeout %v", got)
	}
}

func TestAnUnchangedFileIsNotReloaded(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	path := writeFile(t, t.TempDir(), "h.yaml", "commands:\n  orders: {timeout: 1s}\n")
	rs := newResults()
	watch(t, path, hystrixconfig.WithRegistry(r), rs.option(), hystrixconfig.OnFileChange(time.Millisecond))
	rs.none(t, 30*time.Millisecond)
}

func TestCloseStopsEverythingAndIsIdempotent(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	r, _ := hystrixtest.NewRegistry(t)
	path := writeFile(t, t.TempDir(), "h.yaml", "commands: {}\n")
	rs := newResults()
	w, err := hystrixconfig.Watch(path, hystrixconfig.WithRegistry(r), rs.option(), hystrixconfig.OnFileChange(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w.Reload() // does nothing
	rs.none(t, 10*time.Millisecond)
}

func TestTriggerStrings(t *testing.T) {
	for tr, want := range map[hystrixconfig.Trigger]string{
		hystrixconfig.TriggerReload: "reload",
		hystrixconfig.TriggerSignal: "signal",
		hystrixconfig.TriggerChange: "change",
		hystrixconfig.Trigger(0):    "Trigger(0)",
	} {
		if got := tr.String(); got != want {
			t.Errorf("%d: %q, want %q", int(tr), got, want)
		}
	}
	if hystrixconfig.JSON.String() != "JSON" || hystrixconfig.YAML.String() != "YAML" || hystrixconfig.Format(0).String() != "Format(0)" {
		t.Error("Format strings")
	}
}
