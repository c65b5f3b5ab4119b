package hystrixconfig_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrixconfig"
)

// FuzzParse checks that any input gives either an error that names what is
// wrong or settings the engine takes, and that the settings survive being
// written back out as JSON.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"commands": {"orders": {"timeout": "500ms", "sleep_window": 5000}}}`,
		`{"defaults": {"recovery": {"ramp": {"factor": 2, "stage_ms": "1s"}}}, "commands": {"a": {}, "b": {"recovery": {"ramp": null}}}}`,
		`{"commands": {"a": {"trip": {"slow_call_ms": "1s", "slow_call_percent": 50, "adaptive_k": 2}}}}`,
		`{"commands": {"a": {"concurrency": {"adaptive": "aimd", "min": 1, "max": 9}, "force_open": true}}}`,
		"defaults:\n  timeout: 1s\ncommands:\n  a: &x {max_concurrent_requests: 3}\n  b: *x\n",
		"commands:\n  a:\n    recovery: {probes: 3, successes: 2, backoff: {multiplier: 2, max_ms: 1m, jitter: 0.1}}\n",
		`{"commands": {"a": {"timeout": 1e400}}}`,
		"[",
		"",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, yaml bool) {
		format := hystrixconfig.JSON
		if yaml {
			format = hystrixconfig.YAML
		}
		c, err := hystrixconfig.Parse(data, format)
		if err != nil {
			var e *hystrixconfig.Error
			if !errors.As(err, &e) || e.Reason == "" || !errors.Is(err, hystrix.ErrInvalidConfig) {
				t.Fatalf("error %q (%T) is not an *Error with a reason", err, err)
			}
			return
		}
		r := hystrix.NewRegistry()
		for name, cfg := range c.Commands {
			if err := r.TryConfigureCommand(name, cfg); err != nil {
				t.Fatalf("accepted settings the engine refuses: %v", err)
			}
		}
		checkRoundTrip(t, c)
	})
}

// checkRoundTrip writes c's commands with encoding/json, as a program
// that saves hystrix.CommandConfig values would, and parses them back.
func checkRoundTrip(t *testing.T, c *hystrixconfig.Config) {
	t.Helper()
	out, err := json.Marshal(map[string]any{"commands": c.Commands})
	if err != nil {
		t.Fatal(err)
	}
	back, err := hystrixconfig.Parse(out, hystrixconfig.JSON)
	if err != nil {
		t.Fatalf("%s does not parse back: %v", out, err)
	}
	if !sameCommands(c.Commands, back.Commands) {
		t.Fatalf("round trip through %s changed\n%+v\nto %+v", out, c.Commands, back.Commands)
	}
}

func TestSettingsWrittenByEncodingJSONParseBack(t *testing.T) {
	c, err := parseBoth(t, `{"commands": {
		"a": {"timeout": "2s", "isolation": "caller", "trip": {"consecutive_failures": 4}},
		"b": {"recovery": {"ramp": {"start_per_minute": 6, "factor": 1.5, "stage_ms": "30s"}, "backoff": {"jitter": 0.2}}},
		"c": {"concurrency": {"adaptive": "gradient", "max": 80}, "force_closed": true}
	}}`)
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, c)
}
