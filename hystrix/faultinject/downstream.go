package faultinject

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Mode is how a Downstream answers; switch it at any time with SetMode.
type Mode int32

const (
	// Healthy answers 200 "ok" at once.
	Healthy Mode = iota
	// Flapping answers every second request with 500 for FlapPeriod of the
	// downstream's own clock, counted from the SetMode that chose it, and
	// is healthy after that.
	Flapping
	// Slow answers 200 after a delay whose median is SlowMedian: the
	// delays cycle through 0.04, 0.3, 1, 1.2 and 2 times it. A request
	// whose context ends first gets no answer.
	Slow
	// Hung never answers: a request waits until its context ends or the
	// downstream is closed.
	Hung
	// Refused sends callers to a port where nothing listens: URL returns
	// that address while the mode holds, and connecting fails at once.
	Refused
	// Reset hijacks the connection, writes the status line, the headers
	// and part of the body it announces, and closes the connection with
	// SO_LINGER 0, so the caller reads a reset in the middle of the
	// response.
	Reset
)

var modeNames = [...]string{
	Healthy:  "healthy",
	Flapping: "flapping",
	Slow:     "slow",
	Hung:     "hung",
	Refused:  "refused",
	Reset:    "reset",
}

// String returns the mode's lower-case name.
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int32(m))
}

// Options configure a Downstream; zero fields take the defaults.
type Options struct {
	// FlapPeriod is how long Flapping fails half the requests; 0 means
	// 2 s.
	FlapPeriod time.Duration
	// SlowMedian is the median delay of Slow; 0 means 1 s.
	SlowMedian time.Duration
}

// slowFactors are the Slow delays as fractions of the median, used in turn;
// the middle one of the sorted five is 1, so the median is SlowMedian, and
// one in five answers fast.
var slowFactors = [...]float64{0.04, 0.3, 1, 1.2, 2}

// resetPartial is what Reset writes before it resets the connection: a
// response announcing a body of 4096 bytes that it cuts off after a few.
const resetPartial = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4096\r\n\r\npartial"

// Downstream is a real HTTP server on 127.0.0.1 that fails on demand. It is
// safe for concurrent use. Close it when done: Close ends every request in
// flight, Hung and Slow ones included, and returns when all have.
type Downstream struct {
	opts  Options
	epoch time.Time // the downstream's own clock reads time.Since(epoch)

	url     string // where the server listens
	deadURL string // a port where nothing listens, for Refused

	srv    *http.Server
	served chan struct{} // closed when Serve has returned
	quit   chan struct{} // closed by Close, ends Hung and Slow requests

	// deadPort holds the port of deadURL: a connected pair whose client
	// end is bound to it, so that nothing can listen there while the
	// downstream lives and a connection attempt is refused.
	deadPort [2]net.Conn

	mode      atomic.Int32
	modeSince atomic.Int64 // downstream clock, ns, of the last SetMode
	seq       atomic.Uint64

	requests atomic.Int64 // requests that reached the handler
	inFlight atomic.Int64
	peak     atomic.Int64 // highest inFlight

	mu       sync.Mutex // guards closed and the Add of handlers
	closed   bool
	handlers sync.WaitGroup
}

// NewDownstream starts a healthy downstream on a loopback port of its own.
func NewDownstream(opts Options) (*Downstream, error) {
	if opts.FlapPeriod <= 0 {
		opts.FlapPeriod = 2 * time.Second
	}
	if opts.SlowMedian <= 0 {
		opts.SlowMedian = time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := &Downstream{
		opts:   opts,
		epoch:  time.Now(),
		url:    "http://" + ln.Addr().String(),
		served: make(chan struct{}),
		quit:   make(chan struct{}),
	}
	if err := d.reserveDeadPort(); err != nil {
		ln.Close()
		return nil, err
	}
	d.srv = &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(d.served)
		_ = d.srv.Serve(ln)
	}()
	return d, nil
}

// reserveDeadPort makes deadURL: it connects to a throwaway listener and
// closes the listener, which leaves the client end of the connection bound
// to a port that nothing listens on and nothing else can take.
func (d *Downstream) reserveDeadPort() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	server, err := ln.Accept()
	if err != nil {
		client.Close()
		return err
	}
	d.deadPort = [2]net.Conn{client, server}
	d.deadURL = "http://" + client.LocalAddr().String()
	return nil
}

func (d *Downstream) clock() time.Duration { return time.Since(d.epoch) }

// SetMode switches the downstream to m; requests already in flight keep the
// mode they started in.
func (d *Downstream) SetMode(m Mode) {
	d.modeSince.Store(int64(d.clock()))
	d.mode.Store(int32(m))
}

// Mode returns the current mode.
func (d *Downstream) Mode() Mode { return Mode(d.mode.Load()) }

// HealsAt returns when a Flapping downstream turns healthy by its own
// clock: FlapPeriod after the SetMode(Flapping).
func (d *Downstream) HealsAt() time.Time {
	return d.epoch.Add(time.Duration(d.modeSince.Load()) + d.opts.FlapPeriod)
}

// URL returns the base URL to call: the server's, or in Refused mode the
// address where nothing listens.
func (d *Downstream) URL() string {
	if d.Mode() == Refused {
		return d.deadURL
	}
	return d.url
}

// Requests returns how many requests have reached the server.
func (d *Downstream) Requests() int64 { return d.requests.Load() }

// InFlight returns how many requests the server is handling now.
func (d *Downstream) InFlight() int64 { return d.inFlight.Load() }

// PeakInFlight returns the most requests the server has handled at once.
func (d *Downstream) PeakInFlight() int64 { return d.peak.Load() }

// Options returns the options in force, defaults filled in.
func (d *Downstream) Options() Options { return d.opts }

// ServeHTTP answers one request as the current mode says.
func (d *Downstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		http.Error(w, "closing", http.StatusServiceUnavailable)
		return
	}
	d.handlers.Add(1)
	d.mu.Unlock()
	defer d.handlers.Done()

	d.requests.Add(1)
	n := d.inFlight.Add(1)
	defer d.inFlight.Add(-1)
	for {
		p := d.peak.Load()
		if n <= p || d.peak.CompareAndSwap(p, n) {
			break
		}
	}

	seq := d.seq.Add(1)
	switch d.Mode() {
	case Flapping:
		since := d.clock() - time.Duration(d.modeSince.Load())
		if since < d.opts.FlapPeriod && seq%2 == 0 {
			http.Error(w, "flapping", http.StatusInternalServerError)
			return
		}
	case Slow:
		delay := time.Duration(float64(d.opts.SlowMedian) * slowFactors[seq%uint64(len(slowFactors))])
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return
		case <-d.quit:
			panic(http.ErrAbortHandler)
		}
	case Hung:
		select {
		case <-r.Context().Done():
			return
		case <-d.quit:
			// Going away must not look like an empty 200.
			panic(http.ErrAbortHandler)
		}
	case Reset:
		d.reset(w)
		return
	case Refused:
		// A caller that took URL before the switch; refuse it the way
		// a server going away does.
		d.reset(w)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ok"))
}

// reset writes part of a response and closes the connection with a reset.
func (d *Downstream) reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot hijack", http.StatusInternalServerError)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_, _ = conn.Write([]byte(resetPartial))
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// Close stops the server: it ends the requests in flight, Hung and Slow
// ones too, by dropping their connections without an answer, and returns once every handler has returned and the server's
// goroutines are gone. It may be called more than once.
func (d *Downstream) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	close(d.quit)
	err := d.srv.Close()
	<-d.served
	d.handlers.Wait()
	for _, c := range d.deadPort {
		if c != nil {
			_ = c.Close()
		}
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
