// Package views holds pure rendering helpers: the theme, cell-width-aware fitting of text
// (Chinese characters take two columns), tables, tags, bars and the list cursor. No I/O and
// no global state: a Styles value is built per session.
package views

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"sanbai/clean"
)

// Styles is the one theme. Colour adds meaning but never carries it alone: every coloured
// thing also has a word or a mark, so a projector or a monochrome terminal loses nothing.
type Styles struct {
	App          Paint
	Title        Paint
	PaneActive   Paint
	PaneInactive Paint
	Context      Paint
	Rule         Paint
	Heading      Paint
	Muted        Paint
	Accent       Paint
	Selected     Paint
	Red          Paint
	Yellow       Paint
	Green        Paint
	Overdue      Paint
	Warn         Paint
	Error        Paint
	OK           Paint
	HelpKey      Paint
	HelpDesc     Paint
	Banner       Paint

	// ASCII draws rules and bars with plain ASCII, for clients that draw box-drawing
	// characters double-width (an option in PuTTY and Xshell).
	ASCII bool
	// Lean is the profile for slow links (NewStyles): no colour, only bold; a list's
	// cursor is its ▸ alone, so moving it redraws two marks, not two reversed rows.
	Lean bool
}

// NewStyles builds the theme. The ANSI 16 colours are used so the terminal's own palette
// decides contrast, and the renderer downsamples them for the client's colour profile. The
// lean profile drops every colour (bold stays: it carries the tags' and headings' weight)
// and the reversed cursor row: on a slow link each attribute change costs bytes on every
// row it touches, and a cursor move then costs two ▸ marks.
func NewStyles(ascii, lean bool) Styles {
	c := func(n string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(n)) }
	if lean {
		c = func(string) lipgloss.Style { return lipgloss.NewStyle() }
	}
	selected := lipgloss.NewStyle().Reverse(true)
	st := Styles{
		App:          NewPaint(lipgloss.NewStyle()),
		Title:        NewPaint(lipgloss.NewStyle().Bold(true)),
		PaneActive:   NewPaint(lipgloss.NewStyle().Bold(true).Reverse(true)),
		PaneInactive: NewPaint(lipgloss.NewStyle()),
		Context:      NewPaint(c("6")),
		Rule:         NewPaint(c("8")),
		Heading:      NewPaint(lipgloss.NewStyle().Bold(true)),
		Muted:        NewPaint(c("8")),
		Accent:       NewPaint(c("6").Bold(true)),
		Selected:     NewPaint(selected),
		Red:          NewPaint(c("1").Bold(true)),
		Yellow:       NewPaint(c("3").Bold(true)),
		Green:        NewPaint(c("2")),
		Overdue:      NewPaint(c("1").Bold(true)),
		Warn:         NewPaint(c("3")),
		Error:        NewPaint(c("1").Bold(true)),
		OK:           NewPaint(c("2")),
		HelpKey:      NewPaint(lipgloss.NewStyle().Bold(true)),
		HelpDesc:     NewPaint(c("8")),
		Banner:       NewPaint(c("3").Bold(true)),
		ASCII:        ascii,
		Lean:         lean,
	}
	return st
}

// HRule draws a horizontal rule w cells wide.
func (s Styles) HRule(w int) string {
	if w <= 0 {
		return ""
	}
	ch := "─"
	if s.ASCII {
		ch = "-"
	}
	return s.Rule.Render(strings.Repeat(ch, w))
}

// Bar draws a progress bar of w cells for done of total, with the percentage after it.
func (s Styles) Bar(done, total, w int) string {
	if w < 1 {
		return ""
	}
	fill := 0
	if total > 0 {
		fill = done * w / total
	}
	full, empty := "█", "░"
	if s.ASCII {
		full, empty = "#", "."
	}
	return strings.Repeat(full, fill) + s.Muted.Render(strings.Repeat(empty, w-fill))
}

// Fit cleans s, cuts it to at most w cells (ending in "…" when cut) and pads it with spaces
// to exactly w cells. A wide character is never split.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = clean.Line(s)
	if Width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// FitRight is Fit aligned right, for numbers.
func FitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = clean.Line(s)
	if Width(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - Width(s); pad > 0 {
		s = strings.Repeat(" ", pad) + s
	}
	return s
}

// Cut cuts already-styled text to w cells without padding.
func Cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// Pad pads already-styled text with spaces to w cells (cutting it if longer).
func Pad(s string, w int) string {
	n := Width(s)
	if n > w {
		s = Cut(s, w)
		n = Width(s)
	}
	if pad := w - n; pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// Pct formats a ratio as a whole percentage rounded half up (2/3 → 67%), the one rounding
// of every figure (store.Percent; views imports no store, and a tui test checks the two
// agree); "–" when there is nothing to divide by.
func Pct(n, d int) string {
	if d <= 0 {
		return "–"
	}
	return strconv.Itoa((200*n+d)/(2*d)) + "%"
}

// Spark draws a series as a one-line chart of block heights (▁▂▃▄▅▆▇█), or digits 0–9 in
// ASCII, scaled to the series' largest value.
func Spark(xs []int, ascii bool) string {
	levels := []rune("▁▂▃▄▅▆▇█")
	if ascii {
		levels = []rune("0123456789")
	}
	top := 0
	for _, x := range xs {
		top = max(top, x)
	}
	var b strings.Builder
	for _, x := range xs {
		i := 0
		if top > 0 {
			i = x * (len(levels) - 1) / top
		}
		b.WriteRune(levels[i])
	}
	return b.String()
}

// Wrap cleans one line of text and breaks it into lines of at most w cells: English at
// spaces, Chinese between any two characters; continuation lines keep
// the line's leading indentation, so a wrapped paragraph stays in its column.
func Wrap(s string, w int) []string {
	trimmed := strings.TrimLeft(s, " ")
	indent, body := s[:len(s)-len(trimmed)], clean.Line(trimmed)
	room := w - len(indent)
	if room < 4 {
		indent, room = "", w
	}
	if room <= 0 {
		return []string{""}
	}
	var lines []string
	if Width(body) != utf8.RuneCountInString(body) {
		// Chinese text breaks anywhere; breaking at its few spaces ("辖 5 个网格") would
		// leave half-empty lines.
		lines = wrapCJK(body, room)
	} else {
		lines = strings.Split(ansi.Wrap(body, room, ""), "\n")
	}
	var out []string
	for _, l := range lines {
		// A space the break fell on is dropped, not left to push the line out of its column.
		out = append(out, indent+strings.TrimSpace(l))
	}
	return out
}

// wrapCJK breaks text between any two characters into lines of at most w cells; as Chinese
// typesetting does, a line never starts with closing punctuation: the character before it
// moves down with it.
func wrapCJK(s string, w int) []string {
	var lines []string
	var cur []rune
	width := 0
	for _, r := range s {
		rw := ansi.StringWidth(string(r))
		if width+rw > w && len(cur) > 0 {
			next := []rune{}
			if strings.ContainsRune(noLineStart, r) && len(cur) > 1 {
				next, cur = []rune{cur[len(cur)-1]}, cur[:len(cur)-1]
			}
			lines = append(lines, string(cur))
			cur, width = next, ansi.StringWidth(string(next))
		}
		cur = append(cur, r)
		width += rw
	}
	return append(lines, string(cur))
}

// noLineStart is the punctuation a Chinese line does not start with.
const noLineStart = "，。、；：！？）」』》”’,.;:!?)"
