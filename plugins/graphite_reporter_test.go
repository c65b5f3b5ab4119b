package plugins

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// The reporter tests share the package's one reporter, so none of them runs
// in parallel, and each stops the reporter it started.

func TestGraphiteStopSendsOverTCP(t *testing.T) {
	sink := newTCPSink(t)
	InitializeGraphiteCollector(&GraphiteCollectorConfig{
		GraphiteAddr: sink.tcpAddr(),
		Prefix:       "gp",
		TickInterval: time.Hour, // only Stop sends
	})
	t.Cleanup(func() { _ = StopGraphiteCollector() })

	name := unique("graphite/stop.cmd")
	base := "gp." + metricSafeName(name) + "."
	c := NewGraphiteCollector(name)
	c.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, TotalDuration: 3 * time.Millisecond, RunDuration: 2 * time.Millisecond})
	c.Update(metricCollector.MetricResult{Attempts: 1, Errors: 1, ShortCircuits: 1, FallbackSuccesses: 1, TotalDuration: time.Millisecond})

	require.NoError(t, StopGraphiteCollector(), "Stop sends once more and reports how that went")
	got := graphiteValues(t, sink.next(t))
	for path, want := range map[string]string{
		base + "attempts.count":          "2",
		base + "successes.count":         "1",
		base + "errors.count":            "1",
		base + "shortCircuits.count":     "1",
		base + "fallbackSuccesses.count": "1",
		base + "failures.count":          "0",
		base + "rejects.count":           "0",
		base + "timeouts.count":          "0",
		base + "fallbackFailures.count":  "0",
		base + "totalDuration.count":     "2",
		base + "totalDuration.min":       "1000000",
		base + "totalDuration.max":       "3000000",
		base + "runDuration.count":       "1",
		base + "runDuration.max":         "2000000",
		base + "runDuration.mean":        "2000000.00",
	} {
		assert.Equal(t, want, got[path], path)
	}
	for _, field := range []string{"std-dev", "50-percentile", "75-percentile", "95-percentile",
		"99-percentile", "999-percentile", "one-minute", "five-minute", "fifteen-minute", "mean-rate"} {
		assert.Contains(t, got, base+"runDuration."+field)
	}

	assert.NoError(t, StopGraphiteCollector(), "stopping twice does nothing")
}

func TestGraphiteReportsEveryTick(t *testing.T) {
	sink := newTCPSink(t)
	name := unique("graphite-tick")
	c := NewGraphiteCollector(name)
	c.Update(metricCollector.MetricResult{Attempts: 1, Rejects: 1, Errors: 1})
	InitializeGraphiteCollector(&GraphiteCollectorConfig{
		GraphiteAddr: sink.tcpAddr(),
		Prefix:       "tick",
		TickInterval: 10 * time.Millisecond,
	})
	t.Cleanup(func() { _ = StopGraphiteCollector() })

	// Two sends without Stop: the ticker works, and repeats.
	for i := 0; i < 2; i++ {
		got := graphiteValues(t, sink.next(t))
		assert.Equal(t, "1", got["tick."+name+".rejects.count"])
	}
	require.NoError(t, StopGraphiteCollector())
}

func TestGraphiteInitializeReplacesTheRunningReporter(t *testing.T) {
	first, second := newTCPSink(t), newTCPSink(t)
	name := unique("graphite-replace")
	NewGraphiteCollector(name).Update(metricCollector.MetricResult{Attempts: 1, Successes: 1})
	InitializeGraphiteCollector(&GraphiteCollectorConfig{GraphiteAddr: first.tcpAddr(), Prefix: "one", TickInterval: time.Hour})
	InitializeGraphiteCollector(&GraphiteCollectorConfig{GraphiteAddr: second.tcpAddr(), Prefix: "two", TickInterval: time.Hour})
	t.Cleanup(func() { _ = StopGraphiteCollector() })

	// The first reporter sent its last metrics when it was replaced.
	assert.Equal(t, "1", graphiteValues(t, first.next(t))["one."+name+".attempts.count"])
	require.NoError(t, StopGraphiteCollector())
	assert.Equal(t, "1", graphiteValues(t, second.next(t))["two."+name+".attempts.count"])
}

func TestGraphiteStopReportsAFailedSend(t *testing.T) {
	quietLog(t)
	// A port that was just free: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().(*net.TCPAddr)
	require.NoError(t, ln.Close())

	NewGraphiteCollector(unique("graphite-down")).Update(metricCollector.MetricResult{Attempts: 1})
	InitializeGraphiteCollector(&GraphiteCollectorConfig{GraphiteAddr: addr, TickInterval: 5 * time.Millisecond})
	time.Sleep(20 * time.Millisecond) // a few failed ticks, logged, must not stop it
	err = StopGraphiteCollector()
	var opErr *net.OpError
	assert.True(t, errors.As(err, &opErr), "want a dial error, got %v", err)
}

func TestGraphiteInitializeWithoutAddressStartsNothing(t *testing.T) {
	quietLog(t)
	InitializeGraphiteCollector(nil)
	assert.NoError(t, StopGraphiteCollector())
	InitializeGraphiteCollector(&GraphiteCollectorConfig{Prefix: "x"})
	assert.NoError(t, StopGraphiteCollector())
}

func TestGraphiteEndToEndThroughHystrixDo(t *testing.T) {
	cmd := unique("plugins-test/graphite-e2e")
	base := "e2e." + metricSafeName(cmd) + "."
	sink := newTCPSink(t)
	InitializeGraphiteCollector(&GraphiteCollectorConfig{GraphiteAddr: sink.tcpAddr(), Prefix: "e2e", TickInterval: time.Hour})
	t.Cleanup(func() { _ = StopGraphiteCollector() })
	registerFor(cmd, NewGraphiteCollector)

	runOnce(t, cmd, nil)
	runOnce(t, cmd, errors.New("boom"))
	runBadRequest(t, cmd)
	require.NoError(t, StopGraphiteCollector())

	got := graphiteValues(t, sink.next(t))
	assert.Equal(t, "3", got[base+"attempts.count"])
	assert.Equal(t, "1", got[base+"errors.count"], "a bad request is no error")
	assert.Equal(t, "1", got[base+"successes.count"])
	assert.Equal(t, "1", got[base+"failures.count"])
	assert.Equal(t, "1", got[base+"badRequests.count"])
	assert.Equal(t, "1", got[base+"fallbackSuccesses.count"])
	assert.Equal(t, "3", got[base+"runDuration.count"])
	for path := range got {
		assert.True(t, strings.HasPrefix(path, "e2e."), path)
	}
}

// Collectors record from many goroutines while the reporter reads; the race
// detector checks the sharing, and Stop's last send has every execution.
func TestGraphiteConcurrentUpdatesAndSends(t *testing.T) {
	sink := newTCPSink(t)
	name := unique("graphite-busy")
	InitializeGraphiteCollector(&GraphiteCollectorConfig{GraphiteAddr: sink.tcpAddr(), TickInterval: time.Millisecond})
	t.Cleanup(func() { _ = StopGraphiteCollector() })

	const workers, each = 4, 200
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One collector per goroutine: the library never calls one
			// collector concurrently, but collectors share the metrics.
			c := NewGraphiteCollector(name)
			for i := 0; i < each; i++ {
				c.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, RunDuration: time.Duration(i) * time.Microsecond})
			}
		}()
	}
	wg.Wait()
	require.NoError(t, StopGraphiteCollector())

	// Ticks may have sent earlier snapshots; the last send is Stop's.
	var last map[string]string
	for {
		last = graphiteValues(t, sink.next(t))
		if last[name+".attempts.count"] == "800" {
			break
		}
	}
	assert.Equal(t, "800", last[name+".runDuration.count"])
}
