package hystrixconfig

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// A setting is one value the file gives, and where.
type setting struct {
	// val is an int, float64, bool, hystrix.Isolation or string for a
	// field, nil for an object.
	val any
	// null marks an object given as null: its zero value, whatever the
	// defaults say.
	null bool
	pos  position
}

// A section holds the settings of the defaults or of one command, by key
// path. An object written out, even as {}, has an entry of its own.
type section map[string]setting

// A document is a decoded file, before the defaults are merged in.
type document struct {
	defaults section
	commands map[string]section
	cmdPos   map[string]position
}

type decoder struct{ errs []*Error }

func (d *decoder) fail(p position, cmd string, defaults bool, path, reason string) {
	e := errAt(p, reason, nil)
	e.Command, e.Defaults, e.Field = cmd, defaults, path
	d.errs = append(d.errs, e)
}

// decodeDocument reads the top level of a file: {"defaults": {...},
// "commands": {"name": {...}}}.
func (d *decoder) decodeDocument(root *node) *document {
	doc := &document{defaults: section{}, commands: map[string]section{}, cmdPos: map[string]position{}}
	if root.kind != nodeObject {
		d.fail(root.pos, "", false, "", `the file must hold an object with "defaults" and "commands", not `+root.describe())
		return doc
	}
	seen := map[string]position{}
	for _, m := range root.keys {
		if d.duplicate(seen, m, "", false, m.key) {
			continue
		}
		switch m.key {
		case "defaults":
			switch m.val.kind {
			case nodeNull:
			case nodeObject:
				d.decodeSection(m.val, "", doc.defaults, "", true)
			default:
				d.fail(m.val.pos, "", true, "", "must be an object of settings, not "+m.val.describe())
			}
		case "commands":
			switch m.val.kind {
			case nodeNull:
			case nodeObject:
				d.decodeCommands(m.val, doc)
			default:
				d.fail(m.val.pos, "", false, "commands", "must be an object from command name to settings, not "+m.val.describe())
			}
		default:
			d.fail(m.pos, "", false, m.key, `unknown key (the top level holds "defaults" and "commands")`)
		}
	}
	return doc
}

func (d *decoder) decodeCommands(n *node, doc *document) {
	seen := map[string]position{}
	for _, m := range n.keys {
		name := m.key
		if name == "" {
			d.fail(m.pos, "", false, "commands", "a command name must not be empty")
			continue
		}
		if d.duplicate(seen, m, name, false, "") {
			continue
		}
		sec := section{}
		switch m.val.kind {
		case nodeNull:
			// A command named with nothing after it takes the defaults.
		case nodeObject:
			d.decodeSection(m.val, "", sec, name, false)
		default:
			d.fail(m.val.pos, name, false, "", "must be an object of settings, not "+m.val.describe())
			continue
		}
		doc.commands[name] = sec
		doc.cmdPos[name] = m.pos
	}
}

// duplicate reports, and refuses, a key already seen in the same object.
func (d *decoder) duplicate(seen map[string]position, m member, cmd string, defaults bool, path string) bool {
	if first, ok := seen[m.key]; ok {
		d.fail(m.pos, cmd, defaults, path, fmt.Sprintf("duplicate key (first given at line %d)", first.line))
		return true
	}
	seen[m.key] = m.pos
	return false
}

// decodeSection reads the settings of object n, whose path is prefix, into
// sec.
func (d *decoder) decodeSection(n *node, prefix string, sec section, cmd string, defaults bool) {
	seen := map[string]position{}
	for _, m := range n.keys {
		path := m.key
		if prefix != "" {
			path = prefix + "." + m.key
		}
		if d.duplicate(seen, m, cmd, defaults, path) {
			continue
		}
		if f := fieldByPath[path]; f != nil {
			v, reason := parseValue(f.kind, m.val)
			if reason != "" {
				d.fail(m.val.pos, cmd, defaults, path, reason)
				continue
			}
			sec[path] = setting{val: v, pos: m.val.pos}
			continue
		}
		if objectByPath[path] != nil {
			switch m.val.kind {
			case nodeNull:
				sec[path] = setting{null: true, pos: m.val.pos}
			case nodeObject:
				sec[path] = setting{pos: m.val.pos}
				d.decodeSection(m.val, path, sec, cmd, defaults)
			default:
				d.fail(m.val.pos, cmd, defaults, path, "must be an object, not "+m.val.describe())
			}
			continue
		}
		d.fail(m.pos, cmd, defaults, path, "unknown key (known keys here: "+strings.Join(keysOf[prefix], ", ")+")")
	}
}

// parseValue reads n as a value of kind k; on failure the reason says why.
func parseValue(k valueKind, n *node) (any, string) {
	switch n.kind {
	case nodeNull:
		return nil, "must not be null; leave the key out to take the defaults"
	case nodeBad:
		return nil, n.text
	}
	switch k {
	case kindInt:
		if n.kind != nodeNumber {
			return nil, "must be a whole number, not " + n.describe()
		}
		return whole(n.text)
	case kindMillis:
		switch n.kind {
		case nodeNumber:
			return whole(n.text)
		case nodeString:
			return millis(n.text)
		}
		return nil, `must be a whole number of milliseconds or a duration such as "500ms", not ` + n.describe()
	case kindFloat:
		if n.kind != nodeNumber {
			return nil, "must be a number, not " + n.describe()
		}
		f, err := strconv.ParseFloat(n.text, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, n.text + " is out of range"
		}
		return f, ""
	case kindBool:
		if n.kind != nodeBool {
			return nil, "must be true or false, not " + n.describe()
		}
		return n.b, ""
	case kindIsolation:
		var iso hystrix.Isolation
		if n.kind != nodeString || iso.UnmarshalText([]byte(n.text)) != nil {
			return nil, `must be "goroutine" or "caller", not ` + n.describe()
		}
		return iso, ""
	case kindString:
		if n.kind != nodeString {
			return nil, "must be a string, not " + n.describe()
		}
		return n.text, ""
	}
	return nil, fmt.Sprintf("unknown kind %d", k)
}

// maxExact is the largest magnitude below which every whole float64 is
// exact.
const maxExact = 1 << 53

// whole reads a whole number, also one written with a fraction or an
// exponent, such as 1.0 or 2e3, as JSON does not tell them apart.
func whole(text string) (any, string) {
	i, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(text, 64)
		switch {
		case ferr != nil && !isRange(ferr) || ferr == nil && f != math.Trunc(f):
			return nil, text + " is not a whole number"
		case ferr != nil || isRange(err) || math.Abs(f) >= maxExact:
			return nil, text + " is out of range"
		}
		i = int64(f)
	}
	if int64(int(i)) != i {
		return nil, text + " is out of range"
	}
	return int(i), ""
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// millis reads a duration string, such as "500ms" or "1m30s", as whole
// milliseconds; one that is not a whole number of them is refused rather
// than rounded, since a timeout of "1500us" would silently differ.
func millis(s string) (any, string) {
	d, err := time.ParseDuration(s)
	if err != nil {
		if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
			return nil, fmt.Sprintf(`%q has no unit: write %s for milliseconds, or a duration such as "%sms"`, s, s, s)
		}
		return nil, fmt.Sprintf(`%q is not a duration such as "500ms" or "5s"`, s)
	}
	if d%time.Millisecond != 0 {
		return nil, fmt.Sprintf("%q is not a whole number of milliseconds", s)
	}
	ms := int64(d / time.Millisecond)
	if int64(int(ms)) != ms {
		return nil, fmt.Sprintf("%q is out of range", s)
	}
	return int(ms), ""
}

// merge returns the settings of a command: those of sec, and those of the
// defaults that sec does not give. An object that sec sets to null drops
// every default inside it.
func merge(defaults, sec section) section {
	out := make(section, len(defaults)+len(sec))
	for p, s := range defaults {
		out[p] = s
	}
	for p, s := range sec {
		if !s.null {
			continue
		}
		for q := range out {
			if q == p || strings.HasPrefix(q, p+".") {
				delete(out, q)
			}
		}
	}
	for p, s := range sec {
		out[p] = s
	}
	return out
}

// build turns merged settings into the engine's config, and returns where
// each was written.
func build(sec section) (hystrix.CommandConfig, map[string]position) {
	var c hystrix.CommandConfig
	at := make(map[string]position, len(sec))
	for p, s := range sec {
		at[p] = s.pos
		if f := fieldByPath[p]; f != nil {
			f.set(&c, s.val)
			continue
		}
		if o := objectByPath[p]; o != nil && !s.null && o.alloc != nil {
			o.alloc(&c)
		}
	}
	return c, at
}
