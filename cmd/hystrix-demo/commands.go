package main

import (
	"fmt"
	"time"

	"github.com/gohystrix/hystrix-go/hystrix"
)

// command is one dependency the demo calls through hystrix.
type command struct {
	name string
	// path is the command's resource on the downstream.
	path string
	// latency is the downstream's healthy response time range for path.
	latency [2]time.Duration
	// fallback says what callers get instead when the call fails; short
	// enough (20 characters) for the intro's table to fit 79 columns.
	fallback string
	// sleepShare is the sleep window as a fraction of the run.
	sleepShare float64
	config     hystrix.CommandConfig
}

// demoCommands returns the commands of a run lasting total. Their settings
// differ so that the circuits do not all move in lockstep: a lower error
// threshold opens sooner, a longer sleep window closes later. Three use
// hystrix's policies; "payments" opens on failures in a row and recovers
// by ramping its traffic up rather than on a single probe.
func demoCommands(total time.Duration) []*command {
	cmds := []*command{
		{
			name:       "orders",
			path:       "/orders",
			latency:    [2]time.Duration{20 * time.Millisecond, 60 * time.Millisecond},
			fallback:   "queue, confirm later",
			sleepShare: 1.0 / 20,
			config: hystrix.CommandConfig{
				Timeout: 300,
				// In the failing phase its resource hangs: 15 calls a
				// second held for the 300ms timeout would need 4.5
				// tickets, so about a third of them are rejected until
				// the circuit opens.
				MaxConcurrentRequests:  3,
				RequestVolumeThreshold: 10,
				ErrorPercentThreshold:  25,
				// The run makes a single HTTP request that honours its
				// context, so it needs no goroutine of its own to be cut
				// off at the timeout.
				Isolation: hystrix.CallerIsolation,
			},
		},
		{
			name:       "payments",
			path:       "/payments",
			latency:    [2]time.Duration{10 * time.Millisecond, 40 * time.Millisecond},
			fallback:   "queue the charge",
			sleepShare: 1.0 / 15,
			config: hystrix.CommandConfig{
				Timeout:               250,
				MaxConcurrentRequests: 6,
				// The sixth failure in a row opens the circuit, whatever
				// the share of errors in the window.
				Trip: hystrix.TripConfig{ConsecutiveFailures: 5},
				// After the sleep window, 60 calls a minute and three
				// times as many after each stage in which they all
				// succeeded; StageMs is set from the run's length below.
				Recovery: hystrix.RecoveryConfig{Ramp: &hystrix.RampConfig{StartPerMinute: 60, Factor: 3}},
			},
		},
		{
			name:       "recommendations",
			path:       "/recommendations",
			latency:    [2]time.Duration{40 * time.Millisecond, 90 * time.Millisecond},
			fallback:   "show best sellers",
			sleepShare: 1.0 / 15,
			config: hystrix.CommandConfig{
				Timeout:                150,
				MaxConcurrentRequests:  6,
				RequestVolumeThreshold: 10,
				ErrorPercentThreshold:  35,
			},
		},
		{
			name:       "users",
			path:       "/users",
			latency:    [2]time.Duration{5 * time.Millisecond, 30 * time.Millisecond},
			fallback:   "cached profile",
			sleepShare: 1.0 / 30,
			config: hystrix.CommandConfig{
				Timeout:                200,
				MaxConcurrentRequests:  10,
				RequestVolumeThreshold: 10,
				ErrorPercentThreshold:  50,
			},
		},
	}
	for _, c := range cmds {
		c.config.SleepWindow = sleepWindow(total, c.sleepShare, c.config.Timeout)
		if r := c.config.Recovery.Ramp; r != nil {
			r.StageMs = rampStage(total)
		}
	}
	return cmds
}

// rampStage returns how long each rate of a ramp holds, in milliseconds: a
// twentieth of the run, so that in a 30s run the ramp climbs from 60 calls
// a minute past the traffic the command gets (15 calls a second) and
// closes the circuit within the recovered phase. It is at least a second,
// for the first stage to admit a call beyond the one its bucket starts
// with, and at most three, for long runs not to ramp for ever.
func rampStage(total time.Duration) int {
	d := min(max(total/20, time.Second), 3*time.Second)
	return int(d / time.Millisecond)
}

// sleepWindow returns a fraction of the run in milliseconds, kept between
// bounds that still show the circuit probing: a fixed window would either
// outlast a short run's recovered phase or make a long run probe constantly.
// It is never shorter than the command's timeout plus a margin, because an
// open circuit admits a further probe each window whether or not the last
// one has finished, and overlapping probes that time out after one of them
// has closed the circuit count against it afresh.
func sleepWindow(total time.Duration, fraction float64, timeoutMillis int) int {
	d := time.Duration(float64(total) * fraction)
	floor := time.Duration(timeoutMillis)*time.Millisecond + 100*time.Millisecond
	d = min(max(d, floor), 3*time.Second)
	return int(d / time.Millisecond)
}

// configure applies the commands' settings with the call that afex/hystrix-go
// users already make; main_test checks that they took effect, since
// ConfigureCommand only logs a refusal.
func configure(cmds []*command) {
	for _, c := range cmds {
		hystrix.ConfigureCommand(c.name, c.config)
	}
}

// ramps reports whether the command recovers by ramping up.
func (c *command) ramps() bool { return c.config.Recovery.Ramp != nil }

// opensAt says in a few characters what opens the command's circuit: the
// error percentage of at least so many calls in the window, or more than
// so many failures in a row.
func (c *command) opensAt() string {
	if n := c.config.Trip.ConsecutiveFailures; n > 0 {
		return fmt.Sprintf(">%d in row", n)
	}
	return fmt.Sprintf("%d%%/%d", c.config.ErrorPercentThreshold, c.config.RequestVolumeThreshold)
}

// isolation names where the command's run function executes.
func (c *command) isolation() string {
	if c.config.Isolation == hystrix.CallerIsolation {
		return "caller"
	}
	return "goroutine"
}
