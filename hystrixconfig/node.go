package hystrixconfig

import (
	"fmt"
	"strconv"
)

// A node is a parsed value of either format. JSON and YAML are both turned
// into nodes, and only nodes are decoded into settings, so the two formats
// accept the same files and refuse them with the same messages.
type node struct {
	kind nodeKind
	pos  position
	// text is a string's value, or a number's literal in decimal form.
	text  string
	b     bool
	keys  []member // an object's members, in file order
	items []*node  // an array's elements
}

type nodeKind int

const (
	nodeNull nodeKind = iota
	nodeBool
	nodeNumber
	nodeString
	nodeObject
	nodeArray
	// nodeBad is a value the parser could read but not represent, such
	// as YAML's .inf; text says why. The decoder refuses it, naming the
	// field.
	nodeBad
)

// A member is one key of an object and its value.
type member struct {
	key string
	pos position // where the key is written
	val *node
}

// A position is a place in the file, 1-based, or the environment variable
// a value came from; the zero position is unknown.
type position struct {
	line, col int
	env       string
}

// maxDepth bounds how deeply the parsers nest: the settings go four
// levels deep, and a limit keeps a hostile file from exhausting the stack.
const maxDepth = 64

// maxNodes bounds the nodes one file may expand to, YAML aliases included,
// so that a small file of nested aliases cannot use unbounded memory.
const maxNodes = 1 << 20

// describe names what a node holds, for error messages.
func (n *node) describe() string {
	switch n.kind {
	case nodeNull:
		return "null"
	case nodeBool:
		return strconv.FormatBool(n.b)
	case nodeNumber:
		return n.text
	case nodeString:
		if len(n.text) > 40 {
			return strconv.Quote(n.text[:40]) + "..."
		}
		return strconv.Quote(n.text)
	case nodeObject:
		return "an object"
	case nodeArray:
		return "an array"
	case nodeBad:
		return n.text
	}
	return fmt.Sprintf("node kind %d", n.kind)
}
