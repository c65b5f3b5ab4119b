package hystrixgrpc_test

import (
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// echoDesc is a hand-written bidirectional service, with health messages
// for payloads: the server answers each request with a response whose
// status is SERVING, and ends with the code the request "code:N" names.
var echoDesc = grpc.ServiceDesc{
	ServiceName: "hystrixgrpc.test.Echo",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName:    "Bidi",
		ServerStreams: true,
		ClientStreams: true,
		Handler: func(_ any, stream grpc.ServerStream) error {
			for {
				var req healthpb.HealthCheckRequest
				if err := stream.RecvMsg(&req); err == io.EOF {
					return nil
				} else if err != nil {
					return err
				}
				var code int
				if _, err := fmt.Sscanf(req.GetService(), "code:%d", &code); err == nil {
					return status.Error(codes.Code(code), "echo ends")
				}
				if err := stream.SendMsg(serving); err != nil {
					return err
				}
			}
		},
	}},
}

const bidiMethod = "/hystrixgrpc.test.Echo/Bidi"

func TestBidiStreamIsOneExecutionUntilItsEnd(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		sends []string
		want  counts
		code  codes.Code
	}{
		{"closed by the client", []string{"a", "b"}, counts{Successes: 1}, codes.OK},
		{"ended by the server", []string{"a", "code:14"}, counts{Failures: 1}, codes.Unavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, envConfig{})
			e.configure(t, bidiMethod, noTimeout(hystrix.GoroutineIsolation))
			stream, err := e.conn.NewStream(context.Background(), &echoDesc.Streams[0], bidiMethod)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.sends {
				if err := stream.SendMsg(&healthpb.HealthCheckRequest{Service: s}); err != nil && err != io.EOF {
					t.Fatal(err)
				}
			}
			if err := stream.CloseSend(); err != nil {
				t.Fatal(err)
			}
			var err2 error
			for err2 == nil {
				err2 = stream.RecvMsg(new(healthpb.HealthCheckResponse))
			}
			if err2 == io.EOF {
				err2 = nil
			}
			if status.Code(err2) != tc.code {
				t.Fatalf("stream ended with %v, want %v", err2, tc.code)
			}
			e.settled(t, bidiMethod, tc.want)
		})
	}
}

// Many callers at once, each call's outcome known in advance: every one is
// counted once, in its class.
func TestUnaryConcurrentCallsAreEachCountedOnce(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, envConfig{})
			cfg := noTimeout(iso)
			cfg.MaxConcurrentRequests = -1
			cfg.ForceClosed = true // failures must not refuse the calls that follow
			e.configure(t, checkMethod, cfg)
			specs := []string{"", "code:5", "code:14"}
			const workers, perWorker = 8, 30
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := range perWorker {
						spec := specs[(w+i)%len(specs)]
						_, err := e.check(t, spec)
						if (spec == "") != (err == nil) {
							t.Errorf("spec %q: %v", spec, err)
						}
					}
				})
			}
			wg.Wait()
			third := int64(workers * perWorker / len(specs))
			want := counts{Successes: third, BadRequests: third, Failures: third}
			if got := e.counts(t, checkMethod); got != want {
				t.Fatalf("counts %+v, want %+v", got, want)
			}
		})
	}
}
