package hystrixtest_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// exampleT stands in for the *testing.T that a test passes to NewRegistry
// and an example does not have: it keeps the cleanups and runs them when
// the example ends. Its other methods are never called.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()          {}
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

func (t *exampleT) finish() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

func ExampleNewRegistry() {
	t := &exampleT{} // in a test, its *testing.T
	defer t.finish()

	var rec hystrixtest.Recorder
	reg, clk := hystrixtest.NewRegistry(t, hystrix.WithStateListener(rec.Record))
	reg.ConfigureCommand("inventory", hystrix.CommandConfig{
		Trip:      hystrix.TripConfig{ConsecutiveFailures: 2},
		Isolation: hystrix.CallerIsolation,
	})
	down := func() error { return errors.New("connection refused") }
	up := func() error { return nil }

	for range 3 { // the third failure in a row opens the circuit
		_ = reg.Do("inventory", down, nil)
	}
	fmt.Println(reg.Do("inventory", up, nil))
	clk.Add(5 * time.Second) // the default sleep window: half-open
	fmt.Println(reg.Do("inventory", up, nil))

	for _, sc := range rec.Changes() {
		fmt.Printf("%v -> %v at +%v\n", sc.From, sc.To, sc.At.Sub(hystrixtest.Epoch))
	}
	// Output:
	// hystrix: circuit open
	// <nil>
	// closed -> open at +0s
	// open -> half-open at +5s
	// half-open -> closed at +5s
}

func ExampleClock() {
	clk := hystrixtest.NewClock(time.Time{})
	since := func() time.Duration { return clk.Now().Sub(hystrixtest.Epoch) }
	clk.AfterFunc(2*time.Second, func() { fmt.Println("second timer at", since()) })
	clk.AfterFunc(time.Second, func() {
		fmt.Println("first timer at", since())
		clk.AfterFunc(500*time.Millisecond, func() { fmt.Println("armed by the first, at", since()) })
	})
	fmt.Println("pending:", clk.Pending())
	clk.Add(3 * time.Second)
	fmt.Println("now", since(), "pending:", clk.Pending())
	// Output:
	// pending: 2
	// first timer at 1s
	// armed by the first, at 1.5s
	// second timer at 2s
	// now 3s pending: 0
}
