// Package hystrixhttp runs net/http traffic through hystrix commands: a
// Transport (an http.RoundTripper) sends each outgoing request as one
// execution, and a Handler (made by Middleware) serves each incoming
// request as one, so that a failing dependency, or a failing route, gets a
// circuit breaker, a concurrency limit, a timeout and rolling metrics.
//
// It uses only the standard library and the hystrix packages.
//
// # Clients
//
//	tr, err := hystrixhttp.NewTransport(http.DefaultTransport,
//		hystrixhttp.WithRegistry(reg), // default: hystrix.DefaultRegistry()
//	)
//	if err != nil {
//		return err
//	}
//	client := &http.Client{Transport: tr}
//
// A request's command is named after its host ("api.example.com:8443")
// unless WithCommand or WithCommandName says otherwise, and configured as
// any other:
//
//	reg.ConfigureCommand("api.example.com:8443", hystrix.CommandConfig{
//		Timeout:   800, // milliseconds, until the response's headers
//		Isolation: hystrix.CallerIsolation,
//	})
//
// Caller isolation suits net/http: its transport returns when the request's
// context ends, so a goroutine per request buys nothing.
//
// The request the base transport sends carries a deadline, the earlier of
// the caller's and the command's timeout, and ends when hystrix gives the
// execution up. The execution ends with the response's headers; the body
// is read after RoundTrip returns, still within the deadline, and stays
// readable until the caller reads it to the end or closes it. A transport
// error and a 5xx response are failures, a 4xx response a bad request that
// does not count against health (see DefaultClassifier and WithClassifier).
// Without a fallback the caller gets the response, 5xx included, as it
// came; a refused or timed-out request gets an error for which errors.Is
// holds with hystrix.ErrCircuitOpen, hystrix.ErrMaxConcurrency or
// hystrix.ErrTimeout. With a fallback (WithFallback), its answer replaces
// failures, refusals and timeouts, and the responses it replaces are
// drained and closed, so their connections are reused.
//
// # Servers
//
//	mux.Handle("GET /orders/{id}", hystrixhttp.Middleware(orders,
//		hystrixhttp.WithRegistry(reg)))
//
// A wrapped route's command is named after its pattern ("GET
// /orders/{id}"); a handler outside a ServeMux runs as ServerCommand unless
// named with WithCommand or WithCommandName. A 5xx answer is a failure, a
// 4xx a bad request (see DefaultStatusClassifier and WithStatusClassifier),
// and the client gets the handler's answer as it wrote it. While the
// circuit refuses, clients get 503 Service Unavailable with Retry-After, or
// the answer of the fallback handler (WithFallbackHandler), which
// FallbackCause tells why it runs. A panic in the handler counts as a
// failure and is raised again for the server to handle.
//
// # Tests
//
// A registry on a manual clock (hystrixtest.NewRegistry) works as the
// default one does: the deadline a request carries is in wall-clock time,
// while the command's timeout fires when the manual clock reaches it.
package hystrixhttp
