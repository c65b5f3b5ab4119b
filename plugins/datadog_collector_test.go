package plugins

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/DataDog/datadog-go/v5/statsd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// recordingClient is a DatadogClient that writes down each call.
type recordingClient struct {
	mu    sync.Mutex
	calls []string
}

func (r *recordingClient) add(kind, name string, value interface{}, tags []string, rate float64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("%s %s %v %s @%v", kind, name, value, strings.Join(tags, ","), rate))
	return nil
}

func (r *recordingClient) Count(name string, value int64, tags []string, rate float64) error {
	return r.add("count", name, value, tags, rate)
}

func (r *recordingClient) Gauge(name string, value float64, tags []string, rate float64) error {
	return r.add("gauge", name, value, tags, rate)
}

func (r *recordingClient) TimeInMilliseconds(name string, value float64, tags []string, rate float64) error {
	return r.add("ms", name, value, tags, rate)
}

func TestDatadogCollectorCalls(t *testing.T) {
	rec := &recordingClient{}
	init := NewDatadogCollectorWithClient(rec)
	const tag = "hystrixcircuit:get/user"

	cases := []struct {
		result metricCollector.MetricResult
		want   []string
	}{{
		result: metricCollector.MetricResult{Attempts: 1, Successes: 1, TotalDuration: 1500 * time.Microsecond, RunDuration: time.Millisecond},
		want: []string{
			"count hystrix.attempts 1 " + tag + " @1",
			"gauge hystrix.circuitOpen 0 " + tag + " @1",
			"count hystrix.successes 1 " + tag + " @1",
			"ms hystrix.totalDuration 1.5 " + tag + " @1",
			"ms hystrix.runDuration 1 " + tag + " @1",
		},
	}, {
		result: metricCollector.MetricResult{Attempts: 1, Errors: 1, ShortCircuits: 1, FallbackFailures: 1},
		want: []string{
			"count hystrix.attempts 1 " + tag + " @1",
			"count hystrix.errors 1 " + tag + " @1",
			"gauge hystrix.circuitOpen 1 " + tag + " @1",
			"count hystrix.shortCircuits 1 " + tag + " @1",
			"count hystrix.fallbackFailures 1 " + tag + " @1",
			"ms hystrix.totalDuration 0 " + tag + " @1",
		},
	}, {
		result: metricCollector.MetricResult{Attempts: 1, Errors: 1, Failures: 1, FallbackSuccesses: 1, RunDuration: 2 * time.Millisecond, TotalDuration: 3 * time.Millisecond},
		want: []string{
			"count hystrix.attempts 1 " + tag + " @1",
			"count hystrix.errors 1 " + tag + " @1",
			"count hystrix.failures 1 " + tag + " @1",
			"count hystrix.fallbackSuccesses 1 " + tag + " @1",
			"ms hystrix.totalDuration 3 " + tag + " @1",
			"ms hystrix.runDuration 2 " + tag + " @1",
		},
	}, {
		result: metricCollector.MetricResult{Attempts: 1, Errors: 1, Rejects: 1},
		want: []string{
			"count hystrix.attempts 1 " + tag + " @1",
			"count hystrix.errors 1 " + tag + " @1",
			"count hystrix.rejects 1 " + tag + " @1",
			"ms hystrix.totalDuration 0 " + tag + " @1",
		},
	}, {
		result: metricCollector.MetricResult{Attempts: 1, Errors: 1, Timeouts: 1, RunDuration: time.Second, TotalDuration: time.Second},
		want: []string{
			"count hystrix.attempts 1 " + tag + " @1",
			"count hystrix.errors 1 " + tag + " @1",
			"count hystrix.timeouts 1 " + tag + " @1",
			"ms hystrix.totalDuration 1000 " + tag + " @1",
			"ms hystrix.runDuration 1000 " + tag + " @1",
		},
	}, {
		// The caller's mistake: no error, no fallback, but the run ran.
		result: metricCollector.MetricResult{Attempts: 1, BadRequests: 1, RunDuration: 2 * time.Millisecond, TotalDuration: 2 * time.Millisecond},
		want: []string{
			"count hystrix.attempts 1 " + tag + " @1",
			"count hystrix.badRequests 1 " + tag + " @1",
			"ms hystrix.totalDuration 2 " + tag + " @1",
			"ms hystrix.runDuration 2 " + tag + " @1",
		},
	}}
	c := init("get/user")
	for i, tc := range cases {
		rec.calls = nil
		c.Update(tc.result)
		assert.Equal(t, tc.want, rec.calls, "case %d", i)
	}
	c.Reset()
	assert.IsType(t, &DatadogCollector{}, c)
}

// dogLine is one DogStatsD datagram line, split into its fields.
type dogLine struct {
	name, value, kind string
	tags              []string
}

func parseDogLines(t *testing.T, lines []string) []dogLine {
	t.Helper()
	var out []dogLine
	for _, l := range lines {
		fields := strings.Split(l, "|")
		require.GreaterOrEqual(t, len(fields), 2, l)
		name, value, ok := strings.Cut(fields[0], ":")
		require.True(t, ok, l)
		d := dogLine{name: name, value: value, kind: fields[1]}
		for _, f := range fields[2:] {
			if strings.HasPrefix(f, "#") {
				d.tags = strings.Split(f[1:], ",")
			}
		}
		out = append(out, d)
	}
	return out
}

// find returns the lines of the named metric and command, as "kind value"
// strings in arrival order.
func find(lines []dogLine, name, cmd string) []string {
	var out []string
	for _, d := range lines {
		if d.name != name {
			continue
		}
		for _, tag := range d.tags {
			if tag == "hystrixcircuit:"+cmd {
				out = append(out, d.kind+" "+d.value)
			}
		}
	}
	return out
}

func TestDatadogCollectorOverUDP(t *testing.T) {
	sink := newUDPSink(t)
	init, err := NewDatadogCollector(sink.addr(), "myapp.")
	require.NoError(t, err)
	ok, open := init("ok"), init("open")
	ok.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, TotalDuration: 2 * time.Millisecond, RunDuration: time.Millisecond})
	ok.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1, TotalDuration: 4 * time.Millisecond, RunDuration: 3 * time.Millisecond})
	open.Update(metricCollector.MetricResult{Attempts: 1, Errors: 1, ShortCircuits: 1, FallbackSuccesses: 1, TotalDuration: time.Millisecond})
	require.NoError(t, CloseDatadogCollectors(), "closing sends what is buffered")

	raw := sink.lines(t, "myapp.hystrix.shortCircuits:1|c|#hystrixcircuit:open")
	got := parseDogLines(t, withPrefix(raw, "myapp.hystrix."))

	// The client adds up counts on its side before sending them.
	assert.Equal(t, []string{"c 2"}, find(got, "myapp.hystrix.attempts", "ok"))
	assert.Equal(t, []string{"c 2"}, find(got, "myapp.hystrix.successes", "ok"))
	assert.Equal(t, []string{"g 0"}, find(got, "myapp.hystrix.circuitOpen", "ok"))
	totals := find(got, "myapp.hystrix.totalDuration", "ok")
	sort.Strings(totals)
	assert.Equal(t, []string{"ms 2.000000", "ms 4.000000"}, totals)
	runs := find(got, "myapp.hystrix.runDuration", "ok")
	sort.Strings(runs)
	assert.Equal(t, []string{"ms 1.000000", "ms 3.000000"}, runs)

	assert.Equal(t, []string{"c 1"}, find(got, "myapp.hystrix.attempts", "open"))
	assert.Equal(t, []string{"c 1"}, find(got, "myapp.hystrix.errors", "open"))
	assert.Equal(t, []string{"c 1"}, find(got, "myapp.hystrix.shortCircuits", "open"))
	assert.Equal(t, []string{"c 1"}, find(got, "myapp.hystrix.fallbackSuccesses", "open"))
	assert.Equal(t, []string{"g 1"}, find(got, "myapp.hystrix.circuitOpen", "open"))
	assert.Equal(t, []string{"ms 1.000000"}, find(got, "myapp.hystrix.totalDuration", "open"))
	assert.Empty(t, find(got, "myapp.hystrix.runDuration", "open"), "the run function never ran")
	assert.Len(t, got, 13, "nothing else under the prefix:\n%s", strings.Join(raw, "\n"))

	// Collectors of a closed client drop what they get.
	ok.Update(metricCollector.MetricResult{Attempts: 1, Successes: 1})
	assert.NoError(t, CloseDatadogCollectors(), "nothing left to close")
}

func TestDatadogPrefixIsPrependedAsIs(t *testing.T) {
	sink := newUDPSink(t)
	init, err := NewDatadogCollector(sink.addr(), "")
	require.NoError(t, err)
	init("plain").Update(metricCollector.MetricResult{Attempts: 1, Rejects: 1})
	require.NoError(t, CloseDatadogCollectors())
	sink.lines(t, "hystrix.rejects:1|c|#hystrixcircuit:plain")
}

func TestNewDatadogCollectorBadAddress(t *testing.T) {
	init, err := NewDatadogCollector("no port here", "")
	assert.Error(t, err)
	assert.Nil(t, init)
	assert.NoError(t, CloseDatadogCollectors())
}

func TestDatadogV5ClientSatisfiesDatadogClient(t *testing.T) {
	sink := newUDPSink(t)
	client, err := statsd.New(sink.addr(), statsd.WithoutTelemetry())
	require.NoError(t, err)
	defer client.Close()
	var dc DatadogClient = client
	NewDatadogCollectorWithClient(dc)("direct").Update(metricCollector.MetricResult{Attempts: 1, Timeouts: 1, Errors: 1, RunDuration: time.Millisecond})
	require.NoError(t, client.Flush())
	got := parseDogLines(t, sink.lines(t, "hystrix.timeouts:1|c|#hystrixcircuit:direct"))
	assert.Equal(t, []string{"ms 1.000000"}, find(got, "hystrix.runDuration", "direct"))
}

func TestDatadogEndToEndThroughHystrixDo(t *testing.T) {
	cmd := unique("plugins-test/datadog-e2e")
	sink := newUDPSink(t)
	init, err := NewDatadogCollector(sink.addr(), "e2e.")
	require.NoError(t, err)
	registerFor(cmd, init)

	runOnce(t, cmd, nil)
	runOnce(t, cmd, errors.New("boom"))
	runBadRequest(t, cmd)
	require.NoError(t, CloseDatadogCollectors())

	got := parseDogLines(t, sink.lines(t,
		"e2e.hystrix.attempts:3|c|#hystrixcircuit:"+cmd,
		"e2e.hystrix.failures:1|c|#hystrixcircuit:"+cmd,
		"e2e.hystrix.badRequests:1|c|#hystrixcircuit:"+cmd,
	))
	assert.Equal(t, []string{"c 1"}, find(got, "e2e.hystrix.successes", cmd))
	assert.Equal(t, []string{"c 1"}, find(got, "e2e.hystrix.errors", cmd), "a bad request is no error")
	assert.Equal(t, []string{"c 1"}, find(got, "e2e.hystrix.fallbackSuccesses", cmd))
	assert.Len(t, find(got, "e2e.hystrix.runDuration", cmd), 3)
}
