package policy_test

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// t0 is the instant the tests start from: a whole Unix second, so that
// offsets read as the seconds a rolling window counts in.
var t0 = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// at returns t0 moved on by d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// seeds is how many random sequences each property test runs.
const seeds = 300

// rng returns the generator of one seed of a property test.
func rng(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed*0x9e3779b97f4a7c15+1)) }

// pick returns one of xs.
func pick[T any](r *rand.Rand, xs ...T) T { return xs[r.IntN(len(xs))] }

// outcomes are every outcome, and two that are none, as bad input.
var outcomes = []policy.Outcome{
	policy.Success, policy.Failure, policy.Timeout, policy.Rejected,
	policy.BadRequest, policy.Canceled, 0, 42,
}

// execution is one execution as a window holds it.
type execution struct {
	end     time.Time
	outcome policy.Outcome
}

// window is a rolling window kept as a plain list of executions. It counts
// those that ended in the ten Unix seconds up to now, as the circuit's
// window does; one made with forever set counts every execution it holds.
// It is safe for concurrent use.
type window struct {
	forever bool
	run     int64 // reported as Counts.ConsecutiveFailures

	mu    sync.Mutex
	execs []execution
}

func (w *window) add(end time.Time, o policy.Outcome) {
	w.mu.Lock()
	w.execs = append(w.execs, execution{end, o})
	w.mu.Unlock()
}

func (w *window) Executions(now time.Time) (requests, errors int64) {
	c := w.Counts(now)
	return c.Requests, c.Errors
}

func (w *window) Counts(now time.Time) policy.Counts {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := policy.Counts{ConsecutiveFailures: w.run}
	sec := now.Unix()
	for _, e := range w.execs {
		if s := e.end.Unix(); !w.forever && (s <= sec-10 || s > sec) {
			continue
		}
		switch e.outcome {
		case policy.Success:
			c.Successes++
		case policy.Failure:
			c.Failures++
		case policy.Timeout:
			c.Timeouts++
		case policy.Rejected:
			c.Rejections++
		case policy.BadRequest:
			c.BadRequests++
			continue // not a request
		case policy.Canceled:
		default:
			continue
		}
		c.Requests++
		if e.outcome.Failed() {
			c.Errors++
		}
	}
	return c
}

// fixed is a window that holds the same counts at every instant.
type fixed policy.Counts

func (w fixed) Executions(time.Time) (int64, int64) { return w.Requests, w.Errors }
func (w fixed) Counts(time.Time) policy.Counts      { return policy.Counts(w) }

// result is an execution admitted at start that ended at end.
func result(o policy.Outcome, start, end time.Time) policy.Result {
	d := end.Sub(start)
	if o == policy.Rejected {
		d = 0
	}
	return policy.Result{Outcome: o, Start: start, End: end, Duration: d}
}

// race runs f on n goroutines that start together and returns when all
// have returned.
func race(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(i)
		}()
	}
	close(start)
	wg.Wait()
}
