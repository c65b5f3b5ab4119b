package hystrix_test

import (
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// policyPassConfigs is every policy of the engine on its own, set never to
// trip, in caller isolation without a timeout, with hystrix's fixed limit
// of 10 unless the policy replaces it: what each one adds to a passing call
// is what the performance issue bounds at 10 % over default.
func policyPassConfigs() []struct {
	name   string
	config hystrix.CommandConfig
} {
	never := hystrix.CommandConfig{
		Isolation:              hystrix.CallerIsolation,
		Timeout:                -1,
		RequestVolumeThreshold: 1 << 30,
	}
	with := func(f func(c *hystrix.CommandConfig)) hystrix.CommandConfig {
		c := never
		f(&c)
		return c
	}
	return []struct {
		name   string
		config hystrix.CommandConfig
	}{
		{"default", never},
		{"consecutive", with(func(c *hystrix.CommandConfig) { c.Trip.ConsecutiveFailures = 1 << 30 })},
		{"slowcall", with(func(c *hystrix.CommandConfig) { c.Trip.SlowCallMs, c.Trip.SlowCallPercent = 1000, 50 })},
		{"throttle", with(func(c *hystrix.CommandConfig) { c.Trip.AdaptiveK = 1.5 })},
		{"probes", with(func(c *hystrix.CommandConfig) { c.Recovery.Probes, c.Recovery.Successes = 3, 2 })},
		{"backoff", with(func(c *hystrix.CommandConfig) { c.Recovery.Backoff = &hystrix.BackoffConfig{MaxMs: 60_000} })},
		{"ramp", with(func(c *hystrix.CommandConfig) { c.Recovery.Ramp = &hystrix.RampConfig{} })},
		{"aimd", with(func(c *hystrix.CommandConfig) { c.Concurrency.Adaptive = "aimd" })},
		{"gradient", with(func(c *hystrix.CommandConfig) { c.Concurrency.Adaptive = "gradient" })},
	}
}

// BenchmarkPolicyPass is a passing call under each policy, in caller
// isolation; compare each row with default.
func BenchmarkPolicyPass(b *testing.B) {
	pass := func() error { return nil }
	for _, tc := range policyPassConfigs() {
		b.Run("caller/"+tc.name, func(b *testing.B) {
			r := hystrix.NewRegistry()
			defer r.Flush()
			if err := r.TryConfigureCommand(tc.name, tc.config); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Do(tc.name, pass, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestEveryPolicyPassesWithoutAllocating(t *testing.T) {
	pass := func() error { return nil }
	for _, tc := range policyPassConfigs() {
		t.Run(tc.name, func(t *testing.T) {
			r := hystrix.NewRegistry()
			defer r.Flush()
			if err := r.TryConfigureCommand(tc.name, tc.config); err != nil {
				t.Fatal(err)
			}
			for range 100 {
				if err := r.Do(tc.name, pass, nil); err != nil {
					t.Fatal(err)
				}
			}
			if got := testing.AllocsPerRun(1000, func() { _ = r.Do(tc.name, pass, nil) }); got != 0 {
				t.Errorf("a passing call allocates %v times, want 0", got)
			}
		})
	}
}
