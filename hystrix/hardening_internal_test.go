package hystrix

// Hardening tests that need the engine's insides: the fake clock, the
// stream's interval. The rest are in hardening_test.go.

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

type explodingCollector struct{}

func (explodingCollector) Update(metricCollector.MetricResult) { panic("update exploded") }
func (explodingCollector) Reset()                              { panic("reset exploded") }

func TestPanickingCollectorDoesNotKeepAProbeFromClosingTheCircuit(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t, WithMetricCollectors(func(string) metricCollector.MetricCollector {
		return explodingCollector{}
	}))
	name := uniqueName(t)
	c := tripCircuit(t, r, name, 1000)
	clk.Add(1001 * time.Millisecond)
	require.NoError(t, r.Do(name, succeed, nil))
	assert.Equal(t, StateClosed, c.State())
	assert.Zero(t, c.Metrics().NumRequests().Sum(unixTime(r.clock.now())), "the window was cleared on closing")
}

func TestProbeSlotIsHeldUntilTheRunReturnsWhenItsCallerGivesUp(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	tripCircuit(t, r, name, 1000)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: 1000, Timeout: -1, MaxConcurrentRequests: -1,
	}))
	c, _, _ := r.GetCircuit(name)
	clk.Add(1001 * time.Millisecond)

	release := make(chan struct{})
	var running, peak atomic.Int32
	hang := func(ctx context.Context) error {
		n := running.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		<-release // a dependency that ignores its context
		running.Add(-1)
		return nil
	}
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.DoC(ctx, name, hang, nil) }()
		var err error
		if i == 0 {
			require.Eventually(t, func() bool { return running.Load() == 1 }, 5*time.Second, time.Millisecond)
		} else {
			// A refusal comes at once; a second probe would hang until
			// its caller gives up.
			select {
			case err = <-done:
			case <-time.After(100 * time.Millisecond):
			}
		}
		cancel()
		if err == nil {
			err = <-done
		}
		if i == 0 {
			assert.ErrorIs(t, err, context.Canceled)
		} else {
			assert.ErrorIs(t, err, ErrCircuitOpen, "call %d: the probe still runs", i)
		}
	}
	assert.Equal(t, int32(1), peak.Load(), "one probe at a time")
	assert.Equal(t, StateHalfOpen, c.State())

	close(release)
	require.Eventually(t, func() bool { return c.ActiveCount() == 0 }, 5*time.Second, time.Millisecond)
	// The abandoned probe's run succeeded: the dependency answers again.
	assert.Equal(t, StateClosed, c.State())
}

func TestAbandonedProbeThatFailsLetsTheNextCallProbe(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	tripCircuit(t, r, name, 1000)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: 1000, Timeout: -1,
	}))
	c, _, _ := r.GetCircuit(name)
	clk.Add(1001 * time.Millisecond)
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	go cancelWhenClosed(started, cancel)
	err := r.DoC(ctx, name, func(ctx context.Context) error { close(started); <-release; return errDown }, nil)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, r.Do(name, succeed, nil), ErrCircuitOpen)
	close(release)
	require.Eventually(t, func() bool { return c.ActiveCount() == 0 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, StateHalfOpen, c.State(), "the probe's slot is free again")
	require.NoError(t, r.Do(name, succeed, nil), "the next call probes without another window")
	assert.Equal(t, StateClosed, c.State())
}

func cancelWhenClosed(ch chan struct{}, cancel context.CancelFunc) { <-ch; cancel() }

func TestProbeRefusedByTheConcurrencyLimitLetsTheNextCallProbe(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: 1000, Timeout: -1, MaxConcurrentRequests: 1,
	}))
	c, _, _ := r.GetCircuit(name)
	release := make(chan struct{})
	held := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- r.Do(name, func() error { close(held); <-release; return nil }, nil) }()
	<-held
	for i := 0; i < 10; i++ {
		require.ErrorIs(t, r.Do(name, succeed, nil), ErrMaxConcurrency)
	}
	require.Equal(t, StateOpen, c.State(), "rejections opened it")
	clk.Add(1001 * time.Millisecond)
	require.ErrorIs(t, r.Do(name, succeed, nil), ErrMaxConcurrency, "the probe finds no ticket")
	require.ErrorIs(t, r.Do(name, succeed, nil), ErrMaxConcurrency, "so the next call may probe")
	close(release)
	require.NoError(t, <-done)
	require.NoError(t, r.Do(name, succeed, nil), "a probe with a ticket closes it, with no second window")
	assert.Equal(t, StateClosed, c.State())
}

func TestSleepWindowOfAnOpeningIsTheOneInForceWhenItOpens(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	name := uniqueName(t)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: 60000, Timeout: -1, Isolation: CallerIsolation,
	}))
	c, _, _ := r.GetCircuit(name)
	for i := 0; i < 9; i++ {
		require.ErrorIs(t, r.Do(name, fail, nil), errDown)
	}
	inRun := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- r.Do(name, func() error { close(inRun); <-release; return errDown }, nil) }()
	<-inRun
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
		RequestVolumeThreshold: 10, SleepWindow: 100, Timeout: -1, Isolation: CallerIsolation,
	}))
	close(release)
	require.ErrorIs(t, <-done, errDown)
	require.Equal(t, StateOpen, c.State())
	clk.Add(101 * time.Millisecond)
	require.NoError(t, r.Do(name, succeed, nil), "the 100 ms window in force when it opened has passed")
	assert.Equal(t, StateClosed, c.State())
}

func TestConfigureCommandRejudgesALiveCircuit(t *testing.T) {
	t.Parallel()
	t.Run("closed circuit that the new thresholds find unhealthy opens", func(t *testing.T) {
		t.Parallel()
		r, _ := newTestRegistry(t)
		name := uniqueName(t)
		config := CommandConfig{RequestVolumeThreshold: 10, ErrorPercentThreshold: 60, Isolation: CallerIsolation}
		require.NoError(t, r.TryConfigureCommand(name, config))
		for i := 0; i < 10; i++ {
			_ = r.Do(name, []func() error{fail, succeed}[i%2], nil)
		}
		c, _, _ := r.GetCircuit(name)
		require.Equal(t, StateClosed, c.State(), "50% is below 60%")
		config.ErrorPercentThreshold = 50
		require.NoError(t, r.TryConfigureCommand(name, config))
		assert.Equal(t, StateOpen, c.State())
	})
	t.Run("circuit the health check opened, that the new thresholds would not open, closes", func(t *testing.T) {
		t.Parallel()
		r, _ := newTestRegistry(t)
		name := uniqueName(t)
		c := tripCircuit(t, r, name, 5000)
		require.ErrorIs(t, r.Do(name, succeed, nil), ErrCircuitOpen)
		require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
			RequestVolumeThreshold: 20, SleepWindow: 5000, Isolation: CallerIsolation, Timeout: -1,
		}))
		assert.Equal(t, StateClosed, c.State(), "ten executions are under the new volume threshold")
		require.NoError(t, r.Do(name, succeed, nil))
	})
	t.Run("a circuit closed by new thresholds keeps its window for later ones", func(t *testing.T) {
		// The sequence of an HTTP client library's test suite that shares
		// one command between tests and reconfigures it in each.
		t.Parallel()
		r, _ := newTestRegistry(t)
		name := uniqueName(t)
		cfg := func(volume int) {
			require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
				RequestVolumeThreshold: volume, ErrorPercentThreshold: 10, SleepWindow: 100, Isolation: CallerIsolation,
			}))
		}
		cfg(10)
		for i := 0; i < 6; i++ {
			require.NoError(t, r.Do(name, succeed, nil))
		}
		for i := 0; i < 4; i++ {
			require.ErrorIs(t, r.Do(name, fail, nil), errDown)
		}
		c, _, _ := r.GetCircuit(name)
		require.Equal(t, StateOpen, c.State())
		cfg(20)
		require.Equal(t, StateClosed, c.State())
		for i := 0; i < 4; i++ {
			require.ErrorIs(t, r.Do(name, fail, nil), errDown, "14 executions are under 20")
		}
		cfg(10)
		assert.ErrorIs(t, r.Do(name, succeed, nil), ErrCircuitOpen, "14 executions, 8 errors, judged by the settings in force")
	})
	t.Run("calls refused while open do not count once it is closed", func(t *testing.T) {
		t.Parallel()
		r, _ := newTestRegistry(t)
		name := uniqueName(t)
		c := tripCircuit(t, r, name, 5000)
		for i := 0; i < 100; i++ {
			require.ErrorIs(t, r.Do(name, succeed, nil), ErrCircuitOpen)
		}
		require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
			RequestVolumeThreshold: 20, SleepWindow: 5000, Isolation: CallerIsolation, Timeout: -1,
		}))
		require.Equal(t, StateClosed, c.State())
		require.ErrorIs(t, r.Do(name, fail, nil), errDown)
		assert.Equal(t, StateClosed, c.State(), "11 executions, not 111")
	})
	t.Run("the same thresholds keep it open", func(t *testing.T) {
		t.Parallel()
		r, _ := newTestRegistry(t)
		name := uniqueName(t)
		c := tripCircuit(t, r, name, 5000)
		require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
			RequestVolumeThreshold: 10, SleepWindow: 5000, Isolation: CallerIsolation, Timeout: -1,
		}))
		assert.Equal(t, StateOpen, c.State())
	})
	t.Run("circuit a failed probe opened stays open", func(t *testing.T) {
		t.Parallel()
		r, clk := newTestRegistry(t)
		name := uniqueName(t)
		c := tripCircuit(t, r, name, 1000)
		clk.Add(1001 * time.Millisecond)
		require.ErrorIs(t, r.Do(name, fail, nil), errDown)
		require.Equal(t, StateOpen, c.State())
		require.NoError(t, r.TryConfigureCommand(name, CommandConfig{
			RequestVolumeThreshold: 20, SleepWindow: 1000, Isolation: CallerIsolation, Timeout: -1,
		}))
		assert.Equal(t, StateOpen, c.State(), "the probe saw the dependency down")
	})
}

// Not parallel: a zero StreamHandler publishes the default registry, which
// the serial tests share.
func TestZeroValueStreamHandlerWorks(t *testing.T) {
	name := uniqueName(t)
	require.NoError(t, Do(name, succeed, nil))
	var holder struct{ StreamHandler } // as hystrix-go users embed it
	sh := &holder.StreamHandler
	sh.Start()
	defer sh.Stop()
	srv := httptest.NewServer(sh)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	ev := readEvent(t, bufio.NewReader(resp.Body))
	assert.NotEmpty(t, ev["name"])
}

func TestIdleStreamPingsEveryRound(t *testing.T) {
	t.Parallel()
	_, srv := startStream(t, newSystemClockRegistry(t), 20*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	for i := 0; i < 3; i++ {
		line, err := r.ReadString('\n')
		require.NoError(t, err, "bytes within a second of connecting to an idle process")
		assert.Equal(t, ":ping\n", line)
		blank, err := r.ReadString('\n')
		require.NoError(t, err)
		assert.Equal(t, "\n", blank)
	}
}

// watchedWriter notes when a write to the client has been blocked.
type watchedWriter struct {
	http.ResponseWriter
	writing atomic.Int64 // Unix ns when the pending write began, 0 if none
}

func (w *watchedWriter) Write(p []byte) (int, error) {
	w.writing.Store(time.Now().UnixNano())
	defer w.writing.Store(0)
	return w.ResponseWriter.Write(p)
}

func (w *watchedWriter) Flush() {
	w.writing.Store(time.Now().UnixNano())
	defer w.writing.Store(0)
	w.ResponseWriter.(http.Flusher).Flush()
}

func (w *watchedWriter) FlushError() error {
	w.writing.Store(time.Now().UnixNano())
	defer w.writing.Store(0)
	return http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *watchedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func TestStopEndsTheResponseOfAClientThatStoppedReading(t *testing.T) {
	t.Parallel()
	r := newSystemClockRegistry(t)
	// One circuit with a long name makes every round large, so that a
	// client that reads nothing fills the socket buffers in a few rounds.
	name := strings.Repeat("n", 1<<20) + uniqueName(t)
	require.NoError(t, r.Do(name, succeed, nil))

	sh := r.NewStreamHandler()
	sh.interval = 5 * time.Millisecond
	sh.MaxClients = 1
	var w atomic.Pointer[watchedWriter]
	returned := make(chan struct{}, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		ww := &watchedWriter{ResponseWriter: rw}
		w.Store(ww)
		sh.ServeHTTP(ww, req)
		returned <- struct{}{}
	}))
	defer srv.Close()
	sh.Start()
	defer sh.Stop()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	require.NoError(t, err)
	// Never read: wait until a write to it is stuck.
	require.Eventually(t, func() bool {
		ww := w.Load()
		if ww == nil {
			return false
		}
		at := ww.writing.Load()
		return at != 0 && time.Since(time.Unix(0, at)) > 200*time.Millisecond
	}, 20*time.Second, 5*time.Millisecond)

	sh.Stop()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop left the response blocked in Write")
	}
	sh.Start()
	resp, err := http.Get(srv.URL + "?delay=0")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the slot was freed")
}
