package browsertest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"
)

// TestMain fails the package if the browser's connection or any other
// goroutine is still running after the tests, so that Start's cleanup is
// checked too.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestProblems checks that console errors, failed console assertions,
// uncaught exceptions and failed loads are collected, and console.log and
// console.warn are not.
func TestProblems(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>t</title><body>
<img src="/missing.png">
<script>
console.log('fine');
console.warn('careful');
console.error('boom', 42);
console.assert(1 === 2, 'arithmetic');
document.body.dataset.ready = 'yes';
throw new Error('bang');
</script>`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	b := Start(t, 30*time.Second, 800, 600)
	if b.Context().Err() != nil {
		t.Fatalf("context done right after Start: %v", b.Context().Err())
	}
	b.Run(t, "opening the page", chromedp.Navigate(srv.URL+"/"))
	b.WaitFor(t, "the script to run", `document.body.dataset.ready === 'yes'`, 5*time.Second)
	var title string
	b.Eval(t, `document.title`, &title)
	if title != "t" {
		t.Errorf("title %q, want %q", title, "t")
	}

	want := []string{"console.error: ", "boom", "console.assert: ", "arithmetic", "exception: ", "bang", "log: ", "404"}
	deadline := time.Now().Add(5 * time.Second)
	for {
		all := strings.Join(b.Problems(), "\n")
		missing := slices.DeleteFunc(slices.Clone(want), func(s string) bool { return strings.Contains(all, s) })
		if len(missing) == 0 {
			if strings.Contains(all, "fine") || strings.Contains(all, "careful") {
				t.Errorf("console.log or console.warn collected:\n%s", all)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("problems lack %q:\n%s", missing, all)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
