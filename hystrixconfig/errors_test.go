package hystrixconfig_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrixconfig"
)

func TestErrorsNameTheCommandAndTheField(t *testing.T) {
	for _, tc := range []struct {
		name, settings, want string
	}{
		// The form of values.
		{"duration not whole ms", `"timeout": "1500us"`, `orders.timeout: "1500us" is not a whole number of milliseconds`},
		{"duration not whole ms nested", `"recovery": {"ramp": {"stage_ms": "1.0001s"}}`, `orders.recovery.ramp.stage_ms: "1.0001s" is not a whole number of milliseconds`},
		{"fraction of ms", `"sleep_window": 1.5`, `orders.sleep_window: 1.5 is not a whole number`},
		{"duration without unit", `"timeout": "500"`, `orders.timeout: "500" has no unit: write 500 for milliseconds, or a duration such as "500ms"`},
		{"not a duration", `"sleep_window": "soon"`, `orders.sleep_window: "soon" is not a duration such as "500ms" or "5s"`},
		{"duration of wrong type", `"trip": {"slow_call_ms": true}`, `orders.trip.slow_call_ms: must be a whole number of milliseconds or a duration such as "500ms", not true`},
		{"duration overflow", `"timeout": "9999999999h"`, `orders.timeout: "9999999999h" is not a duration such as "500ms" or "5s"`},
		{"int as string", `"max_concurrent_requests": "10"`, `orders.max_concurrent_requests: must be a whole number, not "10"`},
		{"int with fraction", `"request_volume_threshold": 2.5`, `orders.request_volume_threshold: 2.5 is not a whole number`},
		{"int out of range", `"max_concurrent_requests": 1e30`, `orders.max_concurrent_requests: 1e30 is out of range`},
		{"float as string", `"trip": {"adaptive_k": "2"}`, `orders.trip.adaptive_k: must be a number, not "2"`},
		{"float out of range", `"recovery": {"backoff": {"jitter": 1e999}}`, `orders.recovery.backoff.jitter: 1e999 is out of range`},
		{"bool as string", `"force_open": "true"`, `orders.force_open: must be true or false, not "true"`},
		{"bool as number", `"force_closed": 1`, `orders.force_closed: must be true or false, not 1`},
		{"isolation unknown", `"isolation": "thread-pool"`, `orders.isolation: must be "goroutine" or "caller", not "thread-pool"`},
		{"isolation number", `"isolation": 1`, `orders.isolation: must be "goroutine" or "caller", not 1`},
		{"adaptive not a string", `"concurrency": {"adaptive": 1}`, `orders.concurrency.adaptive: must be a string, not 1`},
		{"null field", `"timeout": null`, `orders.timeout: must not be null; leave the key out to take the defaults`},
		{"object as number", `"trip": 3`, `orders.trip: must be an object, not 3`},
		{"object as array", `"recovery": {"ramp": [1]}`, `orders.recovery.ramp: must be an object, not an array`},
		// Keys.
		{"unknown key", `"timeout_ms": 5`, `orders.timeout_ms: unknown key (known keys here: concurrency, error_percent_threshold, force_closed, force_open, isolation, max_concurrent_requests, recovery, request_volume_threshold, sleep_window, timeout, trip)`},
		{"unknown nested key", `"trip": {"failures": 3}`, `orders.trip.failures: unknown key (known keys here: adaptive_k, consecutive_failures, slow_call_ms, slow_call_percent)`},
		{"unknown deep key", `"recovery": {"ramp": {"rate": 3}}`, `orders.recovery.ramp.rate: unknown key (known keys here: factor, stage_ms, start_per_minute)`},
		{"Go-only key", `"IsBadRequest": 1`, `orders.IsBadRequest: unknown key (known keys here: concurrency, error_percent_threshold, force_closed, force_open, isolation, max_concurrent_requests, recovery, request_volume_threshold, sleep_window, timeout, trip)`},
		{"duplicate key", `"timeout": 5, "timeout": 6`, `orders.timeout: duplicate key (first given at line 1)`},
		// The engine's rules.
		{"negative sleep window", `"sleep_window": "-5s"`, `orders.sleep_window: must not be negative (got -5000 ms)`},
		{"percent above 100", `"error_percent_threshold": 150`, `orders.error_percent_threshold: must be between 1 and 100 (0 means the default) (got 150)`},
		{"negative volume", `"request_volume_threshold": -3`, `orders.request_volume_threshold: must not be negative (got -3)`},
		{"timeout too long", `"timeout": "2000000h"`, `orders.timeout: is too long (at most 2305843009213 ms) (got 7200000000000 ms)`},
		{"both forces", `"force_open": true, "force_closed": true`, `orders.force_closed: cannot be set with force_open`},
		{"slow call alone", `"trip": {"slow_call_ms": "1s"}`, `orders.trip.slow_call_percent: trip.slow_call_percent and trip.slow_call_ms are set together or not at all`},
		{"adaptive k", `"trip": {"adaptive_k": 0.5}`, `orders.trip.adaptive_k: must be above 1 (got 0.5)`},
		{"negative consecutive", `"trip": {"consecutive_failures": -1}`, `orders.trip.consecutive_failures: must not be negative (got -1)`},
		{"probes with ramp", `"recovery": {"probes": 2, "ramp": {}}`, `orders.recovery.probes: cannot be combined with recovery.ramp (got 2)`},
		{"successes above probes", `"recovery": {"probes": 2, "successes": 3}`, `orders.recovery.successes: must not exceed recovery.probes (2) (got 3)`},
		{"ramp factor", `"recovery": {"ramp": {"factor": 0.5}}`, `orders.recovery.ramp.factor: must be at least 1 (got 0.5)`},
		{"ramp stage negative", `"recovery": {"ramp": {"stage_ms": "-1s"}}`, `orders.recovery.ramp.stage_ms: must not be negative (got -1000 ms)`},
		{"backoff jitter", `"recovery": {"backoff": {"jitter": 1}}`, `orders.recovery.backoff.jitter: must be at least 0 and below 1 (got 1)`},
		{"backoff max negative", `"recovery": {"backoff": {"max_ms": -1}}`, `orders.recovery.backoff.max_ms: must not be negative (got -1 ms)`},
		{"adaptive unknown", `"concurrency": {"adaptive": "vegas"}`, `orders.concurrency.adaptive: is not "aimd" or "gradient" (got "vegas")`},
		{"concurrency min above max", `"concurrency": {"adaptive": "aimd", "min": 9, "max": 3}`, `orders.concurrency.min: must not exceed concurrency.max (3) (got 9)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseBoth(t, cmd(tc.settings))
			if err == nil {
				t.Fatal("accepted")
			}
			got := firstLine(err)
			if i := strings.LastIndex(got, " (at line"); i >= 0 {
				got = got[:i]
			}
			if got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
			if !errors.Is(err, hystrix.ErrInvalidConfig) {
				t.Errorf("errors.Is(err, hystrix.ErrInvalidConfig) is false for %v", err)
			}
			var e *hystrixconfig.Error
			if !errors.As(err, &e) || e.Command != "orders" {
				t.Errorf("errors.As gave %+v", e)
			}
		})
	}
}

func TestEngineRefusalsWrapTheConfigError(t *testing.T) {
	_, err := hystrixconfig.Parse([]byte(cmd(`"error_percent_threshold": 101`)), hystrixconfig.JSON)
	var ce *hystrix.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("no *hystrix.ConfigError in %v", err)
	}
	if ce.Command != "orders" || ce.Field != "ErrorPercentThreshold" || ce.Value != 101 {
		t.Fatalf("got %+v", ce)
	}
	var e *hystrixconfig.Error
	if !errors.As(err, &e) || e.Field != "error_percent_threshold" || e.Path() != "orders.error_percent_threshold" {
		t.Fatalf("got %+v", e)
	}
}

func TestErrorsOutsideCommandsNameTheirPlace(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"defaults field", `{"defaults": {"timeout": "1us"}}`, `defaults.timeout: "1us" is not a whole number of milliseconds (at line 1, column 26)`},
		{"defaults unknown key", `{"defaults": {"oops": 1}}`, `defaults.oops: unknown key (known keys here: concurrency, error_percent_threshold, force_closed, force_open, isolation, max_concurrent_requests, recovery, request_volume_threshold, sleep_window, timeout, trip) (at line 1, column 15)`},
		{"defaults not an object", `{"defaults": 5}`, `defaults: must be an object of settings, not 5 (at line 1, column 14)`},
		{"unknown top-level key", `{"command": {}}`, `command: unknown key (the top level holds "defaults" and "commands") (at line 1, column 2)`},
		{"commands not an object", `{"commands": []}`, `commands: must be an object from command name to settings, not an array (at line 1, column 14)`},
		{"command not an object", `{"commands": {"orders": 5}}`, `orders: must be an object of settings, not 5 (at line 1, column 25)`},
		{"empty command name", `{"commands": {"": {}}}`, `commands: a command name must not be empty (at line 1, column 15)`},
		{"duplicate command", `{"commands": {"a": {}, "a": {}}}`, `a: duplicate key (first given at line 1) (at line 1, column 24)`},
		{"top level not an object", `[1, 2]`, `the file must hold an object with "defaults" and "commands", not an array (at line 1, column 1)`},
		{"empty file", " \n  \n", `the file is empty`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errJ := hystrixconfig.Parse([]byte(tc.text), hystrixconfig.JSON)
			if errJ == nil || errJ.Error() != tc.want {
				t.Errorf("JSON: got  %v\nwant %s", errJ, tc.want)
			}
			_, errY := hystrixconfig.Parse([]byte(tc.text), hystrixconfig.YAML)
			if errY == nil || errY.Error() != tc.want {
				t.Errorf("YAML: got  %v\nwant %s", errY, tc.want)
			}
		})
	}
}

func TestErrorsGiveTheLineOfTheValueInBothFormats(t *testing.T) {
	json := "{\n  \"commands\": {\n    \"orders\": {\n      \"timeout\": \"fast\"\n    }\n  }\n}\n"
	yaml := "commands:\n  orders:\n    max_concurrent_requests: 5\n    timeout: fast\n"
	for _, tc := range []struct {
		file, text, want string
	}{
		{"s.json", json, `orders.timeout: "fast" is not a duration such as "500ms" or "5s" (at DIR/s.json:4:18)`},
		{"s.yaml", yaml, `orders.timeout: "fast" is not a duration such as "500ms" or "5s" (at DIR/s.yaml:4:14)`},
	} {
		dir := t.TempDir()
		path := writeFile(t, dir, tc.file, tc.text)
		_, err := hystrixconfig.Load(path)
		want := strings.Replace(tc.want, "DIR", dir, 1)
		if err == nil || err.Error() != want {
			t.Errorf("got  %v\nwant %s", err, want)
		}
		var e *hystrixconfig.Error
		if errors.As(err, &e) && (e.File != path || e.Line != 4) {
			t.Errorf("got file %q line %d", e.File, e.Line)
		}
	}
}

func TestEngineRefusalPointsAtTheValueEvenWhenTheDefaultsGaveIt(t *testing.T) {
	text := "defaults:\n  error_percent_threshold: 500\ncommands:\n  a: {}\n  b:\n    error_percent_threshold: 20\n"
	_, err := hystrixconfig.Parse([]byte(text), hystrixconfig.YAML)
	want := `a.error_percent_threshold: must be between 1 and 100 (0 means the default) (got 500) (at line 2, column 28)`
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}

func TestEveryProblemIsReportedInFileOrder(t *testing.T) {
	text := `{"commands": {
  "b": {"timeout": "1x"},
  "a": {"sleep_window": true, "nope": 1}
}}`
	_, err := hystrixconfig.Parse([]byte(text), hystrixconfig.JSON)
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{"b.timeout:", "a.sleep_window:", "a.nope:"}
	if len(lines) != len(want) {
		t.Fatalf("got %d errors:\n%v", len(lines), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d: got %q, want it to start with %q", i, lines[i], w)
		}
	}
}

func TestSyntaxErrorsGiveTheirLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format hystrixconfig.Format
		text   string
		line   int
	}{
		{"JSON trailing comma", hystrixconfig.JSON, "{\n\"commands\": {\n\"a\": {},\n}\n}", 4},
		{"JSON unterminated", hystrixconfig.JSON, "{\n\"commands\": {", 2},
		{"JSON trailing data", hystrixconfig.JSON, "{}\n{}", 2},
		{"JSON non-string key", hystrixconfig.JSON, "{\n1: 2}", 2},
		{"YAML tab indentation", hystrixconfig.YAML, "commands:\n\ta: {}\n", 2},
		{"YAML two documents", hystrixconfig.YAML, "commands: {}\n---\ncommands: {}\n", 2},
		{"YAML comments only", hystrixconfig.YAML, "# nothing yet\n\n", 0},
		{"YAML merge key", hystrixconfig.YAML, "defaults: &d {timeout: 5}\ncommands:\n  a:\n    <<: *d\n", 4},
		{"YAML infinity", hystrixconfig.YAML, "commands:\n  a:\n    trip:\n      adaptive_k: .inf\n", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := hystrixconfig.Parse([]byte(tc.text), tc.format)
			var e *hystrixconfig.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v", err)
			}
			if e.Line != tc.line {
				t.Fatalf("got line %d, want %d: %v", e.Line, tc.line, err)
			}
		})
	}
}

func TestLoadPicksTheFormatByExtension(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.json", "b.yaml", "c.yml", "D.YAML"} {
		path := writeFile(t, dir, name, `{"commands": {"x": {"timeout": "2s"}}}`)
		c, err := hystrixconfig.Load(path)
		if err != nil || c.Commands["x"].Timeout != 2000 {
			t.Errorf("%s: %v %+v", name, err, c)
		}
	}
	// YAML-only syntax in a .json file is a JSON syntax error.
	path := writeFile(t, dir, "e.json", "commands:\n  x: {}\n")
	if _, err := hystrixconfig.Load(path); err == nil {
		t.Error("YAML in a .json file was accepted")
	}
	path = writeFile(t, dir, "f.toml", "")
	if _, err := hystrixconfig.Load(path); !errors.Is(err, hystrixconfig.ErrUnknownFormat) {
		t.Errorf("got %v, want ErrUnknownFormat", err)
	}
	if _, err := hystrixconfig.Parse([]byte("{}"), hystrixconfig.Format(9)); !errors.Is(err, hystrixconfig.ErrUnknownFormat) {
		t.Errorf("got %v, want ErrUnknownFormat", err)
	}
	if _, err := hystrixconfig.Load(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

func TestLoadRefusesAnOversizedFile(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "big.json", `{"commands": {}}`+strings.Repeat(" ", hystrixconfig.MaxFileSize))
	_, err := hystrixconfig.Load(path)
	var e *hystrixconfig.Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("got %v", err)
	}
}

func TestHostileInputsAreRefusedWithinBounds(t *testing.T) {
	deep := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	for _, format := range []hystrixconfig.Format{hystrixconfig.JSON, hystrixconfig.YAML} {
		_, err := hystrixconfig.Parse([]byte(`{"commands": {"a": {"timeout": `+deep+`}}}`), format)
		if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("%v: got %v", format, err)
		}
	}
	// Each level of aliases multiplies the values by ten: a billion at
	// the last one, unless the expansion is bounded.
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		bomb += name + ": &" + name + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", ") + "]\n"
		prev = name
	}
	start := time.Now()
	_, err := hystrixconfig.Parse([]byte("defaults: {}\ncommands: {}\nz:\n  "+strings.ReplaceAll(bomb, "\n", "\n  ")), hystrixconfig.YAML)
	if err == nil || !strings.Contains(err.Error(), "too many values") {
		t.Errorf("got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}
