package hystrixconfig_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrixconfig"
)

// parseBoth parses the same settings written as JSON and as YAML (YAML
// being a superset of JSON, the JSON text is also a YAML file) and fails
// the test unless both give the same result.
func parseBoth(t *testing.T, text string) (*hystrixconfig.Config, error) {
	t.Helper()
	cj, errJ := hystrixconfig.Parse([]byte(text), hystrixconfig.JSON)
	cy, errY := hystrixconfig.Parse([]byte(text), hystrixconfig.YAML)
	if (errJ == nil) != (errY == nil) {
		t.Fatalf("JSON and YAML disagree on %s:\nJSON: %v\nYAML: %v", text, errJ, errY)
	}
	if errJ != nil {
		return nil, errJ
	}
	if !sameCommands(cj.Commands, cy.Commands) {
		t.Fatalf("JSON and YAML disagree on %s:\nJSON: %+v\nYAML: %+v", text, cj.Commands, cy.Commands)
	}
	return cj, nil
}

func sameCommands(a, b map[string]hystrix.CommandConfig) bool {
	if len(a) != len(b) {
		return false
	}
	for name, ca := range a {
		cb, ok := b[name]
		if !ok || !equalConfig(ca, cb) {
			return false
		}
	}
	return true
}

// equalConfig compares the settings a file can hold, following the
// pointers.
func equalConfig(a, b hystrix.CommandConfig) bool {
	ra, rb := a.Recovery.Ramp, b.Recovery.Ramp
	ba, bb := a.Recovery.Backoff, b.Recovery.Backoff
	if (ra == nil) != (rb == nil) || (ba == nil) != (bb == nil) {
		return false
	}
	if ra != nil && *ra != *rb || ba != nil && *ba != *bb {
		return false
	}
	a.Recovery.Ramp, b.Recovery.Ramp = nil, nil
	a.Recovery.Backoff, b.Recovery.Backoff = nil, nil
	return a.Timeout == b.Timeout && a.MaxConcurrentRequests == b.MaxConcurrentRequests &&
		a.RequestVolumeThreshold == b.RequestVolumeThreshold && a.SleepWindow == b.SleepWindow &&
		a.ErrorPercentThreshold == b.ErrorPercentThreshold && a.Isolation == b.Isolation &&
		a.Trip == b.Trip && a.Recovery.Probes == b.Recovery.Probes &&
		a.Recovery.Successes == b.Recovery.Successes && a.Concurrency == b.Concurrency &&
		a.ForceOpen == b.ForceOpen && a.ForceClosed == b.ForceClosed
}

// writeFile writes text to name in dir, replacing it by a rename as
// editors and deployments do, and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := tmp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		t.Fatal(err)
	}
	return path
}

// firstLine returns the first line of an error's message.
func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func hystrixconfigParseYAML(text string) (*hystrixconfig.Config, error) {
	return hystrixconfig.Parse([]byte(text), hystrixconfig.YAML)
}
