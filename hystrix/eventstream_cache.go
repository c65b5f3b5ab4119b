package hystrix

import (
	"slices"
	"strings"
)

// circuitOrder is the names of the circuits of the last round, sorted.
// Most rounds show the same circuits as the one before, and sorting ten
// thousand names costs more than looking each of them up: a round whose
// circuits are those named here, and no others, takes their order from
// here. It holds names rather than circuits, so that a circuit the
// registry drops is not kept reachable.
type circuitOrder struct {
	names []string
}

// appendSortedCircuits appends the registry's circuits to dst in the order
// of their names, as Circuits returns them, and remembers that order in o.
func (r *Registry) appendSortedCircuits(dst []*CircuitBreaker, o *circuitOrder) []*CircuitBreaker {
	start := len(dst)
	r.mu.Lock()
	if len(o.names) == len(r.circuits) {
		// The map's names are distinct, so as many of them as there were
		// last round, each found, are the same set.
		same := true
		for _, name := range o.names {
			c := r.circuits[name]
			if c == nil {
				same = false
				break
			}
			dst = append(dst, c)
		}
		if same {
			r.mu.Unlock()
			return dst
		}
		clear(dst[start:])
		dst = dst[:start]
	}
	for _, c := range r.circuits {
		dst = append(dst, c)
	}
	r.mu.Unlock()
	sorted := dst[start:]
	slices.SortFunc(sorted, func(a, b *CircuitBreaker) int { return strings.Compare(a.Name, b.Name) })
	clear(o.names)
	o.names = o.names[:0]
	for _, c := range sorted {
		o.names = append(o.names, c.Name)
	}
	return dst
}
