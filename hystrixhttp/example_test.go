package hystrixhttp_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrixhttp"
)

// A client whose requests to one service run as the command "inventory":
// a 5xx reaches the caller and counts as a failure; once the circuit is
// open, requests fail at once with hystrix.ErrCircuitOpen.
func ExampleNewTransport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database down", http.StatusInternalServerError)
	}))
	defer srv.Close()

	reg := hystrix.NewRegistry()
	defer reg.Flush()
	reg.ConfigureCommand("inventory", hystrix.CommandConfig{
		Timeout:                500, // milliseconds
		RequestVolumeThreshold: 2,
		ErrorPercentThreshold:  50,
		Isolation:              hystrix.CallerIsolation,
	})
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	tr, err := hystrixhttp.NewTransport(base,
		hystrixhttp.WithRegistry(reg),
		hystrixhttp.WithCommand("inventory"))
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: tr}

	for range 3 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			fmt.Println("open:", errors.Is(err, hystrix.ErrCircuitOpen))
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%d %s", resp.StatusCode, body)
	}
	// Output:
	// 500 database down
	// 500 database down
	// open: true
}

// A fallback answers for a failing service with a response of its own.
func ExampleWithFallback() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()

	reg := hystrix.NewRegistry()
	defer reg.Flush()
	cached := func(req *http.Request, cause error) (*http.Response, error) {
		fmt.Println("fallback because:", cause)
		return &http.Response{
			StatusCode: http.StatusOK,
			Header:     http.Header{"X-Cache": {"hit"}},
			Body:       io.NopCloser(strings.NewReader("cached price list")),
			Request:    req,
		}, nil
	}
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	tr, err := hystrixhttp.NewTransport(base,
		hystrixhttp.WithRegistry(reg),
		hystrixhttp.WithCommand("prices"),
		hystrixhttp.WithFallback(cached))
	if err != nil {
		panic(err)
	}
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("X-Cache"), string(body))
	// Output:
	// fallback because: hystrixhttp: status 502 Bad Gateway
	// 200 hit cached price list
}

// A classifier that counts 429 Too Many Requests against the server.
func ExampleWithClassifier() {
	classify := func(resp *http.Response, err error) hystrixhttp.Outcome {
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			return hystrixhttp.Failure
		}
		return hystrixhttp.DefaultClassifier(resp, err)
	}
	for _, code := range []int{200, 404, 429, 500} {
		fmt.Println(code, classify(&http.Response{StatusCode: code}, nil))
	}
	// Output:
	// 200 success
	// 404 bad request
	// 429 failure
	// 500 failure
}

// Each route's handler runs as a command named after its pattern; while
// its circuit is open, clients get 503 with Retry-After.
func ExampleMiddleware() {
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	reg.ConfigureCommand("GET /orders/{id}", hystrix.CommandConfig{ForceOpen: true, SleepWindow: 3000})

	mux := http.NewServeMux()
	orders := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "order %s", r.PathValue("id"))
	})
	mux.Handle("GET /orders/{id}", hystrixhttp.Middleware(orders, hystrixhttp.WithRegistry(reg)))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/orders/7", nil))
	fmt.Println(rec.Code, rec.Header().Get("Retry-After"))
	// Output:
	// 503 3
}

// A fallback handler serves a degraded answer while the circuit refuses
// requests; FallbackCause says why it runs.
func ExampleWithFallbackHandler() {
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	reg.ConfigureCommand("search", hystrix.CommandConfig{ForceOpen: true})

	search := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "full results")
	})
	degraded := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "popular results (%v)", hystrixhttp.FallbackCause(r))
	})
	h := hystrixhttp.Middleware(search,
		hystrixhttp.WithRegistry(reg),
		hystrixhttp.WithCommand("search"),
		hystrixhttp.WithFallbackHandler(degraded))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/search?q=go", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 popular results (hystrix: circuit open)
}

// NewHandler reports options it cannot use.
func ExampleNewHandler() {
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	_, err := hystrixhttp.NewHandler(ok, hystrixhttp.WithCommand(""))
	fmt.Println(errors.Is(err, hystrixhttp.ErrInvalidOption))
	// Output:
	// true
}

// A status classifier for a handler whose 501 answers are deliberate.
func ExampleWithStatusClassifier() {
	classify := func(status int) hystrixhttp.Outcome {
		if status == http.StatusNotImplemented {
			return hystrixhttp.BadRequest
		}
		return hystrixhttp.DefaultStatusClassifier(status)
	}
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	h := hystrixhttp.Middleware(http.NotFoundHandler(), hystrixhttp.WithRegistry(reg),
		hystrixhttp.WithCommand("legacy"), hystrixhttp.WithStatusClassifier(classify))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(rec.Code, classify(501), classify(502))
	// Output:
	// 404 bad request failure
}

// Requests are grouped into commands by a function of the request: here
// one circuit per API version of a service.
func ExampleWithCommandName() {
	byVersion := func(r *http.Request) string {
		version, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		return r.URL.Host + " " + version
	}
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	ok := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
	})
	tr, err := hystrixhttp.NewTransport(ok, hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommandName(byVersion))
	if err != nil {
		panic(err)
	}
	for _, u := range []string{"http://shop.internal/v1/cart", "http://shop.internal/v2/cart", "http://shop.internal/v2/items"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
	}
	for _, cb := range reg.Circuits() {
		fmt.Println(cb.Name)
	}
	// Unordered output:
	// shop.internal v1
	// shop.internal v2
}

// FallbackCause tells a fallback handler why it is serving a request.
func ExampleFallbackCause() {
	reg := hystrix.NewRegistry()
	defer reg.Flush()
	reg.ConfigureCommand("busy", hystrix.CommandConfig{ForceOpen: true})
	fallback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if errors.Is(hystrixhttp.FallbackCause(r), hystrix.ErrCircuitOpen) {
			w.Header().Set("Retry-After", "30")
		}
		http.Error(w, "try later", http.StatusServiceUnavailable)
	})
	h := hystrixhttp.Middleware(http.NotFoundHandler(), hystrixhttp.WithRegistry(reg),
		hystrixhttp.WithCommand("busy"), hystrixhttp.WithFallbackHandler(fallback))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(rec.Code, rec.Header().Get("Retry-After"))
	// Output:
	// 503 30
}
