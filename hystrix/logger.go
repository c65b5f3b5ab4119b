package hystrix

import (
	"log"
	"runtime/debug"
)

// Logger is what the library logs through: anything with a Printf method,
// such as a *log.Logger.
type Logger interface {
	// Printf logs one line, formatted as fmt.Printf does. It may be called
	// from many goroutines at once.
	Printf(format string, items ...interface{})
}

// NoopLogger discards everything. It is the DefaultLogger.
type NoopLogger struct{}

// Printf does nothing.
func (NoopLogger) Printf(format string, items ...interface{}) {}

// loggerBox lets an interface value sit in an atomic.Pointer.
type loggerBox struct{ Logger }

// SetLogger sets where the registry logs circuit state changes, refused
// settings and panics of user code. It is safe to call at any time; nil
// restores DefaultLogger. The logger is never called with a lock of the
// library held, so it may call the library itself; if it panics, the
// panic and the line it was logging go to the standard library's log. Its
// lines for transitions are those of hystrix-go, logged by a listener that
// every registry has (see OnStateChange).
func (r *Registry) SetLogger(l Logger) {
	if l == nil {
		l = DefaultLogger
	}
	r.logger.Store(&loggerBox{l})
}

// logf logs through the registry's logger. Callers must not hold a lock of
// the library (see usercode.go).
func (r *Registry) logf(format string, items ...interface{}) {
	defer func() {
		if v := recover(); v != nil {
			log.Printf("hystrix: the logger panicked: %v\n%s", v, debug.Stack())
			log.Printf(format, items...)
		}
	}()
	r.logger.Load().Printf(format, items...)
}
