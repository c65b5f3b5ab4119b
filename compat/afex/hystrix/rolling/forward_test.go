package rolling_test

import (
	"testing"
	"time"

	"github.com/afex/hystrix-go/hystrix/rolling"
	gorolling "github.com/gohystrix/hystrix-go/hystrix/rolling"
)

func TestNumberIsTheEngines(t *testing.T) {
	var n *gorolling.Number = rolling.NewNumber()
	n.Increment(2)
	n.Increment(3)
	if got := n.Sum(time.Now()); got != 5 {
		t.Fatalf("Sum = %v, want 5", got)
	}
}

func TestTimingIsTheEngines(t *testing.T) {
	var r *gorolling.Timing = rolling.NewTiming()
	r.Add(100 * time.Millisecond)
	if got := r.Mean(); got < 97 || got > 103 {
		t.Fatalf("Mean = %dms, want about 100ms", got)
	}
}
