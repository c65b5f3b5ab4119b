package breaker_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// logBuffer collects a JSON slog handler's lines; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func jsonLogger(level slog.Level) (*slog.Logger, *logBuffer) {
	var buf logBuffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level})), &buf
}

func TestTransitionsAreLoggedWithLevelsAndAttributes(t *testing.T) {
	t.Parallel()
	logger, buf := jsonLogger(slog.LevelDebug)
	cb, clk := newBreaker(t, breaker.Settings{Name: "inventory", Threshold: 2, RetryAfter: time.Second, Logger: logger})
	start := clk.Now()
	trip(t, cb, 3)       // closed > open at start, after 3 failures
	clk.Add(time.Second) // open > half-open at start+1s
	_ = cb.Run(fail)     // half-open > open (reopened)
	clk.Add(time.Second) // open > half-open at start+2s
	clk.Add(time.Second) // nothing
	_ = cb.Run(pass)     // half-open > closed at start+3s

	type line struct {
		Time     time.Time
		Level    string
		Msg      string
		Breaker  string
		From, To string
		Failures float64
	}
	var got []line
	for _, m := range buf.lines(t) {
		at, err := time.Parse(time.RFC3339Nano, m["time"].(string))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, line{at.UTC(), m["level"].(string), m["msg"].(string),
			m["breaker"].(string), m["from"].(string), m["to"].(string), m["failures"].(float64)})
	}
	at := func(s int) time.Time { return start.Add(time.Duration(s) * time.Second).UTC() }
	want := []line{
		{at(0), "ERROR", "breaker opened", "inventory", "closed", "open", 3},
		{at(1), "INFO", "breaker half-open", "inventory", "open", "half-open", 0},
		{at(1), "ERROR", "breaker reopened", "inventory", "half-open", "open", 0},
		{at(2), "INFO", "breaker half-open", "inventory", "open", "half-open", 0},
		{at(3), "INFO", "breaker closed", "inventory", "half-open", "closed", 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("log lines:\n got %+v\nwant %+v", got, want)
	}
}

func TestLoggerLevelFiltersTransitionLines(t *testing.T) {
	t.Parallel()
	logger, buf := jsonLogger(slog.LevelError)
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Second, Logger: logger})
	trip(t, cb, 2)
	clk.Add(time.Second)
	_ = cb.Run(pass)
	lines := buf.lines(t)
	if len(lines) != 1 || lines[0]["msg"] != "breaker opened" {
		t.Fatalf("at Error level got %v, want only the opening", lines)
	}
}

func TestLoggerAttributesAreKept(t *testing.T) {
	t.Parallel()
	logger, buf := jsonLogger(slog.LevelInfo)
	cb, _ := newBreaker(t, breaker.Settings{Threshold: 1, Logger: logger.With("service", "shop")})
	trip(t, cb, 2)
	if lines := buf.lines(t); len(lines) != 1 || lines[0]["service"] != "shop" {
		t.Fatalf("got %v, want the logger's own attribute", lines)
	}
}

// Not parallel: it replaces slog's default logger.
func TestNilLoggerWritesToSlogDefaultAtTheTimeOfTheLine(t *testing.T) {
	old := slog.Default()
	t.Cleanup(func() { slog.SetDefault(old) })
	// A manual clock, so that no timer of the system's fires after the
	// test.
	cb, err := breaker.New(breaker.Settings{Name: "default", Threshold: 1, Clock: hystrixtest.NewClock(time.Time{})})
	if err != nil {
		t.Fatal(err)
	}
	// Set after New: the breaker looks the default up at each line.
	logger, buf := jsonLogger(slog.LevelInfo)
	slog.SetDefault(logger)
	trip(t, cb, 2)
	if lines := buf.lines(t); len(lines) != 1 || lines[0]["breaker"] != "default" {
		t.Fatalf("got %v, want the opening on slog.Default()", lines)
	}
}

func TestOnStateChangeSeesEveryTransitionInOrder(t *testing.T) {
	t.Parallel()
	var rec transitions
	var names []string
	cb, clk := newBreaker(t, breaker.Settings{Name: "svc", Threshold: 1, RetryAfter: time.Second, OnStateChange: func(name string, from, to breaker.State) {
		names = append(names, name)
		rec.record(name, from, to)
	}})
	trip(t, cb, 2)
	clk.Add(time.Second)
	_ = cb.Run(fail)
	clk.Add(time.Second)
	_ = cb.Run(pass)
	want := []string{"closed>open", "open>half-open", "half-open>open", "open>half-open", "half-open>closed"}
	if got := rec.list(); !reflect.DeepEqual(got, want) {
		t.Fatalf("transitions %v, want %v", got, want)
	}
	for _, n := range names {
		if n != "svc" {
			t.Fatalf("OnStateChange got name %q", n)
		}
	}
}

// OnStateChange may call the breaker, even to make it move again: no lock
// is held, and the transition its call causes is delivered after it
// returns.
func TestOnStateChangeMayCallTheBreaker(t *testing.T) {
	t.Parallel()
	var cb *breaker.Breaker
	var rec transitions
	var seen []breaker.State
	var probeErr error
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Second, OnStateChange: func(name string, from, to breaker.State) {
		seen = append(seen, cb.Status())
		rec.record(name, from, to)
		if to == breaker.HalfOpen {
			// Probe from inside the callback: it closes the breaker.
			probeErr = cb.Run(pass)
			seen = append(seen, cb.Status())
		}
	}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = cb.Run(fail)
		_ = cb.Run(fail)
		clk.Add(time.Second)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("deadlock: the breaker did not come back from a callback that calls it")
	}
	if probeErr != nil {
		t.Fatalf("probe from the callback returned %v", probeErr)
	}
	if want := []string{"closed>open", "open>half-open", "half-open>closed"}; !reflect.DeepEqual(rec.list(), want) {
		t.Fatalf("transitions %v, want %v", rec.list(), want)
	}
	if want := []breaker.State{breaker.Open, breaker.HalfOpen, breaker.Closed, breaker.Closed}; !reflect.DeepEqual(seen, want) {
		t.Fatalf("Status from the callback %v, want %v", seen, want)
	}
}

func TestOnStateChangePanicIsRecoveredAndLogged(t *testing.T) {
	t.Parallel()
	logger, buf := jsonLogger(slog.LevelInfo)
	calls := 0
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Second, Logger: logger, OnStateChange: func(string, breaker.State, breaker.State) {
		calls++
		panic("listener down")
	}})
	trip(t, cb, 2)
	clk.Add(time.Second)
	if err := cb.Run(pass); err != nil {
		t.Fatalf("probe returned %v", err)
	}
	wantStatus(t, cb, breaker.Closed)
	if calls != 3 {
		t.Fatalf("OnStateChange called %d times, want 3", calls)
	}
	var panics int
	for _, l := range buf.lines(t) {
		if l["msg"] == "breaker OnStateChange panicked" {
			panics++
			if l["level"] != "ERROR" || l["panic"] != "listener down" {
				t.Errorf("panic line %v", l)
			}
		}
	}
	if panics != 3 {
		t.Fatalf("%d panic lines, want 3", panics)
	}
}

// panicHandler is a slog handler that panics on every line.
type panicHandler struct{}

func (panicHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (panicHandler) Handle(context.Context, slog.Record) error { panic("handler down") }
func (h panicHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h panicHandler) WithGroup(string) slog.Handler           { return h }

// A panicking handler costs the line (reported on standard error), not the
// transition nor the callback.
func TestPanickingLogHandlerDoesNotStopTheBreaker(t *testing.T) {
	t.Parallel()
	var rec transitions
	cb, clk := newBreaker(t, breaker.Settings{Threshold: 1, RetryAfter: time.Second,
		Logger: slog.New(panicHandler{}), OnStateChange: rec.record})
	trip(t, cb, 2)
	clk.Add(time.Second)
	if err := cb.Run(pass); err != nil {
		t.Fatal(err)
	}
	if want := []string{"closed>open", "open>half-open", "half-open>closed"}; !reflect.DeepEqual(rec.list(), want) {
		t.Fatalf("transitions %v, want %v", rec.list(), want)
	}
}
