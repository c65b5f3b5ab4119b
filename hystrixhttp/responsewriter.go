package hystrixhttp

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// responseWriter records the status a handler answers with. It keeps the
// optional interfaces of the writer it wraps working: Flush (and
// http.ResponseController's FlushError), Hijack and ReadFrom; Unwrap lets
// http.ResponseController reach the others (deadlines, full duplex). It is
// used by one handler at a time.
type responseWriter struct {
	rw       http.ResponseWriter
	status   int // the final status written, 0 until then
	hijacked bool
}

func (w *responseWriter) started() bool { return w.status != 0 || w.hijacked }

func (w *responseWriter) Header() http.Header { return w.rw.Header() }

func (w *responseWriter) WriteHeader(code int) {
	// 1xx answers other than 101 come before the final one.
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.rw.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.rw.Write(p)
}

func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError is the method http.ResponseController.Flush looks for first.
func (w *responseWriter) FlushError() error {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return http.NewResponseController(w.rw).Flush()
}

func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.rw).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return conn, brw, err
}

func (w *responseWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if rf, ok := w.rw.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{w.rw}, r)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.rw }

// writerOnly hides a writer's ReadFrom from io.Copy.
type writerOnly struct{ io.Writer }
