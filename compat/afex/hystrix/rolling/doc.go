// Package rolling is github.com/afex/hystrix-go's rolling statistics
// package, forwarded to github.com/gohystrix/hystrix-go/hystrix/rolling.
//
// It only forwards: Number and Timing are aliases, so the values that
// DefaultMetricCollector hands out are usable through either import path.
// They keep gohystrix's lock-free, fixed-size implementation; afex's
// exported fields (Buckets, Mutex, CachedSortedDurations, LastCachedTime)
// belonged to its implementation and do not exist here, while every afex
// method does.
package rolling
