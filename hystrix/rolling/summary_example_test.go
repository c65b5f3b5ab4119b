package rolling_test

import (
	"fmt"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/rolling"
)

func ExampleTiming_Summarize() {
	var r rolling.Timing
	now := time.Unix(1_800_000_000, 0)
	for ms := 1; ms <= 100; ms++ {
		r.AddAt(now, time.Duration(ms)*time.Millisecond)
	}
	// One read for what a dashboard shows; the backing array is reused.
	var buf [3]time.Duration
	s := rolling.TimingSummary{Percentiles: buf[:0]}
	r.Summarize(now, []float64{0, 50, 100}, &s)
	fmt.Println(s.Count, s.Mean)
	for _, d := range s.Percentiles {
		fmt.Println(d.Round(time.Millisecond))
	}
	// Output:
	// 100 50.5ms
	// 1ms
	// 50ms
	// 100ms
}
