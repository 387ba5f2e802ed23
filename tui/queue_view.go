package tui

import (
	"fmt"
	"strings"

	"sanbai/query"
	"sanbai/store"
	"sanbai/views"
)

// counts renders the header line: open concerns per tier and colour, overdue, supervised and
// problem cases.
func (q *queue) counts() string {
	st := q.c.Styles
	tiers, tags := q.hdr.Tiers, q.hdr.Tags
	overdue, supervised, problems := q.hdr.Overdue, q.hdr.Supervised, q.hdr.Problems
	var parts []string
	for _, t := range store.Tiers() {
		parts = append(parts, fmt.Sprintf("%s %d", q.c.T("tier."+string(t)), tiers[t]))
	}
	// One space inside an item and one between items keeps the line within 80 cells in
	// both languages.
	sep := st.Muted.Render(" │ ")
	if st.ASCII {
		sep = " | "
	}
	tagPart := []string{
		st.Red.Render(fmt.Sprintf("%s %d", q.c.T("tag.red"), tags[store.TagRed])),
		st.Yellow.Render(fmt.Sprintf("%s %d", q.c.T("tag.yellow"), tags[store.TagYellow])),
		st.Green.Render(fmt.Sprintf("%s %d", q.c.T("tag.green"), tags[store.TagGreen])),
	}
	last := st.Overdue.Render(fmt.Sprintf("%s %d", q.c.T("overdue"), overdue)) + " " +
		fmt.Sprintf("%s %d %s %d", q.c.T("supervised"), supervised, q.c.T("q.problem.short"), problems)
	return " " + strings.Join(parts, " ") + sep + strings.Join(tagPart, " ") + sep + last
}

// filterLine says what the list shows: the filters in force, the count and the marks.
func (q *queue) filterLine() string {
	var parts []string
	f := q.shown
	if f.all {
		parts = append(parts, q.c.T("q.f.all"))
	} else {
		parts = append(parts, q.c.T("q.f.open"))
	}
	if f.tier != "" {
		parts = append(parts, q.c.T("tier."+string(f.tier)))
	}
	if f.tag != "" {
		parts = append(parts, q.c.T("tagname."+string(f.tag)))
	}
	if f.mine {
		parts = append(parts, q.c.T("q.f.mine"))
	}
	if f.village != "" {
		parts = append(parts, f.village)
	}
	if f.grid != "" {
		parts = append(parts, q.grids[f.grid])
	}
	if f.category != "" {
		parts = append(parts, f.category)
	}
	if f.text != "" {
		parts = append(parts, "/"+f.text)
	}
	if q.shownBy != query.OrderMeeting {
		parts = append(parts, q.c.T("q.sort."+q.shownBy.String()))
	}
	s := " " + strings.Join(parts, " · ") + "  " + fmt.Sprintf(q.c.T("q.f.count"), q.total)
	if len(q.marked) > 0 {
		s += "  " + q.c.Styles.Accent.Render(fmt.Sprintf(q.c.T("q.marked.n"), len(q.marked)))
	}
	if q.meeting {
		s += "  " + q.c.Styles.Accent.Render(q.c.T("q.meeting"))
	}
	return s
}

// tagCell renders a tag as a word (红/黄/绿) in its colour, so it reads without colour too.
func (q *queue) tagCell(t store.Tag) views.Cell {
	st := q.c.Styles
	var s views.Style
	switch t {
	case store.TagRed:
		s = st.Red
	case store.TagYellow:
		s = st.Yellow
	case store.TagGreen:
		s = st.Green
	}
	return views.S(q.c.T("tag."+string(t)), s)
}

// dueCell renders the deadline: MM-DD, "today", "soon" (within two days) or days overdue
// with a "!", so near-due and overdue rows stand out without colour.
func (q *queue) dueCell(c store.Concern) views.Cell {
	today := q.c.Today()
	switch {
	case c.Plan.Deadline == "":
		return views.T("")
	case c.Overdue(today):
		return views.S(fmt.Sprintf(q.c.T("overdue.days"), daysBetween(c.Plan.Deadline, today)), q.c.Styles.Overdue)
	case c.Status.Open() && c.Plan.Deadline == today:
		return views.S(q.c.T("due.today"), q.c.Styles.Warn)
	case c.Status.Open() && daysBetween(today, c.Plan.Deadline) <= 2:
		return views.S(q.c.day(c.Plan.Deadline)+"*", q.c.Styles.Warn)
	}
	return views.T(q.c.day(c.Plan.Deadline))
}

// mark is the one-cell sign before a row: marked, supervised, or a problem case.
func (q *queue) mark(c store.Concern) string {
	switch {
	case q.marked[c.ID]:
		if q.c.Styles.ASCII {
			return "*"
		}
		return "•"
	case c.Supervisor != "":
		return "!"
	case c.ProblemCase():
		return "?"
	}
	return ""
}

// table is the list's columns and the rows [from, to) of the window held: a frame builds
// the cells of the rows it shows and no others.
func (q *queue) table(from, to int) views.Table {
	var t views.Table
	if q.meeting {
		t.Columns = []views.Column{
			{Title: q.c.T("q.id"), Width: 8},
			{Title: q.c.T("q.tag"), Width: 3},
			{Title: q.c.T("q.desc")},
			{Title: q.c.T("q.owner"), Width: 6},
			{Title: q.c.T("q.deadline"), Width: 8},
		}
	} else {
		t.Columns = []views.Column{
			{Title: q.c.T("q.id"), Width: 8},
			{Title: q.c.T("q.tier"), Width: 4},
			{Title: q.c.T("q.tag"), Width: 3},
			{Title: q.c.T("q.grid"), Width: 8, HideBelow: 72},
			{Title: q.c.T("q.desc")},
			{Title: q.c.T("q.owner"), Width: 6, HideBelow: 64},
			{Title: q.c.T("q.deadline"), Width: 8},
			{Title: q.c.T("q.status"), Width: 8},
		}
	}
	t.Rows = make([]views.Row, 0, max(to-from, 0))
	for _, c := range q.rows[from:to] {
		desc := c.Description
		if c.Supervisor != "" {
			desc = "[" + q.c.T("supervised") + "] " + desc
		}
		if c.Project != "" {
			desc = "[" + c.Project + "] " + desc
		}
		if c.ProblemCase() {
			desc = "[" + q.c.T("q.problem") + "] " + desc
		}
		var cells []views.Cell
		if q.meeting {
			cells = []views.Cell{views.T(c.ID), q.tagCell(c.Tag), views.T(desc), views.T(c.Plan.OwnerLabel()), q.dueCell(c)}
		} else {
			cells = []views.Cell{
				views.T(c.ID),
				views.T(q.c.T("tier." + string(c.Tier))),
				q.tagCell(c.Tag),
				views.T(q.grids[c.Grid]),
				views.T(desc),
				views.T(c.Plan.OwnerLabel()),
				q.dueCell(c),
				views.T(q.c.T("st." + string(c.Status))),
			}
		}
		t.Rows = append(t.Rows, views.Row{Mark: q.mark(c), Cells: cells})
	}
	return t
}

func (q *queue) View() string {
	st := q.c.Styles
	switch {
	case !q.loaded:
		return " " + q.c.T("loading")
	case q.err != nil:
		return " " + st.Error.Render(q.c.errText(q.err))
	}
	lines := []string{q.counts(), q.filterLine(), st.HRule(q.w)}
	from, to := q.cur.Window(q.listHeight())
	// The pane holds the window's rows only (q.rows, from q.base); the table holds the
	// screen's: positions are relative to its first.
	from, to = max(from-q.base, 0), max(min(to-q.base, len(q.rows)), 0)
	from = min(from, to)
	cursor := q.cur.Pos - q.base - from
	t := q.table(from, to)
	lines = append(lines, t.Header(st, q.w))
	if q.total == 0 {
		lines = append(lines, " "+q.c.T("empty"))
	} else if q.meeting {
		// Meeting mode: a blank line between rows for a projector, and the selected
		// concern's plan under the list.
		for i, l := range t.Lines(st, q.w, 0, len(t.Rows), cursor) {
			if i == cursor {
				l = st.Title.Render(l)
			}
			lines = append(lines, l, "")
		}
	} else {
		lines = append(lines, t.Lines(st, q.w, 0, len(t.Rows), cursor)...)
	}
	var tail []string
	if q.meeting {
		if c, ok := q.current(); ok {
			tail = q.planLines(c)
		}
	}
	for len(lines) < q.h-len(tail)-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:min(len(lines), max(q.h-len(tail)-1, 0))], st.HRule(q.w))
	lines = append(lines, tail...)
	if len(lines) > q.h {
		lines = lines[len(lines)-q.h:]
	}
	return strings.Join(lines, "\n")
}

// planLines shows the selected concern's plan (meeting mode).
func (q *queue) planLines(c store.Concern) []string {
	st := q.c.Styles
	out := []string{" " + st.Title.Render(c.ID) + "  " + q.c.T("tier."+string(c.Tier)) + " · " + q.c.T("st."+string(c.Status))}
	add := func(label, v string) {
		if v != "" {
			lw := q.c.labelWidth()
			out = append(out, " "+st.Heading.Render(views.Fit(label, lw))+" "+views.Cut(v, max(q.w-lw-2, 1)))
		}
	}
	add(q.c.T("d.solution"), c.Plan.Solution)
	add(q.c.T("q.owner"), c.Plan.OwnerLabel()+"  "+q.c.day(c.Plan.Deadline))
	return out
}

// detailView shows one concern: what, where, the plan, the clocks and its history's lines.
func (q *queue) detailView(c store.Concern, history []string, w, h int) string {
	st := q.c.Styles
	var lines []string
	add := func(label, value string) {
		if value == "" {
			return
		}
		lw := q.c.labelWidth()
		lines = append(lines, " "+st.Heading.Render(views.Fit(label, lw))+" "+views.Cut(value, max(w-lw-2, 1)))
	}
	title := fmt.Sprintf("%s  %s · %s · %s", c.ID, q.c.T("tier."+string(c.Tier)), q.c.T("tagname."+string(c.Tag)), q.c.T("st."+string(c.Status)))
	if c.ProblemCase() {
		title += " · " + q.c.T("q.problem")
	}
	lines = append(lines, " "+st.Title.Render(title), st.HRule(w))
	add(q.c.T("q.grid"), q.grids[c.Grid]+" "+c.Household)
	add(q.c.T("d.category"), c.Category)
	for _, l := range strings.Split(c.Description, "\n") {
		add(q.c.T("q.desc"), l)
	}
	add(q.c.T("d.solution"), c.Plan.Solution)
	add(q.c.T("q.owner"), c.Plan.OwnerLabel())
	due := c.Plan.Deadline
	if c.Extensions > 0 {
		due += "  " + fmt.Sprintf(q.c.T("d.extensions"), c.Extensions)
	}
	add(q.c.T("q.deadline"), due)
	if n := c.Bounces(); n > 0 {
		add(q.c.T("q.problem"), fmt.Sprintf(q.c.T("d.bounces"), n))
	}
	add(q.c.T("d.resolution"), c.Resolution)
	add(q.c.T("supervised"), c.Supervisor)
	add(q.c.T("d.project"), c.Project)
	created, handed := c.Clock(q.c.Store.Now())
	add(q.c.T("d.created"), c.CreatedAt.Format("2006-01-02 15:04")+" "+c.CreatedBy+"  "+fmt.Sprintf(q.c.T("d.clock"), created, handed))
	lines = append(lines, " "+st.Heading.Render(q.c.T("d.history")))
	hist := make([]string, len(history))
	for i, l := range history {
		hist[i] = views.Cut("  "+l, w)
	}
	// The newest history shows when there is not room for all of it.
	if room := h - len(lines); len(hist) > room && room > 0 {
		hist = hist[len(hist)-room:]
	}
	lines = append(lines, hist...)
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}

// projectView lists the lead projects with their concerns' progress.
func (q *queue) projectView(pos, w, h int) string {
	st := q.c.Styles
	lines := []string{" " + st.Title.Render(q.c.T("q.projects")), st.HRule(w)}
	if len(q.projects) == 0 {
		lines = append(lines, " "+q.c.T("q.projects.none"))
	}
	t := views.Table{Columns: []views.Column{{Width: 6}, {}, {Width: 6}, {Width: 12}}}
	for _, p := range q.projects {
		done := 0
		for _, id := range p.Concerns {
			if c, ok := q.lookup(id); ok && !c.Status.Open() {
				done++
			}
		}
		state := fmt.Sprintf("%d/%d", done, len(p.Concerns))
		if p.Resolved {
			state += " " + q.c.T("st.resolved")
		}
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(p.ID), views.T(p.Title + "  " + strings.Join(p.Concerns, " ")), views.T(p.Owner), views.T(state)}})
	}
	lines = append(lines, t.Lines(st, w, 0, len(t.Rows), pos)...)
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}
