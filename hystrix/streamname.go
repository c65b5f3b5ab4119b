package hystrix

import (
	"strings"
	"unicode/utf8"
)

// StreamName returns the form of a command name that the event stream and
// the dashboards show. JSON can carry only valid UTF-8, and replacing
// invalid bytes with U+FFFD would make distinct names such as "x\xff" and
// "x\xfe" one, so the form is reversible instead: a name that is valid
// UTF-8 and has no backslash is itself; otherwise every byte that is not
// part of valid UTF-8 is written \xHH (two lowercase hex digits) and every
// backslash is doubled. ParseStreamName undoes it.
func StreamName(name string) string {
	if utf8.ValidString(name) && strings.IndexByte(name, '\\') < 0 {
		return name
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(name) + 8)
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			c := name[i]
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(name[i : i+size])
		}
		i += size
	}
	return b.String()
}

// ParseStreamName returns the command name whose StreamName is s, and false
// if s is not a form StreamName makes.
func ParseStreamName(s string) (string, bool) {
	if strings.IndexByte(s, '\\') < 0 {
		return s, utf8.ValidString(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			b.WriteByte('\\')
			i++
		case i+3 < len(s) && s[i+1] == 'x' && isLowerHex(s[i+2]) && isLowerHex(s[i+3]):
			b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
			i += 3
		default:
			return "", false
		}
	}
	name := b.String()
	if StreamName(name) != s {
		// An escaped byte that was valid UTF-8 after all, for instance.
		return "", false
	}
	return name, true
}

func isLowerHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}
