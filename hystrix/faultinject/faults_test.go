package faultinject

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// faultParams size one fault scenario.
type faultParams struct {
	timeout     time.Duration // the command's Timeout
	sleepWindow time.Duration // its SleepWindow
	maxConc     int           // its MaxConcurrentRequests
	volume      int           // its RequestVolumeThreshold
	errPct      int           // its ErrorPercentThreshold

	warm, steady int           // sequential healthy calls before the fault and after the recovery
	openLoad     time.Duration // how long concurrent callers call the open circuit
	burst        time.Duration // how long concurrent callers call the command that never opens
	callers      int           // concurrent callers in those two phases
	pace         time.Duration // each caller's pause after a call
	cycles       int           // fault cycles per scenario
	flapPeriod   time.Duration // the Flapping downstream's failing period
	// recoverySlack is what timers and the scheduler may add to one sleep
	// window plus one probe.
	recoverySlack time.Duration
}

func faultParamsFor() faultParams {
	p := faultParams{
		timeout: 20 * time.Millisecond, sleepWindow: 40 * time.Millisecond,
		maxConc: 4, volume: 10, errPct: 25,
		warm: 10, steady: 10,
		openLoad: 70 * time.Millisecond, burst: 70 * time.Millisecond,
		callers: 16, pace: time.Millisecond, cycles: 1,
		flapPeriod:    250 * time.Millisecond,
		recoverySlack: 30 * time.Millisecond,
	}
	if *long {
		p.warm, p.steady = 100, 100
		p.openLoad, p.burst = time.Second, time.Second
		p.callers = 32
		p.cycles = 3
		p.flapPeriod = 2 * time.Second
	}
	return p
}

// Goroutines one execution in flight may account for: the run's goroutine
// (goroutine isolation), the HTTP client connection's read and write loops,
// the server connection's goroutine and its background read, a dial.
const goroutinesPerExecution = 6

// goroutineSlack is the constant in "MaxConcurrentRequests plus a
// constant": timers firing, connections being torn down, the sampler.
const goroutineSlack = 40

func TestFaultFlapping(t *testing.T) { bothIsolations(t, Flapping) }
func TestFaultSlow(t *testing.T)     { bothIsolations(t, Slow) }
func TestFaultHung(t *testing.T)     { bothIsolations(t, Hung) }
func TestFaultRefused(t *testing.T)  { bothIsolations(t, Refused) }
func TestFaultReset(t *testing.T)    { bothIsolations(t, Reset) }

func bothIsolations(t *testing.T, mode Mode) {
	for _, iso := range []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation} {
		t.Run(iso.String(), func(t *testing.T) { runFault(t, mode, iso, faultParamsFor()) })
	}
}

// scenario is one fault mode against one isolation: a main command that
// trips, is called while open and recovers, and a burst command that never
// opens, for the concurrency bounds.
type scenario struct {
	t     *testing.T
	p     faultParams
	mode  Mode
	ds    *Downstream
	main  *command
	burst *command

	// win is the test's own count of what the main circuit's rolling
	// window holds, valid while winKnown: everything since the circuit
	// was made or last closed, when every call since was sequential.
	win      counts
	winKnown bool
	seq      int
}

func ms(d time.Duration) int { return int(d / time.Millisecond) }

func runFault(t *testing.T, mode Mode, iso hystrix.Isolation, p faultParams) {
	ds := newDownstream(t, Options{FlapPeriod: p.flapPeriod, SlowMedian: 5 * p.timeout})
	t.Cleanup(func() { flush(t) })
	cfg := hystrix.CommandConfig{
		Timeout: ms(p.timeout), MaxConcurrentRequests: p.maxConc, RequestVolumeThreshold: p.volume,
		SleepWindow: ms(p.sleepWindow), ErrorPercentThreshold: p.errPct, Isolation: iso,
	}
	burstCfg := cfg
	burstCfg.RequestVolumeThreshold = 1 << 30 // never opens
	s := &scenario{
		t: t, p: p, mode: mode, ds: ds, winKnown: true,
		main:  newCommand(t, uniqueName(t, "main"), cfg, ds),
		burst: newCommand(t, uniqueName(t, "burst"), burstCfg, ds),
	}
	start := time.Now()
	var heap1 uint64
	for cycle := 0; cycle < p.cycles; cycle++ {
		s.warm()
		s.trip()
		if cycle == 0 {
			heap1 = heapAfterGC()
		}
		s.openLoad()
		s.heal()
		s.steady()
		s.burstPhase()
		if t.Failed() {
			break
		}
	}
	heap2 := heapAfterGC()
	if limit := 2*heap1 + 8<<20; heap2 > limit {
		t.Errorf("heap grew from %d B after the first trip to %d B after %d cycles (limit %d B)", heap1, heap2, p.cycles, limit)
	}
	t.Logf("%s/%s: %d main calls, %d burst calls, %d downstream requests, heap %d -> %d B, %v",
		mode, iso, s.main.led.calls.Load(), s.burst.led.calls.Load(), ds.Requests(), heap1, heap2, time.Since(start).Round(time.Millisecond))
}

// sequentialAPIs are used in turn by the sequential phases.
var sequentialAPIs = []api{apiDoC, apiDoCFallback, apiDo, apiDoFallback}

// seqCall makes one sequential call to the main command and keeps the
// test's count of its window.
func (s *scenario) seqCall() outcome {
	before := s.main.circuit.State()
	o, _ := s.main.call(sequentialAPIs[s.seq%len(sequentialAPIs)])
	s.seq++
	s.win.addOutcome(o)
	if before != hystrix.StateClosed && s.main.circuit.State() == hystrix.StateClosed {
		// This call was the probe that closed the circuit, which clears
		// its metrics, the probe's own result included.
		s.win, s.winKnown = counts{}, true
	}
	return o
}

func (s *scenario) window() *counts {
	if !s.winKnown {
		return nil
	}
	w := s.win
	return &w
}

func (s *scenario) warm() {
	s.ds.SetMode(Healthy)
	for i := 0; i < s.p.warm; i++ {
		s.seqCall()
	}
	if st := s.main.circuit.State(); st != hystrix.StateClosed {
		s.t.Errorf("%s: circuit %v after %d healthy calls", s.main.name, st, s.p.warm)
	}
	s.main.quiesce("warm")
	s.main.checkAccounting("warm", s.window())
}

// thresholdCrossed reports whether a window of w opens the circuit by the
// letter of the settings; nearly allows for the error percentage being
// rounded to the nearest whole percent.
func (s *scenario) thresholdCrossed(w counts, nearly bool) bool {
	if w.Attempts < float64(s.p.volume) {
		return false
	}
	pct := float64(s.p.errPct)
	if nearly {
		pct -= 0.5
	}
	return w.Errors*100 >= pct*w.Attempts
}

// trip turns the fault on and calls until the circuit opens, checking that
// it opens no later than the call after the one that crossed the threshold
// and not before the threshold is (nearly) crossed.
func (s *scenario) trip() {
	s.ds.SetMode(s.mode)
	known := s.winKnown
	crossedAt, nearlyAt, openedAt := -1, -1, -1
	for i := 0; ; i++ {
		s.seqCall()
		if known && crossedAt < 0 && s.thresholdCrossed(s.win, false) {
			crossedAt = i
		}
		if known && nearlyAt < 0 && s.thresholdCrossed(s.win, true) {
			nearlyAt = i
		}
		if s.main.circuit.State() != hystrix.StateClosed {
			openedAt = i
			break
		}
		if i >= 2000 || (s.mode == Flapping && time.Now().After(s.ds.HealsAt())) {
			s.t.Fatalf("%s: circuit still closed after %d calls in %s mode; window %v", s.main.name, i+1, s.mode, s.win)
		}
	}
	s.t.Logf("trip: threshold crossed at call %d (nearly at %d), circuit opened at call %d", crossedAt, nearlyAt, openedAt)
	if known {
		switch {
		case nearlyAt < 0 || openedAt < nearlyAt:
			s.t.Errorf("%s: circuit opened at call %d, before the threshold was crossed (window %v)", s.main.name, openedAt, s.win)
		case crossedAt >= 0 && openedAt > crossedAt+1:
			s.t.Errorf("%s: threshold crossed at call %d but the circuit opened only at call %d", s.main.name, crossedAt, openedAt)
		}
	}
	s.main.quiesce("trip")
	s.main.checkAccounting("trip", s.window())
}

// alwaysFails reports whether every request of the mode fails, so that no
// probe can close the circuit while it holds.
func (s *scenario) alwaysFails() bool {
	return s.mode == Hung || s.mode == Refused || s.mode == Reset
}

// openLoad calls the open circuit from many goroutines: while the fault
// holds, only probes may run, at most one per sleep window.
func (s *scenario) openLoad() {
	before := s.main.led.counts()
	base := runtime.NumGoroutine()
	smp := startSampler(s.main.circuit)
	start := time.Now()
	s.main.load(s.p.callers, s.p.openLoad, s.p.pace, plainAPIs)
	elapsed := time.Since(start)
	smp.Stop()
	s.main.quiesce("open load")
	s.winKnown = false // concurrent calls: the test cannot tell what a probe's close cleared
	s.main.checkAccounting("open load", nil)

	after := s.main.led.counts()
	ran := 0.0
	for _, o := range []outcome{success, failure, timedOut} {
		ran += after.Outcomes[o] - before.Outcomes[o]
	}
	s.t.Logf("open load: %v executions ran in %v", ran, elapsed.Round(time.Millisecond))
	if s.alwaysFails() {
		if limit := float64(int(elapsed/s.p.sleepWindow) + 2); ran > limit {
			s.t.Errorf("%s: %v executions ran in %v while the circuit was open and every probe failed; at most one probe per sleep window (%v) allows %v",
				s.main.name, ran, elapsed, s.p.sleepWindow, limit)
		}
		if st := s.main.circuit.State(); st == hystrix.StateClosed {
			s.t.Errorf("%s: circuit closed while every request failed", s.main.name)
		}
	}
	s.checkBounds("open load", smp, base)
}

// checkBounds asserts the concurrency limit and the goroutine bound over a
// sampled phase.
func (s *scenario) checkBounds(phase string, smp *sampler, base int) {
	if got := smp.maxActive.Load(); got > int64(s.p.maxConc) {
		s.t.Errorf("%s: ActiveCount reached %d with MaxConcurrentRequests %d", phase, got, s.p.maxConc)
	}
	limit := base + 2*s.p.callers + goroutinesPerExecution*s.p.maxConc + goroutineSlack
	s.t.Logf("%s: peak ActiveCount %d, goroutines %d before, peak %d, limit %d", phase, smp.maxActive.Load(), base, smp.maxG.Load(), limit)
	if got := smp.maxG.Load(); got > int64(limit) {
		s.t.Errorf("%s in %s mode: %d goroutines, more than %d before the phase + 2×%d callers + %d×%d executions + %d",
			phase, s.mode, got, base, s.p.callers, goroutinesPerExecution, s.p.maxConc, goroutineSlack)
	}
}

// heal makes sure the circuit is open, heals the downstream and calls until
// the circuit closes: within one sleep window and one probe of the heal.
func (s *scenario) heal() {
	if s.mode != Flapping && s.main.circuit.State() == hystrix.StateClosed {
		// A fast answer of the slow mode closed it: trip it again.
		for i := 0; s.main.circuit.State() == hystrix.StateClosed; i++ {
			if i >= 2000 {
				s.t.Fatalf("%s: circuit does not open again in %s mode", s.main.name, s.mode)
			}
			s.seqCall()
		}
	}
	s.main.quiesce("before heal")

	var healAt time.Time
	if s.mode == Flapping {
		healAt = s.ds.HealsAt()
	} else {
		s.ds.SetMode(Healthy)
		healAt = time.Now()
	}
	phaseStart := time.Now()
	closedAt, admitted := s.awaitClose(healAt)
	s.checkRecovery("heal", healAt, phaseStart, closedAt, admitted)
	s.main.quiesce("heal")
	s.main.checkAccounting("heal", s.window())
}

// awaitClose calls the main command one call at a time until, after
// healAt, its circuit is closed, and returns when that was and how many
// executions that started after healAt the open circuit let through.
func (s *scenario) awaitClose(healAt time.Time) (closedAt time.Time, admitted int) {
	giveUp := healAt.Add(20*(s.p.sleepWindow+s.p.timeout) + time.Second)
	for {
		callStart := time.Now()
		before := s.main.circuit.State()
		o := s.seqCall()
		if callStart.After(healAt) && before != hystrix.StateClosed && o != shortCircuit {
			admitted++
		}
		if now := time.Now(); now.After(healAt) && s.main.circuit.State() == hystrix.StateClosed {
			return now, admitted
		}
		if time.Now().After(giveUp) {
			s.t.Fatalf("%s: circuit %v %v after the downstream healed", s.main.name, s.main.circuit.State(), time.Since(healAt))
		}
		time.Sleep(s.p.pace / 2)
	}
}

// checkRecovery asserts that a circuit that last opened before healAt, with
// the downstream healthy from healAt on, closed within one sleep window and
// one probe, through a single probe.
func (s *scenario) checkRecovery(phase string, healAt, phaseStart, closedAt time.Time, admitted int) {
	// The circuit last opened before the heal, so its probe is due within a
	// sleep window of it (or at once, if the test only called later), and
	// the probe takes at most a timeout.
	due := healAt.Add(s.p.sleepWindow)
	if phaseStart.After(due) {
		due = phaseStart
	}
	if limit := due.Add(s.p.timeout + s.p.recoverySlack); closedAt.After(limit) {
		s.t.Errorf("%s %s: closed %v after the downstream healed; one sleep window (%v) plus one probe (timeout %v) plus %v slack allows %v",
			s.main.name, phase, closedAt.Sub(healAt), s.p.sleepWindow, s.p.timeout, s.p.recoverySlack, limit.Sub(healAt))
	}
	s.t.Logf("%s: closed %v after the downstream healed, %v after the phase began", phase,
		closedAt.Sub(healAt).Round(time.Microsecond), closedAt.Sub(phaseStart).Round(time.Microsecond))
	if admitted > 1 {
		s.t.Errorf("%s %s: %d executions were let through the open circuit after the heal; one probe should have closed it", s.main.name, phase, admitted)
	}
}

// steady makes healthy calls. The circuit may open again only on errors
// still in its window from before the heal (a flapping downstream can leave
// them there when a probe closed the circuit before it healed), and must
// then recover like after any heal.
func (s *scenario) steady() {
	for i := 0; i < s.p.steady; i++ {
		s.seqCall()
		if s.main.circuit.State() == hystrix.StateClosed {
			continue
		}
		openedAt := time.Now()
		switch {
		case s.winKnown && s.thresholdCrossed(s.win, true):
			s.t.Logf("steady: the circuit opened again on errors still in its window (%v)", s.win)
		case !s.winKnown && s.mode == Flapping:
			s.t.Logf("steady: the circuit opened again, on flapping errors still in its window, presumably")
		default:
			s.t.Errorf("%s: circuit %v during healthy calls after the recovery; window %v (known: %v)", s.main.name, s.main.circuit.State(), s.win, s.winKnown)
			return
		}
		closedAt, admitted := s.awaitClose(openedAt)
		s.checkRecovery("steady", openedAt, openedAt, closedAt, admitted)
	}
	s.main.quiesce("steady")
	s.main.checkAccounting("steady", s.window())
}

// allAPIs are the burst's calls, callers that give up early included.
var allAPIs = []api{apiDoC, apiDoCFallback, apiDo, apiDoFallback, apiGoC, apiDoCCancel, apiDoCDeadline}

// burstPhase drives the command that never opens from many goroutines with
// the fault on: the concurrency limit holds, goroutines stay bounded by it,
// and every call is accounted.
func (s *scenario) burstPhase() {
	b := s.burst
	b.quiesce("before burst")
	base := runtime.NumGoroutine()
	s.ds.SetMode(s.mode)
	smp := startSampler(b.circuit)
	b.load(s.p.callers, s.p.burst, s.p.pace, allAPIs)
	smp.Stop()
	s.ds.SetMode(Healthy)
	b.quiesce("burst")
	b.checkAccounting("burst", nil)
	s.checkBounds("burst", smp, base)
	if st := b.circuit.State(); st != hystrix.StateClosed {
		s.t.Errorf("%s: circuit %v with a volume threshold never reached", b.name, st)
	}
}

// TestHungRunsEndWhenTheServerCloses runs a command without a timeout whose
// runs ignore their context against a hung downstream: they hold every
// ticket until the downstream is closed, further calls are rejected, and
// closing the downstream ends them all, each accounted as a failure.
func TestHungRunsEndWhenTheServerCloses(t *testing.T) {
	for _, iso := range []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation} {
		t.Run(iso.String(), func(t *testing.T) {
			ds, err := NewDownstream(Options{})
			if err != nil {
				t.Fatal(err)
			}
			closed := false
			t.Cleanup(func() {
				if !closed {
					ds.Close()
				}
			})
			t.Cleanup(func() { flush(t) })
			const maxConc = 4
			cmd := newCommand(t, uniqueName(t, "hung"), hystrix.CommandConfig{
				Timeout: -1, MaxConcurrentRequests: maxConc, RequestVolumeThreshold: 1 << 30, Isolation: iso,
			}, ds)
			cmd.doCl.Timeout = 0 // the runs wait for the server
			ds.SetMode(Hung)

			base := runtime.NumGoroutine()
			var wg sync.WaitGroup
			results := make(chan outcome, maxConc)
			for i := 0; i < maxConc; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					o, _ := cmd.call(apiDo)
					results <- o
				}()
			}
			deadline := time.Now().Add(5 * time.Second)
			for cmd.circuit.ActiveCount() < maxConc || ds.InFlight() < maxConc {
				if time.Now().After(deadline) {
					t.Fatalf("ActiveCount %d, downstream in flight %d: the runs did not all start", cmd.circuit.ActiveCount(), ds.InFlight())
				}
				time.Sleep(time.Millisecond)
			}
			if o, _ := cmd.call(apiDoC); o != rejected {
				t.Errorf("a call beyond MaxConcurrentRequests came to %s, want %s", o, rejected)
			}
			if g, limit := runtime.NumGoroutine(), base+maxConc+goroutinesPerExecution*maxConc+goroutineSlack; g > limit {
				t.Errorf("%d goroutines with %d hung runs, limit %d", g, maxConc, limit)
			}
			time.Sleep(20 * time.Millisecond)
			if n := cmd.circuit.ActiveCount(); n != maxConc {
				t.Errorf("ActiveCount %d while %d runs hang, want %d", n, maxConc, maxConc)
			}

			closed = true
			if err := ds.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("hung runs still running 5 s after the downstream closed (ActiveCount %d)", cmd.circuit.ActiveCount())
			}
			close(results)
			for o := range results {
				if o != failure {
					t.Errorf("a run ended by the server closing came to %s, want %s", o, failure)
				}
			}
			cmd.quiesce("after close")
			cmd.checkAccounting("after close", nil)
		})
	}
}
