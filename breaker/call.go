package breaker

import (
	"context"
	"sync"
)

// A call carries one Run's function into the engine and records whether
// the engine called it, and whether it skipped its error: the engine
// answers a refusal and a function that returned hystrix.ErrCircuitOpen
// alike, and a skipped error like any other.
//
// Its run and runC are its own methods, bound once when the call is made,
// so that handing them to the engine allocates nothing; calls are pooled,
// and a call serves one Run at a time.
type call struct {
	fn      func() (error, bool)
	fnC     func(context.Context) (error, bool)
	ran     bool
	skipped bool
	run     func() (error, bool)
	runC    func(context.Context) (error, bool)
}

var calls = sync.Pool{New: func() any {
	c := new(call)
	c.run, c.runC = c.invoke, c.invokeContext
	return c
}}

func getCall() *call { return calls.Get().(*call) }

// putCall clears c, so that the pool holds no function of the caller's,
// and gives it back. A call whose function panicked comes back too (the
// engine recovers the panic); one whose function called runtime.Goexit is
// left to the garbage collector.
func putCall(c *call) {
	c.fn, c.fnC, c.ran, c.skipped = nil, nil, false, false
	calls.Put(c)
}

func (c *call) invoke() (error, bool) {
	c.ran = true
	err, skip := c.fn()
	c.skipped = skip && err != nil
	return err, skip
}

func (c *call) invokeContext(ctx context.Context) (error, bool) {
	c.ran = true
	err, skip := c.fnC(ctx)
	c.skipped = skip && err != nil
	return err, skip
}
