package hystrixhttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// counts are a command's rolling counts that the tests look at.
type counts struct {
	Successes, Failures, BadRequests, Timeouts, ShortCircuits int64
	FallbackSuccesses, FallbackFailures                       int64
}

func countsOf(t *testing.T, reg *hystrix.Registry, name string) counts {
	t.Helper()
	cb, _, err := reg.GetCircuit(name)
	if err != nil {
		t.Fatalf("GetCircuit(%q): %v", name, err)
	}
	m, now := cb.Metrics(), reg.Clock().Now()
	return counts{
		Successes:         int64(m.Successes().Sum(now)),
		Failures:          int64(m.Failures().Sum(now)),
		BadRequests:       int64(m.BadRequests().Sum(now)),
		Timeouts:          int64(m.Timeouts().Sum(now)),
		ShortCircuits:     int64(m.ShortCircuits().Sum(now)),
		FallbackSuccesses: int64(m.FallbackSuccesses().Sum(now)),
		FallbackFailures:  int64(m.FallbackFailures().Sum(now)),
	}
}

// newServer starts a loopback server that the test closes.
func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newBase returns an http.Transport of the test's own, whose idle
// connections are closed when the test ends.
func newBase(t *testing.T) *http.Transport {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// closeRecorder is a body that records whether it was closed.
type closeRecorder struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeRecorder) Close() error {
	c.closed.Add(1)
	return nil
}

// recordingBase wraps a RoundTripper and records the bodies of the
// responses it returns.
type recordingBase struct {
	rt     http.RoundTripper
	bodies chan *recordedBody
	sent   atomic.Int32
}

type recordedBody struct {
	io.ReadCloser
	closed atomic.Bool
}

func (b *recordedBody) Close() error {
	b.closed.Store(true)
	return b.ReadCloser.Close()
}

func (r *recordingBase) RoundTrip(req *http.Request) (*http.Response, error) {
	r.sent.Add(1)
	resp, err := r.rt.RoundTrip(req)
	if err == nil {
		b := &recordedBody{ReadCloser: resp.Body}
		resp.Body = b
		r.bodies <- b
	}
	return resp, err
}

// eventually waits, briefly, for cond.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
