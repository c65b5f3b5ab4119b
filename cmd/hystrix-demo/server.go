package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// server is an http.Server on a listener of its own, so that its address is
// known (port 0 included) before it serves and its goroutine is known to
// have ended after shutdown.
type server struct {
	srv    *http.Server
	ln     net.Listener
	served chan error
}

func serve(addr string, h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &server{
		srv:    &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second},
		ln:     ln,
		served: make(chan error, 1),
	}
	go func() { s.served <- s.srv.Serve(ln) }()
	return s, nil
}

// addr is the address actually listened on.
func (s *server) addr() string { return s.ln.Addr().String() }

// shutdown lets requests in flight finish for up to grace, then cuts the
// rest off, and returns once the serving goroutine has exited.
func (s *server) shutdown(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	if serr := <-s.served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
