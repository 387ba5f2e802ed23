package views

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Paint is one style of the theme: a lipgloss style whose Render is worked out once, as the
// escape sequences that turn it on and off, and then put around each text. lipgloss works
// out a style's borders, margins and padding on every Render; the header, the footer's keys
// and the table cells of every session's frame made that a seventh of a county session's
// CPU. A text Paint cannot paint the way lipgloss would (one with a line break, or a style
// with more than colours and attributes) is rendered by lipgloss itself.
type Paint struct{ p *paint } // one pointer: a cell's style (an interface) holds it as is

// paint is a Paint's style and its sequences.
type paint struct {
	lip     lipgloss.Style
	on, off string
	fast    bool
}

// NewPaint makes a Paint of a lipgloss style.
func NewPaint(s lipgloss.Style) Paint {
	p := &paint{lip: s}
	const probe = "x"
	r := s.Render(probe)
	if on, off, ok := strings.Cut(r, probe); ok && !strings.Contains(off, probe) {
		p.on, p.off = on, off
		// The same sequences around any other one-line text, or no shortcut.
		p.fast = s.Render("中 a") == on+"中 a"+off
	}
	return Paint{p}
}

// Render paints strs joined by spaces, as lipgloss.Style.Render does; the zero Paint leaves
// them plain.
func (p Paint) Render(strs ...string) string {
	var s string
	if len(strs) == 1 {
		s = strs[0]
	} else {
		s = strings.Join(strs, " ")
	}
	switch {
	case p.p == nil:
		return s
	case !p.p.fast || s == "" || strings.ContainsAny(s, "\n\r\t"):
		return p.p.lip.Render(s)
	}
	return p.p.on + s + p.p.off
}
