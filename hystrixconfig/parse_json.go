package hystrixconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"
)

// parseJSON turns a JSON document into a node, keeping where each value and
// key starts. encoding/json checks the syntax; this only walks its tokens.
func parseJSON(data []byte) (*node, error) {
	p := &jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		at := p.start()
		if err != nil {
			return nil, p.syntaxError(err, at)
		}
		return nil, errAt(p.position(at), "unexpected data after the top-level value", nil)
	}
	return n, nil
}

type jsonParser struct {
	data  []byte
	dec   *json.Decoder
	nodes int
}

// start returns the offset where the next token begins: the decoder stops
// right after a token, before the blanks and separators that follow it.
func (p *jsonParser) start() int {
	off := int(p.dec.InputOffset())
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

// position turns a byte offset into a line and a column counted in
// characters.
func (p *jsonParser) position(off int) position {
	if off > len(p.data) {
		off = len(p.data)
	}
	before := p.data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return position{line: line, col: utf8.RuneCount(before[lineStart:]) + 1}
}

func (p *jsonParser) syntaxError(err error, at int) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// The offset is just past the byte that was refused, or, for
		// a token refused as a whole, where the blanks before it
		// start.
		off := int(se.Offset) - 1
		if off < at {
			off = at
		}
		return errAt(p.position(off), err.Error(), err)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return errAt(p.position(len(p.data)), "unexpected end of JSON input", nil)
	}
	return errAt(p.position(at), err.Error(), err)
}

func (p *jsonParser) value(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errAt(p.position(p.start()), "values are nested too deeply", nil)
	}
	if p.nodes++; p.nodes > maxNodes {
		return nil, errAt(p.position(p.start()), "the file holds too many values", nil)
	}
	at := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		if err == io.EOF && at >= len(p.data) && depth == 0 {
			return nil, errEmpty
		}
		return nil, p.syntaxError(err, at)
	}
	n := &node{pos: p.position(at)}
	switch t := tok.(type) {
	case nil:
		n.kind = nodeNull
	case bool:
		n.kind, n.b = nodeBool, t
	case json.Number:
		n.kind, n.text = nodeNumber, string(t)
	case string:
		n.kind, n.text = nodeString, t
	case json.Delim:
		switch t {
		case '{':
			n.kind = nodeObject
			for p.dec.More() {
				kat := p.start()
				ktok, err := p.dec.Token()
				if err != nil {
					return nil, p.syntaxError(err, kat)
				}
				key, ok := ktok.(string)
				if !ok {
					return nil, errAt(p.position(kat), "object keys must be strings", nil)
				}
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, member{key: key, pos: p.position(kat), val: val})
			}
		case '[':
			n.kind = nodeArray
			for p.dec.More() {
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, val)
			}
		}
		end := p.start()
		if _, err := p.dec.Token(); err != nil {
			return nil, p.syntaxError(err, end)
		}
	}
	return n, nil
}
