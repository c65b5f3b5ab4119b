package hystrix_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// These guards fail CI on an allocation regression on the hot paths, without
// any timing. Each warms its path first so that pools and buckets exist.
func allocsOf(t *testing.T, name string, config hystrix.CommandConfig, f func()) float64 {
	t.Helper()
	configure(t, name, config)
	for i := 0; i < 100; i++ {
		f()
	}
	return testing.AllocsPerRun(1000, f)
}

func TestCallerIsolationSuccessAllocatesNothing(t *testing.T) {
	name := hystrix.UniqueName(t)
	run := func() error { return nil }
	got := allocsOf(t, name, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Timeout: -1}, func() {
		_ = hystrix.Do(name, run, nil)
	})
	assert.Zero(t, got)

	runC := func(context.Context) error { return nil }
	ctx := context.Background()
	got = testing.AllocsPerRun(1000, func() { _ = hystrix.DoC(ctx, name, runC, nil) })
	assert.Zero(t, got)
}

// A function without a context runs under a timeout without a timer or a
// context being made for it: nothing could reach it.
func TestCallerIsolationWithTimeoutAllocatesNothingForDo(t *testing.T) {
	name := hystrix.UniqueName(t)
	run := func() error { return nil }
	got := allocsOf(t, name, hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Timeout: 1000}, func() {
		_ = hystrix.Do(name, run, nil)
	})
	assert.Zero(t, got)
}

func TestOpenCircuitRejectionAllocatesNothing(t *testing.T) {
	name := hystrix.UniqueName(t)
	configure(t, name, hystrix.CommandConfig{RequestVolumeThreshold: 1, SleepWindow: 3_600_000})
	_ = hystrix.Do(name, func() error { return errBoom }, nil)
	c, _, _ := hystrix.GetCircuit(name)
	assert.True(t, c.IsOpen())
	run := func() error { return nil }
	assert.Zero(t, testing.AllocsPerRun(1000, func() { _ = hystrix.Do(name, run, nil) }))
}

// Goroutine isolation allocates nothing with Do, pass or fail with a
// fallback, and once with DoC and a timeout: the run's context, which run
// may keep after it returns and so cannot be pooled.
func TestGoroutineIsolationAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop objects; CI runs this guard without -race")
	}
	pass := func() error { return nil }
	fail := func() error { return errBoom }
	fallback := func(error) error { return nil }
	passC := func(context.Context) error { return nil }
	ctx := context.Background()
	cases := []struct {
		name string
		call func(name string)
		want float64
	}{
		{"Do/pass", func(n string) { _ = hystrix.Do(n, pass, nil) }, 0},
		{"Do/fail-fallback", func(n string) { _ = hystrix.Do(n, fail, fallback) }, 0},
		{"DoC/pass", func(n string) { _ = hystrix.DoC(ctx, n, passC, nil) }, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := hystrix.UniqueName(t)
			got := allocsOf(t, name, hystrix.CommandConfig{RequestVolumeThreshold: 1 << 30}, func() { tc.call(name) })
			assert.LessOrEqual(t, got, tc.want)
		})
	}
}

func TestPolicyPathsAllocateNothing(t *testing.T) {
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	pass := func() error { return nil }
	fail := func() error { return errBoom }
	skip := func() (error, bool) { return errBoom, true }
	never := hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, Timeout: -1, MaxConcurrentRequests: -1, RequestVolumeThreshold: 1 << 30}
	consecutive := never
	consecutive.Trip.ConsecutiveFailures = 1 << 30
	ramp := consecutive
	ramp.Recovery.Ramp = &hystrix.RampConfig{}
	cases := []struct {
		name   string
		config hystrix.CommandConfig
		f      func(name string)
	}{
		{"default/fail", never, func(n string) { _ = reg.Do(n, fail, nil) }},
		{"default/bad-request", never, func(n string) { _ = reg.DoSkip(n, skip, nil) }},
		{"consecutive/pass", consecutive, func(n string) { _ = reg.Do(n, pass, nil) }},
		{"consecutive/fail", consecutive, func(n string) { _ = reg.Do(n, fail, nil) }},
		{"consecutive-ramp/alternating", ramp, func(n string) { _ = reg.Do(n, fail, nil); _ = reg.Do(n, pass, nil) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "alloc/" + tc.name
			if err := reg.TryConfigureCommand(name, tc.config); err != nil {
				t.Fatal(err)
			}
			for range 100 {
				tc.f(name)
			}
			assert.Zero(t, testing.AllocsPerRun(1000, func() { tc.f(name) }))
		})
	}
}
