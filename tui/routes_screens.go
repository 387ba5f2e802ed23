package tui

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/query"
	"sanbai/search"
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
	// replanned marks a plan just saved: when the route comes back, the cursor goes to the
	// first household planned.
	replanned bool
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

// loaded brings the sheet up to the pane's new data: a group gone closes it; after a new
// plan, the cursor goes to its first household.
func (s *routeSheet) loaded() {
	g, ok := s.group()
	if !ok {
		s.r.fs.close(s)
		return
	}
	s.cur.SetLen(len(g.stops))
	if s.replanned {
		s.replanned = false
		s.toNext()
	}
}

// toNext puts the cursor on the first household of the route not yet visited (n visits it).
func (s *routeSheet) toNext() {
	g, _ := s.group()
	for i, x := range g.stops {
		if !x.visited {
			s.cur.Pos = i
			break
		}
	}
	s.cur.Move(0, s.listHeight())
}

func (s *routeSheet) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	r, k := s.r, s.r.c.Keys
	if moveKeys(k, km, &s.cur, s.listHeight()) {
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
		if !r.canBuild(g.g.Village) {
			return nil
		}
		r.fs.push(paneRoutes, askFor(r.c, r.fs, r.c.T("rt.ask.days"), s.planInitial(g), nil, s.planDays))
	}
	return nil
}

// planInitial is what the plan prompt starts with: the households a day and the days between
// of the plan there is, or 15 a day every 2 days; from today.
func (s *routeSheet) planInitial(g *groupRow) string {
	per, every := 15, 2
	if days := g.route.Days; len(days) > 1 {
		per = days[1].Start - days[0].Start
		if a, b := days[0].Date, days[1].Date; b > a {
			every = max(daysBetween(a, b), 1)
		}
	} else if len(days) == 1 {
		per = max(len(g.route.Households)-days[0].Start, 1)
	}
	return fmt.Sprintf("%d %s %d", per, s.r.d.today, every)
}

// planDays plans the households not yet visited into days from the prompt's "per-day start
// every": the start is a day from today on (明天, 12-08 and +2d are read too), and a plan that
// runs past the village's deadline for the visits says so.
func (s *routeSheet) planDays(val string) (tea.Cmd, string) {
	c := s.r.c
	f := strings.Fields(val)
	if len(f) < 2 || len(f) > 3 {
		return nil, c.T("rt.bad.days")
	}
	per, err := strconv.Atoi(f[0])
	if err != nil || per < 1 {
		return nil, c.T("rt.bad.days")
	}
	every := 1
	if len(f) == 3 {
		if every, err = strconv.Atoi(f[2]); err != nil || every < 1 {
			return nil, c.T("rt.bad.days")
		}
	}
	start, err := parseDeadline(f[1], c.Store.Now())
	if err != nil {
		return nil, c.storeWords(err)
	}
	t, _ := time.Parse(time.DateOnly, start)
	g, ok := s.group()
	if !ok {
		return nil, ""
	}
	visited := map[string]bool{}
	for _, x := range g.stops {
		visited[x.hh.ID] = x.visited
	}
	rt := store.PlanUnvisited(g.route, func(h string) bool { return visited[h] }, per, t, every)
	if len(rt.Days) == 0 {
		return nil, c.T("r.alldone")
	}
	todo := len(rt.Households) - rt.Days[0].Start
	text := fmt.Sprintf(c.T("rt.days.set"), todo, len(rt.Days), c.day(rt.Days[0].Date), c.day(rt.LastDay()))
	late := false
	if due := s.r.d.fieldDue[g.g.Village]; due != "" && rt.LastDay() > due {
		text += fmt.Sprintf(c.T("rt.days.late"), c.day(due), daysBetween(due, rt.LastDay()))
		late = true
	}
	s.replanned = true
	return func() tea.Msg {
		if err := c.Store.SaveRoute(c.Ctx, c.Actor, rt); err != nil {
			return statusMsg{text: c.errText(err), err: true}
		}
		return statusMsg{text: text, err: late}
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
	// The rows are the scope's shared read model (query.Shared): the pane shows the move at
	// once on its own copy of the group's row, until the change comes back as new data.
	at := slices.IndexFunc(r.d.groups, func(x groupRow) bool { return x.g.ID == g.g.ID })
	if at < 0 {
		return nil
	}
	r.d.groups = slices.Clone(r.d.groups)
	g = &r.d.groups[at]
	g.stops = slices.Clone(g.stops)
	g.stops[i], g.stops[j] = g.stops[j], g.stops[i]
	rt := g.route
	rt.Households = append([]string(nil), rt.Households...)
	rt.Households[i], rt.Households[j] = rt.Households[j], rt.Households[i]
	g.route = rt
	s.cur.Move(dir, s.listHeight())
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

// missedSheet lists the households not visited and people not reached, filtered by grid or
// group (f) and searched (/): enter visits a household, or records how a person not met was
// reached (a phone call); r records that too, v shows one phone in full (audited) until the
// list is closed.
type missedSheet struct {
	sheetBase
	cur views.Cursor
	// revealed holds the phones shown in full (resident ID → phone) while the list is open;
	// closing it masks them again, so a shared screen does not keep them.
	revealed map[string]string
	// The filter: a grid code, a group ID and a search; rows are the missed rows it lets
	// through, indexes into the pane's list.
	grid, group, text string
	rows              []int
	// keys are the rows' search keys, made at the first search after a load.
	keys []string
	nav  tea.Msg
}

func (s *missedSheet) takes(msg tea.Msg) bool { _, ok := msg.(phoneRevealed); return ok }

// searches: / searches the list here.
func (s *missedSheet) searches() bool { return true }

func (s *missedSheet) navigation() tea.Msg {
	n := s.nav
	s.nav = nil
	return n
}

// loaded takes the pane's new list: the filter applies to it, the cursor stays in it.
func (s *missedSheet) loaded() {
	s.keys = nil
	s.refilter()
}

// refilter lists the rows the filter lets through.
func (s *missedSheet) refilter() {
	r := s.r
	s.rows = s.rows[:0]
	if s.text != "" && s.keys == nil {
		// One key a row, built once a load: a township's list is thousands of rows, and the
		// pinyin of their names is most of the cost.
		s.keys = make([]string, len(r.d.missedRows()))
		keyer := search.NewKeyer()
		for i, m := range r.d.missedRows() {
			who := ""
			if m.Resident != nil {
				who = m.Resident.Name
			}
			// Not the grid's or group's names: f picks those, and their pinyin (qianlingwangge)
			// would match names (wang) on every row of the grid.
			s.keys[i] = keyer.Key(m.HH.Address, m.HH.Head().Name, who, m.HH.ID)
		}
	}
	words := search.Words(s.text)
	for i, m := range r.d.missedRows() {
		switch {
		case s.grid != "" && m.HH.Grid != s.grid:
		case s.group != "" && m.GroupID != s.group:
		case s.text != "" && !search.Match(s.keys[i], words):
		default:
			s.rows = append(s.rows, i)
		}
	}
	s.cur.SetLen(len(s.rows))
	s.cur.Move(0, s.listHeight())
}

// listHeight is the rows the list shows under its title, rule and header.
func (s *missedSheet) listHeight() int { return max(s.h-3, 1) }

// current is the missed row under the cursor.
func (s *missedSheet) current() (query.MissedRow, bool) {
	if s.cur.Pos >= len(s.rows) {
		return query.MissedRow{}, false
	}
	return s.r.d.missedRows()[s.rows[s.cur.Pos]], true
}

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
		if moveKeys(k, msg, &s.cur, s.listHeight()) {
			return nil
		}
		m, ok := s.current()
		switch {
		case key.Matches(msg, k.Back):
			if s.grid != "" || s.group != "" || s.text != "" {
				s.grid, s.group, s.text = "", "", ""
				s.refilter()
				return nil
			}
			r.fs.close(s)
		case key.Matches(msg, k.ClearFilter):
			s.grid, s.group, s.text = "", "", ""
			s.refilter()
		case key.Matches(msg, k.Filter):
			s.openFilter()
		case key.Matches(msg, k.Search):
			s.openSearch()
		case key.Matches(msg, k.Open) && ok:
			if m.Resident == nil {
				return s.visit(m)
			}
			s.askReach(m, "rt.how.phone")
		case key.Matches(msg, k.Reached) && ok:
			if m.Resident == nil {
				r.fs.say(r.c.T("rt.reach.household"), true)
				return nil
			}
			s.askReach(m, "")
		case key.Matches(msg, k.Reveal) && ok:
			return s.reveal(m)
		}
	}
	return nil
}

// visit opens the visit form for a household not visited, for the group visiting its grid.
func (s *missedSheet) visit(m query.MissedRow) tea.Cmd {
	if s.r.c.Actor.Role == store.RoleInspector {
		s.r.fs.say(s.r.c.T("err.readonly"), true)
		return nil
	}
	s.nav = openVisitMsg{household: m.HH.ID, group: m.GroupID}
	return nil
}

// askReach asks how a person not met was reached, starting with how (电话) when given.
func (s *missedSheet) askReach(m query.MissedRow, how string) {
	r := s.r
	initial := ""
	if how != "" {
		initial = r.c.T(how) + " "
	}
	r.fs.push(paneRoutes, askFor(r.c, r.fs, fmt.Sprintf(r.c.T("rt.ask.reach"), m.Resident.Name), initial, nil, func(val string) (tea.Cmd, string) {
		c := r.c
		how, note, _ := strings.Cut(strings.TrimSpace(val), " ")
		return func() tea.Msg {
			if _, err := c.Store.RecordReach(c.Ctx, c.Actor, m.HH.Village, m.HH.ID, m.Resident.ID, how, note); err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("rt.reached"), m.Resident.Name)}
		}, ""
	}))
}

// openFilter picks a grid or a group among those the list holds, with how many rows each has.
func (s *missedSheet) openFilter() {
	r := s.r
	count := map[string]int{}
	label := map[string]string{}
	var order []string
	for _, m := range r.d.missedRows() {
		for _, kv := range [][2]string{
			{"g:" + m.HH.Grid, r.c.T("q.grid") + " " + r.villageShort(m.HH.Village) + r.d.grids[m.HH.Grid].Name},
			{"p:" + m.GroupID, r.c.T("r.group") + " " + r.villageShort(m.HH.Village) + m.Group},
		} {
			if kv[0] == "p:" {
				continue
			}
			if count[kv[0]] == 0 {
				order = append(order, kv[0])
			}
			count[kv[0]]++
			label[kv[0]] = kv[1]
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i][0] != order[j][0] {
			return order[i][0] == 'g'
		}
		return order[i] < order[j]
	})
	opts := make([]option, 0, len(order))
	for _, v := range order {
		opts = append(opts, option{label: fmt.Sprintf("%s  (%d)", label[v], count[v]), value: v, key: searchKey(label[v])})
	}
	r.fs.push(paneRoutes, askFor(r.c, r.fs, r.c.T("rt.ask.missedfilter"), "", fixed(opts), func(val string) (tea.Cmd, string) {
		kind, v, _ := strings.Cut(val, ":")
		if kind == "g" {
			s.grid = v
		} else {
			s.group = v
		}
		s.refilter()
		return nil, ""
	}))
}

// openSearch searches the list as it is typed; esc puts the search back as it was.
func (s *missedSheet) openSearch() {
	r := s.r
	was := s.text
	a := askFor(r.c, r.fs, r.c.T("rt.ask.missedsearch"), s.text, nil, func(val string) (tea.Cmd, string) {
		s.text = strings.TrimSpace(val)
		s.refilter()
		return nil, ""
	})
	a.change = func(val string) tea.Cmd {
		s.text = strings.TrimSpace(val)
		s.refilter()
		return nil
	}
	a.cancel = func() tea.Cmd {
		s.text = was
		s.refilter()
		return nil
	}
	r.fs.push(paneRoutes, a)
}

// reveal asks the store for the row's contact's full phone: allowed to the roles that call
// residents, and recorded in the audit trail.
func (s *missedSheet) reveal(m query.MissedRow) tea.Cmd {
	c := s.r.c
	if !c.Actor.CanReveal() {
		s.r.fs.say(c.T("rt.noreveal"), true)
		return nil
	}
	p := m.Contact()
	if p.Phone == "" {
		s.r.fs.say(fmt.Sprintf(c.T("rt.nophone"), p.Name), true)
		return nil
	}
	return func() tea.Msg {
		phone, err := c.Store.Reveal(c.Ctx, c.Actor, m.HH.Village, m.HH.ID, p.ID, store.FieldPhone)
		return phoneRevealed{resident: p.ID, phone: phone, err: err}
	}
}

func (s *missedSheet) View() string { return s.draw(s.view()) }

func (s *missedSheet) ShortHelp() []key.Binding {
	k := s.r.c.Keys
	out := []key.Binding{k.Phone, k.Filter, k.Search}
	if s.r.c.Actor.CanReveal() {
		out = append(out, k.Reveal)
	}
	return append(out, k.Back)
}

func (s *missedSheet) FullHelp() [][]key.Binding {
	k := s.r.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Phone, k.Reached, k.Reveal},
		{k.Filter, k.Search, k.ClearFilter, k.Back}}
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
// each planned day with its progress; above them, the plan: its days, today's progress, and
// whether it runs past the deadline for the visits.
func (s *routeSheet) view() []string {
	r := s.r
	st := r.c.Styles
	g, _ := s.group()
	head := fmt.Sprintf(" %s · %s  %s %d/%d  %s %d", g.g.Name, r.c.T("r.route"), r.c.T("r.visited"), g.visited, len(g.stops),
		r.c.T("rt.remaining"), len(g.stops)-g.visited)
	lines := []string{st.Title.Render(views.Cut(head, s.w)), s.planLine(g), st.HRule(s.w)}
	dayAt := map[int]int{}
	for i, d := range g.route.Days {
		dayAt[d.Start] = i
	}
	labels := map[int]string{}
	dayW := 0
	for i := range g.stops {
		if n, ok := dayAt[i]; ok {
			done, all := s.dayDone(g, n)
			labels[i] = fmt.Sprintf(r.c.T("r.day"), n+1, shortDate(g.route.Days[n].Date)) + fmt.Sprintf(" %d/%d", done, all)
			dayW = max(dayW, views.Width(labels[i]))
		}
	}
	// The day column is as wide as its longest label: "第12天 12-21 15/15" is never cut; so is
	// the people column ("7 people" in English).
	peopleW := 0
	for _, stop := range g.stops {
		peopleW = max(peopleW, views.Width(fmt.Sprintf(r.c.T("rt.npeople"), len(stop.hh.Residents))))
	}
	t := views.Table{Columns: []views.Column{{Width: dayW}, {Width: 1}, {}, {Width: 10}, {Width: max(peopleW, 1), Right: true}}}
	if dayW == 0 {
		t.Columns = t.Columns[1:]
	}
	for i, stop := range g.stops {
		mark := "·"
		if stop.visited {
			mark = "✓"
			if st.ASCII {
				mark = "v"
			}
		}
		cells := []views.Cell{views.S(labels[i], st.Muted), views.T(mark), views.T(stop.hh.Address), views.T(stop.hh.Head().Name),
			views.T(fmt.Sprintf(r.c.T("rt.npeople"), len(stop.hh.Residents)))}
		if dayW == 0 {
			cells = cells[1:]
		}
		t.Rows = append(t.Rows, views.Row{Cells: cells})
	}
	from, to := s.cur.Window(s.listHeight())
	return append(lines, t.Lines(st, s.w, from, to, s.cur.Pos)...)
}

// listHeight is the rows the route shows under its two head lines and the rule.
func (s *routeSheet) listHeight() int { return max(s.h-3, 1) }

// dayDone counts the visited households of planned day n, and its households.
func (s *routeSheet) dayDone(g *groupRow, n int) (int, int) {
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

// planLine says what the plan is: its days and dates, how today's day is going, and the
// deadline for the visits — in the warning colour, with the days over, when the plan runs past
// it. Each part is dropped before the line is cut, so what shows is whole.
func (s *routeSheet) planLine(g *groupRow) string {
	r := s.r
	c, st := r.c, r.c.Styles
	due := r.d.fieldDue[g.g.Village]
	var parts []string
	if days := g.route.Days; len(days) > 0 {
		parts = append(parts, fmt.Sprintf(c.T("rt.plan"), len(days), c.day(days[0].Date), c.day(g.route.LastDay())))
		for n, d := range days {
			if d.Date == r.d.today {
				done, all := s.dayDone(g, n)
				parts = append(parts, fmt.Sprintf(c.T("rt.today"), n+1, done, all))
			}
		}
	} else {
		parts = append(parts, c.T("rt.noplan"))
	}
	late := false
	if due != "" {
		if last := g.route.LastDay(); last > due {
			parts = append(parts, fmt.Sprintf(c.T("rt.late"), c.day(due), daysBetween(due, last)))
			late = true
		} else {
			parts = append(parts, fmt.Sprintf(c.T("rt.due"), c.day(due)))
		}
	}
	line := " " + strings.Join(parts, " · ")
	for len(parts) > 1 && views.Width(line) > s.w {
		// The last part (the deadline) is the one to keep when the plan is late.
		if late {
			parts = append(parts[:len(parts)-2], parts[len(parts)-1])
		} else {
			parts = parts[:len(parts)-1]
		}
		line = " " + strings.Join(parts, " · ")
	}
	if late {
		return st.Warn.Render(views.Cut(line, s.w))
	}
	return st.Muted.Render(views.Cut(line, s.w))
}

// missedView lists households not visited and people not reached, by grid and address, with
// how long their group has left; the title counts what the filter lets through.
func (s *missedSheet) view() []string {
	r := s.r
	st := r.c.Styles
	nhh, npeople := 0, 0
	for _, i := range s.rows {
		if r.d.missedRows()[i].Resident == nil {
			nhh++
		} else {
			npeople++
		}
	}
	title := " " + st.Title.Render(fmt.Sprintf(r.c.T("rt.missed.title"), nhh, npeople))
	var filter []string
	if s.grid != "" {
		filter = append(filter, r.d.grids[s.grid].Name)
	}
	if s.group != "" {
		for _, g := range r.d.groups {
			if g.g.ID == s.group {
				filter = append(filter, r.villageShort(g.g.Village)+g.g.Name)
			}
		}
	}
	if s.text != "" {
		filter = append(filter, "/ "+s.text)
	}
	if len(filter) > 0 {
		title += "  " + st.Accent.Render("["+strings.Join(filter, " · ")+"]") + st.Muted.Render("  0 "+r.c.Keys.ClearFilter.Help().Desc)
	}
	lines := []string{views.Cut(title, s.w), st.HRule(s.w)}
	gridW := 8
	if r.d.multiVillage {
		gridW = 11 // 东岭 1网格, 北塘 于家洼: whose 1网格 it is
	}
	t := views.Table{Columns: []views.Column{{Title: r.c.T("q.grid"), Width: gridW}, {Title: r.c.T("v.household")},
		{Title: r.c.T("rt.who"), Width: 16}, {Title: r.c.T("rt.phone"), Width: 11, HideBelow: 70},
		{Title: r.c.T("r.group"), Width: 6, HideBelow: 60}, {Title: r.c.T("rt.left"), Width: 6, Right: true}}}
	// Only the rows on screen are built (window): the list can hold every household of a county.
	from, to := s.cur.Window(s.listHeight())
	for _, i := range window(s.rows, from, to) {
		m := r.d.missedRows()[i]
		// A household not visited reads with its head; a person's row names the person.
		who := fmt.Sprintf(r.c.T("rt.wholehh"), len(m.HH.Residents))
		hhLabel := m.HH.Address + "  " + m.HH.Head().Name
		if m.Resident != nil {
			hhLabel = m.HH.Address
			who = m.Resident.Name
			if m.Reason != "" {
				who += "(" + m.Reason + ")"
			}
		}
		left := views.T("—")
		if m.HasPlan {
			if m.DaysLeft < 0 {
				left = views.S(fmt.Sprintf(r.c.T("overdue.days"), -m.DaysLeft), st.Overdue)
			} else {
				left = views.T(fmt.Sprintf(r.c.T("rt.days"), m.DaysLeft))
			}
		}
		// Phones are masked unless this user asked for one in full (v), which the store audits.
		p := m.Contact()
		phone, shown := s.revealed[p.ID]
		if !shown {
			phone = store.MaskPhone(p.Phone)
		}
		if phone == "" {
			phone = "—"
		}
		grid := r.d.grids[m.HH.Grid].Name
		if r.d.multiVillage {
			grid = r.villageShort(m.HH.Village) + shortGrid(grid)
		}
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(grid),
			views.T(hhLabel), views.T(who), views.T(phone), views.T(m.Group), left}})
	}
	lines = append(lines, t.Header(st, s.w))
	switch {
	case len(r.d.missedRows()) == 0:
		return append(lines, " "+r.c.T("rt.nomissed"))
	case len(s.rows) == 0:
		return append(lines, " "+r.c.T("rt.missed.none"))
	}
	return append(lines, t.Lines(st, s.w, 0, len(t.Rows), s.cur.Pos-from)...)
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
