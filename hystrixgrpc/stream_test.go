package hystrixgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrixgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// watch starts a Watch stream for the spec.
func (e *env) watch(t *testing.T, ctx context.Context, spec string) (healthpb.Health_WatchClient, error) {
	t.Helper()
	return e.client.Watch(ctx, &healthpb.HealthCheckRequest{Service: spec})
}

// recvAll reads the stream to its end and returns how many messages came
// and the error it ended with (nil for io.EOF).
func recvAll(stream healthpb.Health_WatchClient) (int, error) {
	for n := 0; ; n++ {
		if _, err := stream.Recv(); err != nil {
			if err == io.EOF {
				err = nil
			}
			return n, err
		}
	}
}

// settled waits until the command has no execution in flight and its
// counts are want.
func (e *env) settled(t *testing.T, name string, want counts) {
	t.Helper()
	var got counts
	eventually(t, fmt.Sprintf("counts %+v", want), func() bool {
		got = e.counts(t, name)
		return got == want && e.circuit(t, name).ActiveCount() == 0
	})
}

func TestStreamIsOneExecutionUntilItsEnd(t *testing.T) {
	t.Parallel()
	cases := []struct {
		spec     string
		wantN    int
		wantCode codes.Code
		want     counts
	}{
		{"send:3", 3, codes.OK, counts{Successes: 1}},
		{"send:0", 0, codes.OK, counts{Successes: 1}},
		{"send:1,code:14", 1, codes.Unavailable, counts{Failures: 1}},
		{"send:2,code:13", 2, codes.Internal, counts{Failures: 1}},
		{"send:1,code:5", 1, codes.NotFound, counts{BadRequests: 1}},
		{"code:3", 0, codes.InvalidArgument, counts{BadRequests: 1}},
	}
	for _, tc := range cases {
		for _, iso := range isolations {
			t.Run(tc.spec+"/"+iso.String(), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, nil, envConfig{})
				e.configure(t, watchMethod, noTimeout(iso))
				stream, err := e.watch(t, context.Background(), tc.spec)
				if err != nil {
					t.Fatal(err)
				}
				n, err := recvAll(stream)
				if n != tc.wantN || status.Code(err) != tc.wantCode {
					t.Fatalf("got %d messages and %v, want %d and %v", n, err, tc.wantN, tc.wantCode)
				}
				e.settled(t, watchMethod, tc.want)
			})
		}
	}
}

func TestStreamFailuresOpenTheCircuitAndRefusalsAreUnavailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, envConfig{})
	cfg := noTimeout(hystrix.CallerIsolation)
	cfg.Trip.ConsecutiveFailures = 1
	e.configure(t, watchMethod, cfg)
	for i := range 2 {
		stream, err := e.watch(t, context.Background(), "send:1,code:14")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = recvAll(stream)
		e.settled(t, watchMethod, counts{Failures: int64(i + 1)})
	}
	_, err := e.watch(t, context.Background(), "send:1")
	assertRefused(t, err, codes.Unavailable, hystrix.ErrCircuitOpen)
	if n := e.srv.watches.Load(); n != 2 {
		t.Fatalf("server saw %d streams, want 2", n)
	}
	if got := e.counts(t, watchMethod).ShortCircuits; got != 1 {
		t.Fatalf("short circuits %d, want 1", got)
	}
}

func TestStreamHoldsATicketUntilTheCallerCancels(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, envConfig{})
			cfg := noTimeout(iso)
			cfg.MaxConcurrentRequests = 1
			cfg.Trip.ConsecutiveFailures = 1
			e.configure(t, watchMethod, cfg)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stream, err := e.watch(t, ctx, "send:1,block")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := stream.Recv(); err != nil {
				t.Fatal(err)
			}
			_, err = e.watch(t, context.Background(), "send:1")
			assertRefused(t, err, codes.Unavailable, hystrix.ErrMaxConcurrency)

			cancel() // the caller gives the stream up, as gRPC asks
			e.settled(t, watchMethod, counts{Rejections: 1, Canceled: 1})
			if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
				t.Fatalf("Recv after cancel: %v", err)
			}
			stream, err = e.watch(t, context.Background(), "send:1")
			if err != nil {
				t.Fatalf("the ticket did not come back: %v", err)
			}
			if _, err := recvAll(stream); err != nil {
				t.Fatal(err)
			}
			if got := e.circuit(t, watchMethod).State(); got != hystrix.StateClosed {
				t.Fatalf("state %v: a cancellation counted as a failure", got)
			}
		})
	}
}

// openAndDrop opens a stream, reads its first message and lets go of it
// without cancelling or reading it to the end, as a careless caller does.
func openAndDrop(t *testing.T, e *env) {
	stream, err := e.watch(t, context.Background(), "send:1,block")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
}

func TestStreamAbandonedWithoutCancelGivesItsTicketBack(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			serverDone := make(chan error, 1)
			srv := &fakeHealth{watch: func(req *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error {
				if req.GetService() == "send:1,block" {
					if err := stream.Send(serving); err != nil {
						return err
					}
					<-stream.Context().Done()
					serverDone <- stream.Context().Err()
					return nil
				}
				return stream.Send(serving)
			}}
			e := newEnv(t, srv, envConfig{})
			cfg := noTimeout(iso)
			cfg.MaxConcurrentRequests = 1
			e.configure(t, watchMethod, cfg)

			openAndDrop(t, e)
			eventually(t, "the abandoned stream to be collected", func() bool {
				runtime.GC()
				return e.circuit(t, watchMethod).ActiveCount() == 0
			})
			e.settled(t, watchMethod, counts{BadRequests: 1})
			if err := <-serverDone; err == nil {
				t.Fatal("the server's stream did not end")
			}
			stream, err := e.watch(t, context.Background(), "send:1")
			if err != nil {
				t.Fatalf("no ticket for the next stream: %v", err)
			}
			if _, err := recvAll(stream); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestStreamTimeoutBoundsTheWholeStream(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, envConfig{})
			e.configure(t, watchMethod, hystrix.CommandConfig{Timeout: 20_000, Isolation: iso})
			stream, err := e.watch(t, context.Background(), "send:1,block")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := stream.Recv(); err != nil {
				t.Fatal(err)
			}
			// The deadline is in wall-clock time, the timeout's on the
			// registry's manual clock.
			if d, ok := stream.Context().Deadline(); !ok || d.After(time.Now().Add(20*time.Second)) {
				t.Fatalf("stream deadline %v (ok %v), want the timeout's", d, ok)
			}
			e.clk.Add(20 * time.Second)
			if _, err := stream.Recv(); status.Code(err) != codes.DeadlineExceeded {
				t.Fatalf("Recv after the timeout: %v, want DeadlineExceeded", err)
			}
			e.settled(t, watchMethod, counts{Timeouts: 1})
		})
	}
}

func TestStreamEndsWhenTheConnectionCloses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, envConfig{})
	e.configure(t, watchMethod, noTimeout(hystrix.CallerIsolation))
	ic, err := hystrixgrpc.New(hystrixgrpc.WithRegistry(e.reg))
	if err != nil {
		t.Fatal(err)
	}
	conn := e.dial(t, ic, envConfig{})
	stream, err := healthpb.NewHealthClient(conn).Watch(context.Background(), &healthpb.HealthCheckRequest{Service: "send:1,block"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	// The caller closed the connection: the stream says nothing of the
	// server (gRPC reports Canceled, a bad request by default).
	e.settled(t, watchMethod, counts{BadRequests: 1})
	runtime.KeepAlive(stream) // so that it is not ended as abandoned instead
}

// failingStreamer is an interceptor, chained after the one under test, that
// fails to establish streams with code.
func failingStreamer(code codes.Code) grpc.StreamClientInterceptor {
	return func(context.Context, *grpc.StreamDesc, *grpc.ClientConn, string, grpc.Streamer, ...grpc.CallOption) (grpc.ClientStream, error) {
		return nil, status.Error(code, "cannot start")
	}
}

// cannedStream is a stream a fallback answers with: one SERVING message
// and its end.
type cannedStream struct {
	ctx  context.Context
	sent bool
}

func (c *cannedStream) Header() (metadata.MD, error) { return nil, nil }
func (c *cannedStream) Trailer() metadata.MD         { return nil }
func (c *cannedStream) CloseSend() error             { return nil }
func (c *cannedStream) Context() context.Context     { return c.ctx }
func (c *cannedStream) SendMsg(any) error            { return nil }
func (c *cannedStream) RecvMsg(m any) error {
	if c.sent {
		return io.EOF
	}
	c.sent = true
	m.(*healthpb.HealthCheckResponse).Status = healthpb.HealthCheckResponse_SERVING
	return nil
}

func TestStreamFallbackAnswersStreamsThatCannotStart(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		config   hystrix.CommandConfig
		inner    []grpc.StreamClientInterceptor
		fallback func(ctx context.Context, err error) (grpc.ClientStream, error)
		wantN    int        // messages read, when the call succeeds
		wantCode codes.Code // otherwise
		wantIs   error
		wantRan  bool
		want     counts
	}{
		{
			name: "open circuit", config: hystrix.CommandConfig{ForceOpen: true},
			fallback: func(ctx context.Context, err error) (grpc.ClientStream, error) {
				return &cannedStream{ctx: ctx}, nil
			},
			wantN: 1, wantRan: true, want: counts{ShortCircuits: 1},
		},
		{
			name: "streamer failure", config: noTimeout(hystrix.CallerIsolation),
			inner: []grpc.StreamClientInterceptor{failingStreamer(codes.Unavailable)},
			fallback: func(ctx context.Context, err error) (grpc.ClientStream, error) {
				return &cannedStream{ctx: ctx}, nil
			},
			wantN: 1, wantRan: true, want: counts{Failures: 1},
		},
		{
			name: "streamer bad request", config: noTimeout(hystrix.CallerIsolation),
			inner: []grpc.StreamClientInterceptor{failingStreamer(codes.PermissionDenied)},
			fallback: func(ctx context.Context, err error) (grpc.ClientStream, error) {
				return &cannedStream{ctx: ctx}, nil
			},
			wantCode: codes.PermissionDenied, want: counts{BadRequests: 1},
		},
		{
			name: "fallback fails", config: hystrix.CommandConfig{ForceOpen: true},
			fallback: func(ctx context.Context, err error) (grpc.ClientStream, error) {
				return nil, status.Error(codes.ResourceExhausted, "no cache")
			},
			wantCode: codes.ResourceExhausted, wantIs: hystrix.ErrCircuitOpen, wantRan: true, want: counts{ShortCircuits: 1},
		},
		{
			name: "fallback panics", config: hystrix.CommandConfig{ForceOpen: true},
			fallback: func(ctx context.Context, err error) (grpc.ClientStream, error) {
				panic("fallback bug")
			},
			wantCode: codes.Unavailable, wantIs: hystrix.ErrCircuitOpen, wantRan: true, want: counts{ShortCircuits: 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ran := false
			fb := hystrixgrpc.WithStreamFallback(func(ctx context.Context, desc *grpc.StreamDesc, method string, err error) (grpc.ClientStream, error) {
				ran = true
				if method != watchMethod || !desc.ServerStreams {
					t.Errorf("fallback given %q, %+v", method, desc)
				}
				return tc.fallback(ctx, err)
			})
			e := newEnv(t, nil, envConfig{opts: []hystrixgrpc.Option{fb}, stream: tc.inner})
			e.configure(t, watchMethod, tc.config)
			stream, err := e.watch(t, context.Background(), "send:1")
			if ran != tc.wantRan {
				t.Fatalf("fallback ran: %v, want %v", ran, tc.wantRan)
			}
			if tc.wantCode != codes.OK {
				if status.Code(err) != tc.wantCode {
					t.Fatalf("err %v, want code %v", err, tc.wantCode)
				}
				if tc.wantIs != nil {
					var fe *hystrix.FallbackError
					if !errors.Is(err, tc.wantIs) || !errors.As(err, &fe) {
						t.Fatalf("err %v is not %v from a failed fallback", err, tc.wantIs)
					}
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if n, err := recvAll(stream); n != tc.wantN || err != nil {
					t.Fatalf("read %d messages and %v, want %d", n, err, tc.wantN)
				}
			}
			e.settled(t, watchMethod, tc.want)
			if n := e.srv.watches.Load(); n != 0 {
				t.Fatalf("server saw %d streams", n)
			}
		})
	}
}

// ownStreams is an inner interceptor that answers with streams of its own,
// which know nothing of grpc.OnFinish.
func ownStreams(ctx context.Context, _ *grpc.StreamDesc, _ *grpc.ClientConn, _ string, _ grpc.Streamer, _ ...grpc.CallOption) (grpc.ClientStream, error) {
	return &cannedStream{ctx: ctx}, nil
}

func TestStreamEndIsSeenWithoutOnFinish(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, envConfig{stream: []grpc.StreamClientInterceptor{ownStreams}})
	e.configure(t, watchMethod, noTimeout(hystrix.CallerIsolation))
	stream, err := e.watch(t, context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := recvAll(stream); n != 1 || err != nil {
		t.Fatalf("read %d messages and %v", n, err)
	}
	e.settled(t, watchMethod, counts{Successes: 1})
}

func TestStreamStreamerErrorClassifiedSuccessReachesTheCaller(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, envConfig{
		opts:   []hystrixgrpc.Option{hystrixgrpc.WithClassifier(func(error) hystrixgrpc.Outcome { return hystrixgrpc.Success })},
		stream: []grpc.StreamClientInterceptor{failingStreamer(codes.Unavailable)},
	})
	e.configure(t, watchMethod, noTimeout(hystrix.CallerIsolation))
	if _, err := e.watch(t, context.Background(), ""); status.Code(err) != codes.Unavailable {
		t.Fatalf("err %v, want the streamer's Unavailable", err)
	}
	e.settled(t, watchMethod, counts{Successes: 1})
}

// A caller that cancels its context the moment it has read a stream to its
// end must not turn the stream's success into a cancellation.
func TestStreamReadToItsEndIsRecordedBeforeRecvReturns(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, envConfig{})
			e.configure(t, watchMethod, noTimeout(iso))
			const streams = 30
			for i := range streams {
				ctx, cancel := context.WithCancel(context.Background())
				stream, err := e.watch(t, ctx, "send:1")
				if err != nil {
					t.Fatal(err)
				}
				_, err = recvAll(stream)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				// No waiting: the counts are final once Recv has returned.
				if got, want := e.counts(t, watchMethod), (counts{Successes: int64(i + 1)}); got != want {
					t.Fatalf("after stream %d: counts %+v, want %+v", i+1, got, want)
				}
			}
		})
	}
}
