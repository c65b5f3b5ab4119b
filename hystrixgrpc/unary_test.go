package hystrixgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrixgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// codeClasses are the status codes a server may answer with and what the
// default classifier makes of them.
var codeClasses = []struct {
	code codes.Code
	want hystrixgrpc.Outcome
}{
	{codes.OK, hystrixgrpc.Success},
	{codes.InvalidArgument, hystrixgrpc.BadRequest},
	{codes.NotFound, hystrixgrpc.BadRequest},
	{codes.AlreadyExists, hystrixgrpc.BadRequest},
	{codes.PermissionDenied, hystrixgrpc.BadRequest},
	{codes.Unauthenticated, hystrixgrpc.BadRequest},
	{codes.FailedPrecondition, hystrixgrpc.BadRequest},
	{codes.OutOfRange, hystrixgrpc.BadRequest},
	{codes.Unimplemented, hystrixgrpc.BadRequest},
	{codes.Canceled, hystrixgrpc.BadRequest},
	{codes.Unavailable, hystrixgrpc.Failure},
	{codes.DeadlineExceeded, hystrixgrpc.Failure},
	{codes.ResourceExhausted, hystrixgrpc.Failure},
	{codes.Internal, hystrixgrpc.Failure},
	{codes.Unknown, hystrixgrpc.Failure},
	{codes.DataLoss, hystrixgrpc.Failure},
	{codes.Aborted, hystrixgrpc.Failure},
}

func TestUnaryCountsEachCodeClassAndOpensOnlyOnFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range codeClasses {
		for _, iso := range isolations {
			t.Run(fmt.Sprintf("%v/%v", tc.code, iso), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, nil, envConfig{})
				cfg := noTimeout(iso)
				cfg.Trip.ConsecutiveFailures = 1 // the second failure in a row opens
				e.configure(t, checkMethod, cfg)
				spec := fmt.Sprintf("code:%d", tc.code)

				for range 2 {
					_, err := e.check(t, spec)
					if got := status.Code(err); got != tc.code {
						t.Fatalf("code %v, want the server's %v (err %v)", got, tc.code, err)
					}
					var he *hystrixgrpc.Error
					if errors.As(err, &he) {
						t.Fatalf("the server's error came wrapped: %v", err)
					}
				}
				var want counts
				switch tc.want {
				case hystrixgrpc.Success:
					want.Successes = 2
				case hystrixgrpc.BadRequest:
					want.BadRequests = 2
				case hystrixgrpc.Failure:
					want.Failures = 2
				}
				if got := e.counts(t, checkMethod); got != want {
					t.Fatalf("counts %+v, want %+v", got, want)
				}

				// A third call reaches the server unless the circuit opened.
				_, err := e.check(t, spec)
				if tc.want != hystrixgrpc.Failure {
					if got := e.circuit(t, checkMethod).State(); got != hystrix.StateClosed {
						t.Fatalf("state %v after two %v", got, tc.code)
					}
					if n := e.srv.checks.Load(); n != 3 {
						t.Fatalf("server saw %d calls, want 3", n)
					}
					return
				}
				if got := e.circuit(t, checkMethod).State(); got != hystrix.StateOpen {
					t.Fatalf("state %v after two %v", got, tc.code)
				}
				if n := e.srv.checks.Load(); n != 2 {
					t.Fatalf("server saw %d calls, want 2: the open circuit let one through", n)
				}
				assertRefused(t, err, codes.Unavailable, hystrix.ErrCircuitOpen)
				if got := e.counts(t, checkMethod).ShortCircuits; got != 1 {
					t.Fatalf("short circuits %d, want 1", got)
				}
			})
		}
	}
}

// assertRefused checks that err is the interceptor's *Error with the code
// and hystrix error given.
func assertRefused(t *testing.T, err error, code codes.Code, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err %v is not %v", err, target)
	}
	if got := status.Code(err); got != code {
		t.Fatalf("code %v, want %v (err %v)", got, code, err)
	}
	var he *hystrixgrpc.Error
	if !errors.As(err, &he) {
		t.Fatalf("err %T is not an *Error", err)
	}
	if he.Code != code {
		t.Fatalf("Error.Code %v, want %v", he.Code, code)
	}
}

func TestUnaryForcedOpenCircuitRefusesWithUnavailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, envConfig{})
	e.configure(t, checkMethod, hystrix.CommandConfig{ForceOpen: true})

	_, err := e.check(t, "")
	assertRefused(t, err, codes.Unavailable, hystrix.ErrCircuitOpen)
	var he *hystrixgrpc.Error
	errors.As(err, &he)
	if he.Command != checkMethod {
		t.Fatalf("Error.Command %q, want %q", he.Command, checkMethod)
	}
	s, ok := status.FromError(err)
	if !ok || s.Code() != codes.Unavailable || s.Message() != `command "/grpc.health.v1.Health/Check": hystrix: circuit open` {
		t.Fatalf("status %v (ok %v)", s, ok)
	}
	if n := e.srv.checks.Load(); n != 0 {
		t.Fatalf("server saw %d calls through a forced-open circuit", n)
	}
}

func TestUnaryConcurrencyLimitRefusesWithUnavailable(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, &fakeHealth{entered: make(chan string, 1)}, envConfig{})
			cfg := noTimeout(iso)
			cfg.MaxConcurrentRequests = 1
			e.configure(t, checkMethod, cfg)

			ctx, cancel := context.WithCancel(context.Background())
			first := make(chan error, 1)
			go func() {
				_, err := e.client.Check(ctx, &healthpb.HealthCheckRequest{Service: "block"})
				first <- err
			}()
			<-e.srv.entered

			_, err := e.check(t, "")
			assertRefused(t, err, codes.Unavailable, hystrix.ErrMaxConcurrency)
			cancel()
			if err := <-first; status.Code(err) != codes.Canceled {
				t.Fatalf("blocked call ended with %v, want Canceled", err)
			}
			want := counts{Rejections: 1, Canceled: 1}
			if got := e.counts(t, checkMethod); got != want {
				t.Fatalf("counts %+v, want %+v", got, want)
			}
			// In goroutine isolation the caller returns at its
			// cancellation while the run still holds the ticket until the
			// invoker returns: the ticket comes back soon, not at once.
			deadline := time.Now().Add(5 * time.Second)
			for {
				_, err := e.check(t, "")
				if err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the ticket did not come back: %v", err)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}

func TestUnaryTimeoutEndsCallWithDeadlineExceeded(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			serverErr := make(chan error, 1)
			entered := make(chan struct{})
			srv := &fakeHealth{check: func(ctx context.Context, _ *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
				close(entered)
				<-ctx.Done()
				serverErr <- ctx.Err()
				return nil, status.FromContextError(ctx.Err()).Err()
			}}
			e := newEnv(t, srv, envConfig{})
			e.configure(t, checkMethod, hystrix.CommandConfig{Timeout: 20_000, Isolation: iso})

			done := make(chan error, 1)
			go func() {
				_, err := e.check(t, "")
				done <- err
			}()
			<-entered
			e.clk.Add(20 * time.Second)
			assertRefused(t, <-done, codes.DeadlineExceeded, hystrix.ErrTimeout)
			if err := <-serverErr; err == nil {
				t.Fatal("the server's context did not end at the timeout")
			}
			if got, want := e.counts(t, checkMethod), (counts{Timeouts: 1}); got != want {
				t.Fatalf("counts %+v, want %+v", got, want)
			}
		})
	}
}

func TestUnaryContextCarriesCommandTimeoutAsDeadline(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		timeoutMS int
		callerTTL time.Duration // 0: the caller sets no deadline
		want      time.Duration // 0: no deadline
	}{
		{"timeout", 30_000, 0, 30 * time.Second},
		{"caller's earlier deadline", 30_000, 5 * time.Second, 5 * time.Second},
		{"timeout earlier than the caller's", 30_000, time.Hour, 30 * time.Second},
		{"no timeout", -1, 0, 0},
	}
	for _, tc := range cases {
		for _, iso := range isolations {
			t.Run(tc.name+"/"+iso.String(), func(t *testing.T) {
				t.Parallel()
				type seen struct {
					at time.Time
					ok bool
				}
				deadline := make(chan seen, 1)
				srv := &fakeHealth{check: func(ctx context.Context, _ *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
					d, ok := ctx.Deadline()
					deadline <- seen{d, ok}
					return serving, nil
				}}
				e := newEnv(t, srv, envConfig{})
				e.configure(t, checkMethod, hystrix.CommandConfig{Timeout: tc.timeoutMS, Isolation: iso})
				ctx := context.Background()
				start := time.Now()
				if tc.callerTTL > 0 {
					var cancel func()
					ctx, cancel = context.WithTimeout(ctx, tc.callerTTL)
					defer cancel()
				}
				if _, err := e.client.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
					t.Fatal(err)
				}
				got := <-deadline
				if tc.want == 0 {
					if got.ok {
						t.Fatalf("server saw a deadline %v, want none", got.at)
					}
					return
				}
				// The manual clock started at about start and the server
				// measures the rest on its own: allow for the difference.
				if d := got.at.Sub(start.Add(tc.want)); !got.ok || d < -2*time.Second || d > 2*time.Second {
					t.Fatalf("server's deadline %v (ok %v), want about %v after the call", got.at.Sub(start), got.ok, tc.want)
				}
			})
		}
	}
}

func TestUnaryCallerCancellationIsNeitherSuccessNorFailure(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, &fakeHealth{entered: make(chan string, 1)}, envConfig{})
			cfg := noTimeout(iso)
			cfg.Trip.ConsecutiveFailures = 1
			e.configure(t, checkMethod, cfg)

			for range 3 {
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() {
					_, err := e.client.Check(ctx, &healthpb.HealthCheckRequest{Service: "block"})
					done <- err
				}()
				<-e.srv.entered
				cancel()
				err := <-done
				if status.Code(err) != codes.Canceled {
					t.Fatalf("err %v, want code Canceled", err)
				}
				var he *hystrixgrpc.Error
				if errors.As(err, &he) {
					t.Fatalf("a cancellation came as an *Error: %v", err)
				}
			}
			// A caller whose deadline has passed never reaches the server.
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel()
			_, err := e.client.Check(ctx, &healthpb.HealthCheckRequest{})
			if status.Code(err) != codes.DeadlineExceeded {
				t.Fatalf("err %v, want code DeadlineExceeded", err)
			}

			want := counts{Canceled: 3, DeadlineExceeded: 1}
			if got := e.counts(t, checkMethod); got != want {
				t.Fatalf("counts %+v, want %+v", got, want)
			}
			if got := e.circuit(t, checkMethod).State(); got != hystrix.StateClosed {
				t.Fatalf("state %v after cancellations", got)
			}
		})
	}
}

func TestUnaryFallbackAnswersRefusedAndFailedCalls(t *testing.T) {
	t.Parallel()
	type given struct {
		err    error
		method string
	}
	cases := []struct {
		name      string
		config    hystrix.CommandConfig
		spec      string
		wantCode  codes.Code // of the error the fallback gets
		wantIs    error      // which it matches, if not nil
		wantCount counts
	}{
		{"open circuit", hystrix.CommandConfig{ForceOpen: true}, "", codes.Unavailable, hystrix.ErrCircuitOpen,
			counts{ShortCircuits: 1, FallbackSuccesses: 1}},
		{"server failure", noTimeout(hystrix.CallerIsolation), "code:14", codes.Unavailable, nil,
			counts{Failures: 1, FallbackSuccesses: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []given
			fb := hystrixgrpc.WithUnaryFallback(func(ctx context.Context, method string, req, reply any, err error) error {
				got = append(got, given{err, method})
				reply.(*healthpb.HealthCheckResponse).Status = healthpb.HealthCheckResponse_NOT_SERVING
				return nil
			})
			e := newEnv(t, nil, envConfig{opts: []hystrixgrpc.Option{fb}})
			e.configure(t, checkMethod, tc.config)

			resp, err := e.check(t, tc.spec)
			if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
				t.Fatalf("got %v, %v; want the fallback's NOT_SERVING", resp, err)
			}
			if len(got) != 1 || got[0].method != checkMethod || status.Code(got[0].err) != tc.wantCode {
				t.Fatalf("fallback was given %+v", got)
			}
			if tc.wantIs != nil && !errors.Is(got[0].err, tc.wantIs) {
				t.Fatalf("fallback's error %v is not %v", got[0].err, tc.wantIs)
			}
			if c := e.counts(t, checkMethod); c != tc.wantCount {
				t.Fatalf("counts %+v, want %+v", c, tc.wantCount)
			}
		})
	}
}

func TestUnaryFallbackDoesNotRunForBadRequests(t *testing.T) {
	t.Parallel()
	ran := false
	fb := hystrixgrpc.WithUnaryFallback(func(context.Context, string, any, any, error) error {
		ran = true
		return nil
	})
	e := newEnv(t, nil, envConfig{opts: []hystrixgrpc.Option{fb}})
	e.configure(t, checkMethod, noTimeout(hystrix.CallerIsolation))
	if _, err := e.check(t, "code:5"); status.Code(err) != codes.NotFound {
		t.Fatalf("err %v, want the server's NotFound", err)
	}
	if ran {
		t.Fatal("the fallback ran for a bad request")
	}
}

func TestUnaryFailedFallbackKeepsACodeAndBothErrors(t *testing.T) {
	t.Parallel()
	plain := errors.New("no cached answer")
	cases := []struct {
		name     string
		fallback func() error
		wantCode codes.Code
		wantIs   error
	}{
		{"status error", func() error { return status.Error(codes.Aborted, "cache busy") }, codes.Aborted, nil},
		{"plain error", func() error { return plain }, codes.Unavailable, plain},
		{"panic", func() error { panic("cache exploded") }, codes.Unavailable, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fb := hystrixgrpc.WithUnaryFallback(func(context.Context, string, any, any, error) error { return tc.fallback() })
			e := newEnv(t, nil, envConfig{opts: []hystrixgrpc.Option{fb}})
			e.configure(t, checkMethod, hystrix.CommandConfig{ForceOpen: true})

			_, err := e.check(t, "")
			assertRefused(t, err, tc.wantCode, hystrix.ErrCircuitOpen)
			var fe *hystrix.FallbackError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v does not hold a *hystrix.FallbackError", err)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Fatalf("err %v is not the fallback's %v", err, tc.wantIs)
			}
			if tc.name == "panic" {
				var pe *hystrix.PanicError
				if !errors.As(err, &pe) || pe.Value != "cache exploded" {
					t.Fatalf("err %v does not hold the fallback's panic", err)
				}
			}
			if got := e.counts(t, checkMethod).FallbackFailures; got != 1 {
				t.Fatalf("fallback failures %d, want 1", got)
			}
		})
	}
}

// A goroutine-isolated call that times out is given up by hystrix while the
// invoker still runs; the fallback, which writes reply too, must wait for
// it.
func TestUnaryFallbackRunsOnlyAfterTheInvokerReturned(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	var invokerReturned atomic.Bool
	// An inner interceptor that, unlike gRPC's invoker, takes its time to
	// notice its context has ended, and then writes reply.
	slow := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		close(entered)
		<-release
		reply.(*healthpb.HealthCheckResponse).Status = healthpb.HealthCheckResponse_SERVING
		invokerReturned.Store(true)
		return ctx.Err()
	}
	sawReturned := make(chan bool, 1)
	fb := hystrixgrpc.WithUnaryFallback(func(_ context.Context, _ string, _, reply any, err error) error {
		sawReturned <- invokerReturned.Load()
		reply.(*healthpb.HealthCheckResponse).Status = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
		return nil
	})
	e := newEnv(t, nil, envConfig{opts: []hystrixgrpc.Option{fb}, unary: []grpc.UnaryClientInterceptor{slow}})
	e.configure(t, checkMethod, hystrix.CommandConfig{Timeout: 20_000, Isolation: hystrix.GoroutineIsolation})

	done := make(chan *healthpb.HealthCheckResponse, 1)
	go func() {
		resp, _ := e.check(t, "")
		done <- resp
	}()
	<-entered
	e.clk.Add(20 * time.Second) // hystrix gives up on the run and falls back
	// Give a fallback that did not wait the time to run before the
	// invoker returns.
	time.Sleep(20 * time.Millisecond)
	close(release)
	if !<-sawReturned {
		t.Fatal("the fallback ran while the invoker could still write reply")
	}
	if resp := <-done; resp.GetStatus() != healthpb.HealthCheckResponse_SERVICE_UNKNOWN {
		t.Fatalf("reply %v, want the fallback's", resp)
	}
}

func TestUnaryClassifierDecidesWhatCounts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		classifier hystrixgrpc.Classifier
		spec       string
		wantCode   codes.Code
		wantCounts counts
		wantPanic  bool
	}{
		{"not found as failure", func(err error) hystrixgrpc.Outcome {
			if status.Code(err) == codes.NotFound {
				return hystrixgrpc.Failure
			}
			return hystrixgrpc.DefaultClassifier(err)
		}, "code:5", codes.NotFound, counts{Failures: 1}, false},
		{"unavailable as success", func(err error) hystrixgrpc.Outcome {
			return hystrixgrpc.Success
		}, "code:14", codes.Unavailable, counts{Successes: 1}, false},
		{"internal as bad request", func(err error) hystrixgrpc.Outcome {
			return hystrixgrpc.BadRequest
		}, "code:13", codes.Internal, counts{BadRequests: 1}, false},
		{"out-of-range outcome as failure", func(err error) hystrixgrpc.Outcome {
			return hystrixgrpc.Outcome(42)
		}, "code:5", codes.NotFound, counts{Failures: 1}, false},
		{"panic as failure", func(err error) hystrixgrpc.Outcome {
			panic("classifier bug")
		}, "code:14", codes.Internal, counts{Failures: 1}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, envConfig{opts: []hystrixgrpc.Option{hystrixgrpc.WithClassifier(tc.classifier)}})
			e.configure(t, checkMethod, noTimeout(hystrix.CallerIsolation))
			_, err := e.check(t, tc.spec)
			if got := status.Code(err); got != tc.wantCode {
				t.Fatalf("code %v, want %v (err %v)", got, tc.wantCode, err)
			}
			var pe *hystrix.PanicError
			if got := errors.As(err, &pe); got != tc.wantPanic {
				t.Fatalf("err %v holds a panic: %v, want %v", err, got, tc.wantPanic)
			}
			if got := e.counts(t, checkMethod); got != tc.wantCounts {
				t.Fatalf("counts %+v, want %+v", got, tc.wantCounts)
			}
		})
	}
}

func TestUnaryCommandNameChoosesTheCircuit(t *testing.T) {
	t.Parallel()
	name := hystrixgrpc.WithCommandName(func(method string) string {
		switch method {
		case checkMethod:
			return "health"
		case "/boom":
			panic("naming bug")
		}
		return ""
	})
	e := newEnv(t, nil, envConfig{opts: []hystrixgrpc.Option{name}})
	e.configure(t, "health", noTimeout(hystrix.CallerIsolation))
	if _, err := e.check(t, ""); err != nil {
		t.Fatal(err)
	}
	if got := e.counts(t, "health").Successes; got != 1 {
		t.Fatalf("command health counted %d successes, want 1", got)
	}

	// An empty name is the full method.
	err := e.conn.Invoke(context.Background(), "/grpc.health.v1.Health/List", &healthpb.HealthListRequest{}, &healthpb.HealthListResponse{})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("err %v, want the server's Unimplemented", err)
	}
	if got := e.counts(t, "/grpc.health.v1.Health/List").BadRequests; got != 1 {
		t.Fatalf("command of the full method counted %d bad requests, want 1", got)
	}

	// A panicking name function fails the call before anything runs.
	err = e.conn.Invoke(context.Background(), "/boom", &healthpb.HealthCheckRequest{}, &healthpb.HealthCheckResponse{})
	var pe *hystrix.PanicError
	if status.Code(err) != codes.Internal || !errors.As(err, &pe) || pe.Value != "naming bug" {
		t.Fatalf("err %v, want Internal holding the panic", err)
	}
	if _, err := e.conn.NewStream(context.Background(), &grpc.StreamDesc{ServerStreams: true}, "/boom"); status.Code(err) != codes.Internal {
		t.Fatalf("stream err %v, want Internal", err)
	}
}

func TestUnaryHalfOpenProbeClosesTheCircuit(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, envConfig{})
			cfg := noTimeout(iso)
			cfg.Trip.ConsecutiveFailures = 1
			cfg.SleepWindow = 5000
			e.configure(t, checkMethod, cfg)
			for range 2 {
				_, _ = e.check(t, "code:14")
			}
			if _, err := e.check(t, ""); !errors.Is(err, hystrix.ErrCircuitOpen) {
				t.Fatalf("err %v, want the open circuit's", err)
			}
			e.clk.Add(5 * time.Second)
			if _, err := e.check(t, ""); err != nil {
				t.Fatalf("probe: %v", err)
			}
			if got := e.circuit(t, checkMethod).State(); got != hystrix.StateClosed {
				t.Fatalf("state %v after a successful probe", got)
			}
		})
	}
}

func TestUnaryWithoutRegistryOptionUsesTheDefaultRegistry(t *testing.T) {
	// Not parallel: it uses, and flushes, the default registry.
	t.Cleanup(hystrix.Flush)
	e := newEnv(t, nil, envConfig{})
	ic, err := hystrixgrpc.New(hystrixgrpc.WithCommandName(func(string) string { return "hystrixgrpc-default-registry" }))
	if err != nil {
		t.Fatal(err)
	}
	client := healthpb.NewHealthClient(e.dial(t, ic, envConfig{}))
	if _, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	c, _, err := hystrix.GetCircuit("hystrixgrpc-default-registry")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Executions(time.Now()); n != 1 {
		t.Fatalf("default registry's circuit saw %d executions, want 1", n)
	}
}
