package faultinject

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

const (
	streamClients   = 1000 // the stream's MaxClients, all connected
	slowClients     = 10   // of which read slowly
	extraClients    = 5    // beyond the cap, must get 503
	streamCircuits  = 20   // circuits in each round, so that a round is tens of KB
	slowReadBytes   = 512  // a slow client reads this much ...
	slowReadEvery   = 100 * time.Millisecond
	serverSendBytes = 16 << 10 // each server connection's send buffer
	slowRecvBytes   = 4 << 10  // each slow client's receive buffer
	streamInterval  = time.Second
)

// activeHandler counts the ServeHTTP calls in progress.
type activeHandler struct {
	h      http.Handler
	active atomic.Int64
}

func (a *activeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.active.Add(1)
	defer a.active.Add(-1)
	a.h.ServeHTTP(w, r)
}

// smallSendBuffers gives every accepted connection a small send buffer, so
// that a client that does not keep up blocks the server's writes after a
// round or two instead of after megabytes of kernel buffering.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(serverSendBytes)
	}
	return c, err
}

// streamEnv is a started StreamHandler behind an httptest server on
// loopback, with circuits for it to report and the raw clients connected to
// it.
type streamEnv struct {
	t       testing.TB
	sh      *hystrix.StreamHandler
	handler *activeHandler
	srv     *httptest.Server
	addr    string
	marker  string // the name of one circuit: a line naming it marks a round

	mu      sync.Mutex
	clients []*streamClient
}

// needFiles skips t unless the process may open enough files for clients
// loopback connections (two descriptors each) and some to spare.
func needFiles(t testing.TB, clients int) {
	t.Helper()
	need := uint64(2*clients + 256)
	limit, err := openFileLimit()
	if err != nil {
		t.Skipf("cannot read the open-file limit: %v", err)
	}
	if limit < need {
		t.Skipf("open-file limit %d is below the %d that %d loopback stream clients need; raise it with ulimit -n", limit, need, clients)
	}
}

func startStreamEnv(t testing.TB, maxClients int) *streamEnv {
	t.Helper()
	for i := 0; i < streamCircuits; i++ {
		name := uniqueName(t, fmt.Sprintf("circuit%02d", i))
		if err := hystrix.TryConfigureCommand(name, hystrix.CommandConfig{RequestVolumeThreshold: 1 << 30}); err != nil {
			t.Fatal(err)
		}
		_ = hystrix.Do(name, func() error { return nil }, nil)
		_ = hystrix.Do(name, func() error { return errors.New("boom") }, nil)
	}
	e := &streamEnv{t: t, sh: hystrix.NewStreamHandler()}
	e.marker = uniqueName(t, "marker")
	if err := hystrix.TryConfigureCommand(e.marker, hystrix.CommandConfig{RequestVolumeThreshold: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	_ = hystrix.Do(e.marker, func() error { return nil }, nil)

	e.sh.MaxClients = maxClients
	e.sh.Start()
	e.handler = &activeHandler{h: e.sh}
	e.srv = httptest.NewUnstartedServer(e.handler)
	e.srv.Listener = smallSendBuffers{e.srv.Listener}
	e.srv.Start()
	e.addr = e.srv.Listener.Addr().String()
	t.Cleanup(func() {
		e.sh.Stop()
		e.mu.Lock()
		clients := e.clients
		e.clients = nil
		e.mu.Unlock()
		for _, c := range clients {
			c.close()
		}
		e.srv.Close()
		flush(t)
	})
	return e
}

// streamClient is one raw HTTP/1.1 client of the stream.
type streamClient struct {
	conn   net.Conn
	status int
	slow   bool
	marker []byte

	rounds atomic.Int64 // lines naming the marker circuit's command
	pings  atomic.Int64 // ":ping" comments
	bytes  atomic.Int64
	ended  atomic.Bool // the response ended, cleanly or with the connection
	clean  atomic.Bool // it ended with the chunked terminator

	quit chan struct{}
	done chan struct{}
}

// connect opens one client and reads its response's status and headers. A
// client that gets 200 reads the stream on a goroutine of its own, fast or
// slowly, until it is closed or the response ends.
func (e *streamEnv) connect(slow bool) (*streamClient, error) {
	conn, err := net.DialTimeout("tcp", e.addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	c := &streamClient{conn: conn, slow: slow, quit: make(chan struct{}), done: make(chan struct{}),
		marker: []byte(`"name":"` + e.marker + `"`)}
	if slow {
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(slowRecvBytes)
		}
	}
	e.mu.Lock()
	e.clients = append(e.clients, c)
	e.mu.Unlock()

	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := fmt.Fprintf(conn, "GET /hystrix.stream HTTP/1.1\r\nHost: %s\r\n\r\n", e.addr); err != nil {
		close(c.done)
		return c, err
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		close(c.done)
		return c, err
	}
	_ = conn.SetDeadline(time.Time{})
	c.status = resp.StatusCode
	if c.status != http.StatusOK {
		resp.Body.Close()
		close(c.done)
		return c, nil
	}
	go c.read(resp.Body)
	return c, nil
}

var (
	dataPrefix  = []byte("data:")
	commandType = []byte(`"type":"HystrixCommand"`)
	pingPrefix  = []byte(":ping")
)

func (c *streamClient) read(body io.ReadCloser) {
	defer close(c.done)
	defer body.Close()
	if c.slow {
		buf := make([]byte, slowReadBytes)
		tick := time.NewTicker(slowReadEvery)
		defer tick.Stop()
		for {
			select {
			case <-c.quit:
				return
			case <-tick.C:
			}
			n, err := body.Read(buf)
			c.bytes.Add(int64(n))
			if err != nil {
				c.end(err)
				return
			}
		}
	}
	r := bufio.NewReaderSize(body, 16<<10)
	partial := false
	for {
		line, err := r.ReadSlice('\n')
		c.bytes.Add(int64(len(line)))
		if !partial {
			switch {
			case bytes.HasPrefix(line, dataPrefix) && bytes.Contains(line, c.marker) && bytes.Contains(line, commandType):
				c.rounds.Add(1)
			case bytes.HasPrefix(line, pingPrefix):
				c.pings.Add(1)
			}
		}
		partial = err == bufio.ErrBufferFull
		if err != nil && !partial {
			c.end(err)
			return
		}
	}
}

// end notes that the response ended with err, unless the test closed the
// client itself.
func (c *streamClient) end(err error) {
	select {
	case <-c.quit:
		return
	default:
	}
	c.clean.Store(err == io.EOF)
	c.ended.Store(true)
}

// close drops the connection and waits for the reader.
func (c *streamClient) close() {
	select {
	case <-c.quit:
	default:
		close(c.quit)
	}
	_ = c.conn.Close()
	<-c.done
}

// connectMany opens n clients, every (n/slow)th of them slow, 32 at a
// time, and returns them in order.
func (e *streamEnv) connectMany(n, slow int) ([]*streamClient, error) {
	out := make([]*streamClient, n)
	errs := make(chan error, n)
	idx := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				isSlow := slow > 0 && i%(n/slow) == 0
				c, err := e.connect(isSlow)
				out[i] = c
				if err != nil {
					errs <- fmt.Errorf("client %d: %w", i, err)
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		idx <- i
	}
	close(idx)
	wg.Wait()
	close(errs)
	return out, <-errs
}

// waitRounds waits until every client in cs has seen want more rounds than
// in from, or until the deadline, and returns the smallest advance.
func waitRounds(cs []*streamClient, from []int64, want int64, deadline time.Time) int64 {
	for {
		least := int64(-1)
		for i, c := range cs {
			if adv := c.rounds.Load() - from[i]; least < 0 || adv < least {
				least = adv
			}
		}
		if least >= want || time.Now().After(deadline) {
			return least
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func roundCounts(cs []*streamClient) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.rounds.Load()
	}
	return out
}

// TestStreamThousandClientsTenSlow connects MaxClients (1,000) clients to a
// stream, ten of them reading slowly, and checks that those beyond the cap
// get 503, that the slow ones do not keep the others from getting every
// round, that the heap stays bounded, that a departed client's place is
// given to a new one, and that Stop ends every response, the slow clients'
// too.
func TestStreamThousandClientsTenSlow(t *testing.T) {
	needFiles(t, streamClients+2*extraClients+10)
	flush(t)
	e := startStreamEnv(t, streamClients)
	start := time.Now()

	clients, err := e.connectMany(streamClients, slowClients)
	if err != nil {
		t.Fatalf("connecting %d clients: %v", streamClients, err)
	}
	var fast, slow []*streamClient
	for i, c := range clients {
		if c.status != http.StatusOK {
			t.Fatalf("client %d of %d (cap %d) got status %d", i, streamClients, streamClients, c.status)
		}
		if c.slow {
			slow = append(slow, c)
		} else {
			fast = append(fast, c)
		}
	}
	t.Logf("%d clients (%d slow) connected in %v", len(clients), len(slow), time.Since(start).Round(time.Millisecond))

	for i := 0; i < extraClients; i++ {
		c, err := e.connect(false)
		if err != nil {
			t.Fatalf("extra client %d: %v", i, err)
		}
		if c.status != http.StatusServiceUnavailable {
			t.Errorf("client %d beyond the cap of %d got status %d, want 503", streamClients+i+1, streamClients, c.status)
		}
		c.close()
	}

	// Two rounds by default; the long run goes on for more rounds than a
	// client's buffer holds (ten in this engine), so that a publisher that
	// waited for slow clients once their buffers were full would show.
	rounds := int64(2)
	if *long {
		rounds = 15
	}
	// Let a first round reach everyone, so that the slow clients are
	// behind from here on and the heap holds what a round costs.
	first := waitRounds(fast, make([]int64, len(fast)), 1, time.Now().Add(3*streamInterval))
	if first < 1 {
		t.Fatalf("some fast client got no round within %v of connecting", 3*streamInterval)
	}
	heap0 := heapAfterGC()
	from := roundCounts(fast)
	t0 := time.Now()
	least := waitRounds(fast, from, rounds, t0.Add(time.Duration(rounds)*streamInterval+3*streamInterval))
	if least < rounds {
		lagging := 0
		for i, c := range fast {
			if c.rounds.Load()-from[i] < rounds {
				lagging++
			}
		}
		t.Errorf("with %d slow clients attached, %d of %d fast clients got fewer than %d rounds in %v (least %d)",
			len(slow), lagging, len(fast), rounds, time.Since(t0).Round(time.Millisecond), least)
	}
	heap1 := heapAfterGC()
	if limit := heap0 + heap0/2 + 16<<20; heap1 > limit {
		t.Errorf("heap grew from %d B to %d B over %d rounds with %d clients (limit %d B)", heap0, heap1, rounds, len(clients), limit)
	}

	// The slow clients must really have fallen behind, or the test tested
	// nothing.
	fastBytes := make([]int64, len(fast))
	for i, c := range fast {
		fastBytes[i] = c.bytes.Load()
	}
	sort.Slice(fastBytes, func(i, j int) bool { return fastBytes[i] < fastBytes[j] })
	var slowMax int64
	for _, c := range slow {
		slowMax = max(slowMax, c.bytes.Load())
	}
	t.Logf("after %v: fast clients read %d to %d B (%d B a round), slow clients at most %d B; heap %d -> %d B",
		time.Since(start).Round(time.Millisecond), fastBytes[0], fastBytes[len(fastBytes)-1],
		fastBytes[0]/max(1, fast[0].rounds.Load()), slowMax, heap0, heap1)
	if slowMax*2 > fastBytes[0] {
		t.Errorf("slow clients read up to %d B, fast ones as little as %d B: the slow clients did not fall behind", slowMax, fastBytes[0])
	}

	// A client that leaves is forgotten, and its place goes to the next.
	for _, c := range fast[:extraClients] {
		c.close()
	}
	fast = fast[extraClients:]
	for i := 0; i < extraClients; i++ {
		deadline := time.Now().Add(3 * time.Second)
		for {
			c, err := e.connect(false)
			if err != nil {
				t.Fatalf("replacement client %d: %v", i, err)
			}
			if c.status == http.StatusOK {
				fast = append(fast, c)
				break
			}
			c.close()
			if time.Now().After(deadline) {
				t.Fatalf("replacement client %d still refused (%d) 3 s after %d clients left", i, c.status, extraClients)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// The cap holds again, unless the server has dropped slow clients
	// whose writes waited StreamWriteTimeout (only the long run lasts that
	// long).
	if open := e.handler.active.Load(); open < streamClients {
		t.Logf("%d responses open: the server dropped %d slow clients; the second cap check is skipped", open, streamClients-open)
	} else if c, err := e.connect(false); err != nil {
		t.Fatalf("client beyond the cap again: %v", err)
	} else if c.status != http.StatusServiceUnavailable {
		t.Errorf("client beyond the cap after the replacements got %d, want 503", c.status)
	}

	// Stop must end every response, also those of clients that have not
	// read what they were sent.
	stopAt := time.Now()
	e.sh.Stop()
	deadline := stopAt.Add(3 * time.Second)
	for e.handler.active.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := e.handler.active.Load(); n > 0 {
		t.Errorf("StreamHandler.Stop: %d responses still open 3 s later (%d slow clients attached; a handler blocked writing to a client that does not read never sees Stop)",
			n, len(slow))
	} else {
		t.Logf("Stop ended every response in %v", time.Since(stopAt).Round(time.Millisecond))
	}
	ended, clean := 0, 0
	for _, c := range fast {
		for !c.ended.Load() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if c.ended.Load() {
			ended++
		}
		if c.clean.Load() {
			clean++
		}
	}
	if ended != len(fast) {
		t.Errorf("after Stop, %d of %d fast clients saw their response end", ended, len(fast))
	}
	t.Logf("after Stop, %d of %d fast clients saw their response end, %d of them with the chunked terminator", ended, len(fast), clean)
}

// TestStreamIdleSendsPing checks that a stream with no circuit to report
// still sends something each round, a ":ping" comment, so that clients and
// proxies can tell it is alive.
func TestStreamIdleSendsPing(t *testing.T) {
	flush(t)
	sh := hystrix.NewStreamHandler()
	sh.Start()
	srv := httptest.NewServer(sh)
	e := &streamEnv{t: t, sh: sh, addr: srv.Listener.Addr().String(), marker: "no such circuit"}
	defer func() {
		sh.Stop()
		for _, c := range e.clients {
			c.close()
		}
		srv.Close()
		flush(t)
	}()
	c, err := e.connect(false)
	if err != nil {
		t.Fatal(err)
	}
	if c.status != http.StatusOK {
		t.Fatalf("status %d", c.status)
	}
	start := time.Now()
	limit := 2*streamInterval + streamInterval/2
	for c.pings.Load() < 2 && time.Since(start) < limit {
		time.Sleep(5 * time.Millisecond)
	}
	if n := c.pings.Load(); n < 2 {
		t.Errorf("an idle stream sent %d \":ping\" comments in %v, want one each round (%v)", n, limit, streamInterval)
	}
}

// BenchmarkDoWhileStreaming measures a command's latency while a stream
// serves no client, and while it serves 1,000, ten of which read slowly.
// The stream publishes once a second, so runs of a second or more include
// the rounds being built and written.
func BenchmarkDoWhileStreaming(b *testing.B) {
	for _, n := range []int{0, streamClients} {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			if n > 0 {
				needFiles(b, n+10)
			}
			e := startStreamEnv(b, streamClients)
			if n > 0 {
				clients, err := e.connectMany(n, slowClients)
				if err != nil {
					b.Fatal(err)
				}
				var fast []*streamClient
				for _, c := range clients {
					if c.status != http.StatusOK {
						b.Fatalf("status %d", c.status)
					}
					if !c.slow {
						fast = append(fast, c)
					}
				}
				if waitRounds(fast, make([]int64, len(fast)), 1, time.Now().Add(3*streamInterval)) < 1 {
					b.Fatal("no round reached every fast client")
				}
			}
			name := noCollectorPrefix + uniqueName(b, "bench")
			if err := hystrix.TryConfigureCommand(name, hystrix.CommandConfig{MaxConcurrentRequests: -1}); err != nil {
				b.Fatal(err)
			}
			run := func() error { return nil }
			b.ReportAllocs()
			for b.Loop() {
				if err := hystrix.Do(name, run, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
