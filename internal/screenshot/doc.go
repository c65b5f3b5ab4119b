// Command screenshot regenerates the README's picture of the dashboard from
// the current build: it builds cmd/hystrix-demo, runs it on a free loopback
// port, opens its dashboard in headless Chromium at a fixed size, waits
// until the simulated downstream has been failing long enough for every
// circuit to open, and writes the page as a PNG.
//
// Run it from the module's root (it needs .ci/install-chromium.sh's
// Chromium):
//
//	go run ./internal/screenshot -out docs/dashboard.png
//
// -width and -height set the window, -duration the demo's run (the
// failing phase is its second quarter; the picture is taken near its end).
package main
