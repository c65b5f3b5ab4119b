package main

import "net/http"

// route is a page the demo serves beside the event stream, on the same
// address. Integrations add theirs from an init function in a file of their
// own, so that the stream's server needs no change for each.
type route struct {
	path     string
	handler  func() http.Handler // called once per run
	describe string              // shown next to the URL at start
}

var routes []route

func registerRoutes(mux *http.ServeMux) {
	for _, r := range routes {
		mux.Handle(r.path, r.handler())
	}
}
