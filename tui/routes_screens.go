package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/store"
	"sanbai/views"
)

// The routes pane's screens over its list of groups: a group's route, the households and
// people not yet reached, coverage by grid, and suggested groups. Each is a sheet on the focus
// stack with its own cursor; esc closes it.

// sheetBase is what the routes sheets share: the pane and their size.
type sheetBase struct {
	sized
	r *routes
}

func (s *sheetBase) FullHelp() [][]key.Binding { return s.r.FullHelp() }

// draw fits a sheet's lines into its height.
func (s *sheetBase) draw(lines []string) string {
	if len(lines) > s.h {
		lines = lines[:s.h]
	}
	return strings.Join(lines, "\n")
}

// routeSheet is a group's route in visiting order: n visits the household under the cursor,
// K/J reorder, p plans the days.
type routeSheet struct {
	sheetBase
	id  string // the group
	cur views.Cursor
}

// group is the sheet's group as last loaded.
func (s *routeSheet) group() (*groupRow, bool) {
	for i := range s.r.d.groups {
		if s.r.d.groups[i].g.ID == s.id {
			return &s.r.d.groups[i], true
		}
	}
	return &groupRow{}, false
}

// loaded brings the sheet up to the pane's new data: a group gone closes it.
func (s *routeSheet) loaded() {
	g, ok := s.group()
	if !ok {
		s.r.fs.close(s)
		return
	}
	s.cur.SetLen(len(g.stops))
}

func (s *routeSheet) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	r, k := s.r, s.r.c.Keys
	if moveKeys(k, km, &s.cur, max(s.h-4, 1)) {
		return nil
	}
	g, ok := s.group()
	if !ok {
		return nil
	}
	switch {
	case key.Matches(km, k.Back):
		r.fs.close(s)
	case key.Matches(km, k.NextHousehold):
		if s.cur.Pos < len(g.stops) {
			return openVisit(g.stops[s.cur.Pos].hh.ID, g.g.ID)
		}
	case key.Matches(km, k.MoveUp):
		return s.reorder(g, -1)
	case key.Matches(km, k.MoveDown):
		return s.reorder(g, 1)
	case key.Matches(km, k.PlanDays):
		init := fmt.Sprintf("15 %s 2", r.d.today)
		if len(g.route.Days) > 0 {
			per := len(g.route.Households)
			if len(g.route.Days) > 1 {
				per = g.route.Days[1].Start
			}
			init = fmt.Sprintf("%d %s 2", per, g.route.Days[0].Date)
		}
		r.fs.push(paneRoutes, askFor(r.c, r.fs, r.c.T("rt.ask.days"), init, nil, s.planDays))
	}
	return nil
}

// planDays cuts the route into days from the prompt's "per-day start every".
func (s *routeSheet) planDays(val string) (tea.Cmd, string) {
	c := s.r.c
	var per, every int
	var start string
	if n, _ := fmt.Sscanf(val, "%d %s %d", &per, &start, &every); n < 2 {
		return nil, c.T("rt.bad.days")
	}
	t, err := time.Parse(time.DateOnly, start)
	if err != nil || per < 1 {
		return nil, c.T("rt.bad.days")
	}
	g, ok := s.group()
	if !ok {
		return nil, ""
	}
	rt := store.CutDays(g.route, per, t, every)
	return func() tea.Msg {
		if err := c.Store.SaveRoute(c.Ctx, c.Actor, rt); err != nil {
			return statusMsg{text: c.errText(err), err: true}
		}
		return statusMsg{text: fmt.Sprintf(c.T("rt.days.set"), len(rt.Days))}
	}, ""
}

// reorder moves the household under the cursor one place along the route.
func (s *routeSheet) reorder(g *groupRow, dir int) tea.Cmd {
	r := s.r
	if !r.canBuild(g.g.Village) {
		return nil
	}
	i, j := s.cur.Pos, s.cur.Pos+dir
	if j < 0 || j >= len(g.stops) || len(g.stops) != len(g.route.Households) {
		return nil
	}
	g.stops[i], g.stops[j] = g.stops[j], g.stops[i]
	rt := g.route
	rt.Households = append([]string(nil), rt.Households...)
	rt.Households[i], rt.Households[j] = rt.Households[j], rt.Households[i]
	g.route = rt
	s.cur.Move(dir, max(s.h-4, 1))
	c := r.c
	return func() tea.Msg {
		if err := c.Store.SaveRoute(c.Ctx, c.Actor, rt); err != nil {
			return statusMsg{text: c.errText(err), err: true}
		}
		return nil
	}
}

func (s *routeSheet) View() string { return s.draw(s.view()) }

func (s *routeSheet) ShortHelp() []key.Binding {
	k := s.r.c.Keys
	return []key.Binding{k.Up, k.Down, k.NextHousehold, k.MoveUp, k.MoveDown, k.PlanDays, k.Back}
}

// missedSheet lists the households not visited and people not reached: r records a person
// reached another way, v shows one phone in full (audited) until the list is closed.
type missedSheet struct {
	sheetBase
	cur views.Cursor
	// revealed holds the phones shown in full (resident ID → phone) while the list is open;
	// closing it masks them again, so a shared screen does not keep them.
	revealed map[string]string
}

func (s *missedSheet) takes(msg tea.Msg) bool { _, ok := msg.(phoneRevealed); return ok }

func (s *missedSheet) loaded() { s.cur.SetLen(len(s.r.d.missed)) }

func (s *missedSheet) Update(msg tea.Msg) tea.Cmd {
	r := s.r
	switch msg := msg.(type) {
	case phoneRevealed:
		if msg.err != nil {
			r.fs.say(r.c.errText(msg.err), true)
			return nil
		}
		s.revealed[msg.resident] = msg.phone
		return nil
	case tea.KeyPressMsg:
		k := r.c.Keys
		if moveKeys(k, msg, &s.cur, max(s.h-4, 1)) {
			return nil
		}
		switch {
		case key.Matches(msg, k.Back):
			r.fs.close(s)
		case key.Matches(msg, k.Reached) && s.cur.Pos < len(r.d.missed):
			m := r.d.missed[s.cur.Pos]
			if m.resident == nil {
				r.fs.say(r.c.T("rt.reach.household"), true)
				return nil
			}
			r.fs.push(paneRoutes, askFor(r.c, r.fs, fmt.Sprintf(r.c.T("rt.ask.reach"), m.resident.Name), "", nil, func(val string) (tea.Cmd, string) {
				c := r.c
				how, note, _ := strings.Cut(val, " ")
				return func() tea.Msg {
					if _, err := c.Store.RecordReach(c.Ctx, c.Actor, m.hh.Village, m.hh.ID, m.resident.ID, how, note); err != nil {
						return statusMsg{text: c.errText(err), err: true}
					}
					return statusMsg{text: fmt.Sprintf(c.T("rt.reached"), m.resident.Name)}
				}, ""
			}))
		case key.Matches(msg, k.Reveal) && s.cur.Pos < len(r.d.missed):
			return s.reveal(r.d.missed[s.cur.Pos])
		}
	}
	return nil
}

// reveal asks the store for the row's contact's full phone: allowed to the roles that call
// residents, and recorded in the audit trail.
func (s *missedSheet) reveal(m missedRow) tea.Cmd {
	c := s.r.c
	if !c.Actor.CanReveal() {
		s.r.fs.say(c.T("rt.noreveal"), true)
		return nil
	}
	p := m.contact()
	if p.Phone == "" {
		s.r.fs.say(fmt.Sprintf(c.T("rt.nophone"), p.Name), true)
		return nil
	}
	return func() tea.Msg {
		phone, err := c.Store.Reveal(c.Ctx, c.Actor, m.hh.Village, m.hh.ID, p.ID, store.FieldPhone)
		return phoneRevealed{resident: p.ID, phone: phone, err: err}
	}
}

func (s *missedSheet) View() string { return s.draw(s.view()) }

func (s *missedSheet) ShortHelp() []key.Binding {
	k := s.r.c.Keys
	if s.r.c.Actor.CanReveal() {
		return []key.Binding{k.Up, k.Down, k.Reached, k.Reveal, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Reached, k.Back}
}

// coverageSheet shows coverage per village and grid.
type coverageSheet struct {
	sheetBase
	cur views.Cursor
}

func (s *coverageSheet) loaded() { s.cur.SetLen(len(s.r.d.coverage)) }

func (s *coverageSheet) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := s.r.c.Keys
	if moveKeys(k, km, &s.cur, max(s.h-4, 1)) {
		return nil
	}
	if key.Matches(km, k.Back) {
		s.r.fs.close(s)
	}
	return nil
}

func (s *coverageSheet) View() string { return s.draw(s.view()) }

func (s *coverageSheet) ShortHelp() []key.Binding {
	k := s.r.c.Keys
	return []key.Binding{k.Up, k.Down, k.Back}
}

// suggestSheet shows groups suggested for a village: enter asks, then replaces the village's
// groups with them.
type suggestSheet struct {
	sheetBase
	village string
	groups  []store.Group
	cur     views.Cursor
}

func (s *suggestSheet) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	r, k := s.r, s.r.c.Keys
	if moveKeys(k, km, &s.cur, max(s.h-4, 1)) {
		return nil
	}
	switch {
	case key.Matches(km, k.Back):
		r.fs.close(s)
	case key.Matches(km, k.Open):
		groups, v, c := s.groups, s.village, r.c
		q := confirm(c, r.fs, fmt.Sprintf(c.T("rt.confirm.suggest"), len(groups), r.d.villages[v].Name), func() tea.Cmd {
			r.fs.close(s)
			return func() tea.Msg {
				gs, err := c.Store.ReplaceGroups(c.Ctx, c.Actor, v, groups)
				if err != nil {
					return statusMsg{text: c.errText(err), err: true}
				}
				return statusMsg{text: fmt.Sprintf(c.T("rt.suggest.done"), len(gs))}
			}
		})
		q.enterYes = true
		r.fs.push(paneRoutes, q)
	}
	return nil
}

func (s *suggestSheet) View() string { return s.draw(s.view()) }

func (s *suggestSheet) ShortHelp() []key.Binding {
	k := s.r.c.Keys
	return []key.Binding{k.Open, k.Back}
}

// routeView lists the open group's households in visiting order, marking the visited ones and
// each planned day with its progress.
func (s *routeSheet) view() []string {
	r := s.r
	st := r.c.Styles
	g, _ := s.group()
	head := fmt.Sprintf(" %s · %s  %s %d/%d  %s %d", g.g.Name, r.c.T("r.route"), r.c.T("r.visited"), g.visited, len(g.stops),
		r.c.T("rt.remaining"), len(g.stops)-g.visited)
	lines := []string{st.Title.Render(head), st.HRule(s.w)}
	dayAt := map[int]int{}
	for i, d := range g.route.Days {
		dayAt[d.Start] = i
	}
	dayDone := func(n int) (int, int) {
		start := g.route.Days[n].Start
		end := len(g.stops)
		if n+1 < len(g.route.Days) {
			end = g.route.Days[n+1].Start
		}
		done := 0
		for i := start; i < end && i < len(g.stops); i++ {
			if g.stops[i].visited {
				done++
			}
		}
		return done, end - start
	}
	t := views.Table{Columns: []views.Column{{Width: 16}, {Width: 1}, {}, {Width: 10}, {Width: 4, Right: true}}}
	for i, s := range g.stops {
		day := ""
		if n, ok := dayAt[i]; ok {
			done, all := dayDone(n)
			day = fmt.Sprintf(r.c.T("r.day"), n+1, shortDate(g.route.Days[n].Date)) + fmt.Sprintf(" %d/%d", done, all)
		}
		mark := "·"
		if s.visited {
			mark = "✓"
			if st.ASCII {
				mark = "v"
			}
		}
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{
			views.S(day, st.Muted), views.T(mark), views.T(s.hh.Address), views.T(s.hh.Head().Name),
			views.T(fmt.Sprintf("%d%s", len(s.hh.Residents), r.c.T("r.people"))),
		}})
	}
	from, to := s.cur.Window(max(s.h-4, 1))
	return append(lines, t.Lines(st, s.w, from, to, s.cur.Pos)...)
}

// missedView lists households not visited and people not reached, by grid and address, with
// how long their group has left.
func (s *missedSheet) view() []string {
	r := s.r
	st := r.c.Styles
	nhh, npeople := 0, 0
	for _, m := range r.d.missed {
		if m.resident == nil {
			nhh++
		} else {
			npeople++
		}
	}
	lines := []string{" " + st.Title.Render(fmt.Sprintf(r.c.T("rt.missed.title"), nhh, npeople)), st.HRule(s.w)}
	t := views.Table{Columns: []views.Column{{Title: r.c.T("q.grid"), Width: 8}, {Title: r.c.T("v.household")},
		{Title: r.c.T("rt.who"), Width: 18}, {Title: r.c.T("rt.phone"), Width: 11, HideBelow: 70},
		{Title: r.c.T("r.group"), Width: 6, HideBelow: 60}, {Title: r.c.T("rt.left"), Width: 6, Right: true}}}
	// Only the rows on screen are built: the list can hold every household of a county.
	from, to := s.cur.Window(max(s.h-4, 1))
	to = min(to, len(r.d.missed))
	from = min(from, to)
	for _, m := range r.d.missed[from:to] {
		who := fmt.Sprintf(r.c.T("rt.wholehh"), len(m.hh.Residents))
		if m.resident != nil {
			who = m.resident.Name
			if m.reason != "" {
				who += "(" + m.reason + ")"
			}
		}
		left := views.T("—")
		if m.hasPlan {
			if m.daysLeft < 0 {
				left = views.S(fmt.Sprintf(r.c.T("overdue.days"), -m.daysLeft), st.Overdue)
			} else {
				left = views.T(fmt.Sprintf(r.c.T("rt.days"), m.daysLeft))
			}
		}
		// Phones are masked unless this user asked for one in full (v), which the store audits.
		p := m.contact()
		phone, shown := s.revealed[p.ID]
		if !shown {
			phone = store.MaskPhone(p.Phone)
		}
		if phone == "" {
			phone = "—"
		}
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(r.d.grids[m.hh.Grid].Name),
			views.T(m.hh.Address + "  " + m.hh.Head().Name), views.T(who), views.T(phone), views.T(m.group), left}})
	}
	lines = append(lines, t.Header(st, s.w))
	if len(r.d.missed) == 0 {
		return append(lines, " "+r.c.T("rt.nomissed"))
	}
	return append(lines, t.Lines(st, s.w, 0, to-from, s.cur.Pos-from)...)
}

// coverageView shows coverage per village and grid.
func (s *coverageSheet) view() []string {
	r := s.r
	st := r.c.Styles
	lines := []string{r.coverage(), st.HRule(s.w)}
	t := views.Table{Columns: []views.Column{{Title: r.c.T("rv.unit")}, {Title: r.c.T("r.hh"), Width: 9, Right: true},
		{Title: "%", Width: 4, Right: true}, {Title: r.c.T("r.people"), Width: 11, Right: true}, {Title: "%", Width: 4, Right: true}}}
	for _, c := range r.d.coverage {
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(c.name), views.T(fmt.Sprintf("%d/%d", c.visitedHH, c.households)),
			views.T(views.Pct(c.visitedHH, c.households)), views.T(fmt.Sprintf("%d/%d", c.reached, c.people)), views.T(views.Pct(c.reached, c.people))}})
	}
	lines = append(lines, t.Header(st, s.w))
	from, to := s.cur.Window(max(s.h-4, 1))
	return append(lines, t.Lines(st, s.w, from, to, s.cur.Pos)...)
}

// suggestView shows the suggested groups for the village, to accept with enter then y.
func (s *suggestSheet) view() []string {
	r := s.r
	st := r.c.Styles
	v := s.village
	lines := []string{" " + st.Title.Render(fmt.Sprintf(r.c.T("rt.suggest.title"), r.d.villages[v].Name)), st.HRule(s.w)}
	if len(s.groups) == 0 {
		return append(lines, " "+r.c.T("rt.suggest.none"))
	}
	ctx := r.d.ctx[v]
	name := func(id string) string {
		m := ctx.Members[id]
		return fmt.Sprintf("%s(%s)", m.Name, shortGrid(r.d.grids[m.Grid].Name))
	}
	t := views.Table{Columns: []views.Column{{Title: r.c.T("r.group"), Width: 6}, {Title: r.c.T("r.grids"), Width: 8},
		{Title: r.c.T("r.leader"), Width: 14}, {Title: r.c.T("r.deputy"), Width: 14}, {Title: r.c.T("gf.members")}}}
	for _, g := range s.groups {
		var ms []string
		for _, id := range g.Members {
			ms = append(ms, ctx.Members[id].Name)
		}
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(g.Name), views.T(r.d.grids[g.Grids[0]].Name),
			views.T(name(g.Leader)), views.T(name(g.Deputy)), views.T(fmt.Sprintf("%d: %s", len(ms), strings.Join(ms, " ")))}})
	}
	lines = append(lines, t.Header(st, s.w))
	from, to := s.cur.Window(max(s.h-4, 1) - 1)
	lines = append(lines, t.Lines(st, s.w, from, to, s.cur.Pos)...)
	return append(lines, st.Warn.Render(views.Cut(" "+r.c.T("rt.suggest.hint"), s.w)))
}
