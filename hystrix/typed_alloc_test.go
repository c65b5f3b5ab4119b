package hystrix_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// The typed calls' allocation guards, as alloc_test.go's for Do. Records
// and goroutine calls are pooled, so the race detector, which makes
// sync.Pool drop objects, would count what the pools normally save.
func TestTypedCallsAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects; CI runs this guard without -race")
	}
	ctx := context.Background()
	pass := func(context.Context) (int, error) { return 1, nil }
	fail := func(context.Context) (int, error) { return 0, errBoom }
	fallback := func(context.Context, error) (int, error) { return 2, nil }
	caller := hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Timeout: -1}
	// Goroutine isolation with no timeout: a background context needs no
	// context of the engine's.
	goroutineUntimed := hystrix.CommandConfig{Timeout: -1}

	cases := []struct {
		name   string
		config hystrix.CommandConfig
		max    float64
		call   func(name string, cmd *hystrix.Command[int])
		// open trips the circuit first.
		open bool
	}{
		{"Command/caller/pass", caller, 0, func(_ string, c *hystrix.Command[int]) { _, _ = c.Execute(ctx, pass, nil) }, false},
		{"Command/caller/fail-fallback", caller, 0, func(_ string, c *hystrix.Command[int]) { _, _ = c.Execute(ctx, fail, fallback) }, false},
		{"Execute/caller/pass", caller, 0, func(n string, _ *hystrix.Command[int]) { _, _ = hystrix.Execute(ctx, n, pass, nil) }, false},
		{"Execute/caller/fail-fallback", caller, 0, func(n string, _ *hystrix.Command[int]) { _, _ = hystrix.Execute(ctx, n, fail, fallback) }, false},
		{"Command/goroutine-untimed/pass", goroutineUntimed, 0, func(_ string, c *hystrix.Command[int]) { _, _ = c.Execute(ctx, pass, nil) }, false},
		// The run's context, which ends at the timeout: one per call.
		{"Command/goroutine/pass", hystrix.CommandConfig{}, 1, func(_ string, c *hystrix.Command[int]) { _, _ = c.Execute(ctx, pass, nil) }, false},
		{"Execute/goroutine/pass", hystrix.CommandConfig{}, 1, func(n string, _ *hystrix.Command[int]) { _, _ = hystrix.Execute(ctx, n, pass, nil) }, false},
		// Refused before the isolation matters.
		{"Command/open", opensAtFirstFailure(hystrix.GoroutineIsolation), 0, func(_ string, c *hystrix.Command[int]) { _, _ = c.Execute(ctx, pass, nil) }, true},
		{"Command/open-fallback", opensAtFirstFailure(hystrix.GoroutineIsolation), 0, func(_ string, c *hystrix.Command[int]) { _, _ = c.Execute(ctx, pass, fallback) }, true},
		{"Execute/open", opensAtFirstFailure(hystrix.GoroutineIsolation), 0, func(n string, _ *hystrix.Command[int]) { _, _ = hystrix.Execute(ctx, n, pass, nil) }, true},
		{"Execute/open-fallback", opensAtFirstFailure(hystrix.GoroutineIsolation), 0, func(n string, _ *hystrix.Command[int]) { _, _ = hystrix.Execute(ctx, n, pass, fallback) }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := hystrix.UniqueName(t)
			cmd := hystrix.NewCommand[int](name)
			if tc.open {
				configure(t, name, tc.config)
				_, _ = cmd.Execute(ctx, fail, nil)
				c, _, _ := hystrix.GetCircuit(name)
				require.True(t, c.IsOpen())
			}
			got := allocsOf(t, name, tc.config, func() { tc.call(name, cmd) })
			assert.LessOrEqual(t, got, tc.max)
			t.Logf("%v allocations per call", got)
		})
	}
}
