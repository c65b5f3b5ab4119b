package hystrix_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

func ExampleExecute() {
	price, err := hystrix.Execute(context.Background(), "example_execute", func(ctx context.Context) (float64, error) {
		// Call the dependency here.
		return 9.99, nil
	}, nil)
	fmt.Println(price, err)
	// Output: 9.99 <nil>
}

// The fallback builds the value to answer with when the run fails.
func ExampleExecute_fallback() {
	price, err := hystrix.Execute(context.Background(), "example_execute_fallback", func(ctx context.Context) (float64, error) {
		return 0, errors.New("connection refused")
	}, func(ctx context.Context, err error) (float64, error) {
		fmt.Println("list price because:", err)
		return 12.50, nil
	})
	fmt.Println(price, err)
	// Output:
	// list price because: connection refused
	// 12.5 <nil>
}

type user struct{ Name string }

// getUser is made once, at package level: making a Command creates no
// circuit, so the program may configure the command later.
var getUser = hystrix.NewCommand[*user]("example_get_user")

func ExampleNewCommand() {
	hystrix.ConfigureCommand("example_get_user", hystrix.CommandConfig{Timeout: 500})
	u, err := getUser.Execute(context.Background(), func(ctx context.Context) (*user, error) {
		return &user{Name: "ann"}, nil
	}, nil)
	fmt.Println(u.Name, err)
	// Output: ann <nil>
}

// An open circuit runs no function: the fallback answers with the default.
func ExampleNewRegistryCommand() {
	reg := hystrix.NewRegistry(hystrix.WithClock(hystrixtest.NewClock(time.Time{})))
	defer reg.Flush()
	_ = reg.TryConfigureCommand("recommendations", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation,
		Trip:      hystrix.TripConfig{ConsecutiveFailures: 1}, // the second failure in a row opens
	})
	recommend := hystrix.NewRegistryCommand[[]string](reg, "recommendations")
	bestsellers := func(ctx context.Context, err error) ([]string, error) {
		fmt.Println("bestsellers because:", err)
		return []string{"bestsellers"}, nil
	}
	down := func(ctx context.Context) ([]string, error) { return nil, errors.New("503") }
	for range 3 {
		fmt.Println(recommend.Execute(context.Background(), down, bestsellers))
	}
	// Output:
	// bestsellers because: 503
	// [bestsellers] <nil>
	// bestsellers because: 503
	// [bestsellers] <nil>
	// bestsellers because: hystrix: circuit open
	// [bestsellers] <nil>
}

// A timed-out run's value comes too late: the caller has the fallback's.
func ExampleCommand_Execute() {
	hystrix.ConfigureCommand("example_command_timeout", hystrix.CommandConfig{Timeout: 10})
	cmd := hystrix.NewCommand[string]("example_command_timeout")
	v, err := cmd.Execute(context.Background(), func(ctx context.Context) (string, error) {
		<-ctx.Done() // a slow dependency; the context ends at the timeout
		return "too late", ctx.Err()
	}, func(ctx context.Context, err error) (string, error) {
		if errors.Is(err, hystrix.ErrTimeout) {
			return "cached", nil
		}
		return "", err
	})
	fmt.Println(v, err)
	// Output: cached <nil>
}
