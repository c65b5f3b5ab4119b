package plugins

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cactus/go-statsd-client/v5/statsd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

func newStatsdClient(t *testing.T, cfg StatsdCollectorConfig) *StatsdCollectorClient {
	t.Helper()
	c, err := InitializeStatsdCollector(&cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestStatsdCollectorSendsAfexMetrics(t *testing.T) {
	sink := newUDPSink(t)
	client := newStatsdClient(t, StatsdCollectorConfig{StatsdAddr: sink.addr(), Prefix: "svc"})

	cases := []struct {
		name   string
		result metricCollector.MetricResult
		want   []string
	}{{
		name: "ok",
		result: metricCollector.MetricResult{Attempts: 1, Successes: 1,
			TotalDuration: 3 * time.Millisecond, RunDuration: 2500 * time.Microsecond, ConcurrencyInUse: 0.25},
		want: []string{
			"svc.ok.circuitOpen:0|g",
			"svc.ok.attempts:1|c",
			"svc.ok.successes:1|c",
			"svc.ok.totalDuration:3|ms",
			"svc.ok.runDuration:2.5|ms",
			"svc.ok.concurrencyInUse:25|ms",
		},
	}, {
		name: "open",
		result: metricCollector.MetricResult{Attempts: 1, Errors: 1, ShortCircuits: 1, FallbackSuccesses: 1,
			TotalDuration: time.Millisecond},
		want: []string{
			"svc.open.circuitOpen:1|g",
			"svc.open.attempts:1|c",
			"svc.open.errors:1|c",
			"svc.open.shortCircuits:1|c",
			"svc.open.fallbackSuccesses:1|c",
			"svc.open.totalDuration:1|ms",
			// No runDuration: the run function never ran.
			"svc.open.concurrencyInUse:0|ms",
		},
	}, {
		name: "failed",
		result: metricCollector.MetricResult{Attempts: 1, Errors: 1, Failures: 1, FallbackFailures: 1,
			TotalDuration: 2 * time.Millisecond, RunDuration: time.Millisecond, ConcurrencyInUse: 1},
		want: []string{
			"svc.failed.attempts:1|c",
			"svc.failed.errors:1|c",
			"svc.failed.failures:1|c",
			"svc.failed.fallbackFailures:1|c",
			"svc.failed.totalDuration:2|ms",
			"svc.failed.runDuration:1|ms",
			"svc.failed.concurrencyInUse:100|ms",
		},
	}, {
		name:   "others",
		result: metricCollector.MetricResult{Attempts: 1, Errors: 1, Rejects: 1},
		want: []string{
			"svc.others.attempts:1|c", "svc.others.errors:1|c", "svc.others.rejects:1|c",
			"svc.others.totalDuration:0|ms", "svc.others.concurrencyInUse:0|ms",
		},
	}, {
		name:   "slow",
		result: metricCollector.MetricResult{Attempts: 1, Errors: 1, Timeouts: 1, RunDuration: time.Second, TotalDuration: time.Second},
		want: []string{
			"svc.slow.attempts:1|c", "svc.slow.errors:1|c", "svc.slow.timeouts:1|c",
			"svc.slow.totalDuration:1000|ms", "svc.slow.runDuration:1000|ms", "svc.slow.concurrencyInUse:0|ms",
		},
	}, {
		name:   "canceled",
		result: metricCollector.MetricResult{Attempts: 1, ContextCanceled: 1},
		want: []string{
			"svc.canceled.attempts:1|c", "svc.canceled.contextCanceled:1|c",
			"svc.canceled.totalDuration:0|ms", "svc.canceled.concurrencyInUse:0|ms",
		},
	}, {
		name:   "late",
		result: metricCollector.MetricResult{Attempts: 1, ContextDeadlineExceeded: 1},
		want: []string{
			"svc.late.attempts:1|c", "svc.late.contextDeadlineExceeded:1|c",
			"svc.late.totalDuration:0|ms", "svc.late.concurrencyInUse:0|ms",
		},
	}, {
		// The caller's mistake: no error, no fallback, but the run ran.
		name: "bad",
		result: metricCollector.MetricResult{Attempts: 1, BadRequests: 1,
			TotalDuration: 2 * time.Millisecond, RunDuration: 2 * time.Millisecond},
		want: []string{
			"svc.bad.attempts:1|c", "svc.bad.badRequests:1|c",
			"svc.bad.totalDuration:2|ms", "svc.bad.runDuration:2|ms", "svc.bad.concurrencyInUse:0|ms",
		},
	}}
	var all []string
	for _, c := range cases {
		client.NewStatsdCollector(c.name).Update(c.result)
		all = append(all, c.want...)
	}
	require.NoError(t, client.Close(), "Close sends what is buffered")

	got := sink.lines(t, all...)
	for _, c := range cases {
		assert.ElementsMatch(t, c.want, withPrefix(got, "svc."+c.name+"."), c.name)
	}
	assert.Len(t, got, len(all), "nothing but the expected metrics")
}

func TestStatsdCollectorNamesAndPrefix(t *testing.T) {
	sink := newUDPSink(t)
	client := newStatsdClient(t, StatsdCollectorConfig{StatsdAddr: sink.addr()})
	c := client.NewStatsdCollector("api/users:get.v2")
	c.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1})
	c.Reset() // a no-op, as in afex
	require.NoError(t, client.Close())
	got := sink.lines(t, "api-users-get-v2.attempts:1|c")
	assert.Contains(t, got, "api-users-get-v2.circuitOpen:0|g", "no prefix, no leading dot")
}

func TestStatsdSampleRate(t *testing.T) {
	sink := newUDPSink(t)
	client := newStatsdClient(t, StatsdCollectorConfig{StatsdAddr: sink.addr(), Prefix: "s", SampleRate: 0.5})
	// Keep every metric so that the test is deterministic; the rate is
	// still written into each line for the server to scale by.
	client.client.(*statsd.Client).SetSamplerFunc(func(float32) bool { return true })
	c := client.NewStatsdCollector("cmd").(*StatsdCollector)
	assert.Equal(t, float32(0.5), c.sampleRate)
	c.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, RunDuration: time.Millisecond})
	require.NoError(t, client.Close())
	got := sink.lines(t, "s.cmd.attempts:1|c|@0.500000")
	for _, l := range got {
		assert.True(t, strings.HasSuffix(l, "|@0.500000"), l)
	}
	assert.Contains(t, got, "s.cmd.circuitOpen:0|g|@0.500000")
	assert.Contains(t, got, "s.cmd.runDuration:1|ms|@0.500000")

	def := newStatsdClient(t, StatsdCollectorConfig{StatsdAddr: sink.addr()})
	assert.Equal(t, float32(1), def.NewStatsdCollector("x").(*StatsdCollector).sampleRate, "0 means no sampling")
}

func TestStatsdFlushBytesLimitsPackets(t *testing.T) {
	sink := newUDPSink(t)
	client := newStatsdClient(t, StatsdCollectorConfig{StatsdAddr: sink.addr(), FlushBytes: WANStatsdFlushBytes})
	var want []string
	for i := 0; i < 40; i++ {
		name := fmt.Sprintf("command-number-%02d", i)
		client.NewStatsdCollector(name).Update(metricCollector.MetricResult{Attempts: 1, Rejects: 1})
		want = append(want, name+".rejects:1|c")
	}
	require.NoError(t, client.Close())
	pkts := sink.packets(t, func(lines []string) bool { return containsAll(lines, want) })
	assert.Greater(t, len(pkts), 1)
	for _, p := range pkts {
		assert.LessOrEqual(t, len(p), WANStatsdFlushBytes)
	}
	assert.Equal(t, 512, WANStatsdFlushBytes)
	assert.Equal(t, 1432, LANStatsdFlushBytes)
	assert.Equal(t, 8932, GigabitStatsdFlushBytes)
}

func TestStatsdInitializeErrorGivesNoopClient(t *testing.T) {
	for _, cfg := range []*StatsdCollectorConfig{nil, {StatsdAddr: "no port here"}} {
		client, err := InitializeStatsdCollector(cfg)
		require.Error(t, err)
		require.NotNil(t, client, "afex returned a working no-op client with the error")
		c := client.NewStatsdCollector("cmd")
		c.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, ShortCircuits: 1})
		c.Reset()
		assert.NoError(t, client.Close())
	}
	var nilClient *StatsdCollectorClient
	nilClient.NewStatsdCollector("cmd").Update(metricCollector.MetricResult{Attempts: 1})
	assert.NoError(t, nilClient.Close())
}

func TestStatsdUpdateAfterCloseIsDropped(t *testing.T) {
	sink := newUDPSink(t)
	client := newStatsdClient(t, StatsdCollectorConfig{StatsdAddr: sink.addr()})
	c := client.NewStatsdCollector("cmd")
	require.NoError(t, client.Close())
	c.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1})
	assert.NoError(t, client.Close(), "a second Close is harmless")
}

func TestStatsdEndToEndThroughHystrixDo(t *testing.T) {
	cmd := unique("plugins-test/statsd-e2e")
	base := "e2e." + metricSafeName(cmd) + "."
	sink := newUDPSink(t)
	client := newStatsdClient(t, StatsdCollectorConfig{StatsdAddr: sink.addr(), Prefix: "e2e"})
	registerFor(cmd, client.NewStatsdCollector)

	runOnce(t, cmd, nil)
	runOnce(t, cmd, errors.New("boom"))
	runBadRequest(t, cmd)
	require.NoError(t, client.Close())

	got := sink.lines(t,
		base+"attempts:1|c",
		base+"successes:1|c",
		base+"failures:1|c",
		base+"fallbackSuccesses:1|c",
		base+"badRequests:1|c",
		base+"circuitOpen:0|g",
	)
	assert.Len(t, withPrefix(got, base+"attempts:"), 3, "one per execution")
	assert.Len(t, withPrefix(got, base+"errors:"), 1, "the failure; a bad request is no error")
	assert.Len(t, withPrefix(got, base+"fallbackSuccesses:"), 1, "a bad request runs no fallback")
	assert.Len(t, withPrefix(got, base+"runDuration:"), 3)
}
