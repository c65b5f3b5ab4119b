package hystrix_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// The typed API's behaviour: values on top of DoC's semantics. The two
// typed calls, Execute (by name) and Command.Execute (on the kept circuit),
// run every case.

// intCall is a typed call of one command, with int values.
type intCall = func(ctx context.Context, run func(context.Context) (int, error), fallback func(context.Context, error) (int, error)) (int, error)

// typedCalls are the two ways of making a typed call of a named command of
// the default registry.
var typedCalls = []struct {
	name string
	make func(name string) intCall
}{
	{"Command", func(name string) intCall { return hystrix.NewCommand[int](name).Execute }},
	{"Execute", func(name string) intCall {
		return func(ctx context.Context, run func(context.Context) (int, error), fallback func(context.Context, error) (int, error)) (int, error) {
			return hystrix.Execute(ctx, name, run, fallback)
		}
	}},
}

var isolations = []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation}

// eachTypedCall runs f, in parallel, for both typed calls in both
// isolations, each on a command of its own of the default registry (whose
// clock is the system's, for the tests of timeouts and cancellation)
// configured with config in that isolation.
func eachTypedCall(t *testing.T, config hystrix.CommandConfig, f func(t *testing.T, name string, iso hystrix.Isolation, call intCall)) {
	t.Helper()
	for _, tc := range typedCalls {
		for _, iso := range isolations {
			t.Run(tc.name+"/"+iso.String(), func(t *testing.T) {
				t.Parallel()
				name := hystrix.UniqueName(t)
				c := config
				c.Isolation = iso
				configure(t, name, c)
				f(t, name, iso, tc.make(name))
			})
		}
	}
}

func value(v int) func(context.Context) (int, error) {
	return func(context.Context) (int, error) { return v, nil }
}

func failing(v int, err error) func(context.Context) (int, error) {
	return func(context.Context) (int, error) { return v, err }
}

func answer(v int) func(context.Context, error) (int, error) {
	return func(context.Context, error) (int, error) { return v, nil }
}

func TestTypedSuccessReturnsTheRunsValue(t *testing.T) {
	eachTypedCall(t, hystrix.CommandConfig{}, func(t *testing.T, _ string, _ hystrix.Isolation, call intCall) {
		fellBack := false
		v, err := call(context.Background(), value(7), func(context.Context, error) (int, error) { fellBack = true; return 0, nil })
		assert.NoError(t, err)
		assert.Equal(t, 7, v)
		assert.False(t, fellBack)
	})
}

func TestTypedFailureWithoutFallbackReturnsTheZeroValueAndTheError(t *testing.T) {
	eachTypedCall(t, hystrix.CommandConfig{}, func(t *testing.T, _ string, _ hystrix.Isolation, call intCall) {
		v, err := call(context.Background(), failing(7, errBoom), nil)
		assert.Same(t, errBoom, err)
		assert.Zero(t, v, "a value that comes with an error is dropped")
	})
}

func TestTypedFallbackBuildsTheValueForAFailure(t *testing.T) {
	eachTypedCall(t, hystrix.CommandConfig{}, func(t *testing.T, _ string, _ hystrix.Isolation, call intCall) {
		var cause error
		v, err := call(context.Background(), failing(7, errBoom), func(_ context.Context, err error) (int, error) {
			cause = err
			return 42, nil
		})
		assert.NoError(t, err)
		assert.Equal(t, 42, v)
		assert.Same(t, errBoom, cause)
	})
}

func TestTypedFallbackFailureIsAFallbackErrorWithTheZeroValue(t *testing.T) {
	errNoCache := errors.New("no cache")
	eachTypedCall(t, hystrix.CommandConfig{}, func(t *testing.T, _ string, _ hystrix.Isolation, call intCall) {
		v, err := call(context.Background(), failing(7, errBoom), func(context.Context, error) (int, error) { return 42, errNoCache })
		assert.Zero(t, v)
		var fe *hystrix.FallbackError
		require.ErrorAs(t, err, &fe)
		assert.Same(t, errBoom, fe.RunErr)
		assert.Same(t, errNoCache, fe.FallbackErr)
	})
}

func TestTypedPanicBecomesAPanicErrorHandedToTheFallback(t *testing.T) {
	eachTypedCall(t, hystrix.CommandConfig{}, func(t *testing.T, name string, iso hystrix.Isolation, call intCall) {
		panics := func(context.Context) (int, error) { panic("bad state") }
		v, err := call(context.Background(), panics, nil)
		assert.Zero(t, v)
		var pe *hystrix.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "bad state", pe.Value)
		assert.Equal(t, name, pe.Command)

		var cause error
		v, err = call(context.Background(), panics, func(_ context.Context, err error) (int, error) { cause = err; return 3, nil })
		assert.NoError(t, err)
		assert.Equal(t, 3, v)
		assert.ErrorAs(t, cause, &pe)

		v, err = call(context.Background(), value(1), func(context.Context, error) (int, error) { panic("unreached") })
		assert.NoError(t, err, "the fallback runs only on failure")
		assert.Equal(t, 1, v)
		v, err = call(context.Background(), failing(0, errBoom), func(context.Context, error) (int, error) { panic("fallback down") })
		assert.Zero(t, v)
		var fe *hystrix.FallbackError
		require.ErrorAs(t, err, &fe)
		assert.ErrorAs(t, fe.FallbackErr, &pe)
	})
}

func TestTypedBadRequestIsReturnedAsItIsWithoutFallback(t *testing.T) {
	eachTypedCall(t, hystrix.CommandConfig{}, func(t *testing.T, _ string, _ hystrix.Isolation, call intCall) {
		marked := hystrix.BadRequest(errInvalid)
		fellBack := false
		v, err := call(context.Background(), failing(7, marked), func(context.Context, error) (int, error) { fellBack = true; return 42, nil })
		assert.Same(t, marked, err)
		assert.True(t, hystrix.IsBadRequest(err))
		assert.Zero(t, v)
		assert.False(t, fellBack)
	})
}

func TestTypedNilRunIsRefusedWithErrNilRun(t *testing.T) {
	eachTypedCall(t, hystrix.CommandConfig{}, func(t *testing.T, _ string, _ hystrix.Isolation, call intCall) {
		v, err := call(context.Background(), nil, answer(1))
		assert.ErrorIs(t, err, hystrix.ErrNilRun)
		assert.Zero(t, v)
	})
}

func TestTypedTimeoutIsHandedToTheFallback(t *testing.T) {
	// In goroutine isolation the call returns at the timeout even though
	// the run ignores its context; in caller isolation the timeout reaches
	// the run through its context.
	eachTypedCall(t, hystrix.CommandConfig{Timeout: 20}, func(t *testing.T, name string, iso hystrix.Isolation, call intCall) {
		release := make(chan struct{})
		slow := func(ctx context.Context) (int, error) {
			if iso == hystrix.CallerIsolation {
				<-ctx.Done()
				return 7, ctx.Err()
			}
			<-release
			return 7, nil
		}
		var cause error
		v, err := call(context.Background(), slow, func(_ context.Context, err error) (int, error) { cause = err; return 42, nil })
		close(release)
		assert.NoError(t, err)
		assert.Equal(t, 42, v)
		assert.Equal(t, hystrix.ErrTimeout, cause)

		v, err = call(context.Background(), func(ctx context.Context) (int, error) { <-ctx.Done(); return 7, nil }, nil)
		assert.Equal(t, hystrix.ErrTimeout, err)
		assert.Zero(t, v)
		waitIdle(t, name)
	})
}

func TestTypedCallerCancellationReturnsTheContextsError(t *testing.T) {
	eachTypedCall(t, hystrix.CommandConfig{Timeout: 10_000}, func(t *testing.T, name string, iso hystrix.Isolation, call intCall) {
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		go func() { <-started; cancel() }()
		var cause error
		v, err := call(ctx, func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			return 7, nil // a value the caller no longer waits for
		}, func(_ context.Context, err error) (int, error) { cause = err; return 42, nil })
		assert.NoError(t, err)
		assert.Equal(t, 42, v)
		assert.Equal(t, context.Canceled, cause)

		ran := false
		v, err = call(ctx, func(context.Context) (int, error) { ran = true; return 7, nil }, nil)
		assert.Equal(t, context.Canceled, err, "a context done before the call")
		assert.Zero(t, v)
		assert.False(t, ran)
		waitIdle(t, name)
		c, _, _ := hystrix.GetCircuit(name)
		counts := c.Counts(time.Now())
		assert.Zero(t, counts.Errors, "the caller's end is not the dependency's failure")
	})
}

// opensAtFirstFailure is a command of isolation iso whose first failure
// opens its circuit for an hour.
func opensAtFirstFailure(iso hystrix.Isolation) hystrix.CommandConfig {
	c := firstFailureOpens()
	c.Isolation = iso
	c.SleepWindow = int(time.Hour / time.Millisecond)
	return c
}

func TestTypedOpenCircuitIsAnsweredByTheFallbacksDefault(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			require.NoError(t, reg.TryConfigureCommand("prices", opensAtFirstFailure(iso)))
			cmd := hystrix.NewRegistryCommand[[]string](reg, "prices")
			byDefault := func(_ context.Context, err error) ([]string, error) {
				if errors.Is(err, hystrix.ErrCircuitOpen) {
					return []string{"default"}, nil
				}
				return nil, err
			}
			_, err := cmd.Execute(context.Background(), func(context.Context) ([]string, error) { return nil, errBoom }, byDefault)
			var fe *hystrix.FallbackError
			require.ErrorAs(t, err, &fe, "this fallback answers only the open circuit")
			require.Same(t, errBoom, fe.RunErr)
			c, _, _ := reg.GetCircuit("prices")
			require.True(t, c.IsOpen())

			ran := false
			v, err := cmd.Execute(context.Background(), func(context.Context) ([]string, error) { ran = true; return []string{"live"}, nil }, byDefault)
			assert.NoError(t, err)
			assert.Equal(t, []string{"default"}, v)
			assert.False(t, ran)

			v, err = cmd.Execute(context.Background(), func(context.Context) ([]string, error) { return []string{"live"}, nil }, nil)
			assert.Equal(t, hystrix.ErrCircuitOpen, err)
			assert.Nil(t, v)
		})
	}
}

func TestCommandFindsTheNewCircuitAfterAFlush(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", opensAtFirstFailure(hystrix.CallerIsolation)))
	cmd := hystrix.NewRegistryCommand[int](reg, "c")
	_, err := cmd.Execute(context.Background(), failing(0, errBoom), nil)
	require.Same(t, errBoom, err)
	old, _, _ := reg.GetCircuit("c")
	require.True(t, old.IsOpen())

	reg.Flush()
	v, err := cmd.Execute(context.Background(), value(5), nil)
	require.NoError(t, err, "a flushed circuit's state goes with it")
	assert.Equal(t, 5, v)
	cur, _, _ := reg.GetCircuit("c")
	assert.NotSame(t, old, cur)
	assert.Equal(t, int64(1), cur.Counts(clk.Now()).Requests, "the call counted on the new circuit")
	assert.True(t, old.IsOpen(), "and not on the flushed one")

	// The settings stay across the Flush: the new circuit opens too.
	_, err = cmd.Execute(context.Background(), failing(0, errBoom), nil)
	require.Same(t, errBoom, err)
	_, err = cmd.Execute(context.Background(), value(5), nil)
	assert.Equal(t, hystrix.ErrCircuitOpen, err)
	assert.True(t, cur.IsOpen())
}

func TestCommandsShareTheirNamesCircuitWithDo(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", opensAtFirstFailure(hystrix.CallerIsolation)))
	ints := hystrix.NewRegistryCommand[int](reg, "c")
	strs := hystrix.NewRegistryCommand[string](reg, "c")
	assert.Equal(t, "c", ints.Name())
	assert.Empty(t, reg.Circuits(), "making a Command makes no circuit")

	_, err := strs.Execute(context.Background(), func(context.Context) (string, error) { return "", errBoom }, nil)
	require.Same(t, errBoom, err)
	_, err = ints.Execute(context.Background(), value(1), nil)
	assert.Equal(t, hystrix.ErrCircuitOpen, err)
	assert.Equal(t, hystrix.ErrCircuitOpen, reg.Do("c", func() error { return nil }, nil))
	assert.Len(t, reg.Circuits(), 1)
}

func TestCommandTakesTheSettingsInForceAtItsFirstExecute(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	cmd := hystrix.NewRegistryCommand[int](reg, "late")
	require.NoError(t, reg.TryConfigureCommand("late", hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Timeout: -1}))
	_, err := cmd.Execute(context.Background(), value(1), nil)
	require.NoError(t, err)
	c, _, _ := reg.GetCircuit("late")
	assert.Equal(t, hystrix.CallerIsolation, c.Settings().Isolation)
}

func TestTypedZeroValueOfAPointerIsNil(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	type user struct{ name string }
	cmd := hystrix.NewRegistryCommand[*user](reg, "users")
	u, err := cmd.Execute(context.Background(), func(context.Context) (*user, error) { return &user{"ann"}, errBoom }, nil)
	assert.Same(t, errBoom, err)
	assert.Nil(t, u)
	u, err = cmd.Execute(context.Background(), func(context.Context) (*user, error) { return &user{"ann"}, nil }, nil)
	require.NoError(t, err)
	assert.Equal(t, "ann", u.name)
}
