package hystrixgrpc_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrixgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// startServer serves gRPC's own health service on loopback, where
// "inventory" is SERVING and any other service is unknown (NotFound).
func startServer() (addr string, hs *health.Server, stop func()) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	hs = health.NewServer()
	hs.SetServingStatus("inventory", healthpb.HealthCheckResponse_SERVING)
	gs := grpc.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	go func() { _ = gs.Serve(lis) }()
	return lis.Addr().String(), hs, gs.Stop
}

func ExampleNew() {
	addr, _, stop := startServer()
	defer stop()

	reg := hystrix.NewRegistry() // or leave WithRegistry out for the default one
	defer reg.Flush()
	reg.ConfigureCommand("/grpc.health.v1.Health/Check", hystrix.CommandConfig{
		Timeout:   500, // milliseconds
		Isolation: hystrix.CallerIsolation,
	})

	ic, err := hystrixgrpc.New(hystrixgrpc.WithRegistry(reg))
	if err != nil {
		panic(err)
	}
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(ic.Unary),
		grpc.WithChainStreamInterceptor(ic.Stream))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	ctx := context.Background()

	resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: "inventory"})
	fmt.Println(resp.GetStatus(), err)
	_, err = client.Check(ctx, &healthpb.HealthCheckRequest{Service: "billing"})
	fmt.Println(status.Code(err)) // the caller's mistake: a bad request

	c, _, _ := reg.GetCircuit("/grpc.health.v1.Health/Check")
	n := c.Counts(time.Now())
	fmt.Println("successes:", n.Successes, "failures:", n.Failures, "bad requests:", n.BadRequests, "state:", c.State())
	// Output:
	// SERVING <nil>
	// NotFound
	// successes: 1 failures: 0 bad requests: 1 state: closed
}

func ExampleUnaryClientInterceptor() {
	addr, _, stop := startServer()
	defer stop()
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	reg.ConfigureCommand("/grpc.health.v1.Health/Check", hystrix.CommandConfig{ForceOpen: true})

	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(hystrixgrpc.UnaryClientInterceptor(hystrixgrpc.WithRegistry(reg))))
	if err != nil {
		panic(err)
	}
	defer conn.Close()

	_, err = healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: "inventory"})
	fmt.Println(status.Code(err))
	fmt.Println(errors.Is(err, hystrix.ErrCircuitOpen))
	fmt.Println(err)
	// Output:
	// Unavailable
	// true
	// rpc error: code = Unavailable desc = command "/grpc.health.v1.Health/Check": hystrix: circuit open
}

func ExampleStreamClientInterceptor() {
	addr, hs, stop := startServer()
	defer stop()
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	// A stream is one execution for as long as it is open: a watch needs no
	// timeout.
	reg.ConfigureCommand("/grpc.health.v1.Health/Watch", hystrix.CommandConfig{Timeout: -1})

	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStreamInterceptor(hystrixgrpc.StreamClientInterceptor(hystrixgrpc.WithRegistry(reg))))
	if err != nil {
		panic(err)
	}
	defer conn.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // ends the stream, and its execution, as a cancellation
	stream, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{Service: "inventory"})
	if err != nil {
		panic(err)
	}
	resp, err := stream.Recv()
	fmt.Println(resp.GetStatus(), err)
	hs.SetServingStatus("inventory", healthpb.HealthCheckResponse_NOT_SERVING)
	resp, err = stream.Recv()
	fmt.Println(resp.GetStatus(), err)
	c, _, _ := reg.GetCircuit("/grpc.health.v1.Health/Watch")
	fmt.Println("open streams:", c.ActiveCount())
	// Output:
	// SERVING <nil>
	// NOT_SERVING <nil>
	// open streams: 1
}

func ExampleWithUnaryFallback() {
	addr, _, stop := startServer()
	defer stop()
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	reg.ConfigureCommand("/grpc.health.v1.Health/Check", hystrix.CommandConfig{ForceOpen: true})

	cached := hystrixgrpc.WithUnaryFallback(func(ctx context.Context, method string, req, reply any, err error) error {
		fmt.Println("fallback for", method, "after", status.Code(err))
		reply.(*healthpb.HealthCheckResponse).Status = healthpb.HealthCheckResponse_SERVING
		return nil
	})
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(hystrixgrpc.UnaryClientInterceptor(hystrixgrpc.WithRegistry(reg), cached)))
	if err != nil {
		panic(err)
	}
	defer conn.Close()

	resp, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: "inventory"})
	fmt.Println(resp.GetStatus(), err)
	// Output:
	// fallback for /grpc.health.v1.Health/Check after Unavailable
	// SERVING <nil>
}

func ExampleWithStreamFallback() {
	addr, _, stop := startServer()
	defer stop()
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	reg.ConfigureCommand("/grpc.health.v1.Health/Watch", hystrix.CommandConfig{ForceOpen: true})

	paused := hystrixgrpc.WithStreamFallback(func(ctx context.Context, desc *grpc.StreamDesc, method string, err error) (grpc.ClientStream, error) {
		return nil, status.Error(codes.FailedPrecondition, "watching is paused")
	})
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStreamInterceptor(hystrixgrpc.StreamClientInterceptor(hystrixgrpc.WithRegistry(reg), paused)))
	if err != nil {
		panic(err)
	}
	defer conn.Close()

	_, err = healthpb.NewHealthClient(conn).Watch(context.Background(), &healthpb.HealthCheckRequest{Service: "inventory"})
	fmt.Println(status.Code(err))                       // the fallback's code
	fmt.Println(errors.Is(err, hystrix.ErrCircuitOpen)) // and why it ran
	// Output:
	// FailedPrecondition
	// true
}

func ExampleWithClassifier() {
	addr, _, stop := startServer()
	defer stop()
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	reg.ConfigureCommand("/grpc.health.v1.Health/Check", hystrix.CommandConfig{
		Trip: hystrix.TripConfig{ConsecutiveFailures: 1}, // the second failure in a row opens
	})

	// Here an unknown service means a broken deployment, not a bad request.
	notFoundFails := hystrixgrpc.WithClassifier(func(err error) hystrixgrpc.Outcome {
		if status.Code(err) == codes.NotFound {
			return hystrixgrpc.Failure
		}
		return hystrixgrpc.DefaultClassifier(err)
	})
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(hystrixgrpc.UnaryClientInterceptor(hystrixgrpc.WithRegistry(reg), notFoundFails)))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)

	for range 3 {
		_, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "billing"})
		fmt.Println(status.Code(err), errors.Is(err, hystrix.ErrCircuitOpen))
	}
	// Output:
	// NotFound false
	// NotFound false
	// Unavailable true
}

func ExampleWithCommandName() {
	addr, _, stop := startServer()
	defer stop()
	reg := hystrix.NewRegistry()
	defer reg.Flush()

	// One circuit for the whole service; other methods keep their own.
	perService := hystrixgrpc.WithCommandName(func(method string) string {
		if strings.HasPrefix(method, "/grpc.health.v1.Health/") {
			return "health"
		}
		return ""
	})
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(hystrixgrpc.UnaryClientInterceptor(hystrixgrpc.WithRegistry(reg), perService)))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	_, _ = client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: "inventory"})
	_, _ = client.List(context.Background(), &healthpb.HealthListRequest{})

	for _, c := range reg.Circuits() {
		requests, _ := c.Executions(time.Now())
		fmt.Println(c.Name, requests)
	}
	// Output:
	// health 2
}

func ExampleDefaultClassifier() {
	for _, err := range []error{
		status.Error(codes.NotFound, "no such user"),
		status.Error(codes.Unavailable, "connection refused"),
		status.Error(codes.ResourceExhausted, "overloaded"),
		errors.New("not a status"),
	} {
		fmt.Printf("%v: %v\n", status.Code(err), hystrixgrpc.DefaultClassifier(err))
	}
	// Output:
	// NotFound: bad request
	// Unavailable: failure
	// ResourceExhausted: failure
	// Unknown: failure
}

func ExampleError() {
	addr, _, stop := startServer()
	defer stop()
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	reg.ConfigureCommand("/grpc.health.v1.Health/Check", hystrix.CommandConfig{ForceOpen: true})

	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(hystrixgrpc.UnaryClientInterceptor(hystrixgrpc.WithRegistry(reg))))
	if err != nil {
		panic(err)
	}
	defer conn.Close()

	_, err = healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	var he *hystrixgrpc.Error
	if errors.As(err, &he) {
		fmt.Println(he.Command, he.Code, he.Err)
	}
	s, _ := status.FromError(err)
	fmt.Println(s.Code(), s.Message())
	// Output:
	// /grpc.health.v1.Health/Check Unavailable hystrix: circuit open
	// Unavailable command "/grpc.health.v1.Health/Check": hystrix: circuit open
}
