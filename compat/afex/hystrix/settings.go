package hystrix

import gohystrix "github.com/gohystrix/hystrix-go/hystrix"

// Settings is gohystrix.Settings, a command's effective settings.
type Settings = gohystrix.Settings

// CommandConfig is gohystrix.CommandConfig: afex's fields and JSON keys, plus
// Isolation.
type CommandConfig = gohystrix.CommandConfig

// Isolation is gohystrix.Isolation, where a command's run function executes.
type Isolation = gohystrix.Isolation

// The isolations, as in gohystrix.
const (
	// GoroutineIsolation is gohystrix.GoroutineIsolation, afex's behaviour
	// and the default.
	GoroutineIsolation = gohystrix.GoroutineIsolation
	// CallerIsolation is gohystrix.CallerIsolation.
	CallerIsolation = gohystrix.CallerIsolation
)

// The defaults that a zero CommandConfig field stands for, when the command
// is configured or first used through this package. They start equal to
// gohystrix's; see the package documentation for why they are separate
// variables and when they are read.
var (
	// DefaultTimeout is the timeout in milliseconds.
	DefaultTimeout = gohystrix.DefaultTimeout
	// DefaultMaxConcurrent bounds concurrent executions of one command.
	DefaultMaxConcurrent = gohystrix.DefaultMaxConcurrent
	// DefaultVolumeThreshold is how many executions the rolling window must
	// hold before the circuit may open.
	DefaultVolumeThreshold = gohystrix.DefaultVolumeThreshold
	// DefaultSleepWindow is how long, in milliseconds, an open circuit waits
	// before it lets a probe through.
	DefaultSleepWindow = gohystrix.DefaultSleepWindow
	// DefaultErrorPercentThreshold is the error percentage at which the
	// circuit opens.
	DefaultErrorPercentThreshold = gohystrix.DefaultErrorPercentThreshold
	// DefaultLogger is a copy of gohystrix.DefaultLogger. Assigning it has
	// no effect, as in afex once the program has started; use SetLogger.
	DefaultLogger = gohystrix.DefaultLogger
)

// ConfigureCommand is gohystrix.ConfigureCommand, with the zero fields of
// config taken from this package's Default variables.
func ConfigureCommand(name string, config CommandConfig) {
	gohystrix.ConfigureCommand(name, compatDefaults().fill(config))
}

// Configure applies ConfigureCommand to every entry of cmds.
func Configure(cmds map[string]CommandConfig) {
	for name, config := range cmds {
		ConfigureCommand(name, config)
	}
}

// TryConfigureCommand is gohystrix.TryConfigureCommand, with the zero fields
// of config taken from this package's Default variables.
func TryConfigureCommand(name string, config CommandConfig) error {
	return gohystrix.TryConfigureCommand(name, compatDefaults().fill(config))
}

// TryConfigure is gohystrix.TryConfigure, with the zero fields of each config
// taken from this package's Default variables.
func TryConfigure(cmds map[string]CommandConfig) error {
	d := compatDefaults()
	filled := make(map[string]CommandConfig, len(cmds))
	for name, config := range cmds {
		filled[name] = d.fill(config)
	}
	return gohystrix.TryConfigure(filled)
}

// GetCircuitSettings is gohystrix.GetCircuitSettings.
func GetCircuitSettings() map[string]*Settings { return gohystrix.GetCircuitSettings() }

// ErrInvalidConfig is gohystrix.ErrInvalidConfig; being a pointer, it is the
// same error.
var ErrInvalidConfig = gohystrix.ErrInvalidConfig

// ConfigError is gohystrix.ConfigError, a refused setting.
type ConfigError = gohystrix.ConfigError

// Logger is gohystrix.Logger. afex left its logger interface unexported;
// it has the same single Printf method, so every afex logger satisfies it.
type Logger = gohystrix.Logger

// NoopLogger is gohystrix.NoopLogger, which discards everything.
type NoopLogger = gohystrix.NoopLogger

// SetLogger is gohystrix.SetLogger: it sets the one logger both packages use.
func SetLogger(l Logger) { gohystrix.SetLogger(l) }
