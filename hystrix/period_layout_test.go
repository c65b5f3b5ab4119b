package hystrix

import (
	"testing"
	"unsafe"
)

// Every call reads a period's state and, when closed, its throttle and
// fast tripper: they lie in its first 64 bytes, and the period's size is a
// multiple of 64, so that the allocator's size class for it starts every
// period on a cache line and the call path touches one line of it.
func TestPeriodHotFieldsShareOneCacheLine(t *testing.T) {
	var p period
	if n := unsafe.Sizeof(p); n%64 != 0 {
		t.Errorf("a period is %d bytes, not a multiple of 64", n)
	}
	if end := unsafe.Offsetof(p.tripper) + unsafe.Sizeof(p.tripper); end > 64 {
		t.Errorf("the hot fields end at byte %d, past the first line", end)
	}
}
