package hystrix

import "context"

// The package-level functions are those of hystrix-go; each works on the
// default registry (DefaultRegistry).

// Go runs the command asynchronously on the default registry; see
// Registry.Go.
func Go(name string, run func() error, fallback func(error) error) chan error {
	return defaultRegistry.goAsync(context.Background(), name, funcs{run: run, fallback: fallback})
}

// GoC is Go with a context; see Registry.GoC.
func GoC(ctx context.Context, name string, run func(context.Context) error, fallback func(context.Context, error) error) chan error {
	return defaultRegistry.goAsync(ctx, name, funcs{runC: run, fallbackC: fallback})
}

// Do runs the command on the default registry and returns when it has a
// result; see Registry.Do.
func Do(name string, run func() error, fallback func(error) error) error {
	return defaultRegistry.execute(context.Background(), name, funcs{run: run, fallback: fallback})
}

// DoC is Do with a context; see Registry.DoC.
func DoC(ctx context.Context, name string, run func(context.Context) error, fallback func(context.Context, error) error) error {
	return defaultRegistry.execute(ctx, name, funcs{runC: run, fallbackC: fallback})
}

// GetCircuit returns the circuit of the named command in the default
// registry; see Registry.GetCircuit.
func GetCircuit(name string) (*CircuitBreaker, bool, error) { return defaultRegistry.GetCircuit(name) }

// Circuits returns every circuit of the default registry, sorted by name.
func Circuits() []*CircuitBreaker { return defaultRegistry.Circuits() }

// Flush forgets every circuit of the default registry; see Registry.Flush.
func Flush() { defaultRegistry.Flush() }

// Configure applies ConfigureCommand to every entry of cmds.
func Configure(cmds map[string]CommandConfig) { defaultRegistry.Configure(cmds) }

// TryConfigure is Configure that reports every refused entry; see
// Registry.TryConfigure.
func TryConfigure(cmds map[string]CommandConfig) error { return defaultRegistry.TryConfigure(cmds) }

// ConfigureCommand sets the settings of the named command in the default
// registry; see Registry.ConfigureCommand.
func ConfigureCommand(name string, config CommandConfig) {
	defaultRegistry.ConfigureCommand(name, config)
}

// TryConfigureCommand is ConfigureCommand that returns the refusal; see
// Registry.TryConfigureCommand.
func TryConfigureCommand(name string, config CommandConfig) error {
	return defaultRegistry.TryConfigureCommand(name, config)
}

// GetCircuitSettings returns a copy of the settings of every command of the
// default registry that has been configured or run.
func GetCircuitSettings() map[string]*Settings { return defaultRegistry.GetCircuitSettings() }

// SetLogger sets the default registry's logger; see Registry.SetLogger.
func SetLogger(l Logger) { defaultRegistry.SetLogger(l) }

// OnStateChange adds a listener for the transitions of every circuit of the
// default registry; see Registry.OnStateChange.
func OnStateChange(f func(StateChange)) (remove func()) { return defaultRegistry.OnStateChange(f) }

// OnCommandStateChange adds a listener for the transitions of one command's
// circuit in the default registry; see Registry.OnCommandStateChange.
func OnCommandStateChange(name string, f func(StateChange)) (remove func()) {
	return defaultRegistry.OnCommandStateChange(name, f)
}
