package breaker_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gohystrix/hystrix-go/breaker"
)

func ExampleRun() {
	cb, _ := breaker.New(breaker.Settings{Name: "inventory", Threshold: 1, Logger: exampleLogger})
	errNotFound := errors.New("item not found")
	stock := map[string]int{"apple": 3}
	get := func(item string) func() (int, error, bool) {
		return func() (int, error, bool) {
			n, ok := stock[item]
			if !ok {
				return 0, errNotFound, true // the caller's fault: skipped
			}
			return n, nil, false
		}
	}
	fmt.Println(breaker.Run(cb, get("apple")))
	fmt.Println(breaker.Run(cb, get("pear")))
	fmt.Println(cb.Status())
	// Output:
	// 3 <nil>
	// 0 item not found
	// closed
}

// The fallback builds the default that failures and refusals answer with.
func ExampleRunFallback() {
	cb, _ := breaker.New(breaker.Settings{Name: "prices", Threshold: 1, Logger: exampleLogger})
	get := func() (float64, error, bool) { return 0, errors.New("prices is down"), false }
	listPrice := func(err error) (float64, error) {
		fmt.Println("list price after:", err)
		return 9.99, nil
	}
	for range 3 {
		fmt.Println(breaker.RunFallback(cb, get, listPrice))
	}
	// Output:
	// list price after: prices is down
	// 9.99 <nil>
	// list price after: prices is down
	// 9.99 <nil>
	// list price after: breaker "prices": open
	// 9.99 <nil>
}

func ExampleRunContext() {
	cb, _ := breaker.New(breaker.Settings{Name: "search", Logger: exampleLogger})
	type tenant struct{}
	ctx := context.WithValue(context.Background(), tenant{}, "acme")
	hits, err := breaker.RunContext(ctx, cb, func(ctx context.Context) ([]string, error, bool) {
		return []string{ctx.Value(tenant{}).(string) + "/doc1"}, nil, false
	})
	fmt.Println(hits, err)
	// Output: [acme/doc1] <nil>
}
