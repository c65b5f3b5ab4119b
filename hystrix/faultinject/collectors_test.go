package faultinject

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// outcome is what one execution came to, as the collectors count it.
type outcome int

const (
	success outcome = iota
	failure
	rejected
	shortCircuit
	timedOut
	canceled
	deadline
	nOutcomes
)

var outcomeNames = [nOutcomes]string{
	success:      "success",
	failure:      "failure",
	rejected:     "rejected",
	shortCircuit: "short-circuit",
	timedOut:     "timeout",
	canceled:     "context_canceled",
	deadline:     "context_deadline_exceeded",
}

func (o outcome) String() string { return outcomeNames[o] }

// isError reports whether o counts against the circuit's health.
func (o outcome) isError() bool {
	return o == failure || o == rejected || o == shortCircuit || o == timedOut
}

// counts are the MetricResult fields summed over executions.
type counts struct {
	Attempts          float64
	Errors            float64
	Outcomes          [nOutcomes]float64
	FallbackSuccesses float64
	FallbackFailures  float64
}

func (c *counts) add(r metricCollector.MetricResult) {
	c.Attempts += r.Attempts
	c.Errors += r.Errors
	for o, v := range resultOutcomes(r) {
		c.Outcomes[o] += v
	}
	c.FallbackSuccesses += r.FallbackSuccesses
	c.FallbackFailures += r.FallbackFailures
}

// addOutcome counts one execution the test saw end in o.
func (c *counts) addOutcome(o outcome) {
	c.Attempts++
	c.Outcomes[o]++
	if o.isError() {
		c.Errors++
	}
}

func (c counts) sumOutcomes() float64 {
	var s float64
	for _, v := range c.Outcomes {
		s += v
	}
	return s
}

func (c counts) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "attempts=%v errors=%v", c.Attempts, c.Errors)
	for o, v := range c.Outcomes {
		fmt.Fprintf(&b, " %s=%v", outcome(o), v)
	}
	fmt.Fprintf(&b, " fallback-success=%v fallback-failure=%v", c.FallbackSuccesses, c.FallbackFailures)
	return b.String()
}

func resultOutcomes(r metricCollector.MetricResult) [nOutcomes]float64 {
	return [nOutcomes]float64{
		success:      r.Successes,
		failure:      r.Failures,
		rejected:     r.Rejects,
		shortCircuit: r.ShortCircuits,
		timedOut:     r.Timeouts,
		canceled:     r.ContextCanceled,
		deadline:     r.ContextDeadlineExceeded,
	}
}

// countingCollector counts the MetricResult fields it is given, over its
// whole life and since its last Reset, and notes every result that breaks
// the MetricResult contract and every Update that overlapped another.
type countingCollector struct {
	name     string
	inUpdate atomic.Int32

	mu         sync.Mutex
	life       counts // never reset
	window     counts // since the last Reset
	resets     int
	lastReset  time.Time // or creation
	overlaps   int
	violations []string
}

// counters holds every circuit's countingCollector by command name.
var counters sync.Map // string -> *countingCollector

// noCollectorPrefix names the commands that get no counting collector:
// the benchmark's, so that it measures the library alone.
const noCollectorPrefix = "faultinject-no-collector/"

func newCountingCollector(name string) metricCollector.MetricCollector {
	if strings.HasPrefix(name, noCollectorPrefix) {
		return nil
	}
	c := &countingCollector{name: name, lastReset: time.Now()}
	counters.Store(name, c)
	return c
}

// counterOf returns the counting collector of the named command's circuit,
// which must exist.
func counterOf(t testing.TB, name string) *countingCollector {
	t.Helper()
	v, ok := counters.Load(name)
	if !ok {
		t.Fatalf("no counting collector for command %q: the registered initializer was not called", name)
	}
	return v.(*countingCollector)
}

func (c *countingCollector) Update(r metricCollector.MetricResult) {
	overlapped := c.inUpdate.Add(1) != 1
	defer c.inUpdate.Add(-1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if overlapped {
		c.overlaps++
	}
	if v := checkResult(r); v != "" && len(c.violations) < 10 {
		c.violations = append(c.violations, v)
	}
	c.life.add(r)
	c.window.add(r)
}

func (c *countingCollector) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.window = counts{}
	c.resets++
	c.lastReset = time.Now()
}

type counterSnapshot struct {
	life, window counts
	resets       int
	lastReset    time.Time
	overlaps     int
	violations   []string
}

func (c *countingCollector) snapshot() counterSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return counterSnapshot{
		life: c.life, window: c.window, resets: c.resets, lastReset: c.lastReset,
		overlaps: c.overlaps, violations: append([]string(nil), c.violations...),
	}
}

// checkResult says how r breaks the documented MetricResult contract, or
// returns "": Attempts is 1, exactly one outcome is 1, Errors is 1 exactly
// for failures, rejections, short circuits and timeouts, at most one
// fallback field is 1, and no count is anything but 0 or 1.
func checkResult(r metricCollector.MetricResult) string {
	// No allocation unless something is wrong: Update runs on every call.
	outs := resultOutcomes(r)
	ones := 0
	var which outcome
	for o, v := range outs {
		if v != 0 && v != 1 {
			return fmt.Sprintf("%s=%v in %+v", outcome(o), v, r)
		}
		if v == 1 {
			ones++
			which = outcome(o)
		}
	}
	for _, v := range [...]float64{r.Attempts, r.Errors, r.FallbackSuccesses, r.FallbackFailures} {
		if v != 0 && v != 1 {
			return fmt.Sprintf("a count is %v in %+v", v, r)
		}
	}
	switch {
	case r.Attempts != 1:
		return fmt.Sprintf("Attempts=%v in %+v", r.Attempts, r)
	case ones != 1:
		return fmt.Sprintf("%d outcomes set in %+v", ones, r)
	case (r.Errors == 1) != which.isError():
		return fmt.Sprintf("Errors=%v for outcome %s in %+v", r.Errors, which, r)
	case r.FallbackSuccesses+r.FallbackFailures > 1:
		return fmt.Sprintf("both fallback outcomes set in %+v", r)
	case r.TotalDuration < 0 || r.RunDuration < 0:
		return fmt.Sprintf("negative duration in %+v", r)
	}
	return ""
}

// panicPrefix names the commands whose circuits get a panickingCollector.
const panicPrefix = "faultinject-panicking-collector/"

// panickingCollector panics in every Update and Reset. Commands whose name
// starts with panicPrefix get one, ahead of their counting collector;
// every other command gets none (the initializer returns nil).
type panickingCollector struct {
	updates, resets atomic.Int64
}

var panickers sync.Map // string -> *panickingCollector

func newPanickingCollector(name string) metricCollector.MetricCollector {
	if !strings.HasPrefix(name, panicPrefix) {
		return nil
	}
	p := &panickingCollector{}
	panickers.Store(name, p)
	return p
}

func (p *panickingCollector) Update(metricCollector.MetricResult) {
	p.updates.Add(1)
	panic("faultinject: this collector panics in Update")
}

func (p *panickingCollector) Reset() {
	p.resets.Add(1)
	panic("faultinject: this collector panics in Reset")
}
