package hystrixhttp_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrixhttp"
)

func newHandler(t *testing.T, next http.Handler, opts ...hystrixhttp.HandlerOption) *hystrixhttp.Handler {
	t.Helper()
	h, err := hystrixhttp.NewHandler(next, opts...)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	return h
}

// get fetches url with a client whose connections the test closes, and
// returns the status, the Retry-After header and the body.
func get(t *testing.T, url string) (int, string, string) {
	t.Helper()
	client := &http.Client{Transport: newBase(t)}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

func TestHandlerClassifiesItsHandlersStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code int // 0: writes nothing
		want counts
	}{
		{0, counts{Successes: 1}},
		{200, counts{Successes: 1}},
		{404, counts{BadRequests: 1}},
		{500, counts{Failures: 1}},
		{503, counts{Failures: 1}},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			srv := newServer(t, newHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.code != 0 {
					w.WriteHeader(tc.code)
					fmt.Fprint(w, "from handler")
				}
			}), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("api")).ServeHTTP)
			code, _, body := get(t, srv.URL)
			want, wantBody := tc.code, "from handler"
			if want == 0 {
				want, wantBody = 200, ""
			}
			if code != want || body != wantBody {
				t.Errorf("got %d %q, want the handler's %d %q", code, body, want, wantBody)
			}
			if got := countsOf(t, reg, "api"); got != tc.want {
				t.Errorf("counts = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// opened returns a registry whose command "api" opened at the clock's
// start, with a 5s sleep window, and a handler that fails.
func openedHandler(t *testing.T, opts ...hystrixhttp.HandlerOption) (*hystrixtest.Clock, *httptest.Server, *hystrix.Registry) {
	t.Helper()
	reg, clk := hystrixtest.NewRegistry(t)
	reg.ConfigureCommand("api", hystrix.CommandConfig{RequestVolumeThreshold: 1, ErrorPercentThreshold: 50, SleepWindow: 5000})
	failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	})
	h := newHandler(t, failing, append([]hystrixhttp.HandlerOption{hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("api")}, opts...)...)
	srv := newServer(t, h.ServeHTTP)
	if code, _, _ := get(t, srv.URL); code != 500 {
		t.Fatalf("first request got %d, want the handler's 500", code)
	}
	cb, _, _ := reg.GetCircuit("api")
	if cb.State() != hystrix.StateOpen {
		t.Fatalf("circuit %v after a failure, want open", cb.State())
	}
	return clk, srv, reg
}

func TestHandlerOpenCircuitAnswers503WithRetryAfter(t *testing.T) {
	t.Parallel()
	clk, srv, reg := openedHandler(t)
	for _, tc := range []struct {
		after time.Duration
		want  string
	}{
		{0, "5"},
		{2500 * time.Millisecond, "3"},
		{4900 * time.Millisecond, "1"},
	} {
		clk.Set(hystrixtest.Epoch.Add(tc.after))
		code, retry, _ := get(t, srv.URL)
		if code != http.StatusServiceUnavailable || retry != tc.want {
			t.Errorf("%v after opening: %d with Retry-After %q, want 503 with %q", tc.after, code, retry, tc.want)
		}
	}
	if got := countsOf(t, reg, "api"); got.ShortCircuits != 3 {
		t.Errorf("counts = %+v, want 3 short circuits", got)
	}
}

func TestHandlerFallbackServesRefusedRequests(t *testing.T) {
	t.Parallel()
	fallback := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "degraded: %v", errors.Is(hystrixhttp.FallbackCause(r), hystrix.ErrCircuitOpen))
	})
	_, srv, reg := openedHandler(t, hystrixhttp.WithFallbackHandler(fallback))
	code, retry, body := get(t, srv.URL)
	if code != 200 || retry != "" || body != "degraded: true" {
		t.Errorf("got %d %q (Retry-After %q), want the fallback's answer", code, body, retry)
	}
	if got := countsOf(t, reg, "api"); got.FallbackSuccesses != 1 {
		t.Errorf("counts = %+v, want a fallback success", got)
	}
}

func TestHandlerTimeoutAnswers503WhenTheHandlerWroteNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		fallback http.Handler
		want     int
	}{
		{"no fallback", nil, http.StatusServiceUnavailable},
		{"fallback", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if errors.Is(hystrixhttp.FallbackCause(r), hystrix.ErrTimeout) {
				w.WriteHeader(http.StatusAccepted)
			}
		}), http.StatusAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg, clk := hystrixtest.NewRegistry(t)
			reg.ConfigureCommand("api", hystrix.CommandConfig{Timeout: 1000})
			entered := make(chan struct{})
			slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(entered)
				<-r.Context().Done() // the timeout ends it
			})
			opts := []hystrixhttp.HandlerOption{hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("api")}
			if tc.fallback != nil {
				opts = append(opts, hystrixhttp.WithFallbackHandler(tc.fallback))
			}
			srv := newServer(t, newHandler(t, slow, opts...).ServeHTTP)
			go func() {
				<-entered
				clk.Add(time.Second)
			}()
			if code, _, _ := get(t, srv.URL); code != tc.want {
				t.Errorf("got %d, want %d", code, tc.want)
			}
			if got := countsOf(t, reg, "api"); got.Timeouts != 1 {
				t.Errorf("counts = %+v, want a timeout", got)
			}
		})
	}
}

func TestHandlerPanicIsAFailureAndRaisedAgain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		value any
	}{
		{"value", "boom"},
		{"abort", http.ErrAbortHandler},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			h := newHandler(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(tc.value) }),
				hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("api"))
			got := func() (v any) {
				defer func() { v = recover() }()
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
				return nil
			}()
			if tc.value == http.ErrAbortHandler {
				if got != http.ErrAbortHandler {
					t.Errorf("recovered %v, want http.ErrAbortHandler itself", got)
				}
			} else {
				err, _ := got.(error)
				var pe *hystrix.PanicError
				if !errors.As(err, &pe) || pe.Value != tc.value || len(pe.Stack) == 0 {
					t.Errorf("recovered %#v, want an error holding the *hystrix.PanicError", got)
				}
			}
			if c := countsOf(t, reg, "api"); c != (counts{Failures: 1}) {
				t.Errorf("counts = %+v, want one failure", c)
			}
		})
	}
}

func TestHandlerKeepsFlushingAndHijackingWorking(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	proceed := make(chan struct{})
	streaming := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, "first;")
		w.(http.Flusher).Flush()
		<-proceed
		fmt.Fprint(w, "second")
	})
	srv := newServer(t, newHandler(t, streaming, hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("api")).ServeHTTP)
	client := &http.Client{Transport: newBase(t)}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("first;"))
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first;" {
		t.Fatalf("before the handler ended, read %q, %v", first, err)
	}
	close(proceed)
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != "second" {
		t.Errorf("rest = %q", rest)
	}

	hijacking := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nraw ok")
		brw.Flush()
	})
	srv2 := newServer(t, newHandler(t, hijacking, hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("raw")).ServeHTTP)
	if code, _, body := get(t, srv2.URL); code != 200 || body != "raw ok" {
		t.Errorf("hijacked answer %d %q", code, body)
	}
	// net/http may end the request's context once the connection is
	// hijacked, which hystrix counts as a cancellation; never a failure.
	if c := countsOf(t, reg, "raw"); c.Failures != 0 {
		t.Errorf("counts = %+v, want no failure for the hijacking handler", c)
	}
}

func TestHandlerNamesCommandsByRoutePattern(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	mux := http.NewServeMux()
	mux.Handle("GET /items/{id}", hystrixhttp.Middleware(ok, hystrixhttp.WithRegistry(reg)))
	srv := newServer(t, mux.ServeHTTP)
	get(t, srv.URL+"/items/1")
	get(t, srv.URL+"/items/2")
	plain := newServer(t, hystrixhttp.Middleware(ok, hystrixhttp.WithRegistry(reg)).ServeHTTP)
	get(t, plain.URL+"/anything")
	for name, want := range map[string]int64{"GET /items/{id}": 2, hystrixhttp.ServerCommand: 1} {
		if c := countsOf(t, reg, name); c.Successes != want {
			t.Errorf("%q: counts %+v, want %d successes", name, c, want)
		}
	}
	if n := len(reg.Circuits()); n != 2 {
		t.Errorf("%d circuits, want 2", n)
	}
}

func TestNewHandlerRefusesBadInput(t *testing.T) {
	t.Parallel()
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, tc := range []struct {
		name string
		next http.Handler
		opt  hystrixhttp.HandlerOption
	}{
		{"nil handler", nil, hystrixhttp.WithCommand("x")},
		{"nil option", ok, nil},
		{"nil registry", ok, hystrixhttp.WithRegistry(nil)},
		{"nil classifier", ok, hystrixhttp.WithStatusClassifier(nil)},
		{"nil fallback", ok, hystrixhttp.WithFallbackHandler(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := hystrixhttp.NewHandler(tc.next, tc.opt); !errors.Is(err, hystrixhttp.ErrInvalidOption) {
				t.Errorf("NewHandler = %v, want ErrInvalidOption", err)
			}
		})
	}
	defer func() {
		if v := recover(); v == nil {
			t.Error("Middleware(nil) did not panic")
		}
	}()
	hystrixhttp.Middleware(nil)
}
