package main

import (
	"fmt"
	"io"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// summaryHeadFmt and summaryRowFmt lay out the summary's tables, 79 columns wide.
const (
	summaryHeadFmt = "  %-16s %6s %9s %8s %8s %7s %8s %9s\n"
	summaryRowFmt  = "  %-16s %6d %9d %8d %8d %7d %8d %9d\n"
)

// printSummary reports what happened to each command over the whole run,
// and in each phase of the downstream.
func printSummary(out io.Writer, elapsed time.Duration, why string, cmds []*command, t *traffic, w *watcher) {
	fmt.Fprintf(out, "\nSummary: ran %.1fs, stopped because %s.\n", elapsed.Seconds(), why)
	fmt.Fprintf(out, summaryHeadFmt,
		"COMMAND", "CALLS", "SUCCESSES", "FAILURES", "TIMEOUTS", "SHORTED", "REJECTED", "FALLBACKS")
	var all tallyCounts
	for _, c := range cmds {
		n := t.tallies[c.name].counts()
		all.add(n)
		n.print(out, c.name)
	}
	fmt.Fprintln(out, "  SHORTED: short-circuited, refused at once by the open circuit.")
	fmt.Fprintln(out, "  REJECTED: refused for exceeding the command's concurrency limit.")
	fmt.Fprintln(out, "  "+fallbackSentence(all))
	fmt.Fprintf(out, "\n  By the downstream's phase when the call started:\n")
	fmt.Fprintf(out, summaryHeadFmt,
		"PHASE", "CALLS", "SUCCESSES", "FAILURES", "TIMEOUTS", "SHORTED", "REJECTED", "FALLBACKS")
	for p := range numPhases {
		t.phases[p].counts().print(out, p.String())
	}
	fmt.Fprintln(out)
	for _, c := range cmds {
		fmt.Fprintf(out, "  %s: circuit %s.\n", c.name, circuitStory(w.history[c.name]))
	}
	fmt.Fprintln(out, "  "+skippedSentence(t.skipped.Load()))
}

// tallyCounts is a tally read at one moment.
type tallyCounts struct {
	calls, successes, failures, timeouts, shortCircuits, rejected, fallbacks int64
}

func (t *tally) counts() tallyCounts {
	return tallyCounts{
		t.calls.Load(), t.successes.Load(), t.failures.Load(), t.timeouts.Load(),
		t.shortCircuits.Load(), t.rejected.Load(), t.fallbacks.Load(),
	}
}

func (n *tallyCounts) add(o tallyCounts) {
	n.calls += o.calls
	n.successes += o.successes
	n.failures += o.failures
	n.timeouts += o.timeouts
	n.shortCircuits += o.shortCircuits
	n.rejected += o.rejected
	n.fallbacks += o.fallbacks
}

func (n tallyCounts) print(out io.Writer, name string) {
	fmt.Fprintf(out, summaryRowFmt, name, n.calls, n.successes, n.failures, n.timeouts,
		n.shortCircuits, n.rejected, n.fallbacks)
}

// fallbackSentence says what the fallbacks did, in words that are true of
// the counts.
func fallbackSentence(n tallyCounts) string {
	unsuccessful := n.calls - n.successes
	switch {
	case n.calls == 0:
		return "No call was made."
	case unsuccessful == 0:
		return "Every call succeeded, so no fallback was needed."
	case n.fallbacks == unsuccessful && unsuccessful == 1:
		return "The one call that did not succeed was answered by its fallback."
	case n.fallbacks == unsuccessful:
		return fmt.Sprintf("All %d calls that did not succeed were answered by their fallback.", unsuccessful)
	default:
		return fmt.Sprintf("%d of the %d calls that did not succeed were answered by their fallback.", n.fallbacks, unsuccessful)
	}
}

func skippedSentence(n int64) string {
	switch n {
	case 0:
		return "No call was skipped: a worker was always free."
	case 1:
		return "1 call was skipped because all workers were busy."
	}
	return fmt.Sprintf("%d calls were skipped because all workers were busy.", n)
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
