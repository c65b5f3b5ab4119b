package breaker_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// rampBreaker is a breaker with a ramp of 60 calls a minute (one a second)
// doubling every minute, tripped and moved to the instant it turns
// half-open, which it returns.
func rampBreaker(t *testing.T, rp breaker.Ramp) (*breaker.Breaker, *hystrixtest.Clock, time.Time) {
	t.Helper()
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: 10 * time.Second, Ramp: &rp})
	trip(t, cb, 2)
	clk.Add(10 * time.Second)
	wantStatus(t, cb, breaker.HalfOpen)
	return cb, clk, clk.Now()
}

// admits reports whether cb runs a passing call at instant at.
func admits(t *testing.T, cb *breaker.Breaker, clk *hystrixtest.Clock, at time.Time) bool {
	t.Helper()
	clk.Set(at)
	ran := false
	err := cb.Run(func() (error, bool) { ran = true; return nil, false })
	switch {
	case ran && err == nil:
		return true
	case !ran && errors.Is(err, breaker.ErrOpen):
		return false
	}
	t.Fatalf("at %v: ran = %v, err = %v", at, ran, err)
	return false
}

func TestRampAdmitsAtTheStartRateAndRaisesIt(t *testing.T) {
	t.Parallel()
	cb, clk, h := rampBreaker(t, breaker.Ramp{StartPerMinute: 60, Factor: 2, Stage: time.Minute})
	ms := func(n int) time.Time { return h.Add(time.Duration(n) * time.Millisecond) }
	for _, step := range []struct {
		at   time.Time
		want bool
	}{
		// Stage 1, one a second: the bucket starts full.
		{ms(0), true},
		{ms(0), false},
		{ms(500), false},  // half a token
		{ms(1500), true},  // a whole one again
		{ms(2000), false}, // half a token since the last
		{ms(2600), true},
		// Stage 2 from 60 s, two a second: the stage refused calls and
		// every admitted one succeeded, so the rate doubled.
		{ms(60_000), true},
		{ms(60_250), false}, // half a token at the new rate
		{ms(60_600), true},  // 0.5 + 0.7: at the old rate it would be 0.85
	} {
		if got := admits(t, cb, clk, step.at); got != step.want {
			t.Fatalf("at +%v: admitted = %v, want %v", step.at.Sub(h), got, step.want)
		}
		wantStatus(t, cb, breaker.HalfOpen)
	}
	// Stage 3, from 120 s: no call at all, so nothing was refused, and the
	// ramp closes the breaker when the stage ends.
	clk.Set(ms(180_000 - 1))
	wantStatus(t, cb, breaker.HalfOpen)
	clk.Set(ms(180_000))
	wantStatus(t, cb, breaker.Closed)
}

func TestRampClosesAfterAStageWithNoRefusal(t *testing.T) {
	t.Parallel()
	cb, clk, h := rampBreaker(t, breaker.Ramp{StartPerMinute: 60, Stage: time.Minute})
	for i := range 60 {
		if !admits(t, cb, clk, h.Add(time.Duration(i)*time.Second+time.Duration(i)*time.Millisecond/2)) {
			t.Fatalf("call %d at the rate was refused", i)
		}
	}
	clk.Set(h.Add(time.Minute))
	wantStatus(t, cb, breaker.Closed)
}

func TestRampFailureReopensAndStartsOver(t *testing.T) {
	t.Parallel()
	cb, clk, h := rampBreaker(t, breaker.Ramp{StartPerMinute: 60, Factor: 2, Stage: time.Minute})
	// Stage 1 goes well (a refusal, successes): the rate doubles.
	admits(t, cb, clk, h)
	admits(t, cb, clk, h)
	clk.Set(h.Add(time.Minute))
	clk.Set(h.Add(time.Minute + 100*time.Millisecond))
	if err := cb.Run(fail); err != errBoom {
		t.Fatalf("got %v", err)
	}
	wantStatus(t, cb, breaker.Open)
	clk.Add(10 * time.Second)
	wantStatus(t, cb, breaker.HalfOpen)
	// Back at one a second.
	h = clk.Now()
	if !admits(t, cb, clk, h) || admits(t, cb, clk, h.Add(600*time.Millisecond)) {
		t.Fatal("the ramp did not start over at its start rate")
	}
}

func TestRampZeroFieldsTakeThePolicyDefaults(t *testing.T) {
	t.Parallel()
	// policy.Ramp's defaults: 10 a minute (one every 6 s), factor 2,
	// stages of a minute.
	cb, clk, h := rampBreaker(t, breaker.Ramp{})
	s := func(n float64) time.Time { return h.Add(time.Duration(n * float64(time.Second))) }
	for _, step := range []struct {
		at   time.Time
		want bool
	}{
		{s(0), true}, {s(5), false}, {s(11), true}, // 5/6 then 5/6 + 1
		{s(60), true}, {s(62), false}, {s(64), true}, // doubled: one every 3 s
	} {
		if got := admits(t, cb, clk, step.at); got != step.want {
			t.Fatalf("at +%v: admitted = %v, want %v", step.at.Sub(h), got, step.want)
		}
	}
}
