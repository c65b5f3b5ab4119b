package hystrixconfig

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// EnvName returns the environment variable that Config.Override reads for
// field, a key path such as "timeout" or "recovery.ramp.factor", of a
// command: "HYSTRIX_", the command's name, "_" and the field, upper-cased,
// with every character other than a letter or a digit of ASCII written
// "_". EnvName("orders-api", "recovery.ramp.factor") is
// "HYSTRIX_ORDERS_API_RECOVERY_RAMP_FACTOR".
func EnvName(command, field string) string {
	var b strings.Builder
	b.WriteString("HYSTRIX_")
	for _, s := range []string{command, "_", field} {
		for _, r := range s {
			switch {
			case r >= 'a' && r <= 'z':
				b.WriteRune(r - 'a' + 'A')
			case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
				b.WriteRune(r)
			default:
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}

// Override replaces settings of c's commands with the values that lookup,
// such as os.LookupEnv, gives for their EnvName, for every field of every
// command the file names; the defaults section has no variables of its
// own. A variable that is unset or empty changes nothing. A value means
// what it would in a file, written without quotes whatever its type:
// HYSTRIX_ORDERS_TIMEOUT=500 is 500 ms,
// =500ms too, HYSTRIX_ORDERS_FORCE_OPEN=true (or 1, as strconv.ParseBool
// reads it) forces the circuit open, HYSTRIX_ORDERS_ISOLATION=caller sets
// the isolation.
//
// Override is all-or-nothing: if a value is refused, or a variable that is
// set names fields of two commands (such as "get-user" and "get_user"
// for HYSTRIX_GET_USER_TIMEOUT), c is left as it was and the error says why,
// with the variable's name in each *Error's Env. A Watcher calls it on
// every reload when given WithEnv.
func (c *Config) Override(lookup func(name string) (string, bool)) error {
	if lookup == nil {
		return errors.New("hystrixconfig: Override(nil)")
	}
	type target struct{ command, path string }
	targets := map[string][]target{}
	for _, name := range sortedNames(c.sections) {
		for _, f := range fields {
			env := EnvName(name, f.path)
			targets[env] = append(targets[env], target{name, f.path})
		}
	}
	var errs []*Error
	changed := map[string]section{}
	for _, env := range sortedNames(targets) {
		v, ok := lookup(env)
		if !ok || v == "" {
			continue
		}
		ts := targets[env]
		if len(ts) > 1 {
			var names []string
			for _, t := range ts {
				names = append(names, t.command+"."+t.path)
			}
			e := errAt(position{env: env}, "the variable is ambiguous: it names "+strings.Join(names, " and "), nil)
			errs = append(errs, e)
			continue
		}
		t := ts[0]
		f := fieldByPath[t.path]
		val, reason := parseValue(f.kind, envNode(f.kind, v))
		if reason != "" {
			e := errAt(position{env: env}, reason, nil)
			e.Command, e.Field = t.command, t.path
			errs = append(errs, e)
			continue
		}
		sec := changed[t.command]
		if sec == nil {
			sec = make(section, len(c.sections[t.command])+1)
			for p, s := range c.sections[t.command] {
				sec[p] = s
			}
			changed[t.command] = sec
		}
		sec[t.path] = setting{val: val, pos: position{env: env}}
	}
	if len(errs) > 0 {
		return joinErrors(c.file, errs)
	}
	n := &Config{
		Commands: make(map[string]hystrix.CommandConfig, len(c.Commands)),
		file:     c.file,
		sections: make(map[string]section, len(c.sections)),
		at:       make(map[string]map[string]position, len(c.at)),
		cmdPos:   c.cmdPos,
	}
	for name := range c.sections {
		n.Commands[name], n.sections[name], n.at[name] = c.Commands[name], c.sections[name], c.at[name]
		if sec := changed[name]; sec != nil {
			n.sections[name] = sec
			n.Commands[name], n.at[name] = build(sec)
		}
	}
	if err := joinErrors(c.file, n.check(n.Commands, nil)); err != nil {
		return err
	}
	for name, sec := range changed {
		c.Commands[name], c.sections[name], c.at[name] = n.Commands[name], sec, n.at[name]
	}
	return nil
}

// jsonNumber matches the numbers JSON can hold.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// envNode reads an environment variable's value as the node a file would
// hold for a field of kind k: a number if it is written as JSON writes
// one, a boolean if strconv.ParseBool reads it, a string otherwise.
func envNode(k valueKind, v string) *node {
	switch k {
	case kindInt, kindFloat, kindMillis:
		if jsonNumber.MatchString(v) {
			return &node{kind: nodeNumber, text: v}
		}
	case kindBool:
		if b, err := strconv.ParseBool(v); err == nil {
			return &node{kind: nodeBool, b: b}
		}
	}
	return &node{kind: nodeString, text: v}
}
