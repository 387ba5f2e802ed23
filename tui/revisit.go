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

// revisit is the 4 回头看 pane: per village (or per grid, for village users) how many resolved
// concerns are due a revisit, how many were revisited and how satisfied people were, and the
// concerns still waiting for a revisit in the selected unit.
type revisit struct {
	c      *Common
	w, h   int
	loaded bool
	err    error
	units  []revisitUnit
	cur    views.Cursor
}

// revisitUnit is one row: a village or a grid, with its counts and pending concerns.
type revisitUnit struct {
	name                         string
	due, done                    int
	satisfied, fair, unsatisfied int
	supervised, notices          int
	pending                      []store.Concern
}

type revisitLoaded struct {
	units []revisitUnit
	err   error
}

func newRevisit(c *Common) *revisit { return &revisit{c: c} }

func (r *revisit) Init() tea.Cmd { return r.load() }

func (r *revisit) load() tea.Cmd {
	c := r.c
	return func() tea.Msg {
		u, err := loadRevisit(c.Store, c.Actor)
		return revisitLoaded{units: u, err: err}
	}
}

// loadRevisit groups concerns by village for township users and by grid for the others. A
// concern is due a revisit once resolved; it counts as revisited with its latest answer.
func loadRevisit(st *store.Store, a store.Actor) ([]revisitUnit, error) {
	cs, err := st.Concerns(a)
	if err != nil {
		return nil, err
	}
	rs, err := st.Revisits(a)
	if err != nil {
		return nil, err
	}
	latest := map[string]store.Revisit{}
	for _, rv := range rs {
		if old, ok := latest[rv.Concern]; !ok || rv.At.After(old.At) {
			latest[rv.Concern] = rv
		}
	}
	names := map[string]string{}
	byVillage := a.Role == store.RoleTownship || a.Role == store.RoleInspector
	if byVillage {
		vs, err := st.Villages(a)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			names[v.Code] = v.Name
		}
	} else {
		gs, err := st.Grids(a)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			if a.CanSee(g.Village, g.Code) {
				names[g.Code] = g.Name
			}
		}
	}
	units := map[string]*revisitUnit{}
	for code, n := range names {
		units[code] = &revisitUnit{name: n}
	}
	for _, c := range cs {
		code := c.Grid
		if byVillage {
			code = c.Village
		}
		u := units[code]
		if u == nil {
			continue
		}
		if c.Supervisor != "" && c.Status != store.StatusClosed {
			u.supervised++
		}
		rv, revisited := latest[c.ID]
		// A concern is due a revisit once resolved; one reopened after a revisit still
		// counts with that revisit's answer.
		if c.ResolvedAt.IsZero() && !revisited {
			continue
		}
		u.due++
		if c.Status == store.StatusResolved && (!revisited || rv.At.Before(c.ResolvedAt)) {
			u.pending = append(u.pending, c)
		}
		if !revisited {
			continue
		}
		u.done++
		switch rv.Satisfaction {
		case store.SatVeryGood, store.SatGood:
			u.satisfied++
		case store.SatFair:
			u.fair++
		default:
			u.unsatisfied++
		}
		if !rv.Satisfied() {
			u.notices++
		}
	}
	out := make([]revisitUnit, 0, len(units))
	codes := make([]string, 0, len(units))
	for code := range units {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		u := units[code]
		sort.Slice(u.pending, func(i, j int) bool { return u.pending[i].ResolvedAt.Before(u.pending[j].ResolvedAt) })
		out = append(out, *u)
	}
	return out, nil
}

func (r *revisit) SetSize(w, h int) { r.w, r.h = w, h }

func (r *revisit) Capturing() bool { return false }

func (r *revisit) Update(msg tea.Msg) tea.Cmd {
	k := r.c.Keys
	switch msg := msg.(type) {
	case revisitLoaded:
		r.loaded, r.err = true, msg.err
		if msg.err == nil {
			r.units = msg.units
			r.cur.SetLen(len(r.units))
		}
	case ChangedMsg:
		if msg.touches("concern", "revisit") {
			return r.load()
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			r.cur.Move(-1, len(r.units))
		case key.Matches(msg, k.Down):
			r.cur.Move(1, len(r.units))
		}
	}
	return nil
}

func (r *revisit) View() string {
	st := r.c.Styles
	switch {
	case !r.loaded:
		return " " + r.c.T("loading")
	case r.err != nil:
		return " " + st.Error.Render(r.c.errText(r.err))
	}
	var tot revisitUnit
	for _, u := range r.units {
		tot.due += u.due
		tot.done += u.done
		tot.satisfied += u.satisfied
		tot.fair += u.fair
		tot.notices += u.notices
		tot.supervised += u.supervised
	}
	head := " " + fmt.Sprintf(r.c.T("rv.rates"), views.Pct(tot.done, tot.due), views.Pct(tot.satisfied+tot.fair, tot.done)) +
		"    " + st.Warn.Render(fmt.Sprintf(r.c.T("rv.notices"), tot.notices, tot.supervised))
	lines := []string{head, st.HRule(r.w)}
	t := views.Table{Columns: []views.Column{
		{Title: r.c.T("rv.unit")},
		{Title: r.c.T("rv.due"), Width: 6, Right: true},
		{Title: r.c.T("rv.done"), Width: 6, Right: true},
		{Title: r.c.T("rv.pending"), Width: 6, Right: true},
		{Title: r.c.T("rv.satisfied"), Width: 6, Right: true},
		{Title: r.c.T("rv.fair"), Width: 8, Right: true, HideBelow: 64},
		{Title: r.c.T("rv.unsatisfied"), Width: 6, Right: true},
		{Title: r.c.T("rv.supervised"), Width: 6, Right: true, HideBelow: 56},
	}}
	for _, u := range r.units {
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{
			views.T(u.name), views.T(fmt.Sprint(u.due)), views.T(fmt.Sprint(u.done)),
			views.T(fmt.Sprint(len(u.pending))), views.T(fmt.Sprint(u.satisfied)), views.T(fmt.Sprint(u.fair)),
			views.T(fmt.Sprint(u.unsatisfied)), views.T(fmt.Sprint(u.supervised)),
		}})
	}
	lines = append(lines, t.Header(st, r.w))
	lines = append(lines, t.Lines(st, r.w, 0, len(t.Rows), r.cur.Pos)...)
	if r.cur.Pos < len(r.units) {
		u := r.units[r.cur.Pos]
		lines = append(lines, st.HRule(r.w), " "+st.Heading.Render(r.c.T("rv.list")+" · "+u.name))
		for _, c := range u.pending {
			if len(lines) >= r.h {
				break
			}
			s := fmt.Sprintf("  %s  %s  %s", c.ID, fmt.Sprintf(r.c.T("rv.resolvedon"), c.ResolvedAt.Format("01-02")), c.Description)
			lines = append(lines, views.Cut(s, r.w))
		}
	}
	if len(lines) > r.h {
		lines = lines[:r.h]
	}
	return strings.Join(lines, "\n")
}

func (r *revisit) ShortHelp() []key.Binding {
	k := r.c.Keys
	return []key.Binding{k.Up, k.Down}
}

func (r *revisit) FullHelp() [][]key.Binding {
	k := r.c.Keys
	return [][]key.Binding{{k.Up, k.Down}}
}
