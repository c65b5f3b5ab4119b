package hystrix

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix/policy"
	"github.com/gohystrix/hystrix-go/hystrix/rolling"
)

// StreamHandler serves the metrics of every circuit as a Server-Sent Events
// stream in the format of Netflix's Hystrix dashboard: once per interval,
// one HystrixCommand and one HystrixThreadPool event per circuit, or an SSE
// comment (":ping") when there are no circuits, so that a client of an idle
// process still sees the stream is alive. Command names are escaped as
// StreamName describes.
//
// The zero value is ready to use and publishes once a second, like
// NewStreamHandler's. Call Start before serving and Stop when done; Flush
// stops it too. A client that reads too slowly misses events rather than
// slowing anything down; one that stops reading altogether is dropped when
// a write to it has waited StreamWriteTimeout, and a client that leaves is
// forgotten at once. Stop ends every response at once, also one blocked in
// a write, and frees its client slot. As with Netflix's servlet, a client
// may ask for fewer rounds with ?delay=<milliseconds>.
//
// Beside Netflix's keys, each event says in
// rollingStatsWindowFilledInMilliseconds how much time its rolling counts
// cover: less than the ten-second window while it fills, after the
// circuit was made or a probe closed it and cleared its window, so that a
// dashboard dividing by it shows the true rates; Netflix's dashboard
// ignores the key.
type StreamHandler struct {
	// MaxClients caps the clients served at once; more are answered 503.
	// Zero means DefaultStreamMaxClients, negative means no cap. Set it
	// before serving.
	MaxClients int

	reg      *Registry // nil for the default registry
	mu       sync.Mutex
	clients  map[*streamClient]struct{}
	done     chan struct{}
	stopped  chan struct{}
	interval time.Duration
	// roundSize is the length of the last round, and scratch what
	// rendering it reuses; only loop touches them.
	roundSize int
	scratch   streamScratch
}

// DefaultStreamMaxClients is the number of clients a StreamHandler serves at
// once when its MaxClients is zero.
const DefaultStreamMaxClients = 32

// StreamWriteTimeout is how long a StreamHandler waits for one write to a
// client before it drops the client as gone.
const StreamWriteTimeout = 10 * time.Second

const (
	streamClientBuffer = 10 // rounds
	streamHeartbeat    = 10 * time.Second
	streamInterval     = time.Second
	streamStopGrace    = 100 * time.Millisecond
)

// streamPing is the SSE comment sent when there is nothing else to send.
var streamPing = []byte(":ping\n\n")

// streamClient is one response being streamed.
type streamClient struct {
	events chan []byte
	rc     *http.ResponseController
}

// NewStreamHandler returns a handler that publishes the default registry's
// circuits once a second.
func NewStreamHandler() *StreamHandler {
	return &StreamHandler{interval: streamInterval}
}

// NewStreamHandler returns a handler that publishes the registry's circuits
// once a second; the registry's Flush stops it.
func (r *Registry) NewStreamHandler() *StreamHandler {
	return &StreamHandler{reg: r, interval: streamInterval}
}

func (sh *StreamHandler) registry() *Registry {
	if sh.reg == nil {
		return defaultRegistry
	}
	return sh.reg
}

// Start begins publishing on a goroutine owned by the handler. Starting a
// running handler does nothing.
func (sh *StreamHandler) Start() {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.done != nil {
		return
	}
	if sh.clients == nil {
		sh.clients = make(map[*streamClient]struct{})
	}
	if sh.interval <= 0 {
		sh.interval = streamInterval
	}
	sh.done = make(chan struct{})
	sh.stopped = make(chan struct{})
	r := sh.registry()
	r.mu.Lock()
	r.streams[sh] = struct{}{}
	r.mu.Unlock()
	go sh.loop(sh.done, sh.stopped)
}

// Stop ends publishing, waits for the publishing goroutine to exit and ends
// every open response. It may be called more than once.
func (sh *StreamHandler) Stop() {
	sh.mu.Lock()
	done, stopped := sh.done, sh.stopped
	sh.done, sh.stopped = nil, nil
	// A response blocked in a write to a client that stopped reading would
	// not see done: a deadline ends the write. It is a moment away rather
	// than past, so that a handler that was not blocked still ends its
	// response cleanly. Each handler is still running while it is in the
	// map (it leaves the map under mu before it returns), so its
	// ResponseController is still usable; leaving the map frees its slot.
	deadline := time.Now().Add(streamStopGrace)
	for cl := range sh.clients {
		_ = cl.rc.SetWriteDeadline(deadline)
		delete(sh.clients, cl)
	}
	sh.mu.Unlock()
	if done == nil {
		return
	}
	r := sh.registry()
	r.mu.Lock()
	delete(r.streams, sh)
	r.mu.Unlock()
	close(done)
	<-stopped
}

// ServeHTTP streams events to one client until it leaves or the handler
// stops.
func (sh *StreamHandler) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	flusher, ok := rw.(http.Flusher)
	if !ok {
		http.Error(rw, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	var delay time.Duration
	if v := req.URL.Query().Get("delay"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms < 0 {
			http.Error(rw, "delay must be a whole number of milliseconds", http.StatusBadRequest)
			return
		}
		delay = time.Duration(ms) * time.Millisecond
	}
	cl := &streamClient{events: make(chan []byte, streamClientBuffer), rc: http.NewResponseController(rw)}
	done, err := sh.register(cl)
	if err != "" {
		http.Error(rw, err, http.StatusServiceUnavailable)
		return
	}
	defer sh.unregister(cl)
	events := cl.events

	h := rw.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	rw.WriteHeader(http.StatusOK)
	flusher.Flush()

	heartbeat := time.NewTicker(streamHeartbeat)
	defer heartbeat.Stop()
	var lastSent time.Time
	for {
		var msg []byte
		select {
		case <-req.Context().Done():
			return
		case <-done:
			return
		case msg = <-events:
			// A client that asked for a longer delay skips rounds.
			if t := time.Now(); t.Sub(lastSent) < delay {
				continue
			} else {
				lastSent = t
			}
		case <-heartbeat.C:
			msg = streamPing
		}
		// A client that stopped reading is dropped at the deadline; where
		// the writer has no deadlines, Stop still ends the response once
		// the write returns.
		if !sh.armWrite(cl) {
			return
		}
		if _, err := rw.Write(msg); err != nil {
			return
		}
		if cl.rc.Flush() != nil {
			return
		}
	}
}

// register adds a client, or says why it cannot.
func (sh *StreamHandler) register(cl *streamClient) (<-chan struct{}, string) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.done == nil {
		return nil, "hystrix stream not started"
	}
	limit := sh.MaxClients
	if limit == 0 {
		limit = DefaultStreamMaxClients
	}
	if limit > 0 && len(sh.clients) >= limit {
		return nil, "too many hystrix stream clients"
	}
	sh.clients[cl] = struct{}{}
	return sh.done, ""
}

// armWrite sets the deadline of the client's next write, unless Stop has
// dropped the client, whose deadline must stay in the past.
func (sh *StreamHandler) armWrite(cl *streamClient) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.clients[cl]; !ok {
		return false
	}
	_ = cl.rc.SetWriteDeadline(time.Now().Add(StreamWriteTimeout))
	return true
}

func (sh *StreamHandler) unregister(cl *streamClient) {
	sh.mu.Lock()
	delete(sh.clients, cl)
	sh.mu.Unlock()
}

func (sh *StreamHandler) loop(done, stopped chan struct{}) {
	defer close(stopped)
	tick := time.NewTicker(sh.interval)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			sh.publish(sh.registry().clock.now())
		}
	}
}

// publish sends one round of events, every circuit's, to every client as
// one message, so that a client either gets a whole round or, when its
// buffer is full because it reads too slowly, misses a whole round.
func (sh *StreamHandler) publish(t int64) {
	sh.mu.Lock()
	n := len(sh.clients)
	sh.mu.Unlock()
	if n == 0 {
		return
	}
	// Size the round like the last one, so that building it does not
	// copy a growing buffer over and over. The round itself is not
	// reused: clients still hold the ones before it.
	round := sh.registry().appendRound(make([]byte, 0, sh.roundSize+sh.roundSize/8), t, &sh.scratch)
	if len(round) == 0 {
		round = streamPing
	}
	sh.roundSize = len(round)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for cl := range sh.clients {
		select {
		case cl.events <- round:
		default:
		}
	}
}

// AppendStreamEvents appends to dst one round of the stream: a
// HystrixCommand and a HystrixThreadPool event for every circuit, each as an
// SSE "data:" line followed by a blank line, and returns the extended slice.
// It is what a StreamHandler sends each interval, for programs that carry
// the events some other way. It covers the default registry.
func AppendStreamEvents(dst []byte) []byte { return defaultRegistry.AppendStreamEvents(dst) }

// AppendStreamEvents is the package-level AppendStreamEvents for the
// registry's circuits.
func (r *Registry) AppendStreamEvents(dst []byte) []byte {
	sc := streamScratchPool.Get().(*streamScratch)
	dst = r.appendRound(dst, r.clock.now(), sc)
	streamScratchPool.Put(sc)
	return dst
}

// streamScratch is what rendering a round reuses from one round to the
// next: the sorted circuits, their names in that order, and the two events
// being written.
type streamScratch struct {
	circuits []*CircuitBreaker
	order    circuitOrder
	cmd      streamCmdMetric
	pool     streamThreadPoolMetric
	// What the optional keys of cmd point to.
	admitted, slowCalls, throttled float64
	consecutive                    uint32
	// quotedName is the JSON string of the circuit's stream name.
	quotedName []byte
}

var streamScratchPool = sync.Pool{New: func() any { return new(streamScratch) }}

func (r *Registry) appendRound(dst []byte, t int64, sc *streamScratch) []byte {
	sc.circuits = r.appendSortedCircuits(sc.circuits[:0], &sc.order)
	for _, c := range sc.circuits {
		sc.fill(c, t)
		dst = append(dst, "data:"...)
		dst = appendCmdEvent(dst, &sc.cmd)
		dst = append(dst, "\n\ndata:"...)
		dst = appendPoolEvent(dst, &sc.pool)
		dst = append(dst, '\n', '\n')
	}
	// A circuit the registry drops must not stay reachable from here.
	clear(sc.circuits)
	return dst
}

// streamEvents builds the dashboard's two events for circuit c at time t.
func streamEvents(c *CircuitBreaker, t int64) (*streamCmdMetric, *streamThreadPoolMetric) {
	sc := new(streamScratch)
	sc.fill(c, t)
	return &sc.cmd, &sc.pool
}

// fill sets sc.cmd and sc.pool to the dashboard's two events for circuit c
// at time t.
func (sc *streamScratch) fill(c *CircuitBreaker, t int64) {
	at := unixTime(t)
	name := StreamName(c.Name)
	c.foldPending(t / int64(time.Second))
	m := c.metrics
	s := c.settings.Load()
	sec := floorDiv(t, int64(time.Second))
	reqs := m.NumRequests().SumUnix(sec)
	errs := m.Errors().SumUnix(sec)
	var errPct float64
	if reqs > 0 {
		errPct = errs / reqs * 100
	}
	active := c.ActiveCount()
	maxConc := c.ConcurrencyLimit()
	if maxConc < 0 {
		maxConc = 0
	}
	// Hystrix reports rejections under the limit of the isolation in use.
	isolation := "THREAD"
	rejects := u32(m.Rejects().SumUnix(sec))
	threadRejects, semaphoreRejects := rejects, uint32(0)
	if s.Isolation == CallerIsolation {
		isolation = "SEMAPHORE"
		threadRejects, semaphoreRejects = 0, rejects
	}
	successes := m.Successes().SumUnix(sec)
	failures := m.Failures().SumUnix(sec)
	timeouts := m.Timeouts().SumUnix(sec)
	badRequests := m.BadRequests().SumUnix(sec)
	filled := windowFilled(c.windowStart.Load(), t)
	state := c.State()
	runT, totalT := m.RunDuration(), m.TotalDuration()
	shared := totalT.Shares(runT, at) // asked first, so a Reset after it only empties both
	run, runMean := latencies(runT, at)
	total, totalMean := run, runMean
	if !shared {
		total, totalMean = latencies(totalT, at)
	}
	sc.cmd = streamCmdMetric{
		Type:           "HystrixCommand",
		Name:           name,
		Group:          name,
		Time:           t / int64(time.Millisecond),
		ReportingHosts: 1,

		RequestCount:       u32(reqs),
		ErrorCount:         u32(errs),
		ErrorPct:           u32(errPct + 0.5),
		CircuitBreakerOpen: state != StateClosed,
		CircuitState:       state.String(),

		RollingCountBadRequests:                          u32(badRequests),
		RollingCountFailure:                              u32(failures),
		RollingCountFallbackFailure:                      u32(m.FallbackFailures().SumUnix(sec)),
		RollingCountFallbackSuccess:                      u32(m.FallbackSuccesses().SumUnix(sec)),
		RollingCountShortCircuited:                       u32(m.ShortCircuits().SumUnix(sec)),
		RollingCountSuccess:                              u32(successes),
		RollingCountThreadPoolRejected:                   threadRejects,
		RollingCountSemaphoreRejected:                    semaphoreRejects,
		RollingCountTimeout:                              u32(timeouts),
		CurrentConcurrentExecutionCount:                  uint32(active),
		LatencyExecute:                                   run,
		LatencyExecuteMean:                               runMean,
		LatencyTotal:                                     total,
		LatencyTotalMean:                                 totalMean,
		CircuitBreakerRequestVolumeThreshold:             uint32(s.RequestVolumeThreshold),
		CircuitBreakerSleepWindow:                        toMillis(s.SleepWindow),
		CircuitBreakerErrorThresholdPercent:              uint32(s.ErrorPercentThreshold),
		CircuitBreakerEnabled:                            true,
		CircuitBreakerForceOpen:                          s.ForceOpen,
		CircuitBreakerForceClosed:                        s.ForceClosed,
		ExecutionIsolationStrategy:                       isolation,
		ExecutionIsolationThreadTimeout:                  toMillis(max(s.Timeout, 0)),
		ExecutionIsolationThreadInterruptOnTimeout:       true,
		ExecutionIsolationSemaphoreMaxConcurrentRequests: uint32(maxConc),
		FallbackIsolationSemaphoreMaxConcurrentRequests:  uint32(maxConc),
		RollingStatsWindow:                               10000,
		RollingStatsWindowFilled:                         filled,
	}
	// What a policy of the program's own reports is left out when it is
	// not a number JSON can carry.
	if rate, ok := c.AdmittedPerMinute(); ok && finite(rate) {
		sc.admitted = rate
		sc.cmd.AdmittedPerMinute = &sc.admitted
	}
	if pct, ok := c.SlowCallPercent(); ok && finite(pct) {
		sc.slowCalls = pct
		sc.cmd.SlowCallPercentage = &sc.slowCalls
	}
	if pct, ok := c.ThrottlePercent(); ok && finite(pct) {
		sc.throttled = pct
		sc.cmd.ThrottlePercentage = &sc.throttled
	}
	if cf, ok := s.Opener.(policy.ConsecutiveFailures); ok {
		// The error percentage does not open this circuit: say what does.
		sc.consecutive = uint32(max(cf.Threshold, 0))
		sc.cmd.CircuitBreakerConsecutiveFailures = &sc.consecutive
		sc.cmd.CircuitBreakerErrorThresholdPercent = 0
	}
	sc.pool = streamThreadPoolMetric{
		Type:                        "HystrixThreadPool",
		Name:                        name,
		ReportingHosts:              1,
		CurrentActiveCount:          uint32(active),
		CurrentCorePoolSize:         uint32(maxConc),
		CurrentLargestPoolSize:      uint32(maxConc),
		CurrentMaximumPoolSize:      uint32(maxConc),
		CurrentPoolSize:             uint32(maxConc),
		RollingMaxActiveThreads:     u32(c.pool.peak.MaxUnix(sec)),
		RollingCountThreadsExecuted: u32(successes + failures + timeouts + badRequests),
		RollingStatsWindow:          10000,
		RollingStatsWindowFilled:    filled,
	}
	sc.quotedName = appendJSONString(sc.quotedName[:0], name)
	sc.cmd.quotedName = sc.quotedName
	sc.pool.quotedName = sc.quotedName
}

// windowFilled is how many milliseconds of the rolling window the counts
// at t cover, for a window that began at start: from the later of start
// and the beginning of the window's oldest one-second bucket, up to t.
// That is less than the window while it fills, after it was made or
// cleared, and between nine and ten seconds once it is full, as the oldest
// bucket leaves whole. Dividing a count by it gives the true rate.
func windowFilled(start, t int64) uint32 {
	const sec = int64(time.Second)
	// The oldest live bucket is the second nine before t's.
	from := max(start, (floorDiv(t, sec)-(streamWindowBuckets-1))*sec)
	if t <= from {
		return 0
	}
	return uint32((t - from) / int64(time.Millisecond))
}

// streamWindowBuckets is the number of one-second buckets in the rolling
// window (rolling.Number's), reported as ten seconds.
const streamWindowBuckets = 10

// floorDiv divides rounding towards minus infinity, for times before 1970.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func u32(f float64) uint32 {
	if f <= 0 {
		return 0
	}
	if f >= 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(f)
}

var streamPercentiles = []float64{0, 25, 50, 75, 90, 95, 99, 99.5, 100}

// latencies reads the dashboard's percentiles and the mean, in
// milliseconds, from one merge of r.
func latencies(r *rolling.Timing, at time.Time) (streamCmdLatency, uint32) {
	var d [9]time.Duration
	sum := rolling.TimingSummary{Percentiles: d[:0]}
	r.Summarize(at, streamPercentiles, &sum)
	return streamCmdLatency{
		Timing0: toMillis(d[0]), Timing25: toMillis(d[1]), Timing50: toMillis(d[2]),
		Timing75: toMillis(d[3]), Timing90: toMillis(d[4]), Timing95: toMillis(d[5]),
		Timing99: toMillis(d[6]), Timing995: toMillis(d[7]), Timing100: toMillis(d[8]),
	}, toMillis(sum.Mean)
}
