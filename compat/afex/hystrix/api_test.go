package hystrix_test

import (
	"context"
	"net/http"
	"time"

	"github.com/afex/hystrix-go/hystrix"
)

// These declarations spell out afex's exported API with afex's own
// signatures, so that a forwarding that drifts from it fails to compile
// rather than failing in some user's build.
var (
	_ func(string, func() error, func(error) error) chan error                                                  = hystrix.Go
	_ func(context.Context, string, func(context.Context) error, func(context.Context, error) error) chan error = hystrix.GoC
	_ func(string, func() error, func(error) error) error                                                       = hystrix.Do
	_ func(context.Context, string, func(context.Context) error, func(context.Context, error) error) error      = hystrix.DoC
	_ func(map[string]hystrix.CommandConfig)                                                                    = hystrix.Configure
	_ func(string, hystrix.CommandConfig)                                                                       = hystrix.ConfigureCommand
	_ func(string) (*hystrix.CircuitBreaker, bool, error)                                                       = hystrix.GetCircuit
	_ func() map[string]*hystrix.Settings                                                                       = hystrix.GetCircuitSettings
	_ func()                                                                                                    = hystrix.Flush
	_ func() *hystrix.StreamHandler                                                                             = hystrix.NewStreamHandler

	_ func(*hystrix.CircuitBreaker) bool                                      = (*hystrix.CircuitBreaker).IsOpen
	_ func(*hystrix.CircuitBreaker) bool                                      = (*hystrix.CircuitBreaker).AllowRequest
	_ func(*hystrix.CircuitBreaker, []string, time.Time, time.Duration) error = (*hystrix.CircuitBreaker).ReportEvent
	_ func(*hystrix.StreamHandler)                                            = (*hystrix.StreamHandler).Start
	_ func(*hystrix.StreamHandler)                                            = (*hystrix.StreamHandler).Stop
	_ http.Handler                                                            = (*hystrix.StreamHandler)(nil)
	_ func(hystrix.CircuitError) string                                       = hystrix.CircuitError.Error
	_ func(hystrix.NoopLogger, string, ...interface{})                        = hystrix.NoopLogger.Printf

	// The Default variables must stay assignable ints, as afex users set
	// them; taking their address proves they are variables.
	_ *int = &hystrix.DefaultTimeout
	_ *int = &hystrix.DefaultMaxConcurrent
	_ *int = &hystrix.DefaultVolumeThreshold
	_ *int = &hystrix.DefaultSleepWindow
	_ *int = &hystrix.DefaultErrorPercentThreshold

	_ *hystrix.NoopLogger   = &hystrix.DefaultLogger
	_ *hystrix.CircuitError = &hystrix.ErrMaxConcurrency
	_ *hystrix.CircuitError = &hystrix.ErrCircuitOpen
	_ *hystrix.CircuitError = &hystrix.ErrTimeout

	_ = hystrix.CircuitError{Message: ""}
	_ = hystrix.CircuitBreaker{Name: ""}
	_ = hystrix.Settings{
		Timeout:                time.Duration(0),
		MaxConcurrentRequests:  int(0),
		RequestVolumeThreshold: uint64(0),
		SleepWindow:            time.Duration(0),
		ErrorPercentThreshold:  int(0),
	}
	_ = hystrix.CommandConfig{
		Timeout:                int(0),
		MaxConcurrentRequests:  int(0),
		RequestVolumeThreshold: int(0),
		SleepWindow:            int(0),
		ErrorPercentThreshold:  int(0),
	}
)

// afexLogger has exactly the method set of afex's unexported logger
// interface; SetLogger must take it.
type afexLogger interface {
	Printf(format string, items ...interface{})
}

var _ func(afexLogger) = func(l afexLogger) { hystrix.SetLogger(l) }
