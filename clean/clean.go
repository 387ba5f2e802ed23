// Package clean strips untrusted text of anything that could act on a terminal.
//
// Everything a person types, a file brings in or an SSH client sends (names, notes, the
// terminal type) passes through here twice: before it is stored and before it is drawn. A
// name such as "\x1b]0;pwned\x07\x1b[2J王五" must reach the screen as "王五", never as a
// title change and a cleared screen.
package clean

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Line cleans text meant for one line: escape sequences, C0/C1 controls (newlines and tabs
// included, which become a space), DEL, bidi overrides and invalid UTF-8 are removed, and
// runs of spaces are kept as typed except at both ends.
func Line(s string) string {
	return strings.TrimSpace(clean(s, false))
}

// Text cleans multi-line text the same way as Line but keeps newlines (CR LF and CR become LF).
func Text(s string) string {
	return strings.TrimSpace(clean(s, true))
}

// Inline cleans text like Line but keeps leading and trailing spaces: for a fragment such as
// one typed key or a paste into the middle of a field, where a space is content.
func Inline(s string) string { return clean(s, false) }

// InlineText is Inline that keeps line breaks, as Text does: for a paste into a multi-line
// field.
func InlineText(s string) string { return clean(s, true) }

// Cut bounds s to n bytes for a log line or a message: a longer s is cut at a character
// boundary and marked with how long it was, "…[cut, 122880 bytes]", so that one client
// sending a 120 KB user name cannot make every log line about it 120 KB, and a reader of
// the log still sees that it did. The result is at most n bytes plus the mark.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := max(n, 0)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…[cut, " + strconv.Itoa(len(s)) + " bytes]"
}

// IsClean reports whether s would come out of Line unchanged.
func IsClean(s string) bool { return Line(s) == s }

// isBidi reports the Unicode bidirectional formatting characters, which can make text on
// screen read differently from what is stored (the "Trojan Source" trick).
func isBidi(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, // LRE RLE PDF LRO RLO
		r >= 0x2066 && r <= 0x2069,            // LRI RLI FSI PDI
		r == 0x200E, r == 0x200F, r == 0x061C: // LRM RLM ALM
		return true
	}
	return false
}

// clean does the work for Line and Text. It walks the string once: ESC opens a sequence
// that is skipped whole (CSI up to its final byte, OSC/DCS/SOS/PM/APC up to their string
// terminator, anything else one more character), and the 8-bit C1 introducers are skipped
// the same way.
func clean(s string, keepNewlines bool) string {
	if s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	const (
		plain  = iota
		csi    // inside a control sequence: skip until a final byte 0x40–0x7E
		str    // inside a string (OSC, DCS, SOS, PM, APC): skip until BEL or ST
		strEsc // saw ESC inside a string: a following '\' ends it
		escape // saw ESC: the next character decides
	)
	state := plain
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			// Invalid UTF-8 is dropped: it can carry raw C1 bytes.
			continue
		}
		switch state {
		case csi:
			if r >= 0x40 && r <= 0x7E {
				state = plain
			} else if r < 0x20 || r > 0x7E {
				// A control sequence holds only ASCII; anything else ends it and is
				// looked at afresh.
				state = plain
				i -= size
			}
			continue
		case str:
			switch r {
			case 0x07, 0x9C:
				state = plain
			case 0x1B:
				state = strEsc
			}
			continue
		case strEsc:
			if r == '\\' {
				state = plain
			} else {
				state = str
			}
			continue
		case escape:
			switch r {
			case '[':
				state = csi
			case ']', 'P', 'X', '^', '_':
				state = str
			case 0x1B:
				state = escape
			default:
				// Two-character sequences (ESC c, ESC 7, ESC ( B's intermediate, …).
				state = plain
				if r == '(' || r == ')' || r == '*' || r == '+' || r == '#' || r == '%' {
					// These take one more character.
					if i < len(s) {
						_, sz := utf8.DecodeRuneInString(s[i:])
						i += sz
					}
				}
			}
			continue
		}
		switch {
		case r == 0x1B:
			state = escape
		case r == 0x9B:
			state = csi
		case r == 0x9D || r == 0x90 || r == 0x98 || r == 0x9E || r == 0x9F:
			state = str
		case r == '\n' || r == '\r':
			if keepNewlines {
				if r == '\r' && i < len(s) && s[i] == '\n' {
					i++
				}
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20, r == 0x7F, r >= 0x80 && r <= 0x9F:
			// Other C0 and C1 controls and DEL: dropped.
		case isBidi(r), r == 0xFEFF:
			// Bidi overrides and a stray byte-order mark: dropped.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
