package views

import (
	"strings"
	"testing"
)

func TestFitCountsWideCharacters(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"王建国", 8, "王建国  "},
		{"王建国户屋顶漏雨", 9, "王建国户…"},
		{"王建国户屋顶漏雨", 8, "王建国… "}, // a wide character is never split
		{"abc", 2, "a…"},
		{"\x1b[2J王五", 4, "王五"},
		{"", 3, "   "},
	}
	for _, c := range cases {
		got := Fit(c.in, c.w)
		if got != c.want || Width(got) != c.w {
			t.Errorf("Fit(%q, %d) = %q (%d cells), want %q", c.in, c.w, got, Width(got), c.want)
		}
	}
	if got := FitRight("12", 4); got != "  12" {
		t.Errorf("FitRight = %q", got)
	}
}

func TestTableLinesFitAndMarkTheCursor(t *testing.T) {
	st := NewStyles(false, false)
	tb := Table{Columns: []Column{{Title: "编号", Width: 7}, {Title: "事项"}, {Title: "责任人", Width: 6, HideBelow: 50}}}
	for i := 0; i < 5; i++ {
		tb.Rows = append(tb.Rows, Row{Cells: []Cell{T("DL-000" + string(rune('1'+i))), T(strings.Repeat("屋顶漏雨", 10)), S("张强", st.Red)}})
	}
	for _, w := range []int{80, 40} {
		lines := tb.Lines(st, w, 1, 4, 2)
		if len(lines) != 3 {
			t.Fatalf("%d lines", len(lines))
		}
		for _, l := range lines {
			if Width(l) != w {
				t.Fatalf("width %d, want %d: %q", Width(l), w, l)
			}
		}
		if !strings.Contains(lines[1], "▸") || strings.Contains(lines[0], "▸") {
			t.Fatalf("cursor mark: %q", lines)
		}
		hasOwner := strings.Contains(tb.Header(st, w), "责任人")
		if hasOwner != (w >= 50) {
			t.Fatalf("at %d cells the owner column shown=%v", w, hasOwner)
		}
	}
	ascii := NewStyles(true, false)
	if l := tb.Lines(ascii, 40, 0, 1, 0)[0]; !strings.Contains(l, ">") || strings.ContainsAny(l, "▸") {
		t.Fatalf("ASCII cursor: %q", l)
	}
}

func TestCursorStaysInRange(t *testing.T) {
	var c Cursor
	c.SetLen(30)
	c.Move(100, 10)
	if c.Pos != 29 || c.Offset != 20 {
		t.Fatalf("%+v", c)
	}
	c.Move(-5, 10)
	if from, to := c.Window(10); c.Pos != 24 || from != 20 || to != 30 {
		t.Fatalf("%+v %d %d", c, from, to)
	}
	c.SetLen(3)
	if from, to := c.Window(10); c.Pos != 2 || from != 0 || to != 3 {
		t.Fatalf("after shrink %+v %d %d", c, from, to)
	}
	c.SetLen(0)
	if c.Pos != 0 {
		t.Fatalf("empty: %+v", c)
	}
}

// TestWrapKeepsIndentAndWidth: a Chinese paragraph breaks between characters within the
// width, continuation lines keep the indentation, and escape sequences are cleaned away.
func TestWrapKeepsIndentAndWidth(t *testing.T) {
	got := Wrap("  东岭新村由原东岭村和上坪村合并而成，\x1b[2J依山傍水", 14)
	want := []string{"  东岭新村由原", "  东岭村和上坪", "  村合并而成，", "  依山傍水"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("Wrap = %q; want %q", got, want)
	}
	for _, l := range Wrap("  one two three four five six", 12) {
		if Width(l) > 12 || !strings.HasPrefix(l, "  ") {
			t.Fatalf("line %q: wider than 12 or lost its indent", l)
		}
	}
}

// TestWrapChineseFillsLines: Chinese with a few spaces fills each line rather than breaking
// at the spaces.
func TestWrapChineseFillsLines(t *testing.T) {
	got := Wrap("  北塘新村辖 5 个网格：1网格、2网格", 20)
	if len(got) != 2 || Width(got[0]) < 19 {
		t.Fatalf("Wrap = %q; want two lines, the first full", got)
	}
}

// TestWrapKeepsPunctuationOffLineStart: a comma that would start a line takes the character
// before it along, and no line is wider than asked.
func TestWrapKeepsPunctuationOffLineStart(t *testing.T) {
	got := Wrap("依山傍水，耕地六千余亩", 8)
	for _, l := range got {
		if strings.HasPrefix(l, "，") || Width(l) > 8 {
			t.Fatalf("Wrap = %q: a line starts with a comma or is too wide", got)
		}
	}
	if strings.Join(got, "") != "依山傍水，耕地六千余亩" {
		t.Fatalf("Wrap = %q lost text", got)
	}
}
