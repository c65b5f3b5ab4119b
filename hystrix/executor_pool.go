package hystrix

import (
	"sync/atomic"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/rolling"
)

// executorPool bounds how many executions of one command hold a ticket at
// once. A ticket is a count, not a token: taking one is a CAS, returning one
// an atomic add, and the bound is read from the settings at each take, so a
// new MaxConcurrentRequests applies to the next execution.
type executorPool struct {
	// tickets is shared with the circuits of the same name that a Flush
	// replaced while their runs were in flight, so that the bound holds
	// across Flush.
	tickets *tickets
	// peak is the highest active count of each second of the window, for
	// the stream's rollingMaxActiveThreads.
	peak rolling.Number
}

// acquire takes a ticket at time t unless max are taken, and returns how
// many are taken with it, or 0 when it took none; a negative max means no
// bound.
func (p *executorPool) acquire(max int, t int64) int64 {
	for {
		n := p.tickets.n.Load()
		if max >= 0 && n >= int64(max) {
			return 0
		}
		if p.tickets.n.CompareAndSwap(n, n+1) {
			p.peak.UpdateMaxUnix(t/int64(time.Second), float64(n+1))
			return n + 1
		}
	}
}

// tickets counts the tickets taken.
type tickets struct{ n atomic.Int64 }

// release returns a ticket.
func (t *tickets) release() { t.n.Add(-1) }
