package views

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestWidthFast checks the fast count against ansi.StringWidth for every character it counts
// by itself, alone and between neighbours of every kind, and for styled and mixed text.
func TestWidthFast(t *testing.T) {
	neighbours := []string{"a", "中", "─", "é", "\u0301", "\u200d", "\ufe0f", "🇨", "\x1b[1m", "\t"}
	counted := 0
	for r := rune(0); r <= 0xffff; r++ {
		if runeWidth(r) < 0 {
			continue
		}
		counted++
		s := string(r)
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("%U: width %d, ansi.StringWidth %d", r, got, want)
		}
		for _, n := range neighbours {
			for _, x := range []string{n + s, s + n, s + s + n} {
				if got, want := Width(x), ansi.StringWidth(x); got != want {
					t.Fatalf("%q: width %d, ansi.StringWidth %d", x, got, want)
				}
			}
		}
	}
	if counted < 20000 {
		t.Fatalf("only %d characters counted fast", counted)
	}
	for _, s := range []string{"", "东岭 1网格 张三家", "\x1b[7m▸ 诉求\x1b[0m", "\x1b[38;2;1;2;3m红\x1b[m", "\x1b]8;;x\x1b\\link",
		"👨\u200d👩", "e\u0301", "ｱｲ", "한국", "\x1b[", "\x1b[1", "a\x7fb", "…—“”"} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("%q: width %d, ansi.StringWidth %d", s, got, want)
		}
	}
}

// BenchmarkWidth measures a table row of Chinese text with a style, the common case.
func BenchmarkWidth(b *testing.B) {
	s := "\x1b[1m▸\x1b[0m 0001234 东岭 1网格  村东头路灯坏了三个月，晚上走路不安全  红 网格  05-12 督办"
	for b.Loop() {
		Width(s)
	}
}
