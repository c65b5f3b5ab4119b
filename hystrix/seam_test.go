package hystrix_test

import (
	"math"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// callingOpener is a program's own opener that calls the library from every
// method, as a policy that reads other circuits might. It opens after
// limit failures and throttles when told to.
type callingOpener struct {
	reg      *hystrix.Registry
	limit    int64
	throttle *atomic.Bool
	calls    *atomic.Int32
}

func (o callingOpener) Closed(now time.Time, w policy.Window) policy.Tripper {
	o.touch()
	return &callingTripper{o: o}
}

func (o callingOpener) touch() {
	o.calls.Add(1)
	_ = o.reg.Circuits()
	_, _, _ = o.reg.GetCircuit("c")
	_ = o.reg.Do("other", pass, nil)
}

type callingTripper struct {
	o     callingOpener
	fails atomic.Int64
}

func (t *callingTripper) Record(r policy.Result) bool {
	t.o.touch()
	if r.Outcome.Failed() {
		return t.fails.Add(1) >= t.o.limit
	}
	return false
}
func (t *callingTripper) Check(time.Time) bool { t.o.touch(); return t.fails.Load() >= t.o.limit }
func (t *callingTripper) Allow(time.Time) bool { t.o.touch(); return !t.o.throttle.Load() }

func TestPoliciesOfTheProgramsOwnMayCallTheLibrary(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	op := callingOpener{reg: reg, limit: 2, throttle: new(atomic.Bool), calls: new(atomic.Int32)}
	config := hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, SleepWindow: 1000, Trip: hystrix.TripConfig{Policy: op}}
	within(t, 5*time.Second, "a policy that calls the library", func() {
		require.NoError(t, reg.TryConfigureCommand("c", config))
		c, _, _ := reg.GetCircuit("c")
		require.NoError(t, reg.Do("c", pass, nil))
		op.throttle.Store(true)
		assert.ErrorIs(t, reg.Do("c", pass, nil), hystrix.ErrCircuitOpen, "a throttle refuses single calls")
		assert.Equal(t, hystrix.StateClosed, c.State(), "without opening")
		assert.Equal(t, int64(1), c.Counts(clk.Now()).ShortCircuits)
		op.throttle.Store(false)
		_ = reg.Do("c", fail, nil)
		_ = reg.Do("c", fail, nil)
		assert.Equal(t, hystrix.StateOpen, c.State())
		clk.Add(time.Second)
		require.NoError(t, reg.Do("c", pass, nil))
		assert.Equal(t, hystrix.StateClosed, c.State())
	})
	assert.Greater(t, op.calls.Load(), int32(5))
}

// panickyPolicy is a policy of the program's own whose every method panics.
type panickyPolicy struct{}

func (panickyPolicy) Closed(time.Time, policy.Window) policy.Tripper { panic("Closed bug") }
func (panickyPolicy) Opened(time.Time, int) time.Duration            { panic("Opened bug") }
func (panickyPolicy) HalfOpened(time.Time) policy.Trial              { panic("HalfOpened bug") }

type panickyTripper struct{}

func (panickyTripper) Record(policy.Result) bool { panic("Record bug") }
func (panickyTripper) Check(time.Time) bool      { panic("Check bug") }

type panickyOpener struct{}

func (panickyOpener) Closed(time.Time, policy.Window) policy.Tripper { return panickyTripper{} }

func TestPanickingPoliciesAreReportedAndTheCircuitGoesOn(t *testing.T) {
	t.Parallel()
	t.Run("opener", func(t *testing.T) {
		t.Parallel()
		logs := &lines{}
		reg, _ := hystrixtest.NewRegistry(t, hystrix.WithLogger(logs))
		require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{Trip: hystrix.TripConfig{Policy: panickyOpener{}}}))
		c, _, _ := reg.GetCircuit("c")
		assert.Equal(t, errBoom, reg.Do("c", fail, nil))
		assert.False(t, c.IsOpen())
		assert.Contains(t, logs.String(), "Record bug")
		assert.Contains(t, logs.String(), "Check bug")
	})
	t.Run("every method", func(t *testing.T) {
		t.Parallel()
		logs := &lines{}
		reg, clk := hystrixtest.NewRegistry(t, hystrix.WithLogger(logs))
		require.NoError(t, reg.TryConfigureCommand("c", hystrix.CommandConfig{
			Isolation: hystrix.CallerIsolation, RequestVolumeThreshold: 1, SleepWindow: 1000,
			Trip: hystrix.TripConfig{Policy: panickyPolicy{}}, Recovery: hystrix.RecoveryConfig{Policy: panickyPolicy{}},
		}))
		c, _, _ := reg.GetCircuit("c")
		// Closed panicked: hystrix's error percentage judges instead, and a
		// panicking Opened means the sleep window.
		_ = reg.Do("c", fail, nil)
		require.Equal(t, hystrix.StateOpen, c.State())
		clk.Add(time.Second)
		require.Equal(t, hystrix.StateHalfOpen, c.State(), "HalfOpened panicked: a single probe")
		require.NoError(t, reg.Do("c", pass, nil))
		assert.Equal(t, hystrix.StateClosed, c.State())
		for _, bug := range []string{"Closed bug", "Opened bug", "HalfOpened bug"} {
			assert.Contains(t, logs.String(), bug)
		}
	})
}

func TestRegistriesShareNothing(t *testing.T) {
	t.Parallel()
	a, _ := hystrixtest.NewRegistry(t)
	b, _ := hystrixtest.NewRegistry(t)
	require.NoError(t, a.TryConfigureCommand("same", firstFailureOpens()))
	_ = a.Do("same", fail, nil)
	ca, _, _ := a.GetCircuit("same")
	cb, _, _ := b.GetCircuit("same")
	assert.Equal(t, hystrix.StateOpen, ca.State())
	assert.Equal(t, hystrix.StateClosed, cb.State())
	assert.NotSame(t, ca, cb)
	_, inDefault := hystrix.GetCircuitSettings()["same"]
	assert.False(t, inDefault)
	assert.Len(t, b.Circuits(), 1)
}

func TestFlushStopsTheRegistrysTimers(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	require.NoError(t, reg.TryConfigureCommand("c", firstFailureOpens()))
	_ = reg.Do("c", fail, nil)
	require.Equal(t, 1, clk.Pending(), "the open period's timer")
	reg.Flush()
	assert.Zero(t, clk.Pending())
	c, _, _ := reg.GetCircuit("c")
	assert.Equal(t, hystrix.StateClosed, c.State(), "a new circuit")
}

func TestADroppedRegistryIsFreed(t *testing.T) {
	t.Parallel()
	// A registry the program no longer references, circuits and all, must
	// not be kept alive by the library (a cache of circuits by name did).
	gone := func() weak.Pointer[hystrix.Registry] {
		reg := hystrix.NewRegistry()
		_ = reg.Do("c", pass, nil)
		_ = reg.Do("c", fail, nil)
		return weak.Make(reg)
	}()
	for i := 0; i < 20 && gone.Value() != nil; i++ {
		runtime.GC()
	}
	assert.Nil(t, gone.Value())
}

// nanRate is a ramp of the program's own whose trials report no number.
type nanRate struct{ policy.SingleProbe }

func (r nanRate) HalfOpened(now time.Time) policy.Trial {
	return nanTrial{r.SingleProbe.HalfOpened(now)}
}

type nanTrial struct{ policy.Trial }

func (nanTrial) PerMinute(time.Time) float64 { return math.NaN() }

func TestStreamLeavesOutAPolicysNumberThatJSONCannotCarry(t *testing.T) {
	t.Parallel()
	reg, clk := hystrixtest.NewRegistry(t)
	config := firstFailureOpens()
	config.Recovery.Policy = nanRate{policy.SingleProbe{SleepWindow: time.Second}}
	require.NoError(t, reg.TryConfigureCommand("c", config))
	_ = reg.Do("c", fail, nil)
	clk.Add(time.Second)
	round := string(reg.AppendStreamEvents(nil))
	assert.Contains(t, round, `"circuitState":"half-open"`)
	assert.NotContains(t, round, "admittedPerMinute")
}
