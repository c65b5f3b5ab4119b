package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// upstream reads one Hystrix stream into the hub, reconnecting with
// exponential back-off for as long as its context lasts.
type upstream struct {
	host int    // index in the hub
	url  string // as given, credentials included: never log it
	// name is url with any password redacted, for logs and the page.
	name   string
	client *http.Client
	hub    *hub
	logger *log.Logger
	board  *statusBoard // the upstream's state, for /upstreams

	// rangeWarned is set once an event with numbers out of range has
	// been logged. It outlives connections: such a host sends them in
	// every event, and would otherwise be logged on every reconnect.
	rangeWarned bool

	minBackoff, maxBackoff time.Duration
	idle                   time.Duration // longest silence before reconnecting
	maxEvent               int           // bytes
}

// run returns when ctx ends, after its last connection has closed.
func (u *upstream) run(ctx context.Context) {
	backoff := u.minBackoff
	for {
		got, err := u.once(ctx)
		u.hub.drop(u.host)
		if ctx.Err() != nil {
			return
		}
		if got > 0 {
			// It worked for a while: the next failure starts afresh.
			backoff = u.minBackoff
		}
		// Wait between half and all of the back-off, so that many
		// dashboards do not come back in step.
		wait := backoff/2 + rand.N(backoff/2+1)
		msg := u.redact(err)
		now := time.Now()
		u.board.retrying(u.host, msg, now, now.Add(wait))
		u.logger.Printf("%s: %s; reconnecting in %v", u.name, msg, wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, u.maxBackoff)
	}
}

// once reads the stream over one connection and returns the number of
// events it took, and why the connection ended.
func (u *upstream) once(ctx context.Context) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")

	// The timer cuts off a connection that has said nothing, not even a
	// heartbeat, for too long; it also covers waiting for the headers.
	errIdle := fmt.Errorf("nothing received for %v", u.idle)
	idle := time.AfterFunc(u.idle, func() { cancel(errIdle) })
	defer idle.Stop()

	resp, err := u.client.Do(req)
	if err != nil {
		if c := context.Cause(ctx); errors.Is(c, errIdle) {
			return 0, c
		}
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("answered %s", resp.Status)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return 0, fmt.Errorf("answered Content-Type %q, not an event stream", resp.Header.Get("Content-Type"))
	}
	u.board.connected(u.host, time.Now())
	u.logger.Printf("%s: connected", u.name)

	r := newSSEReader(&resetOnRead{resp.Body, idle, u.idle}, u.maxEvent)
	got := 0
	warned := false
	for {
		data, err := r.next()
		if err != nil {
			if c := context.Cause(ctx); c != nil && ctx.Err() != nil {
				err = c
			} else if err == io.EOF {
				err = errors.New("stream ended")
			}
			return got, err
		}
		ev, k, err := decodeEvent(data)
		if err == nil && !u.hub.put(u.host, k, ev, time.Now()) {
			err = fmt.Errorf("more than %d circuits and pools; ignoring the rest", u.hub.maxKeys)
		}
		if errors.Is(err, errOutOfRange) {
			// Apart from the other warnings, so that an earlier one of
			// another kind does not hide it.
			if !u.rangeWarned {
				u.logger.Printf("%s: %v (logged once for this stream)", u.name, u.redact(err))
				u.rangeWarned = true
			}
			continue
		}
		if err != nil {
			if !warned {
				u.logger.Printf("%s: %v", u.name, u.redact(err))
				warned = true
			}
			continue
		}
		got++
	}
}

// redact returns err's text with the URL as given replaced by its
// redacted form, for errors that quote it, and any other appearance of
// the URL's password, as given or decoded, replaced too, for errors that
// quote the URL in some other form.
func (u *upstream) redact(err error) string {
	msg := err.Error()
	if u.url != u.name {
		msg = strings.ReplaceAll(msg, u.url, u.name)
	}
	if p, err := url.Parse(u.url); err == nil && p.User != nil {
		if pw, ok := p.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
			msg = strings.ReplaceAll(msg, url.UserPassword("", pw).String()[1:], "xxxxx")
		}
	}
	return msg
}

// redactedURL returns s with any password replaced by "xxxxx", or a
// placeholder when s does not parse (its text may hold a password).
func redactedURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// resetOnRead pushes the idle timer back whenever bytes arrive.
type resetOnRead struct {
	r     io.Reader
	timer *time.Timer
	idle  time.Duration
}

func (r *resetOnRead) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		r.timer.Reset(r.idle)
	}
	return n, err
}
