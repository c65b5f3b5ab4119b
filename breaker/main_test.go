package breaker_test

import (
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gohystrix/hystrix-go/breaker"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
)

// A Breaker starts no goroutine; goleak checks that no test leaves one.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var errBoom = errors.New("boom")

// The three kinds of function a breaker runs.
func pass() (error, bool) { return nil, false }
func fail() (error, bool) { return errBoom, false }

var errBadInput = errors.New("bad input")

func skip() (error, bool) { return errBadInput, true }

// quiet is a logger for tests that do not look at the log.
var quiet = slog.New(slog.DiscardHandler)

// newBreaker makes a breaker on a manual clock of the test's own, with a
// silent logger unless s has one.
func newBreaker(t testing.TB, s breaker.Settings) (*breaker.Breaker, *hystrixtest.Clock) {
	t.Helper()
	clk := hystrixtest.NewClock(time.Time{})
	s.Clock = clk
	if s.Name == "" {
		s.Name = "test"
	}
	if s.Logger == nil {
		s.Logger = quiet
	}
	cb, err := breaker.New(s)
	if err != nil {
		t.Fatalf("New(%+v): %v", s, err)
	}
	return cb, clk
}

// counting wraps fn so that the test can tell whether the breaker ran it.
type counting struct {
	mu sync.Mutex
	n  int
}

func (c *counting) wrap(fn func() (error, bool)) func() (error, bool) {
	return func() (error, bool) {
		c.mu.Lock()
		c.n++
		c.mu.Unlock()
		return fn()
	}
}

func (c *counting) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// transitions records OnStateChange calls; safe for concurrent use.
type transitions struct {
	mu  sync.Mutex
	got []string
}

func (r *transitions) record(name string, from, to breaker.State) {
	r.mu.Lock()
	r.got = append(r.got, from.String()+">"+to.String())
	r.mu.Unlock()
}

func (r *transitions) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

func (r *transitions) count(to breaker.State) int {
	n := 0
	for _, s := range r.list() {
		if strings.HasSuffix(s, ">"+to.String()) {
			n++
		}
	}
	return n
}

// trip fails calls until cb opens, at most limit times, and fails the test
// if it does not.
func trip(t testing.TB, cb *breaker.Breaker, limit int) {
	t.Helper()
	for i := 0; i < limit && cb.Status() != breaker.Open; i++ {
		_ = cb.Run(fail)
	}
	if cb.Status() != breaker.Open {
		t.Fatalf("breaker still %v after %d failures", cb.Status(), limit)
	}
}

func wantStatus(t testing.TB, cb *breaker.Breaker, want breaker.State) {
	t.Helper()
	if got := cb.Status(); got != want {
		t.Fatalf("Status() = %v, want %v", got, want)
	}
}
