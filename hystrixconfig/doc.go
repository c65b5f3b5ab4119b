// Package hystrixconfig loads the settings of hystrix commands from a JSON
// or YAML file, applies them to a hystrix.Registry all at once, and keeps
// them current as the file changes.
//
//	cfg, err := hystrixconfig.Load("hystrix.yaml")
//	if err != nil {
//		log.Fatal(err) // orders.timeout: "fast" is not a duration ... (at hystrix.yaml:4:14)
//	}
//	if err := cfg.Apply(nil); err != nil { // nil: hystrix.DefaultRegistry()
//		log.Fatal(err)
//	}
//
// or, to reload on SIGHUP and whenever the file changes:
//
//	w, err := hystrixconfig.Watch("hystrix.yaml",
//		hystrixconfig.OnSignal(syscall.SIGHUP),
//		hystrixconfig.OnFileChange(time.Second),
//		hystrixconfig.OnReload(func(r hystrixconfig.Result) {
//			if r.Err != nil {
//				log.Printf("hystrix settings kept: %v", r.Err)
//			}
//		}))
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer w.Close()
//
// # The file
//
// The format follows the extension: .json is JSON, .yaml and .yml are
// YAML. Both hold the same object:
//
//	defaults:              # optional; fills in every command below
//	  timeout: 500ms
//	  sleep_window: 5s
//	commands:
//	  orders:
//	    timeout: 2s        # overrides the default
//	    max_concurrent_requests: 50
//	    recovery:
//	      ramp: {factor: 3}
//	  users: {}            # the defaults as they are; "users:" alone too
//
// The keys of a command are the JSON keys of hystrix.CommandConfig:
// timeout, max_concurrent_requests, request_volume_threshold,
// sleep_window, error_percent_threshold, isolation ("goroutine" or
// "caller"), trip {consecutive_failures, slow_call_ms, slow_call_percent,
// adaptive_k}, recovery {ramp {start_per_minute, factor, stage_ms},
// probes, successes, backoff {multiplier, max_ms, jitter}}, concurrency
// {adaptive, min, max, initial}, force_open and force_closed. Each means
// what its field of hystrix.CommandConfig says, zero included: a 0 is the
// engine's default (hystrix.DefaultTimeout and the like), not "none". An
// unknown or repeated key is an error, not ignored.
//
// Every field counted in milliseconds (timeout, sleep_window,
// trip.slow_call_ms, recovery.ramp.stage_ms, recovery.backoff.max_ms)
// takes either a whole number of milliseconds, as hystrix-go's JSON does,
// or a Go duration string such as "500ms", "5s" or "1m30s". A duration that
// is not a whole number of milliseconds, such as "1500us", is an error
// rather than rounded. A string of digits with no unit, "500", is an error
// too: write 500 or "500ms". Whole-number fields take 2e3 or 1.0, which
// JSON does not tell from 2000 and 1, but not 1.5.
//
// # Defaults
//
// The defaults are merged into each command key by key, at every depth: a
// command that sets recovery.ramp.factor keeps the defaults'
// recovery.ramp.stage_ms. A key the command gives, even as 0 or false,
// wins over the defaults; a key it leaves out takes them. To drop an
// object the defaults give, such as a ramp, give it as null in the
// command: its zero value then applies, whatever the defaults hold. A
// null field is an error, since leaving the key out already says "take
// the defaults". The defaults fill only the commands the file names; a
// command it does not name runs with the engine's defaults. They are
// checked as part of each command they fill, so defaults that no command
// uses are checked only for their form.
//
// In YAML, anchors and aliases work; merge keys ("<<") do not, since the
// defaults section does their work. A YAML scalar means what it would in
// JSON: 500 is a number, 500ms and "500ms" are strings, true is a boolean
// (yes and on are strings), ~ is null. A file with no value at all, or one
// YAML document after another, is an error: a file caught half written
// must not pass for one that removes every command.
//
// # Errors
//
// Each problem is an *Error whose message starts with the command and the
// key, and ends with the place in the file:
//
//	orders.timeout: "1500us" is not a whole number of milliseconds (at hystrix.yaml:5:14)
//	orders.error_percent_threshold: must be between 1 and 100 (0 means the default) (got 150) (at hystrix.json:4:34)
//
// A file with several problems gives them all, joined in file order: the
// engine is asked about each command whose keys and values all have the
// right form, unless the defaults do not. The rules are the engine's own: every command is checked with
// hystrix.Registry.TryConfigureCommand, on a registry of its own, and its
// *hystrix.ConfigError, which the *Error wraps, is reworded with the
// file's keys. errors.Is(err, hystrix.ErrInvalidConfig) holds for all of
// them.
//
// # Reloading
//
// Config.Apply checks every command before it configures any, so a file
// with an error leaves the registry as it was. A Watcher does the same on
// each reload and reports each one through its OnReload function: the
// settings of the last good file stay in force until a good one replaces
// it. Reloads reach live circuits at once, with the engine's rules for
// reconfiguring them (see hystrix.Registry.TryConfigureCommand).
//
// # Environment
//
// Config.Override, and the Watcher option WithEnv, take overrides from
// variables named HYSTRIX_<COMMAND>_<FIELD>, upper-cased with every
// character but letters and digits written "_" (see EnvName):
// HYSTRIX_ORDERS_TIMEOUT=2s, HYSTRIX_ORDERS_RECOVERY_RAMP_FACTOR=3. Only
// the commands the file names are looked up, and a variable wins over
// both the command's settings and the defaults. Their values are checked
// like the file's, and an Error from one names it in Env. A program that
// wants other overrides can make them in a WithAdjust function, or edit
// Config.Commands before Apply.
package hystrixconfig
