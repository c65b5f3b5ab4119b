package hystrixconfig_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrixconfig"
)

// env is a lookup over a fixed environment.
func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestEnvName(t *testing.T) {
	for _, tc := range []struct{ command, field, want string }{
		{"orders", "timeout", "HYSTRIX_ORDERS_TIMEOUT"},
		{"orders-api", "recovery.ramp.factor", "HYSTRIX_ORDERS_API_RECOVERY_RAMP_FACTOR"},
		{"Get User", "max_concurrent_requests", "HYSTRIX_GET_USER_MAX_CONCURRENT_REQUESTS"},
		{"ä2", "force_open", "HYSTRIX__2_FORCE_OPEN"},
	} {
		if got := hystrixconfig.EnvName(tc.command, tc.field); got != tc.want {
			t.Errorf("EnvName(%q, %q) = %q, want %q", tc.command, tc.field, got, tc.want)
		}
	}
}

func TestOverrideTakesEveryKindOfValueFromTheEnvironment(t *testing.T) {
	c := mustParse(t, "defaults: {timeout: 1s}\ncommands:\n  orders: {sleep_window: 2s}\n  users: {}\n")
	err := c.Override(env(map[string]string{
		"HYSTRIX_ORDERS_TIMEOUT":                  "250",
		"HYSTRIX_ORDERS_SLEEP_WINDOW":             "3s",
		"HYSTRIX_ORDERS_MAX_CONCURRENT_REQUESTS":  "7",
		"HYSTRIX_ORDERS_ISOLATION":                "caller",
		"HYSTRIX_ORDERS_RECOVERY_RAMP_FACTOR":     "2.5",
		"HYSTRIX_ORDERS_RECOVERY_RAMP_STAGE_MS":   "1m",
		"HYSTRIX_ORDERS_CONCURRENCY_ADAPTIVE":     "aimd",
		"HYSTRIX_ORDERS_FORCE_CLOSED":             "1",
		"HYSTRIX_ORDERS_ERROR_PERCENT_THRESHOLD":  "", // empty: unset
		"HYSTRIX_USERS_REQUEST_VOLUME_THRESHOLD":  "2e1",
		"HYSTRIX_NOBODY_TIMEOUT":                  "5",
		"HYSTRIX_DEFAULTS_MAX_CONCURRENT_REQUEST": "5",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := hystrix.CommandConfig{
		Timeout: 250, SleepWindow: 3000, MaxConcurrentRequests: 7, Isolation: hystrix.CallerIsolation,
		Recovery:    hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{Factor: 2.5, StageMs: 60000}},
		Concurrency: hystrix.ConcurrencyConfig{Adaptive: "aimd"},
		ForceClosed: true,
	}
	if got := c.Commands["orders"]; !equalConfig(got, want) {
		t.Errorf("orders: got %+v, want %+v", got, want)
	}
	if got := c.Commands["users"]; !equalConfig(got, hystrix.CommandConfig{Timeout: 1000, RequestVolumeThreshold: 20}) {
		t.Errorf("users: got %+v", got)
	}
	if len(c.Commands) != 2 {
		t.Errorf("commands %v: a variable added a command", c.Commands)
	}
}

func TestOverrideChangesNothingWhenAValueIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"bad form", map[string]string{"HYSTRIX_ORDERS_TIMEOUT": "soon", "HYSTRIX_ORDERS_SLEEP_WINDOW": "1s"},
			`orders.timeout: "soon" is not a duration such as "500ms" or "5s" (from $HYSTRIX_ORDERS_TIMEOUT)`},
		{"not whole", map[string]string{"HYSTRIX_ORDERS_MAX_CONCURRENT_REQUESTS": "2.5"},
			`orders.max_concurrent_requests: 2.5 is not a whole number (from $HYSTRIX_ORDERS_MAX_CONCURRENT_REQUESTS)`},
		{"not a bool", map[string]string{"HYSTRIX_ORDERS_FORCE_OPEN": "yes"},
			`orders.force_open: must be true or false, not "yes" (from $HYSTRIX_ORDERS_FORCE_OPEN)`},
		{"engine refusal", map[string]string{"HYSTRIX_ORDERS_ERROR_PERCENT_THRESHOLD": "101"},
			`orders.error_percent_threshold: must be between 1 and 100 (0 means the default) (got 101) (from $HYSTRIX_ORDERS_ERROR_PERCENT_THRESHOLD)`},
		{"ambiguous", map[string]string{"HYSTRIX_GET_USER_TRIP_ADAPTIVE_K": "2"},
			`the variable is ambiguous: it names get-user.trip.adaptive_k and get_user.trip.adaptive_k (from $HYSTRIX_GET_USER_TRIP_ADAPTIVE_K)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, "commands:\n  orders: {timeout: 1s}\n  get-user: {}\n  get_user: {}\n")
			err := c.Override(env(tc.vars))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
			var e *hystrixconfig.Error
			if !errors.As(err, &e) || e.Env == "" || !errors.Is(err, hystrix.ErrInvalidConfig) {
				t.Fatalf("got %#v", e)
			}
			if got := c.Commands["orders"]; !equalConfig(got, hystrix.CommandConfig{Timeout: 1000}) {
				t.Fatalf("orders changed: %+v", got)
			}
		})
	}
	if err := mustParse(t, "commands: {}\n").Override(nil); err == nil {
		t.Fatal("Override(nil) accepted")
	}
}

func TestWatcherTakesTheEnvironmentAtEveryReload(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 1s, sleep_window: 1s}\n")
	vars := map[string]string{"HYSTRIX_ORDERS_TIMEOUT": "5s"}
	rs := newResults()
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option(), hystrixconfig.WithEnv(env(vars)))
	if got := timeoutOf(r, "orders"); got != 5*time.Second {
		t.Fatalf("timeout %v", got)
	}
	writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 2s, sleep_window: 2s}\n")
	w.Reload()
	if res := rs.next(t); res.Err != nil {
		t.Fatal(res.Err)
	}
	if s := r.GetCircuitSettings()["orders"]; s.Timeout != 5*time.Second || s.SleepWindow != 2*time.Second {
		t.Fatalf("got %+v", s)
	}
	if _, err := hystrixconfig.Watch(path, hystrixconfig.WithEnv(nil)); err == nil || !strings.Contains(err.Error(), "WithEnv(nil)") {
		t.Fatalf("got %v", err)
	}
}
