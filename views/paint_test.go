package views

import (
	"testing"

	"charm.land/lipgloss/v2"
)

// TestPaintRendersAsLipgloss: every style of both themes paints what lipgloss renders, for
// plain, Chinese, styled, spaced, multi-part and multi-line text, and takes its shortcut for
// one-line text.
func TestPaintRendersAsLipgloss(t *testing.T) {
	texts := [][]string{{"a"}, {"东岭 1网格"}, {"  padded  "}, {"\x1b[1mbold\x1b[0m after"}, {"two", "parts"},
		{"line\nbreak"}, {""}, {"tab\there"}, {"▸ 诉求 ✓"}, {Pad("x", 5)}}
	for _, lean := range []bool{false, true} {
		st := NewStyles(false, lean)
		for name, p := range map[string]Paint{"Title": st.Title, "PaneActive": st.PaneActive, "Muted": st.Muted,
			"Accent": st.Accent, "Selected": st.Selected, "Red": st.Red, "Green": st.Green, "HelpKey": st.HelpKey,
			"App": st.App} {
			for _, txt := range texts {
				if got, want := p.Render(txt...), p.p.lip.Render(txt...); got != want {
					t.Errorf("lean %v %s %q: %q, lipgloss %q", lean, name, txt, got, want)
				}
			}
			if !p.p.fast {
				t.Errorf("lean %v %s: no shortcut", lean, name)
			}
		}
	}
	// A style whose output depends on the text's width is left to lipgloss.
	for _, s := range []lipgloss.Style{lipgloss.NewStyle().Bold(true).Width(8), lipgloss.NewStyle().Border(lipgloss.NormalBorder())} {
		if p := NewPaint(s); p.p.fast || p.Render("中文") != s.Render("中文") {
			t.Errorf("%v: a sized style takes the shortcut", s)
		}
	}
}

// BenchmarkPaint compares a table cell's paint with lipgloss's render.
func BenchmarkPaint(b *testing.B) {
	st := NewStyles(false, false)
	b.Run("paint", func(b *testing.B) {
		for b.Loop() {
			st.Red.Render("红 督办")
		}
	})
	b.Run("lipgloss", func(b *testing.B) {
		for b.Loop() {
			st.Red.p.lip.Render("红 督办")
		}
	})
}
