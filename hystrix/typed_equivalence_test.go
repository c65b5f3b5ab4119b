package hystrix_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// A Command runs its executions on the circuit it keeps, through a copy of
// the engine's body (executeOn) rather than execute itself. This test pins
// the two together: the same steps through DoC on one registry and through
// a Command on another, each on a manual clock that the steps move alike,
// must give the same answers, circuit states, counts, state changes,
// collector results and limiter records.

// side is one of the two registries under comparison.
type side struct {
	reg       *hystrix.Registry
	clk       *hystrixtest.Clock
	results   *recorder
	changes   *hystrixtest.Recorder
	limiter   *recordingLimiter
	cmd       *hystrix.Command[int]
	typed     bool
	fellBacks int
}

// recordingLimiter is a concurrency limit of the program's own that never
// refuses and keeps what it is told.
type recordingLimiter struct {
	mu      sync.Mutex
	records []string
}

func (l *recordingLimiter) NewLimiter(time.Time) policy.Limiter { return l }
func (l *recordingLimiter) Limit() int                          { return 1000 }
func (l *recordingLimiter) Record(r policy.Result, inFlight int) {
	l.mu.Lock()
	l.records = append(l.records, fmt.Sprintf("%v %v %v %v %d", r.Outcome, r.Start, r.End, r.Duration, inFlight))
	l.mu.Unlock()
}

func (l *recordingLimiter) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.records...)
}

func newSide(t *testing.T, config hystrix.CommandConfig, typed bool) *side {
	s := &side{results: &recorder{}, changes: &hystrixtest.Recorder{}, limiter: &recordingLimiter{}, typed: typed}
	s.reg, s.clk = hystrixtest.NewRegistry(t,
		hystrix.WithMetricCollectors(func(string) metricCollector.MetricCollector { return s.results }),
		hystrix.WithStateListener(s.changes.Record))
	config.Concurrency.Policy = s.limiter
	require.NoError(t, s.reg.TryConfigureCommand("c", config))
	s.cmd = hystrix.NewRegistryCommand[int](s.reg, "c")
	return s
}

// A step is one call; its functions get the side's clock, to move it.
type step struct {
	name     string
	ctx      func() context.Context
	run      func(clk *hystrixtest.Clock) func(context.Context) (int, error)
	fallback func(context.Context, error) (int, error)
	before   func(clk *hystrixtest.Clock)
}

// do makes the step's call and returns its answer, described.
func (s *side) do(st step) string {
	if st.before != nil {
		st.before(s.clk)
	}
	ctx := context.Background()
	if st.ctx != nil {
		ctx = st.ctx()
	}
	run := st.run(s.clk)
	if s.typed {
		v, err := s.cmd.Execute(ctx, run, st.fallback)
		return describe(err) + fmt.Sprintf(" value %d", v)
	}
	var fb func(context.Context, error) error
	var fbVal int
	if st.fallback != nil {
		fb = func(ctx context.Context, cause error) error {
			v, err := st.fallback(ctx, cause)
			fbVal = v
			return err
		}
	}
	var runVal int
	err := s.reg.DoC(ctx, "c", func(ctx context.Context) error {
		v, err := run(ctx)
		runVal = v
		return err
	}, fb)
	// The value a typed call must give for this answer.
	v := 0
	switch {
	case err != nil:
	case fbVal != 0:
		v = fbVal
	default:
		v = runVal
	}
	return describe(err) + fmt.Sprintf(" value %d", v)
}

// describe is an error's type and text; a panic's stack differs by caller.
func describe(err error) string {
	if pe, ok := err.(*hystrix.PanicError); ok {
		return fmt.Sprintf("%T %v", pe, pe.Value)
	}
	if fe, ok := err.(*hystrix.FallbackError); ok {
		return fmt.Sprintf("%T (%s) (%s)", fe, describe(fe.RunErr), describe(fe.FallbackErr))
	}
	return fmt.Sprintf("%T %v", err, err)
}

func (s *side) state() string {
	c, _, _ := s.reg.GetCircuit("c")
	return fmt.Sprintf("%v gen %d %+v active %d", c.State(), c.Generation(), c.Counts(s.clk.Now()), c.ActiveCount())
}

func constant(v int, err error) func(*hystrixtest.Clock) func(context.Context) (int, error) {
	return func(*hystrixtest.Clock) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { return v, err }
	}
}

func equivalenceSteps(iso hystrix.Isolation) []step {
	canceled := func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}
	errFallback := fmt.Errorf("fallback down")
	// Three failures in a row leave the circuit closed, the fourth opens
	// it; bad requests and the caller's cancellations do not count.
	steps := []step{
		{name: "pass", run: constant(1, nil)},
		{name: "pass with fallback", run: constant(2, nil), fallback: answer(9)},
		{name: "fail", run: constant(3, errBoom)},
		{name: "fail, fallback", run: constant(4, errBoom), fallback: answer(10)},
		{name: "bad request", run: constant(5, hystrix.BadRequest(errInvalid)), fallback: answer(11)},
		{name: "panic, fallback", run: func(*hystrixtest.Clock) func(context.Context) (int, error) {
			return func(context.Context) (int, error) { panic("down") }
		}, fallback: answer(12)},
		{name: "canceled before", ctx: canceled, run: constant(6, nil), fallback: answer(13)},
		{name: "fail, fallback fails", run: constant(7, errBoom), fallback: func(context.Context, error) (int, error) { return 14, errFallback }},
		{name: "open, fallback", run: constant(8, nil), fallback: answer(15)},
		{name: "open", run: constant(8, nil)},
		{name: "open, fallback fails", run: constant(8, nil), fallback: func(context.Context, error) (int, error) { return 0, errFallback }},
		{name: "half-open probe passes", before: func(clk *hystrixtest.Clock) { clk.Add(5 * time.Second) }, run: func(clk *hystrixtest.Clock) func(context.Context) (int, error) {
			return func(context.Context) (int, error) { clk.Add(time.Millisecond); return 16, nil }
		}},
		{name: "closed again", run: constant(17, nil)},
	}
	if iso == hystrix.CallerIsolation {
		// The timeout comes exactly when the run moves the clock past it;
		// in goroutine isolation the timer may be armed only after the run
		// started, so a run cannot time itself out there.
		steps = append(steps, step{name: "timeout, fallback", run: func(clk *hystrixtest.Clock) func(context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				clk.Add(time.Second)
				<-ctx.Done()
				return 18, ctx.Err()
			}
		}, fallback: answer(19)})
	}
	return steps
}

func TestCommandExecutesExactlyAsDoC(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			config := hystrix.CommandConfig{
				Isolation:   iso,
				Timeout:     500,
				SleepWindow: 5000,
				Trip:        hystrix.TripConfig{ConsecutiveFailures: 3},
			}
			doc, typed := newSide(t, config, false), newSide(t, config, true)
			for _, st := range equivalenceSteps(iso) {
				assert.Equal(t, doc.do(st), typed.do(st), st.name)
				assert.Equal(t, doc.state(), typed.state(), "after %s", st.name)
			}
			assert.Equal(t, doc.results.all(), typed.results.all(), "collector results")
			assert.Equal(t, doc.changes.Changes(), typed.changes.Changes(), "state changes")
			assert.Equal(t, doc.limiter.all(), typed.limiter.all(), "limiter records")
			assert.Len(t, doc.changes.States(), 3, "the steps opened, half-opened and closed the circuit")
		})
	}
}
