package breaker

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// The attribute keys of a transition's log line.
const (
	// LogKeyBreaker holds the breaker's name.
	LogKeyBreaker = "breaker"
	// LogKeyFrom and LogKeyTo hold the states before and after, as
	// State.String gives them.
	LogKeyFrom = "from"
	LogKeyTo   = "to"
	// LogKeyFailures holds the run of failures that opened the breaker:
	// Threshold+1 or more on an opening from closed, 0 on the other
	// transitions (a failed probe is one failure, but the engine reports
	// no run for it).
	LogKeyFailures = "failures"
)

// transition is the breaker's listener on its registry, which calls it in
// order, one transition at a time, with no lock held.
func (b *Breaker) transition(ev hystrix.StateChange) {
	b.logTransition(ev)
	if b.onChange != nil {
		b.notify(ev.From, ev.To)
	}
}

func (b *Breaker) log() *slog.Logger {
	if b.logger != nil {
		return b.logger
	}
	return slog.Default()
}

// logTransition writes the transition's line, stamped with the instant of
// the transition on the breaker's clock rather than when it is written.
func (b *Breaker) logTransition(ev hystrix.StateChange) {
	level, msg := slog.LevelInfo, "breaker closed"
	switch ev.To {
	case Open:
		level, msg = slog.LevelError, "breaker opened"
		if ev.From == HalfOpen {
			msg = "breaker reopened"
		}
	case HalfOpen:
		msg = "breaker half-open"
	}
	b.write(level, ev.At, msg,
		slog.String(LogKeyBreaker, b.name),
		slog.String(LogKeyFrom, ev.From.String()),
		slog.String(LogKeyTo, ev.To.String()),
		slog.Int64(LogKeyFailures, ev.Counts.ConsecutiveFailures))
}

// write hands one record to the logger's handler. The handler is user code:
// a panic in it is recovered and written to standard error, not through
// slog, which may be the handler that panicked.
func (b *Breaker) write(level slog.Level, at time.Time, msg string, attrs ...slog.Attr) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(os.Stderr, "breaker %q: the slog handler panicked: %v (line %q)\n%s", b.name, v, msg, debug.Stack())
		}
	}()
	h := b.log().Handler()
	ctx := context.Background()
	if !h.Enabled(ctx, level) {
		return
	}
	r := slog.NewRecord(at, level, msg, 0)
	r.AddAttrs(attrs...)
	_ = h.Handle(ctx, r)
}

// now reads the breaker's clock.
func (b *Breaker) now() time.Time {
	if b.clock != nil {
		return b.clock.Now()
	}
	return time.Now()
}

// notify calls OnStateChange, recovering and logging a panic in it.
func (b *Breaker) notify(from, to State) {
	defer func() {
		if v := recover(); v != nil {
			b.write(slog.LevelError, b.now(), "breaker OnStateChange panicked",
				slog.String(LogKeyBreaker, b.name),
				slog.String(LogKeyFrom, from.String()),
				slog.String(LogKeyTo, to.String()),
				slog.Any("panic", v),
				slog.String("stack", string(debug.Stack())))
		}
	}()
	b.onChange(b.name, from, to)
}
