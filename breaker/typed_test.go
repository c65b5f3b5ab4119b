package breaker_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix"
)

// The typed forms count, refuse and answer exactly as the methods do; these
// tests pin the values on top.

func value(v int) func() (int, error, bool) {
	return func() (int, error, bool) { return v, nil, false }
}

func failing(v int) func() (int, error, bool) {
	return func() (int, error, bool) { return v, errBoom, false }
}

func skipping(v int) func() (int, error, bool) {
	return func() (int, error, bool) { return v, errBadInput, true }
}

func wantAnswer[T comparable](t *testing.T, what string, v T, err error, wantV T, wantErr error) {
	t.Helper()
	if v != wantV || !errors.Is(err, wantErr) || (wantErr == nil && err != nil) {
		t.Fatalf("%s: got %v, %v; want %v, %v", what, v, err, wantV, wantErr)
	}
}

func TestTypedRunReturnsTheValueOnlyWithANilError(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	v, err := breaker.Run(cb, value(7))
	wantAnswer(t, "pass", v, err, 7, nil)
	v, err = breaker.Run(cb, skipping(7))
	wantAnswer(t, "skip", v, err, 0, errBadInput)
	wantStatus(t, cb, breaker.Closed)
	v, err = breaker.Run(cb, failing(7))
	wantAnswer(t, "fail", v, err, 0, errBoom)
	v, err = breaker.Run(cb, failing(7))
	wantAnswer(t, "the failure that opens", v, err, 0, errBoom)
	wantStatus(t, cb, breaker.Open)

	ran := false
	v, err = breaker.Run(cb, func() (int, error, bool) { ran = true; return 7, nil, false })
	wantAnswer(t, "open", v, err, 0, breaker.ErrOpen)
	if ran {
		t.Fatal("an open breaker ran the function")
	}
	v, err = breaker.Run[int](cb, nil)
	wantAnswer(t, "nil", v, err, 0, breaker.ErrNilFunc)
}

func TestTypedRunPanicIsAFailure(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	for range 2 {
		v, err := breaker.Run(cb, func() (int, error, bool) { panic("down") })
		var pe *hystrix.PanicError
		if v != 0 || !errors.As(err, &pe) || pe.Value != "down" {
			t.Fatalf("got %v, %v; want 0 and the panic", v, err)
		}
	}
	wantStatus(t, cb, breaker.Open)
}

func TestTypedRunOfAFunctionThatReturnsErrCircuitOpenItselfIsAFailure(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 5})
	v, err := breaker.Run(cb, func() (int, error, bool) { return 1, hystrix.ErrCircuitOpen, false })
	var oe *breaker.OpenError
	if v != 0 || err != hystrix.ErrCircuitOpen || errors.As(err, &oe) {
		t.Fatalf("got %v, %v; want the function's own error, not a refusal", v, err)
	}
}

func TestTypedRunFallbackBuildsTheDefaultForFailuresAndRefusals(t *testing.T) {
	t.Parallel()
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Minute})
	var causes []error
	byDefault := func(err error) (int, error) { causes = append(causes, err); return 42, nil }

	v, err := breaker.RunFallback(cb, value(7), byDefault)
	wantAnswer(t, "pass", v, err, 7, nil)
	v, err = breaker.RunFallback(cb, skipping(7), byDefault)
	wantAnswer(t, "skip, no fallback", v, err, 0, errBadInput)
	for range 2 {
		v, err = breaker.RunFallback(cb, failing(7), byDefault)
		wantAnswer(t, "fail", v, err, 42, nil)
	}
	wantStatus(t, cb, breaker.Open)
	v, err = breaker.RunFallback(cb, value(7), byDefault)
	wantAnswer(t, "open", v, err, 42, nil)
	v, err = breaker.RunFallback(cb, nil, byDefault)
	wantAnswer(t, "nil, no fallback", v, err, 0, breaker.ErrNilFunc)
	if len(causes) != 3 || causes[1] != errBoom || !errors.Is(causes[2], breaker.ErrOpen) {
		t.Fatalf("the fallback was given %v; want the failure and the refusal", causes)
	}

	errNoCache := errors.New("no cache")
	v, err = breaker.RunFallback(cb, value(7), func(error) (int, error) { return 42, errNoCache })
	wantAnswer(t, "fallback fails", v, err, 0, errNoCache)
	v, err = breaker.RunFallback(cb, value(7), func(error) (int, error) { panic("no cache") })
	var pe *hystrix.PanicError
	if v != 0 || !errors.As(err, &pe) {
		t.Fatalf("fallback panics: got %v, %v", v, err)
	}
	v, err = breaker.RunFallback(cb, value(7), nil)
	wantAnswer(t, "nil fallback", v, err, 0, breaker.ErrOpen)

	clk.Add(time.Minute)
	v, err = breaker.RunFallback(cb, value(8), byDefault)
	wantAnswer(t, "the probe", v, err, 8, nil)
	wantStatus(t, cb, breaker.Closed)
}

func TestTypedRunContextAnswersTheCallersEndWithTheZeroValue(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	type key struct{}
	ctx := context.WithValue(t.Context(), key{}, "v")
	v, err := breaker.RunContext(ctx, cb, func(ctx context.Context) (string, error, bool) {
		return ctx.Value(key{}).(string), nil, false
	})
	wantAnswer(t, "pass", v, err, "v", nil)

	ctx, cancel := context.WithCancel(t.Context())
	v, err = breaker.RunContext(ctx, cb, func(context.Context) (string, error, bool) {
		cancel()
		return "late", nil, false
	})
	wantAnswer(t, "ended while running", v, err, "", context.Canceled)
	v, err = breaker.RunContext(ctx, cb, func(context.Context) (string, error, bool) { return "x", errBoom, false })
	wantAnswer(t, "done before", v, err, "", context.Canceled)
	wantStatus(t, cb, breaker.Closed)

	var none context.Context // documented to mean Background
	for range 2 {
		v, err = breaker.RunContext(none, cb, func(context.Context) (string, error, bool) { return "x", errBoom, false })
		wantAnswer(t, "fail", v, err, "", errBoom)
	}
	wantStatus(t, cb, breaker.Open)
	v, err = breaker.RunContext(t.Context(), cb, func(context.Context) (string, error, bool) { return "x", nil, false })
	wantAnswer(t, "open", v, err, "", breaker.ErrOpen)
	v, err = breaker.RunContext[string](t.Context(), cb, nil)
	wantAnswer(t, "nil", v, err, "", breaker.ErrNilFunc)
}

func TestTypedCallsUnderConcurrencyGetTheirOwnValues(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: math.MaxInt})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				id := fmt.Sprint(g, "/", i)
				var v string
				var err error
				switch i % 3 {
				case 0:
					v, err = breaker.Run(cb, func() (string, error, bool) { return id, nil, false })
				case 1:
					v, err = breaker.RunFallback(cb, func() (string, error, bool) { return "x", errBoom, false },
						func(error) (string, error) { return id, nil })
				default:
					v, err = breaker.RunContext(t.Context(), cb, func(context.Context) (string, error, bool) { return id, nil, false })
				}
				if v != id || err != nil {
					t.Errorf("call %s: got %q, %v", id, v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// As alloc_test.go's guards, not parallel: AllocsPerRun counts the whole
// process's allocations.
func TestTypedRunPathsAllocateNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop calls; CI runs this guard without -race")
	}
	closed, _ := newBreaker(t, breaker.Settings{Threshold: math.MaxInt})
	open, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	trip(t, open, 2)
	ctx := context.Background()
	pass, fail, skip := value(1), failing(1), skipping(1)
	passC := func(context.Context) (int, error, bool) { return 1, nil, false }
	failC := func(context.Context) (int, error, bool) { return 1, errBoom, false }
	byDefault := func(error) (int, error) { return 2, nil }
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Run/pass", func() { _, _ = breaker.Run(closed, pass) }},
		{"Run/fail", func() { _, _ = breaker.Run(closed, fail) }},
		{"Run/skip", func() { _, _ = breaker.Run(closed, skip) }},
		{"Run/open", func() { _, _ = breaker.Run(open, pass) }},
		{"RunContext/pass", func() { _, _ = breaker.RunContext(ctx, closed, passC) }},
		{"RunContext/fail", func() { _, _ = breaker.RunContext(ctx, closed, failC) }},
		{"RunContext/open", func() { _, _ = breaker.RunContext(ctx, open, passC) }},
		{"RunFallback/pass", func() { _, _ = breaker.RunFallback(closed, pass, byDefault) }},
		{"RunFallback/fail", func() { _, _ = breaker.RunFallback(closed, fail, byDefault) }},
		{"RunFallback/open", func() { _, _ = breaker.RunFallback(open, pass, byDefault) }},
	} {
		if got := allocsPerRun(tc.f); got != 0 {
			t.Errorf("%s: %v allocations per call, want 0", tc.name, got)
		}
	}
	if open.Status() != breaker.Open || closed.Status() != breaker.Closed {
		t.Fatalf("the guards ran on the wrong states: %v, %v", open.Status(), closed.Status())
	}
}
