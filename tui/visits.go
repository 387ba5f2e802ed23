package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/store"
	"sanbai/views"
)

// visits is the 2 走访 pane. In this version it lists the visits logged so far, newest first,
// and opens one to show what its registration form recorded.
type visits struct {
	c      *Common
	w, h   int
	loaded bool
	err    error
	rows   []visitRow
	cur    views.Cursor
	open   bool
}

// visitRow is a visit with the names the list shows.
type visitRow struct {
	v         store.Visit
	group     string
	grid      string
	address   string
	head      string
	people    int
	residents map[string]string // resident ID → name
	members   map[string]string // member ID → name
}

type visitsLoaded struct {
	rows []visitRow
	err  error
}

func newVisits(c *Common) *visits { return &visits{c: c} }

func (v *visits) Init() tea.Cmd { return v.load() }

func (v *visits) load() tea.Cmd {
	c := v.c
	return func() tea.Msg {
		rows, err := loadVisits(c.Store, c.Actor)
		return visitsLoaded{rows: rows, err: err}
	}
}

func loadVisits(st *store.Store, a store.Actor) ([]visitRow, error) {
	vs, err := st.Visits(a)
	if err != nil {
		return nil, err
	}
	hhs, err := st.Households(a)
	if err != nil {
		return nil, err
	}
	hh := map[string]store.Household{}
	for _, h := range hhs {
		hh[h.ID] = h
	}
	groups, err := st.Groups(a)
	if err != nil {
		return nil, err
	}
	gname := map[string]string{}
	for _, g := range groups {
		gname[g.ID] = g.Name
	}
	grids, err := st.Grids(a)
	if err != nil {
		return nil, err
	}
	grid := map[string]string{}
	for _, g := range grids {
		grid[g.Code] = g.Name
	}
	members, err := st.Members(a)
	if err != nil {
		return nil, err
	}
	mem := map[string]string{}
	for _, m := range members {
		mem[m.ID] = m.Name
	}
	rows := make([]visitRow, 0, len(vs))
	for _, x := range vs {
		h := hh[x.Household]
		res := map[string]string{}
		for _, r := range h.Residents {
			res[r.ID] = r.Name
		}
		rows = append(rows, visitRow{v: x, group: gname[x.Group], grid: grid[x.Grid], address: h.Address,
			head: h.Head().Name, people: len(h.Residents), residents: res, members: mem})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].v.Date != rows[j].v.Date {
			return rows[i].v.Date > rows[j].v.Date
		}
		return rows[i].v.ID > rows[j].v.ID
	})
	return rows, nil
}

func (v *visits) SetSize(w, h int) { v.w, v.h = w, h }

func (v *visits) Capturing() bool { return false }

func (v *visits) listHeight() int { return max(v.h-3, 1) }

func (v *visits) Update(msg tea.Msg) tea.Cmd {
	k := v.c.Keys
	switch msg := msg.(type) {
	case visitsLoaded:
		v.loaded, v.err = true, msg.err
		if msg.err == nil {
			v.rows = msg.rows
			v.cur.SetLen(len(v.rows))
		}
	case ChangedMsg:
		if msg.touches("visit", "household", "group") {
			return v.load()
		}
	case tea.KeyPressMsg:
		if v.open {
			if key.Matches(msg, k.Back, k.Open) {
				v.open = false
			}
			return nil
		}
		switch {
		case key.Matches(msg, k.Up):
			v.cur.Move(-1, v.listHeight())
		case key.Matches(msg, k.Down):
			v.cur.Move(1, v.listHeight())
		case key.Matches(msg, k.PageUp):
			v.cur.Move(-v.listHeight(), v.listHeight())
		case key.Matches(msg, k.PageDown):
			v.cur.Move(v.listHeight(), v.listHeight())
		case key.Matches(msg, k.Top):
			v.cur.Move(-v.cur.N, v.listHeight())
		case key.Matches(msg, k.Bottom):
			v.cur.Move(v.cur.N, v.listHeight())
		case key.Matches(msg, k.Open):
			v.open = len(v.rows) > 0
		}
	}
	return nil
}

// summary counts visits in all, today and in the last seven days.
func (v *visits) summary() string {
	today := v.c.Today()
	t, _ := time.Parse(time.DateOnly, today)
	weekStart := t.AddDate(0, 0, -6).Format(time.DateOnly)
	nToday, nWeek := 0, 0
	for _, r := range v.rows {
		if r.v.Date == today {
			nToday++
		}
		if r.v.Date >= weekStart {
			nWeek++
		}
	}
	return " " + fmt.Sprintf(v.c.T("v.count"), len(v.rows), nToday, nWeek)
}

func (v *visits) View() string {
	st := v.c.Styles
	switch {
	case !v.loaded:
		return " " + v.c.T("loading")
	case v.err != nil:
		return " " + st.Error.Render(v.c.errText(v.err))
	case v.open:
		return v.detailView()
	}
	lines := []string{v.summary(), st.HRule(v.w)}
	if len(v.rows) == 0 {
		return strings.Join(append(lines, " "+v.c.T("empty")), "\n")
	}
	t := views.Table{Columns: []views.Column{
		{Title: v.c.T("v.date"), Width: 5},
		{Title: v.c.T("v.group"), Width: 6, HideBelow: 64},
		{Title: v.c.T("v.grid"), Width: 8},
		{Title: v.c.T("v.household")},
		{Title: v.c.T("v.present"), Width: 5, Right: true},
		{Title: v.c.T("v.concerns"), Width: 4, Right: true},
	}}
	for _, r := range v.rows {
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{
			views.T(shortDate(r.v.Date)), views.T(r.group), views.T(r.grid),
			views.T(r.address + "  " + r.head),
			views.T(fmt.Sprintf("%d/%d", len(r.v.Present), r.people)),
			views.T(countOrBlank(len(r.v.Concerns))),
		}})
	}
	lines = append(lines, t.Header(st, v.w))
	from, to := v.cur.Window(v.listHeight())
	lines = append(lines, t.Lines(st, v.w, from, to, v.cur.Pos)...)
	return strings.Join(lines, "\n")
}

func countOrBlank(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// detailView shows the registration form of the selected visit.
func (v *visits) detailView() string {
	st := v.c.Styles
	r := v.rows[v.cur.Pos]
	var lines []string
	add := func(label, value string) {
		lines = append(lines, " "+st.Heading.Render(views.Fit(label, 8))+" "+views.Cut(value, max(v.w-10, 1)))
	}
	lines = append(lines, " "+st.Title.Render(fmt.Sprintf("%s  %s %s  %s", r.v.ID, r.grid, r.address, r.head)), st.HRule(v.w))
	add(v.c.T("v.date"), r.v.Date+"  "+r.group)
	var names []string
	for _, id := range r.v.Members {
		names = append(names, r.members[id])
	}
	add(v.c.T("v.members"), strings.Join(names, " "))
	names = names[:0]
	for _, id := range r.v.Present {
		names = append(names, r.residents[id])
	}
	add(v.c.T("v.present"), strings.Join(names, " "))
	names = names[:0]
	for _, id := range sortedIDs(r.v.Away) {
		names = append(names, r.residents[id]+"("+r.v.Away[id]+")")
	}
	if len(names) > 0 {
		add(v.c.T("v.away"), strings.Join(names, " "))
	}
	add(v.c.T("v.topics"), strings.Join(r.v.Topics, " "))
	for _, f := range r.v.Findings {
		label := v.c.T("f." + f.Kind)
		text := f.Text
		if f.Category != "" {
			text = f.Category + "  " + text
		}
		add(label, text)
	}
	if len(r.v.Concerns) > 0 {
		add(v.c.T("v.concerns"), strings.Join(r.v.Concerns, " "))
	}
	if r.v.Notes != "" {
		add(v.c.T("v.notes"), r.v.Notes)
	}
	if len(lines) > v.h {
		lines = lines[:v.h]
	}
	return strings.Join(lines, "\n")
}

func sortedIDs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (v *visits) ShortHelp() []key.Binding {
	k := v.c.Keys
	if v.open {
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Open}
}

func (v *visits) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Back}}
}
