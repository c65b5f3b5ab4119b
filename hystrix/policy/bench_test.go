package policy_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// The paths every execution of a closed circuit takes: a tripper's Record
// (and a throttle's Allow), a limiter's Limit and Record.

func BenchmarkTrippers(b *testing.B) {
	for _, c := range []struct {
		name string
		p    policy.Opener
	}{
		{"SlowCallRate", policy.SlowCallRate{Slow: time.Second, Percent: 50, Volume: 20}},
		{"AdaptiveThrottle", policy.AdaptiveThrottle{}},
		{"Any", policy.Any(policy.ErrorPercent{Threshold: 50, Volume: 20}, policy.SlowCallRate{Slow: time.Second, Percent: 50})},
	} {
		b.Run(c.name, func(b *testing.B) {
			tr := c.p.Closed(t0, fixed{})
			th, _ := tr.(policy.Throttle)
			var n atomic.Int64
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					// A fresh second now and then, so buckets move on.
					now := at(time.Duration(n.Add(1)) * time.Microsecond)
					if th != nil {
						th.Allow(now)
					}
					tr.Record(policy.Result{Outcome: policy.Success, Start: now, End: now, Duration: time.Millisecond})
				}
			})
		})
	}
}

func BenchmarkLimiters(b *testing.B) {
	for _, c := range []struct {
		name string
		p    policy.LimitPolicy
	}{
		{"AIMD", policy.AIMD{}},
		{"Gradient", policy.Gradient{}},
	} {
		b.Run(c.name, func(b *testing.B) {
			l := c.p.NewLimiter(t0)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				r := policy.Result{Outcome: policy.Success, Start: t0, End: t0, Duration: time.Millisecond}
				for pb.Next() {
					l.Record(r, l.Limit()/2)
				}
			})
		})
	}
}
