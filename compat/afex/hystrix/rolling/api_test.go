package rolling_test

import (
	"time"

	"github.com/afex/hystrix-go/hystrix/rolling"
)

// afex's exported API with afex's signatures; see the hystrix package's
// api_test.go for why.
var (
	_ func() *rolling.Number                   = rolling.NewNumber
	_ func(*rolling.Number, float64)           = (*rolling.Number).Increment
	_ func(*rolling.Number, float64)           = (*rolling.Number).UpdateMax
	_ func(*rolling.Number, time.Time) float64 = (*rolling.Number).Sum
	_ func(*rolling.Number, time.Time) float64 = (*rolling.Number).Max
	_ func(*rolling.Number, time.Time) float64 = (*rolling.Number).Avg

	_ func() *rolling.Timing                = rolling.NewTiming
	_ func(*rolling.Timing, time.Duration)  = (*rolling.Timing).Add
	_ func(*rolling.Timing) uint32          = (*rolling.Timing).Mean
	_ func(*rolling.Timing, float64) uint32 = (*rolling.Timing).Percentile
	_ func(*rolling.Timing) []time.Duration = (*rolling.Timing).SortedDurations
)
