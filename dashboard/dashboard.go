package dashboard

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultStreamURL is the stream the page watches when Options.StreamURL is
// empty: the path where Hystrix dashboards expect it.
const DefaultStreamURL = "/hystrix.stream"

// DefaultTitle is the page's title when Options.Title is empty.
const DefaultTitle = "Hystrix dashboard"

// Options configures a Handler. The zero value serves a page that watches
// DefaultStreamURL on the same server.
type Options struct {
	// StreamURL is the Hystrix event stream the page watches. A path such
	// as "/hystrix.stream" is on the page's own server; a relative one
	// ("hystrix.stream") is resolved against the page's URL. An absolute
	// http or https URL on another origin works only if that server
	// allows the page's origin by CORS, as hystrix.StreamHandler does not.
	StreamURL string

	// Title is shown as the page's title and heading.
	Title string

	// UpstreamsURL, if not empty, is a path on the page's own server that
	// answers JSON saying how the streams behind StreamURL are doing, as
	// cmd/hystrix-dashboard's /upstreams does: the page polls it and shows
	// each upstream's state, and says the stream is live only as far as
	// its upstreams are connected. Empty, the page shows the state of its
	// own stream only.
	UpstreamsURL string
}

// Handler serves the dashboard's page and its files; any other path is
// answered 404, so that it can be mounted at "/" of a ServeMux. Make one
// with New.
type Handler struct {
	files map[string]asset
	csp   string
}

// asset is one file the handler serves.
type asset struct {
	contentType string
	body        []byte
	etag        string
}

//go:embed static
var static embed.FS

// contentTypes are those of the embedded files, set here rather than taken
// from the system's MIME tables, which differ between machines.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
}

// servedAs maps the paths the handler answers to its embedded files; the
// page itself is a template.
var servedAs = map[string]string{
	"/app.js":      "static/app.js",
	"/style.css":   "static/style.css",
	"/favicon.svg": "static/favicon.svg",
}

// New returns a handler serving the dashboard with opts. It panics if
// opts.StreamURL is not a path or an http or https URL, as http.ServeMux
// panics on a malformed pattern: both are mistakes in the program.
func New(opts Options) *Handler {
	if opts.StreamURL == "" {
		opts.StreamURL = DefaultStreamURL
	}
	if opts.Title == "" {
		opts.Title = DefaultTitle
	}
	u, err := url.Parse(opts.StreamURL)
	if err != nil {
		panic(fmt.Sprintf("dashboard: StreamURL %q: %v", opts.StreamURL, err))
	}
	connect := "'self'"
	switch {
	case isLocalPath(opts.StreamURL):
		// A path on the page's own server.
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil:
		connect += " " + u.Scheme + "://" + u.Host
	default:
		panic(fmt.Sprintf("dashboard: StreamURL %q is neither a path nor an http(s) URL without credentials", opts.StreamURL))
	}

	if opts.UpstreamsURL != "" && !isLocalPath(opts.UpstreamsURL) {
		panic(fmt.Sprintf("dashboard: UpstreamsURL %q is not a path on the page's server", opts.UpstreamsURL))
	}

	h := &Handler{
		files: make(map[string]asset, len(servedAs)+2),
		csp: "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
			"connect-src " + connect + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	}
	for path, name := range servedAs {
		b, err := static.ReadFile(name)
		if err != nil {
			panic("dashboard: missing embedded file " + name)
		}
		h.files[path] = newAsset(name, b)
	}

	var page bytes.Buffer
	if err := indexTemplate.Execute(&page, opts); err != nil {
		panic("dashboard: rendering the page: " + err.Error())
	}
	index := newAsset("index.html", page.Bytes())
	h.files["/"] = index
	h.files["/index.html"] = index
	return h
}

// isLocalPath reports whether s is a path, absolute or relative, on the
// page's own server. (Browsers read "//x" and "/\\x" as another host.)
func isLocalPath(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && !strings.HasPrefix(s, "//") && !strings.Contains(s, `\`)
}

var indexTemplate = template.Must(template.ParseFS(static, "static/index.html"))

func newAsset(name string, body []byte) asset {
	ext := name[strings.LastIndexByte(name, '.'):]
	ct, ok := contentTypes[ext]
	if !ok {
		panic("dashboard: no content type for " + name)
	}
	sum := sha256.Sum256(body)
	return asset{contentType: ct, body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// ServeHTTP answers GET and HEAD for the page ("/" and "/index.html") and
// its files; other paths get 404 and other methods 405.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == "" {
		path = "/"
	}
	a, ok := h.files[path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	// Revalidate each time, so that a new build's files replace the old
	// ones at once; the ETag makes that a 304 when nothing changed.
	hd.Set("Cache-Control", "no-cache")
	hd.Set("ETag", a.etag)
	if a.contentType == contentTypes[".html"] {
		hd.Set("Content-Security-Policy", h.csp)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
