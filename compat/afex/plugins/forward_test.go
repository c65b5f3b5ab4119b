package plugins_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/afex/hystrix-go/hystrix"
	metricCollector "github.com/afex/hystrix-go/hystrix/metric_collector"
	"github.com/afex/hystrix-go/plugins"
	goplugins "github.com/gohystrix/hystrix-go/plugins"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestConstantsAreAfexs(t *testing.T) {
	for name, c := range map[string]struct{ got, want interface{} }{
		"WAN":       {plugins.WANStatsdFlushBytes, 512},
		"LAN":       {plugins.LANStatsdFlushBytes, 1432},
		"Gigabit":   {plugins.GigabitStatsdFlushBytes, 8932},
		"open":      {plugins.DM_CircuitOpen, "hystrix.circuitOpen"},
		"attempts":  {plugins.DM_Attempts, "hystrix.attempts"},
		"errors":    {plugins.DM_Errors, "hystrix.errors"},
		"successes": {plugins.DM_Successes, "hystrix.successes"},
		"failures":  {plugins.DM_Failures, "hystrix.failures"},
		"rejects":   {plugins.DM_Rejects, "hystrix.rejects"},
		"short":     {plugins.DM_ShortCircuits, "hystrix.shortCircuits"},
		"timeouts":  {plugins.DM_Timeouts, "hystrix.timeouts"},
		"fb ok":     {plugins.DM_FallbackSuccesses, "hystrix.fallbackSuccesses"},
		"fb failed": {plugins.DM_FallbackFailures, "hystrix.fallbackFailures"},
		"total":     {plugins.DM_TotalDuration, "hystrix.totalDuration"},
		"run":       {plugins.DM_RunDuration, "hystrix.runDuration"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", name, c.got, c.want)
		}
	}
}

// A statsd collector set up and registered through the afex import paths
// sees a command run through them, and its client is gohystrix's.
func TestStatsdThroughTheAfexPaths(t *testing.T) {
	const cmd = "compat-plugins-statsd"
	sink, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()

	client, err := plugins.InitializeStatsdCollector(&plugins.StatsdCollectorConfig{
		StatsdAddr: sink.LocalAddr().String(),
		Prefix:     "compat",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var _ *goplugins.StatsdCollectorClient = client
	// Registry is global to the test binary: give other commands nothing.
	metricCollector.Registry.Register(func(name string) metricCollector.MetricCollector {
		if name != cmd {
			return nil
		}
		return client.NewStatsdCollector(name)
	})
	defer hystrix.Flush()

	if err := hystrix.Do(cmd, func() error { return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if err := client.Close(); err != nil { // sends what is buffered
		t.Fatal(err)
	}

	const want = "compat.compat-plugins-statsd.attempts:1|c"
	var got []string
	buf := make([]byte, 65536)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err := sink.SetReadDeadline(deadline); err != nil {
			t.Fatal(err)
		}
		n, _, err := sink.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("no %q; got %q (%v)", want, got, err)
		}
		got = append(got, strings.Split(string(buf[:n]), "\n")...)
		for _, l := range got {
			if l == want {
				return
			}
		}
	}
}

func TestStopFunctionsForward(t *testing.T) {
	if err := plugins.StopGraphiteCollector(); err != nil {
		t.Errorf("StopGraphiteCollector with nothing running: %v", err)
	}
	if err := plugins.CloseDatadogCollectors(); err != nil {
		t.Errorf("CloseDatadogCollectors with nothing open: %v", err)
	}
}
