package hystrix

import (
	"sync"

	gohystrix "github.com/gohystrix/hystrix-go/hystrix"
)

// defaults is one reading of a package's five Default variables, comparable
// so that settle can tell cheaply whether this package's differ.
type defaults struct {
	timeout, maxConcurrent, volumeThreshold, sleepWindow, errorPercent int
}

func compatDefaults() defaults {
	return defaults{
		timeout:         DefaultTimeout,
		maxConcurrent:   DefaultMaxConcurrent,
		volumeThreshold: DefaultVolumeThreshold,
		sleepWindow:     DefaultSleepWindow,
		errorPercent:    DefaultErrorPercentThreshold,
	}
}

func engineDefaults() defaults {
	return defaults{
		timeout:         gohystrix.DefaultTimeout,
		maxConcurrent:   gohystrix.DefaultMaxConcurrent,
		volumeThreshold: gohystrix.DefaultVolumeThreshold,
		sleepWindow:     gohystrix.DefaultSleepWindow,
		errorPercent:    gohystrix.DefaultErrorPercentThreshold,
	}
}

// fill does what afex's ConfigureCommand did with a zero field: it takes the
// default. Filling here, rather than leaving the zero for gohystrix, is what
// makes an assignment to this package's Default variables count.
func (d defaults) fill(c CommandConfig) CommandConfig {
	if c.Timeout == 0 {
		c.Timeout = d.timeout
	}
	if c.MaxConcurrentRequests == 0 {
		c.MaxConcurrentRequests = d.maxConcurrent
	}
	if c.RequestVolumeThreshold == 0 {
		c.RequestVolumeThreshold = d.volumeThreshold
	}
	if c.SleepWindow == 0 {
		c.SleepWindow = d.sleepWindow
	}
	if c.ErrorPercentThreshold == 0 {
		c.ErrorPercentThreshold = d.errorPercent
	}
	return c
}

// settled holds the names settle has dealt with. It keeps the call path from
// reading the Default variables after a command's first use, as afex did,
// so that assigning them while commands run is no data race on that path.
var settled sync.Map // name -> struct{}

// settle gives a command that has no settings yet this package's defaults,
// as afex did on a command's first use. gohystrix would otherwise give it
// gohystrix's defaults, silently ignoring what the program assigned here.
// When the two sets of defaults agree there is nothing to do, and nothing to
// race with a concurrent ConfigureCommand.
func settle(name string) {
	if _, ok := settled.Load(name); ok {
		return
	}
	if d := compatDefaults(); d != engineDefaults() {
		if _, ok := gohystrix.GetCircuitSettings()[name]; !ok {
			gohystrix.ConfigureCommand(name, d.fill(CommandConfig{}))
		}
	}
	settled.Store(name, struct{}{})
}
