package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
)

// sseModel is the Server-Sent Events specification's reading of a stream,
// written as plainly as possible to check sseReader against: lines end at
// CRLF, CR or LF; a blank line sends the event if it had a data line;
// lines starting with ':' are comments; a field's value loses one leading
// space; data lines join with LF; other fields are ignored. It returns the
// events sent and the data of the last event, which the stream ended
// before sending (nil if there was none).
func sseModel(raw []byte) (events [][]byte, pending []byte) {
	norm := bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n"))
	norm = bytes.ReplaceAll(norm, []byte("\r"), []byte("\n"))
	lines := bytes.Split(norm, []byte("\n"))
	var data []byte
	have := false
	for i, line := range lines {
		last := i == len(lines)-1 // not ended by a line break
		switch {
		case len(line) == 0:
			if have && !last {
				events = append(events, data)
				data, have = nil, false
			}
		case line[0] == ':':
		default:
			field, value, _ := bytes.Cut(line, []byte(":"))
			if string(field) != "data" {
				continue
			}
			value = bytes.TrimPrefix(value, []byte(" "))
			if have {
				data = append(data, '\n')
			}
			data = append(data, value...)
			have = true
		}
	}
	if have {
		pending = append([]byte{}, data...)
	}
	return events, pending
}

// readAllEvents reads r's events to the end or the first error.
func readAllEvents(r *sseReader) ([][]byte, error) {
	var got [][]byte
	for {
		d, err := r.next()
		if err != nil {
			return got, err
		}
		got = append(got, append([]byte{}, d...))
	}
}

// FuzzSSEReader feeds arbitrary bytes to the stream reader and compares
// what it reads with sseModel's: the same events when no limit applies,
// and with a small limit a prefix of them that ends in errEventTooLong
// only where an event or a line is too long. Then payload, as the data of
// a well-formed event, must come back as written, whichever line breaks
// the stream uses.
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
		want, pending := sseModel(raw)
		got, err := readAllEvents(newSSEReader(bytes.NewReader(raw), len(raw)+1))
		if err != io.EOF || !equalEvents(got, want) {
			t.Fatalf("read %q, %v\nthe model reads %q", got, err, want)
		}

		const small = 16
		got, err = readAllEvents(newSSEReader(bytes.NewReader(raw), small))
		if len(got) > len(want) || !equalEvents(got, want[:len(got)]) {
			t.Fatalf("limit %d: read %q, %v\nnot a prefix of the model's %q", small, got, err, want)
		}
		switch {
		case err == io.EOF:
			if len(got) != len(want) {
				t.Fatalf("limit %d: read %q, then EOF; the model reads %q", small, got, want)
			}
		case errors.Is(err, errEventTooLong):
			next := pending
			if len(got) < len(want) {
				next = want[len(got)]
			}
			if len(next) <= small && !hasLineLongerThan(raw, small) {
				t.Fatalf("limit %d: errEventTooLong after %q, but the next event %q and every line fit", small, got, next)
			}
		default:
			t.Fatalf("limit %d: %v", small, err)
		}
		for _, d := range got {
			if len(d) > small {
				t.Fatalf("limit %d: read an event of %d bytes", small, len(d))
			}
		}

		if bytes.ContainsRune(payload, '\r') {
			return // no way to send a CR in an event's data
		}
		breaks := []string{"\n", "\r\n", "\r"}
		var stream bytes.Buffer
		for i := range 3 {
			br := breaks[(i+len(payload))%len(breaks)]
			stream.WriteString(":ping" + br + "event: message" + br)
			// Every line gets the optional space, so that a space the
			// payload starts a line with is kept.
			for line := range bytes.SplitSeq(payload, []byte("\n")) {
				stream.WriteString("data: ")
				stream.Write(line)
				stream.WriteString(br)
			}
			stream.WriteString(br)
		}
		got, err = readAllEvents(newSSEReader(&stream, len(payload)+1))
		if err != io.EOF || len(got) != 3 {
			t.Fatalf("read %q, %v; want 3 events", got, err)
		}
		for i, d := range got {
			if !bytes.Equal(d, payload) {
				t.Fatalf("event %d: %q, want %q", i, d, payload)
			}
		}
	})
}

func equalEvents(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// hasLineLongerThan reports whether raw has a line of more than n bytes.
func hasLineLongerThan(raw []byte, n int) bool {
	for line := range bytes.FieldsFuncSeq(raw, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if len(line) > n {
			return true
		}
	}
	return false
}

// FuzzMerge decodes one to four hosts' events for one circuit as an
// upstream would (a host whose event is refused is left out, as it would
// be) and merges them. The merge must not panic; its result must encode
// and pass decodeEvent in turn (every number finite and within the bound);
// and it must agree with the plain model checked by checkMerged.
func FuzzMerge(f *testing.F) {
	f.Add([]byte(cmd("a", 10, 1, false, 40)), []byte(cmd("a", 5, 5, true, 400)), []byte(`{}`), []byte(``))
	f.Add([]byte(`{"requestCount":1e308,"latencyTotal_mean":1e308}`), []byte(`{"requestCount":1e308,"latencyTotal_mean":1e308}`), []byte(`{"requestCount":3}`), []byte(``))
	f.Add([]byte(`{"requestCount":-4,"errorCount":"x","latencyTotal":{"0":1,"100":"y"}}`), []byte(`{"isCircuitBreakerOpen":true,"latencyTotal":5}`), []byte(`{"name":"\xff"}`), []byte(``))
	f.Add([]byte(`{"requestCount":9e18}`), []byte(`{"requestCount":9e18}`), []byte(`{"latencyTotal":{"50":9e18}}`), []byte(`{"requestCount":9e18}`))
	f.Add([]byte(`{"circuitState":"half-open","admittedPerMinute":60.5,"rollingCountBadRequests":3}`),
		[]byte(`{"circuitState":"closed","isCircuitBreakerOpen":false,"rollingCountBadRequests":4}`),
		[]byte(`{"isCircuitBreakerOpen":true,"admittedPerMinute":1e300}`), []byte(`{"circuitState":"forced","admittedPerMinute":{"x":1}}`))
	f.Add([]byte(`{"requestCount":30,"slowCallPercentage":12.5,"throttlePercentage":0}`),
		[]byte(`{"requestCount":5e-324,"slowCallPercentage":1e18,"throttlePercentage":-7}`),
		[]byte(`{"requestCount":0,"slowCallPercentage":"x"}`), []byte(`{"throttlePercentage":99.99999999999999}`))
	f.Fuzz(func(t *testing.T, a, b, c, d []byte) {
		var evs []event
		for _, raw := range [][]byte{a, b, c, d} {
			var fields map[string]json.RawMessage
			if json.Unmarshal(raw, &fields) != nil {
				continue
			}
			// All for the same circuit, or there is nothing to merge.
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
		out, err := json.Marshal(merged)
		if err != nil {
			t.Fatalf("merged event does not encode: %v\n%v", err, merged)
		}
		if _, _, err := decodeEvent(out); err != nil {
			t.Fatalf("merged event %s is not valid input: %v", out, err)
		}
		checkMerged(t, evs, merged)
	})
}

// clampModel is where the merge's numbers saturate.
func clampModel(x float64) float64 { return min(maxStreamValue, max(-maxStreamValue, x)) }

// checkMerged checks merged against a plain model of merge, property by
// property, where the property is simple to state.
func checkMerged(t *testing.T, evs []event, merged event) {
	t.Helper()
	if len(evs) == 1 && evs[0]["reportingHosts"] != nil {
		if !reflect.DeepEqual(merged, evs[0]) {
			t.Fatalf("a merged host's event changed:\n%v\n%v", evs[0], merged)
		}
		return
	}
	hosts := 0.0
	for _, ev := range evs {
		hosts += max(1, number(ev["reportingHosts"]))
	}
	if got := number(merged["reportingHosts"]); got != clampModel(hosts) {
		t.Fatalf("reportingHosts %v, want %v", merged["reportingHosts"], clampModel(hosts))
	}
	if p, ok := toFloat(merged["errorPercentage"]); ok {
		req, okR := sumIfAll(evs, "requestCount")
		errs, okE := sumIfAll(evs, "errorCount")
		if okR && okE && (p < 0 || p > 100) {
			t.Fatalf("errorPercentage %v from the counts", p)
		}
		if okR && okE && req > 0 && errs >= 0 && errs <= req {
			if want := math.Round(errs / req * 100); p != want {
				t.Fatalf("errorPercentage %v, want %v: %v errors in %v requests", p, want, errs, req)
			}
		}
	}
	for k, got := range merged {
		var vals []any
		for _, ev := range evs {
			if v, ok := ev[k]; ok {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			if k != "reportingHosts" && k != "errorPercentage" {
				t.Fatalf("merged %q, which no host sent", k)
			}
			continue
		}
		xs, allNumbers := floats(vals)
		switch {
		case k == "type" || k == "name" || k == "reportingHosts" || k == "errorPercentage":
		case strings.HasPrefix(k, "propertyValue_"):
			if !reflect.DeepEqual(got, vals[0]) {
				t.Fatalf("%s %v, want the first host's %v", k, got, vals[0])
			}
		case k == "currentTime":
			if allNumbers && number(got) != slicesMax(xs) {
				t.Fatalf("currentTime %v, want the latest of %v", got, xs)
			}
		case k == "circuitState":
			if want := stateModel(evs, vals[0]); !reflect.DeepEqual(got, want) {
				t.Fatalf("circuitState %v, want %v, the most severe of the hosts' %v", got, want, evs)
			}
		case k == "admittedPerMinute":
			if !allNumbers {
				if !reflect.DeepEqual(got, vals[0]) {
					t.Fatalf("%s %v, want the first host's %v", k, got, vals[0])
				}
				continue
			}
			sum := 0.0
			for _, x := range xs {
				sum += x
			}
			if g, ok := toFloat(got); !ok || g != clampModel(sum) {
				t.Fatalf("%s %v, want the sum of %v within the bound, %v", k, got, xs, clampModel(sum))
			}
		case k == "slowCallPercentage" || k == "throttlePercentage":
			if !allNumbers {
				if !reflect.DeepEqual(got, vals[0]) {
					t.Fatalf("%s %v, want the first host's %v", k, got, vals[0])
				}
				continue
			}
			// A mean of the hosts' shares, each brought within 0 to 100.
			for i, x := range xs {
				xs[i] = min(100, max(0, x))
			}
			checkBetween(t, k, got, xs)
		case strings.HasSuffix(k, "_mean"):
			if allNumbers {
				checkBetween(t, k, got, xs)
			}
		default:
			switch v0 := vals[0].(type) {
			case bool:
				want := false
				for _, v := range vals {
					want = want || v == true
				}
				if got != want {
					t.Fatalf("%s %v, want %v: true if true on any host of %v", k, got, want, vals)
				}
			case map[string]any:
				checkPercentiles(t, k, got, vals)
			default:
				if !allNumbers {
					if !reflect.DeepEqual(got, v0) {
						t.Fatalf("%s %v, want the first host's %v", k, got, v0)
					}
					continue
				}
				sum := 0.0
				for _, x := range xs {
					sum += x
				}
				if g, ok := toFloat(got); !ok || g != clampModel(sum) {
					t.Fatalf("%s %v, want the sum of %v within the bound, %v", k, got, xs, clampModel(sum))
				}
			}
		}
	}
}

// stateModel is the merged circuitState: each host says "open",
// "half-open" or "closed" by its circuitState, or else by its boolean
// isCircuitBreakerOpen, or says nothing; any open host makes it open, then
// any half-open one half-open, then any closed one closed; if no host
// says anything, it is the first host's circuitState as sent.
func stateModel(evs []event, first any) any {
	said := map[string]bool{}
	for _, ev := range evs {
		switch s := ev["circuitState"]; s {
		case "open", "half-open", "closed":
			said[s.(string)] = true
			continue
		}
		if open, ok := ev["isCircuitBreakerOpen"].(bool); ok {
			said[map[bool]string{true: "open", false: "closed"}[open]] = true
		}
	}
	for _, s := range []string{"open", "half-open", "closed"} {
		if said[s] {
			return s
		}
	}
	return first
}

// floats returns vals as numbers, and whether all of them are.
func floats(vals []any) ([]float64, bool) {
	xs := make([]float64, 0, len(vals))
	for _, v := range vals {
		x, ok := toFloat(v)
		if !ok {
			return nil, false
		}
		xs = append(xs, x)
	}
	return xs, true
}

func slicesMax(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs[1:] {
		m = max(m, x)
	}
	return m
}

func slicesMin(xs []float64) float64 {
	m := xs[0]
	for _, x := range xs[1:] {
		m = min(m, x)
	}
	return m
}

// checkBetween checks that a weighted mean lies between the least and the
// greatest of the values it weighs.
func checkBetween(t *testing.T, k string, got any, xs []float64) {
	t.Helper()
	g, ok := toFloat(got)
	if !ok || g < slicesMin(xs) || g > slicesMax(xs) {
		t.Fatalf("%s %v, not between the least and greatest of %v", k, got, xs)
	}
}

// checkPercentiles checks a merged object of percentiles: "0" is the
// least of the hosts', "100" the greatest, and the others lie between.
func checkPercentiles(t *testing.T, k string, got any, vals []any) {
	t.Helper()
	m, ok := got.(map[string]any)
	if !ok {
		t.Fatalf("%s %v, want an object as the first host's", k, got)
	}
	for p, pg := range m {
		var pv []any
		for _, v := range vals {
			if hm, ok := v.(map[string]any); ok {
				if x, ok := hm[p]; ok {
					pv = append(pv, x)
				}
			}
		}
		xs, all := floats(pv)
		if len(pv) == 0 {
			t.Fatalf("%s[%s], which no host sent", k, p)
		}
		if !all {
			continue
		}
		switch p {
		case "0":
			if number(pg) != slicesMin(xs) {
				t.Fatalf("%s[0] %v, want the least of %v", k, pg, xs)
			}
		case "100":
			if number(pg) != slicesMax(xs) {
				t.Fatalf("%s[100] %v, want the greatest of %v", k, pg, xs)
			}
		default:
			checkBetween(t, k+"["+p+"]", pg, xs)
		}
	}
}
