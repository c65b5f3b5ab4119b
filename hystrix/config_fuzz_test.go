package hystrix_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
	"github.com/gohystrix/hystrix-go/hystrix/policy"
)

// FuzzCommandConfigJSON feeds arbitrary JSON to CommandConfig and
// TryConfigureCommand: a config is either refused with a *ConfigError that
// names a field, the previous settings kept, or taken, and then the
// settings are what a plain model of the documented rules says.
func FuzzCommandConfigJSON(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"timeout": 1000, "max_concurrent_requests": 10, "request_volume_threshold": 20, "sleep_window": 5000, "error_percent_threshold": 50}`,
		`{"timeout": -1, "max_concurrent_requests": -5, "isolation": "caller"}`,
		`{"timeout": 18446744073710}`,
		`{"sleep_window": 9223372036854775807}`,
		`{"error_percent_threshold": 101}`,
		`{"request_volume_threshold": -1}`,
		`{"isolation": "THREAD"}`,
		`{"isolation": "fibre"}`,
		`{"timeout": 1e3}`,
		`{"trip": {"consecutive_failures": 5}}`,
		`{"trip": {"consecutive_failures": -1}}`,
		`{"recovery": {"ramp": {"start_per_minute": 10, "factor": 2, "stage_ms": 60000}}}`,
		`{"recovery": {"ramp": {}}}`,
		`{"recovery": {"ramp": {"factor": 0.5}}}`,
		`{"recovery": {"ramp": {"start_per_minute": -3}}}`,
		`{"recovery": {"ramp": {"stage_ms": -1}}}`,
		`{"force_open": true}`,
		`{"force_open": true, "force_closed": true}`,
		`{"trip": {"slow_call_ms": 200, "slow_call_percent": 50}}`,
		`{"trip": {"slow_call_ms": 200}}`,
		`{"trip": {"adaptive_k": 1.5}}`,
		`{"trip": {"adaptive_k": 0.5}}`,
		`{"trip": {"consecutive_failures": 3, "slow_call_ms": 10, "slow_call_percent": 5, "adaptive_k": 2}}`,
		`{"recovery": {"probes": 3, "successes": 2}}`,
		`{"recovery": {"probes": 2, "successes": 3}}`,
		`{"recovery": {"probes": 2, "ramp": {}}}`,
		`{"recovery": {"backoff": {"multiplier": 2, "max_ms": 60000, "jitter": 0.1}}}`,
		`{"recovery": {"backoff": {"jitter": 1}}}`,
		`{"recovery": {"ramp": {}, "backoff": {}}}`,
		`{"concurrency": {"adaptive": "gradient", "min": 1, "max": 100, "initial": 10}}`,
		`{"concurrency": {"adaptive": "aimd", "min": 10, "max": 5}}`,
		`{"concurrency": {"adaptive": "vegas"}}`,
		`[1, 2]`,
	} {
		f.Add([]byte(s))
	}
	const name = "fuzz/command-config"
	previous := hystrix.CommandConfig{Timeout: 77, SleepWindow: 88, ErrorPercentThreshold: 9}
	f.Fuzz(func(t *testing.T, data []byte) {
		var config hystrix.CommandConfig
		if json.Unmarshal(data, &config) != nil {
			return
		}
		if err := hystrix.TryConfigureCommand(name, previous); err != nil {
			t.Fatal(err)
		}
		err := hystrix.TryConfigureCommand(name, config)
		got := hystrix.GetCircuitSettings()[name]
		want, wantErr := modelSettings(config)
		if wantErr != "" {
			var ce *hystrix.ConfigError
			if !errors.As(err, &ce) || ce.Field != wantErr || !errors.Is(err, hystrix.ErrInvalidConfig) {
				t.Fatalf("%s: got %v, want a *ConfigError for %s", data, err, wantErr)
			}
			if got.Timeout != 77*time.Millisecond || got.SleepWindow != 88*time.Millisecond || got.ErrorPercentThreshold != 9 {
				t.Fatalf("%s: refused, yet the settings changed to %+v", data, got)
			}
			return
		}
		if err != nil {
			t.Fatalf("%s: refused: %v", data, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("%s: settings %+v, want %+v", data, *got, want)
		}
	})
}

// modelSettings is the documented meaning of a CommandConfig, written out
// plainly: the settings it gives, or the field it is refused for.
func modelSettings(c hystrix.CommandConfig) (hystrix.Settings, string) {
	const maxMs = (1 << 61) / 1e6
	switch {
	case c.RequestVolumeThreshold < 0:
		return hystrix.Settings{}, "RequestVolumeThreshold"
	case c.SleepWindow < 0:
		return hystrix.Settings{}, "SleepWindow"
	case c.ErrorPercentThreshold < 0 || c.ErrorPercentThreshold > 100:
		return hystrix.Settings{}, "ErrorPercentThreshold"
	case c.Isolation != hystrix.GoroutineIsolation && c.Isolation != hystrix.CallerIsolation:
		return hystrix.Settings{}, "Isolation"
	case float64(c.Timeout) > maxMs:
		return hystrix.Settings{}, "Timeout"
	case float64(c.SleepWindow) > maxMs:
		return hystrix.Settings{}, "SleepWindow"
	case c.ForceOpen && c.ForceClosed:
		return hystrix.Settings{}, "ForceClosed"
	case c.Trip.ConsecutiveFailures < 0:
		return hystrix.Settings{}, "Trip.ConsecutiveFailures"
	}
	tr, rc, cc := c.Trip, c.Recovery, c.Concurrency
	switch {
	case tr.SlowCallMs < 0 || float64(tr.SlowCallMs) > maxMs:
		return hystrix.Settings{}, "Trip.SlowCallMs"
	case tr.SlowCallPercent < 0 || tr.SlowCallPercent > 100 || (tr.SlowCallMs > 0) != (tr.SlowCallPercent > 0):
		return hystrix.Settings{}, "Trip.SlowCallPercent"
	case tr.AdaptiveK != 0 && tr.AdaptiveK <= 1:
		return hystrix.Settings{}, "Trip.AdaptiveK"
	case rc.Probes < 0:
		return hystrix.Settings{}, "Recovery.Probes"
	case rc.Successes < 0 || (rc.Successes > 0 && rc.Probes == 0) || rc.Successes > rc.Probes:
		return hystrix.Settings{}, "Recovery.Successes"
	case rc.Probes > 0 && rc.Ramp != nil:
		return hystrix.Settings{}, "Recovery.Probes"
	}
	if b := rc.Backoff; b != nil {
		switch {
		case b.Multiplier != 0 && b.Multiplier < 1:
			return hystrix.Settings{}, "Recovery.Backoff.Multiplier"
		case b.MaxMs < 0 || float64(b.MaxMs) > maxMs:
			return hystrix.Settings{}, "Recovery.Backoff.MaxMs"
		case b.Jitter < 0 || b.Jitter >= 1:
			return hystrix.Settings{}, "Recovery.Backoff.Jitter"
		}
	}
	switch {
	case cc.Adaptive != "" && cc.Adaptive != "aimd" && cc.Adaptive != "gradient":
		return hystrix.Settings{}, "Concurrency.Adaptive"
	case cc.Min < 0:
		return hystrix.Settings{}, "Concurrency.Min"
	case cc.Max < 0:
		return hystrix.Settings{}, "Concurrency.Max"
	case cc.Initial < 0:
		return hystrix.Settings{}, "Concurrency.Initial"
	case cc.Min > 0 && cc.Max > 0 && cc.Min > cc.Max:
		return hystrix.Settings{}, "Concurrency.Min"
	case cc.Initial > 0 && ((cc.Max > 0 && cc.Initial > cc.Max) || cc.Initial < cc.Min):
		return hystrix.Settings{}, "Concurrency.Initial"
	}
	if r := c.Recovery.Ramp; r != nil {
		switch {
		case r.StartPerMinute < 0:
			return hystrix.Settings{}, "Recovery.Ramp.StartPerMinute"
		case r.Factor != 0 && r.Factor < 1:
			return hystrix.Settings{}, "Recovery.Ramp.Factor"
		case r.StageMs < 0 || float64(r.StageMs) > maxMs:
			return hystrix.Settings{}, "Recovery.Ramp.StageMs"
		}
	}
	s := hystrix.Settings{
		Timeout:                time.Second,
		MaxConcurrentRequests:  10,
		RequestVolumeThreshold: 20,
		SleepWindow:            5 * time.Second,
		ErrorPercentThreshold:  50,
		Isolation:              c.Isolation,
	}
	switch {
	case c.Timeout < 0:
		s.Timeout = -1
	case c.Timeout > 0:
		s.Timeout = time.Duration(c.Timeout) * time.Millisecond
	}
	switch {
	case c.MaxConcurrentRequests < 0:
		s.MaxConcurrentRequests = -1
	case c.MaxConcurrentRequests > 0:
		s.MaxConcurrentRequests = c.MaxConcurrentRequests
	}
	if c.RequestVolumeThreshold > 0 {
		s.RequestVolumeThreshold = uint64(c.RequestVolumeThreshold)
	}
	if c.SleepWindow > 0 {
		s.SleepWindow = time.Duration(c.SleepWindow) * time.Millisecond
	}
	if c.ErrorPercentThreshold > 0 {
		s.ErrorPercentThreshold = c.ErrorPercentThreshold
	}
	s.ForceOpen, s.ForceClosed = c.ForceOpen, c.ForceClosed
	// The defaults leave the policies nil, so that the settings of a
	// command configured as for hystrix-go are hystrix-go's.
	var ops []policy.Opener
	switch {
	case tr.ConsecutiveFailures > 0:
		ops = append(ops, policy.ConsecutiveFailures{Threshold: tr.ConsecutiveFailures})
	case tr.SlowCallMs > 0 && tr.AdaptiveK == 0:
		ops = append(ops, policy.ErrorPercent{Threshold: s.ErrorPercentThreshold, Volume: s.RequestVolumeThreshold})
	}
	if tr.SlowCallMs > 0 {
		ops = append(ops, policy.SlowCallRate{Slow: time.Duration(tr.SlowCallMs) * time.Millisecond, Percent: tr.SlowCallPercent, Volume: s.RequestVolumeThreshold})
	}
	if tr.AdaptiveK != 0 {
		ops = append(ops, policy.AdaptiveThrottle{K: tr.AdaptiveK})
	}
	switch len(ops) {
	case 1:
		s.Opener = ops[0]
	case 2, 3:
		s.Opener = policy.Any(ops...)
	}
	switch cc.Adaptive {
	case "aimd":
		s.Limit = policy.AIMD{Min: cc.Min, Max: cc.Max, Initial: cc.Initial}
	case "gradient":
		s.Limit = policy.Gradient{Min: cc.Min, Max: cc.Max, Initial: cc.Initial}
	}
	// A probe is given up on after its timeout and a sleep window, or a
	// nanosecond when both are zero.
	giveUp := s.SleepWindow
	if s.Timeout > 0 {
		giveUp += s.Timeout
	}
	if giveUp <= 0 {
		giveUp = 1
	}
	switch {
	case rc.Ramp != nil:
		s.Recovery = policy.Ramp{
			SleepWindow:    s.SleepWindow,
			StartPerMinute: rc.Ramp.StartPerMinute,
			Factor:         rc.Ramp.Factor,
			Stage:          time.Duration(rc.Ramp.StageMs) * time.Millisecond,
		}
	case rc.Probes > 0:
		s.Recovery = policy.Probes{SleepWindow: s.SleepWindow, Probes: rc.Probes, Successes: rc.Successes, GiveUp: giveUp}
	}
	if b := rc.Backoff; b != nil {
		inner := s.Recovery
		if inner == nil {
			inner = policy.SingleProbe{SleepWindow: s.SleepWindow, GiveUp: giveUp}
		}
		s.Recovery = policy.Backoff{Recovery: inner, Multiplier: b.Multiplier, Max: time.Duration(b.MaxMs) * time.Millisecond, Jitter: b.Jitter}
	}
	return s, ""
}
