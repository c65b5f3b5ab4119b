package hystrixconfig_test

import (
	"fmt"
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// cmd wraps the settings of one command named "orders".
func cmd(settings string) string {
	return `{"commands": {"orders": {` + settings + `}}}`
}

func TestEveryFieldDecodesInBothFormats(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings string
		want     hystrix.CommandConfig
	}{
		{"timeout ms", `"timeout": 250`, hystrix.CommandConfig{Timeout: 250}},
		{"timeout duration", `"timeout": "1.5s"`, hystrix.CommandConfig{Timeout: 1500}},
		{"timeout negative ms", `"timeout": -1`, hystrix.CommandConfig{Timeout: -1}},
		{"timeout negative duration", `"timeout": "-1ms"`, hystrix.CommandConfig{Timeout: -1}},
		{"timeout minutes", `"timeout": "1m30s"`, hystrix.CommandConfig{Timeout: 90000}},
		{"timeout zero duration", `"timeout": "0s"`, hystrix.CommandConfig{}},
		{"max_concurrent_requests", `"max_concurrent_requests": 40`, hystrix.CommandConfig{MaxConcurrentRequests: 40}},
		{"max_concurrent_requests negative", `"max_concurrent_requests": -1`, hystrix.CommandConfig{MaxConcurrentRequests: -1}},
		{"request_volume_threshold", `"request_volume_threshold": 7`, hystrix.CommandConfig{RequestVolumeThreshold: 7}},
		{"sleep_window ms", `"sleep_window": 3000`, hystrix.CommandConfig{SleepWindow: 3000}},
		{"sleep_window duration", `"sleep_window": "3s"`, hystrix.CommandConfig{SleepWindow: 3000}},
		{"error_percent_threshold", `"error_percent_threshold": 25`, hystrix.CommandConfig{ErrorPercentThreshold: 25}},
		{"isolation caller", `"isolation": "caller"`, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation}},
		{"isolation goroutine", `"isolation": "goroutine"`, hystrix.CommandConfig{Isolation: hystrix.GoroutineIsolation}},
		{"isolation hystrix name", `"isolation": "SEMAPHORE"`, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation}},
		{"trip.consecutive_failures", `"trip": {"consecutive_failures": 3}`, hystrix.CommandConfig{Trip: hystrix.TripConfig{ConsecutiveFailures: 3}}},
		{"trip.slow_call ms", `"trip": {"slow_call_ms": 800, "slow_call_percent": 30}`, hystrix.CommandConfig{Trip: hystrix.TripConfig{SlowCallMs: 800, SlowCallPercent: 30}}},
		{"trip.slow_call duration", `"trip": {"slow_call_ms": "800ms", "slow_call_percent": 30}`, hystrix.CommandConfig{Trip: hystrix.TripConfig{SlowCallMs: 800, SlowCallPercent: 30}}},
		{"trip.adaptive_k", `"trip": {"adaptive_k": 1.5}`, hystrix.CommandConfig{Trip: hystrix.TripConfig{AdaptiveK: 1.5}}},
		{"trip empty", `"trip": {}`, hystrix.CommandConfig{}},
		{"recovery.ramp empty", `"recovery": {"ramp": {}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{}}}},
		{"recovery.ramp.start_per_minute", `"recovery": {"ramp": {"start_per_minute": 12.5}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StartPerMinute: 12.5}}}},
		{"recovery.ramp.factor", `"recovery": {"ramp": {"factor": 3}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{Factor: 3}}}},
		{"recovery.ramp.stage_ms ms", `"recovery": {"ramp": {"stage_ms": 20000}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StageMs: 20000}}}},
		{"recovery.ramp.stage_ms duration", `"recovery": {"ramp": {"stage_ms": "20s"}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StageMs: 20000}}}},
		{"recovery.probes", `"recovery": {"probes": 3, "successes": 2}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Probes: 3, Successes: 2}}},
		{"recovery.backoff empty", `"recovery": {"backoff": {}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Backoff: &hystrix.BackoffConfig{}}}},
		{"recovery.backoff.multiplier", `"recovery": {"backoff": {"multiplier": 1.5}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Backoff: &hystrix.BackoffConfig{Multiplier: 1.5}}}},
		{"recovery.backoff.max_ms ms", `"recovery": {"backoff": {"max_ms": 60000}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Backoff: &hystrix.BackoffConfig{MaxMs: 60000}}}},
		{"recovery.backoff.max_ms duration", `"recovery": {"backoff": {"max_ms": "1m"}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Backoff: &hystrix.BackoffConfig{MaxMs: 60000}}}},
		{"recovery.backoff.jitter", `"recovery": {"backoff": {"jitter": 0.25}}`, hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Backoff: &hystrix.BackoffConfig{Jitter: 0.25}}}},
		{"concurrency.adaptive", `"concurrency": {"adaptive": "aimd"}`, hystrix.CommandConfig{Concurrency: hystrix.ConcurrencyConfig{Adaptive: "aimd"}}},
		{"concurrency bounds", `"concurrency": {"adaptive": "gradient", "min": 2, "max": 50, "initial": 10}`, hystrix.CommandConfig{Concurrency: hystrix.ConcurrencyConfig{Adaptive: "gradient", Min: 2, Max: 50, Initial: 10}}},
		{"force_open", `"force_open": true`, hystrix.CommandConfig{ForceOpen: true}},
		{"force_closed", `"force_closed": true`, hystrix.CommandConfig{ForceClosed: true}},
		{"force_open false", `"force_open": false`, hystrix.CommandConfig{}},
		{"whole number with a fraction part", `"max_concurrent_requests": 4.0`, hystrix.CommandConfig{MaxConcurrentRequests: 4}},
		{"whole number with an exponent", `"timeout": 2e3`, hystrix.CommandConfig{Timeout: 2000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseBoth(t, cmd(tc.settings))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Commands["orders"]; !equalConfig(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestYAMLScalarsReadAsTheirJSONValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want hystrix.CommandConfig
	}{
		{"bare duration", "timeout: 500ms", hystrix.CommandConfig{Timeout: 500}},
		{"quoted duration", `timeout: "2s"`, hystrix.CommandConfig{Timeout: 2000}},
		{"number", "timeout: 750", hystrix.CommandConfig{Timeout: 750}},
		{"hex number", "max_concurrent_requests: 0x10", hystrix.CommandConfig{MaxConcurrentRequests: 16}},
		{"float", "trip: {adaptive_k: 2.5}", hystrix.CommandConfig{Trip: hystrix.TripConfig{AdaptiveK: 2.5}}},
		{"bool", "force_open: true", hystrix.CommandConfig{ForceOpen: true}},
		{"block nesting", "recovery:\n      ramp:\n        factor: 4\n        stage_ms: 10s", hystrix.CommandConfig{Recovery: hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{Factor: 4, StageMs: 10000}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := "commands:\n  orders:\n    " + tc.yaml + "\n"
			c, err := hystrixconfigParseYAML(text)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Commands["orders"]; !equalConfig(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestYAMLAnchorsAndAliasesWork(t *testing.T) {
	text := `
shared: &fast
  timeout: 100ms
commands:
  a: *fast
  b: *fast
`
	// "shared" is not a key of the file: anchors must live in a section.
	if _, err := hystrixconfigParseYAML(text); err == nil {
		t.Fatal("an unknown top-level key was accepted")
	}
	text = `
defaults: {sleep_window: 2s}
commands:
  a: &fast
    timeout: 100ms
  b: *fast
`
	c, err := hystrixconfigParseYAML(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		if got := c.Commands[name]; got.Timeout != 100 || got.SleepWindow != 2000 {
			t.Errorf("%s: got %+v", name, got)
		}
	}
}

func TestDefaultsMergeIntoEachCommandKeyByKey(t *testing.T) {
	text := `{
  "defaults": {
    "timeout": "500ms",
    "max_concurrent_requests": 20,
    "force_open": true,
    "trip": {"consecutive_failures": 5},
    "recovery": {"ramp": {"factor": 3, "stage_ms": "10s"}, "backoff": {"multiplier": 2}}
  },
  "commands": {
    "plain": {},
    "named_null": null,
    "explicit_zero": {"timeout": 0, "max_concurrent_requests": 0, "force_open": false},
    "deep": {"recovery": {"ramp": {"factor": 5}}},
    "no_ramp": {"recovery": {"ramp": null}},
    "no_recovery": {"recovery": null},
    "no_trip": {"trip": null}
  }
}`
	c, err := parseBoth(t, text)
	if err != nil {
		t.Fatal(err)
	}
	def := hystrix.CommandConfig{
		Timeout: 500, MaxConcurrentRequests: 20, ForceOpen: true,
		Trip: hystrix.TripConfig{ConsecutiveFailures: 5},
		Recovery: hystrix.RecoveryConfig{
			Ramp:    &hystrix.RampConfig{Factor: 3, StageMs: 10000},
			Backoff: &hystrix.BackoffConfig{Multiplier: 2},
		},
	}
	with := func(f func(c *hystrix.CommandConfig)) hystrix.CommandConfig {
		c := def
		r, b := *def.Recovery.Ramp, *def.Recovery.Backoff
		c.Recovery.Ramp, c.Recovery.Backoff = &r, &b
		f(&c)
		return c
	}
	want := map[string]hystrix.CommandConfig{
		"plain":      def,
		"named_null": def,
		"explicit_zero": with(func(c *hystrix.CommandConfig) {
			c.Timeout, c.MaxConcurrentRequests, c.ForceOpen = 0, 0, false
		}),
		"deep":        with(func(c *hystrix.CommandConfig) { c.Recovery.Ramp.Factor = 5 }),
		"no_ramp":     with(func(c *hystrix.CommandConfig) { c.Recovery.Ramp = nil }),
		"no_recovery": with(func(c *hystrix.CommandConfig) { c.Recovery = hystrix.RecoveryConfig{} }),
		"no_trip":     with(func(c *hystrix.CommandConfig) { c.Trip = hystrix.TripConfig{} }),
	}
	for name, w := range want {
		if got := c.Commands[name]; !equalConfig(got, w) {
			t.Errorf("%s: got %+v, want %+v", name, got, w)
		}
	}
	if len(c.Commands) != len(want) {
		t.Errorf("got %d commands, want %d", len(c.Commands), len(want))
	}
}

func TestMergedCommandsShareNoPointers(t *testing.T) {
	c, err := parseBoth(t, `{"defaults": {"recovery": {"ramp": {"factor": 2}}}, "commands": {"a": {}, "b": {}}}`)
	if err != nil {
		t.Fatal(err)
	}
	c.Commands["a"].Recovery.Ramp.Factor = 9
	if f := c.Commands["b"].Recovery.Ramp.Factor; f != 2 {
		t.Fatalf("changing a's ramp changed b's: factor %v", f)
	}
}

func TestEmptySectionsAreAllowed(t *testing.T) {
	for _, text := range []string{`{}`, `{"commands": {}}`, `{"defaults": {}, "commands": null}`, `{"defaults": null}`} {
		c, err := parseBoth(t, text)
		if err != nil {
			t.Errorf("%s: %v", text, err)
			continue
		}
		if len(c.Commands) != 0 {
			t.Errorf("%s: got commands %v", text, c.Commands)
		}
	}
}

func TestCommandNamesAreKeptAsWritten(t *testing.T) {
	names := []string{"orders", "Orders-API", "get user", "ä/ö", "123"}
	text := `{"commands": {`
	for i, n := range names {
		if i > 0 {
			text += ", "
		}
		text += fmt.Sprintf("%q: {\"timeout\": %d}", n, i+1)
	}
	text += "}}"
	c, err := parseBoth(t, text)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		if got := c.Commands[n].Timeout; got != i+1 {
			t.Errorf("%q: timeout %d, want %d", n, got, i+1)
		}
	}
}

func TestYAMLYesAndOnAreStringsNotBooleans(t *testing.T) {
	for _, v := range []string{"yes", "on", "Y"} {
		_, err := hystrixconfigParseYAML("commands:\n  orders:\n    force_open: " + v + "\n")
		want := fmt.Sprintf("orders.force_open: must be true or false, not %q (at line 3, column 17)", v)
		if err == nil || err.Error() != want {
			t.Errorf("%s: got %v, want %s", v, err, want)
		}
	}
}
