package tui

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/store"
	"sanbai/views"
)

// queue is the 3 台账 pane: the master ledger of concerns, counted per tier and colour, with
// overdue and red rows first, and triage keys on the selected row.
type queue struct {
	c        *Common
	w, h     int
	loaded   bool
	err      error
	rows     []store.Concern
	grids    map[string]string // grid code → name
	cur      views.Cursor
	detail   *concernDetail
	selected string // ID under the cursor, kept across reloads
}

// concernDetail is the opened concern with its household.
type concernDetail struct {
	c  store.Concern
	hh store.Household
}

type queueLoaded struct {
	rows  []store.Concern
	grids map[string]string
	err   error
}

type concernSaved struct {
	c   store.Concern
	err error
}

type detailLoaded struct {
	d   concernDetail
	err error
}

func newQueue(c *Common) *queue { return &queue{c: c} }

func (q *queue) Init() tea.Cmd { return q.load() }

func (q *queue) load() tea.Cmd {
	c := q.c
	return func() tea.Msg {
		rows, err := c.Store.Concerns(c.Actor)
		if err != nil {
			return queueLoaded{err: err}
		}
		grids := map[string]string{}
		gs, err := c.Store.Grids(c.Actor)
		for _, g := range gs {
			grids[g.Code] = g.Name
		}
		sortQueue(rows, c.Today())
		return queueLoaded{rows: rows, grids: grids, err: err}
	}
}

// sortQueue orders the ledger as a meeting works through it: open before done, overdue first,
// red before yellow before green, then by deadline and ID.
func sortQueue(rows []store.Concern, today string) {
	rank := func(c store.Concern) int {
		switch {
		case c.Overdue(today):
			return 0
		case c.Status.Open():
			return 1
		case c.Status == store.StatusResolved:
			return 2
		}
		return 3
	}
	tagRank := map[store.Tag]int{store.TagRed: 0, store.TagYellow: 1, store.TagGreen: 2}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if ta, tb := tagRank[a.Tag], tagRank[b.Tag]; ta != tb {
			return ta < tb
		}
		if a.Plan.Deadline != b.Plan.Deadline {
			return a.Plan.Deadline < b.Plan.Deadline
		}
		return a.ID < b.ID
	})
}

func (q *queue) SetSize(w, h int) { q.w, q.h = w, h }

// listHeight is the number of rows the table shows: the pane less the counts line, a rule,
// the column header and a closing rule.
func (q *queue) listHeight() int { return max(q.h-4, 1) }

func (q *queue) Capturing() bool { return false }

func (q *queue) Update(msg tea.Msg) tea.Cmd {
	k := q.c.Keys
	switch msg := msg.(type) {
	case queueLoaded:
		q.loaded, q.err = true, msg.err
		if msg.err != nil {
			return nil
		}
		q.rows, q.grids = msg.rows, msg.grids
		q.cur.SetLen(len(q.rows))
		// Keep the cursor on the same concern when the list is reloaded under it.
		for i, r := range q.rows {
			if r.ID == q.selected {
				q.cur.Pos = i
			}
		}
		q.cur.Move(0, q.listHeight())
		q.remember()
		return nil
	case ChangedMsg:
		if msg.touches("concern", "revisit") {
			return q.load()
		}
		return nil
	case concernSaved:
		if msg.err != nil {
			return status(q.c.errText(msg.err), true)
		}
		q.replace(msg.c)
		return status(fmt.Sprintf(q.c.T("q.tagged"), msg.c.ID, q.c.T("tagname."+string(msg.c.Tag))), false)
	case detailLoaded:
		if msg.err != nil {
			return status(q.c.errText(msg.err), true)
		}
		q.detail = &msg.d
		return nil
	case tea.KeyPressMsg:
		if q.detail != nil {
			if key.Matches(msg, k.Back, k.Open) {
				q.detail = nil
			}
			return nil
		}
		switch {
		case key.Matches(msg, k.Up):
			q.cur.Move(-1, q.listHeight())
		case key.Matches(msg, k.Down):
			q.cur.Move(1, q.listHeight())
		case key.Matches(msg, k.PageUp):
			q.cur.Move(-q.listHeight(), q.listHeight())
		case key.Matches(msg, k.PageDown):
			q.cur.Move(q.listHeight(), q.listHeight())
		case key.Matches(msg, k.Top):
			q.cur.Move(-q.cur.N, q.listHeight())
		case key.Matches(msg, k.Bottom):
			q.cur.Move(q.cur.N, q.listHeight())
		case key.Matches(msg, k.TagRed):
			return q.setTag(store.TagRed)
		case key.Matches(msg, k.TagYellow):
			return q.setTag(store.TagYellow)
		case key.Matches(msg, k.TagGreen):
			return q.setTag(store.TagGreen)
		case key.Matches(msg, k.Open):
			return q.open()
		}
		q.remember()
	}
	return nil
}

// remember notes which concern is under the cursor.
func (q *queue) remember() {
	if q.cur.Pos < len(q.rows) {
		q.selected = q.rows[q.cur.Pos].ID
	}
}

// replace puts a saved concern back in the list.
func (q *queue) replace(c store.Concern) {
	for i := range q.rows {
		if q.rows[i].ID == c.ID {
			q.rows[i] = c
		}
	}
}

func (q *queue) current() (store.Concern, bool) {
	if q.cur.Pos < 0 || q.cur.Pos >= len(q.rows) {
		return store.Concern{}, false
	}
	return q.rows[q.cur.Pos], true
}

func (q *queue) setTag(t store.Tag) tea.Cmd {
	cur, ok := q.current()
	if !ok {
		return nil
	}
	c := q.c
	return func() tea.Msg {
		saved, err := c.Store.SetTag(c.Actor, cur.ID, t)
		return concernSaved{c: saved, err: err}
	}
}

func (q *queue) open() tea.Cmd {
	cur, ok := q.current()
	if !ok {
		return nil
	}
	c := q.c
	return func() tea.Msg {
		hh, err := c.Store.Household(c.Actor, cur.Village, cur.Household)
		if err != nil && err != store.ErrNotFound {
			return detailLoaded{err: err}
		}
		return detailLoaded{d: concernDetail{c: cur, hh: hh}}
	}
}

// status returns a command that shows a footer message.
func status(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, err: isErr} }
}

// counts renders the header line: concerns per tier and colour, overdue and supervised.
func (q *queue) counts() string {
	st, today := q.c.Styles, q.c.Today()
	tiers := map[store.Tier]int{}
	tags := map[store.Tag]int{}
	overdue, supervised := 0, 0
	for _, c := range q.rows {
		if !c.Status.Open() {
			continue
		}
		tiers[c.Tier]++
		tags[c.Tag]++
		if c.Overdue(today) {
			overdue++
		}
		if c.Supervisor != "" {
			supervised++
		}
	}
	var parts []string
	for _, t := range store.Tiers {
		parts = append(parts, fmt.Sprintf("%s %d", q.c.T("tier."+string(t)), tiers[t]))
	}
	sep := st.Muted.Render(" │ ")
	if st.ASCII {
		sep = " | "
	}
	tagPart := []string{
		st.Red.Render(fmt.Sprintf("%s %d", q.c.T("tag.red"), tags[store.TagRed])),
		st.Yellow.Render(fmt.Sprintf("%s %d", q.c.T("tag.yellow"), tags[store.TagYellow])),
		st.Green.Render(fmt.Sprintf("%s %d", q.c.T("tag.green"), tags[store.TagGreen])),
	}
	last := st.Overdue.Render(fmt.Sprintf("%s %d", q.c.T("overdue"), overdue)) + "  " +
		fmt.Sprintf("%s %d", q.c.T("supervised"), supervised)
	return " " + strings.Join(parts, "  ") + sep + strings.Join(tagPart, "  ") + sep + last
}

// tagCell renders a tag as a word (红/黄/绿) in its colour, so it reads without colour too.
func (q *queue) tagCell(t store.Tag) views.Cell {
	st := q.c.Styles
	s := map[store.Tag]views.Style{store.TagRed: st.Red, store.TagYellow: st.Yellow, store.TagGreen: st.Green}[t]
	return views.S(q.c.T("tag."+string(t)), s)
}

// dueCell renders the deadline: MM-DD, "today", or days overdue with a "!".
func (q *queue) dueCell(c store.Concern) views.Cell {
	today := q.c.Today()
	switch {
	case c.Plan.Deadline == "":
		return views.T("")
	case c.Overdue(today):
		return views.S(fmt.Sprintf(q.c.T("overdue.days"), daysBetween(c.Plan.Deadline, today)), q.c.Styles.Overdue)
	case c.Status.Open() && c.Plan.Deadline == today:
		return views.S(q.c.T("due.today"), q.c.Styles.Warn)
	}
	return views.T(shortDate(c.Plan.Deadline))
}

func (q *queue) table() views.Table {
	t := views.Table{Columns: []views.Column{
		{Title: q.c.T("q.id"), Width: 8},
		{Title: q.c.T("q.tier"), Width: 4},
		{Title: q.c.T("q.tag"), Width: 3},
		{Title: q.c.T("q.grid"), Width: 8, HideBelow: 72},
		{Title: q.c.T("q.desc")},
		{Title: q.c.T("q.owner"), Width: 6, HideBelow: 64},
		{Title: q.c.T("q.deadline"), Width: 8},
		{Title: q.c.T("q.status"), Width: 8},
	}}
	for _, c := range q.rows {
		desc := c.Description
		mark := ""
		if c.Supervisor != "" {
			desc = "[" + q.c.T("supervised") + "] " + desc
			mark = "!"
		}
		t.Rows = append(t.Rows, views.Row{Mark: mark, Cells: []views.Cell{
			views.T(c.ID),
			views.T(q.c.T("tier." + string(c.Tier))),
			q.tagCell(c.Tag),
			views.T(q.grids[c.Grid]),
			views.T(desc),
			views.T(c.Plan.Owner),
			q.dueCell(c),
			views.T(q.c.T("st." + string(c.Status))),
		}})
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
	case q.detail != nil:
		return q.detailView()
	}
	lines := []string{q.counts(), st.HRule(q.w)}
	if len(q.rows) == 0 {
		return strings.Join(append(lines, " "+q.c.T("empty")), "\n")
	}
	t := q.table()
	lines = append(lines, t.Header(st, q.w))
	from, to := q.cur.Window(q.listHeight())
	lines = append(lines, t.Lines(st, q.w, from, to, q.cur.Pos)...)
	for len(lines) < q.h-1 {
		lines = append(lines, "")
	}
	lines = append(lines, st.HRule(q.w))
	return strings.Join(lines, "\n")
}

// detailView shows one concern: what, where, the plan and the whole history.
func (q *queue) detailView() string {
	st, d := q.c.Styles, q.detail
	c := d.c
	var lines []string
	add := func(label, value string) {
		if value == "" {
			return
		}
		lines = append(lines, " "+st.Heading.Render(views.Fit(label, 8))+" "+views.Cut(value, max(q.w-10, 1)))
	}
	title := fmt.Sprintf("%s  %s · %s · %s", c.ID, q.c.T("tier."+string(c.Tier)), q.c.T("tagname."+string(c.Tag)), q.c.T("st."+string(c.Status)))
	lines = append(lines, " "+st.Title.Render(title), st.HRule(q.w))
	if d.hh.ID != "" {
		add(q.c.T("d.household"), fmt.Sprintf("%s %s · %s", q.grids[c.Grid], d.hh.Address, d.hh.Head().Name))
	}
	add(q.c.T("d.category"), c.Category)
	for _, l := range strings.Split(c.Description, "\n") {
		add(q.c.T("q.desc"), l)
	}
	add(q.c.T("d.solution"), c.Plan.Solution)
	add(q.c.T("q.owner"), c.Plan.Owner)
	add(q.c.T("q.deadline"), c.Plan.Deadline)
	add(q.c.T("d.resolution"), c.Resolution)
	add(q.c.T("supervised"), c.Supervisor)
	add(q.c.T("d.created"), c.CreatedAt.Format("2006-01-02 15:04")+" "+c.CreatedBy)
	lines = append(lines, " "+st.Heading.Render(q.c.T("d.history")))
	for _, mv := range c.Moves {
		s := fmt.Sprintf("  %s %s %s", mv.At.Format("01-02 15:04"), mv.By, q.c.T("mv."+mv.Action))
		if mv.From != "" || mv.To != "" {
			s += " " + q.c.value(mv.From) + "→" + q.c.value(mv.To)
		}
		if mv.Reason != "" {
			s += " " + mv.Reason
		}
		lines = append(lines, views.Cut(s, q.w))
	}
	if len(lines) > q.h {
		lines = lines[:q.h]
	}
	return strings.Join(lines, "\n")
}

func (q *queue) ShortHelp() []key.Binding {
	k := q.c.Keys
	if q.detail != nil {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.TagRed, k.TagYellow, k.TagGreen, k.Open}
}

func (q *queue) FullHelp() [][]key.Binding {
	k := q.c.Keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.TagRed, k.TagYellow, k.TagGreen, k.Open, k.Back},
	}
}
