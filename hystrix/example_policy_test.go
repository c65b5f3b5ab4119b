package hystrix_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

func ExampleNewRegistry() {
	// A registry of its own, here on a manual clock: nothing it holds is
	// shared with the package-level functions.
	clk := hystrixtest.NewClock(time.Time{})
	reg := hystrix.NewRegistry(hystrix.WithClock(clk))
	defer reg.Flush()

	reg.ConfigureCommand("inventory", hystrix.CommandConfig{
		Isolation:   hystrix.CallerIsolation,
		SleepWindow: 1000,
		Trip:        hystrix.TripConfig{ConsecutiveFailures: 2},
	})
	down := func() error { return errors.New("connection refused") }
	for range 3 {
		_ = reg.Do("inventory", down, nil)
	}
	c, _, _ := reg.GetCircuit("inventory")
	fmt.Println(c.State())
	clk.Add(time.Second)
	fmt.Println(c.State())
	_ = reg.Do("inventory", func() error { return nil }, nil)
	fmt.Println(c.State())
	// Output:
	// open
	// half-open
	// closed
}

func ExampleCommandConfig_json() {
	// The policies are chosen per command in JSON too, beside hystrix-go's
	// keys.
	var config hystrix.CommandConfig
	err := json.Unmarshal([]byte(`{
		"timeout": 500,
		"sleep_window": 10000,
		"trip": {"consecutive_failures": 5},
		"recovery": {"ramp": {"start_per_minute": 10, "factor": 2, "stage_ms": 60000}}
	}`), &config)
	fmt.Println(err, config.Trip.ConsecutiveFailures, *config.Recovery.Ramp)
	fmt.Println(hystrix.TryConfigureCommand("example_json_policies", config))
	// Output:
	// <nil> 5 {10 2 60000}
	// <nil>
}

func ExampleRecoveryConfig_ramp() {
	clk := hystrixtest.NewClock(time.Time{})
	reg := hystrix.NewRegistry(hystrix.WithClock(clk))
	defer reg.Flush()
	reg.ConfigureCommand("search", hystrix.CommandConfig{
		Isolation:   hystrix.CallerIsolation,
		SleepWindow: 1000,
		Trip:        hystrix.TripConfig{ConsecutiveFailures: 1},
		Recovery:    hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StartPerMinute: 60, Factor: 2, StageMs: 10_000}},
	})
	down := func() error { return errors.New("503") }
	_ = reg.Do("search", down, nil)
	_ = reg.Do("search", down, nil)
	clk.Add(time.Second) // the sleep window: half-open, ramping
	c, _, _ := reg.GetCircuit("search")
	rate, _ := c.AdmittedPerMinute()
	fmt.Println(c.State(), rate)
	// Two calls a second: one is admitted, one answered by the fallback.
	admitted := 0
	for range 20 {
		if reg.Do("search", func() error { return nil }, nil) == nil {
			admitted++
		}
		clk.Add(500 * time.Millisecond)
	}
	rate, _ = c.AdmittedPerMinute()
	fmt.Println(admitted, "admitted; the rate doubles to", rate)
	for range 20 {
		_ = reg.Do("search", func() error { return nil }, nil)
		clk.Add(500 * time.Millisecond)
	}
	fmt.Println(c.State())
	// Output:
	// half-open 60
	// 10 admitted; the rate doubles to 120
	// closed
}

func ExampleBadRequest() {
	errNotFound := errors.New("user not found")
	err := hystrix.Do("example_bad_request", func() error {
		// The caller asked for something that does not exist: not the
		// dependency's fault, so it must not open the circuit.
		return hystrix.BadRequest(errNotFound)
	}, func(err error) error {
		fmt.Println("never called for a bad request")
		return nil
	})
	fmt.Println(errors.Is(err, errNotFound), hystrix.IsBadRequest(err))
	// Output: true true
}

func ExampleRegistry_OnStateChange() {
	clk := hystrixtest.NewClock(time.Time{})
	reg := hystrix.NewRegistry(hystrix.WithClock(clk))
	defer reg.Flush()
	reg.OnStateChange(func(sc hystrix.StateChange) {
		fmt.Printf("%s: %v -> %v (generation %d)\n", sc.Command, sc.From, sc.To, sc.Generation)
	})
	reg.ConfigureCommand("payments", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, SleepWindow: 1000,
		Trip: hystrix.TripConfig{ConsecutiveFailures: 1},
	})
	down := func() error { return errors.New("timeout") }
	_ = reg.Do("payments", down, nil)
	_ = reg.Do("payments", down, nil)
	clk.Add(time.Second)
	_ = reg.Do("payments", func() error { return nil }, nil)
	// Output:
	// payments: closed -> open (generation 1)
	// payments: open -> half-open (generation 2)
	// payments: half-open -> closed (generation 3)
}

func ExampleCommandConfig_forceOpen() {
	hystrix.ConfigureCommand("example_force_open", hystrix.CommandConfig{ForceOpen: true})
	err := hystrix.Do("example_force_open", func() error { return nil }, nil)
	fmt.Println(err)
	// Output: hystrix: circuit open
}
