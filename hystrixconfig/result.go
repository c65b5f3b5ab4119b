package hystrixconfig

import (
	"fmt"
	"os"
)

// A Trigger says what started a reload.
type Trigger int

const (
	// TriggerReload is a call of Watcher.Reload.
	TriggerReload Trigger = iota + 1
	// TriggerSignal is one of the signals given to OnSignal.
	TriggerSignal
	// TriggerChange is a change of the file seen by OnFileChange.
	TriggerChange
)

// String returns "reload", "signal" or "change".
func (t Trigger) String() string {
	switch t {
	case TriggerReload:
		return "reload"
	case TriggerSignal:
		return "signal"
	case TriggerChange:
		return "change"
	}
	return fmt.Sprintf("Trigger(%d)", int(t))
}

// A Result tells what one reload did.
type Result struct {
	// Trigger says what started the reload.
	Trigger Trigger
	// Signal is the signal received, for TriggerSignal; nil otherwise.
	Signal os.Signal
	// Err is nil when the file was applied. Otherwise it says why not
	// (the file could not be read, or it holds the *Error values listed),
	// and the registry kept its settings.
	Err error
	// Applied names the commands configured with new settings, sorted;
	// those whose settings did not change are not configured again. It is
	// empty when Err is set, but for the rare failure after the check
	// that Config.Apply describes: then it names the commands configured
	// before it.
	Applied []string
	// Reset names the commands the previous file named and this one does
	// not, configured back to the engine's defaults, sorted.
	Reset []string
}
