package plugins

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gohystrix/hystrix-go/hystrix"
	metricCollector "github.com/gohystrix/hystrix-go/hystrix/metric_collector"
)

// Every client and reporter a test starts must be stopped by that test:
// the collectors' goroutines all have owners.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitLimit bounds every wait for the network; loopback delivers in
// microseconds, so reaching it means a metric never came.
const waitLimit = 5 * time.Second

// udpSink is a statsd server on loopback that the test goroutine reads.
type udpSink struct {
	conn *net.UDPConn
}

func newUDPSink(t *testing.T) *udpSink {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return &udpSink{conn: conn}
}

func (s *udpSink) addr() string { return s.conn.LocalAddr().String() }

// packets reads packets until done accepts the lines read so far, waiting
// at most waitLimit, then takes whatever else is already queued. The
// clients flush synchronously, and loopback UDP is queued at the receiver
// by the time the send returns, so after a flush nothing more is on its
// way.
func (s *udpSink) packets(t *testing.T, done func(lines []string) bool) []string {
	t.Helper()
	var pkts []string
	buf := make([]byte, 65536)
	read := func(deadline time.Time) bool {
		require.NoError(t, s.conn.SetReadDeadline(deadline))
		n, _, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return false
		}
		pkts = append(pkts, string(buf[:n]))
		return true
	}
	limit := time.Now().Add(waitLimit)
	for !done(linesOf(pkts)) {
		if !read(limit) {
			t.Fatalf("timed out; received:\n%s", strings.Join(linesOf(pkts), "\n"))
		}
	}
	for read(time.Now().Add(50 * time.Millisecond)) {
	}
	return pkts
}

// lines reads until every line of want has arrived and returns all lines.
func (s *udpSink) lines(t *testing.T, want ...string) []string {
	t.Helper()
	return linesOf(s.packets(t, func(got []string) bool { return containsAll(got, want) }))
}

func linesOf(pkts []string) []string {
	var out []string
	for _, p := range pkts {
		for _, l := range strings.Split(p, "\n") {
			if l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}

func containsAll(got, want []string) bool {
	set := make(map[string]bool, len(got))
	for _, g := range got {
		set[g] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

// withPrefix returns the lines that start with prefix.
func withPrefix(lines []string, prefix string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// tcpSink is a Graphite plaintext server on loopback: it hands each
// connection's whole content to the test.
type tcpSink struct {
	ln   net.Listener
	got  chan string
	done chan struct{}
}

func newTCPSink(t *testing.T) *tcpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &tcpSink{ln: ln, got: make(chan string, 1000), done: make(chan struct{})}
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		<-s.done
	})
	return s
}

func (s *tcpSink) serve() {
	defer close(s.done)
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		var b strings.Builder
		_ = c.SetReadDeadline(time.Now().Add(waitLimit))
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			b.WriteString(string(buf[:n]))
			if err != nil {
				break
			}
		}
		c.Close()
		select {
		case s.got <- b.String():
		default: // the test stopped listening
		}
	}
}

func (s *tcpSink) tcpAddr() *net.TCPAddr { return s.ln.Addr().(*net.TCPAddr) }

// next returns the content of the next connection.
func (s *tcpSink) next(t *testing.T) string {
	t.Helper()
	select {
	case c := <-s.got:
		return c
	case <-time.After(waitLimit):
		t.Fatal("timed out waiting for a Graphite connection")
		return ""
	}
}

// registerFor registers init through metricCollector.Registry, the way a
// program does, but only for the command cmd. Registry is global to the
// test binary, and every circuit made afterwards calls the initializers;
// the others get no collector from this one.
func registerFor(cmd string, init func(string) metricCollector.MetricCollector) {
	metricCollector.Registry.Register(func(name string) metricCollector.MetricCollector {
		if name != cmd {
			return nil
		}
		return init(name)
	})
}

// runOnce runs cmd once through hystrix.Do with a run function that
// returns runErr and a fallback that succeeds.
func runOnce(t *testing.T, cmd string, runErr error) {
	t.Helper()
	t.Cleanup(hystrix.Flush)
	err := hystrix.Do(cmd, func() error { return runErr }, func(error) error { return nil })
	require.NoError(t, err)
}

// runBadRequest runs cmd once through hystrix.Do with a run function that
// returns a bad request, which must come back without the fallback.
func runBadRequest(t *testing.T, cmd string) {
	t.Helper()
	t.Cleanup(hystrix.Flush)
	bad := errors.New("no such user")
	err := hystrix.Do(cmd, func() error { return hystrix.BadRequest(bad) }, func(error) error {
		t.Error("the fallback ran for a bad request")
		return nil
	})
	require.ErrorIs(t, err, bad)
}

var seq atomic.Int64

// unique gives base a suffix of its own, so that a test run again with
// -count, or another test, never meets its metrics or circuits: go-metrics'
// DefaultRegistry and the collector Registry outlive each test.
func unique(base string) string {
	return fmt.Sprintf("%s-%d", base, seq.Add(1))
}
