package hystrix

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readEvent(t *testing.T, r *bufio.Reader) map[string]any {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		if !strings.HasPrefix(line, "data:") {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(line, "data:")), &m))
		return m
	}
}

// startStream starts a handler of r's circuits that publishes every
// interval, and a server for it, both stopped when the test ends.
func startStream(t *testing.T, r *Registry, interval time.Duration) (*StreamHandler, *httptest.Server) {
	t.Helper()
	sh := r.NewStreamHandler()
	sh.interval = interval
	sh.Start()
	srv := httptest.NewServer(sh)
	t.Cleanup(func() {
		srv.Close()
		sh.Stop()
	})
	return sh, srv
}

func TestStreamSendsCommandAndThreadPoolEventsWithEveryKey(t *testing.T) {
	t.Parallel()
	r := newSystemClockRegistry(t)
	name := uniqueName(t)
	require.NoError(t, r.TryConfigureCommand(name, CommandConfig{Timeout: 61234, MaxConcurrentRequests: 7}))
	release := make(chan struct{})
	started := make(chan struct{})
	go func() { _ = r.Do(name, func() error { close(started); <-release; return nil }, nil) }()
	<-started
	defer func() { close(release); waitActive(t, r, name, 0) }()
	require.ErrorIs(t, r.Do(name, fail, nil), errDown)

	_, srv := startStream(t, r, 10*time.Millisecond)
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	body := bufio.NewReader(resp.Body)

	var cmd, pool map[string]any
	for cmd == nil || pool == nil {
		ev := readEvent(t, body)
		if ev["name"] != name {
			continue
		}
		switch ev["type"] {
		case "HystrixCommand":
			cmd = ev
		case "HystrixThreadPool":
			pool = ev
		}
	}
	for _, key := range streamCommandKeys {
		assert.Contains(t, cmd, key)
	}
	for _, key := range streamPoolKeys {
		assert.Contains(t, pool, key)
	}
	assert.Equal(t, "closed", cmd["circuitState"])
	assert.Equal(t, 2.0, pool["rollingMaxActiveThreads"], "the hung run and the failing one overlapped")
	assert.Equal(t, 61234.0, cmd["propertyValue_executionIsolationThreadTimeoutInMilliseconds"])
	assert.Equal(t, 1.0, cmd["currentConcurrentExecutionCount"])
	assert.Equal(t, 1.0, cmd["rollingCountFailure"])
	assert.Equal(t, 1.0, cmd["errorCount"])
	assert.Equal(t, 1.0, pool["currentActiveCount"])
	assert.Equal(t, 7.0, pool["currentMaximumPoolSize"])
	lat := cmd["latencyTotal"].(map[string]any)
	for _, k := range []string{"0", "25", "50", "75", "90", "95", "99", "99.5", "100"} {
		assert.Contains(t, lat, k)
	}
}

func waitActive(t *testing.T, r *Registry, name string, n int) {
	c, _, _ := r.GetCircuit(name)
	require.Eventually(t, func() bool { return c.ActiveCount() == n }, 5*time.Second, time.Millisecond)
}

// The keys hystrix-go sends, which dashboards read.
var streamCommandKeys = []string{
	"type", "name", "group", "currentTime", "reportingHosts", "requestCount", "errorCount",
	"errorPercentage", "isCircuitBreakerOpen", "rollingCountCollapsedRequests",
	"rollingCountExceptionsThrown", "rollingCountFailure", "rollingCountFallbackFailure",
	"rollingCountFallbackRejection", "rollingCountFallbackSuccess", "rollingCountResponsesFromCache",
	"rollingCountSemaphoreRejected", "rollingCountShortCircuited", "rollingCountSuccess",
	"rollingCountThreadPoolRejected", "rollingCountTimeout", "currentConcurrentExecutionCount",
	"latencyExecute_mean", "latencyExecute", "latencyTotal_mean", "latencyTotal",
	"propertyValue_circuitBreakerRequestVolumeThreshold",
	"propertyValue_circuitBreakerSleepWindowInMilliseconds",
	"propertyValue_circuitBreakerErrorThresholdPercentage", "propertyValue_circuitBreakerForceOpen",
	"propertyValue_circuitBreakerForceClosed", "propertyValue_circuitBreakerEnabled",
	"propertyValue_executionIsolationStrategy",
	"propertyValue_executionIsolationThreadTimeoutInMilliseconds",
	"propertyValue_executionIsolationThreadInterruptOnTimeout",
	"propertyValue_executionIsolationThreadPoolKeyOverride",
	"propertyValue_executionIsolationSemaphoreMaxConcurrentRequests",
	"propertyValue_fallbackIsolationSemaphoreMaxConcurrentRequests",
	"propertyValue_metricsRollingStatisticalWindowInMilliseconds",
	"propertyValue_requestCacheEnabled", "propertyValue_requestLogEnabled",
	"rollingStatsWindowFilledInMilliseconds",
}

var streamPoolKeys = []string{
	"type", "name", "reportingHosts", "currentActiveCount", "currentCompletedTaskCount",
	"currentCorePoolSize", "currentLargestPoolSize", "currentMaximumPoolSize", "currentPoolSize",
	"currentQueueSize", "currentTaskCount", "rollingMaxActiveThreads", "rollingCountThreadsExecuted",
	"propertyValue_metricsRollingStatisticalWindowInMilliseconds",
	"propertyValue_queueSizeRejectionThreshold",
}

func TestStreamForgetsAClientThatLeaves(t *testing.T) {
	t.Parallel()
	sh, srv := startStream(t, newSystemClockRegistry(t), 10*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	clients := func() int { sh.mu.Lock(); defer sh.mu.Unlock(); return len(sh.clients) }
	assert.Equal(t, 1, clients())
	cancel()
	resp.Body.Close()
	assert.Eventually(t, func() bool { return clients() == 0 }, 5*time.Second, time.Millisecond)
}

func TestStreamRefusesClientsBeforeStart(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	newSystemClockRegistry(t).NewStreamHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
}

func TestStreamStopEndsOpenResponses(t *testing.T) {
	t.Parallel()
	sh, srv := startStream(t, newSystemClockRegistry(t), time.Hour)
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	sh.Stop()
	done := make(chan struct{})
	go func() {
		_, _ = bufio.NewReader(resp.Body).ReadString(0)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the response stayed open after Stop")
	}
}

func TestStreamCapsClients(t *testing.T) {
	t.Parallel()
	sh := newSystemClockRegistry(t).NewStreamHandler()
	sh.MaxClients = 1
	sh.Start()
	srv := httptest.NewServer(sh)
	defer func() { srv.Close(); sh.Stop() }()
	first, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer first.Body.Close()
	assert.Equal(t, http.StatusOK, first.StatusCode)
	second, err := http.Get(srv.URL)
	require.NoError(t, err)
	second.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, second.StatusCode)
}

func TestStreamHonoursDelay(t *testing.T) {
	t.Parallel()
	r := newSystemClockRegistry(t)
	_, srv := startStream(t, r, 5*time.Millisecond)
	_ = r.Do(uniqueName(t), succeed, nil)
	bad, err := http.Get(srv.URL + "?delay=soon")
	require.NoError(t, err)
	bad.Body.Close()
	assert.Equal(t, http.StatusBadRequest, bad.StatusCode)

	resp, err := http.Get(srv.URL + "?delay=200")
	require.NoError(t, err)
	defer resp.Body.Close()
	body := bufio.NewReader(resp.Body)
	commandTime := func() float64 {
		for {
			if ev := readEvent(t, body); ev["type"] == "HystrixCommand" {
				return ev["currentTime"].(float64)
			}
		}
	}
	first := commandTime()
	second := first
	for second == first {
		second = commandTime()
	}
	assert.GreaterOrEqual(t, second-first, 150.0, "rounds come no closer than the delay asked for")
}

func TestStreamReportsRejectionsUnderTheIsolationInUse(t *testing.T) {
	t.Parallel()
	r, _ := newTestRegistry(t)
	for _, tc := range []struct {
		iso                   Isolation
		strategy              string
		thread, semaphoreRejs uint32
	}{
		{GoroutineIsolation, "THREAD", 1, 0},
		{CallerIsolation, "SEMAPHORE", 0, 1},
	} {
		name := uniqueName(t)
		require.NoError(t, r.TryConfigureCommand(name, CommandConfig{Isolation: tc.iso}))
		c, _, _ := r.GetCircuit(name)
		require.NoError(t, c.ReportEvent([]string{"rejected"}, unixTime(r.clock.now()), 0))
		cmd, _ := streamEvents(c, r.clock.now())
		assert.Equal(t, tc.strategy, cmd.ExecutionIsolationStrategy)
		assert.Equal(t, tc.thread, cmd.RollingCountThreadPoolRejected)
		assert.Equal(t, tc.semaphoreRejs, cmd.RollingCountSemaphoreRejected)
	}
}
