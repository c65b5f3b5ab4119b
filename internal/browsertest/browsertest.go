// Package browsertest starts headless Chromium for tests that drive a page
// in a real browser, and collects what the page reports as errors: console
// errors and failed assertions, uncaught exceptions and error log entries.
package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is Debian's Chromium, which .ci/install-chromium.sh installs.
const ChromiumPath = "/usr/bin/chromium"

// Browser is a headless Chromium tab and what its pages reported as errors.
// Its methods that take a testing.TB must be called from the test's own
// goroutine, since they may end the test.
type Browser struct {
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

// Start starts headless Chromium for the test, with a window of width by
// height pixels, and closes it when the test ends. Everything the browser
// does, start-up included, must fit within limit, after which its context
// is done and any step fails. Without Chromium the test is skipped, unless
// the environment variable CI is set, where its absence is a failure.
func Start(t testing.TB, limit time.Duration, width, height int) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no %s (run .ci/install-chromium.sh); skipped outside CI", ChromiumPath)
		}
		t.Fatalf("CI is set but %s is missing: %v (run .ci/install-chromium.sh)", ChromiumPath, err)
	}
	// A directory of the test's own rather than t.TempDir: Chromium's
	// helper processes may still be writing to it for a moment after the
	// browser has exited, which t.TempDir's cleanup reports as a failure.
	profile, err := os.MkdirTemp("", "browsertest-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancelLimit := context.WithTimeout(context.Background(), limit)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, ExecOptions(profile, width, height)...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: tabCtx}
	stop := func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		cancelLimit()
		removeProfile(profile)
	}
	chromedp.ListenTarget(tabCtx, b.listen)
	// Start the browser now, so that its start-up counts against the
	// limit rather than against the first step's wait.
	if err := chromedp.Run(tabCtx); err != nil {
		stop()
		t.Fatalf("starting %s: %v", ChromiumPath, err)
	}
	t.Cleanup(stop)
	return b
}

// ExecOptions are the options Start runs Chromium with, for programs that
// drive it outside tests: Debian's Chromium, headless, with a window of
// width by height pixels, its profile and temporary files in dir, and
// none of its calls to Google's services.
func ExecOptions(dir string, width, height int) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		// Chromium leaves its singleton socket's directory in TMPDIR.
		chromedp.Env("TMPDIR=" + dir),
		chromedp.WindowSize(width, height),
		// Without these Chromium keeps trying to reach Google's services,
		// which only floods a closed network.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
	}
}

// RemoveProfile removes a directory given to ExecOptions once the browser
// has exited, trying again for a while as long as Chromium's helper
// processes are still writing to it.
func RemoveProfile(dir string) { removeProfile(dir) }

// removeProfile removes Chromium's profile directory, trying again for a
// while as long as something is still writing to it.
func removeProfile(dir string) {
	for i := 0; i < 20; i++ {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// listen records console errors, failed console assertions, uncaught
// exceptions and error log entries (failed loads, refused connections,
// violated security policies).
func (b *Browser) listen(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			p = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
		}
	case *runtime.EventExceptionThrown:
		p = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			p += " " + ev.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.LevelError {
			p = "log: " + ev.Entry.Text + " " + ev.Entry.URL
		}
	}
	if p != "" {
		b.mu.Lock()
		b.problems = append(b.problems, p)
		b.mu.Unlock()
	}
}

// Context is the tab's context, for running chromedp actions directly. It
// is done when the limit passed to Start has passed or the test has ended.
func (b *Browser) Context() context.Context { return b.ctx }

// Problems returns the errors the pages have reported so far, one line
// each.
func (b *Browser) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.problems)
}

// Run runs actions in the tab and ends the test, naming what it was doing
// and the pages' errors so far, if they fail.
func (b *Browser) Run(t testing.TB, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		t.Fatalf("%s: %v; page errors: %q", what, err, b.Problems())
	}
}

// Eval runs a script in the page and decodes its result into out, as
// chromedp.Evaluate does; it ends the test if that fails.
func (b *Browser) Eval(t testing.TB, script string, out any) {
	t.Helper()
	b.Run(t, "evaluating "+script, chromedp.Evaluate(script, out))
}

// WaitFor polls a script until it returns true, for at most limit, and
// ends the test, showing the pages' errors and the page's text, if it
// does not.
func (b *Browser) WaitFor(t testing.TB, what, script string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var ok bool
		b.Eval(t, script, &ok)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var text string
			b.Eval(t, "document.body.innerText", &text)
			t.Fatalf("%s: not within %v; page errors %q; page text:\n%s", what, limit, b.Problems(), text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
