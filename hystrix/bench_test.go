package hystrix_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// These benchmarks profile the engine alone; bench/ compares it with its
// peers.
func BenchmarkDo(b *testing.B) {
	pass := func() error { return nil }
	fail := func() error { return errBoom }
	fallback := func(error) error { return nil }
	never := hystrix.CommandConfig{RequestVolumeThreshold: 1 << 30, MaxConcurrentRequests: -1}
	cases := []struct {
		name     string
		config   hystrix.CommandConfig
		run      func() error
		fallback func(error) error
	}{
		{"goroutine/pass", never, pass, nil},
		{"goroutine/fail-fallback", never, fail, fallback},
		{"caller/pass", withIsolation(never, hystrix.CallerIsolation, -1), pass, nil},
		{"caller/fail", withIsolation(never, hystrix.CallerIsolation, -1), fail, nil},
		{"caller-timeout/pass", withIsolation(never, hystrix.CallerIsolation, 1000), pass, nil},
	}
	for _, tc := range cases {
		for _, g := range []int{1, 75} {
			name := fmt.Sprintf("%s/g%d", tc.name, g)
			b.Run(name, func(b *testing.B) {
				cmd := "bench/" + name
				if err := hystrix.TryConfigureCommand(cmd, tc.config); err != nil {
					b.Fatal(err)
				}
				runParallel(b, g, func() { _ = hystrix.Do(cmd, tc.run, tc.fallback) })
			})
		}
	}
	b.Run("open/g1", func(b *testing.B) {
		cmd := "bench/open"
		_ = hystrix.TryConfigureCommand(cmd, hystrix.CommandConfig{RequestVolumeThreshold: 1, SleepWindow: 3_600_000})
		_ = hystrix.Do(cmd, fail, nil)
		runParallel(b, 1, func() { _ = hystrix.Do(cmd, pass, nil) })
	})
	// Every core refusing at once, the target: b.RunParallel with
	// one goroutine per P.
	b.Run("open/parallel", func(b *testing.B) {
		cmd := "bench/open-parallel"
		_ = hystrix.TryConfigureCommand(cmd, hystrix.CommandConfig{RequestVolumeThreshold: 1, SleepWindow: 3_600_000})
		_ = hystrix.Do(cmd, fail, nil)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = hystrix.Do(cmd, pass, nil)
			}
		})
	})
	b.Run("caller-ctx/pass/g1", func(b *testing.B) {
		cmd := "bench/caller-ctx"
		_ = hystrix.TryConfigureCommand(cmd, withIsolation(never, hystrix.CallerIsolation, -1))
		ctx := context.Background()
		run := func(context.Context) error { return nil }
		runParallel(b, 1, func() { _ = hystrix.DoC(ctx, cmd, run, nil) })
	})
}

func withIsolation(c hystrix.CommandConfig, iso hystrix.Isolation, timeout int) hystrix.CommandConfig {
	c.Isolation = iso
	c.Timeout = timeout
	return c
}

// runParallel runs f b.N times over g goroutines in all.
func runParallel(b *testing.B, g int, f func()) {
	b.ReportAllocs()
	if g == 1 {
		for i := 0; i < b.N; i++ {
			f()
		}
		return
	}
	b.SetParallelism((g + 1) / 2)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f()
		}
	})
}

// BenchmarkFloor measures what the engine cannot go below on this machine:
// one read of the monotonic clock, and the hand-off of goroutine isolation
// (start a goroutine, wait on a channel fed by it or by an AfterFunc timer)
// without any of the engine's work.
func BenchmarkFloor(b *testing.B) {
	b.Run("clock", func(b *testing.B) {
		start := time.Now()
		var sink time.Duration
		for i := 0; i < b.N; i++ {
			sink += time.Since(start)
		}
		_ = sink
	})
	b.Run("goroutine-handoff", func(b *testing.B) {
		b.ReportAllocs()
		wake := make(chan int, 2)
		timer := time.AfterFunc(time.Hour, func() { wake <- 2 })
		for i := 0; i < b.N; i++ {
			timer.Reset(time.Second)
			go func() { wake <- 1 }()
			<-wake
			timer.Stop()
		}
	})
}

// BenchmarkCircuits is a passing call on one circuit, and calls spread
// over 10,000 circuits in a fixed random order, in both isolations, on the
// default registry and on one of the program's own: the cost of a
// circuit's state falling out of the caches.
func BenchmarkCircuits(b *testing.B) {
	pass := func() error { return nil }
	for _, iso := range []struct {
		name string
		iso  hystrix.Isolation
	}{{"caller", hystrix.CallerIsolation}, {"goroutine", hystrix.GoroutineIsolation}} {
		for _, reg := range []string{"default", "own"} {
			for _, n := range []int{1, 10_000} {
				b.Run(fmt.Sprintf("%s/%s/%d", iso.name, reg, n), func(b *testing.B) {
					configure, do := hystrix.TryConfigureCommand, hystrix.Do
					if reg == "own" {
						r := hystrix.NewRegistry()
						defer r.Flush()
						configure, do = r.TryConfigureCommand, r.Do
					}
					names := make([]string, n)
					for i := range names {
						names[i] = fmt.Sprintf("bench/circuits/%s/%s/%05d", iso.name, reg, i)
						if err := configure(names[i], hystrix.CommandConfig{
							Isolation: iso.iso, RequestVolumeThreshold: 1 << 30,
						}); err != nil {
							b.Fatal(err)
						}
						_ = do(names[i], pass, nil)
					}
					// A fixed shuffle, so that no prefetcher guesses the next one.
					order := make([]string, len(names))
					for i, j := range rand.New(rand.NewPCG(1, 2)).Perm(len(names)) {
						order[i] = names[j]
					}
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						_ = do(order[i], pass, nil)
						if i++; i == len(order) {
							i = 0
						}
					}
				})
			}
		}
	}
}
