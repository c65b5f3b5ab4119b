package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"testing"
)

// FuzzSSEReader feeds arbitrary bytes to the stream reader: it never
// panics, never returns more than its limit, and the data of well-formed
// events comes back as written.
func FuzzSSEReader(f *testing.F) {
	for _, s := range []string{
		"data: {}\n\n",
		":ping\n\ndata:{\"a\":1}\r\n\r\n",
		"data: a\ndata: b\n\n",
		"event: x\nid: 1\ndata:\n\n",
		"data: \xff\xfe\n\n",
		"data: {\"n\":1e308}\n\n",
	} {
		f.Add([]byte(s), []byte("payload"))
	}
	f.Fuzz(func(t *testing.T, raw, payload []byte) {
		r := newSSEReader(bytes.NewReader(raw), 4096)
		for {
			data, err := r.next()
			if err != nil {
				break
			}
			if len(data) > 4096 {
				t.Fatalf("event of %d bytes past the 4096 limit", len(data))
			}
		}
		if bytes.ContainsAny(payload, "\r\n") || len(payload) > 1000 {
			return
		}
		// A plain model: one data line per event, read back exactly.
		var stream bytes.Buffer
		for i := 0; i < 3; i++ {
			stream.WriteString(":ping\n\ndata:")
			stream.Write(payload)
			stream.WriteString("\n\n")
		}
		r = newSSEReader(&stream, 4096)
		for i := 0; i < 3; i++ {
			data, err := r.next()
			want := bytes.TrimPrefix(payload, []byte(" "))
			if err != nil || !bytes.Equal(data, want) {
				t.Fatalf("event %d: %q, %v; want %q", i, data, err, want)
			}
		}
		if _, err := r.next(); err != io.EOF {
			t.Fatalf("after the last event: %v, want EOF", err)
		}
	})
}

// FuzzMerge decodes up to three hosts' events for one circuit and merges
// them: the merge never panics, its result always encodes, and where every
// host sent a requestCount the merged one is their sum.
func FuzzMerge(f *testing.F) {
	f.Add([]byte(cmd("a", 10, 1, false, 40)), []byte(cmd("a", 5, 5, true, 400)), []byte(`{}`))
	f.Add([]byte(`{"requestCount":1e308,"latencyTotal_mean":1e308}`), []byte(`{"requestCount":1e308,"latencyTotal_mean":1e308}`), []byte(`{"requestCount":3}`))
	f.Add([]byte(`{"requestCount":-4,"errorCount":"x","latencyTotal":{"0":1,"100":"y"}}`), []byte(`{"isCircuitBreakerOpen":true,"latencyTotal":5}`), []byte(`{"name":"\xff"}`))
	f.Add([]byte(`{"requestCount":9e18}`), []byte(`{"requestCount":9e18}`), []byte(`{"latencyTotal":{"50":9e18}}`))
	f.Fuzz(func(t *testing.T, a, b, c []byte) {
		var evs []event
		for _, raw := range [][]byte{a, b, c} {
			var fields map[string]json.RawMessage
			if json.Unmarshal(raw, &fields) != nil {
				continue
			}
			fields["type"] = json.RawMessage(`"HystrixCommand"`)
			fields["name"] = json.RawMessage(`"fuzz"`)
			data, _ := json.Marshal(fields)
			ev, _, err := decodeEvent(data)
			if err != nil {
				continue // refused alone, as an upstream's event would be
			}
			evs = append(evs, ev)
		}
		if len(evs) == 0 {
			return
		}
		merged := merge(evs)
		if _, err := json.Marshal(merged); err != nil {
			t.Fatalf("merged event does not encode: %v\n%v", err, merged)
		}
		sum, all := 0.0, true
		for _, ev := range evs {
			x, ok := toFloat(ev["requestCount"])
			all = all && ok
			sum += x
		}
		if all && len(evs) > 1 {
			got, ok := toFloat(merged["requestCount"])
			if !ok || math.Abs(got-sum) > 1e-9*math.Max(1, math.Abs(sum)) {
				t.Fatalf("requestCount %v, want the sum %v", merged["requestCount"], sum)
			}
		}
	})
}
