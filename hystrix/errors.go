package hystrix

import (
	"errors"
	"fmt"
)

// A CircuitError reports that the library, not the run function, ended an
// execution: the circuit was open, the concurrency limit was reached or the
// run timed out. Compare with the Err variables using == or errors.Is.
type CircuitError struct {
	// Message says what ended the execution, such as "circuit open".
	Message string
}

// Error returns "hystrix: " followed by the message.
func (e CircuitError) Error() string {
	return "hystrix: " + e.Message
}

var (
	// ErrMaxConcurrency is returned when the command already runs as many
	// executions as its MaxConcurrentRequests allows.
	ErrMaxConcurrency = CircuitError{Message: "max concurrency"}
	// ErrCircuitOpen is returned without running the command while its
	// circuit is open because recent executions failed too often.
	ErrCircuitOpen = CircuitError{Message: "circuit open"}
	// ErrTimeout is returned when the run function did not return within
	// the command's Timeout.
	ErrTimeout = CircuitError{Message: "timeout"}
)

// The library's errors boxed once, so returning them allocates nothing.
var (
	errMaxConcurrency error = ErrMaxConcurrency
	errCircuitOpen    error = ErrCircuitOpen
	errTimeout        error = ErrTimeout
)

// ErrNilRun is wrapped by the error returned when a command is given no run
// function.
var ErrNilRun = errors.New("nil run function")

// ErrGoexit is the error of an execution whose run function called
// runtime.Goexit, as t.FailNow does. It counts as a failure. In goroutine
// isolation the caller gets it (or the fallback does); in caller isolation
// the caller's goroutine is the one exiting, so only the collectors see it.
var ErrGoexit = errors.New("hystrix: run function called runtime.Goexit")

func nilRunError(name string) error {
	return fmt.Errorf("hystrix: command %q: %w", name, ErrNilRun)
}

// FallbackError is returned when the fallback itself fails. Its text is
// hystrix-go's, and errors.Is and errors.As see both the run error and the
// fallback error through it.
type FallbackError struct {
	// RunErr is why the fallback ran: the run function's error or one of
	// the library's (ErrTimeout, ErrCircuitOpen, ...).
	RunErr error
	// FallbackErr is what the fallback returned.
	FallbackErr error
}

// Error returns "fallback failed with '<fallback error>'. run error was
// '<run error>'".
func (e *FallbackError) Error() string {
	return fmt.Sprintf("fallback failed with '%v'. run error was '%v'", e.FallbackErr, e.RunErr)
}

// Unwrap returns the fallback error and the run error, in that order.
func (e *FallbackError) Unwrap() []error {
	return []error{e.FallbackErr, e.RunErr}
}

// PanicError is the error of an execution whose run function panicked. It
// counts as a failure and is handed to the fallback like any other error.
type PanicError struct {
	// Command is the name of the command whose run function panicked.
	Command string
	// Value is what the function passed to panic.
	Value interface{}
	// Stack is the panicking goroutine's stack trace.
	Stack []byte
}

// Error names the command and the panic value.
func (e *PanicError) Error() string {
	return fmt.Sprintf("hystrix: command %q panicked: %v", e.Command, e.Value)
}

// Unwrap returns the panic value when it is an error, so that errors.Is sees
// through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}
