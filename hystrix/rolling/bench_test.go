package rolling

import (
	"sync/atomic"
	"testing"
	"time"
)

// benchDurations spread over 1ms to about 100ms, the span of a typical
// dependency, so that the benchmarks touch several powers of two.
var benchDurations = func() [64]time.Duration {
	var ds [64]time.Duration
	for i := range ds {
		ds[i] = time.Millisecond + time.Duration(i*i)*25*time.Microsecond
	}
	return ds
}()

func BenchmarkTimingAdd(b *testing.B) {
	const sec = 1_800_000_000
	b.Run("serial", func(b *testing.B) {
		var r Timing
		for i := range benchDurations {
			r.AddUnix(sec, benchDurations[i])
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r.AddUnix(sec, benchDurations[i&63])
		}
	})
	b.Run("parallel", func(b *testing.B) {
		var r Timing
		for i := range benchDurations {
			r.AddUnix(sec, benchDurations[i])
		}
		var seed atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(seed.Add(7))
			for pb.Next() {
				r.AddUnix(sec, benchDurations[i&63])
				i++
			}
		})
	})
}

func BenchmarkTimingPercentile(b *testing.B) {
	at := time.Unix(1_800_000_000, 0)
	var r Timing
	for s := 0; s < 60; s++ {
		for i := range benchDurations {
			r.AddAt(at.Add(-time.Duration(s)*time.Second), benchDurations[i])
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = r.PercentileAt(at, 99)
	}
}

func BenchmarkNumberAdd(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		var r Number
		sec := time.Now().Unix()
		b.ReportAllocs()
		for b.Loop() {
			r.AddUnix(sec, 1)
		}
	})
	b.Run("update-max", func(b *testing.B) {
		var r Number
		sec := time.Now().Unix()
		r.UpdateMaxUnix(sec, 5)
		b.ReportAllocs()
		for b.Loop() {
			r.UpdateMaxUnix(sec, 3)
		}
	})
}
