package hystrixconfig_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrixconfig"
)

func mustParse(t *testing.T, text string) *hystrixconfig.Config {
	t.Helper()
	c, err := hystrixconfig.Parse([]byte(text), hystrixconfig.YAML)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestApplyConfiguresEveryCommand(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	c := mustParse(t, `
defaults: {timeout: 300ms, sleep_window: 2s}
commands:
  orders: {max_concurrent_requests: 7}
  users: {timeout: 1m, isolation: caller}
`)
	if err := c.Apply(r); err != nil {
		t.Fatal(err)
	}
	s := r.GetCircuitSettings()
	if o := s["orders"]; o == nil || o.Timeout != 300*time.Millisecond || o.SleepWindow != 2*time.Second || o.MaxConcurrentRequests != 7 {
		t.Errorf("orders: %+v", o)
	}
	if u := s["users"]; u == nil || u.Timeout != time.Minute || u.Isolation != hystrix.CallerIsolation || u.MaxConcurrentRequests != hystrix.DefaultMaxConcurrent {
		t.Errorf("users: %+v", u)
	}
}

func TestApplyChangesNothingWhenOneCommandIsRefused(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	r.ConfigureCommand("a", hystrix.CommandConfig{Timeout: 111})
	r.ConfigureCommand("b", hystrix.CommandConfig{Timeout: 222})
	c := mustParse(t, "commands:\n  a: {timeout: 5s}\n  b: {timeout: 6s}\n")
	// Made invalid after the check Load does: Apply checks again.
	bad := c.Commands["b"]
	bad.ErrorPercentThreshold = 400
	c.Commands["b"] = bad
	err := c.Apply(r)
	var e *hystrixconfig.Error
	if !errors.As(err, &e) || e.Path() != "b.error_percent_threshold" {
		t.Fatalf("got %v", err)
	}
	s := r.GetCircuitSettings()
	if s["a"].Timeout != 111*time.Millisecond || s["b"].Timeout != 222*time.Millisecond {
		t.Fatalf("settings changed: a %v, b %v", s["a"].Timeout, s["b"].Timeout)
	}
}

func TestApplyReachesLiveCircuits(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	ok := func() error { return nil }
	if err := r.Do("orders", ok, nil); err != nil {
		t.Fatal(err)
	}
	if err := mustParse(t, "commands:\n  orders: {force_open: true}\n").Apply(r); err != nil {
		t.Fatal(err)
	}
	if err := r.Do("orders", ok, nil); !errors.Is(err, hystrix.ErrCircuitOpen) {
		t.Fatalf("got %v, want ErrCircuitOpen from the live circuit", err)
	}
	if err := mustParse(t, "commands:\n  orders: {}\n").Apply(r); err != nil {
		t.Fatal(err)
	}
	if err := r.Do("orders", ok, nil); err != nil {
		t.Fatalf("got %v after force_open was dropped", err)
	}
}

func TestApplyLeavesOtherCommandsAlone(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	r.ConfigureCommand("mine", hystrix.CommandConfig{Timeout: 42})
	if err := mustParse(t, "commands:\n  orders: {timeout: 1s}\n").Apply(r); err != nil {
		t.Fatal(err)
	}
	if got := r.GetCircuitSettings()["mine"].Timeout; got != 42*time.Millisecond {
		t.Fatalf("mine: timeout %v", got)
	}
}

func TestApplyToNilUsesTheDefaultRegistry(t *testing.T) {
	name := "hystrixconfig-apply-default-" + t.Name()
	c := mustParse(t, "commands:\n  "+name+": {timeout: 1234ms}\n")
	if err := c.Apply(nil); err != nil {
		t.Fatal(err)
	}
	if got := hystrix.GetCircuitSettings()[name].Timeout; got != 1234*time.Millisecond {
		t.Fatalf("timeout %v", got)
	}
}

func TestZeroConfigAppliesNothing(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	var c hystrixconfig.Config
	if err := c.Apply(r); err != nil {
		t.Fatal(err)
	}
	if n := len(r.GetCircuitSettings()); n != 0 {
		t.Fatalf("%d commands configured", n)
	}
}
