package hystrixconfig

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// An Error is one thing wrong with a settings file: a syntax error, an
// unknown key, a value of the wrong form, or a setting the engine refuses.
// Its message starts with where in the settings it is, such as
// "orders.timeout: ", and ends with where in the file, when known.
//
// errors.Is(err, hystrix.ErrInvalidConfig) holds for every Error; for a
// refusal by the engine, errors.As also finds the *hystrix.ConfigError.
type Error struct {
	// File is the path of the file, or "" for settings given as bytes.
	File string
	// Line and Column locate the value in the file, from 1; 0 when
	// unknown.
	Line, Column int
	// Command is the command whose settings are wrong; "" when the error
	// is in the defaults section or outside any command.
	Command string
	// Defaults says the error is in the "defaults" section.
	Defaults bool
	// Env is the environment variable that gave the value, for a value
	// that Config.Override took from it; "" for the others.
	Env string
	// Field is the key path within the command or the defaults, such as
	// "timeout" or "recovery.ramp.factor"; "" when the error is about the
	// command as a whole or the file. Outside any command it names a
	// top-level key.
	Field string
	// Reason says what is wrong.
	Reason string
	// Err is the error underneath, if any: the *hystrix.ConfigError of a
	// refusal by the engine, or the parser's error.
	Err error
}

func errAt(p position, reason string, cause error) *Error {
	return &Error{Line: p.line, Column: p.col, Env: p.env, Reason: reason, Err: cause}
}

// Path returns where in the settings the error is, as its message starts:
// "orders.timeout", "defaults.sleep_window", "orders", or "" for the file
// as a whole.
func (e *Error) Path() string {
	var head string
	switch {
	case e.Defaults:
		head = "defaults"
	case e.Command != "":
		head = e.Command
	}
	switch {
	case head == "":
		return e.Field
	case e.Field == "":
		return head
	}
	return head + "." + e.Field
}

// Error returns "path: reason (at file:line:column)", or "path: reason
// (from $VARIABLE)" for a value taken from the environment.
func (e *Error) Error() string {
	var b strings.Builder
	if p := e.Path(); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	switch {
	case e.Env != "":
		fmt.Fprintf(&b, " (from $%s)", e.Env)
	case e.File != "" && e.Line > 0 && e.Column > 0:
		fmt.Fprintf(&b, " (at %s:%d:%d)", e.File, e.Line, e.Column)
	case e.File != "" && e.Line > 0:
		fmt.Fprintf(&b, " (at %s:%d)", e.File, e.Line)
	case e.File != "":
		fmt.Fprintf(&b, " (in %s)", e.File)
	case e.Line > 0 && e.Column > 0:
		fmt.Fprintf(&b, " (at line %d, column %d)", e.Line, e.Column)
	case e.Line > 0:
		fmt.Fprintf(&b, " (at line %d)", e.Line)
	}
	return b.String()
}

// Unwrap returns the error underneath, or nil.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is hystrix.ErrInvalidConfig: a file with an
// Error in it is an invalid config.
func (e *Error) Is(target error) bool { return target == hystrix.ErrInvalidConfig }

// errEmpty is returned by the parsers for a file with no value at all.
var errEmpty = &Error{Reason: "the file is empty"}

// joinErrors sorts errs by their place in the file, names the file in each,
// and returns them as one error: the Error itself when there is one.
func joinErrors(file string, errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	out := make([]error, len(errs))
	for i, e := range errs {
		if e == errEmpty {
			c := *e
			e = &c
		}
		e.File = file
		out[i] = e
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// refusal turns the engine's refusal of command name into an Error naming
// the file's key. at holds where each setting of the command was written,
// cmd where the command was.
func refusal(name string, ce *hystrix.ConfigError, at map[string]position, cmd position) *Error {
	path, known := pathOfGo[ce.Field]
	reason := goNames.Replace(ce.Reason)
	got := ce.Text
	if got == "" {
		got = strconv.Itoa(ce.Value)
	}
	f := fieldByPath[path]
	switch {
	case !known && strings.HasPrefix(ce.Field, "Default"):
		// A hystrix.Default variable, set by the program out of range.
		reason = fmt.Sprintf("hystrix.%s %s %s", ce.Field, got, reason)
	case !known:
		// A field of the program's own, set by an Adjust function.
		reason = ce.Field + " " + reason
	case strings.HasPrefix(reason, "and "):
		reason = path + " " + reason
	case f != nil && f.kind == kindBool:
	case f != nil && f.kind == kindMillis:
		reason += fmt.Sprintf(" (got %d ms)", ce.Value)
	default:
		reason += " (got " + got + ")"
	}
	// A setting left out is placed at the nearest object written out
	// around it, or else at the command.
	p, ok := at[path]
	for q := path; !ok && q != ""; {
		i := strings.LastIndexByte(q, '.')
		if i < 0 {
			break
		}
		q = q[:i]
		p, ok = at[q]
	}
	if !ok {
		p = cmd
	}
	e := errAt(p, reason, ce)
	e.Command = name
	e.Field = path
	return e
}
