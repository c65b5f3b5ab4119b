package plugins_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/DataDog/datadog-go/v5/statsd"
	metrics "github.com/rcrowley/go-metrics"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/plugins"
)

// A statsd server would listen where the loopback socket does; the example
// prints what it receives. The registry is one of the example's own, so
// that its collectors see this example's command alone; a program on the
// default registry registers the same method with
// metricCollector.Registry.Register instead.
func ExampleInitializeStatsdCollector() {
	server, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer server.Close()

	client, err := plugins.InitializeStatsdCollector(&plugins.StatsdCollectorConfig{
		StatsdAddr: server.LocalAddr().String(),
		Prefix:     "myapp.hystrix",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	reg := hystrix.NewRegistry(hystrix.WithMetricCollectors(client.NewStatsdCollector))

	_ = reg.Do("get_user", func() error { return nil }, nil)
	_ = reg.Do("get_user", func() error { return errors.New("connection refused") },
		func(error) error { return nil })
	client.Close() // sends what is buffered

	// Loopback UDP is queued at the server by the time Close returns.
	buf := make([]byte, 65536)
	for {
		_ = server.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := server.Read(buf)
		if err != nil {
			break
		}
		for _, line := range strings.Fields(string(buf[:n])) {
			if name, ok := strings.CutSuffix(line, "|ms"); ok {
				// A timing: its value differs from run to run.
				name, _, _ = strings.Cut(name, ":")
				line = name + ":…|ms"
			}
			fmt.Println(line)
		}
	}
	// Output:
	// myapp.hystrix.get_user.circuitOpen:0|g
	// myapp.hystrix.get_user.attempts:1|c
	// myapp.hystrix.get_user.successes:1|c
	// myapp.hystrix.get_user.totalDuration:…|ms
	// myapp.hystrix.get_user.runDuration:…|ms
	// myapp.hystrix.get_user.concurrencyInUse:…|ms
	// myapp.hystrix.get_user.attempts:1|c
	// myapp.hystrix.get_user.errors:1|c
	// myapp.hystrix.get_user.failures:1|c
	// myapp.hystrix.get_user.fallbackSuccesses:1|c
	// myapp.hystrix.get_user.totalDuration:…|ms
	// myapp.hystrix.get_user.runDuration:…|ms
	// myapp.hystrix.get_user.concurrencyInUse:…|ms
}

// A DogStatsD agent would listen where the loopback socket does. Every
// command shares the metric names and is told apart by its
// hystrixcircuit tag; the client adds counts up before it sends them.
func ExampleNewDatadogCollector() {
	agent, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer agent.Close()

	collector, err := plugins.NewDatadogCollector(agent.LocalAddr().String(), "myapp.")
	if err != nil {
		fmt.Println(err)
		return
	}
	reg := hystrix.NewRegistry(hystrix.WithMetricCollectors(collector))

	_ = reg.Do("get_user", func() error { return nil }, nil)
	_ = reg.Do("get_user", func() error { return errors.New("connection refused") },
		func(error) error { return nil })
	_ = plugins.CloseDatadogCollectors() // sends what is buffered

	var got []string
	buf := make([]byte, 65536)
	for {
		_ = agent.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := agent.Read(buf)
		if err != nil {
			break
		}
		for _, line := range strings.Fields(string(buf[:n])) {
			// name:value|type|#tags, perhaps followed by more fields; the
			// client's own telemetry, and any tags or fields the
			// environment adds, are left out.
			metric, tags, _ := strings.Cut(line, "|#")
			tags, _, _ = strings.Cut(tags, "|")
			if !strings.HasPrefix(metric, "myapp.") {
				continue
			}
			if name, ok := strings.CutSuffix(metric, "|ms"); ok {
				name, _, _ = strings.Cut(name, ":")
				metric = name + ":…|ms" // a timing differs from run to run
			}
			for _, tag := range strings.Split(tags, ",") {
				if strings.HasPrefix(tag, "hystrixcircuit:") {
					got = append(got, metric+" "+tag)
				}
			}
		}
	}
	slices.Sort(got) // the client sends added-up counts in no set order
	for _, line := range got {
		fmt.Println(line)
	}
	// Output:
	// myapp.hystrix.attempts:2|c hystrixcircuit:get_user
	// myapp.hystrix.circuitOpen:0|g hystrixcircuit:get_user
	// myapp.hystrix.errors:1|c hystrixcircuit:get_user
	// myapp.hystrix.failures:1|c hystrixcircuit:get_user
	// myapp.hystrix.fallbackSuccesses:1|c hystrixcircuit:get_user
	// myapp.hystrix.runDuration:…|ms hystrixcircuit:get_user
	// myapp.hystrix.runDuration:…|ms hystrixcircuit:get_user
	// myapp.hystrix.successes:1|c hystrixcircuit:get_user
	// myapp.hystrix.totalDuration:…|ms hystrixcircuit:get_user
	// myapp.hystrix.totalDuration:…|ms hystrixcircuit:get_user
}

// A program that owns its DogStatsD client, to choose its options or to
// share it, passes it in; the metrics then have no prefix, and closing the
// client is the program's job.
func ExampleNewDatadogCollectorWithClient() {
	agent, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer agent.Close()

	client, err := statsd.New(agent.LocalAddr().String(), statsd.WithoutTelemetry())
	if err != nil {
		fmt.Println(err)
		return
	}
	reg := hystrix.NewRegistry(hystrix.WithMetricCollectors(plugins.NewDatadogCollectorWithClient(client)))

	_ = reg.Do("get_user", func() error { return hystrix.BadRequest(errors.New("no such user")) }, nil)
	_ = client.Close() // sends what is buffered

	var got []string
	buf := make([]byte, 65536)
	for {
		_ = agent.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := agent.Read(buf)
		if err != nil {
			break
		}
		for _, line := range strings.Fields(string(buf[:n])) {
			metric, _, _ := strings.Cut(line, "|#")
			if name, ok := strings.CutSuffix(metric, "|ms"); ok {
				name, _, _ = strings.Cut(name, ":")
				metric = name + ":…|ms" // a timing differs from run to run
			}
			got = append(got, metric)
		}
	}
	slices.Sort(got)
	for _, line := range got {
		fmt.Println(line)
	}
	// Output:
	// hystrix.attempts:1|c
	// hystrix.badRequests:1|c
	// hystrix.runDuration:…|ms
	// hystrix.totalDuration:…|ms
}

// A Graphite server would listen where the loopback socket does. The
// reporter sends every TickInterval; StopGraphiteCollector sends once more,
// so the example sets a long interval and reads that last send.
func ExampleInitializeGraphiteCollector() {
	server, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer server.Close()
	received := make(chan string, 1)
	go func() {
		var all strings.Builder
		if conn, err := server.Accept(); err == nil {
			_, _ = io.Copy(&all, conn)
			conn.Close()
		}
		received <- all.String()
	}()

	plugins.InitializeGraphiteCollector(&plugins.GraphiteCollectorConfig{
		GraphiteAddr: server.Addr().(*net.TCPAddr),
		Prefix:       "myapp.hystrix",
		TickInterval: time.Hour,
	})
	reg := hystrix.NewRegistry(hystrix.WithMetricCollectors(plugins.NewGraphiteCollector))

	_ = reg.Do("get_user", func() error { return nil }, nil)
	_ = reg.Do("get_user", func() error { return errors.New("connection refused") },
		func(error) error { return nil })
	if err := plugins.StopGraphiteCollector(); err != nil {
		fmt.Println(err)
		return
	}

	// Lines are "path value timestamp", for every metric of go-metrics'
	// DefaultRegistry; these are the counts of this command.
	for _, line := range strings.Split(<-received, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 3 && strings.HasPrefix(fields[0], "myapp.hystrix.get_user.") &&
			strings.HasSuffix(fields[0], ".count") {
			fmt.Println(fields[0], fields[1])
		}
	}

	// The totals live in DefaultRegistry for the program's life; the
	// example forgets its own so that it can run again.
	metrics.DefaultRegistry.Each(func(name string, _ interface{}) {
		if strings.HasPrefix(name, "get_user.") {
			metrics.DefaultRegistry.Unregister(name)
		}
	})
	// Output:
	// myapp.hystrix.get_user.attempts.count 2
	// myapp.hystrix.get_user.badRequests.count 0
	// myapp.hystrix.get_user.errors.count 1
	// myapp.hystrix.get_user.failures.count 1
	// myapp.hystrix.get_user.fallbackFailures.count 0
	// myapp.hystrix.get_user.fallbackSuccesses.count 1
	// myapp.hystrix.get_user.rejects.count 0
	// myapp.hystrix.get_user.runDuration.count 2
	// myapp.hystrix.get_user.shortCircuits.count 0
	// myapp.hystrix.get_user.successes.count 1
	// myapp.hystrix.get_user.timeouts.count 0
	// myapp.hystrix.get_user.totalDuration.count 2
}
