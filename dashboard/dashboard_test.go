package dashboard

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServesPageAndAssets(t *testing.T) {
	h := New(Options{})
	for _, tc := range []struct {
		path, contentType, contains string
	}{
		{"/", "text/html; charset=utf-8", `data-stream="/hystrix.stream"`},
		{"/index.html", "text/html; charset=utf-8", "<title>Hystrix dashboard</title>"},
		{"/app.js", "text/javascript; charset=utf-8", "new EventSource("},
		{"/style.css", "text/css; charset=utf-8", ".tile"},
		{"/favicon.svg", "image/svg+xml", "<svg"},
	} {
		resp := get(t, h, http.MethodGet, tc.path, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s", tc.path, resp.Status)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != tc.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, ct, tc.contentType)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", tc.path)
		}
		if resp.Header.Get("ETag") == "" {
			t.Errorf("GET %s: no ETag", tc.path)
		}
		if !strings.Contains(body, tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
	}
}

func TestPageReferencesOnlyServedFiles(t *testing.T) {
	h := New(Options{})
	page := readBody(t, get(t, h, http.MethodGet, "/", nil))
	refs := regexp.MustCompile(`(?:href|src)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 3 {
		t.Fatalf("page refers to %d files, want its script, style and icon", len(refs))
	}
	for _, m := range refs {
		ref := m[1]
		if strings.Contains(ref, "//") || strings.HasPrefix(ref, "/") {
			t.Errorf("page refers to %q: want a relative URL, so that the page can be mounted under a prefix", ref)
			continue
		}
		if resp := get(t, h, http.MethodGet, "/"+ref, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("page refers to %q, which is answered %s", ref, resp.Status)
		}
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	h := New(Options{})
	for _, path := range []string{"/nope", "/static/app.js", "/app.js/", "/index.htm", "/hystrix.stream", "/../dashboard.go"} {
		if resp := get(t, h, http.MethodGet, path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, resp.Status)
		}
	}
	resp := get(t, h, http.MethodPost, "/", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %s, want 405", resp.Status)
	}
	if allow := resp.Header.Get("Allow"); allow != "GET, HEAD" {
		t.Errorf("POST /: Allow %q", allow)
	}
	resp = get(t, h, http.MethodHead, "/app.js", nil)
	if resp.StatusCode != http.StatusOK || readBody(t, resp) != "" {
		t.Errorf("HEAD /app.js: %s with a body", resp.Status)
	}
}

func TestRevalidation(t *testing.T) {
	h := New(Options{})
	first := get(t, h, http.MethodGet, "/style.css", nil)
	if cc := first.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache", cc)
	}
	again := get(t, h, http.MethodGet, "/style.css", http.Header{"If-None-Match": {first.Header.Get("ETag")}})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("GET with the ETag: %s, want 304", again.Status)
	}
}

func TestOptionsReachThePageEscaped(t *testing.T) {
	h := New(Options{StreamURL: "/other.stream?delay=2000&x=\"", Title: "<b>ops</b> & co"})
	page := readBody(t, get(t, h, http.MethodGet, "/", nil))
	for _, want := range []string{
		`data-stream="/other.stream?delay=2000&amp;x=&#34;"`,
		`<title>&lt;b&gt;ops&lt;/b&gt; &amp; co</title>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "<b>ops") {
		t.Error("title reaches the page unescaped")
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	csp := get(t, New(Options{}), http.MethodGet, "/", nil).Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self';", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows something unsafe", csp)
	}
	other := New(Options{StreamURL: "https://metrics.example:8443/hystrix.stream"})
	csp = get(t, other, http.MethodGet, "/", nil).Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src 'self' https://metrics.example:8443;") {
		t.Errorf("CSP %q does not allow the configured stream's origin", csp)
	}
	if get(t, other, http.MethodGet, "/app.js", nil).Header.Get("Content-Security-Policy") != "" {
		t.Error("CSP sent with a script; it belongs to the page")
	}
}

func TestBadStreamURLPanics(t *testing.T) {
	for _, u := range []string{"javascript:alert(1)", "ftp://host/x", "http://user:pw@host/hystrix.stream", "http://[::1", "//", "/\\evil.example/x"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New with StreamURL %q did not panic", u)
				}
			}()
			New(Options{StreamURL: u})
		}()
	}
	for _, u := range []string{"/hystrix.stream", "hystrix.stream", "http://127.0.0.1:8080/hystrix.stream"} {
		New(Options{StreamURL: u})
	}
}

func TestUpstreamsURLIsAPathOnThePagesServer(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:7979/upstreams", "//evil.example/u", "/\\evil.example/u", "javascript:alert(1)"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New with UpstreamsURL %q did not panic", u)
				}
			}()
			New(Options{UpstreamsURL: u})
		}()
	}
	page := readBody(t, get(t, New(Options{UpstreamsURL: "/upstreams?x=\""}), http.MethodGet, "/", nil))
	if !strings.Contains(page, `data-upstreams="/upstreams?x=&#34;"`) {
		t.Error("the page lacks its UpstreamsURL, escaped")
	}
	page = readBody(t, get(t, New(Options{}), http.MethodGet, "/", nil))
	if !strings.Contains(page, `data-upstreams=""`) {
		t.Error("the page names an UpstreamsURL it was not given")
	}
}

func TestMountedUnderAPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/dashboard/", http.StripPrefix("/dashboard", New(Options{})))
	for path, want := range map[string]int{
		"/dashboard/":          http.StatusOK,
		"/dashboard/app.js":    http.StatusOK,
		"/dashboard/style.css": http.StatusOK,
		"/dashboard/missing":   http.StatusNotFound,
		"/app.js":              http.StatusNotFound,
	} {
		if resp := get(t, mux, http.MethodGet, path, nil); resp.StatusCode != want {
			t.Errorf("GET %s: %s, want %d", path, resp.Status, want)
		}
	}
}
