package hystrix

import "sync/atomic"

// Logger is what the library logs through: anything with a Printf method,
// such as a *log.Logger.
type Logger interface {
	Printf(format string, items ...interface{})
}

// NoopLogger discards everything. It is the DefaultLogger.
type NoopLogger struct{}

// Printf does nothing.
func (NoopLogger) Printf(format string, items ...interface{}) {}

// loggerBox lets an interface value sit in an atomic.Pointer.
type loggerBox struct{ Logger }

var currentLogger atomic.Pointer[loggerBox]

func init() { currentLogger.Store(&loggerBox{DefaultLogger}) }

// SetLogger sets where the library logs circuit state changes and refused
// settings. It is safe to call at any time; nil restores DefaultLogger.
func SetLogger(l Logger) {
	if l == nil {
		l = DefaultLogger
	}
	currentLogger.Store(&loggerBox{l})
}

func logf(format string, items ...interface{}) {
	currentLogger.Load().Printf(format, items...)
}
