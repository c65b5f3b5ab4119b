package hystrix_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// The typed calls pool their records: these tests look for a record, or a
// context, that one call sees of another's, and are meant for -race.

// systemRegistry returns a registry of the test's own on the system clock,
// for timeouts that must fire by themselves, with command "c" configured.
func systemRegistry(t *testing.T, config hystrix.CommandConfig) *hystrix.Registry {
	t.Helper()
	reg := hystrix.NewRegistry()
	t.Cleanup(reg.Flush)
	require.NoError(t, reg.TryConfigureCommand("c", config))
	return reg
}

func TestTypedCallsGetTheirOwnValuesUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			// A short timeout, so that some runs outlive their callers and
			// write their values after the callers have moved on.
			reg := systemRegistry(t, hystrix.CommandConfig{Isolation: iso, Timeout: 2, MaxConcurrentRequests: -1, RequestVolumeThreshold: 1 << 30})
			cmd := hystrix.NewRegistryCommand[string](reg, "c")
			const goroutines, calls = 16, 200
			var wg sync.WaitGroup
			errs := make(chan error, goroutines)
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range calls {
						id := fmt.Sprintf("%d/%d", g, i)
						if err := typedCallOfKind(cmd, id, i%4); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}

// typedCallOfKind makes a call of one of four kinds, each with values of
// its own, and says what was wrong with its answer.
func typedCallOfKind(cmd *hystrix.Command[string], id string, kind int) error {
	fallback := func(_ context.Context, err error) (string, error) { return "fallback " + id, nil }
	var v, want string
	var err error
	switch kind {
	case 0:
		want = "run " + id
		v, err = cmd.Execute(context.Background(), func(context.Context) (string, error) { return "run " + id, nil }, fallback)
	case 1:
		want = "fallback " + id
		v, err = cmd.Execute(context.Background(), func(context.Context) (string, error) { return "late " + id, errBoom }, fallback)
	case 2:
		// Outlives its caller in goroutine isolation, and writes its value
		// when the caller has had the fallback's.
		want = "fallback " + id
		v, err = cmd.Execute(context.Background(), func(ctx context.Context) (string, error) {
			<-ctx.Done()
			time.Sleep(time.Millisecond)
			return "late " + id, nil
		}, fallback)
	default:
		ctx, cancel := context.WithCancel(context.Background())
		want = "fallback " + id
		v, err = cmd.Execute(ctx, func(context.Context) (string, error) {
			cancel()
			return "late " + id, nil
		}, fallback)
	}
	// A 2 ms timeout can overtake even a run that returns at once on a
	// loaded machine: its own fallback's value is right too. What must
	// never come is another call's value.
	if kind == 0 && err == nil && v == "fallback "+id {
		return nil
	}
	if err != nil || v != want {
		return fmt.Errorf("call %s of kind %d: %q, %v; want %q", id, kind, v, err, want)
	}
	return nil
}

func TestARunThatOutlivesItsCallerWritesIntoNoLaterCall(t *testing.T) {
	t.Parallel()
	reg := systemRegistry(t, hystrix.CommandConfig{Timeout: 10, MaxConcurrentRequests: -1})
	cmd := hystrix.NewRegistryCommand[int](reg, "c")
	release := make(chan struct{})
	returned := make(chan struct{})
	v, err := cmd.Execute(context.Background(), func(context.Context) (int, error) {
		<-release
		defer close(returned)
		return -1, nil
	}, answer(0))
	require.NoError(t, err)
	require.Equal(t, 0, v, "the fallback's value at the timeout")
	// The later calls must not time out on a loaded machine: only the
	// first needed the short timeout.
	require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Timeout: 60_000, MaxConcurrentRequests: -1}))

	// Later calls take records from the pool while the abandoned run is
	// about to write its value into its own.
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				want := g*1000 + i + 1
				v, err := cmd.Execute(context.Background(), value(want), nil)
				assert.NoError(t, err)
				assert.Equal(t, want, v)
			}
		}()
		if g == 3 {
			close(release)
		}
	}
	wg.Wait()
	<-returned
}

type ctxKey struct{}

func TestARunsContextKeptAfterItReturnedStaysEnded(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		for _, lookedAtDone := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/Done-called-in-run=%v", iso, lookedAtDone), func(t *testing.T) {
				t.Parallel()
				reg := systemRegistry(t, hystrix.CommandConfig{Isolation: iso, Timeout: 10_000, MaxConcurrentRequests: -1})
				cmd := hystrix.NewRegistryCommand[int](reg, "c")
				var kept context.Context
				first := context.WithValue(context.Background(), ctxKey{}, "first")
				_, err := cmd.Execute(first, func(ctx context.Context) (int, error) {
					kept = ctx
					if lookedAtDone {
						_ = ctx.Done()
					}
					return 1, nil
				}, nil)
				require.NoError(t, err)
				assertEnded := func(when string) {
					t.Helper()
					assert.Equal(t, context.Canceled, kept.Err(), when)
					select {
					case <-kept.Done():
					default:
						t.Errorf("%s: the kept context's Done is open", when)
					}
					assert.Equal(t, "first", kept.Value(ctxKey{}), when)
					_, hasDeadline := kept.Deadline()
					assert.True(t, hasDeadline, when)
				}
				assertEnded("after its call")

				// Later calls, on other goroutines too, must neither revive it
				// nor show through it.
				var wg sync.WaitGroup
				for range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						second := context.WithValue(context.Background(), ctxKey{}, "second")
						for range 50 {
							_, err := cmd.Execute(second, func(ctx context.Context) (int, error) {
								assert.NoError(t, ctx.Err(), "a live call's context")
								assert.Equal(t, "second", ctx.Value(ctxKey{}))
								return 2, nil
							}, nil)
							assert.NoError(t, err)
							assert.Equal(t, context.Canceled, kept.Err())
							assert.Equal(t, "first", kept.Value(ctxKey{}))
						}
					}()
				}
				wg.Wait()
				assertEnded("after later calls")
			})
		}
	}
}
