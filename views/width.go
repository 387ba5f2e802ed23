package views

import (
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Width returns the display width of s in terminal cells (CJK characters count two), as
// ansi.StringWidth counts it. Text made only of the characters sanbai draws most (ASCII,
// Latin-1, the CJK ideographs and punctuation, box and block drawing, ▸) and SGR colour
// sequences is counted rune by rune; anything else goes to ansi.StringWidth, whose
// grapheme clustering was a fifth of a county session's frame. None of these characters
// joins a neighbour into one grapheme, so counting them one by one is exact (TestWidthFast).
func Width(s string) int {
	if n, ok := fastWidth(s); ok {
		return n
	}
	return ansi.StringWidth(s)
}

// fastWidth is s's width if every character of s is one runeWidth knows, skipping SGR
// sequences (ESC [ parameters m).
func fastWidth(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			n++
			i++
			continue
		case c == 0x1b:
			j := i + 2
			if j > len(s) || s[i+1] != '[' {
				return 0, false
			}
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == ':') {
				j++
			}
			if j >= len(s) || s[j] != 'm' {
				return 0, false
			}
			i = j + 1
			continue
		case c < 0x80:
			return 0, false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		w := runeWidth(r)
		if w < 0 {
			return 0, false
		}
		n += w
		i += size
	}
	return n, true
}

// runeWidth is the width of a character fastWidth counts by itself, or -1.
func runeWidth(r rune) int {
	switch {
	case r >= 0xa1 && r <= 0x2ff && r != 0xad:
		return 1 // Latin-1 and Latin extended: no combining marks before U+0300
	case r >= 0x2010 && r <= 0x2027:
		return 1 // dashes, quotes, …
	case r >= 0x2500 && r <= 0x259f:
		return 1 // box drawing ─ and blocks █ ░ ▁…
	case r == 0x25b8 || r == 0x2022 || r == 0x26a0:
		return 1 // ▸ • ⚠
	case r >= 0x3000 && r <= 0x3029, r >= 0x3030 && r <= 0x303e:
		return 2 // CJK punctuation, without its combining tone marks
	case r >= 0x3400 && r <= 0x4dbf, r >= 0x4e00 && r <= 0x9fff:
		return 2 // CJK ideographs
	case r >= 0xff01 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6:
		return 2 // full-width forms
	}
	return -1
}
