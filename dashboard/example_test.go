package dashboard_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gohystrix/hystrix-go/dashboard"
	"github.com/gohystrix/hystrix-go/hystrix"
)

// The dashboard is served beside the stream it watches, here on a loopback
// test server; a browser opening the server's root would see the circuits
// live.
func ExampleNew() {
	reg := hystrix.NewRegistry()
	stream := reg.NewStreamHandler()
	stream.Start()
	defer stream.Stop()

	mux := http.NewServeMux()
	mux.Handle("/hystrix.stream", stream)
	mux.Handle("/", dashboard.New(dashboard.Options{StreamURL: "/hystrix.stream", Title: "Checkout service"}))
	server := httptest.NewServer(mux)
	defer server.Close()

	for _, path := range []string{"/", "/app.js", "/missing"} {
		resp, err := http.Get(server.URL + path)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(path, resp.StatusCode, resp.Header.Get("Content-Type"))
		if path == "/" {
			_, title, _ := strings.Cut(string(body), "<title>")
			title, _, _ = strings.Cut(title, "</title>")
			fmt.Println("  title:", title)
			fmt.Println("  watches:", strings.Contains(string(body), `data-stream="/hystrix.stream"`))
		}
	}
	// Output:
	// / 200 text/html; charset=utf-8
	//   title: Checkout service
	//   watches: true
	// /app.js 200 text/javascript; charset=utf-8
	// /missing 404 text/plain; charset=utf-8
}
