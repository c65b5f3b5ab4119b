package hystrixconfig

import (
	"bytes"
	"io"
	"math"
	"regexp"
	"strconv"

	yaml "go.yaml.in/yaml/v3"
)

// parseYAML turns a YAML document into a node. Only the YAML syntax is the
// library's; what the values mean is decided by the same code as for JSON,
// so a scalar becomes the JSON value it reads as: 500 a number, "500ms" and
// 500ms strings, true a boolean, ~ null.
func parseYAML(data []byte) (*node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, errEmpty
		}
		return nil, yamlError(err)
	}
	var more yaml.Node
	switch err := dec.Decode(&more); {
	case err == nil:
		return nil, errAt(position{line: more.Line, col: more.Column}, "the file holds more than one YAML document", nil)
	case err != io.EOF:
		return nil, yamlError(err)
	}
	c := &yamlConverter{}
	return c.convert(&doc, 0)
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError keeps the line of the library's syntax errors in the position.
func yamlError(err error) error {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return errAt(position{line: line}, m[2], nil)
	}
	return errAt(position{}, err.Error(), err)
}

type yamlConverter struct{ nodes int }

func (c *yamlConverter) convert(y *yaml.Node, depth int) (*node, error) {
	pos := position{line: y.Line, col: y.Column}
	if depth > maxDepth {
		return nil, errAt(pos, "values are nested too deeply", nil)
	}
	if c.nodes++; c.nodes > maxNodes {
		return nil, errAt(pos, "the file holds too many values (aliases included)", nil)
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil, errEmpty
		}
		return c.convert(y.Content[0], depth)
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, errAt(pos, "alias to an unknown anchor", nil)
		}
		n, err := c.convert(y.Alias, depth+1)
		if err != nil {
			return nil, err
		}
		// Errors point at the alias, where the value is used.
		n.pos = pos
		return n, nil
	case yaml.MappingNode:
		n := &node{kind: nodeObject, pos: pos}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			kpos := position{line: k.Line, col: k.Column}
			if k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return nil, errAt(kpos, "object keys must be strings", nil)
			}
			if k.ShortTag() == "!!merge" {
				return nil, errAt(kpos, `merge keys ("<<") are not supported; use the "defaults" section`, nil)
			}
			val, err := c.convert(v, depth+1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, member{key: k.Value, pos: kpos, val: val})
		}
		return n, nil
	case yaml.SequenceNode:
		n := &node{kind: nodeArray, pos: pos}
		for _, e := range y.Content {
			val, err := c.convert(e, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, val)
		}
		return n, nil
	case yaml.ScalarNode:
		return scalar(y, pos), nil
	}
	return nil, errAt(pos, "unsupported YAML node", nil)
}

// scalar resolves a YAML scalar as YAML 1.2's core schema does, writing
// numbers in the decimal form a JSON file would hold.
func scalar(y *yaml.Node, pos position) *node {
	n := &node{pos: pos}
	switch y.ShortTag() {
	case "!!null":
		n.kind = nodeNull
	case "!!bool":
		n.kind = nodeBool
		if err := y.Decode(&n.b); err != nil {
			n.kind, n.text = nodeBad, err.Error()
		}
	case "!!int":
		n.kind = nodeNumber
		var i int64
		if err := y.Decode(&i); err == nil {
			n.text = strconv.FormatInt(i, 10)
			break
		}
		var f float64
		if err := y.Decode(&f); err != nil {
			n.kind, n.text = nodeBad, y.Value+" is out of range"
			break
		}
		n.text = strconv.FormatFloat(f, 'g', -1, 64)
	case "!!float":
		n.kind = nodeNumber
		var f float64
		if err := y.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			// Left to the decoder to refuse, naming the field.
			n.kind, n.text = nodeBad, y.Value+" is not a finite number"
			break
		}
		n.text = strconv.FormatFloat(f, 'g', -1, 64)
	default:
		// Strings, and the tags that only name a string's form
		// (!!timestamp, !!binary, the program's own).
		n.kind, n.text = nodeString, y.Value
	}
	return n
}
