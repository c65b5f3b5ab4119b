package hystrixconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// A Format is the syntax of a settings file.
type Format int

const (
	// JSON is the format of files named *.json.
	JSON Format = iota + 1
	// YAML is the format of files named *.yaml or *.yml.
	YAML
)

// String returns "JSON" or "YAML".
func (f Format) String() string {
	switch f {
	case JSON:
		return "JSON"
	case YAML:
		return "YAML"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ErrUnknownFormat is returned for a file whose name ends in none of .json,
// .yaml and .yml, and for a Format that is neither JSON nor YAML.
var ErrUnknownFormat = errors.New("hystrixconfig: unknown settings file format")

// FormatOf returns the format of a file by its extension, in any case:
// .json is JSON, .yaml and .yml are YAML.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return JSON, nil
	case ".yaml", ".yml":
		return YAML, nil
	}
	return 0, fmt.Errorf("%w %q (want .json, .yaml or .yml)", ErrUnknownFormat, filepath.Ext(path))
}

// MaxFileSize is the largest settings file Load reads, 16 MiB; a larger
// one is refused.
const MaxFileSize = 16 << 20

// A Config holds the settings of a file, decoded, with its defaults merged
// in and checked by the engine. Make one with Load or Parse; the zero
// value applies nothing. A Config is not changed by Apply and may be
// applied to several registries.
type Config struct {
	// Commands maps each command the file names to its settings.
	Commands map[string]hystrix.CommandConfig

	file     string
	sections map[string]section             // each command's settings, merged
	at       map[string]map[string]position // command -> key path -> place
	cmdPos   map[string]position
}

// Load reads the settings file at path, in the format its extension names
// (see FormatOf), and returns its settings. Every setting is checked as
// hystrix.Registry.TryConfigureCommand would check it; the error lists
// each problem as an *Error, in file order, or is the error reading the
// file.
func Load(path string) (*Config, error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return parse(data, format, path)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &Error{File: path, Reason: fmt.Sprintf("the file is larger than %d bytes", MaxFileSize)}
	}
	return data, nil
}

// Parse decodes settings in the given format, as Load does for a file.
func Parse(data []byte, format Format) (*Config, error) {
	return parse(data, format, "")
}

func parse(data []byte, format Format, file string) (*Config, error) {
	var root *node
	var err error
	switch format {
	case JSON:
		root, err = parseJSON(data)
	case YAML:
		root, err = parseYAML(data)
	default:
		return nil, fmt.Errorf("%w %v", ErrUnknownFormat, format)
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, joinErrors(file, []*Error{e})
		}
		return nil, err
	}
	d := &decoder{}
	doc := d.decodeDocument(root)
	c := &Config{
		Commands: make(map[string]hystrix.CommandConfig, len(doc.commands)),
		file:     file,
		sections: make(map[string]section, len(doc.commands)),
		at:       make(map[string]map[string]position, len(doc.commands)),
		cmdPos:   doc.cmdPos,
	}
	for name, sec := range doc.commands {
		c.sections[name] = merge(doc.defaults, sec)
		c.Commands[name], c.at[name] = build(c.sections[name])
	}
	// The engine is asked about the commands that decoded cleanly, unless
	// the defaults that fill them did not.
	errs := d.errs
	skip := map[string]bool{}
	whole := false
	for _, e := range d.errs {
		if e.Command == "" {
			whole = true
		}
		skip[e.Command] = true
	}
	if !whole {
		errs = append(errs, c.check(c.Commands, skip)...)
	}
	if err := joinErrors(file, errs); err != nil {
		return nil, err
	}
	return c, nil
}

// check asks the engine about every command of cmds but those in skip, on
// a registry of its own so that nothing is applied, and returns its
// refusals.
func (c *Config) check(cmds map[string]hystrix.CommandConfig, skip map[string]bool) []*Error {
	scratch := hystrix.NewRegistry()
	var errs []*Error
	for _, name := range sortedNames(cmds) {
		if skip[name] {
			continue
		}
		err := scratch.TryConfigureCommand(name, cmds[name])
		if err == nil {
			continue
		}
		errs = append(errs, c.refused(name, err))
	}
	return errs
}

// refused turns an error of TryConfigureCommand for name into an Error.
func (c *Config) refused(name string, err error) *Error {
	var ce *hystrix.ConfigError
	if errors.As(err, &ce) {
		return refusal(name, ce, c.at[name], c.cmdPos[name])
	}
	e := errAt(c.cmdPos[name], err.Error(), err)
	e.Command = name
	return e
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Apply configures every command of c on r, nil meaning
// hystrix.DefaultRegistry(). It checks every command before it changes
// any: if one is refused, r is left as it was and the error names each
// refused setting as Load does. Live circuits take the new settings at
// once, as with hystrix.Registry.ConfigureCommand.
//
// Commands the Config does not name are left as they are. Should the
// engine refuse a command in the instant between the check and the change
// (possible only if the program changes a hystrix.Default variable
// meanwhile), the commands before it keep their new settings and the
// error is returned.
func (c *Config) Apply(r *hystrix.Registry) error {
	_, err := c.apply(r, c.Commands, nil)
	return err
}

// apply checks cmds and then configures on r each of them that skip, if
// not nil, does not skip, and returns the names it configured.
func (c *Config) apply(r *hystrix.Registry, cmds map[string]hystrix.CommandConfig, skip func(name string, cfg hystrix.CommandConfig) bool) ([]string, error) {
	if r == nil {
		r = hystrix.DefaultRegistry()
	}
	if err := joinErrors(c.file, c.check(cmds, nil)); err != nil {
		return nil, err
	}
	var done []string
	for _, name := range sortedNames(cmds) {
		cfg := cmds[name]
		if skip != nil && skip(name, cfg) {
			continue
		}
		if err := r.TryConfigureCommand(name, cfg); err != nil {
			return done, joinErrors(c.file, []*Error{c.refused(name, err)})
		}
		done = append(done, name)
	}
	return done, nil
}

// sameJSON reports whether a and b are the same settings as a file can
// give them; the Go-only fields are not compared.
func sameJSON(a, b hystrix.CommandConfig) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// clone returns a copy of c that shares no pointer with it.
func clone(c hystrix.CommandConfig) hystrix.CommandConfig {
	if c.Recovery.Ramp != nil {
		r := *c.Recovery.Ramp
		c.Recovery.Ramp = &r
	}
	if c.Recovery.Backoff != nil {
		b := *c.Recovery.Backoff
		c.Recovery.Backoff = &b
	}
	return c
}
