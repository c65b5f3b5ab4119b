package main

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// hub keeps what each upstream last reported for each circuit and thread
// pool, and merges it into rounds.
type hub struct {
	stale   time.Duration // a host's event older than this is left out
	maxKeys int           // most events kept per host
	// logf, if set, reports a merged event that cannot be encoded, once
	// per circuit or pool.
	logf func(format string, v ...any)

	mu     sync.Mutex
	hosts  []map[eventKey]sample
	warned map[eventKey]bool // guarded by mu
}

type sample struct {
	ev event
	at time.Time
}

func newHub(hosts int, stale time.Duration, maxKeys int) *hub {
	h := &hub{stale: stale, maxKeys: maxKeys, hosts: make([]map[eventKey]sample, hosts)}
	for i := range h.hosts {
		h.hosts[i] = make(map[eventKey]sample)
	}
	return h
}

// put records host's latest event for k. It returns false, keeping
// nothing, when the host already has maxKeys other events.
func (h *hub) put(host int, k eventKey, ev event, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := h.hosts[host]
	if _, ok := m[k]; !ok && len(m) >= h.maxKeys {
		return false
	}
	m[k] = sample{ev, now}
	return true
}

// drop forgets everything host reported, as Turbine did when a host went
// away.
func (h *hub) drop(host int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.hosts[host])
}

// merged returns the merged events of one round, ordered by type and
// name, and forgets events that have gone stale.
func (h *hub) merged(now time.Time) []event {
	h.mu.Lock()
	groups := make(map[eventKey][]event)
	for _, m := range h.hosts {
		for k, s := range m {
			if now.Sub(s.at) > h.stale {
				delete(m, k)
				continue
			}
			groups[k] = append(groups[k], s.ev)
		}
	}
	h.mu.Unlock()

	keys := make([]eventKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b eventKey) int {
		return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.name, b.name))
	})
	out := make([]event, len(keys))
	for i, k := range keys {
		// Events are only read once stored, so merging outside the lock
		// is safe; groups keep the hosts' order.
		out[i] = merge(groups[k])
	}
	return out
}

// round is merged as Server-Sent Events, one per circuit and pool.
func (h *hub) round(now time.Time) []byte {
	var b []byte
	for _, ev := range h.merged(now) {
		j, err := json.Marshal(ev)
		if err != nil {
			// decodeEvent keeps numbers in range, so this should not
			// happen; if it does, say so rather than lose the circuit
			// silently.
			h.warnOnce(ev, err)
			continue
		}
		b = append(b, "data:"...)
		b = append(b, j...)
		b = append(b, '\n', '\n')
	}
	return b
}

// warnOnce logs that ev's merged event could not be encoded, the first
// time for its key: it would fail again every round.
func (h *hub) warnOnce(ev event, err error) {
	k, _ := keyOf(ev)
	h.mu.Lock()
	if h.warned == nil {
		h.warned = make(map[eventKey]bool)
	}
	if len(h.warned) >= h.maxKeys*len(h.hosts) && !h.warned[k] {
		// More keys than can be live at once: circuits have come and
		// gone. Forgetting bounds the map, at the cost of a repeat line.
		clear(h.warned)
	}
	first := !h.warned[k]
	h.warned[k] = true
	h.mu.Unlock()
	if first && h.logf != nil {
		// Quoted: the names come from the upstreams.
		h.logf("%q %q: merged event left out: %v", k.typ, k.name, err)
	}
}

// broadcaster serves the merged stream: every round goes to every client
// as one message. A client that reads too slowly misses whole rounds
// rather than slowing the others.
type broadcaster struct {
	maxClients int
	heartbeat  time.Duration

	mu      sync.Mutex
	clients map[chan []byte]struct{}
	done    chan struct{}
}

const clientBuffer = 10 // rounds

func newBroadcaster(maxClients int, heartbeat time.Duration) *broadcaster {
	return &broadcaster{
		maxClients: maxClients,
		heartbeat:  heartbeat,
		clients:    make(map[chan []byte]struct{}),
		done:       make(chan struct{}),
	}
}

// send offers a round to every client.
func (b *broadcaster) send(round []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.clients {
		select {
		case c <- round:
		default:
		}
	}
}

// stop ends every open response; later requests are answered 503.
func (b *broadcaster) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.done:
	default:
		close(b.done)
	}
}

func (b *broadcaster) register() (chan []byte, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.done:
		return nil, "shutting down"
	default:
	}
	if len(b.clients) >= b.maxClients {
		return nil, "too many stream clients"
	}
	c := make(chan []byte, clientBuffer)
	b.clients[c] = struct{}{}
	return c, ""
}

func (b *broadcaster) unregister(c chan []byte) {
	b.mu.Lock()
	delete(b.clients, c)
	b.mu.Unlock()
}

// ServeHTTP streams the merged rounds to one client until it leaves or the
// broadcaster stops. Like Hystrix's own stream it accepts
// ?delay=<milliseconds> to skip rounds.
func (b *broadcaster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	var delay time.Duration
	if v := r.URL.Query().Get("delay"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms < 0 {
			http.Error(w, "delay must be a whole number of milliseconds", http.StatusBadRequest)
			return
		}
		delay = time.Duration(ms) * time.Millisecond
	}
	c, why := b.register()
	if why != "" {
		http.Error(w, why, http.StatusServiceUnavailable)
		return
	}
	defer b.unregister(c)

	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	if r.Method == http.MethodHead {
		return
	}

	beat := time.NewTicker(b.heartbeat)
	defer beat.Stop()
	var last time.Time
	for {
		var msg []byte
		select {
		case <-r.Context().Done():
			return
		case <-b.done:
			return
		case msg = <-c:
			if now := time.Now(); now.Sub(last) < delay {
				continue
			} else {
				last = now
			}
		case <-beat.C:
			msg = []byte(":ping\n\n")
		}
		if _, err := w.Write(msg); err != nil {
			return
		}
		flusher.Flush()
	}
}
