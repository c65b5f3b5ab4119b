package hystrix

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// randomStreamString draws strings that exercise every escape: plain
// ASCII, quotes and backslashes, control characters, HTML's specials,
// U+2028 and U+2029, other multi-byte runes and invalid UTF-8.
func randomStreamString(rng *rand.Rand) string {
	pieces := []string{"a", "Z", "0", " ", "-", ".", "\"", "\\", "/", "<", ">", "&", "\b", "\f", "\n",
		"\r", "\t", "\x00", "\x01", "\x1f", "\x7f", "é", "€", "\u2028", "\u2029", "😀", "\xff", "\xe2\x80",
		"\xc3", "\xed\xa0\x80"}
	var b strings.Builder
	for range rng.IntN(12) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// randomStreamFloat draws finite floats of every magnitude json.Marshal
// writes differently: zeros, whole numbers, fractions, and the edges of
// positional notation at 1e-6 and 1e21.
func randomStreamFloat(rng *rand.Rand) float64 {
	special := []float64{0, math.Copysign(0, -1), 1, 100, 37.5, 1.0 / 3, 1e-6, 9.99999e-7, 1e-7, 1e21,
		9.99999e20, 1e22, -1e-9, math.MaxFloat64, math.SmallestNonzeroFloat64, 123456789.125}
	if rng.IntN(3) == 0 {
		return special[rng.IntN(len(special))]
	}
	f := rng.Float64() * math.Pow(10, float64(rng.IntN(60)-30))
	if rng.IntN(2) == 0 {
		f = -f
	}
	return f
}

func TestStreamEventWritersMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	u := func() uint32 {
		if rng.IntN(4) == 0 {
			return math.MaxUint32 - rng.Uint32N(3)
		}
		return rng.Uint32N(100000)
	}
	f := func() *float64 {
		if rng.IntN(2) == 0 {
			return nil
		}
		v := randomStreamFloat(rng)
		return &v
	}
	for i := range 3000 {
		cmd := streamCmdMetric{
			Type: randomStreamString(rng), Name: randomStreamString(rng), Group: randomStreamString(rng),
			Time: rng.Int64() - math.MaxInt64/2, ReportingHosts: u(), RequestCount: u(), ErrorCount: u(),
			ErrorPct: u(), CircuitBreakerOpen: rng.IntN(2) == 0, CircuitState: randomStreamString(rng),
			AdmittedPerMinute: f(), SlowCallPercentage: f(), ThrottlePercentage: f(),
			RollingCountBadRequests: u(), RollingCountCollapsedRequests: u(), RollingCountExceptionsThrown: u(),
			RollingCountFailure: u(), RollingCountFallbackFailure: u(), RollingCountFallbackRejection: u(),
			RollingCountFallbackSuccess: u(), RollingCountResponsesFromCache: u(),
			RollingCountSemaphoreRejected: u(), RollingCountShortCircuited: u(), RollingCountSuccess: u(),
			RollingCountThreadPoolRejected: u(), RollingCountTimeout: u(), CurrentConcurrentExecutionCount: u(),
			LatencyExecuteMean: u(), LatencyExecute: streamCmdLatency{u(), u(), u(), u(), u(), u(), u(), u(), u()},
			LatencyTotalMean: u(), LatencyTotal: streamCmdLatency{u(), u(), u(), u(), u(), u(), u(), u(), u()},
			CircuitBreakerRequestVolumeThreshold: u(), CircuitBreakerSleepWindow: u(),
			CircuitBreakerErrorThresholdPercent: u(), CircuitBreakerForceOpen: rng.IntN(2) == 0,
			CircuitBreakerForceClosed: rng.IntN(2) == 0, CircuitBreakerEnabled: rng.IntN(2) == 0,
			ExecutionIsolationStrategy: randomStreamString(rng), ExecutionIsolationThreadTimeout: u(),
			ExecutionIsolationThreadInterruptOnTimeout:       rng.IntN(2) == 0,
			ExecutionIsolationThreadPoolKeyOverride:          randomStreamString(rng),
			ExecutionIsolationSemaphoreMaxConcurrentRequests: u(),
			FallbackIsolationSemaphoreMaxConcurrentRequests:  u(), RollingStatsWindow: u(),
			RequestCacheEnabled: rng.IntN(2) == 0, RequestLogEnabled: rng.IntN(2) == 0,
			RollingStatsWindowFilled: u(),
		}
		if rng.IntN(2) == 0 {
			n := u()
			cmd.CircuitBreakerConsecutiveFailures = &n
		}
		pool := streamThreadPoolMetric{
			Type: randomStreamString(rng), Name: randomStreamString(rng), ReportingHosts: u(),
			CurrentActiveCount: u(), CurrentCompletedTaskCount: u(), CurrentCorePoolSize: u(),
			CurrentLargestPoolSize: u(), CurrentMaximumPoolSize: u(), CurrentPoolSize: u(),
			CurrentQueueSize: u(), CurrentTaskCount: u(), RollingMaxActiveThreads: u(),
			RollingCountThreadsExecuted: u(), RollingStatsWindow: u(), QueueSizeRejectionThreshold: u(),
			RollingStatsWindowFilled: u(),
		}
		want, err := json.Marshal(&cmd)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendCmdEvent([]byte("prefix"), &cmd); !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Fatalf("case %d: HystrixCommand event\n got %s\nwant prefix%s", i, got, want)
		}
		want, err = json.Marshal(&pool)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendPoolEvent(nil, &pool); !bytes.Equal(got, want) {
			t.Fatalf("case %d: HystrixThreadPool event\n got %s\nwant %s", i, got, want)
		}
	}
}

func FuzzStreamJSONStringMatchesEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"b\\c", "<&>", "\x00\x1f\x7f", "\b\f\n\r\t", "\u2028\u2029",
		"\xff", "é\xc3", "\xed\xa0\x80", "😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

func FuzzStreamJSONFloatMatchesEncodingJSON(f *testing.F) {
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -2.5, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 1.5e300,
		math.SmallestNonzeroFloat64, math.MaxFloat64} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if !finite(v) {
			return
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONFloat(nil, v); !bytes.Equal(got, want) {
			t.Fatalf("%v: got %s, want %s", v, got, want)
		}
	})
}

// TestStreamRoundIsTheJSONOfEachCircuitsEvents checks a round of circuits
// with spread-out latencies, whose percentiles fall inside histogram
// buckets, against encoding/json's rendering of the same events.
func TestStreamRoundIsTheJSONOfEachCircuitsEvents(t *testing.T) {
	t.Parallel()
	r, clk := newTestRegistry(t)
	for i, name := range []string{"b", "a", "c\xff", "d<>"} {
		c, _, err := r.GetCircuit(name)
		if err != nil {
			t.Fatal(err)
		}
		for j := range 50 {
			d := time.Duration(1+(i*31+j*j*7)%997) * 137 * time.Microsecond
			ev := []string{"success"}
			if j%3 == 0 {
				ev = []string{"failure", "fallback-failure"}
			}
			if err := c.ReportEvent(ev, unixTime(clk.now()).Add(-d), d/2); err != nil {
				t.Fatal(err)
			}
			clk.Add(700 * time.Millisecond)
		}
	}
	now := clk.now()
	var want []byte
	for _, c := range r.Circuits() {
		cmd, pool := streamEvents(c, now)
		for _, ev := range []any{cmd, pool} {
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			want = append(append(append(want, "data:"...), b...), "\n\n"...)
		}
	}
	if got := r.AppendStreamEvents(nil); !bytes.Equal(got, want) {
		t.Errorf("the round differs from encoding/json's\n got %s\nwant %s", got, want)
	}
	if !utf8.Valid(want) {
		t.Error("the round is not valid UTF-8")
	}
}

func TestStreamRoundKeepsNoCircuitReachable(t *testing.T) {
	t.Parallel()
	r, _ := newTestRegistry(t)
	for _, name := range []string{"x", "y", "z"} {
		if _, _, err := r.GetCircuit(name); err != nil {
			t.Fatal(err)
		}
	}
	var sc streamScratch
	if len(r.appendRound(nil, r.clock.now(), &sc)) == 0 {
		t.Fatal("empty round")
	}
	for i, c := range sc.circuits[:cap(sc.circuits)] {
		if c != nil {
			t.Errorf("slot %d of the reused slice still holds circuit %q", i, c.Name)
		}
	}
}

func TestAppendUintKeyWritesEveryNumberAsStrconvDoes(t *testing.T) {
	check := func(v uint32) {
		t.Helper()
		want := `,"k":` + strconv.FormatUint(uint64(v), 10)
		if got := string(appendUintKey(nil, `,"k":`, v)); got != want {
			t.Fatalf("appendUintKey(%d) wrote %s, want %s", v, got, want)
		}
	}
	for v := range uint32(1000) {
		check(v)
	}
	for _, v := range []uint32{9999, 10000, 65535, 1<<31 - 1, 1 << 31, math.MaxUint32} {
		check(v)
	}
}
