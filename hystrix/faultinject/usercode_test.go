package faultinject

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// Faults in the code the library is given rather than in the dependency:
// a run that calls runtime.Goexit, a collector that panics, a probe whose
// caller gives up.

var errBoom = errors.New("faultinject: boom")

func isolations(t *testing.T, f func(t *testing.T, iso hystrix.Isolation)) {
	for _, iso := range []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation} {
		t.Run(iso.String(), func(t *testing.T) { f(t, iso) })
	}
}

func configure(t *testing.T, name string, cfg hystrix.CommandConfig) (*hystrix.CircuitBreaker, *countingCollector) {
	t.Helper()
	if err := hystrix.TryConfigureCommand(name, cfg); err != nil {
		t.Fatalf("configure %s: %v", name, err)
	}
	c, _, _ := hystrix.GetCircuit(name)
	return c, counterOf(t, name)
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestGoexitInRunGivesTheTicketBack: a run function that calls
// runtime.Goexit (as t.FailNow does) must give its concurrency ticket back
// and be accounted once, as a failure. With MaxConcurrentRequests 1 a lost
// ticket would refuse every later call.
func TestGoexitInRunGivesTheTicketBack(t *testing.T) {
	isolations(t, func(t *testing.T, iso hystrix.Isolation) {
		t.Cleanup(func() { flush(t) })
		name := uniqueName(t, "goexit")
		const timeout = 3 * time.Second
		c, counter := configure(t, name, hystrix.CommandConfig{
			Timeout: ms(timeout), MaxConcurrentRequests: 1, RequestVolumeThreshold: 1 << 30, Isolation: iso,
		})

		type result struct {
			err      error
			returned bool
		}
		res := make(chan result, 1)
		start := time.Now()
		go func() {
			var r result
			defer func() { res <- r }()
			r.err = hystrix.Do(name, func() error {
				runtime.Goexit()
				return nil
			}, nil)
			r.returned = true
		}()
		var r result
		select {
		case r = <-res:
		case <-time.After(2 * timeout):
			t.Fatalf("the caller neither returned nor exited %v after its run called runtime.Goexit", 2*timeout)
		}
		elapsed := time.Since(start)
		switch iso {
		case hystrix.GoroutineIsolation:
			// Only the run's goroutine exits; its caller gets an error
			// when it does, not at the timeout.
			switch {
			case !r.returned:
				t.Errorf("the caller's goroutine exited, but the run ran on a goroutine of its own")
			case r.err == nil || errors.Is(r.err, hystrix.ErrTimeout):
				t.Errorf("the caller got %v after %v; want the run's Goexit reported as an error, not a success or a timeout", r.err, elapsed)
			case elapsed > timeout/2:
				t.Errorf("the caller got %v only after %v", r.err, elapsed)
			}
		case hystrix.CallerIsolation:
			if r.returned {
				t.Errorf("Do returned %v on a goroutine whose run called runtime.Goexit", r.err)
			}
		}
		waitFor(t, "the Goexit run's ticket given back (ActiveCount 0)", time.Second, func() bool { return c.ActiveCount() == 0 })
		if err := hystrix.Do(name, func() error { return nil }, nil); err != nil {
			t.Errorf("the call after the Goexit run, with MaxConcurrentRequests 1: %v", err)
		}
		snap := counter.snapshot()
		want := counts{Attempts: 2, Errors: 1}
		want.Outcomes[failure], want.Outcomes[success] = 1, 1
		if snap.life != want {
			t.Errorf("collector saw %v, want the Goexit run as one failure and the next call as one success: %v", snap.life, want)
		}
		if n := c.Metrics().NumRequests().Sum(windowNow()); n != 2 {
			t.Errorf("default collector: %v requests, want 2", n)
		}
	})
}

// doRecovering runs f and returns what it returned and any panic that
// escaped it.
func doRecovering(f func() error) (err error, escaped any) {
	defer func() { escaped = recover() }()
	return f(), nil
}

// TestCollectorPanicIsRecovered: a collector whose Update and Reset panic
// must not break the call (its result is the run's), the circuit (it still
// opens and closes) or the collectors after it (they still see every
// execution and every reset).
func TestCollectorPanicIsRecovered(t *testing.T) {
	isolations(t, func(t *testing.T, iso hystrix.Isolation) {
		t.Cleanup(func() { flush(t) })
		name := panicPrefix + uniqueName(t, "panics")
		const sleepWindow = 20 * time.Millisecond
		c, counter := configure(t, name, hystrix.CommandConfig{
			Timeout: 1000, MaxConcurrentRequests: 4, RequestVolumeThreshold: 2, ErrorPercentThreshold: 50,
			SleepWindow: ms(sleepWindow), Isolation: iso,
		})
		v, ok := panickers.Load(name)
		if !ok {
			t.Fatal("the panicking collector was not built for the command")
		}
		p := v.(*panickingCollector)

		calls := []struct {
			what string
			run  func() error
			want error
		}{
			{"a failure", func() error { return errBoom }, errBoom},
			{"a second failure, which opens the circuit", func() error { return errBoom }, errBoom},
		}
		for _, call := range calls {
			err, escaped := doRecovering(func() error { return hystrix.Do(name, call.run, nil) })
			if escaped != nil {
				t.Fatalf("%s: the collector's panic escaped Do: %v", call.what, escaped)
			}
			if !errors.Is(err, call.want) {
				t.Errorf("%s: Do returned %v, want %v", call.what, err, call.want)
			}
		}
		if st := c.State(); st != hystrix.StateOpen {
			t.Fatalf("circuit %v after two failures with RequestVolumeThreshold 2", st)
		}
		time.Sleep(sleepWindow + 5*time.Millisecond)
		// The probe closes the circuit, which resets every collector.
		err, escaped := doRecovering(func() error {
			return hystrix.DoC(context.Background(), name, func(context.Context) error { return nil }, nil)
		})
		if escaped != nil {
			t.Fatalf("the probe: the collector's panic escaped DoC: %v", escaped)
		}
		if err != nil {
			t.Errorf("the probe returned %v", err)
		}
		if st := c.State(); st != hystrix.StateClosed {
			t.Errorf("circuit %v after a successful probe", st)
		}
		err, escaped = doRecovering(func() error { return hystrix.Do(name, func() error { return nil }, nil) })
		if escaped != nil || err != nil {
			t.Errorf("a call after the close: returned %v, panic %v", err, escaped)
		}

		if n := p.updates.Load(); n != 4 {
			t.Errorf("the panicking collector's Update was called %d times, want 4", n)
		}
		if n := p.resets.Load(); n < 1 {
			t.Errorf("the panicking collector's Reset was never called although the circuit closed")
		}
		snap := counter.snapshot()
		if snap.life.Attempts != 4 {
			t.Errorf("the collector after the panicking one saw %v executions, want 4: %v", snap.life.Attempts, snap.life)
		}
		if snap.resets < 1 {
			t.Errorf("the collector after the panicking one was not reset when the circuit closed")
		}
		if snap.window.Attempts != 1 {
			t.Errorf("the collector after the panicking one holds %v executions since the close, want 1", snap.window.Attempts)
		}
		if n := c.Metrics().NumRequests().Sum(windowNow()); n != 1 {
			t.Errorf("default collector: %v requests since the close, want 1", n)
		}
	})
}

// TestProbeWhoseCallerGivesUp: when the caller of a half-open circuit's
// probe gives up (cancels, or its deadline passes) the probe's place must
// not stay taken until the probe's timeout plus another sleep window: a
// healthy call soon after closes the circuit.
func TestProbeWhoseCallerGivesUp(t *testing.T) {
	for _, how := range []string{"cancel", "deadline"} {
		t.Run(how, func(t *testing.T) {
			isolations(t, func(t *testing.T, iso hystrix.Isolation) {
				t.Cleanup(func() { flush(t) })
				name := uniqueName(t, "probe")
				const (
					timeout     = 2 * time.Second
					sleepWindow = 30 * time.Millisecond
					giveUpAfter = 20 * time.Millisecond
				)
				c, counter := configure(t, name, hystrix.CommandConfig{
					Timeout: ms(timeout), MaxConcurrentRequests: 4, RequestVolumeThreshold: 2,
					ErrorPercentThreshold: 50, SleepWindow: ms(sleepWindow), Isolation: iso,
				})
				for i := 0; i < 2; i++ {
					_ = hystrix.Do(name, func() error { return errBoom }, nil)
				}
				if st := c.State(); st != hystrix.StateOpen {
					t.Fatalf("circuit %v after two failures", st)
				}
				time.Sleep(sleepWindow + 5*time.Millisecond)

				ctx, cancel := context.WithCancel(context.Background())
				wantErr := context.Canceled
				if how == "deadline" {
					cancel()
					ctx, cancel = context.WithTimeout(context.Background(), giveUpAfter)
					wantErr = context.DeadlineExceeded
				} else {
					time.AfterFunc(giveUpAfter, cancel)
				}
				ran := make(chan struct{})
				err := hystrix.DoC(ctx, name, func(ctx context.Context) error {
					close(ran)
					<-ctx.Done()
					return ctx.Err()
				}, nil)
				cancel()
				gaveUp := time.Now()
				select {
				case <-ran:
				default:
					t.Fatalf("the call after the sleep window was not let through as the probe: %v", err)
				}
				if !errors.Is(err, wantErr) {
					t.Errorf("the probe's caller got %v, want %v", err, wantErr)
				}

				calls := 3
				for c.State() != hystrix.StateClosed {
					if since := time.Since(gaveUp); since > sleepWindow+500*time.Millisecond {
						t.Fatalf("circuit %v %v after the probe's caller gave up (probe timeout %v): the abandoned probe still holds the half-open slot",
							c.State(), since, timeout)
					}
					_ = hystrix.Do(name, func() error { return nil }, nil)
					calls++
					time.Sleep(time.Millisecond)
				}
				t.Logf("closed %v after the probe's caller gave up, after %d more calls", time.Since(gaveUp).Round(time.Microsecond), calls-3)
				waitFor(t, "every ticket given back", time.Second, func() bool { return c.ActiveCount() == 0 })

				snap := counter.snapshot()
				if snap.life.Attempts != float64(calls) {
					t.Errorf("collector saw %v executions, the test made %d", snap.life.Attempts, calls)
				}
				gaveUpOutcome := canceled
				if how == "deadline" {
					gaveUpOutcome = deadline
				}
				if n := snap.life.Outcomes[gaveUpOutcome]; n != 1 {
					t.Errorf("collector counted %v %s, want the abandoned probe once: %v", n, gaveUpOutcome, snap.life)
				}
				if n := snap.life.Outcomes[failure]; n != 2 {
					t.Errorf("collector counted %v failures, want 2", n)
				}
			})
		})
	}
}
