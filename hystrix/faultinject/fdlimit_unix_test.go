//go:build unix

package faultinject

import "syscall"

// openFileLimit returns the soft limit on open files (the Go runtime has
// already raised it to the hard limit at start-up).
func openFileLimit() (uint64, error) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0, err
	}
	return uint64(rl.Cur), nil
}
