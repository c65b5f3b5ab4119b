package hystrixconfig

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// An Option changes what Watch does.
type Option interface{ apply(*watchOptions) error }

type watchOptions struct {
	reg      *hystrix.Registry
	signals  []os.Signal
	interval time.Duration
	onReload func(Result)
	adjust   func(name string, c *hystrix.CommandConfig)
	env      func(string) (string, bool)
	logger   hystrix.Logger
}

type optionFunc func(*watchOptions) error

func (f optionFunc) apply(o *watchOptions) error { return f(o) }

// WithRegistry makes the Watcher configure r instead of
// hystrix.DefaultRegistry(). A nil r is refused.
func WithRegistry(r *hystrix.Registry) Option {
	return optionFunc(func(o *watchOptions) error {
		if r == nil {
			return errors.New("hystrixconfig: WithRegistry(nil)")
		}
		o.reg = r
		return nil
	})
}

// OnSignal reloads the file each time the process receives one of sigs,
// such as syscall.SIGHUP, through signal.Notify. At least one signal is
// needed: signal.Notify with none would catch every signal.
func OnSignal(sigs ...os.Signal) Option {
	return optionFunc(func(o *watchOptions) error {
		if len(sigs) == 0 {
			return errors.New("hystrixconfig: OnSignal needs at least one signal")
		}
		for _, s := range sigs {
			if s == nil {
				return errors.New("hystrixconfig: OnSignal given a nil signal")
			}
		}
		o.signals = append(o.signals, sigs...)
		return nil
	})
}

// OnFileChange reloads the file when its content changes, reading it every
// interval and comparing a digest of it with that of the last read. An
// editor or deployment that replaces the file by renaming a new one over
// it is seen like one that writes it in place; a file that disappears is
// reported once, and its settings are kept until it comes back. A file
// written in place may be read half written: that read is applied if it
// is valid, and the next one applies the whole file, so a writer that
// renames a complete file over the old one is the safe way to change it.
// The interval must be positive; a second or so suits most programs.
func OnFileChange(interval time.Duration) Option {
	return optionFunc(func(o *watchOptions) error {
		if interval <= 0 {
			return fmt.Errorf("hystrixconfig: OnFileChange interval %v must be positive", interval)
		}
		o.interval = interval
		return nil
	})
}

// OnReload calls f with the result of every reload after the first, which
// Watch returns itself. f runs on the Watcher's goroutine with no lock
// held, so it may call the library and Reload; it must not call Close,
// which waits for it. A panic in f is recovered and logged (see
// WithLogger). A nil f is refused.
func OnReload(f func(Result)) Option {
	return optionFunc(func(o *watchOptions) error {
		if f == nil {
			return errors.New("hystrixconfig: OnReload(nil)")
		}
		o.onReload = f
		return nil
	})
}

// WithAdjust calls f on the settings of each command before every check
// and apply, for the program to add what a file cannot hold, such as
// IsBadRequest or a policy of its own, or to override a setting. It is
// called for the commands the file names and for those being reset, with
// no lock held; a panic in it fails the reload, which then changes
// nothing. A command whose settings are the same as at its last
// configuration, in the file and as f leaves them, is not configured
// again, so Go-only values that f gives anew (a new function) take effect
// at the command's next change. A nil f is refused.
func WithAdjust(f func(name string, c *hystrix.CommandConfig)) Option {
	return optionFunc(func(o *watchOptions) error {
		if f == nil {
			return errors.New("hystrixconfig: WithAdjust(nil)")
		}
		o.adjust = f
		return nil
	})
}

// WithEnv makes every load of the file take overrides from lookup, such
// as os.LookupEnv, as Config.Override does; a refused value fails the
// load like an error in the file. A nil lookup is refused.
func WithEnv(lookup func(name string) (string, bool)) Option {
	return optionFunc(func(o *watchOptions) error {
		if lookup == nil {
			return errors.New("hystrixconfig: WithEnv(nil)")
		}
		o.env = lookup
		return nil
	})
}

// WithLogger sets where the panics of OnReload's function are logged;
// without it, or with nil, they go to the standard library's log.
func WithLogger(l hystrix.Logger) Option {
	return optionFunc(func(o *watchOptions) error {
		o.logger = l
		return nil
	})
}
