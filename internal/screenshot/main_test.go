package main

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The lines are as cmd/hystrix-demo's intro prints them.
func TestDemoIntroLinesAreParsed(t *testing.T) {
	for _, tc := range []struct {
		line           string
		base, from, to string
	}{
		{line: "  stream:     http://127.0.0.1:40213/hystrix.stream (dashboard, curl -N)", base: "http://127.0.0.1:40213"},
		{line: "      9.0s- 24.0s failing    every request gets HTTP 500", from: "9.0", to: "24.0"},
		{line: "      0.0s-  9.0s healthy    quick 200 responses"},
		{line: "  /metrics:   http://127.0.0.1:40213/metrics (Prometheus)"},
	} {
		var base, from, to string
		if m := streamLine.FindStringSubmatch(tc.line); m != nil {
			base = m[1]
		}
		if m := failingLine.FindStringSubmatch(tc.line); m != nil {
			from, to = m[1], m[2]
		}
		if base != tc.base || from != tc.from || to != tc.to {
			t.Errorf("%q: stream %q, failing %q-%q; want %q, %q-%q", tc.line, base, from, to, tc.base, tc.from, tc.to)
		}
	}
}
