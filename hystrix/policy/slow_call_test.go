package policy_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// timed is an execution that ran for d and ended at t0+end.
func timed(o policy.Outcome, end, d time.Duration) policy.Result {
	r := result(o, at(end-d), at(end))
	r.Duration = d
	return r
}

func slowCallPercent(t *testing.T, tr policy.Tripper, now time.Time) float64 {
	t.Helper()
	sr, ok := tr.(policy.SlowCallReporter)
	if !ok {
		t.Fatalf("%T is not a SlowCallReporter", tr)
	}
	return sr.SlowCallPercent(now)
}

func TestSlowCallRateCountsCallsThatReachedTheDependency(t *testing.T) {
	t.Parallel()
	const slow = 100 * time.Millisecond
	tests := []struct {
		name string
		r    policy.Result
		want float64 // the share after one fast success and this
	}{
		{"a slow success", timed(policy.Success, 0, slow+1), 50},
		{"a success of exactly Slow is not slow", timed(policy.Success, 0, slow), 0},
		{"a slow failure", timed(policy.Failure, 0, time.Second), 50},
		{"a fast failure", timed(policy.Failure, 0, time.Millisecond), 0},
		{"a timeout is slow however long it took", timed(policy.Timeout, 0, 0), 50},
		{"a rejection is not a call", timed(policy.Rejected, 0, time.Second), 0},
		{"a slow bad request is not a call", timed(policy.BadRequest, 0, time.Second), 0},
		{"a slow cancellation is not a call", timed(policy.Canceled, 0, time.Second), 0},
		{"an outcome that is none is not a call", timed(42, 0, time.Second), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := policy.SlowCallRate{Slow: slow, Percent: 50, Volume: 2}.Closed(t0, &window{})
			tr.Record(timed(policy.Success, 0, time.Millisecond))
			open := tr.Record(tt.r)
			if got := slowCallPercent(t, tr, t0); got != tt.want {
				t.Errorf("SlowCallPercent = %v, want %v", got, tt.want)
			}
			if want := tt.want == 50; open != want || tr.Check(t0) != want {
				t.Errorf("Record = %v, Check = %v; want %v", open, tr.Check(t0), want)
			}
		})
	}
}

func TestSlowCallRateRecordOpensOnTheCallThatReachesBothThresholds(t *testing.T) {
	t.Parallel()
	const s = time.Second
	fast, slow := 10*time.Millisecond, 2*time.Second
	type call struct {
		end  time.Duration
		o    policy.Outcome
		d    time.Duration
		want bool
	}
	ok, f, to := policy.Success, policy.Failure, policy.Timeout
	tests := []struct {
		name  string
		p     policy.SlowCallRate
		calls []call
	}{
		{"a slow call reaching the volume", policy.SlowCallRate{Slow: s, Percent: 50, Volume: 4},
			[]call{{0, ok, slow, false}, {0, ok, fast, false}, {s, f, slow, false}, {2 * s, ok, slow, true}}},
		{"a fast call lifting the volume while slow calls are in the window", policy.SlowCallRate{Slow: s, Percent: 50, Volume: 4},
			[]call{{0, ok, slow, false}, {0, to, 0, false}, {s, ok, slow, false}, {9 * s, ok, fast, true}}},
		{"fast calls dilute the slow ones", policy.SlowCallRate{Slow: s, Percent: 50, Volume: 1},
			[]call{{0, ok, fast, false}, {0, ok, fast, false}, {0, ok, slow, false}, {0, ok, slow, true}}},
		{"the share is exact, not rounded", policy.SlowCallRate{Slow: s, Percent: 67, Volume: 3},
			[]call{{0, ok, slow, false}, {0, ok, slow, false}, {0, ok, fast, false}, {0, ok, slow, true}}},
		{"slow calls out of the window do not count", policy.SlowCallRate{Slow: s, Percent: 50, Volume: 2},
			[]call{{0, ok, slow, false}, {10 * s, ok, fast, false}, {10 * s, ok, fast, false}, {11 * s, ok, slow, false}, {12 * s, ok, slow, true}}},
		{"the last second of the window still counts", policy.SlowCallRate{Slow: s, Percent: 100, Volume: 2},
			[]call{{0, ok, slow, false}, {9*s + 999*time.Millisecond, ok, slow, true}}},
		{"rejections and neutral outcomes neither count nor decide", policy.SlowCallRate{Slow: s, Percent: 50, Volume: 3},
			[]call{{0, ok, slow, false}, {0, policy.Rejected, 0, false}, {0, policy.Canceled, slow, false}, {0, policy.BadRequest, slow, false}, {0, ok, fast, false}, {0, to, 0, true}}},
		{"a hundred percent needs every call slow", policy.SlowCallRate{Slow: s, Percent: 100},
			[]call{{0, ok, slow, true}, {0, ok, fast, false}, {0, ok, slow, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := tt.p.Closed(t0, &window{})
			for i, c := range tt.calls {
				if got := tr.Record(timed(c.o, c.end, c.d)); got != c.want {
					t.Fatalf("call %d: Record(%v of %v at +%v) = %v, want %v", i, c.o, c.d, c.end, got, c.want)
				}
			}
		})
	}
}

func TestSlowCallRateFieldsOutOfRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    policy.SlowCallRate
		d    time.Duration
		want bool // whether ten calls of d open it
	}{
		{"zero never opens", policy.SlowCallRate{}, time.Hour, false},
		{"zero percent never opens", policy.SlowCallRate{Slow: time.Millisecond, Volume: 1}, time.Hour, false},
		{"negative percent never opens", policy.SlowCallRate{Slow: time.Millisecond, Percent: -5}, time.Hour, false},
		{"over a hundred percent never opens", policy.SlowCallRate{Slow: time.Millisecond, Percent: 101}, time.Hour, false},
		{"zero slow makes any time slow", policy.SlowCallRate{Percent: 100}, 1, true},
		{"zero slow leaves an instant fast", policy.SlowCallRate{Percent: 100}, 0, false},
		{"negative slow is zero", policy.SlowCallRate{Slow: -time.Second, Percent: 100}, 1, true},
		{"a volume above the calls", policy.SlowCallRate{Slow: time.Millisecond, Percent: 1, Volume: 11}, time.Hour, false},
		{"a volume of the calls", policy.SlowCallRate{Slow: time.Millisecond, Percent: 1, Volume: 10}, time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := tt.p.Closed(t0, &window{})
			opened := false
			for range 10 {
				opened = tr.Record(timed(policy.Success, 0, tt.d)) || opened
			}
			if opened != tt.want || tr.Check(t0) != tt.want {
				t.Errorf("opened %v, Check %v; want %v", opened, tr.Check(t0), tt.want)
			}
		})
	}
}

func TestSlowCallRateCheckReadsItsWindowAtNow(t *testing.T) {
	t.Parallel()
	tr := policy.SlowCallRate{Slow: time.Second, Percent: 50, Volume: 5}.Closed(t0, &window{})
	for range 5 {
		tr.Record(timed(policy.Timeout, 0, time.Second))
	}
	for _, tt := range []struct {
		now  time.Duration
		want bool
		pct  float64
	}{{0, true, 100}, {9 * time.Second, true, 100}, {10 * time.Second, false, 0}, {-time.Second, false, 0}, {time.Hour, false, 0}} {
		if got := tr.Check(at(tt.now)); got != tt.want {
			t.Errorf("Check(+%v) = %v, want %v", tt.now, got, tt.want)
		}
		if got := slowCallPercent(t, tr, at(tt.now)); got != tt.pct {
			t.Errorf("SlowCallPercent(+%v) = %v, want %v", tt.now, got, tt.pct)
		}
	}
}

// The window is the period's own: it starts empty whatever the circuit's
// window holds, and a new period forgets the slow calls of the last.
func TestSlowCallRateEachPeriodStartsFromAnEmptyWindow(t *testing.T) {
	t.Parallel()
	p := policy.SlowCallRate{Slow: time.Second, Percent: 50, Volume: 2}
	busy := fixed{Requests: 100, Errors: 100, Timeouts: 100}
	a := p.Closed(t0, busy)
	if a.Check(t0) || slowCallPercent(t, a, t0) != 0 {
		t.Fatal("a new period read the circuit's window")
	}
	a.Record(timed(policy.Timeout, 0, time.Second))
	a.Record(timed(policy.Timeout, 0, time.Second))
	if !a.Check(t0) {
		t.Fatal("two timeouts did not open")
	}
	if b := p.Closed(t0, busy); b.Check(t0) {
		t.Error("a new period saw the last one's slow calls")
	}
}

// A result that comes late, within the window, counts in its own second.
// Record reads the window as of the result's end.
func TestSlowCallRateCountsLateResultsInTheirSecond(t *testing.T) {
	t.Parallel()
	tr := policy.SlowCallRate{Slow: time.Second, Percent: 50, Volume: 4}.Closed(t0, &window{})
	tr.Record(timed(policy.Success, 5*time.Second, 0))
	tr.Record(timed(policy.Success, 5*time.Second, 0))
	tr.Record(timed(policy.Timeout, 3*time.Second, 0))
	if tr.Check(at(5 * time.Second)) {
		t.Fatal("opened under the volume")
	}
	if tr.Record(timed(policy.Timeout, 2*time.Second, 0)) {
		t.Fatal("the window as of +2s holds one call, under the volume")
	}
	if !tr.Check(at(5 * time.Second)) {
		t.Fatal("four calls, two slow, did not open")
	}
	if got, want := slowCallPercent(t, tr, at(12*time.Second)), float64(1)/3*100; got != want {
		t.Errorf("at +12s the timeout at +3s and the successes are left: SlowCallPercent = %v, want %v", got, want)
	}
	if got := slowCallPercent(t, tr, at(14*time.Second)); got != 0 {
		t.Errorf("at +14s only the successes are left: SlowCallPercent = %v, want 0", got)
	}
}

// slowCallModel is SlowCallRate written from its doc, over a plain list of
// calls.
type slowCallModel struct {
	p     policy.SlowCallRate
	calls []execution // outcome Timeout marks a slow call, Success a fast one
}

func (m *slowCallModel) record(r policy.Result) bool {
	switch r.Outcome {
	case policy.Success, policy.Failure, policy.Timeout:
	default:
		return false
	}
	o := policy.Success
	if r.Outcome == policy.Timeout || r.Duration > m.p.Slow {
		o = policy.Timeout
	}
	m.calls = append(m.calls, execution{r.End, o})
	return m.check(r.End)
}

func (m *slowCallModel) counts(now time.Time) (calls, slow int) {
	sec := now.Unix()
	for _, c := range m.calls {
		if s := c.end.Unix(); s > sec-10 && s <= sec {
			calls++
			if c.outcome == policy.Timeout {
				slow++
			}
		}
	}
	return calls, slow
}

func (m *slowCallModel) check(now time.Time) bool {
	calls, slow := m.counts(now)
	if calls == 0 || uint64(calls) < m.p.Volume || m.p.Percent <= 0 {
		return false
	}
	return slow*100 >= m.p.Percent*calls // exact, as the doc says
}

func (m *slowCallModel) percent(now time.Time) float64 {
	calls, slow := m.counts(now)
	if calls == 0 {
		return 0
	}
	return float64(slow) / float64(calls) * 100
}

func TestSlowCallRateMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	steps := []time.Duration{0, 0, time.Millisecond, 50 * time.Millisecond, 400 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 9 * time.Second, 10 * time.Second, 11 * time.Second, 25 * time.Second}
	durations := []time.Duration{0, 1, time.Millisecond, 99 * time.Millisecond, 100 * time.Millisecond, 101 * time.Millisecond, time.Second}
	opened := 0
	for seed := range uint64(seeds) {
		r := rng(seed)
		p := policy.SlowCallRate{
			Slow:    pick(r, 0, -time.Second, 100*time.Millisecond, time.Duration(r.Int64N(int64(time.Second)))),
			Percent: pick(r, 0, 1, 10, 25, 50, 50, 75, 100, 101, -3, r.IntN(101)),
			Volume:  uint64(pick(r, 0, 1, 5, 20, r.IntN(30))),
		}
		m := &slowCallModel{p: policy.SlowCallRate{Slow: max(p.Slow, 0), Percent: p.Percent, Volume: p.Volume}}
		slowShare := r.Float64()
		now := t0.Add(time.Duration(r.Int64N(int64(time.Second))))
		tr := p.Closed(now, &window{})
		fail := func(i int, format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d step %d, %+v at +%v: "+format, append([]any{seed, i, p, now.Sub(t0)}, args...)...)
		}
		for i := range 300 {
			now = now.Add(pick(r, steps...))
			switch r.IntN(6) {
			case 0:
				if got, want := tr.Check(now), m.check(now); got != want {
					fail(i, "Check = %v, want %v", got, want)
				}
				continue
			case 1:
				if got, want := slowCallPercent(t, tr, now), m.percent(now); got != want {
					fail(i, "SlowCallPercent = %v, want %v", got, want)
				}
				continue
			}
			o := pick(r, policy.Success, policy.Success, policy.Failure, policy.Timeout, policy.Rejected, policy.BadRequest, policy.Canceled, 0)
			d := pick(r, durations[:3]...)
			if r.Float64() < slowShare {
				d = pick(r, durations...)
			}
			// Results of one second may come in any order.
			end := now.Add(-time.Duration(r.Int64N(int64(now.Nanosecond()) + 1)))
			res := policy.Result{Outcome: o, Start: end.Add(-d), End: end, Duration: d}
			got, want := tr.Record(res), m.record(res)
			if got != want {
				calls, slow := m.counts(end)
				fail(i, "Record(%v of %v) = %v, want %v (window %d slow of %d)", o, d, got, want, slow, calls)
			}
			if got {
				opened++
			}
		}
	}
	if opened < seeds {
		t.Fatalf("only %d Records opened: the sequences hardly reach the thresholds", opened)
	}
}

func TestSlowCallRateConcurrentSlowCallsOpenOnceTheVolumeIsReached(t *testing.T) {
	t.Parallel()
	const volume = 32
	for _, n := range []int{volume - 1, volume, 4 * volume} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			tr := policy.SlowCallRate{Slow: time.Millisecond, Percent: 100, Volume: volume}.Closed(t0, &window{})
			var opened atomic.Int64
			race(n, func(i int) {
				// Across two seconds, so that buckets move on during the race.
				end := time.Duration(i) * 2 * time.Second / time.Duration(n)
				if tr.Record(timed(policy.Timeout, end, time.Second)) {
					opened.Add(1)
				}
				tr.Check(at(end))
			})
			now := at(2 * time.Second)
			got := opened.Load()
			switch {
			case n < volume && got != 0:
				t.Errorf("%d of %d slow calls opened under the volume", got, n)
			case n >= volume && got == 0:
				t.Errorf("none of %d slow calls opened", n)
			}
			if want := n >= volume; tr.Check(now) != want {
				t.Errorf("Check = %v after %d slow calls, want %v", !want, n, want)
			}
		})
	}
}

func TestSlowCallRateCountsEveryConcurrentCall(t *testing.T) {
	t.Parallel()
	// 16 goroutines record 400 calls each over seven seconds, every
	// fourth one slow: at the end the window holds them all, a quarter slow.
	tr := policy.SlowCallRate{Slow: time.Second, Percent: 26, Volume: 1}.Closed(t0, &window{})
	var opened atomic.Int64
	race(16, func(g int) {
		for i := range 400 {
			end := time.Duration(i) * 7 * time.Second / 400
			d := time.Millisecond
			if i%4 == g%4 {
				d = 2 * time.Second
			}
			if tr.Record(timed(policy.Success, end, d)) {
				opened.Add(1)
			}
			slowCallPercent(t, tr, at(end))
		}
	})
	if got := slowCallPercent(t, tr, at(7*time.Second)); got != 25 {
		t.Errorf("SlowCallPercent = %v, want 25", got)
	}
	if tr.Check(at(7 * time.Second)) {
		t.Error("25% opened at a threshold of 26%")
	}
}
