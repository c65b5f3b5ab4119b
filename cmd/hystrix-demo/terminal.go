package main

import (
	"os"

	"golang.org/x/term"
)

// sizer tells how many columns and rows the live view may use.
type sizer interface {
	Size() (width, height int)
}

// fileTerminal is the terminal on a file, asked for its size at each
// redraw so that a resized window is filled.
type fileTerminal struct{ f *os.File }

// Size returns the terminal's size, or 80x24 when it cannot be read.
func (t fileTerminal) Size() (int, int) {
	w, h, err := term.GetSize(int(t.f.Fd()))
	if err != nil || w <= 0 || h <= 0 {
		return defaultWidth, defaultHeight
	}
	return w, h
}

// The size of a terminal that does not say.
const (
	defaultWidth  = 80
	defaultHeight = 24
)

// fixedSize is a terminal of a known size, for tests.
type fixedSize struct{ w, h int }

func (s fixedSize) Size() (int, int) { return s.w, s.h }

// isTerminal reports whether f is a terminal; redrawing into a pipe or a
// file would leave escape codes in it, and a dumb terminal cannot move the
// cursor.
func isTerminal(f *os.File) bool {
	return os.Getenv("TERM") != "dumb" && term.IsTerminal(int(f.Fd()))
}
