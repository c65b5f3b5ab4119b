package hystrix

import (
	"runtime"
	"sync/atomic"
	_ "unsafe" // for go:linkname
)

// refusalCounts counts what an open circuit refuses (short circuits and
// the fallbacks they ran) so that many goroutines add at once without
// sharing a cache line: each add goes to the slot of the processor (the
// runtime's P) that runs it, a line pair per slot, and a take folds the
// slots. Every core may be refusing at the same moment; Java Hystrix counts
// with striped LongAdders for the same reason, and a slot per P is what a
// LongAdder's rehashing on contention tends towards.
//
// The slots are made on the first add, one per P at that moment rounded up
// to a power of two (at most maxCountStripes), so a circuit that never
// refuses pays for one pointer and one that does 128 bytes per core. Should
// GOMAXPROCS grow later, Ps share slots, which costs speed, never counts.
//
// Adds and takes are safe for concurrent use, and a take sees every add
// that happened before it.
type refusalCounts struct {
	stripes atomic.Pointer[refusalStripes]
}

// The kinds of refusal counted.
const (
	refusedShortCircuit = iota
	refusedFallbackSuccess
	refusedFallbackFailure
	refusalKinds
)

// maxCountStripes bounds the slots of one circuit: past it, Ps share.
const maxCountStripes = 64

type refusalStripes struct {
	mask  int
	slots []refusalSlot
}

// refusalSlot fills a pair of cache lines: CPUs that prefetch the
// adjacent line would otherwise make neighbouring slots share traffic.
type refusalSlot struct {
	n [refusalKinds]atomic.Int64
	_ [128 - refusalKinds*8]byte
}

// add adds one refusal of kind k to the slot of the calling goroutine's P.
func (s *refusalCounts) add(k int) {
	st := s.stripes.Load()
	if st == nil {
		st = s.make()
	}
	st.slots[currentP()&st.mask].n[k].Add(1)
}

func (s *refusalCounts) make() *refusalStripes {
	n := 1
	for n < runtime.GOMAXPROCS(0) && n < maxCountStripes {
		n <<= 1
	}
	fresh := &refusalStripes{mask: n - 1, slots: make([]refusalSlot, n)}
	if s.stripes.CompareAndSwap(nil, fresh) {
		return fresh
	}
	return s.stripes.Load()
}

// take returns the refusals of kind k since the last take, and starts over.
func (s *refusalCounts) take(k int) int64 {
	st := s.stripes.Load()
	if st == nil {
		return 0
	}
	var sum int64
	for i := range st.slots {
		if st.slots[i].n[k].Load() != 0 {
			sum += st.slots[i].n[k].Swap(0)
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

// currentP returns the id of the P running the calling goroutine, a number
// below GOMAXPROCS. The goroutine may move to another P right after; that
// makes its add land on a slot another P also uses, which the atomic add
// keeps exact, and happens too rarely to cost. The runtime documents
// procPin and procUnpin as kept for packages that link to them (see
// go.dev/issue/67401); they cost a few nanoseconds and no allocation.
func currentP() int {
	p := procPin()
	procUnpin()
	return p
}

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()
