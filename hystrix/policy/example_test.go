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

func ExampleSlowCallRate() {
	start := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	p := policy.SlowCallRate{Slow: 500 * time.Millisecond, Percent: 50, Volume: 4}
	tr := p.Closed(start, &tally{})
	calls := []struct {
		o policy.Outcome
		d time.Duration
	}{
		{policy.Success, 20 * time.Millisecond},
		{policy.Success, 900 * time.Millisecond}, // slow
		{policy.Failure, 30 * time.Millisecond},  // fast: failures are the error percentage's
		{policy.Timeout, time.Second},            // a timeout is always slow
	}
	for i, c := range calls {
		end := start.Add(time.Duration(i) * time.Second)
		open := tr.Record(policy.Result{Outcome: c.o, Start: end.Add(-c.d), End: end, Duration: c.d})
		pct := tr.(policy.SlowCallReporter).SlowCallPercent(end)
		fmt.Printf("%v in %v: %.0f%% slow, open %v\n", c.o, c.d, pct, open)
	}
	// Output:
	// success in 20ms: 0% slow, open false
	// success in 900ms: 50% slow, open false
	// failure in 30ms: 33% slow, open false
	// timeout in 1s: 50% slow, open true
}

func ExampleAny() {
	start := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	// Open on 50% errors of at least 10, or on 80% of at least 4 calls
	// slower than 250ms, whichever comes first.
	op := policy.Any(
		policy.ErrorPercent{Threshold: 50, Volume: 10},
		policy.SlowCallRate{Slow: 250 * time.Millisecond, Percent: 80, Volume: 4},
	)
	w := &tally{}
	tr := op.Closed(start, w)
	for i := range 4 {
		end := start.Add(time.Duration(i) * 100 * time.Millisecond)
		w.add(policy.Success)
		open := tr.Record(policy.Result{Outcome: policy.Success, Start: end.Add(-2 * time.Second), End: end, Duration: 2 * time.Second})
		fmt.Printf("slow success %d: open %v\n", i+1, open)
	}
	_, reports := tr.(policy.SlowCallReporter)
	fmt.Println("reports slow calls:", reports)
	// Output:
	// slow success 1: open false
	// slow success 2: open false
	// slow success 3: open false
	// slow success 4: open true
	// reports slow calls: true
}

func ExampleAdaptiveThrottle() {
	start := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	draws := []float64{0.1, 0.5, 0.9}
	next := 0
	p := policy.AdaptiveThrottle{K: 2, Rand: func() float64 {
		x := draws[next%len(draws)]
		next++
		return x
	}}
	tr := p.Closed(start, &tally{})
	th := tr.(policy.Throttle)
	rr := tr.(policy.ThrottleReporter)
	// One call in four is accepted: more than K=2 calls for each accept.
	for i := range 8 {
		o := policy.Failure
		if i%4 == 0 {
			o = policy.Success
		}
		tr.Record(policy.Result{Outcome: o, Start: start, End: start})
	}
	fmt.Printf("refused with probability %.3f\n", rr.RejectProbability(start))
	for range 3 {
		fmt.Println("allowed:", th.Allow(start))
	}
	fmt.Println("opens:", tr.Check(start))
	// Output:
	// refused with probability 0.444
	// allowed: false
	// allowed: true
	// allowed: true
	// opens: false
}

func ExampleProbes() {
	half := time.Date(2026, time.January, 1, 12, 0, 5, 0, time.UTC)
	// Three probes at once; two successes close, two failures reopen.
	p := policy.Probes{SleepWindow: 5 * time.Second, Probes: 3, Successes: 2}
	tr := p.HalfOpened(half)
	for i := range 4 {
		fmt.Printf("probe %d admitted: %v\n", i+1, tr.Admit(half))
	}
	done := func(o policy.Outcome) {
		fmt.Printf("%v: %v\n", o, tr.Done(policy.Result{Outcome: o, Start: half, End: half.Add(time.Second)}))
	}
	done(policy.Canceled) // gives its place back
	fmt.Println("another admitted:", tr.Admit(half.Add(time.Second)))
	done(policy.Failure)
	done(policy.Success)
	done(policy.Success)
	// Output:
	// probe 1 admitted: true
	// probe 2 admitted: true
	// probe 3 admitted: true
	// probe 4 admitted: false
	// canceled: stay
	// another admitted: true
	// failure: stay
	// success: stay
	// success: close
}

func ExampleBackoff() {
	now := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	p := policy.Backoff{Recovery: policy.SingleProbe{SleepWindow: 5 * time.Second}, Max: time.Minute}
	// The engine asks for each circuit's own instance, which counts.
	r := p.ForCircuit()
	reopened := 0
	cycle := func(probe policy.Outcome) {
		d := r.Opened(now, reopened)
		fmt.Printf("reopened %d: open for %v\n", reopened, d)
		now = now.Add(d)
		tr := r.HalfOpened(now)
		tr.Admit(now)
		if tr.Done(policy.Result{Outcome: probe, Start: now, End: now}) == policy.Reopen {
			reopened++
		} else {
			reopened = 0
		}
	}
	for range 5 {
		cycle(policy.Failure)
	}
	cycle(policy.Success)
	// Ten seconds of health take two off the count of four.
	now = now.Add(10 * time.Second)
	fmt.Println("after 10s closed: open for", r.Opened(now, 0))
	// Output:
	// reopened 0: open for 5s
	// reopened 1: open for 10s
	// reopened 2: open for 20s
	// reopened 3: open for 40s
	// reopened 4: open for 1m0s
	// reopened 5: open for 1m0s
	// after 10s closed: open for 20s
}

func ExampleAIMD() {
	start := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	l := policy.AIMD{Min: 2, Max: 12, Initial: 10}.NewLimiter(start)
	record := func(o policy.Outcome, inFlight int) {
		l.Record(policy.Result{Outcome: o, Start: start, End: start, Duration: 10 * time.Millisecond}, inFlight)
		fmt.Printf("%v with %d in flight: limit %d\n", o, inFlight, l.Limit())
	}
	record(policy.Success, 10)
	record(policy.Success, 2) // the limit is not in use: no growth
	record(policy.Success, 11)
	record(policy.Success, 12) // at Max
	record(policy.Timeout, 12)
	record(policy.Failure, 10) // a failure that is not a timeout
	// Output:
	// success with 10 in flight: limit 11
	// success with 2 in flight: limit 11
	// success with 11 in flight: limit 12
	// success with 12 in flight: limit 12
	// timeout with 12 in flight: limit 10
	// failure with 10 in flight: limit 10
}

func ExampleGradient() {
	start := time.Date(2026, time.January, 1, 12, 0, 0, 0, time.UTC)
	l := policy.Gradient{Min: 5, Max: 200, Initial: 100}.NewLimiter(start)
	sample := func(d time.Duration, n int) {
		for range n {
			l.Record(policy.Result{Outcome: policy.Success, Start: start, End: start.Add(d), Duration: d}, l.Limit())
		}
		fmt.Printf("%d calls of %v: limit %d\n", n, d, l.Limit())
	}
	sample(10*time.Millisecond, 20) // the usual latency: the limit grows
	sample(40*time.Millisecond, 5)  // four times as slow: it shrinks
	l.Record(policy.Result{Outcome: policy.Timeout, Start: start, End: start.Add(time.Second), Duration: time.Second}, l.Limit())
	fmt.Println("after a timeout:", l.Limit())
	// Output:
	// 20 calls of 10ms: limit 143
	// 5 calls of 40ms: limit 93
	// after a timeout: 84
}
