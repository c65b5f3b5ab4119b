package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestShortSoakAddsUpAndDrawsBothSeries(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "soak.svg")
	var out, errOut bytes.Buffer
	status := run([]string{"-duration", "2s", "-sample", "100ms", "-phase", "300ms", "-workers", "8",
		"-timeout", "20ms", "-svg", svg}, &out, &errOut)
	t.Log(out.String())
	if status != 0 {
		t.Fatalf("status %d; stderr: %s", status, errOut.String())
	}
	if !strings.Contains(out.String(), "accounting: every call seen once") {
		t.Errorf("summary does not add up")
	}
	data, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	lines := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("the SVG is not well-formed XML: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			lines++
		}
	}
	if lines != 2 {
		t.Errorf("%d series drawn, want heap and goroutines", lines)
	}
}

func TestBadFlagsAreRefused(t *testing.T) {
	var out, errOut bytes.Buffer
	if status := run([]string{"-workers", "1"}, &out, &errOut); status != 2 {
		t.Errorf("status %d for -workers 1", status)
	}
}
