package hystrix_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// goldenStreamRegistry returns a registry on a manual clock whose circuits
// are in every state the stream tells apart: closed with traffic, open
// with short circuits counted, half-open on a ramp, forced either way, on
// caller isolation, on each of the other openers, and under names that
// need escaping. Every circuit's calls take one duration of its own, so
// that each percentile is that duration whatever the histogram's layout.
func goldenStreamRegistry(t *testing.T) *hystrix.Registry {
	t.Helper()
	r, clk := hystrixtest.NewRegistry(t)
	clk.Add(1234 * time.Millisecond)
	report := func(name string, d time.Duration, events ...[]string) {
		t.Helper()
		c, _, err := r.GetCircuit(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			if err := c.ReportEvent(ev, clk.Now().Add(-d), d); err != nil {
				t.Fatal(err)
			}
		}
	}
	configure := func(name string, cfg hystrix.CommandConfig) {
		t.Helper()
		if err := r.TryConfigureCommand(name, cfg); err != nil {
			t.Fatal(err)
		}
	}
	ok, bad := []string{"success"}, []string{"failure", "fallback-success"}

	configure("closed", hystrix.CommandConfig{Timeout: 61234, MaxConcurrentRequests: 7})
	report("closed", 5*time.Millisecond, ok, ok, ok, bad, []string{"timeout", "fallback-failure"},
		[]string{"bad-request"}, []string{"rejected"})

	configure("open", hystrix.CommandConfig{RequestVolumeThreshold: 2, SleepWindow: 60_000})
	report("open", 7*time.Millisecond, bad, bad, bad)
	down := errors.New("down")
	for range 3 {
		_ = r.Do("open", func() error { return down }, func(error) error { return nil })
	}

	configure("ramp", hystrix.CommandConfig{RequestVolumeThreshold: 1, SleepWindow: 500,
		Recovery: hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StartPerMinute: 30, Factor: 2, StageMs: 1000}}})
	report("ramp", 3*time.Millisecond, bad, bad)

	configure("caller", hystrix.CommandConfig{Isolation: hystrix.CallerIsolation, MaxConcurrentRequests: 3})
	report("caller", 1500*time.Microsecond, ok, []string{"rejected"})

	configure("forced-open", hystrix.CommandConfig{ForceOpen: true})
	_ = r.Do("forced-open", func() error { return nil }, nil)
	configure("forced-closed", hystrix.CommandConfig{ForceClosed: true, Timeout: -1})
	report("forced-closed", 2*time.Second, ok, bad)

	configure("consecutive", hystrix.CommandConfig{Trip: hystrix.TripConfig{ConsecutiveFailures: 3}})
	report("consecutive", 11*time.Millisecond, bad, ok)
	configure("slow", hystrix.CommandConfig{RequestVolumeThreshold: 50,
		Trip: hystrix.TripConfig{SlowCallMs: 10, SlowCallPercent: 50}})
	report("slow", 20*time.Millisecond, ok, ok, bad)
	configure("throttle", hystrix.CommandConfig{Trip: hystrix.TripConfig{AdaptiveK: 1.5}})
	report("throttle", 9*time.Millisecond, bad, bad, ok)

	report("escape \\ \"quoted\" <a&b> \x01\t\u2028 \xff\xfe é", 4*time.Millisecond, ok)
	report("", time.Millisecond, ok)

	// Past the ramp's sleep window, and into the next second, so that the
	// windows are filled in part.
	clk.Add(1300 * time.Millisecond)
	report("after", 6*time.Millisecond, ok)
	return r
}

// goldenStreamRound is the SHA-256 of one round of goldenStreamRegistry's
// stream, taken from the encoding/json rendering the stream had before it
// was written by hand, so that the hand-written one is proven to send the
// same bytes.
const goldenStreamRound = "a8dea6dba38cadf94f32046846979ea2ecf7f4515b0219aed7dcd1fe208a9b60"

func TestStreamRoundIsByteForByteTheGoldenOne(t *testing.T) {
	t.Parallel()
	round := goldenStreamRegistry(t).AppendStreamEvents(nil)
	sum := sha256.Sum256(round)
	if got := hex.EncodeToString(sum[:]); got != goldenStreamRound {
		t.Errorf("the round's SHA-256 is %s, want %s; the round:\n%s", got, goldenStreamRound, round)
	}
}
