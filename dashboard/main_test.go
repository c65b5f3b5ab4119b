package dashboard

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves a server, a browser's
// connection or any other goroutine running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
