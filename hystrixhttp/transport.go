package hystrixhttp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// Fallback answers an outgoing request that failed, timed out or was
// refused. cause is why: hystrix.ErrCircuitOpen, hystrix.ErrMaxConcurrency
// or hystrix.ErrTimeout, the transport's error, or a *StatusError whose
// Response (body still readable) is the failed response. It returns a
// response to give the caller instead, which may be cause's own Response
// to pass it on, or an error. A response it does not return is drained and
// closed by the Transport.
//
// req is the caller's request. When it was sent, its Body belongs to the
// base transport: a fallback that sends it again needs a fresh body from
// req.GetBody. When it was not sent, its Body is unread, and the Transport
// closes it after the fallback returns unless the fallback passed it on and
// it was closed there. The fallback runs on the caller's goroutine; a panic
// in it is recovered and the caller gets a *hystrix.FallbackError wrapping
// a *hystrix.PanicError.
type Fallback func(req *http.Request, cause error) (*http.Response, error)

// Transport is an http.RoundTripper that sends each request as one
// execution of a hystrix command, through hystrix's DoC on its registry.
// Make one with NewTransport; the zero value is not ready to use. A
// Transport is safe for concurrent use.
type Transport struct {
	common
	base     http.RoundTripper
	classify Classifier
	fallback Fallback
}

var _ http.RoundTripper = (*Transport)(nil)

// NewTransport returns a Transport that sends requests with base, or
// http.DefaultTransport if base is nil, configured by opts. Without
// options, requests run on hystrix.DefaultRegistry() as commands named
// after the request's host (req.URL.Host, as "host" or "host:port"), with
// DefaultClassifier and no fallback. An option it cannot use makes it
// return an error that wraps ErrInvalidOption.
func NewTransport(base http.RoundTripper, opts ...TransportOption) (*Transport, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	t := &Transport{base: base, classify: DefaultClassifier}
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("hystrixhttp: option %d is nil: %w", i, ErrInvalidOption)
		}
		if err := o.applyTransport(t); err != nil {
			return nil, err
		}
	}
	if t.reg == nil {
		t.reg = hystrix.DefaultRegistry()
	}
	return t, nil
}

// RoundTrip sends req as one execution of its command.
//
// The base transport gets req with a context of the Transport's own,
// whose deadline is the earlier of the caller's and the command's timeout,
// and which ends when hystrix gives the execution up (at the timeout, or
// with the caller's context). The execution ends when the base transport
// returns, with the response's headers; the body is read afterwards,
// still bounded by that deadline, and stays readable until the caller
// reads it to the end or closes it, as with any response.
//
// What the caller gets:
//   - a response classified Success or BadRequest: the response as it is;
//   - a response classified Failure (a 5xx by default): the response as
//     it is when there is no fallback, which still counts as a failure;
//   - an error classified Failure: the error, when there is no fallback;
//   - a request refused by the circuit or the concurrency limit, or one
//     that timed out: an error for which errors.Is(err,
//     hystrix.ErrCircuitOpen), hystrix.ErrMaxConcurrency or
//     hystrix.ErrTimeout holds, also through the *url.Error of an
//     http.Client; a refused request is never sent;
//   - with a fallback, in place of a failure, refusal or timeout: the
//     fallback's response, or a *hystrix.FallbackError.
//
// As a RoundTripper must, RoundTrip closes req.Body, also for a request
// that is never sent.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	name, err := t.command(req)
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	c := &roundTrip{t: t, name: name, req: req}
	var fallback func(context.Context, error) error
	if t.fallback != nil {
		if req.Body != nil && req.Body != http.NoBody {
			// One Close between the fallback (or the transport it passes
			// the request to) and this RoundTrip.
			r := req.WithContext(req.Context())
			r.Body = &onceCloser{ReadCloser: req.Body}
			c.req = r
		}
		fallback = c.fallback
	}
	err = t.reg.DoC(req.Context(), name, c.run, fallback)
	return c.finish(err)
}

// CloseIdleConnections closes the idle connections of the base transport,
// if it has such a method, as http.Client.CloseIdleConnections expects.
func (t *Transport) CloseIdleConnections() {
	if ci, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// command returns the name of req's command.
func (t *Transport) command(req *http.Request) (name string, err error) {
	if t.name != nil {
		defer func() {
			if v := recover(); v != nil {
				name, err = "", &hystrix.PanicError{Command: "", Value: v, Stack: debug.Stack()}
			}
		}()
		if name = t.name(req); name != "" {
			return name, nil
		}
	}
	if req.URL != nil && req.URL.Host != "" {
		return req.URL.Host, nil
	}
	if req.Host != "" {
		return req.Host, nil
	}
	return "", errors.New("hystrixhttp: request has no host to name its command after")
}

// judge turns what the base transport returned into what the run function
// returns to hystrix. Every error it returns is a pointer of this package
// or of hystrix, so that finish can tell it by identity.
func (t *Transport) judge(resp *http.Response, err error) error {
	var cause error
	if err != nil {
		cause = &transportError{err: err}
	} else {
		cause = &StatusError{StatusCode: resp.StatusCode, Response: resp}
	}
	switch t.classify(resp, err) {
	case Success:
		return nil
	case BadRequest:
		return hystrix.BadRequest(cause)
	}
	return cause
}

// transportError is the run's error for a request that got no response:
// the base transport's error, which the caller and the fallback see
// through it.
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }
