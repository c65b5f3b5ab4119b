package main

import (
	"fmt"
	"io"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// printSummary reports what happened to each command over the whole run.
func printSummary(out io.Writer, elapsed time.Duration, why string, cmds []*command, t *traffic, w *watcher) {
	fmt.Fprintf(out, "\nSummary: ran %.1fs, stopped because %s.\n", elapsed.Seconds(), why)
	fmt.Fprintf(out, "  %-16s %6s %9s %8s %8s %7s %8s %9s\n",
		"COMMAND", "CALLS", "SUCCESSES", "FAILURES", "TIMEOUTS", "SHORTED", "REJECTED", "FALLBACKS")
	for _, c := range cmds {
		n := t.tallies[c.name]
		fmt.Fprintf(out, "  %-16s %6d %9d %8d %8d %7d %8d %9d\n",
			c.name, n.calls.Load(), n.successes.Load(), n.failures.Load(), n.timeouts.Load(),
			n.shortCircuits.Load(), n.rejected.Load(), n.fallbacks.Load())
	}
	fmt.Fprintln(out, "  SHORTED: short-circuited, refused at once by the open circuit.")
	fmt.Fprintln(out, "  REJECTED: refused for exceeding the command's concurrency limit.")
	fmt.Fprintln(out, "  Every call that did not succeed was answered by its fallback.")
	for _, c := range cmds {
		fmt.Fprintf(out, "  %s: circuit %s.\n", c.name, circuitStory(w.history[c.name]))
	}
	fmt.Fprintf(out, "  %d calls skipped because all workers were busy.\n", t.skipped.Load())
}

// circuitStory says in a few words whether the circuit opened, how far a
// ramp got, and whether it recovered.
func circuitStory(h *history) string {
	if h.opened == 0 {
		return "never opened"
	}
	s := "opened " + times(h.opened)
	if h.ramped {
		s += ", half-open at up to " + perMinute(h.peak)
	}
	switch {
	case h.reclosed:
		return s + ", closed again"
	case h.state == hystrix.StateHalfOpen:
		return s + ", still half-open at the end"
	default:
		return s + ", still open at the end"
	}
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
