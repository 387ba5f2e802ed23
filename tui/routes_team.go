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

// teamSheet is the visit team (走访小队) of each village in view: its captain (队长, the village
// party secretary) and guiding officers (指导员), who supervise and join the visits. c names
// the captain and a adds a guiding officer, each picked among the village's cadres; d takes
// the officer under the cursor off the team (the visits they joined keep them).
type teamSheet struct {
	sheetBase
	cur  views.Cursor
	rows []teamRow
}

// teamRow is one line of the sheet: a village's captain, one of its officers, or the place
// for a first officer.
type teamRow struct {
	village string
	officer bool
	cadre   string // "" when nobody is named
}

// loaded lists the teams of the pane's new data.
func (s *teamSheet) loaded() {
	r := s.r
	var vs []string
	for v := range r.d.villages {
		vs = append(vs, v)
	}
	sort.Strings(vs)
	s.rows = s.rows[:0]
	for _, v := range vs {
		t := r.d.teams[v]
		s.rows = append(s.rows, teamRow{village: v, cadre: t.Captain})
		for _, id := range t.Officers {
			s.rows = append(s.rows, teamRow{village: v, officer: true, cadre: id})
		}
		if len(t.Officers) == 0 {
			s.rows = append(s.rows, teamRow{village: v, officer: true})
		}
	}
	s.cur.SetLen(len(s.rows))
	s.cur.Move(0, s.listHeight())
}

// rule is who the team is, wrapped to the width.
func (s *teamSheet) rule() []string { return views.Wrap(" "+s.r.c.T("tm.rule"), s.w) }

// listHeight is the rows under the title, the rule, a line and the header.
func (s *teamSheet) listHeight() int { return max(s.h-3-len(s.rule()), 1) }

func (s *teamSheet) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	r, k := s.r, s.r.c.Keys
	if moveKeys(k, km, &s.cur, s.listHeight()) {
		return nil
	}
	if key.Matches(km, k.Back) {
		r.fs.close(s)
		return nil
	}
	if s.cur.Pos >= len(s.rows) {
		return nil
	}
	row := s.rows[s.cur.Pos]
	switch {
	case key.Matches(km, k.Captain):
		if r.canBuild(row.village) {
			s.pick(row.village, "tm.ask.captain", func(c *Common, id string) (store.Team, error) {
				return c.Store.SetTeamCaptain(c.Ctx, c.Actor, row.village, id)
			}, "tm.captain.set")
		}
	case key.Matches(km, k.Officer):
		if r.canBuild(row.village) {
			s.pick(row.village, "tm.ask.officer", func(c *Common, id string) (store.Team, error) {
				return c.Store.AddTeamOfficer(c.Ctx, c.Actor, row.village, id)
			}, "tm.officer.added")
		}
	case key.Matches(km, k.Remove):
		if !row.officer || row.cadre == "" {
			r.fs.say(r.c.T("tm.pick.officer"), true)
			return nil
		}
		if !r.canBuild(row.village) {
			return nil
		}
		c, name, village := r.c, r.d.cadreOf[row.cadre].Name, r.d.villages[row.village].Name
		r.fs.push(paneRoutes, confirm(c, r.fs, fmt.Sprintf(c.T("tm.confirm.remove"), name, village), func() tea.Cmd {
			return func() tea.Msg {
				if _, err := c.Store.RemoveTeamOfficer(c.Ctx, c.Actor, row.village, row.cadre); err != nil {
					return statusMsg{text: c.errText(err), err: true}
				}
				return statusMsg{text: fmt.Sprintf(c.T("tm.officer.removed"), name, village)}
			}
		}))
	}
	return nil
}

// pick opens a picker over the village's cadres (by name, post or pinyin); the one chosen is
// written by do, and the footer says so.
func (s *teamSheet) pick(village, label string, do func(*Common, string) (store.Team, error), done string) {
	r := s.r
	var opts []option
	for _, c := range r.d.cadres[village] {
		l := c.Name + "  " + c.Post
		if c.Grid != "" {
			l += " (" + r.d.grids[c.Grid].Name + ")"
		}
		opts = append(opts, option{label: l, value: c.ID, key: searchKey(c.Name, c.Post)})
	}
	vname := r.d.villages[village].Name
	r.fs.push(paneRoutes, askFor(r.c, r.fs, fmt.Sprintf(r.c.T(label), vname), "", fixed(opts), func(id string) (tea.Cmd, string) {
		c, name := r.c, r.d.cadreOf[id].Name
		return func() tea.Msg {
			if _, err := do(c, id); err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T(done), name, vname)}
		}, ""
	}))
}

func (s *teamSheet) View() string {
	r := s.r
	st := r.c.Styles
	lines := []string{" " + st.Title.Render(r.c.T("tm.sheet"))}
	for _, l := range s.rule() {
		lines = append(lines, st.Muted.Render(l))
	}
	lines = append(lines, st.HRule(s.w))
	cols := []views.Column{{Title: r.c.T("tm.role"), Width: 8}, {Title: r.c.T("tm.name"), Width: 10},
		{Title: r.c.T("tm.post")}, {Title: r.c.T("rt.phone"), Width: 11}}
	if r.d.multiVillage {
		cols = append([]views.Column{{Title: r.c.T("r.village"), Width: 8}}, cols...)
	}
	t := views.Table{Columns: cols}
	for _, row := range s.rows {
		role := r.c.T("tm.captain")
		if row.officer {
			role = r.c.T("tm.officers")
		}
		name, post, phone := views.S(r.c.T("tm.none"), st.Warn), "", ""
		if c, ok := r.d.cadreOf[row.cadre]; ok {
			name, post, phone = views.T(c.Name), c.Post, store.MaskPhone(c.Phone)
			if c.Grid != "" {
				post += " (" + r.d.grids[c.Grid].Name + ")"
			}
		}
		cells := []views.Cell{views.T(role), name, views.T(post), views.T(phone)}
		if r.d.multiVillage {
			cells = append([]views.Cell{views.T(strings.TrimSuffix(r.d.villages[row.village].Name, "新村"))}, cells...)
		}
		t.Rows = append(t.Rows, views.Row{Cells: cells})
	}
	lines = append(lines, t.Header(st, s.w))
	from, to := s.cur.Window(s.listHeight())
	return s.draw(append(lines, t.Lines(st, s.w, from, to, s.cur.Pos)...))
}

func (s *teamSheet) ShortHelp() []key.Binding {
	k := s.r.c.Keys
	remove := key.NewBinding(key.WithKeys(k.Remove.Keys()...), key.WithHelp(k.Remove.Help().Key, s.r.c.T("tm.remove")))
	return []key.Binding{k.Up, k.Down, k.Captain, k.Officer, remove, k.Back}
}

func (s *teamSheet) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
