package breaker_test

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix"
)

func TestOpensOnTheFailureAfterThresholdAndNotBefore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		threshold int // as given
		tolerated int // failures in a row that keep it closed
	}{
		{threshold: 0, tolerated: breaker.DefaultThreshold},
		{threshold: 1, tolerated: 1},
		{threshold: 3, tolerated: 3},
		{threshold: 10, tolerated: 10},
	} {
		t.Run(fmt.Sprint(tc.threshold), func(t *testing.T) {
			t.Parallel()
			cb, _ := newBreaker(t, breaker.Settings{Threshold: tc.threshold})
			for i := range tc.tolerated {
				if err := cb.Run(fail); err != errBoom {
					t.Fatalf("failure %d returned %v, want the function's own error", i+1, err)
				}
				wantStatus(t, cb, breaker.Closed)
			}
			if err := cb.Run(fail); err != errBoom {
				t.Fatalf("the opening failure returned %v, want the function's own error", err)
			}
			wantStatus(t, cb, breaker.Open)
		})
	}
}

func TestSuccessResetsTheFailureCount(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 3})
	for range 10 {
		for range 3 {
			_ = cb.Run(fail)
		}
		if err := cb.Run(pass); err != nil {
			t.Fatalf("success returned %v", err)
		}
		wantStatus(t, cb, breaker.Closed)
	}
	for range 4 {
		_ = cb.Run(fail)
	}
	wantStatus(t, cb, breaker.Open)
}

func TestSkippedErrorNeitherAddsToNorResetsTheCount(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 2})
	// Does not add: any number of skips leaves it closed.
	for range 100 {
		if err := cb.Run(skip); err != errBadInput {
			t.Fatalf("skip returned %v, want the function's own error", err)
		}
	}
	wantStatus(t, cb, breaker.Closed)
	// Does not reset: two failures, a skip, and the third failure opens.
	_ = cb.Run(fail)
	_ = cb.Run(fail)
	_ = cb.Run(skip)
	wantStatus(t, cb, breaker.Closed)
	_ = cb.Run(fail)
	wantStatus(t, cb, breaker.Open)
}

func TestSkipWithNilErrorIsASuccess(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	_ = cb.Run(fail)
	if err := cb.Run(func() (error, bool) { return nil, true }); err != nil {
		t.Fatalf("got %v", err)
	}
	_ = cb.Run(fail)
	wantStatus(t, cb, breaker.Closed) // the count was reset
}

func TestOpenRefusesWithoutCallingTheFunction(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Name: "inventory", Threshold: 1})
	trip(t, cb, 2)
	var c counting
	first := cb.Run(c.wrap(pass))
	for range 100 {
		err := cb.Run(c.wrap(pass))
		if err != first {
			t.Fatalf("refusals returned different errors: %v and %v", first, err)
		}
	}
	if n := c.calls(); n != 0 {
		t.Fatalf("the open breaker ran the function %d times", n)
	}
	if !errors.Is(first, breaker.ErrOpen) {
		t.Errorf("errors.Is(%v, ErrOpen) = false", first)
	}
	if !errors.Is(first, hystrix.ErrCircuitOpen) {
		t.Errorf("errors.Is(%v, hystrix.ErrCircuitOpen) = false", first)
	}
	var oe *breaker.OpenError
	if !errors.As(first, &oe) || oe.Name != "inventory" {
		t.Errorf("errors.As(%v, *OpenError) = %v, %+v; want the breaker's name", first, oe != nil, oe)
	}
	if got, want := first.Error(), `breaker "inventory": open`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	wantStatus(t, cb, breaker.Open)
}

func TestOpenErrorMadeByHandNamesItsBreaker(t *testing.T) {
	t.Parallel()
	err := &breaker.OpenError{Name: "x"}
	if got, want := err.Error(), `breaker "x": open`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, breaker.ErrOpen) {
		t.Error("errors.Is(err, ErrOpen) = false")
	}
}

func TestFailedRunReturnsTheFunctionsOwnError(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1000})
	type myErr struct{ error }
	own := &myErr{errBoom}
	if err := cb.Run(func() (error, bool) { return own, false }); err != own {
		t.Fatalf("got %v (%T), want the function's own error", err, err)
	}
}

// A function that calls a hystrix command gets hystrix.ErrCircuitOpen when
// that command's circuit is open; the breaker must not mistake it for its
// own refusal.
func TestInnerCircuitOpenErrorIsTheFunctionsFailure(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	inner := func() (error, bool) { return hystrix.ErrCircuitOpen, false }
	err := cb.Run(inner)
	if err != hystrix.ErrCircuitOpen || errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("got %v, want hystrix.ErrCircuitOpen unchanged", err)
	}
	wantStatus(t, cb, breaker.Closed)
	err = cb.Run(inner) // the second failure opens
	if err != hystrix.ErrCircuitOpen || errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("got %v, want hystrix.ErrCircuitOpen unchanged", err)
	}
	wantStatus(t, cb, breaker.Open)
}

func TestHalfOpensAfterRetryAfter(t *testing.T) {
	t.Parallel()
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: 10 * time.Second})
	trip(t, cb, 2)
	clk.Add(10*time.Second - time.Nanosecond)
	wantStatus(t, cb, breaker.Open)
	clk.Add(time.Nanosecond)
	wantStatus(t, cb, breaker.HalfOpen)
}

func TestZeroRetryAfterMeansTheDefault(t *testing.T) {
	t.Parallel()
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1})
	trip(t, cb, 2)
	clk.Add(breaker.DefaultRetryAfter - time.Nanosecond)
	wantStatus(t, cb, breaker.Open)
	clk.Add(time.Nanosecond)
	wantStatus(t, cb, breaker.HalfOpen)
}

func TestHalfOpenSuccessCloses(t *testing.T) {
	t.Parallel()
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 2, RetryAfter: time.Second})
	trip(t, cb, 3)
	clk.Add(time.Second)
	if err := cb.Run(pass); err != nil {
		t.Fatalf("probe returned %v", err)
	}
	wantStatus(t, cb, breaker.Closed)
	// Closed afresh: the count starts from zero.
	_ = cb.Run(fail)
	_ = cb.Run(fail)
	wantStatus(t, cb, breaker.Closed)
}

func TestHalfOpenFailureReopensForAnotherRetryAfter(t *testing.T) {
	t.Parallel()
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 2, RetryAfter: time.Second})
	trip(t, cb, 3)
	clk.Add(time.Second)
	if err := cb.Run(fail); err != errBoom {
		t.Fatalf("probe returned %v, want the function's own error", err)
	}
	wantStatus(t, cb, breaker.Open)
	clk.Add(time.Second - time.Nanosecond)
	wantStatus(t, cb, breaker.Open)
	clk.Add(time.Nanosecond)
	wantStatus(t, cb, breaker.HalfOpen)
}

func TestHalfOpenSkippedProbeLetsTheNextCallProbe(t *testing.T) {
	t.Parallel()
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Second})
	trip(t, cb, 2)
	clk.Add(time.Second)
	if err := cb.Run(skip); err != errBadInput {
		t.Fatalf("skipped probe returned %v", err)
	}
	wantStatus(t, cb, breaker.HalfOpen)
	var c counting
	if err := cb.Run(c.wrap(pass)); err != nil || c.calls() != 1 {
		t.Fatalf("next call returned %v after %d runs; want it to probe", err, c.calls())
	}
	wantStatus(t, cb, breaker.Closed)
}

func TestPanicIsReturnedAsPanicErrorAndCounts(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Name: "p", Threshold: 1})
	for range 2 {
		err := cb.Run(func() (error, bool) { panic("kaboom") })
		var pe *hystrix.PanicError
		if !errors.As(err, &pe) || pe.Value != "kaboom" || pe.Command != "p" {
			t.Fatalf("got %v, want a *hystrix.PanicError", err)
		}
	}
	wantStatus(t, cb, breaker.Open)
	// The breaker still works: the refusal is its own.
	if err := cb.Run(pass); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("got %v", err)
	}
}

func TestNilFunctionIsAnErrorNotAPanic(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Name: "nil", Threshold: 1})
	for name, err := range map[string]error{
		"Run":         cb.Run(nil),
		"RunContext":  cb.RunContext(t.Context(), nil),
		"RunFallback": cb.RunFallback(nil, func(error) error { return nil }),
	} {
		if !errors.Is(err, breaker.ErrNilFunc) {
			t.Errorf("%s(nil) = %v, want ErrNilFunc", name, err)
		}
	}
	_ = cb.Run(nil)
	wantStatus(t, cb, breaker.Closed) // not counted
}

func TestNameReturnsSettingsName(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Name: "inventory"})
	if cb.Name() != "inventory" {
		t.Fatalf("Name() = %q", cb.Name())
	}
}

func TestHugeThresholdStaysClosed(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: math.MaxInt})
	for range 1000 {
		_ = cb.Run(fail)
	}
	wantStatus(t, cb, breaker.Closed)
}

func TestInnerCircuitOpenErrorFromAProbeReopens(t *testing.T) {
	t.Parallel()
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Second})
	trip(t, cb, 2)
	clk.Add(time.Second)
	if err := cb.Run(func() (error, bool) { return hystrix.ErrCircuitOpen, false }); err != hystrix.ErrCircuitOpen {
		t.Fatalf("probe returned %v, want hystrix.ErrCircuitOpen unchanged", err)
	}
	wantStatus(t, cb, breaker.Open)
}

// runtime.Goexit in the function (t.FailNow does it) ends the caller's
// goroutine; the breaker still counts the call as a failure.
func TestGoexitInTheFunctionCountsAsAFailure(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	for range 2 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = cb.Run(func() (error, bool) { runtime.Goexit(); return nil, false })
			t.Error("Run returned after runtime.Goexit")
		}()
		<-done
	}
	wantStatus(t, cb, breaker.Open)
}
