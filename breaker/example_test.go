package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// exampleLogger keeps the examples' output to what they print themselves.
var exampleLogger = slog.New(slog.DiscardHandler)

func ExampleNew() {
	cb, err := breaker.New(breaker.Settings{
		Name:       "inventory",
		Threshold:  2,
		RetryAfter: 10 * time.Second,
		Logger:     exampleLogger,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = cb.Run(func() (error, bool) {
		fmt.Println("calling inventory")
		return nil, false
	})
	fmt.Println(cb.Name(), err, cb.Status())
	// Output:
	// calling inventory
	// inventory <nil> closed
}

func ExampleNew_invalidSettings() {
	_, err := breaker.New(breaker.Settings{Name: "inventory", Threshold: -1})
	fmt.Println(err)
	fmt.Println(errors.Is(err, breaker.ErrInvalidSettings))
	var se *breaker.SettingsError
	if errors.As(err, &se) {
		fmt.Println(se.Field)
	}
	// Output:
	// breaker "inventory": invalid settings: Threshold -1 must not be negative (0 means the default)
	// true
	// Threshold
}

// The third failure in a row opens a breaker with Threshold 2; then it
// refuses calls without running them.
func ExampleBreaker_Run() {
	cb, _ := breaker.New(breaker.Settings{Name: "inventory", Threshold: 2, Logger: exampleLogger})
	errDown := errors.New("inventory is down")
	for range 3 {
		fmt.Println(cb.Run(func() (error, bool) { return errDown, false }))
	}
	err := cb.Run(func() (error, bool) {
		fmt.Println("not printed: the breaker is open")
		return nil, false
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, breaker.ErrOpen), cb.Status())
	// Output:
	// inventory is down
	// inventory is down
	// inventory is down
	// breaker "inventory": open
	// true open
}

// A skipped error is the caller's: it comes back as it is and is not
// counted.
func ExampleBreaker_Run_skip() {
	cb, _ := breaker.New(breaker.Settings{Name: "users", Threshold: 1, Logger: exampleLogger})
	errNotFound := errors.New("user not found")
	for range 5 {
		_ = cb.Run(func() (error, bool) { return errNotFound, true })
	}
	fmt.Println(cb.Status())
	// Output:
	// closed
}

func ExampleOpenError() {
	cb, _ := breaker.New(breaker.Settings{Name: "payments", Threshold: 1, Logger: exampleLogger})
	for range 2 {
		_ = cb.Run(func() (error, bool) { return errors.New("timeout"), false })
	}
	err := fmt.Errorf("charging: %w", cb.Run(func() (error, bool) { return nil, false }))
	var oe *breaker.OpenError
	if errors.As(err, &oe) {
		fmt.Println(oe.Name, "refused:", err)
	}
	// Output:
	// payments refused: charging: breaker "payments": open
}

func ExampleBreaker_RunContext() {
	cb, _ := breaker.New(breaker.Settings{Name: "search", Logger: exampleLogger})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := cb.RunContext(ctx, func(ctx context.Context) (error, bool) {
		fmt.Println("not printed: the caller gave up first")
		return nil, false
	})
	fmt.Println(err, cb.Status())
	// Output:
	// context canceled closed
}

func ExampleBreaker_RunFallback() {
	cb, _ := breaker.New(breaker.Settings{Name: "prices", Threshold: 1, Logger: exampleLogger})
	price := 0
	get := func() (error, bool) { return errors.New("prices is down"), false }
	cached := func(err error) error {
		fmt.Println("falling back after:", err)
		price = 42
		return nil
	}
	for range 3 {
		fmt.Println(cb.RunFallback(get, cached), price)
	}
	// Output:
	// falling back after: prices is down
	// <nil> 42
	// falling back after: prices is down
	// <nil> 42
	// falling back after: breaker "prices": open
	// <nil> 42
}

// A test moves a manual clock instead of sleeping.
func ExampleBreaker_Status() {
	clk := hystrixtest.NewClock(time.Time{})
	cb, _ := breaker.New(breaker.Settings{Name: "inventory", Threshold: 1, RetryAfter: 10 * time.Second, Clock: clk, Logger: exampleLogger})
	fail := func() (error, bool) { return errors.New("down"), false }
	_, _ = cb.Run(fail), cb.Run(fail)
	fmt.Println(cb.Status())
	clk.Add(10 * time.Second)
	fmt.Println(cb.Status())
	_ = cb.Run(func() (error, bool) { return nil, false }) // the probe succeeds
	fmt.Println(cb.Status())
	// Output:
	// open
	// half-open
	// closed
}

// With a Ramp the half-open breaker admits calls at a rate, here one a
// second, that doubles every stage in which calls ran and all succeeded,
// and closes after a stage in which it refused none.
func ExampleRamp() {
	clk := hystrixtest.NewClock(time.Time{})
	cb, _ := breaker.New(breaker.Settings{
		Name:       "inventory",
		Threshold:  1,
		RetryAfter: 10 * time.Second,
		Ramp:       &breaker.Ramp{StartPerMinute: 60, Factor: 2, Stage: time.Minute},
		Clock:      clk,
		Logger:     exampleLogger,
	})
	ok := func() (error, bool) { return nil, false }
	fail := func() (error, bool) { return errors.New("down"), false }
	_, _ = cb.Run(fail), cb.Run(fail)
	clk.Add(10 * time.Second)
	start := clk.Now()
	try := func(after time.Duration) {
		clk.Set(start.Add(after))
		fmt.Printf("+%v: %v\n", after, cb.Run(ok))
	}
	try(0)
	try(500 * time.Millisecond) // half a call's worth since the last
	try(1500 * time.Millisecond)
	try(time.Minute) // stage 2: two a second
	try(time.Minute + 600*time.Millisecond)
	clk.Set(start.Add(2*time.Minute - time.Nanosecond))
	fmt.Println(cb.Status())
	clk.Set(start.Add(2 * time.Minute)) // stage 2 refused nothing
	fmt.Println(cb.Status())
	// Output:
	// +0s: <nil>
	// +500ms: breaker "inventory": open
	// +1.5s: <nil>
	// +1m0s: <nil>
	// +1m0.6s: <nil>
	// half-open
	// closed
}

// Every transition is logged, stamped with the breaker's clock, and handed
// to OnStateChange.
func ExampleSettings() {
	clk := hystrixtest.NewClock(time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC))
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				a.Value = slog.StringValue(a.Value.Time().UTC().Format(time.TimeOnly))
			}
			return a
		},
	}))
	cb, _ := breaker.New(breaker.Settings{
		Name:       "inventory",
		Threshold:  1,
		RetryAfter: 30 * time.Second,
		Logger:     logger,
		OnStateChange: func(name string, from, to breaker.State) {
			fmt.Printf("%s: %v -> %v\n", name, from, to)
		},
		Clock: clk,
	})
	fail := func() (error, bool) { return errors.New("down"), false }
	_, _ = cb.Run(fail), cb.Run(fail)
	clk.Add(30 * time.Second)
	_ = cb.Run(func() (error, bool) { return nil, false })
	// Output:
	// time=09:00:00 level=ERROR msg="breaker opened" breaker=inventory from=closed to=open failures=2
	// inventory: closed -> open
	// time=09:00:30 level=INFO msg="breaker half-open" breaker=inventory from=open to=half-open failures=0
	// inventory: open -> half-open
	// time=09:00:30 level=INFO msg="breaker closed" breaker=inventory from=half-open to=closed failures=0
	// inventory: half-open -> closed
}
