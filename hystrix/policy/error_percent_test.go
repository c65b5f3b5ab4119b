package policy_test

import (
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

func TestErrorPercentUnhealthyNeedsBothTheVolumeAndThePercentage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		p                policy.ErrorPercent
		requests, errors int64
		want             bool
	}{
		{"zero threshold never opens", policy.ErrorPercent{}, 100, 100, false},
		{"zero threshold with a volume never opens", policy.ErrorPercent{Volume: 1}, 100, 100, false},
		{"empty window", policy.ErrorPercent{Threshold: 1}, 0, 0, false},
		{"negative requests", policy.ErrorPercent{Threshold: 1}, -5, 0, false},
		{"one short of the volume", policy.ErrorPercent{Threshold: 50, Volume: 20}, 19, 19, false},
		{"at the volume and the threshold", policy.ErrorPercent{Threshold: 50, Volume: 20}, 20, 10, true},
		{"at the volume under the threshold", policy.ErrorPercent{Threshold: 50, Volume: 20}, 20, 9, false},
		{"over the volume", policy.ErrorPercent{Threshold: 50, Volume: 20}, 1000, 600, true},
		{"zero volume takes any execution", policy.ErrorPercent{Threshold: 100}, 1, 1, true},
		{"two thirds round up to 67", policy.ErrorPercent{Threshold: 67}, 3, 2, true},
		{"two thirds are under 68", policy.ErrorPercent{Threshold: 68}, 3, 2, false},
		{"one third rounds down to 33", policy.ErrorPercent{Threshold: 33}, 3, 1, true},
		{"one third is under 34", policy.ErrorPercent{Threshold: 34}, 3, 1, false},
		{"a hundred needs every one", policy.ErrorPercent{Threshold: 100}, 10, 9, false},
		{"a hundred with every one", policy.ErrorPercent{Threshold: 100}, 10, 10, true},
		{"over a hundred never opens", policy.ErrorPercent{Threshold: 101}, 10, 10, false},
		{"negative threshold never opens", policy.ErrorPercent{Threshold: -1}, 10, 10, false},
		{"no errors under threshold 1", policy.ErrorPercent{Threshold: 1}, 10, 0, false},
		{"volume beyond any count", policy.ErrorPercent{Threshold: 1, Volume: math.MaxUint64}, math.MaxInt64, math.MaxInt64, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.p.Unhealthy(tt.requests, tt.errors); got != tt.want {
				t.Errorf("%+v.Unhealthy(%d, %d) = %v, want %v", tt.p, tt.requests, tt.errors, got, tt.want)
			}
		})
	}
}

// step is one execution that ends at an offset from t0, and what Record
// should say of it.
type step struct {
	end  time.Duration
	o    policy.Outcome
	want bool
}

func TestErrorPercentRecordOpensOnTheExecutionThatReachesBothThresholds(t *testing.T) {
	t.Parallel()
	const s = time.Second
	f, ok, to, rj := policy.Failure, policy.Success, policy.Timeout, policy.Rejected
	tests := []struct {
		name  string
		p     policy.ErrorPercent
		steps []step
	}{
		{"a failure reaching the volume", policy.ErrorPercent{Threshold: 50, Volume: 4},
			[]step{{0, f, false}, {s, ok, false}, {2 * s, f, false}, {3 * s, f, true}}},
		{"a success lifting the volume while errors are in the window", policy.ErrorPercent{Threshold: 50, Volume: 4},
			[]step{{0, f, false}, {s, f, false}, {2 * s, f, false}, {3 * s, ok, true}}},
		{"timeouts and rejections are errors", policy.ErrorPercent{Threshold: 100, Volume: 3},
			[]step{{0, to, false}, {0, rj, false}, {0, f, true}}},
		{"successes dilute the errors", policy.ErrorPercent{Threshold: 50, Volume: 2},
			[]step{{0, ok, false}, {0, ok, false}, {0, ok, false}, {0, f, false}, {0, f, false}, {0, f, true}}},
		{"errors out of the window do not count", policy.ErrorPercent{Threshold: 50, Volume: 3},
			[]step{{0, f, false}, {2 * s, f, false}, {10 * s, f, false}, {11 * s, f, true}}},
		{"the last second of the window still counts", policy.ErrorPercent{Threshold: 50, Volume: 2},
			[]step{{0, f, false}, {9*s + 999*time.Millisecond, f, true}}},
		{"bad requests are not requests", policy.ErrorPercent{Threshold: 50, Volume: 2},
			[]step{{0, f, false}, {0, policy.BadRequest, false}, {0, policy.BadRequest, false}, {0, ok, true}}},
		{"cancellations are requests but never decide", policy.ErrorPercent{Threshold: 50, Volume: 3},
			[]step{{0, f, false}, {0, f, false}, {0, policy.Canceled, false}, {0, ok, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := &window{}
			tr := tt.p.Closed(t0, w)
			for i, st := range tt.steps {
				w.add(at(st.end), st.o)
				if got := tr.Record(result(st.o, at(st.end), at(st.end))); got != st.want {
					t.Fatalf("step %d: Record(%v at +%v) = %v, want %v", i, st.o, st.end, got, st.want)
				}
			}
		})
	}
}

func TestErrorPercentSuccessReadsTheWindowOnlyWithinTenSecondsOfTheLastError(t *testing.T) {
	t.Parallel()
	// A window that never forgets shows when the period reads it: only a
	// success within ten Unix seconds of the last error does.
	tests := []struct {
		success time.Duration
		want    bool
	}{
		{9*time.Second + 999*time.Millisecond, true},
		{10 * time.Second, false},
		{time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.success.String(), func(t *testing.T) {
			t.Parallel()
			w := &window{forever: true}
			tr := policy.ErrorPercent{Threshold: 50, Volume: 4}.Closed(t0, w)
			for range 3 {
				w.add(at(900*time.Millisecond), policy.Failure)
				tr.Record(result(policy.Failure, t0, at(900*time.Millisecond)))
			}
			w.add(at(tt.success), policy.Success)
			if got := tr.Record(result(policy.Success, t0, at(tt.success))); got != tt.want {
				t.Errorf("Record(success at +%v) = %v, want %v", tt.success, got, tt.want)
			}
			if !tr.Check(at(tt.success)) {
				t.Error("Check reads the window at any time")
			}
		})
	}
}

func TestErrorPercentNeutralOutcomesNeverReadTheWindow(t *testing.T) {
	t.Parallel()
	w := fixed{Requests: 20, Errors: 20}
	tr := policy.ErrorPercent{Threshold: 50, Volume: 20}.Closed(t0, w)
	for _, o := range []policy.Outcome{policy.BadRequest, policy.Canceled, 0, 42} {
		if tr.Record(result(o, t0, t0)) {
			t.Errorf("Record(%v) opened", o)
		}
	}
	if !tr.Check(t0) {
		t.Error("Check(t0) = false on a window of errors")
	}
}

func TestErrorPercentCheckReadsTheWindowAtNow(t *testing.T) {
	t.Parallel()
	w := &window{}
	for range 5 {
		w.add(t0, policy.Failure)
	}
	tr := policy.ErrorPercent{Threshold: 50, Volume: 5}.Closed(t0, w)
	for _, tt := range []struct {
		now  time.Duration
		want bool
	}{{0, true}, {9 * time.Second, true}, {10 * time.Second, false}, {-time.Second, false}} {
		if got := tr.Check(at(tt.now)); got != tt.want {
			t.Errorf("Check(+%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

// A period can begin on a window that already holds errors: when a new
// opener is configured on a closed circuit, or when a configuration change
// closes a circuit it would not have opened. Record must then say what
// Check says.
func TestErrorPercentSuccessOpensAPeriodThatBeganOnErrors(t *testing.T) {
	t.Parallel()
	w := &window{}
	for i := range 19 {
		o := policy.Success
		if i < 15 {
			o = policy.Failure
		}
		w.add(t0, o)
	}
	tr := policy.ErrorPercent{Threshold: 50, Volume: 20}.Closed(at(time.Second), w)
	if tr.Check(at(time.Second)) {
		t.Fatal("19 executions are under the volume of 20")
	}
	end := at(2 * time.Second)
	w.add(end, policy.Success)
	got := tr.Record(result(policy.Success, at(time.Second), end))
	if want := tr.Check(end); got != want {
		t.Errorf("Record(success) = %v on a window of 20 executions, 15 errors; Check(now) = %v", got, want)
	}
}

// errorPercentModel is ErrorPercent written from its doc: the circuit
// should open when the window holds at least Volume executions and their
// error percentage, rounded, is at least Threshold; only a success or an
// error can make it open.
type errorPercentModel struct {
	threshold int
	volume    int64
}

func (m errorPercentModel) unhealthy(requests, errors int64) bool {
	if requests <= 0 || requests < m.volume || m.threshold <= 0 {
		return false
	}
	return math.Round(float64(errors)/float64(requests)*100) >= float64(m.threshold)
}

func (m errorPercentModel) record(w *window, r policy.Result) bool {
	if r.Outcome != policy.Success && !r.Outcome.Failed() {
		return false
	}
	return m.unhealthy(w.Executions(r.End))
}

func TestErrorPercentUnhealthyMatchesTheRoundedPercentage(t *testing.T) {
	t.Parallel()
	for seed := range uint64(seeds) {
		r := rng(seed)
		m := errorPercentModel{threshold: r.IntN(103) - 1, volume: int64(r.IntN(50))}
		p := policy.ErrorPercent{Threshold: m.threshold, Volume: uint64(m.volume)}
		for range 200 {
			requests := r.Int64N(2000) - 2
			errors := r.Int64N(max(requests, 0) + 1)
			if got, want := p.Unhealthy(requests, errors), m.unhealthy(requests, errors); got != want {
				t.Fatalf("seed %d: %+v.Unhealthy(%d, %d) = %v, want %v", seed, p, requests, errors, got, want)
			}
		}
	}
}

func TestErrorPercentMatchesANaiveModel(t *testing.T) {
	t.Parallel()
	steps := []time.Duration{0, 0, time.Millisecond, 50 * time.Millisecond, 400 * time.Millisecond,
		time.Second, 2 * time.Second, 5 * time.Second, 9 * time.Second, 10 * time.Second, 11 * time.Second, 25 * time.Second}
	opened := 0
	for seed := range uint64(seeds) {
		r := rng(seed)
		m := errorPercentModel{
			threshold: pick(r, 0, 1, 10, 25, 50, 50, 75, 99, 100, 101, -3, r.IntN(101)),
			volume:    int64(pick(r, 0, 1, 5, 20, r.IntN(30))),
		}
		p := policy.ErrorPercent{Threshold: m.threshold, Volume: uint64(m.volume)}
		failing := r.Float64()
		w := &window{}
		now := t0.Add(time.Duration(r.Int64N(int64(time.Second))))
		tr := p.Closed(now, w)
		for i := range 300 {
			now = now.Add(pick(r, steps...))
			if r.IntN(5) == 0 {
				if got, want := tr.Check(now), m.unhealthy(w.Executions(now)); got != want {
					t.Fatalf("seed %d step %d: %+v Check(%v) = %v, want %v", seed, i, p, now.Sub(t0), got, want)
				}
				continue
			}
			o := pick(r, policy.Success, policy.Success, policy.Success, policy.BadRequest, policy.Canceled, 0)
			if r.Float64() < failing {
				o = pick(r, policy.Failure, policy.Failure, policy.Timeout, policy.Rejected)
			}
			res := result(o, now.Add(-time.Duration(r.Int64N(int64(2*time.Second)))), now)
			w.add(now, o)
			got, want := tr.Record(res), m.record(w, res)
			if got != want {
				req, errs := w.Executions(now)
				t.Fatalf("seed %d step %d: %+v Record(%v at +%v) = %v, want %v (window %d/%d)",
					seed, i, p, o, now.Sub(t0), got, want, errs, req)
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

func TestErrorPercentConcurrentFailuresOpenOnceTheVolumeIsReached(t *testing.T) {
	t.Parallel()
	const volume = 32
	for _, n := range []int{volume - 1, volume, 4 * volume} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			w := &window{}
			tr := policy.ErrorPercent{Threshold: 50, Volume: volume}.Closed(t0, w)
			var opened atomic.Int64
			race(n, func(i int) {
				end := at(time.Duration(i) * time.Microsecond)
				w.add(end, policy.Failure)
				if tr.Record(result(policy.Failure, t0, end)) {
					opened.Add(1)
				}
				tr.Check(end)
			})
			// Each call reads the window after its own execution is in
			// it, so the last one to read sees all n.
			got := opened.Load()
			switch {
			case n < volume && got != 0:
				t.Errorf("%d of %d failures opened under the volume", got, n)
			case n >= volume && got == 0:
				t.Errorf("none of %d failures opened", n)
			}
			if want := n >= volume; tr.Check(t0) != want {
				t.Errorf("Check = %v after %d failures, want %v", !want, n, want)
			}
		})
	}
}

// boundedWindow counts how often its executions are counted in full.
type boundedWindow struct {
	requests, errors int64
	full             *int
}

func (w boundedWindow) Executions(time.Time) (int64, int64) { *w.full++; return w.requests, w.errors }
func (w boundedWindow) Counts(time.Time) policy.Counts {
	return policy.Counts{Requests: w.requests, Errors: w.errors}
}
func (w boundedWindow) RequestsAtMost(time.Time) int64 { return w.requests }

func TestErrorPercentReadsTheBoundBeforeTheWholeWindow(t *testing.T) {
	var full int
	now := time.Unix(1000, 0)
	op := policy.ErrorPercent{Threshold: 50, Volume: 20}
	below := op.Closed(now, boundedWindow{requests: 19, errors: 19, full: &full})
	full = 0
	if below.Check(now) {
		t.Fatal("19 executions below a volume of 20 opened the circuit")
	}
	if full != 0 {
		t.Errorf("counted the whole window %d times below the volume, want 0", full)
	}
	at := op.Closed(now, boundedWindow{requests: 20, errors: 10, full: &full})
	if !at.Check(now) {
		t.Fatal("10 errors of 20 at a threshold of 50 % did not open it")
	}
}
