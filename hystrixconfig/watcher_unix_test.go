//go:build unix

package hystrixconfig_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/hystrixtest"
	"github.com/gohystrix/hystrix-go/hystrixconfig"
)

func TestSignalTriggersAReload(t *testing.T) {
	r, _ := hystrixtest.NewRegistry(t)
	dir := t.TempDir()
	path := writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 1s}\n")
	rs := newResults()
	w := watch(t, path, hystrixconfig.WithRegistry(r), rs.option(), hystrixconfig.OnSignal(syscall.SIGHUP))

	writeFile(t, dir, "h.yaml", "commands:\n  orders: {timeout: 5s}\n")
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	res := rs.next(t)
	if res.Err != nil || res.Trigger != hystrixconfig.TriggerSignal || res.Signal != syscall.SIGHUP {
		t.Fatalf("got %+v", res)
	}
	if got := timeoutOf(r, "orders"); got != 5*time.Second {
		t.Fatalf("timeout %v", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
