package hystrixgrpc_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrixgrpc"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	checkMethod = "/grpc.health.v1.Health/Check"
	watchMethod = "/grpc.health.v1.Health/Watch"
)

// fakeHealth is a health server whose answers the test chooses by the
// service name it asks about (see answer), or by its own functions.
type fakeHealth struct {
	healthpb.UnimplementedHealthServer
	check func(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error)
	watch func(req *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error

	checks, watches atomic.Int64
	entered         chan string // receives the service of each call that blocks, if not nil
}

var serving = &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVING}

func (h *fakeHealth) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	h.checks.Add(1)
	if h.check != nil {
		return h.check(ctx, req)
	}
	if err := h.answer(ctx, req.GetService()); err != nil {
		return nil, err
	}
	return serving, nil
}

func (h *fakeHealth) Watch(req *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error {
	h.watches.Add(1)
	if h.watch != nil {
		return h.watch(req, stream)
	}
	n, spec := 0, req.GetService()
	for part := range strings.SplitSeq(spec, ",") {
		if v, ok := strings.CutPrefix(part, "send:"); ok {
			n, _ = strconv.Atoi(v)
		}
	}
	for range n {
		if err := stream.Send(serving); err != nil {
			return err
		}
	}
	return h.answer(stream.Context(), spec)
}

// answer reads a comma-separated spec: "code:N" ends the call with status
// code N, "block" waits for the call's context to end (after telling
// entered), "send:N" is the number of messages Watch sends first.
func (h *fakeHealth) answer(ctx context.Context, spec string) error {
	for part := range strings.SplitSeq(spec, ",") {
		switch {
		case part == "block":
			if h.entered != nil {
				h.entered <- spec
			}
			<-ctx.Done()
			return status.FromContextError(ctx.Err()).Err()
		case strings.HasPrefix(part, "code:"):
			n, _ := strconv.Atoi(strings.TrimPrefix(part, "code:"))
			return status.Errorf(codes.Code(n), "answered %v", codes.Code(n))
		}
	}
	return nil
}

// env is a test's own gRPC server on loopback, a client connection to it
// through the interceptors, and the registry they use, on a manual clock
// that starts at the real time, so that deadlines gRPC sends are real ones.
type env struct {
	reg    *hystrix.Registry
	clk    *hystrixtest.Clock
	srv    *fakeHealth
	conn   *grpc.ClientConn
	client healthpb.HealthClient
	addr   string
}

type envConfig struct {
	opts   []hystrixgrpc.Option
	unary  []grpc.UnaryClientInterceptor  // chained after the interceptor
	stream []grpc.StreamClientInterceptor // chained after the interceptor
}

func newEnv(t *testing.T, srv *fakeHealth, cfg envConfig) *env {
	t.Helper()
	if srv == nil {
		srv = &fakeHealth{}
	}
	clk := hystrixtest.NewClock(time.Now())
	reg, _ := hystrixtest.NewRegistry(t, hystrix.WithClock(clk))
	e := &env{reg: reg, clk: clk, srv: srv}

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer()
	healthpb.RegisterHealthServer(gs, srv)
	gs.RegisterService(&echoDesc, nil)
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	e.addr = lis.Addr().String()

	ic, err := hystrixgrpc.New(append([]hystrixgrpc.Option{hystrixgrpc.WithRegistry(reg)}, cfg.opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	e.conn = e.dial(t, ic, cfg)
	e.client = healthpb.NewHealthClient(e.conn)
	return e
}

// dial makes a connection of its own to the env's server through ic.
func (e *env) dial(t *testing.T, ic *hystrixgrpc.Interceptor, cfg envConfig) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+e.addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(append([]grpc.UnaryClientInterceptor{ic.Unary}, cfg.unary...)...),
		grpc.WithChainStreamInterceptor(append([]grpc.StreamClientInterceptor{ic.Stream}, cfg.stream...)...),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// configure sets a command's config; a test's config is refused only by
// the test's mistake.
func (e *env) configure(t *testing.T, name string, cfg hystrix.CommandConfig) {
	t.Helper()
	if err := e.reg.TryConfigureCommand(name, cfg); err != nil {
		t.Fatal(err)
	}
}

// circuit returns the command's circuit.
func (e *env) circuit(t *testing.T, name string) *hystrix.CircuitBreaker {
	t.Helper()
	c, _, err := e.reg.GetCircuit(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// check calls Check for the spec, with a deadline the tests never reach.
func (e *env) check(t *testing.T, spec string) (*healthpb.HealthCheckResponse, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return e.client.Check(ctx, &healthpb.HealthCheckRequest{Service: spec})
}

// eventually waits, up to a bound the tests never reach when all is well,
// for cond to hold: for what happens on other goroutines, such as the end
// of a stream's execution after its last message.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// counts are the counts of a circuit that the tests compare.
type counts struct {
	Successes, Failures, Timeouts, Rejections, ShortCircuits, BadRequests int64
	Canceled, DeadlineExceeded                                            int64
	FallbackSuccesses, FallbackFailures                                   int64
}

func (e *env) counts(t *testing.T, name string) counts {
	t.Helper()
	c := e.circuit(t, name)
	now := e.clk.Now()
	pc := c.Counts(now)
	m := c.Metrics()
	return counts{
		Successes: pc.Successes, Failures: pc.Failures, Timeouts: pc.Timeouts,
		Rejections: pc.Rejections, ShortCircuits: pc.ShortCircuits, BadRequests: pc.BadRequests,
		Canceled:          int64(m.ContextCanceled().Sum(now)),
		DeadlineExceeded:  int64(m.ContextDeadlineExceeded().Sum(now)),
		FallbackSuccesses: int64(m.FallbackSuccesses().Sum(now)),
		FallbackFailures:  int64(m.FallbackFailures().Sum(now)),
	}
}

// isolations are both places a run may execute; tests that depend on it
// run in each.
var isolations = []hystrix.Isolation{hystrix.CallerIsolation, hystrix.GoroutineIsolation}

// noTimeout is a config with no timeout, for tests where time does not
// matter.
func noTimeout(iso hystrix.Isolation) hystrix.CommandConfig {
	return hystrix.CommandConfig{Timeout: -1, Isolation: iso}
}
