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
func Key(parts ...string) string {
	s := strings.ToLower(strings.Join(parts, " "))
	args := pinyin.NewArgs()
	var full, initials strings.Builder
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			if r == ' ' {
				full.WriteByte(' ')
				initials.WriteByte(' ')
			}
			continue
		}
		py := pinyin.SinglePinyin(r, args)
		if len(py) == 0 || py[0] == "" {
			continue
		}
		full.WriteString(py[0])
		initials.WriteByte(py[0][0])
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
