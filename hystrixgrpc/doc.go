// Package hystrixgrpc runs gRPC client calls as hystrix commands: each
// method (or each group of methods, see WithCommandName) gets a circuit
// breaker, a concurrency limit, a timeout and rolling metrics, and calls
// to a failing server are refused at once until probes find it healthy.
//
// It is a module of its own, github.com/gohystrix/hystrix-go/hystrixgrpc,
// so that programs that use hystrix without gRPC never depend on gRPC.
//
//	ic, err := hystrixgrpc.New(
//		hystrixgrpc.WithRegistry(reg), // default: hystrix.DefaultRegistry()
//	)
//	if err != nil {
//		return err
//	}
//	conn, err := grpc.NewClient(target,
//		grpc.WithTransportCredentials(insecure.NewCredentials()),
//		grpc.WithChainUnaryInterceptor(ic.Unary),
//		grpc.WithChainStreamInterceptor(ic.Stream))
//
// Commands are configured as any other, by name, which is the full method
// by default:
//
//	reg.ConfigureCommand("/shop.Inventory/Reserve", hystrix.CommandConfig{
//		Timeout:               300, // milliseconds
//		MaxConcurrentRequests: 50,
//		Isolation:             hystrix.CallerIsolation,
//	})
//
// Caller isolation suits gRPC well: the invoker ends when its context does,
// so a separate goroutine per call buys nothing.
//
// # What counts
//
// A call's status code decides what it says about the server (see
// DefaultClassifier, and WithClassifier to change it): the caller's
// mistakes (InvalidArgument, NotFound, AlreadyExists, PermissionDenied,
// Unauthenticated, ...) are bad requests, which reach the caller as they
// are, run no fallback and leave the circuit alone; the server's trouble
// (Unavailable, DeadlineExceeded, ResourceExhausted, Internal, ...) are
// failures. A call that ends because the caller's own context ended is
// counted as cancelled, neither a success nor a failure.
//
// # Errors
//
// The caller gets the server's errors as gRPC returned them. When hystrix
// ends a call itself, the caller gets an *Error, a status error that
// errors.Is matches with hystrix's errors: codes.Unavailable for
// hystrix.ErrCircuitOpen and hystrix.ErrMaxConcurrency, whose calls never
// reached the server, and codes.DeadlineExceeded for hystrix.ErrTimeout.
//
// # Streams
//
// A stream is one execution from its start until it ends (see
// Interceptor.Stream): it holds a concurrency ticket while it is open, its
// end (io.EOF or the final status) is the outcome, and the command's
// timeout bounds the whole stream. A stream its caller lets go of
// without cancelling it is cancelled once it is garbage, so it leaves
// neither a ticket nor a goroutine behind.
//
// # Tests
//
// A registry on a manual clock (hystrixtest.NewRegistry) works as the
// default one does: the deadline the invoker's context carries, and gRPC
// sends, is in wall-clock time, while the command's timeout fires when the
// manual clock reaches it.
package hystrixgrpc
