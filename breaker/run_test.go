package breaker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix"
)

func TestRunContextPassesTheContextAndCounts(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	type key struct{}
	ctx := context.WithValue(t.Context(), key{}, "v")
	var got any
	err := cb.RunContext(ctx, func(ctx context.Context) (error, bool) {
		got = ctx.Value(key{})
		return errBoom, false
	})
	if err != errBoom || got != "v" {
		t.Fatalf("got %v with value %v, want the function's error and the caller's context", err, got)
	}
	_ = cb.RunContext(ctx, func(context.Context) (error, bool) { return errBoom, false })
	wantStatus(t, cb, breaker.Open)
	if err := cb.RunContext(ctx, func(context.Context) (error, bool) { return nil, false }); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("open breaker returned %v", err)
	}
}

func TestRunContextDoneBeforeTheCallIsNotRunNorCounted(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	for range 5 {
		err := cb.RunContext(ctx, func(context.Context) (error, bool) { ran = true; return errBoom, false })
		if err != context.Canceled {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	}
	if ran {
		t.Fatal("the function ran under a done context")
	}
	wantStatus(t, cb, breaker.Closed)
}

func TestRunContextCanceledWhileRunningIsNotCounted(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	for range 5 {
		ctx, cancel := context.WithCancel(t.Context())
		err := cb.RunContext(ctx, func(ctx context.Context) (error, bool) {
			cancel()
			return ctx.Err(), false
		})
		if err != context.Canceled {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	}
	wantStatus(t, cb, breaker.Closed)
	// Nor does it reset the count.
	_ = cb.Run(fail)
	ctx, cancel := context.WithCancel(t.Context())
	_ = cb.RunContext(ctx, func(context.Context) (error, bool) { cancel(); return nil, false })
	_ = cb.Run(fail)
	wantStatus(t, cb, breaker.Open)
}

func TestRunContextNilContextMeansBackground(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{})
	err := cb.RunContext(nil, func(ctx context.Context) (error, bool) {
		if ctx == nil {
			return errors.New("nil context"), false
		}
		return nil, false
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunFallbackGetsTheCauseAndReturnsItsResult(t *testing.T) {
	t.Parallel()
	cb, clk := newBreaker(t, breaker.Settings{Name: "fb", Threshold: 1, RetryAfter: time.Second})
	var causes []error
	errDegraded := errors.New("degraded")
	fallback := func(err error) error {
		causes = append(causes, err)
		return errDegraded
	}
	check := func(what string, fn func() (error, bool), want error) {
		t.Helper()
		if err := cb.RunFallback(fn, fallback); err != want {
			t.Fatalf("%s: RunFallback returned %v, want %v", what, err, want)
		}
	}
	check("success", pass, nil)
	check("skip", skip, errBadInput)
	if len(causes) != 0 {
		t.Fatalf("fallback ran for a success or a skip: %v", causes)
	}
	check("failure", fail, errDegraded)
	check("opening failure", fail, errDegraded)
	check("refusal", pass, errDegraded)
	if len(causes) != 3 || causes[0] != errBoom || causes[1] != errBoom || !errors.Is(causes[2], breaker.ErrOpen) {
		t.Fatalf("fallback causes = %v, want boom, boom, the open error", causes)
	}
	wantStatus(t, cb, breaker.Open)
	// The fallback's success decides nothing: the failed probe reopens.
	clk.Add(time.Second)
	if err := cb.RunFallback(fail, func(error) error { return nil }); err != nil {
		t.Fatalf("got %v, want the fallback's nil", err)
	}
	wantStatus(t, cb, breaker.Open)
}

func TestRunFallbackWithNilFallbackIsRun(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	if err := cb.RunFallback(fail, nil); err != errBoom {
		t.Fatalf("got %v", err)
	}
	_ = cb.RunFallback(fail, nil)
	if err := cb.RunFallback(pass, nil); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("got %v", err)
	}
}

func TestRunFallbackPanicIsRecovered(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{Name: "fbp"})
	err := cb.RunFallback(fail, func(error) error { panic("fallback down") })
	var pe *hystrix.PanicError
	if !errors.As(err, &pe) || pe.Value != "fallback down" || pe.Command != "fbp" {
		t.Fatalf("got %v, want a *hystrix.PanicError", err)
	}
}

func TestRunFallbackGetsTheRunsPanic(t *testing.T) {
	t.Parallel()
	cb, _ := newBreaker(t, breaker.Settings{})
	var cause error
	_ = cb.RunFallback(func() (error, bool) { panic("run down") }, func(err error) error { cause = err; return nil })
	var pe *hystrix.PanicError
	if !errors.As(cause, &pe) || pe.Value != "run down" {
		t.Fatalf("fallback got %v, want the run's *hystrix.PanicError", cause)
	}
}
