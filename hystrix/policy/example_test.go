package policy_test

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// tally is a window that counts every execution it is told of, for the
// examples; a circuit's own window forgets them after ten seconds.
type tally struct{ requests, errors atomic.Int64 }

func (w *tally) add(o policy.Outcome) {
	w.requests.Add(1)
	if o.Failed() {
		w.errors.Add(1)
	}
}

func (w *tally) Executions(time.Time) (int64, int64) { return w.requests.Load(), w.errors.Load() }

func (w *tally) Counts(now time.Time) policy.Counts {
	r, e := w.Executions(now)
	return policy.Counts{Requests: r, Errors: e}
}

func ExampleErrorPercent() {
	start := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	p := policy.ErrorPercent{Threshold: 50, Volume: 4}
	w := &tally{}
	tr := p.Closed(start, w)
	outcomes := []policy.Outcome{policy.Success, policy.Failure, policy.Success, policy.Failure}
	for i, o := range outcomes {
		end := start.Add(time.Duration(i) * time.Second)
		w.add(o) // the circuit counts the execution, then asks the period
		open := tr.Record(policy.Result{Outcome: o, Start: end, End: end})
		req, errs := w.Executions(end)
		fmt.Printf("%v: %d errors in %d, open %v\n", o, errs, req, open)
	}
	// Output:
	// success: 0 errors in 1, open false
	// failure: 1 errors in 2, open false
	// success: 1 errors in 3, open false
	// failure: 2 errors in 4, open true
}

func ExampleConsecutiveFailures() {
	start := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	p := policy.ConsecutiveFailures{Threshold: 2}
	tr := p.Closed(start, &tally{})
	outcomes := []policy.Outcome{
		policy.Failure, policy.Failure, policy.Success, // the success resets
		policy.Failure, policy.Failure, policy.BadRequest, // the bad request does not
		policy.Failure,
	}
	for _, o := range outcomes {
		fmt.Println(o, tr.Record(policy.Result{Outcome: o, Start: start, End: start}))
	}
	var c policy.Counts
	tr.(policy.CountReporter).AddCounts(&c)
	fmt.Println("failures in a row:", c.ConsecutiveFailures)
	// Output:
	// failure false
	// failure false
	// success false
	// failure false
	// failure false
	// bad-request false
	// failure true
	// failures in a row: 3
}

func ExampleSingleProbe() {
	opened := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	p := policy.SingleProbe{SleepWindow: 5 * time.Second}
	sleep := p.Opened(opened, 0)
	fmt.Println("open for", sleep)

	half := opened.Add(sleep)
	tr := p.HalfOpened(half)
	fmt.Println("probe admitted:", tr.Admit(half))
	fmt.Println("another admitted:", tr.Admit(half.Add(time.Millisecond)))
	// The caller gave up: that says nothing, so the slot is free again.
	fmt.Println("probe canceled:", tr.Done(policy.Result{Outcome: policy.Canceled, Start: half, End: half.Add(2 * time.Millisecond)}))

	next := half.Add(3 * time.Millisecond)
	fmt.Println("next probe admitted:", tr.Admit(next))
	fmt.Println("probe succeeded:", tr.Done(policy.Result{Outcome: policy.Success, Start: next, End: next.Add(20 * time.Millisecond)}))
	// Output:
	// open for 5s
	// probe admitted: true
	// another admitted: false
	// probe canceled: stay
	// next probe admitted: true
	// probe succeeded: close
}

func ExampleRamp() {
	half := time.Date(2026, time.January, 1, 12, 0, 5, 0, time.UTC)
	p := policy.Ramp{SleepWindow: 5 * time.Second, StartPerMinute: 10, Stage: time.Minute}
	tr := p.HalfOpened(half)
	tk, rr := tr.(policy.Ticker), tr.(policy.RateReporter)
	tk.Tick(half) // the circuit ticks as the trial begins: the first stage starts
	fmt.Println("stage 1:", rr.PerMinute(half), "a minute")

	try := func(d time.Duration) {
		now := half.Add(d)
		ok := tr.Admit(now)
		fmt.Printf("+%v admitted: %v\n", d, ok)
		if ok {
			tr.Done(policy.Result{Outcome: policy.Success, Start: now, End: now})
		}
	}
	try(0)
	try(3 * time.Second) // 10 a minute is one every 6 s
	try(6 * time.Second)

	v, _ := tk.Tick(half.Add(time.Minute))
	fmt.Println("end of stage 1:", v, "at", rr.PerMinute(half), "a minute")
	try(time.Minute)
	try(time.Minute + 3*time.Second) // now one every 3 s

	v, _ = tk.Tick(half.Add(2 * time.Minute))
	fmt.Println("end of stage 2:", v)
	// Output:
	// stage 1: 10 a minute
	// +0s admitted: true
	// +3s admitted: false
	// +6s admitted: true
	// end of stage 1: stay at 20 a minute
	// +1m0s admitted: true
	// +1m3s admitted: true
	// end of stage 2: close
}

// slowCalls is an opener a program writes itself: the circuit opens at
// the Limit-th timeout of a closed period, however many executions
// succeed in between.
type slowCalls struct{ Limit int64 }

func (p slowCalls) Closed(time.Time, policy.Window) policy.Tripper {
	return &slowCallsPeriod{limit: p.Limit}
}

// slowCallsPeriod counts one closed period's timeouts. Record is called
// from many goroutines at once, hence the atomic.
type slowCallsPeriod struct {
	limit    int64
	timeouts atomic.Int64
}

func (p *slowCallsPeriod) Record(r policy.Result) bool {
	return r.Outcome == policy.Timeout && p.timeouts.Add(1) >= p.limit
}

func (p *slowCallsPeriod) Check(time.Time) bool { return p.timeouts.Load() >= p.limit }

func ExampleOpener() {
	// A command uses it with
	// hystrix.CommandConfig{Trip: hystrix.TripConfig{Policy: slowCalls{Limit: 2}}}.
	start := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	var op policy.Opener = slowCalls{Limit: 2}
	tr := op.Closed(start, nil)
	for _, o := range []policy.Outcome{policy.Timeout, policy.Success, policy.Failure, policy.Timeout} {
		fmt.Println(o, tr.Record(policy.Result{Outcome: o, Start: start, End: start.Add(time.Second)}))
	}
	fmt.Println("built in:", policy.IsBuiltin(op))
	// Output:
	// timeout false
	// success false
	// failure false
	// timeout true
	// built in: false
}
