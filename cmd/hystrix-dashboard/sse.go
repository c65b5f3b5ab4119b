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
)

// jsonNum is how decoded events hold numbers.
type jsonNum = json.Number

// errEventTooLong is returned for an event larger than the reader allows.
var errEventTooLong = errors.New("event too long")

// sseReader reads the data of Server-Sent Events, the only field a Hystrix
// stream uses; comments (":ping"), other fields and events without data
// are skipped.
type sseReader struct {
	sc   *bufio.Scanner
	max  int
	data []byte
}

// newSSEReader reads events of at most maxEvent bytes of data from r.
func newSSEReader(r io.Reader, maxEvent int) *sseReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(64<<10, maxEvent+16)), maxEvent+16)
	return &sseReader{sc: sc, max: maxEvent}
}

// next returns the next event's data, or an error: io.EOF at the end of
// the stream, errEventTooLong for an oversized event. The returned slice
// is valid until the next call.
func (r *sseReader) next() ([]byte, error) {
	r.data = r.data[:0]
	have := false
	for r.sc.Scan() {
		line := bytes.TrimSuffix(r.sc.Bytes(), []byte{'\r'})
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
	if key, ok := outOfRange(ev); !ok {
		return nil, eventKey{}, fmt.Errorf("%s %q left out: %s is not a finite number within ±2^63", k.typ, k.name, key)
	}
	return ev, k, nil
}

// maxStreamValue bounds every number an upstream may send: what an int64
// holds. The Hystrix format's counts are 32-bit and its times Unix
// milliseconds, far below it, and below it sums and request-weighted means
// over any number of hosts stay finite, so one host's garbage cannot break
// the merged event of all.
const maxStreamValue = 1 << 63

// outOfRange reports the first key of ev, nested objects included, whose
// number is too large or not finite, and false; or true if there is none.
func outOfRange(ev map[string]any) (string, bool) {
	for k, v := range ev {
		switch x := v.(type) {
		case map[string]any:
			if sub, ok := outOfRange(x); !ok {
				return k + "." + sub, false
			}
		case jsonNum:
			f, err := strconv.ParseFloat(string(x), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > maxStreamValue {
				return k, false
			}
		}
	}
	return "", true
}
