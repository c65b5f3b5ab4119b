package main

import (
	"strings"
	"testing"
)

// The checks live in run, which main also uses; the test makes them part of
// go test and shows what the program printed when they fail.
func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatalf("%v\noutput so far:\n%s", err, out.String())
	}
	if !strings.HasSuffix(out.String(), "all checks passed\n") {
		t.Fatalf("output does not end with the success line:\n%s", out.String())
	}
}
