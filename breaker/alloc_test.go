package breaker_test

import (
	"context"
	"math"
	"testing"

	"github.com/gohystrix/hystrix-go/breaker"
)

// These guards fail CI when a hot path starts allocating. They are not
// parallel: testing.AllocsPerRun counts the whole process's allocations.
// Each path is warmed first so that the call pool is filled.
func allocsPerRun(f func()) float64 {
	for range 100 {
		f()
	}
	return testing.AllocsPerRun(1000, f)
}

func TestRunPathsAllocateNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop calls; CI runs this guard without -race")
	}
	closed, _ := newBreaker(t, breaker.Settings{Threshold: math.MaxInt})
	open, _ := newBreaker(t, breaker.Settings{Threshold: 1})
	trip(t, open, 2)
	ctx := context.Background()
	passC := func(context.Context) (error, bool) { return nil, false }
	failC := func(context.Context) (error, bool) { return errBoom, false }
	fallback := func(error) error { return nil }

	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Run/pass", func() { _ = closed.Run(pass) }},
		{"Run/fail", func() { _ = closed.Run(fail) }},
		{"Run/skip", func() { _ = closed.Run(skip) }},
		{"Run/open", func() { _ = open.Run(pass) }},
		{"RunContext/pass", func() { _ = closed.RunContext(ctx, passC) }},
		{"RunContext/fail", func() { _ = closed.RunContext(ctx, failC) }},
		{"RunContext/open", func() { _ = open.RunContext(ctx, passC) }},
		{"RunFallback/fail", func() { _ = closed.RunFallback(fail, fallback) }},
		{"RunFallback/open", func() { _ = open.RunFallback(pass, fallback) }},
		{"Status", func() { _ = closed.Status() }},
	} {
		if got := allocsPerRun(tc.f); got != 0 {
			t.Errorf("%s: %v allocations per call, want 0", tc.name, got)
		}
	}
	if open.Status() != breaker.Open || closed.Status() != breaker.Closed {
		t.Fatalf("the guards ran on the wrong states: %v, %v", open.Status(), closed.Status())
	}
}
