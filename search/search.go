// Package search builds the text a row is found by — its words, their full pinyin and their
// pinyin initials — and matches what a person types against it. The store's shared ledger view
// keeps one key per concern; panes build keys for their own lists and pickers.
package search

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// Key builds the text a row is searched by: the words themselves, their full pinyin and their
// pinyin initials, so "漏雨", "louyu" and "ly" all find 屋顶漏雨.
func Key(parts ...string) string { return NewKeyer().Key(parts...) }

// Keyer builds keys as Key does, remembering each character's pinyin: the pinyin library
// strips tones with regular expressions, which is most of the cost of a key. A Keyer is for
// one goroutine.
type Keyer struct {
	args pinyin.Args
	py   map[rune]string
}

// NewKeyer returns a Keyer with nothing remembered yet.
func NewKeyer() *Keyer { return &Keyer{args: pinyin.NewArgs(), py: map[rune]string{}} }

// Key builds the search key of parts (see the package function Key).
func (k *Keyer) Key(parts ...string) string {
	s := strings.ToLower(strings.Join(parts, " "))
	var full, initials strings.Builder
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			if r == ' ' {
				full.WriteByte(' ')
				initials.WriteByte(' ')
			}
			continue
		}
		py, ok := k.py[r]
		if !ok {
			if p := pinyin.SinglePinyin(r, k.args); len(p) > 0 {
				py = p[0]
			}
			k.py[r] = py
		}
		if py == "" {
			continue
		}
		full.WriteString(py)
		initials.WriteByte(py[0])
	}
	return s + "\x00" + full.String() + "\x00" + initials.String()
}

// Words splits a query into the lower-case words Match looks for.
func Words(query string) []string { return strings.Fields(strings.ToLower(query)) }

// Match reports whether every word is found in the key.
func Match(key string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(key, w) {
			return false
		}
	}
	return true
}
