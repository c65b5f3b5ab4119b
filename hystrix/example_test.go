package hystrix_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
	"github.com/gohystrix/hystrix-go/hystrix/rolling"
)

func ExampleDo() {
	err := hystrix.Do("example_do", func() error {
		// Call the dependency here.
		return nil
	}, nil)
	fmt.Println(err)
	// Output: <nil>
}

func ExampleDo_fallback() {
	err := hystrix.Do("example_fallback", func() error {
		return errors.New("connection refused")
	}, func(err error) error {
		fmt.Println("serving from cache because:", err)
		return nil
	})
	fmt.Println(err)
	// Output:
	// serving from cache because: connection refused
	// <nil>
}

func ExampleDoC() {
	hystrix.ConfigureCommand("example_doc", hystrix.CommandConfig{Timeout: 10})
	err := hystrix.DoC(context.Background(), "example_doc", func(ctx context.Context) error {
		<-ctx.Done() // a slow dependency; the context ends at the timeout
		return ctx.Err()
	}, nil)
	fmt.Println(err, err == hystrix.ErrTimeout)
	// Output: hystrix: timeout true
}

func ExampleGo() {
	errs := hystrix.Go("example_go", func() error {
		return errors.New("503 from upstream")
	}, nil)
	fmt.Println(<-errs)
	// Output: 503 from upstream
}

func ExampleGoC() {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the caller gave up before the command ran
	errs := hystrix.GoC(ctx, "example_goc", func(ctx context.Context) error { return nil }, nil)
	fmt.Println(<-errs)
	// Output: context canceled
}

func ExampleConfigureCommand() {
	hystrix.ConfigureCommand("example_configure", hystrix.CommandConfig{
		Timeout:               250,
		MaxConcurrentRequests: 50,
		ErrorPercentThreshold: 25,
		Isolation:             hystrix.CallerIsolation,
	})
	s := hystrix.GetCircuitSettings()["example_configure"]
	fmt.Println(s.Timeout, s.MaxConcurrentRequests, s.ErrorPercentThreshold, s.SleepWindow, s.Isolation)
	// Output: 250ms 50 25 5s caller
}

func ExampleTryConfigureCommand() {
	err := hystrix.TryConfigureCommand("example_try", hystrix.CommandConfig{ErrorPercentThreshold: 150})
	fmt.Println(err)
	fmt.Println(errors.Is(err, hystrix.ErrInvalidConfig))
	// Output:
	// hystrix: command "example_try": ErrorPercentThreshold 150 must be between 1 and 100 (0 means the default)
	// true
}

func ExampleConfigure() {
	var cmds map[string]hystrix.CommandConfig
	_ = json.Unmarshal([]byte(`{"example_json": {"timeout": 300, "isolation": "caller"}}`), &cmds)
	hystrix.Configure(cmds)
	s := hystrix.GetCircuitSettings()["example_json"]
	fmt.Println(s.Timeout, s.Isolation)
	// Output: 300ms caller
}

func ExampleGetCircuit() {
	hystrix.ConfigureCommand("example_circuit", hystrix.CommandConfig{RequestVolumeThreshold: 3, SleepWindow: 60000})
	for i := 0; i < 3; i++ {
		_ = hystrix.Do("example_circuit", func() error { return errors.New("down") }, nil)
	}
	c, _, _ := hystrix.GetCircuit("example_circuit")
	fmt.Println(c.State(), c.IsOpen())
	fmt.Println(hystrix.Do("example_circuit", func() error { return nil }, nil))
	// Output:
	// open true
	// hystrix: circuit open
}

func ExampleCircuitBreaker_ReportEvent() {
	c, _, _ := hystrix.GetCircuit("example_report")
	if c.AllowRequest() {
		start := time.Now()
		// Run the call yourself, then tell the circuit how it went.
		_ = c.ReportEvent([]string{"failure", "fallback-success"}, start, time.Since(start))
	}
	fmt.Println(c.Metrics().Failures().Sum(time.Now()), c.Metrics().FallbackSuccesses().Sum(time.Now()))
	// Output: 1 1
}

func ExampleNewStreamHandler() {
	stream := hystrix.NewStreamHandler()
	stream.Start()
	defer stream.Stop()
	// Serve it where a Hystrix dashboard can read it, for example:
	//   http.Handle("/hystrix.stream", stream)
	fmt.Println("serving")
	// Output: serving
}

func ExampleFallbackError() {
	err := hystrix.Do("example_fallback_error", func() error {
		return errors.New("timeout talking to db")
	}, func(error) error {
		return errors.New("cache empty")
	})
	var fe *hystrix.FallbackError
	fmt.Println(err)
	fmt.Println(errors.As(err, &fe), fe.FallbackErr)
	// Output:
	// fallback failed with 'cache empty'. run error was 'timeout talking to db'
	// true cache empty
}

type printCollector struct{}

func (printCollector) Update(r metricCollector.MetricResult) {
	fmt.Println("attempts", r.Attempts, "failures", r.Failures)
}
func (printCollector) Reset() {}

func Example_metricCollector() {
	metricCollector.Registry.Register(func(name string) metricCollector.MetricCollector {
		if name != "example_collector" {
			return nil
		}
		return printCollector{}
	})
	_ = hystrix.Do("example_collector", func() error { return errors.New("x") }, nil)
	// Output: attempts 1 failures 1
}

func Example_rolling() {
	n := rolling.NewNumber()
	now := time.Unix(1_800_000_000, 0)
	n.IncrementAt(now, 3)
	n.IncrementAt(now.Add(time.Second), 2)
	fmt.Println(n.Sum(now.Add(time.Second)))
	fmt.Println(n.Sum(now.Add(20 * time.Second)))
	// Output:
	// 5
	// 0
}

func ExampleAppendStreamEvents() {
	hystrix.Flush()
	_ = hystrix.Do("example_events", func() error { return nil }, nil)
	round := hystrix.AppendStreamEvents(nil)
	for _, line := range strings.Split(string(round), "\n") {
		if strings.HasPrefix(line, "data:") {
			var ev struct {
				Type         string `json:"type"`
				Name         string `json:"name"`
				RequestCount int    `json:"requestCount"`
			}
			_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data:")), &ev)
			fmt.Println(ev.Type, ev.Name, ev.RequestCount)
		}
	}
	// Output:
	// HystrixCommand example_events 1
	// HystrixThreadPool example_events 0
}
