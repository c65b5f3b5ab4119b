package main

import (
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// phase is how the downstream behaves for a while.
type phase int32

const (
	healthy phase = iota
	flapping
	slow
	hung
	reset
	phases
)

var phaseNames = [phases]string{"healthy", "flapping", "slow", "hung", "reset"}

// downstream is an HTTP server on loopback whose behaviour follows its
// phase.
type downstream struct {
	srv     *http.Server
	ln      net.Listener
	phase   atomic.Int32
	timeout time.Duration // the commands', for the slow phase
	quit    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

func newDownstream(timeout time.Duration) (*downstream, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := &downstream{ln: ln, timeout: timeout, quit: make(chan struct{})}
	d.srv = &http.Server{Handler: http.HandlerFunc(d.serve), ReadHeaderTimeout: 5 * time.Second}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		_ = d.srv.Serve(ln)
	}()
	return d, nil
}

func (d *downstream) url() string { return "http://" + d.ln.Addr().String() + "/" }

func (d *downstream) serve(w http.ResponseWriter, r *http.Request) {
	switch phase(d.phase.Load()) {
	case flapping:
		if rand.IntN(2) == 0 {
			http.Error(w, "flapping", http.StatusInternalServerError)
			return
		}
	case slow:
		select {
		case <-time.After(5 * d.timeout):
		case <-r.Context().Done():
			return
		case <-d.quit:
			return
		}
	case hung:
		select {
		case <-r.Context().Done():
		case <-d.quit:
		}
		return
	case reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, buf, err := hj.Hijack(); err == nil {
				_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
				_ = buf.Flush()
				if tcp, ok := conn.(*net.TCPConn); ok {
					_ = tcp.SetLinger(0)
				}
				_ = conn.Close()
				return
			}
		}
	}
	_, _ = w.Write([]byte("ok"))
}

// close stops the server and waits for its handlers; it may be called
// more than once.
func (d *downstream) close() {
	d.once.Do(func() {
		close(d.quit)
		_ = d.srv.Close()
		d.wg.Wait()
	})
}

// refusedURL returns a loopback URL where nothing listens.
func refusedURL() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr + "/", nil
}
