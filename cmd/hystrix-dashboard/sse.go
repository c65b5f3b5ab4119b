package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// jsonNum is how decoded events hold numbers.
type jsonNum = json.Number

// errEventTooLong is returned for an event larger than the reader allows.
var errEventTooLong = errors.New("event too long")

// sseReader reads the data of Server-Sent Events, the only field a Hystrix
// stream uses; comments (":ping"), other fields and events without data
// are skipped. Lines end at CRLF, LF or a lone CR, as the specification
// has it.
type sseReader struct {
	sc   *bufio.Scanner
	max  int
	data []byte
}

// newSSEReader reads events of at most maxEvent bytes of data from r.
func newSSEReader(r io.Reader, maxEvent int) *sseReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(64<<10, maxEvent+16)), maxEvent+16)
	sc.Split(scanSSELines)
	return &sseReader{sc: sc, max: maxEvent}
}

// scanSSELines is a bufio.SplitFunc for the lines of an event stream,
// which may end at CRLF, LF or CR. bufio.ScanLines splits at LF only, so
// a stream broken by lone CRs would read as one over-long line.
func scanSSELines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	i := bytes.IndexAny(data, "\r\n")
	switch {
	case i < 0:
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	case data[i] == '\n':
		return i + 1, data[:i], nil
	case i+1 < len(data):
		if data[i+1] == '\n' {
			return i + 2, data[:i], nil
		}
		return i + 1, data[:i], nil
	case atEOF:
		return i + 1, data[:i], nil
	}
	// A CR last in the buffer: whether an LF follows decides if the
	// next line is blank, so wait for another byte.
	return 0, nil, nil
}

// next returns the next event's data, or an error: io.EOF at the end of
// the stream, errEventTooLong for an oversized event. The returned slice
// is valid until the next call.
func (r *sseReader) next() ([]byte, error) {
	r.data = r.data[:0]
	have := false
	for r.sc.Scan() {
		line := r.sc.Bytes()
		if len(line) == 0 {
			if have {
				return r.data, nil
			}
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte{':'})
		if string(field) != "data" {
			continue
		}
		value = bytes.TrimPrefix(value, []byte{' '})
		if have {
			r.data = append(r.data, '\n')
		}
		if len(r.data)+len(value) > r.max {
			return nil, errEventTooLong
		}
		r.data = append(r.data, value...)
		have = true
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, errEventTooLong
		}
		return nil, err
	}
	return nil, io.EOF
}

// decodeEvent decodes one event's data, which must be a JSON object with a
// type and a name.
func decodeEvent(data []byte) (event, eventKey, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var ev event
	if err := dec.Decode(&ev); err != nil {
		return nil, eventKey{}, fmt.Errorf("event is not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, eventKey{}, errors.New("event has data after its JSON object")
	}
	k, ok := keyOf(ev)
	if !ok {
		return nil, eventKey{}, errors.New("event lacks a type or a name")
	}
	if path, ok := outOfRange(ev); !ok {
		// Quoted: the names come from the upstream and go to the log.
		return nil, eventKey{}, fmt.Errorf("%q %q left out: %q %w", k.typ, k.name, strings.TrimPrefix(path, "."), errOutOfRange)
	}
	return ev, k, nil
}

// errOutOfRange is wrapped by decodeEvent's error for an event with a
// number out of range, which upstreams log once rather than once per
// connection.
var errOutOfRange = errors.New("is not a finite number within ±2^63")

// maxStreamValue bounds every number an upstream may send: what an int64
// holds. The Hystrix format's counts are 32-bit and its times Unix
// milliseconds, far below it, and below it sums and request-weighted means
// over any number of hosts stay finite, so one host's garbage cannot break
// the merged event of all. The merge saturates its own numbers at the same
// bound, so that a merged stream passes this check in turn.
const maxStreamValue = 1 << 63

// outOfRange returns the path (".key", "[index]", ...) of a number in v,
// within objects and arrays at any depth, that is not finite or is beyond
// ±maxStreamValue, and false; or true if there is none. A number the
// merge only passes through, in an array, would still reach the page.
func outOfRange(v any) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if p, ok := outOfRange(e); !ok {
				return "." + k + p, false
			}
		}
	case []any:
		for i, e := range x {
			if p, ok := outOfRange(e); !ok {
				return "[" + strconv.Itoa(i) + "]" + p, false
			}
		}
	case jsonNum:
		// The decoder has checked the syntax: an error here is ErrRange,
		// a number beyond float64's range.
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > maxStreamValue {
			return "", false
		}
	}
	return "", true
}
