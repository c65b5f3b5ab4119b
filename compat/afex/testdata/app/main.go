// Command app is written as any afex/hystrix-go program is, with afex's
// import paths only, to show that such a program builds and behaves on the
// compat module with nothing changed but its go.mod.
//
// It runs a success, a failure served by a fallback and a timeout, watches
// them through a metric collector of its own, and exits non-zero if any of
// them did not behave as afex promised.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/afex/hystrix-go/hystrix"
	metricCollector "github.com/afex/hystrix-go/hystrix/metric_collector"
)

const (
	cmdSuccess = "app.success"
	cmdFailure = "app.failure"
	cmdTimeout = "app.timeout"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
}

// tally is the kind of collector afex users register: it totals the results
// of each command.
type tally struct {
	mu     sync.Mutex
	totals map[string]*metricCollector.MetricResult
}

func (t *tally) collectorFor(name string) metricCollector.MetricCollector {
	return &commandTally{t: t, name: name}
}

func (t *tally) of(name string) metricCollector.MetricResult {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r := t.totals[name]; r != nil {
		return *r
	}
	return metricCollector.MetricResult{}
}

type commandTally struct {
	t    *tally
	name string
}

func (c *commandTally) Update(r metricCollector.MetricResult) {
	c.t.mu.Lock()
	defer c.t.mu.Unlock()
	sum := c.t.totals[c.name]
	if sum == nil {
		sum = &metricCollector.MetricResult{}
		c.t.totals[c.name] = sum
	}
	sum.Attempts += r.Attempts
	sum.Successes += r.Successes
	sum.Failures += r.Failures
	sum.Timeouts += r.Timeouts
	sum.FallbackSuccesses += r.FallbackSuccesses
}

func (c *commandTally) Reset() {}

// run does the work of main, writing what happens to w, and returns the
// first misbehaviour it sees.
func run(w io.Writer) error {
	seen := &tally{totals: make(map[string]*metricCollector.MetricResult)}
	metricCollector.Registry.Register(seen.collectorFor)

	hystrix.ConfigureCommand(cmdSuccess, hystrix.CommandConfig{Timeout: 1000, MaxConcurrentRequests: 10})
	if err := hystrix.Do(cmdSuccess, func() error { return nil }, nil); err != nil {
		return fmt.Errorf("%s: %v, want success", cmdSuccess, err)
	}
	fmt.Fprintf(w, "%s: ok\n", cmdSuccess)

	down := errors.New("backend down")
	var fallbackGot error
	err := hystrix.Do(cmdFailure, func() error { return down }, func(err error) error {
		fallbackGot = err
		return nil
	})
	if err != nil || fallbackGot != down {
		return fmt.Errorf("%s: Do returned %v with fallback given %v, want nil and %q", cmdFailure, err, fallbackGot, down)
	}
	fmt.Fprintf(w, "%s: fallback served after %q\n", cmdFailure, fallbackGot)

	// afex programs set defaults by assignment; this command is never
	// configured, so only the assignment can give it a short timeout.
	hystrix.DefaultTimeout = 20
	start := time.Now()
	release := make(chan struct{})
	finished := make(chan struct{})
	errs := hystrix.Go(cmdTimeout, func() error {
		defer close(finished)
		<-release
		return nil
	}, nil)
	select {
	case err = <-errs:
	case <-time.After(5 * time.Second):
		err = errors.New("no result within 5s")
	}
	waited := time.Since(start)
	// Let the abandoned run function end, as a well-behaved one would.
	close(release)
	<-finished
	if err != hystrix.ErrTimeout {
		return fmt.Errorf("%s: %v, want hystrix.ErrTimeout", cmdTimeout, err)
	}
	// Far above 20ms, yet far below the 1000ms that an ignored assignment
	// would leave in force.
	if waited > 500*time.Millisecond {
		return fmt.Errorf("%s: timed out after %v, so the assigned DefaultTimeout was ignored", cmdTimeout, waited)
	}
	fmt.Fprintf(w, "%s: %v after the assigned default of %dms\n", cmdTimeout, err, hystrix.DefaultTimeout)

	want := map[string]metricCollector.MetricResult{
		cmdSuccess: {Attempts: 1, Successes: 1},
		cmdFailure: {Attempts: 1, Failures: 1, FallbackSuccesses: 1},
		cmdTimeout: {Attempts: 1, Timeouts: 1},
	}
	for _, name := range []string{cmdSuccess, cmdFailure, cmdTimeout} {
		got := seen.of(name)
		if got != want[name] {
			return fmt.Errorf("%s: collector totals %+v, want %+v", name, got, want[name])
		}
		fmt.Fprintf(w, "%s: collector saw attempts=%v successes=%v failures=%v timeouts=%v fallback_successes=%v\n",
			name, got.Attempts, got.Successes, got.Failures, got.Timeouts, got.FallbackSuccesses)
	}

	circuit, _, err := hystrix.GetCircuit(cmdFailure)
	if err != nil {
		return err
	}
	if circuit.IsOpen() {
		return fmt.Errorf("%s: circuit open after one failure, want closed below the volume threshold", cmdFailure)
	}
	hystrix.Flush()
	fmt.Fprintln(w, "all checks passed")
	return nil
}
