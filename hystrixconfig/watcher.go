package hystrixconfig

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// A Watcher keeps a registry configured from a settings file: it applies
// the file when it starts, and again each time it is triggered, by a
// signal, by a change of the file or by a call of Reload, as the options
// of Watch chose. Each reload is all-or-nothing: a file that cannot be
// read, or holds any error, changes nothing, and the registry keeps the
// settings of the last good file.
//
// A reload configures only the commands whose settings changed, so live
// circuits whose settings are the same are not disturbed; a command the
// previous file named and the new one does not is configured with a zero
// hystrix.CommandConfig, the engine's defaults, as if it had never been in
// the file. Commands the file never named are left alone.
//
// A Watcher's methods are safe for concurrent use. Reloads run one at a
// time on a goroutine of the Watcher's own, which Close stops.
type Watcher struct {
	path   string
	format Format
	reg    *hystrix.Registry
	opts   watchOptions

	requests chan struct{}
	signals  chan os.Signal
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once

	// Owned by the reload goroutine once it runs.
	fromFile map[string]hystrix.CommandConfig // as the last good file gave them
	applied  map[string]hystrix.CommandConfig // as last configured, adjusted
	state    string                           // what the file last held: a digest, or a read error
}

// Watch applies the settings file at path to the registry, as Load and
// Apply would, and returns a Watcher that applies it again on each trigger
// the options choose: OnSignal, OnFileChange, and always Reload. If the
// first apply fails, Watch returns its error, the registry is unchanged
// and nothing is left running. Close the Watcher to stop it.
func Watch(path string, opts ...Option) (*Watcher, error) {
	w := &Watcher{path: path}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.apply(&w.opts); err != nil {
			return nil, err
		}
	}
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	w.format = format
	w.reg = w.opts.reg
	if w.reg == nil {
		w.reg = hystrix.DefaultRegistry()
	}
	if res := w.reload(0, nil, nil); res.Err != nil {
		return nil, res.Err
	}
	w.requests = make(chan struct{}, 1)
	w.stop = make(chan struct{})
	w.done = make(chan struct{})
	if len(w.opts.signals) > 0 {
		w.signals = make(chan os.Signal, 1)
		signal.Notify(w.signals, w.opts.signals...)
	}
	go w.run()
	return w, nil
}

// Reload asks for the file to be read and applied again, as soon as the
// reload in progress, if any, is done; it does not wait. Requests made
// while one is pending are served by the same reload. Its result goes to
// the OnReload function. After Close it does nothing.
func (w *Watcher) Reload() {
	select {
	case w.requests <- struct{}{}:
	default:
	}
}

// Close stops the Watcher: it stops listening for its signals and waits
// for a reload in progress, and the goroutine, to end. The registry keeps
// the settings last applied. Close is idempotent and returns nil; it must
// not be called from an OnReload or WithAdjust function.
func (w *Watcher) Close() error {
	w.once.Do(func() {
		if w.signals != nil {
			signal.Stop(w.signals)
		}
		close(w.stop)
		<-w.done
	})
	return nil
}

// Path returns the path of the file watched.
func (w *Watcher) Path() string { return w.path }

func (w *Watcher) run() {
	defer close(w.done)
	var tick <-chan time.Time
	if w.opts.interval > 0 {
		t := time.NewTicker(w.opts.interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		// A stop wins over any trigger ready at the same time.
		select {
		case <-w.stop:
			return
		default:
		}
		select {
		case <-w.stop:
			return
		case <-w.requests:
			w.report(w.reload(TriggerReload, nil, nil))
		case s := <-w.signals:
			w.report(w.reload(TriggerSignal, s, nil))
		case <-tick:
			w.poll()
		}
	}
}

// poll reloads the file if what it holds changed since it was last read.
func (w *Watcher) poll() {
	data, err := readFile(w.path)
	if w.stateOf(data, err) == w.state {
		return
	}
	w.report(w.reload(TriggerChange, nil, &readResult{data, err}))
}

type readResult struct {
	data []byte
	err  error
}

func (w *Watcher) stateOf(data []byte, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// reload reads (unless read holds what was read), checks and applies the
// file.
func (w *Watcher) reload(t Trigger, sig os.Signal, read *readResult) Result {
	res := Result{Trigger: t, Signal: sig}
	if read == nil {
		data, err := readFile(w.path)
		read = &readResult{data, err}
	}
	w.state = w.stateOf(read.data, read.err)
	if read.err != nil {
		res.Err = read.err
		return res
	}
	cfg, err := parse(read.data, w.format, w.path)
	if err == nil && w.opts.env != nil {
		err = cfg.Override(w.opts.env)
	}
	if err != nil {
		res.Err = err
		return res
	}
	cmds := make(map[string]hystrix.CommandConfig, len(cfg.Commands)+len(w.applied))
	for name, c := range cfg.Commands {
		cmds[name] = clone(c)
	}
	var reset []string
	for name := range w.applied {
		if _, ok := cmds[name]; !ok {
			cmds[name] = hystrix.CommandConfig{}
			reset = append(reset, name)
		}
	}
	if err := w.adjustAll(cmds); err != nil {
		res.Err = err
		return res
	}
	done, err := cfg.apply(w.reg, cmds, w.unchanged(cfg))
	for _, name := range done {
		if _, ok := cfg.Commands[name]; ok {
			res.Applied = append(res.Applied, name)
		} else {
			res.Reset = append(res.Reset, name)
		}
	}
	if err != nil {
		res.Err = err
		return res
	}
	for _, name := range reset {
		delete(cmds, name)
	}
	w.applied = cmds
	w.fromFile = cfg.Commands
	return res
}

// unchanged returns whether a command of cfg, adjusted to c, has the
// settings it was last configured with: the same in the file, and the same
// after WithAdjust as far as a file can tell. The Go-only values that
// WithAdjust gives, such as functions, cannot be compared; a command keeps
// those of its last configuration until its settings change.
func (w *Watcher) unchanged(cfg *Config) func(name string, c hystrix.CommandConfig) bool {
	return func(name string, c hystrix.CommandConfig) bool {
		file, inFile := cfg.Commands[name]
		oldFile, wasInFile := w.fromFile[name]
		old, ok := w.applied[name]
		return inFile && wasInFile && ok && sameJSON(file, oldFile) && sameJSON(c, old)
	}
}

// adjustAll runs the WithAdjust function on every command of cmds.
func (w *Watcher) adjustAll(cmds map[string]hystrix.CommandConfig) (err error) {
	if w.opts.adjust == nil {
		return nil
	}
	for _, name := range sortedNames(cmds) {
		c := cmds[name]
		if err := w.callAdjust(name, &c); err != nil {
			return err
		}
		cmds[name] = c
	}
	return nil
}

// ErrAdjustPanicked is wrapped by the error of a reload whose WithAdjust
// function panicked.
var ErrAdjustPanicked = errors.New("hystrixconfig: the adjust function panicked")

func (w *Watcher) callAdjust(name string, c *hystrix.CommandConfig) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w on command %q: %v", ErrAdjustPanicked, name, v)
		}
	}()
	w.opts.adjust(name, c)
	return nil
}

// report gives res to the OnReload function.
func (w *Watcher) report(res Result) {
	if w.opts.onReload == nil {
		return
	}
	defer func() {
		if v := recover(); v != nil {
			w.logf("hystrixconfig: the OnReload function panicked: %v\n%s", v, debug.Stack())
		}
	}()
	w.opts.onReload(res)
}

func (w *Watcher) logf(format string, args ...any) {
	if w.opts.logger == nil {
		log.Printf(format, args...)
		return
	}
	defer func() {
		if v := recover(); v != nil {
			log.Printf("hystrixconfig: the logger panicked: %v", v)
			log.Printf(format, args...)
		}
	}()
	w.opts.logger.Printf(format, args...)
}
