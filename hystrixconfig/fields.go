package hystrixconfig

import (
	"sort"
	"strings"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// A valueKind says what a field's value is written as.
type valueKind int

const (
	kindInt       valueKind = iota // a whole number
	kindMillis                     // milliseconds, or a duration string
	kindFloat                      // a number
	kindBool                       // true or false
	kindIsolation                  // "goroutine" or "caller"
	kindString                     // a string the engine checks
)

// A field is one setting of hystrix.CommandConfig as the file names it.
type field struct {
	path   string // the keys that lead to it, joined by dots
	goName string // its name in hystrix.ConfigError.Field
	kind   valueKind
	set    func(c *hystrix.CommandConfig, v any)
}

// An object is a key whose value holds more keys.
type object struct {
	path   string
	goName string
	// alloc makes the object exist, for those that are pointers (a ramp
	// or a back-off given as {} is set, with its defaults); nil for the
	// others, whose zero value is the same as their absence.
	alloc func(c *hystrix.CommandConfig)
}

func ramp(c *hystrix.CommandConfig) *hystrix.RampConfig {
	if c.Recovery.Ramp == nil {
		c.Recovery.Ramp = new(hystrix.RampConfig)
	}
	return c.Recovery.Ramp
}

func backoff(c *hystrix.CommandConfig) *hystrix.BackoffConfig {
	if c.Recovery.Backoff == nil {
		c.Recovery.Backoff = new(hystrix.BackoffConfig)
	}
	return c.Recovery.Backoff
}

// fields lists every setting a file may hold, with the JSON keys of
// hystrix.CommandConfig.
var fields = []field{
	{"timeout", "Timeout", kindMillis, func(c *hystrix.CommandConfig, v any) { c.Timeout = v.(int) }},
	{"max_concurrent_requests", "MaxConcurrentRequests", kindInt, func(c *hystrix.CommandConfig, v any) { c.MaxConcurrentRequests = v.(int) }},
	{"request_volume_threshold", "RequestVolumeThreshold", kindInt, func(c *hystrix.CommandConfig, v any) { c.RequestVolumeThreshold = v.(int) }},
	{"sleep_window", "SleepWindow", kindMillis, func(c *hystrix.CommandConfig, v any) { c.SleepWindow = v.(int) }},
	{"error_percent_threshold", "ErrorPercentThreshold", kindInt, func(c *hystrix.CommandConfig, v any) { c.ErrorPercentThreshold = v.(int) }},
	{"isolation", "Isolation", kindIsolation, func(c *hystrix.CommandConfig, v any) { c.Isolation = v.(hystrix.Isolation) }},
	{"trip.consecutive_failures", "Trip.ConsecutiveFailures", kindInt, func(c *hystrix.CommandConfig, v any) { c.Trip.ConsecutiveFailures = v.(int) }},
	{"trip.slow_call_ms", "Trip.SlowCallMs", kindMillis, func(c *hystrix.CommandConfig, v any) { c.Trip.SlowCallMs = v.(int) }},
	{"trip.slow_call_percent", "Trip.SlowCallPercent", kindInt, func(c *hystrix.CommandConfig, v any) { c.Trip.SlowCallPercent = v.(int) }},
	{"trip.adaptive_k", "Trip.AdaptiveK", kindFloat, func(c *hystrix.CommandConfig, v any) { c.Trip.AdaptiveK = v.(float64) }},
	{"recovery.ramp.start_per_minute", "Recovery.Ramp.StartPerMinute", kindFloat, func(c *hystrix.CommandConfig, v any) { ramp(c).StartPerMinute = v.(float64) }},
	{"recovery.ramp.factor", "Recovery.Ramp.Factor", kindFloat, func(c *hystrix.CommandConfig, v any) { ramp(c).Factor = v.(float64) }},
	{"recovery.ramp.stage_ms", "Recovery.Ramp.StageMs", kindMillis, func(c *hystrix.CommandConfig, v any) { ramp(c).StageMs = v.(int) }},
	{"recovery.probes", "Recovery.Probes", kindInt, func(c *hystrix.CommandConfig, v any) { c.Recovery.Probes = v.(int) }},
	{"recovery.successes", "Recovery.Successes", kindInt, func(c *hystrix.CommandConfig, v any) { c.Recovery.Successes = v.(int) }},
	{"recovery.backoff.multiplier", "Recovery.Backoff.Multiplier", kindFloat, func(c *hystrix.CommandConfig, v any) { backoff(c).Multiplier = v.(float64) }},
	{"recovery.backoff.max_ms", "Recovery.Backoff.MaxMs", kindMillis, func(c *hystrix.CommandConfig, v any) { backoff(c).MaxMs = v.(int) }},
	{"recovery.backoff.jitter", "Recovery.Backoff.Jitter", kindFloat, func(c *hystrix.CommandConfig, v any) { backoff(c).Jitter = v.(float64) }},
	{"concurrency.adaptive", "Concurrency.Adaptive", kindString, func(c *hystrix.CommandConfig, v any) { c.Concurrency.Adaptive = v.(string) }},
	{"concurrency.min", "Concurrency.Min", kindInt, func(c *hystrix.CommandConfig, v any) { c.Concurrency.Min = v.(int) }},
	{"concurrency.max", "Concurrency.Max", kindInt, func(c *hystrix.CommandConfig, v any) { c.Concurrency.Max = v.(int) }},
	{"concurrency.initial", "Concurrency.Initial", kindInt, func(c *hystrix.CommandConfig, v any) { c.Concurrency.Initial = v.(int) }},
	{"force_open", "ForceOpen", kindBool, func(c *hystrix.CommandConfig, v any) { c.ForceOpen = v.(bool) }},
	{"force_closed", "ForceClosed", kindBool, func(c *hystrix.CommandConfig, v any) { c.ForceClosed = v.(bool) }},
}

var objects = []object{
	{path: "trip", goName: "Trip"},
	{path: "recovery", goName: "Recovery"},
	{path: "recovery.ramp", goName: "Recovery.Ramp", alloc: func(c *hystrix.CommandConfig) { ramp(c) }},
	{path: "recovery.backoff", goName: "Recovery.Backoff", alloc: func(c *hystrix.CommandConfig) { backoff(c) }},
	{path: "concurrency", goName: "Concurrency"},
}

var (
	fieldByPath  = map[string]*field{}
	objectByPath = map[string]*object{}
	// pathOfGo maps a Go field name, as hystrix.ConfigError names it, to
	// the file's key path.
	pathOfGo = map[string]string{}
	// keysOf lists the keys an object may hold, by the object's path (""
	// for a command).
	keysOf = map[string][]string{}
	// goNames rewrites the Go names in the engine's reasons.
	goNames *strings.Replacer
)

func init() {
	var pairs [][2]string
	addKey := func(path string) {
		parent, key := "", path
		if i := strings.LastIndexByte(path, '.'); i >= 0 {
			parent, key = path[:i], path[i+1:]
		}
		keysOf[parent] = append(keysOf[parent], key)
	}
	for i := range fields {
		f := &fields[i]
		fieldByPath[f.path] = f
		pathOfGo[f.goName] = f.path
		pairs = append(pairs, [2]string{f.goName, f.path})
		addKey(f.path)
	}
	for i := range objects {
		o := &objects[i]
		objectByPath[o.path] = o
		pathOfGo[o.goName] = o.path
		pairs = append(pairs, [2]string{o.goName, o.path})
		addKey(o.path)
	}
	// Longest first, so that "Recovery.Ramp.Factor" is not read as
	// "Recovery.Ramp" followed by ".Factor".
	sort.Slice(pairs, func(i, j int) bool { return len(pairs[i][0]) > len(pairs[j][0]) })
	var args []string
	for _, p := range pairs {
		args = append(args, p[0], p[1])
	}
	goNames = strings.NewReplacer(args...)
	for k := range keysOf {
		sort.Strings(keysOf[k])
	}
}
