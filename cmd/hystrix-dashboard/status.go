package main

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// The states of an upstream, as /upstreams and the page show them.
const (
	stateConnecting = "connecting" // the first attempt is under way
	stateConnected  = "connected"  // its stream is being read
	stateRetrying   = "retrying"   // the last attempt failed or ended; waiting to try again
)

// upstreamStatus is what /upstreams says of one upstream. URL and
// LastError never hold a password.
type upstreamStatus struct {
	URL   string    `json:"url"`
	State string    `json:"state"`
	Since time.Time `json:"since"`
	// LastError is why the last connection failed or ended, if one has.
	LastError   string     `json:"lastError,omitempty"`
	LastErrorAt *time.Time `json:"lastErrorAt,omitempty"`
	// RetryAt is when a retrying upstream is tried again.
	RetryAt *time.Time `json:"retryAt,omitempty"`
}

// upstreamsReport is the body of /upstreams.
type upstreamsReport struct {
	Connected int              `json:"connected"`
	Total     int              `json:"total"`
	Upstreams []upstreamStatus `json:"upstreams"`
}

// statusBoard keeps each upstream's state. It is safe for concurrent use;
// a nil board records nothing.
type statusBoard struct {
	mu sync.Mutex
	up []upstreamStatus
}

// newStatusBoard returns a board of upstreams named by their redacted
// URLs, each connecting since now.
func newStatusBoard(names []string, now time.Time) *statusBoard {
	b := &statusBoard{up: make([]upstreamStatus, len(names))}
	for i, n := range names {
		b.up[i] = upstreamStatus{URL: n, State: stateConnecting, Since: now}
	}
	return b
}

// connected records that upstream i's stream is being read.
func (b *statusBoard) connected(i int, now time.Time) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &b.up[i]
	s.State, s.Since, s.RetryAt = stateConnected, now, nil
}

// retrying records that upstream i's connection failed or ended with msg,
// already redacted, and is tried again at retry.
func (b *statusBoard) retrying(i int, msg string, now, retry time.Time) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &b.up[i]
	if s.State != stateRetrying {
		s.State, s.Since = stateRetrying, now
	}
	s.LastError, s.LastErrorAt, s.RetryAt = msg, &now, &retry
}

// report returns a copy of every upstream's state.
func (b *statusBoard) report() upstreamsReport {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := upstreamsReport{Total: len(b.up), Upstreams: make([]upstreamStatus, len(b.up))}
	copy(r.Upstreams, b.up)
	for _, s := range b.up {
		if s.State == stateConnected {
			r.Connected++
		}
	}
	return r
}

// ServeHTTP answers GET and HEAD with the report as JSON.
func (b *statusBoard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := json.Marshal(b.report())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(append(body, '\n'))
}
