package hystrixconfig_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrixconfig"
)

const exampleFile = `
defaults:
  timeout: 500ms
  sleep_window: 5s
commands:
  orders:
    timeout: 2s
    max_concurrent_requests: 50
  users: {}
`

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "hystrixconfig")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hystrix.yaml")
	_ = os.WriteFile(path, []byte(exampleFile), 0o644)

	cfg, err := hystrixconfig.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("orders: timeout %d ms, sleep window %d ms, %d at once\n",
		cfg.Commands["orders"].Timeout, cfg.Commands["orders"].SleepWindow, cfg.Commands["orders"].MaxConcurrentRequests)
	fmt.Printf("users: timeout %d ms\n", cfg.Commands["users"].Timeout)
	// Output:
	// orders: timeout 2000 ms, sleep window 5000 ms, 50 at once
	// users: timeout 500 ms
}

func ExampleConfig_Apply() {
	cfg, err := hystrixconfig.Parse([]byte(exampleFile), hystrixconfig.YAML)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := hystrix.NewRegistry() // or nil for hystrix.DefaultRegistry()
	if err := cfg.Apply(r); err != nil {
		fmt.Println(err)
		return
	}
	s := r.GetCircuitSettings()
	fmt.Println("orders:", s["orders"].Timeout, s["orders"].MaxConcurrentRequests)
	fmt.Println("users:", s["users"].Timeout, s["users"].MaxConcurrentRequests)
	// Output:
	// orders: 2s 50
	// users: 500ms 10
}

func ExampleParse_errors() {
	_, err := hystrixconfig.Parse([]byte(`{
  "commands": {
    "orders": {"timeout": "1500us", "retries": 3},
    "users": {"error_percent_threshold": 120}
  }
}`), hystrixconfig.JSON)
	fmt.Println(err)

	var e *hystrixconfig.Error
	if errors.As(err, &e) {
		fmt.Printf("first: command %q, field %q, line %d\n", e.Command, e.Field, e.Line)
	}
	fmt.Println(errors.Is(err, hystrix.ErrInvalidConfig))
	// Output:
	// orders.timeout: "1500us" is not a whole number of milliseconds (at line 3, column 27)
	// orders.retries: unknown key (known keys here: concurrency, error_percent_threshold, force_closed, force_open, isolation, max_concurrent_requests, recovery, request_volume_threshold, sleep_window, timeout, trip) (at line 3, column 37)
	// users.error_percent_threshold: must be between 1 and 100 (0 means the default) (got 120) (at line 4, column 42)
	// first: command "orders", field "timeout", line 3
	// true
}

func ExampleFormatOf() {
	for _, name := range []string{"hystrix.json", "hystrix.yml", "HYSTRIX.YAML", "hystrix.toml"} {
		f, err := hystrixconfig.FormatOf(name)
		fmt.Println(name, f, err != nil)
	}
	// Output:
	// hystrix.json JSON false
	// hystrix.yml YAML false
	// HYSTRIX.YAML YAML false
	// hystrix.toml Format(0) true
}

func ExampleWatch() {
	dir, _ := os.MkdirTemp("", "hystrixconfig")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hystrix.json")
	_ = os.WriteFile(path, []byte(`{"commands": {"orders": {"timeout": "1s"}}}`), 0o644)

	r := hystrix.NewRegistry()
	results := make(chan hystrixconfig.Result, 1)
	w, err := hystrixconfig.Watch(path,
		hystrixconfig.WithRegistry(r),
		// A program would add OnSignal(syscall.SIGHUP) and/or
		// OnFileChange(time.Second); this example reloads by hand.
		hystrixconfig.OnReload(func(res hystrixconfig.Result) { results <- res }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	fmt.Println("started:", r.GetCircuitSettings()["orders"].Timeout)

	// A bad file is refused and the settings stay.
	_ = os.WriteFile(path, []byte(`{"commands": {"orders": {"timeout": "fast"}}}`), 0o644)
	w.Reload()
	res := <-results
	fmt.Println("refused:", res.Err != nil, r.GetCircuitSettings()["orders"].Timeout)

	// A good one is applied, to live circuits too.
	_ = os.WriteFile(path, []byte(`{"commands": {"orders": {"timeout": "3s"}}}`), 0o644)
	w.Reload()
	res = <-results
	fmt.Println("applied:", res.Applied, r.GetCircuitSettings()["orders"].Timeout)
	// Output:
	// started: 1s
	// refused: true 1s
	// applied: [orders] 3s
}

func ExampleWithAdjust() {
	dir, _ := os.MkdirTemp("", "hystrixconfig")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hystrix.yaml")
	_ = os.WriteFile(path, []byte("commands:\n  users: {timeout: 300ms}\n"), 0o644)

	errNotFound := errors.New("user not found")
	r := hystrix.NewRegistry()
	w, err := hystrixconfig.Watch(path,
		hystrixconfig.WithRegistry(r),
		// What a file cannot say is added at every reload.
		hystrixconfig.WithAdjust(func(name string, c *hystrix.CommandConfig) {
			if name == "users" {
				c.IsBadRequest = hystrix.IsBadRequestFunc(func(err error) bool {
					return errors.Is(err, errNotFound)
				})
			}
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	s := r.GetCircuitSettings()["users"]
	fmt.Println(s.Timeout, s.IsBadRequest.IsBadRequest(errNotFound))
	// Output:
	// 300ms true
}

func ExampleConfig_Override() {
	cfg, err := hystrixconfig.Parse([]byte(exampleFile), hystrixconfig.YAML)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A program passes os.LookupEnv.
	environ := map[string]string{"HYSTRIX_ORDERS_TIMEOUT": "750ms", "HYSTRIX_USERS_FORCE_OPEN": "true"}
	lookup := func(name string) (string, bool) { v, ok := environ[name]; return v, ok }
	if err := cfg.Override(lookup); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Commands["orders"].Timeout, cfg.Commands["users"].ForceOpen)

	environ["HYSTRIX_ORDERS_TIMEOUT"] = "soon"
	fmt.Println(cfg.Override(lookup))
	// Output:
	// 750 true
	// orders.timeout: "soon" is not a duration such as "500ms" or "5s" (from $HYSTRIX_ORDERS_TIMEOUT)
}

func ExampleEnvName() {
	fmt.Println(hystrixconfig.EnvName("orders-api", "recovery.ramp.factor"))
	// Output:
	// HYSTRIX_ORDERS_API_RECOVERY_RAMP_FACTOR
}
