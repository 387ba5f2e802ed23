package views

import "strings"

// Column is one column of a Table: a header, a width in cells (0 means "take what is left"),
// and whether it is right-aligned.
type Column struct {
	Title string
	Width int
	Right bool
	// HideBelow drops the column when the table is narrower than this many cells, so the
	// flexible column keeps room to be read in a small window.
	HideBelow int
}

// Cell is one table cell: its text and an optional style applied after fitting, so colour
// never changes the width.
type Cell struct {
	Text  string
	Style Style // nil: plain
}

// Style is the subset of lipgloss.Style a cell needs; a pointer to a lipgloss.Style works.
type Style interface{ Render(...string) string }

// Row is a table row: a leading mark (one cell wide: ▸ for the cursor, • for marked, ⚠ …)
// and its cells.
type Row struct {
	Mark  string
	Cells []Cell
}

// T is a shorthand for a plain cell.
func T(s string) Cell { return Cell{Text: s} }

// S is a shorthand for a styled cell.
func S(s string, st Style) Cell { return Cell{Text: s, Style: st} }

// Table renders a header and the visible rows of a list, w cells wide; the cursor row is drawn
// in the Selected style and marked ▸ (or > in ASCII), so it shows without colour too; in the
// lean profile the mark alone shows it.
type Table struct {
	Columns []Column
	Rows    []Row
}

// fit returns the table with the columns that fit a width of w cells.
func (t Table) fit(w int) Table {
	hide := false
	for _, c := range t.Columns {
		hide = hide || (c.HideBelow > 0 && w < c.HideBelow)
	}
	if !hide {
		return t
	}
	out := Table{}
	var keep []int
	for i, c := range t.Columns {
		if c.HideBelow == 0 || w >= c.HideBelow {
			keep = append(keep, i)
			out.Columns = append(out.Columns, c)
		}
	}
	for _, r := range t.Rows {
		nr := Row{Mark: r.Mark}
		for _, i := range keep {
			if i < len(r.Cells) {
				nr.Cells = append(nr.Cells, r.Cells[i])
			}
		}
		out.Rows = append(out.Rows, nr)
	}
	return out
}

// widths resolves the flexible column to fill w (after the mark column and one space between
// columns). A fixed column is at least as wide as its title, so no header is cut mid-word
// ("Concerns" in English where "诉求" takes four cells): the flexible column gives way.
func (t Table) widths(w int) []int {
	ws := make([]int, len(t.Columns))
	used, flex := 2, -1
	for i, c := range t.Columns {
		ws[i] = c.Width
		if c.Width == 0 {
			flex = i
		} else {
			ws[i] = max(c.Width, Width(c.Title))
		}
		used += ws[i] + 1
	}
	if flex >= 0 {
		ws[flex] = max(w-used, 4)
	}
	return ws
}

// Header renders the column titles.
func (t Table) Header(st Styles, w int) string {
	t = t.fit(w)
	ws := t.widths(w)
	var b strings.Builder
	b.WriteString("  ")
	for i, c := range t.Columns {
		if c.Right {
			b.WriteString(FitRight(c.Title, ws[i]))
		} else {
			b.WriteString(Fit(c.Title, ws[i]))
		}
		if i < len(t.Columns)-1 {
			b.WriteByte(' ')
		}
	}
	return st.Heading.Render(Cut(b.String(), w))
}

// Lines renders rows [from, to) with the cursor at cursor.
func (t Table) Lines(st Styles, w, from, to, cursor int) []string {
	t = t.fit(w)
	ws := t.widths(w)
	out := make([]string, 0, max(to-from, 0))
	for r := from; r < to && r < len(t.Rows); r++ {
		row := t.Rows[r]
		mark := row.Mark
		if r == cursor {
			mark = "▸"
			if st.ASCII {
				mark = ">"
			}
		}
		var b strings.Builder
		b.Grow(2 * w) // a CJK row takes 1.5 bytes a cell, its cells' styles a few more
		b.WriteString(Fit(mark, 1))
		b.WriteByte(' ')
		for i, c := range t.Columns {
			if i >= len(row.Cells) {
				break
			}
			cell := row.Cells[i]
			var txt string
			if c.Right {
				txt = FitRight(cell.Text, ws[i])
			} else {
				txt = Fit(cell.Text, ws[i])
			}
			// The reversed cursor row is drawn in one style; a lean one keeps its cells'
			// styles, so that only its mark changes when the cursor comes or goes.
			if cell.Style != nil && (r != cursor || st.Lean) {
				txt = cell.Style.Render(txt)
			}
			b.WriteString(txt)
			if i < len(t.Columns)-1 {
				b.WriteByte(' ')
			}
		}
		line := Pad(b.String(), w)
		if r == cursor && !st.Lean {
			line = st.Selected.Render(line)
		}
		out = append(out, line)
	}
	return out
}
