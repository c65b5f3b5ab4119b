package hystrixhttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrixhttp"
)

var isolations = []hystrix.Isolation{hystrix.GoroutineIsolation, hystrix.CallerIsolation}

// statusServer answers with the status in the path's last element and a
// body naming it.
func statusServer(t *testing.T) *httptest.Server {
	t.Helper()
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:])
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d", code)
	})
}

func newTransport(t *testing.T, base http.RoundTripper, opts ...hystrixhttp.TransportOption) *hystrixhttp.Transport {
	t.Helper()
	tr, err := hystrixhttp.NewTransport(base, opts...)
	if err != nil {
		t.Fatalf("NewTransport: %v", err)
	}
	return tr
}

func TestTransportClassifiesResponsesByStatusAndHandsThemOver(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code int
		want counts
	}{
		{200, counts{Successes: 1}},
		{302, counts{Successes: 1}},
		{404, counts{BadRequests: 1}},
		{429, counts{BadRequests: 1}},
		{500, counts{Failures: 1}},
		{503, counts{Failures: 1}},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			srv := statusServer(t)
			client := &http.Client{
				Transport:     newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc")),
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			}
			resp, err := client.Get(srv.URL + "/" + strconv.Itoa(tc.code))
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != tc.code || string(b) != fmt.Sprintf("status %d", tc.code) {
				t.Fatalf("got %d %q (%v), want %d and its body", resp.StatusCode, b, err, tc.code)
			}
			if got := countsOf(t, reg, "svc"); got != tc.want {
				t.Errorf("counts = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestTransportErrorIsAFailureAndReachesTheCaller(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	srv := newServer(t, func(http.ResponseWriter, *http.Request) {})
	url := srv.URL
	srv.Close() // nothing listens there any more
	client := &http.Client{Transport: newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"))}
	_, err := client.Get(url)
	if err == nil || errors.Is(err, hystrix.ErrCircuitOpen) {
		t.Fatalf("Get = %v, want the dial error", err)
	}
	if got := countsOf(t, reg, "svc"); got != (counts{Failures: 1}) {
		t.Errorf("counts = %+v, want one failure", got)
	}
}

// slowBodyServer writes its headers at once, then its body in parts, a
// little apart.
func slowBodyServer(t *testing.T) *httptest.Server {
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for i := range 3 {
			time.Sleep(20 * time.Millisecond)
			fmt.Fprintf(w, "part%d;", i)
			w.(http.Flusher).Flush()
		}
	})
}

func TestTransportBodyStaysReadableAfterRoundTripReturns(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			reg.ConfigureCommand("svc", hystrix.CommandConfig{Timeout: 10000, Isolation: iso})
			srv := slowBodyServer(t)
			tr := newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"))
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			defer resp.Body.Close()
			// The execution is over: hystrix has ended the context it
			// gave the run.
			b, err := io.ReadAll(resp.Body)
			if err != nil || string(b) != "part0;part1;part2;" {
				t.Fatalf("body = %q, %v; want all three parts", b, err)
			}
			if got := countsOf(t, reg, "svc"); got != (counts{Successes: 1}) {
				t.Errorf("counts = %+v, want one success", got)
			}
		})
	}
}

func TestTransportRequestContextCarriesTheTimeout(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	reg.ConfigureCommand("svc", hystrix.CommandConfig{Timeout: 3000})
	var got time.Duration
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		dl, ok := req.Context().Deadline()
		if !ok {
			return nil, errors.New("no deadline")
		}
		got = time.Until(dl)
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
	})
	tr := newTransport(t, base, hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"))
	req, _ := http.NewRequest(http.MethodGet, "http://svc.invalid/", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	resp.Body.Close()
	if got <= 2*time.Second || got > 3*time.Second {
		t.Errorf("deadline %v away, want about the 3s timeout", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func TestTransportTimeoutFailsTheRequestAndCancelsIt(t *testing.T) {
	t.Parallel()
	for _, iso := range isolations {
		t.Run(iso.String(), func(t *testing.T) {
			t.Parallel()
			reg, clk := hystrixtest.NewRegistry(t)
			reg.ConfigureCommand("svc", hystrix.CommandConfig{Timeout: 1000, Isolation: iso})
			entered, canceled := make(chan struct{}), make(chan struct{})
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				close(entered)
				<-r.Context().Done()
				close(canceled)
			})
			client := &http.Client{Transport: newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"))}
			errc := make(chan error, 1)
			go func() {
				resp, err := client.Get(srv.URL)
				if err == nil {
					resp.Body.Close()
				}
				errc <- err
			}()
			<-entered
			clk.Add(time.Second)
			if err := <-errc; !errors.Is(err, hystrix.ErrTimeout) {
				t.Fatalf("Get = %v, want hystrix.ErrTimeout", err)
			}
			select {
			case <-canceled:
			case <-time.After(5 * time.Second):
				t.Fatal("the server's request was not cancelled")
			}
			if got := countsOf(t, reg, "svc"); got != (counts{Timeouts: 1}) {
				t.Errorf("counts = %+v, want one timeout", got)
			}
		})
	}
}

func TestTransportBodyReadEndsAtTheDeadline(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	// The deadline is in wall-clock time, also on a manual clock.
	reg.ConfigureCommand("svc", hystrix.CommandConfig{Timeout: 100})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	tr := newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"))
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("reading the body = %v, want context.DeadlineExceeded", err)
	}
}

// bodyRecorder is a request body that records its Close.
func bodyRecorder(s string) *closeRecorder { return &closeRecorder{Reader: strings.NewReader(s)} }

func TestTransportRefusedRequestIsNotSentAndItsBodyClosed(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	reg.ConfigureCommand("svc", hystrix.CommandConfig{ForceOpen: true})
	base := &recordingBase{rt: newBase(t), bodies: make(chan *recordedBody, 1)}
	client := &http.Client{Transport: newTransport(t, base, hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"))}
	body := bodyRecorder("payload")
	_, err := client.Post("http://127.0.0.1:1/", "text/plain", body)
	if !errors.Is(err, hystrix.ErrCircuitOpen) {
		t.Fatalf("Post = %v, want hystrix.ErrCircuitOpen", err)
	}
	if base.sent.Load() != 0 {
		t.Error("the refused request was sent")
	}
	if body.closed.Load() != 1 {
		t.Errorf("request body closed %d times, want 1", body.closed.Load())
	}
	if got := countsOf(t, reg, "svc"); got != (counts{ShortCircuits: 1}) {
		t.Errorf("counts = %+v, want one short circuit", got)
	}
}

func TestTransportMaxConcurrencyRefusesTheSecondRequest(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	reg.ConfigureCommand("svc", hystrix.CommandConfig{MaxConcurrentRequests: 1, Timeout: -1, Isolation: hystrix.CallerIsolation})
	entered, release := make(chan struct{}), make(chan struct{})
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	})
	client := &http.Client{Transport: newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"))}
	errc := make(chan error, 1)
	go func() {
		resp, err := client.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-entered
	_, err := client.Get(srv.URL)
	close(release)
	if !errors.Is(err, hystrix.ErrMaxConcurrency) {
		t.Errorf("second Get = %v, want hystrix.ErrMaxConcurrency", err)
	}
	if err := <-errc; err != nil {
		t.Errorf("first Get: %v", err)
	}
}

func TestTransportFallbackReplacesAFailedResponseAndClosesIt(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	srv := statusServer(t)
	base := &recordingBase{rt: newBase(t), bodies: make(chan *recordedBody, 1)}
	var cause error
	fallback := func(req *http.Request, err error) (*http.Response, error) {
		cause = err
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("cached")), Request: req}, nil
	}
	client := &http.Client{Transport: newTransport(t, base, hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"), hystrixhttp.WithFallback(fallback))}
	resp, err := client.Get(srv.URL + "/502")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "cached" {
		t.Errorf("body = %q, want the fallback's", b)
	}
	var se *hystrixhttp.StatusError
	if !errors.As(cause, &se) || se.StatusCode != 502 {
		t.Errorf("fallback's cause = %v, want a *StatusError for 502", cause)
	}
	if !(<-base.bodies).closed.Load() {
		t.Error("the replaced 502 response was not closed")
	}
	if got := countsOf(t, reg, "svc"); got != (counts{Failures: 1, FallbackSuccesses: 1}) {
		t.Errorf("counts = %+v, want a failure and a fallback success", got)
	}
}

func TestTransportReusesTheConnectionOfADiscardedResponse(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	reg.ConfigureCommand("svc", hystrix.CommandConfig{RequestVolumeThreshold: 100})
	srv := statusServer(t)
	fallback := func(req *http.Request, err error) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
	}
	tr := newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"), hystrixhttp.WithFallback(fallback))
	var reused []bool
	for range 3 {
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = append(reused, info.Reused) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, srv.URL+"/500", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("RoundTrip: %v", err)
		}
		resp.Body.Close()
	}
	if fmt.Sprint(reused) != "[false true true]" {
		t.Errorf("connections reused: %v, want [false true true]", reused)
	}
}

func TestTransportFallbackMayPassTheFailedResponseOn(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	srv := statusServer(t)
	fallback := func(req *http.Request, err error) (*http.Response, error) {
		var se *hystrixhttp.StatusError
		if errors.As(err, &se) {
			return se.Response, nil
		}
		return nil, err
	}
	client := &http.Client{Transport: newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"), hystrixhttp.WithFallback(fallback))}
	resp, err := client.Get(srv.URL + "/500")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 500 || string(b) != "status 500" {
		t.Errorf("got %d %q (%v), want the server's 500", resp.StatusCode, b, err)
	}
}

func TestTransportFallbackGetsTheUnsentRequestWithItsBody(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	reg.ConfigureCommand("svc", hystrix.CommandConfig{ForceOpen: true})
	var got string
	var cause error
	fallback := func(req *http.Request, err error) (*http.Response, error) {
		cause = err
		b, _ := io.ReadAll(req.Body)
		got = string(b)
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: req}, nil
	}
	tr := newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"), hystrixhttp.WithFallback(fallback))
	body := bodyRecorder("payload")
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", body)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	resp.Body.Close()
	if got != "payload" || !errors.Is(cause, hystrix.ErrCircuitOpen) {
		t.Errorf("fallback read %q with cause %v, want the payload and ErrCircuitOpen", got, cause)
	}
	if body.closed.Load() != 1 {
		t.Errorf("request body closed %d times, want 1", body.closed.Load())
	}
}

func TestTransportFailingFallbackGivesAFallbackErrorAndClosesTheResponse(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	srv := statusServer(t)
	base := &recordingBase{rt: newBase(t), bodies: make(chan *recordedBody, 1)}
	errNoCache := errors.New("no cached copy")
	fallback := func(*http.Request, error) (*http.Response, error) { return nil, errNoCache }
	tr := newTransport(t, base, hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"), hystrixhttp.WithFallback(fallback))
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/500", nil)
	resp, err := tr.RoundTrip(req)
	var fe *hystrix.FallbackError
	if resp != nil || !errors.As(err, &fe) || !errors.Is(err, errNoCache) {
		t.Fatalf("RoundTrip = %v, %v; want a *hystrix.FallbackError", resp, err)
	}
	if !(<-base.bodies).closed.Load() {
		t.Error("the 500 response was not closed")
	}
}

func TestTransportClassifierDecidesTheOutcome(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	srv := statusServer(t)
	tooMany := func(resp *http.Response, err error) hystrixhttp.Outcome {
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			return hystrixhttp.Failure
		}
		return hystrixhttp.DefaultClassifier(resp, err)
	}
	tr := newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"), hystrixhttp.WithClassifier(tooMany))
	for _, code := range []string{"429", "404"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/"+code, nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("RoundTrip: %v", err)
		}
		resp.Body.Close()
	}
	if got := countsOf(t, reg, "svc"); got != (counts{Failures: 1, BadRequests: 1}) {
		t.Errorf("counts = %+v, want 429 a failure and 404 a bad request", got)
	}
}

func TestTransportClassifierPanicIsAFailureAndClosesTheResponse(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	srv := statusServer(t)
	base := &recordingBase{rt: newBase(t), bodies: make(chan *recordedBody, 1)}
	tr := newTransport(t, base, hystrixhttp.WithRegistry(reg), hystrixhttp.WithCommand("svc"),
		hystrixhttp.WithClassifier(func(*http.Response, error) hystrixhttp.Outcome { panic("classifier bug") }))
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/200", nil)
	resp, err := tr.RoundTrip(req)
	var pe *hystrix.PanicError
	if resp != nil || !errors.As(err, &pe) || pe.Value != "classifier bug" {
		t.Fatalf("RoundTrip = %v, %v; want a *hystrix.PanicError", resp, err)
	}
	if !(<-base.bodies).closed.Load() {
		t.Error("the response was not closed")
	}
	if got := countsOf(t, reg, "svc"); got != (counts{Failures: 1}) {
		t.Errorf("counts = %+v, want one failure", got)
	}
}

func TestTransportNamesCommands(t *testing.T) {
	t.Parallel()
	srv := statusServer(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, tc := range []struct {
		name string
		opts []hystrixhttp.TransportOption
		want string
	}{
		{"host by default", nil, host},
		{"fixed", []hystrixhttp.TransportOption{hystrixhttp.WithCommand("payments")}, "payments"},
		{"function", []hystrixhttp.TransportOption{hystrixhttp.WithCommandName(func(r *http.Request) string { return r.Method + " api" })}, "GET api"},
		{"empty function result means the host", []hystrixhttp.TransportOption{hystrixhttp.WithCommandName(func(*http.Request) string { return "" })}, host},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg, _ := hystrixtest.NewRegistry(t)
			tr := newTransport(t, newBase(t), append([]hystrixhttp.TransportOption{hystrixhttp.WithRegistry(reg)}, tc.opts...)...)
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/200", nil)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatalf("RoundTrip: %v", err)
			}
			resp.Body.Close()
			var names []string
			for _, cb := range reg.Circuits() {
				names = append(names, cb.Name)
			}
			if len(names) != 1 || names[0] != tc.want {
				t.Errorf("commands %q, want [%q]", names, tc.want)
			}
		})
	}
}

func TestTransportNamingPanicFailsTheRequestAndClosesItsBody(t *testing.T) {
	t.Parallel()
	reg, _ := hystrixtest.NewRegistry(t)
	tr := newTransport(t, newBase(t), hystrixhttp.WithRegistry(reg),
		hystrixhttp.WithCommandName(func(*http.Request) string { panic("naming bug") }))
	body := bodyRecorder("x")
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", body)
	_, err := tr.RoundTrip(req)
	var pe *hystrix.PanicError
	if !errors.As(err, &pe) || pe.Value != "naming bug" {
		t.Errorf("RoundTrip = %v, want a *hystrix.PanicError", err)
	}
	if body.closed.Load() != 1 {
		t.Error("request body not closed")
	}
}

func TestNewTransportRefusesBadOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  hystrixhttp.TransportOption
	}{
		{"nil option", nil},
		{"nil registry", hystrixhttp.WithRegistry(nil)},
		{"empty command", hystrixhttp.WithCommand("")},
		{"nil name function", hystrixhttp.WithCommandName(nil)},
		{"nil classifier", hystrixhttp.WithClassifier(nil)},
		{"nil fallback", hystrixhttp.WithFallback(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := hystrixhttp.NewTransport(nil, tc.opt); !errors.Is(err, hystrixhttp.ErrInvalidOption) {
				t.Errorf("NewTransport = %v, want ErrInvalidOption", err)
			}
		})
	}
}
