package clean

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := []struct{ in, want string }{
		{"\x1b]0;pwned\x07\x1b[2J王五", "王五"},
		{"王\x1b[31m五\x1b[0m", "王五"},
		{"\x1bP1;2|secret\x1b\\李四", "李四"},
		{"a\u202Eevil\u202Cb", "aevilb"},
		{"\u2066x\u2069", "x"},
		{"tab\there", "tab here"},
		{"two\nlines", "two lines"},
		{"bell\x07", "bell"},
		{"c1\u009b31mred", "c1red"},
		{"\u009d0;title\u009c张三", "张三"},
		{"ok\x7f", "ok"},
		{"bad\xffutf8\xc3", "badutf8"},
		{"  spaced  ", "spaced"},
		{"\ufeff东岭", "东岭"},
		{"esc at end\x1b", "esc at end"},
		{"\x1b(B字符集", "字符集"},
		{"😀 emoji👨‍👩‍👧", "😀 emoji👨‍👩‍👧"},
	}
	for _, c := range cases {
		if got := Line(c.in); got != c.want {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTextKeepsNewlines(t *testing.T) {
	if got := Text("第一行\r\n第二行\r第三行\x1b[2J"); got != "第一行\n第二行\n第三行" {
		t.Fatalf("Text = %q", got)
	}
}

// FuzzLine checks that nothing that drives a terminal survives cleaning.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"\x1b]0;pwned\x07\x1b[2J王五", "\u009b2J", "a\u202eb", "\xff\xfe", "\x1b[", "\x1bP", "plain 文本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7F || (r >= 0x80 && r <= 0x9F) || isBidi(r) {
				t.Fatalf("control %U survived in %q (from %q)", r, out, s)
			}
		}
		if strings.Contains(out, "\x1b") {
			t.Fatalf("ESC survived")
		}
		if Line(out) != out {
			t.Fatalf("not idempotent: %q -> %q", out, Line(out))
		}
	})
}

func TestInlineKeepsSpaces(t *testing.T) {
	if got := Inline(" 电话 \x1b[31m联系 "); got != " 电话 联系 " {
		t.Fatalf("Inline = %q", got)
	}
}

// TestCut: a long text is cut at a character boundary under the bound and says how long it
// was; a short one is left alone.
func TestCut(t *testing.T) {
	if got := Cut("王五", 10); got != "王五" {
		t.Fatalf("short: %q", got)
	}
	long := strings.Repeat("王", 100) // 300 bytes
	got := Cut(long, 10)
	if got != "王王王…[cut, 300 bytes]" || !utf8.ValidString(got) {
		t.Fatalf("long: %q", got)
	}
	if got := Cut(strings.Repeat("a", 120<<10), 256); len(got) > 256+32 || !strings.HasSuffix(got, "…[cut, 122880 bytes]") {
		t.Fatalf("120 KB: %d bytes, ends %q", len(got), got[len(got)-30:])
	}
}
