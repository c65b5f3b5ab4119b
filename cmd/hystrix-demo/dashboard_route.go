package main

import (
	"net/http"

	"github.com/gohystrix/hystrix-go/dashboard"
)

// The live dashboard at "/", watching the demo's own stream. "/" is the
// ServeMux's least specific pattern, so /hystrix.stream and the other
// routes still reach their own handlers, and the dashboard answers 404 for
// any path it does not serve.
func init() {
	routes = append(routes, route{
		path: "/",
		handler: func() http.Handler {
			return dashboard.New(dashboard.Options{StreamURL: streamPath, Title: "hystrix-demo"})
		},
		describe: "live dashboard in a browser",
	})
}
