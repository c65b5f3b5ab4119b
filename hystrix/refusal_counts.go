package hystrix

import (
	"sync/atomic"
	"unsafe"
)

// refusalCounts counts what an open circuit refuses (short circuits and
// the fallbacks they ran) so that many goroutines add at once without
// sharing a cache line: each add goes to one of countStripes slots, a
// line pair each, picked from the address of the adding goroutine's
// stack, and a take folds them. Every core may be refusing at the same
// moment (Java Hystrix counts with striped LongAdders for the same reason).
// The slots, 2 KiB, are made on the first add, so a circuit that never
// refuses pays for one pointer.
//
// Adds and takes are safe for concurrent use, and a take sees every add
// that happened before it.
type refusalCounts struct {
	slots atomic.Pointer[[countStripes]refusalSlot]
}

// The kinds of refusal counted.
const (
	refusedShortCircuit = iota
	refusedFallbackSuccess
	refusedFallbackFailure
	refusalKinds
)

// countStripes is a power of two: enough that the cores of a large machine
// rarely meet on one slot, few enough that folding stays cheap.
const (
	countStripeBits = 4
	countStripes    = 1 << countStripeBits
)

// refusalSlot fills a pair of cache lines: CPUs that prefetch the
// adjacent line would otherwise make neighbouring slots share traffic.
type refusalSlot struct {
	n [refusalKinds]atomic.Int64
	_ [128 - refusalKinds*8]byte
}

// add adds one refusal of kind k to the calling goroutine's slot.
func (s *refusalCounts) add(k int) {
	slots := s.slots.Load()
	if slots == nil {
		slots = s.make()
	}
	slots[stripe()].n[k].Add(1)
}

func (s *refusalCounts) make() *[countStripes]refusalSlot {
	fresh := new([countStripes]refusalSlot)
	if s.slots.CompareAndSwap(nil, fresh) {
		return fresh
	}
	return s.slots.Load()
}

// take returns the refusals of kind k since the last take, and starts over.
func (s *refusalCounts) take(k int) int64 {
	slots := s.slots.Load()
	if slots == nil {
		return 0
	}
	var sum int64
	for i := range slots {
		if slots[i].n[k].Load() != 0 {
			sum += slots[i].n[k].Swap(0)
		}
	}
	return sum
}

// clear forgets every refusal.
func (s *refusalCounts) clear() {
	for k := range refusalKinds {
		s.take(k)
	}
}

// stripe picks a slot for the calling goroutine from where its stack is.
// Goroutine stacks are at least 2 KiB apart, so the address bits above
// that differ between goroutines running at the same time and stay the
// same for one goroutine, whose adds then keep to one line; a
// multiplicative hash spreads neighbouring stacks over the slots. It costs
// a multiply, not a call into the runtime.
//
//go:nosplit
func stripe() uintptr {
	var marker byte
	p := uint64(uintptr(unsafe.Pointer(&marker))) >> 11
	return uintptr((p * 0x9E3779B97F4A7C15) >> (64 - countStripeBits))
}
