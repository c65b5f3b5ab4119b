package hystrix

import "sync/atomic"

// executorPool bounds how many executions of one command hold a ticket at
// once. A ticket is a count, not a token: taking one is a CAS, returning one
// an atomic add, and the bound is read from the settings at each take, so a
// new MaxConcurrentRequests applies to the next execution.
type executorPool struct {
	active atomic.Int64
	// peak is the highest active count since the stream last read it.
	peak atomic.Int64
}

// acquire takes a ticket unless max are taken; a negative max means no
// bound.
func (p *executorPool) acquire(max int) bool {
	for {
		n := p.active.Load()
		if max >= 0 && n >= int64(max) {
			return false
		}
		if p.active.CompareAndSwap(n, n+1) {
			if n+1 > p.peak.Load() {
				p.raisePeak(n + 1)
			}
			return true
		}
	}
}

func (p *executorPool) raisePeak(n int64) {
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			return
		}
	}
}

// release returns a ticket.
func (p *executorPool) release() { p.active.Add(-1) }

// takePeak returns the highest active count since the last call and starts
// a new period at the current count.
func (p *executorPool) takePeak() int64 {
	return p.peak.Swap(p.active.Load())
}
