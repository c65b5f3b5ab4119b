package main

import (
	"net/http"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// streamPath is where Hystrix dashboards expect the stream.
const streamPath = "/hystrix.stream"

// metricsStream serves the circuits' metrics as a Hystrix dashboard event
// stream.
type metricsStream struct {
	handler *hystrix.StreamHandler
	srv     *server
}

func startStream(addr string) (*metricsStream, error) {
	h := hystrix.NewStreamHandler()
	mux := http.NewServeMux()
	mux.Handle(streamPath, h)
	registerRoutes(mux)
	srv, err := serve(addr, mux)
	if err != nil {
		return nil, err
	}
	h.Start()
	return &metricsStream{handler: h, srv: srv}, nil
}

func (s *metricsStream) url() string { return s.base() + streamPath }

// base is the server's URL without a path.
func (s *metricsStream) base() string { return "http://" + s.srv.addr() }

// stop ends the open streams before shutting the server down: a stream
// response never finishes by itself, so the server would otherwise wait for
// it until the grace period ran out.
func (s *metricsStream) stop() error {
	s.handler.Stop()
	return s.srv.shutdown(2 * time.Second)
}
