package hystrix_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// In caller isolation a function that takes no context runs to its end,
// and it timed out if it ran past the timeout, as when a timer watched it;
// one that returned in time did not, and the caller's own end still wins.
func TestCallerIsolatedRunWithoutContextTimesOutByItsDuration(t *testing.T) {
	t.Parallel()
	r, clk := hystrixtest.NewRegistry(t)
	if err := r.TryConfigureCommand("c", hystrix.CommandConfig{
		Isolation: hystrix.CallerIsolation, Timeout: 100, RequestVolumeThreshold: 1 << 30,
	}); err != nil {
		t.Fatal(err)
	}
	takes := func(d time.Duration, err error) func() error {
		return func() error { clk.Add(d); return err }
	}
	if err := r.Do("c", takes(99*time.Millisecond, nil), nil); err != nil {
		t.Fatalf("99 ms of 100: %v", err)
	}
	if err := r.Do("c", takes(100*time.Millisecond, nil), nil); !errors.Is(err, hystrix.ErrTimeout) {
		t.Fatalf("100 ms of 100: %v, want ErrTimeout", err)
	}
	boom := errors.New("boom")
	if err := r.Do("c", takes(250*time.Millisecond, boom), nil); !errors.Is(err, hystrix.ErrTimeout) {
		t.Fatalf("a failure after 250 ms: %v, want ErrTimeout", err)
	}
	var got error
	fallback := func(err error) error { got = err; return nil }
	if err := r.Do("c", takes(time.Second, nil), fallback); err != nil || !errors.Is(got, hystrix.ErrTimeout) {
		t.Fatalf("with a fallback: %v, fallback saw %v", err, got)
	}
	var err error
	ctx, cancel := context.WithCancel(context.Background())
	err = r.DoC(ctx, "c", func(context.Context) error { cancel(); clk.Add(time.Second); return nil }, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("the caller cancelled: %v, want context.Canceled", err)
	}
	c, _, err := r.GetCircuit("c")
	if err != nil {
		t.Fatal(err)
	}
	if n := c.Counts(clk.Now()).Timeouts; n != 3 {
		t.Fatalf("%d timeouts counted, want 3", n)
	}
}
