// Package sample is a fixture for TestCheckerFindsEveryGap: each name below
// that is called Bare, or whose comment says "missing", lacks a doc comment
// the checker must report.
package sample

import "time"

// Documented is documented.
type Documented struct {
	// Field is documented above.
	Field    int
	Trailing int // Trailing is documented at the end of its line.
	Bare     int
	// A, B share this comment.
	A, B int
	time.Duration
	unexported int
}

// Method is documented.
func (Documented) Method() {}

func (*Documented) BareMethod() {}

func (d Documented) unexported() {}

type BareType int

// Iface is documented.
type Iface interface {
	// Documented is documented.
	Documented()
	BareIfaceMethod()
	Embedded
}

// Embedded is documented.
type Embedded interface{}

// Generic is documented.
type Generic[K comparable, V any] struct{}

func (Generic[K, V]) BareGenericMethod() {}

type hidden struct{ Exported int }

func (hidden) Exported2() {}

func BareFunc() {}

// Wrongly named: this comment does not begin with the name.
func Misnamed() {}

// A Prefixed is fine with an article.
type Prefixed int

// Prefixedness does not begin with the name either, only with its letters.
func Prefix() {}

// The documented group covers both.
const (
	GroupedA = 1
	GroupedB = 2
)

const (
	// Inner is documented.
	Inner     = 1
	Tail      = 2 // Tail is documented at the end of its line.
	BareConst = 3
)

var BareVar = 1

var lower = 1
