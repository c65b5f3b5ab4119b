package hystrix_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// A registry on a manual clock far from the wall clock still hands run a
// deadline in wall-clock time: network code (dialers, gRPC, net/http)
// measures a deadline with time.Now, and a deadline on the manual clock's
// 2026-01-01 would have passed already, failing every real call at once.
func TestRunDeadlineIsInWallClockTimeOnAManualClock(t *testing.T) {
	t.Parallel()
	for _, iso := range []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation} {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Timeout: 1000, Isolation: iso}))
			before := time.Now()
			err := reg.DoC(context.Background(), "c", func(ctx context.Context) error {
				dl, ok := ctx.Deadline()
				require.True(t, ok, "a timeout gives a deadline")
				assert.False(t, dl.Before(before.Add(time.Second)), "deadline %v is not a second after the call began (%v)", dl, before)
				assert.True(t, dl.Before(time.Now().Add(2*time.Second)), "deadline %v is too far ahead", dl)
				assert.NoError(t, ctx.Err(), "the context has not ended")
				return nil
			}, nil)
			require.NoError(t, err)
		})
	}
}

// The caller's own deadline, when it is earlier, is the one run sees.
func TestRunDeadlineIsTheCallersWhenEarlier(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Timeout: 10_000, Isolation: hystrix.CallerIsolation}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want, _ := ctx.Deadline()
	require.NoError(t, reg.DoC(ctx, "c", func(ctx context.Context) error {
		dl, ok := ctx.Deadline()
		require.True(t, ok)
		assert.True(t, dl.Before(want), "10 s from now is before the caller's minute")
		return nil
	}, nil))
}
