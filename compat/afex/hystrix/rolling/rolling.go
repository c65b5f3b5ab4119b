package rolling

import gorolling "github.com/gohystrix/hystrix-go/hystrix/rolling"

// Number is gohystrix's rolling Number: a sum or maximum over the last ten
// seconds.
type Number = gorolling.Number

// NewNumber is gorolling.NewNumber.
func NewNumber() *Number { return gorolling.NewNumber() }

// Timing is gohystrix's rolling Timing: a latency distribution over the last
// sixty seconds.
type Timing = gorolling.Timing

// NewTiming is gorolling.NewTiming.
func NewTiming() *Timing { return gorolling.NewTiming() }
