package hystrix

import (
	"sync/atomic"
	"unsafe"
)

// stripedCount is a counter that many goroutines add to at once without
// sharing a cache line: each add goes to one of countStripes padded slots,
// picked from the address of the adding goroutine's stack, and a read
// folds them. It is what an open circuit counts its refusals in, since
// every core may be refusing at the same moment (Java Hystrix counts with
// striped LongAdders for the same reason). The slots are made on the first
// add, so a circuit that never refuses pays for one pointer.
//
// Adds and takes are safe for concurrent use, and a take sees every add
// that happened before it.
type stripedCount struct {
	slots atomic.Pointer[[countStripes]paddedCount]
}

// countStripes is a power of two: enough that the cores of a large machine
// rarely meet on one slot, few enough that folding stays cheap.
const (
	countStripeBits = 4
	countStripes    = 1 << countStripeBits
)

// paddedCount fills a cache line pair: adjacent-line prefetching would make
// neighbours of a plain 64-byte line share traffic.
type paddedCount struct {
	n atomic.Int64
	_ [120]byte
}

// add adds n to the slot of the calling goroutine.
func (s *stripedCount) add(n int64) {
	slots := s.slots.Load()
	if slots == nil {
		slots = s.make()
	}
	slots[stripe()].n.Add(n)
}

func (s *stripedCount) make() *[countStripes]paddedCount {
	fresh := new([countStripes]paddedCount)
	if s.slots.CompareAndSwap(nil, fresh) {
		return fresh
	}
	return s.slots.Load()
}

// take returns the sum of every add since the last take, and starts over.
func (s *stripedCount) take() int64 {
	slots := s.slots.Load()
	if slots == nil {
		return 0
	}
	var sum int64
	for i := range slots {
		if slots[i].n.Load() != 0 {
			sum += slots[i].n.Swap(0)
		}
	}
	return sum
}

// clear forgets every add.
func (s *stripedCount) clear() { s.take() }

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
