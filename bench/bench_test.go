package bench

import (
	"testing"
	"time"
)

// TestAdapters makes a few calls of every scenario through every library and
// checks they return what the benchmarks expect, so that a misconfigured
// adapter fails here rather than producing a number.
func TestAdapters(t *testing.T) {
	for i := range scenarios {
		sc := &scenarios[i]
		for j := range libraries {
			l := &libraries[j]
			if sc.applies != nil && !sc.applies(l) {
				continue
			}
			t.Run(sc.name+"/"+l.name, func(t *testing.T) {
				var tg target
				if sc.name == "circuits10k" {
					// Ten circuits are enough to check the adapter.
					tg = l.many(t, "test-many-"+l.name, 10, runOK)
				} else {
					tg = sc.target(l, t, "test/"+sc.name+"/"+l.name)
				}
				call := tg.call
				if tg.callAt != nil {
					call = spread(tg.callAt, tg.circuits, 0)
				}
				e := sc.expect(l)
				var tl tally
				tl.run(call, &e, 50)
				if tg.settle != nil {
					tg.settle()
				}
				if tl.bad > 0 {
					t.Errorf("%d of 50 calls returned something unexpected, first %v; want %v", tl.bad, tl.firstBad, e.want)
				}
			})
		}
	}
}

// TestTimeoutSemantics checks what README.md says about the hystrix-*
// scenarios: given a run function that ignores its context and takes far
// longer than the timeout, which libraries return at the timeout (and run
// the fallback) and which wait for the function.
func TestTimeoutSemantics(t *testing.T) {
	const (
		timeout = 50 * time.Millisecond
		runFor  = 600 * time.Millisecond
	)
	returnsAtTimeout := map[string]bool{
		"ours":        true,  // the run goroutine is abandoned at the timeout
		"afex":        true,  // likewise
		"rubyist":     true,  // Call with a timeout runs the function on a goroutine
		"ours-caller": false, // the timeout reaches the function only through its context
		"failsafe":    false, // Timeout cancels the context and waits for the function
	}
	slow := func() error {
		time.Sleep(runFor)
		return nil
	}
	for i := range libraries {
		l := &libraries[i]
		if l.guarded == nil {
			continue
		}
		want, ok := returnsAtTimeout[l.name]
		if !ok {
			t.Errorf("%s: no expectation; add it to returnsAtTimeout and README.md", l.name)
			continue
		}
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			fellBack := false
			tg := l.guarded(t, "test/semantics/"+l.name, timeout, slow, func() error {
				fellBack = true
				return nil
			})
			start := time.Now()
			err := tg.call()
			took := time.Since(start)
			if err != nil {
				t.Errorf("call returned %v, want nil from the fallback", err)
			}
			if !fellBack {
				t.Errorf("the fallback did not run")
			}
			if got := took < runFor/2; got != want {
				t.Errorf("returned after %v with a %v timeout and a %v run; returns at the timeout = %v, want %v",
					took, timeout, runFor, got, want)
			}
		})
	}
}
