package tui

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/store"
	"sanbai/views"
)

// routes is the 1 线路 pane: coverage of households and residents, the visit groups with their
// leaders, progress and any breach of the grouping rules, a group's route in visiting order,
// the coverage per village and grid, and the households and people not yet reached.
type routes struct {
	c      *Common
	reload reloader
	w, h   int
	loaded bool
	err    error
	d      routesData
	mode   int // the view shown
	cur    views.Cursor
	open   int // the group whose route is shown
	rcur   views.Cursor
	mcur   views.Cursor
	ccur   views.Cursor
	filter string
	rows   []int // indexes of d.groups after the filter

	form    *groupForm
	prompt  *prompt
	confirm string // a question awaiting y
	suggest []store.Group
	scur    views.Cursor
	// revealed holds the phones shown in full (resident ID → phone) while the missed list is
	// open; leaving it masks them again, so a shared screen does not keep them.
	revealed map[string]string
}

// phoneRevealed carries one full phone number back from the store's audited reveal.
type phoneRevealed struct {
	resident, phone string
	err             error
}

// The routes pane's views.
const (
	rmGroups = iota
	rmRoute
	rmMissed
	rmCoverage
	rmSuggest
)

// groupRow is one visit group with what the pane shows of it.
type groupRow struct {
	g      store.Group
	route  store.Route
	stops  []routeStop
	issues []store.RuleIssue
	// visited counts the route's visited households.
	visited int
	lastDay string
}

// routeStop is one household on a route and whether it was visited.
type routeStop struct {
	hh      *store.Household // into the load's one slice of households: rows point, not copy
	visited bool
}

// missedRow is a household not visited, or a person of a visited household not yet reached.
type missedRow struct {
	hh       *store.Household
	resident *store.Resident
	reason   string // why they were away, if recorded
	group    string
	daysLeft int
	hasPlan  bool
}

// contact is whom to call about the row: the person, or the head of an unvisited household.
func (m missedRow) contact() store.Resident {
	if m.resident != nil {
		return *m.resident
	}
	return m.hh.Head()
}

// coverageRow is coverage for a village or a grid.
type coverageRow struct {
	name                  string
	grid                  bool
	households, visitedHH int
	people, reached       int
}

// routesData is everything the pane shows, computed off the UI goroutine.
type routesData struct {
	groups                []groupRow
	households, visitedHH int
	residents, reached    int
	multiVillage          bool
	grids                 map[string]store.Grid
	villages              map[string]store.Village
	ctx                   map[string]store.GroupContext // per village
	missed                []missedRow
	coverage              []coverageRow
	hhPerGrid             map[string]int
	members               map[string][]store.Member
	today                 string
}

type routesLoaded struct {
	d   routesData
	err error
}

func newRoutes(c *Common) *routes { return &routes{c: c, open: -1} }

func (r *routes) Init() tea.Cmd { return r.reload.want(func() tea.Cmd { return r.load() }) }

func (r *routes) load() tea.Cmd {
	c := r.c
	return func() tea.Msg {
		d, err := loadRoutes(c.Store, c.Actor)
		return routesLoaded{d: d, err: err}
	}
}

// loadRoutes reads the actor's groups, routes, households, members, visits and reaches, and
// works out coverage: a household counts once visited; a person once met at a visit, or once
// recorded as reached another way.
func loadRoutes(st *store.Store, a store.Actor) (routesData, error) {
	d := routesData{grids: map[string]store.Grid{}, villages: map[string]store.Village{}, ctx: map[string]store.GroupContext{},
		hhPerGrid: map[string]int{}, members: map[string][]store.Member{}, today: st.Today()}
	villages, err := st.Villages(a)
	if err != nil {
		return d, err
	}
	for _, v := range villages {
		d.villages[v.Code] = v
		d.ctx[v.Code] = store.GroupContext{Members: map[string]store.Member{}, Grids: map[string]store.Grid{}}
	}
	d.multiVillage = len(villages) > 1
	grids, err := st.Grids(a)
	if err != nil {
		return d, err
	}
	for _, g := range grids {
		d.grids[g.Code] = g
		if ctx, ok := d.ctx[g.Village]; ok {
			ctx.Grids[g.Code] = g
		}
	}
	members, err := st.Members(a)
	if err != nil {
		return d, err
	}
	for _, m := range members {
		if ctx, ok := d.ctx[m.Village]; ok {
			ctx.Members[m.ID] = m
		}
		if m.MovedOut == "" {
			d.members[m.Village] = append(d.members[m.Village], m)
		}
	}
	// Routes, coverage and the missed list are about the current roster: households and
	// people who moved out are neither visited nor owed a visit.
	hhs, err := st.Households(a)
	if err != nil {
		return d, err
	}
	hhs = store.CurrentHouseholds(hhs)
	hhByID := map[string]*store.Household{}
	for i := range hhs {
		h := &hhs[i]
		hhByID[h.ID] = h
		d.residents += len(h.Residents)
		d.hhPerGrid[h.Grid]++
	}
	d.households = len(hhs)
	visits, err := st.Visits(a)
	if err != nil {
		return d, err
	}
	reaches, err := st.Reaches(a)
	if err != nil {
		return d, err
	}
	visited := map[string]bool{}
	reached := map[string]bool{}
	away := map[string]string{}
	for _, v := range visits {
		visited[v.Household] = true
		for _, p := range v.Present {
			reached[p] = true
		}
		for p, why := range v.Away {
			away[p] = why
		}
	}
	for _, x := range reaches {
		reached[x.Resident] = true
	}
	for id := range visited {
		if _, ok := hhByID[id]; ok {
			d.visitedHH++
		}
	}
	for _, h := range hhs {
		for _, p := range h.Residents {
			if reached[p.ID] {
				d.reached++
			}
		}
	}
	groups, err := st.Groups(a)
	if err != nil {
		return d, err
	}
	for _, g := range groups {
		if ctx, ok := d.ctx[g.Village]; ok {
			ctx.Groups = append(ctx.Groups, g)
			d.ctx[g.Village] = ctx
		}
	}
	rts, err := st.Routes(a)
	if err != nil {
		return d, err
	}
	routeOf := map[string]store.Route{}
	for _, rt := range rts {
		routeOf[rt.Group] = rt
	}
	groupOfGrid := map[string]*groupRow{}
	for _, g := range groups {
		// Grid users see the groups that visit their grid.
		if a.Role == store.RoleGrid && !slices.Contains(g.Grids, a.Grid) {
			continue
		}
		row := groupRow{g: g, route: routeOf[g.ID], issues: store.CheckGroup(g, d.ctx[g.Village])}
		for _, id := range row.route.Households {
			h, ok := hhByID[id]
			if !ok {
				continue
			}
			row.stops = append(row.stops, routeStop{hh: h, visited: visited[id]})
			if visited[id] {
				row.visited++
			}
		}
		for _, day := range row.route.Days {
			row.lastDay = max(row.lastDay, day.Date)
		}
		d.groups = append(d.groups, row)
	}
	sort.SliceStable(d.groups, func(i, j int) bool {
		if d.groups[i].g.Village != d.groups[j].g.Village {
			return d.groups[i].g.Village < d.groups[j].g.Village
		}
		// 第一组, 第二组, … sort by the number in their ID, not by their names' characters.
		return groupNumber(d.groups[i].g.ID) < groupNumber(d.groups[j].g.ID)
	})
	for i := range d.groups {
		for _, gc := range d.groups[i].g.Grids {
			groupOfGrid[gc] = &d.groups[i]
		}
	}
	// Missed: households not visited, then people of visited households not yet reached.
	sorted := make([]*store.Household, len(hhs))
	for i := range hhs {
		sorted[i] = &hhs[i]
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Grid != sorted[j].Grid {
			return sorted[i].Grid < sorted[j].Grid
		}
		return sorted[i].Address < sorted[j].Address
	})
	for _, h := range sorted {
		g := groupOfGrid[h.Grid]
		row := missedRow{hh: h}
		if g != nil {
			row.group = g.g.Name
			if g.lastDay != "" {
				row.daysLeft, row.hasPlan = daysBetween(d.today, g.lastDay), true
			}
		}
		if !visited[h.ID] {
			d.missed = append(d.missed, row)
			continue
		}
		for i := range h.Residents {
			p := h.Residents[i]
			if !reached[p.ID] {
				pr := row
				pr.resident = &h.Residents[i]
				pr.reason = away[p.ID]
				d.missed = append(d.missed, pr)
			}
		}
	}
	// Coverage per village and grid.
	var vcodes []string
	for v := range d.villages {
		vcodes = append(vcodes, v)
	}
	sort.Strings(vcodes)
	for _, v := range vcodes {
		vrow := coverageRow{name: d.villages[v].Name}
		var grows []coverageRow
		var gcodes []string
		for gc, g := range d.grids {
			if g.Village == v && a.CanSee(v, gc) {
				gcodes = append(gcodes, gc)
			}
		}
		sort.Strings(gcodes)
		for _, gc := range gcodes {
			row := coverageRow{name: "  " + d.grids[gc].Name, grid: true}
			for _, h := range hhs {
				if h.Grid != gc {
					continue
				}
				row.households++
				if visited[h.ID] {
					row.visitedHH++
				}
				for _, p := range h.Residents {
					row.people++
					if reached[p.ID] {
						row.reached++
					}
				}
			}
			vrow.households += row.households
			vrow.visitedHH += row.visitedHH
			vrow.people += row.people
			vrow.reached += row.reached
			grows = append(grows, row)
		}
		d.coverage = append(append(d.coverage, vrow), grows...)
	}
	return d, nil
}

func (r *routes) SetSize(w, h int) { r.w, r.h = w, h }

// Capturing is true while a form, prompt or question has the keyboard.
func (r *routes) Capturing() bool { return r.form != nil || r.prompt != nil || r.confirm != "" }

// listHeight is the rows the table shows under the coverage line, a rule and the header.
func (r *routes) listHeight() int { return max(r.h-4, 1) }

// refilter applies the group filter.
func (r *routes) refilter() {
	r.rows = r.rows[:0]
	for i, g := range r.d.groups {
		m := r.d.ctx[g.g.Village].Members
		key := searchKey(g.g.Name, m[g.g.Leader].Name, m[g.g.Deputy].Name, r.d.villages[g.g.Village].Name)
		if r.filter == "" || matches(key, r.filter) {
			r.rows = append(r.rows, i)
		}
	}
	r.cur.SetLen(len(r.rows))
}

// selected returns the group under the cursor.
func (r *routes) selected() (*groupRow, bool) {
	if r.cur.Pos >= len(r.rows) {
		return nil, false
	}
	return &r.d.groups[r.rows[r.cur.Pos]], true
}

// village returns the village a new group or suggestion is for: the actor's, or the
// selected group's for township users.
func (r *routes) village() string {
	if r.c.Actor.Village != "" {
		return r.c.Actor.Village
	}
	if g, ok := r.selected(); ok {
		return g.g.Village
	}
	for v := range r.d.villages {
		return v
	}
	return ""
}

// Update handles a message; a finished load lets the next one asked for start.
func (r *routes) Update(msg tea.Msg) tea.Cmd {
	var after tea.Cmd
	if _, ok := msg.(routesLoaded); ok {
		after = r.reload.done(func() tea.Cmd { return r.load() })
	}
	return tea.Batch(r.update(msg), after)
}

func (r *routes) update(msg tea.Msg) tea.Cmd {
	k := r.c.Keys
	switch msg := msg.(type) {
	case routesLoaded:
		r.loaded, r.err = true, msg.err
		if msg.err == nil {
			r.d = msg.d
			r.refilter()
			if r.open >= len(r.d.groups) {
				r.open, r.mode = -1, rmGroups
			}
			if r.open >= 0 {
				r.rcur.SetLen(len(r.d.groups[r.open].stops))
			}
			r.mcur.SetLen(len(r.d.missed))
			r.ccur.SetLen(len(r.d.coverage))
		}
		return nil
	case ChangedMsg:
		if msg.touches("visit", "group", "route", "household", "member", "reach") {
			return r.reload.want(func() tea.Cmd { return r.load() })
		}
		return nil
	case phoneRevealed:
		if msg.err != nil {
			return status(r.c.errText(msg.err), true)
		}
		if r.mode == rmMissed {
			r.revealed[msg.resident] = msg.phone
		}
		return nil
	}
	if r.form != nil {
		if km, ok := msg.(tea.KeyPressMsg); ok && key.Matches(km, k.Back) && r.form.picker == nil && r.form.reason == nil {
			r.form = nil
			return nil
		}
		cmd := r.form.update(msg)
		if r.form.done {
			gs, _ := msg.(groupSaved)
			r.form = nil
			return tea.Batch(cmd, status(fmt.Sprintf(r.c.T("gf.saved"), gs.g.Name), false))
		}
		return cmd
	}
	if r.prompt != nil {
		return answerPrompt(&r.prompt, msg, r.answer)
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if r.confirm != "" {
		what := r.confirm
		r.confirm = ""
		if km.String() == "y" {
			return r.confirmed(what)
		}
		return status(r.c.T("q.cancelled"), false)
	}
	return r.key(km)
}

// key handles a key in the current view.
func (r *routes) key(km tea.KeyPressMsg) tea.Cmd {
	k := r.c.Keys
	cur := map[int]*views.Cursor{rmGroups: &r.cur, rmRoute: &r.rcur, rmMissed: &r.mcur, rmCoverage: &r.ccur, rmSuggest: &r.scur}[r.mode]
	if moveKeys(k, km, cur, r.listHeight()) {
		return nil
	}
	switch {
	case key.Matches(km, k.Back):
		if r.mode == rmGroups && r.filter != "" {
			r.filter = ""
			r.refilter()
		}
		r.mode, r.open, r.suggest, r.revealed = rmGroups, -1, nil, nil
		return nil
	}
	switch r.mode {
	case rmRoute:
		switch {
		case key.Matches(km, k.NextHousehold):
			return r.next()
		case key.Matches(km, k.MoveUp):
			return r.reorder(-1)
		case key.Matches(km, k.MoveDown):
			return r.reorder(1)
		case key.Matches(km, k.PlanDays):
			g := r.d.groups[r.open]
			init := fmt.Sprintf("15 %s 2", r.d.today)
			if len(g.route.Days) > 0 {
				per := len(g.route.Households)
				if len(g.route.Days) > 1 {
					per = g.route.Days[1].Start
				}
				init = fmt.Sprintf("%d %s 2", per, g.route.Days[0].Date)
			}
			r.prompt = newPrompt("days", r.c.T("rt.ask.days"), init, nil)
		}
		return nil
	case rmMissed:
		if key.Matches(km, k.Reached) && r.mcur.Pos < len(r.d.missed) {
			m := r.d.missed[r.mcur.Pos]
			if m.resident == nil {
				return status(r.c.T("rt.reach.household"), true)
			}
			r.prompt = newPrompt("reach", fmt.Sprintf(r.c.T("rt.ask.reach"), m.resident.Name), "", nil)
		}
		if key.Matches(km, k.Reveal) && r.mcur.Pos < len(r.d.missed) {
			return r.reveal(r.d.missed[r.mcur.Pos])
		}
		return nil
	case rmSuggest:
		if key.Matches(km, k.Open) {
			r.confirm = "suggest"
		}
		return nil
	case rmCoverage:
		return nil
	}
	switch {
	case key.Matches(km, k.Open):
		if g, ok := r.selected(); ok {
			r.open, r.mode = r.rows[r.cur.Pos], rmRoute
			r.rcur = views.Cursor{}
			r.rcur.SetLen(len(g.stops))
		}
	case key.Matches(km, k.NextHousehold):
		return r.next()
	case key.Matches(km, k.Missed):
		r.mode, r.revealed = rmMissed, map[string]string{}
	case key.Matches(km, k.CoverageView):
		r.mode = rmCoverage
	case key.Matches(km, k.Search):
		r.prompt = newPrompt("filter", r.c.T("rt.ask.filter"), r.filter, nil)
	case key.Matches(km, k.New):
		v := r.village()
		if v == "" {
			return nil
		}
		if err := r.canBuild(v); err != nil {
			return err
		}
		r.form = newGroupForm(r.c, store.Group{Village: v, Name: store.GroupName(r.countGroups(v) + 1)}, r.d.ctx[v])
	case key.Matches(km, k.Edit):
		g, ok := r.selected()
		if !ok {
			return nil
		}
		if err := r.canBuild(g.g.Village); err != nil {
			return err
		}
		cp := g.g
		cp.Members = slices.Clone(g.g.Members)
		cp.Grids = slices.Clone(g.g.Grids)
		cp.Exceptions = map[string]string{}
		for k, v := range g.g.Exceptions {
			cp.Exceptions[k] = v
		}
		r.form = newGroupForm(r.c, cp, r.d.ctx[g.g.Village])
	case key.Matches(km, k.Remove):
		if g, ok := r.selected(); ok {
			if err := r.canBuild(g.g.Village); err != nil {
				return err
			}
			r.confirm = "dissolve"
			return status(fmt.Sprintf(r.c.T("rt.confirm.dissolve"), g.g.Name), true)
		}
	case key.Matches(km, k.Suggest):
		v := r.village()
		if err := r.canBuild(v); err != nil {
			return err
		}
		var grids []store.Grid
		for _, g := range r.d.ctx[v].Grids {
			grids = append(grids, g)
		}
		r.suggest = store.SuggestGroups(v, grids, r.d.members[v], r.d.hhPerGrid)
		r.scur = views.Cursor{}
		r.scur.SetLen(len(r.suggest))
		r.mode = rmSuggest
	}
	return nil
}

// canBuild says, as a footer command, why the actor may not build groups; nil when they may.
func (r *routes) canBuild(village string) tea.Cmd {
	switch r.c.Actor.Role {
	case store.RoleInspector:
		return status(r.c.T("err.readonly"), true)
	case store.RoleGrid:
		return status(r.c.T("rt.gridonly"), true)
	}
	if !r.c.Actor.CanSee(village, "") {
		return status(r.c.T("err.scope"), true)
	}
	return nil
}

func (r *routes) countGroups(v string) int {
	n := 0
	for _, g := range r.d.groups {
		if g.g.Village == v {
			n++
		}
	}
	return n
}

// confirmed carries out a confirmed destructive action.
func (r *routes) confirmed(what string) tea.Cmd {
	c := r.c
	switch what {
	case "dissolve":
		g, ok := r.selected()
		if !ok {
			return nil
		}
		v, id, name := g.g.Village, g.g.ID, g.g.Name
		return func() tea.Msg {
			if err := c.Store.DissolveGroup(c.Actor, v, id); err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("rt.dissolved"), name)}
		}
	case "suggest":
		groups, v := r.suggest, r.village()
		r.mode, r.suggest = rmGroups, nil
		return func() tea.Msg {
			gs, err := c.Store.ReplaceGroups(c.Actor, v, groups)
			if err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("rt.suggest.done"), len(gs))}
		}
	}
	return nil
}

// reveal asks the store for the row's contact's full phone: allowed to the roles that call
// residents, and recorded in the audit trail.
func (r *routes) reveal(m missedRow) tea.Cmd {
	c := r.c
	if !c.Actor.CanReveal() {
		return status(c.T("rt.noreveal"), true)
	}
	p := m.contact()
	if p.Phone == "" {
		return status(fmt.Sprintf(c.T("rt.nophone"), p.Name), true)
	}
	return func() tea.Msg {
		phone, err := c.Store.Reveal(c.Actor, m.hh.Village, m.hh.ID, p.ID, store.FieldPhone)
		return phoneRevealed{resident: p.ID, phone: phone, err: err}
	}
}

// answer carries out what a prompt asked for.
func (r *routes) answer(kind, val string) tea.Cmd {
	c := r.c
	switch kind {
	case "filter":
		r.filter = val
		r.refilter()
	case "reach":
		m := r.d.missed[r.mcur.Pos]
		how, note, _ := strings.Cut(val, " ")
		return func() tea.Msg {
			if _, err := c.Store.RecordReach(c.Actor, m.hh.Village, m.hh.ID, m.resident.ID, how, note); err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("rt.reached"), m.resident.Name)}
		}
	case "days":
		var per, every int
		var start string
		if n, _ := fmt.Sscanf(val, "%d %s %d", &per, &start, &every); n < 2 {
			return status(c.T("rt.bad.days"), true)
		}
		t, err := time.Parse(time.DateOnly, start)
		if err != nil || per < 1 {
			return status(c.T("rt.bad.days"), true)
		}
		rt := store.CutDays(r.d.groups[r.open].route, per, t, every)
		return func() tea.Msg {
			if err := c.Store.SaveRoute(c.Actor, rt); err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("rt.days.set"), len(rt.Days))}
		}
	}
	return nil
}

// reorder moves the household under the cursor one place along the route.
func (r *routes) reorder(dir int) tea.Cmd {
	if r.canBuild(r.d.groups[r.open].g.Village) != nil {
		return r.canBuild(r.d.groups[r.open].g.Village)
	}
	g := &r.d.groups[r.open]
	i, j := r.rcur.Pos, r.rcur.Pos+dir
	if j < 0 || j >= len(g.stops) || len(g.stops) != len(g.route.Households) {
		return nil
	}
	g.stops[i], g.stops[j] = g.stops[j], g.stops[i]
	rt := g.route
	rt.Households = slices.Clone(rt.Households)
	rt.Households[i], rt.Households[j] = rt.Households[j], rt.Households[i]
	g.route = rt
	r.rcur.Move(dir, r.listHeight())
	c := r.c
	return func() tea.Msg {
		if err := c.Store.SaveRoute(c.Actor, rt); err != nil {
			return statusMsg{text: c.errText(err), err: true}
		}
		return nil
	}
}

// next opens the visit form for the selected group's next household not yet visited (or, in
// a route, the household under the cursor).
func (r *routes) next() tea.Cmd {
	if r.mode == rmRoute && r.open >= 0 {
		g := r.d.groups[r.open]
		if r.rcur.Pos < len(g.stops) {
			return openVisit(g.stops[r.rcur.Pos].hh.ID, g.g.ID)
		}
		return nil
	}
	g, ok := r.selected()
	if !ok {
		return nil
	}
	for _, s := range g.stops {
		if !s.visited {
			return openVisit(s.hh.ID, g.g.ID)
		}
	}
	return status(r.c.T("r.alldone"), false)
}

func openVisit(household, group string) tea.Cmd {
	return func() tea.Msg { return openVisitMsg{household: household, group: group} }
}

// coverage renders the coverage line.
func (r *routes) coverage() string {
	d, st := r.d, r.c.Styles
	s := fmt.Sprintf(" %s  %s %d/%d (%s)  %s %d/%d (%s)  ", r.c.T("r.coverage"),
		r.c.T("r.hh"), d.visitedHH, d.households, views.Pct(d.visitedHH, d.households),
		r.c.T("r.people"), d.reached, d.residents, views.Pct(d.reached, d.residents))
	return s + st.Warn.Render(fmt.Sprintf(r.c.T("r.missed"), d.households-d.visitedHH, d.residents-d.reached))
}

func (r *routes) View() string {
	st := r.c.Styles
	switch {
	case !r.loaded:
		return " " + r.c.T("loading")
	case r.err != nil:
		return " " + st.Error.Render(r.c.errText(r.err))
	case r.form != nil:
		return r.form.view(r.w, r.h)
	}
	var lines []string
	switch r.mode {
	case rmRoute:
		lines = r.routeView()
	case rmMissed:
		lines = r.missedView()
	case rmCoverage:
		lines = r.coverageView()
	case rmSuggest:
		lines = r.suggestView()
	default:
		lines = r.groupsView()
	}
	if r.prompt != nil {
		lines = withTail(st, r.w, r.h, lines, r.prompt.lines(st, r.w, 3))
	}
	if len(lines) > r.h {
		lines = lines[:r.h]
	}
	return strings.Join(lines, "\n")
}

// groupsView lists the groups; a group breaking a rule is marked ⚠ and its first breach is
// explained on the line under it.
func (r *routes) groupsView() []string {
	st := r.c.Styles
	lines := []string{r.coverage(), st.HRule(r.w)}
	if r.filter != "" {
		lines[1] = st.Accent.Render(views.Cut(" / "+r.filter, r.w))
	}
	if len(r.rows) == 0 {
		return append(lines, " "+r.c.T("rt.nogroups"))
	}
	cols := []views.Column{}
	if r.d.multiVillage {
		cols = append(cols, views.Column{Title: r.c.T("r.village"), Width: 6, HideBelow: 72})
	}
	cols = append(cols,
		views.Column{Title: r.c.T("r.group"), Width: 6},
		views.Column{Title: r.c.T("r.grids"), Width: 8, HideBelow: 56},
		views.Column{Title: r.c.T("r.leader")},
		views.Column{Title: r.c.T("r.deputy"), Width: 13, HideBelow: 64},
		views.Column{Title: r.c.T("r.members"), Width: 4, Right: true},
		views.Column{Title: r.c.T("r.households"), Width: 7, Right: true},
		views.Column{Title: r.c.T("r.progress"), Width: 10},
	)
	t := views.Table{Columns: cols}
	name := func(v, id string) string {
		m := r.d.ctx[v].Members[id]
		return fmt.Sprintf("%s(%s)", m.Name, shortGrid(r.d.grids[m.Grid].Name))
	}
	for _, i := range r.rows {
		g := r.d.groups[i]
		var grids []string
		for _, gc := range g.g.Grids {
			grids = append(grids, r.d.grids[gc].Name)
		}
		var cells []views.Cell
		if r.d.multiVillage {
			cells = append(cells, views.T(strings.TrimSuffix(r.d.villages[g.g.Village].Name, "新村")))
		}
		cells = append(cells,
			views.T(g.g.Name),
			views.T(strings.Join(grids, ",")),
			views.T(name(g.g.Village, g.g.Leader)),
			views.T(name(g.g.Village, g.g.Deputy)),
			views.T(fmt.Sprint(len(g.g.Members)+2)),
			views.T(fmt.Sprintf("%d/%d", g.visited, len(g.stops))),
			views.T(st.Bar(g.visited, len(g.stops), 5)+" "+views.Pct(g.visited, len(g.stops))),
		)
		mark := ""
		if len(g.issues) > 0 {
			mark = "⚠"
			if st.ASCII {
				mark = "!"
			}
		}
		t.Rows = append(t.Rows, views.Row{Mark: mark, Cells: cells})
	}
	lines = append(lines, t.Header(st, r.w))
	from, to := r.cur.Window(r.listHeight() - 1)
	for i, l := range t.Lines(st, r.w, from, to, r.cur.Pos) {
		lines = append(lines, l)
		g := r.d.groups[r.rows[from+i]]
		if from+i == r.cur.Pos && len(g.issues) > 0 {
			issue := g.issues[0]
			nm := func(id string) string { return name(g.g.Village, id) }
			s := st.Warn
			if !issue.Warning {
				s = st.Error
			}
			lines = append(lines, s.Render(views.Cut("     ! "+explain(r.c, issue, nm, g.g.Exceptions[issue.Member]), r.w)))
		}
	}
	return lines
}

// routeView lists the open group's households in visiting order, marking the visited ones and
// each planned day with its progress.
func (r *routes) routeView() []string {
	st := r.c.Styles
	g := r.d.groups[r.open]
	head := fmt.Sprintf(" %s · %s  %s %d/%d  %s %d", g.g.Name, r.c.T("r.route"), r.c.T("r.visited"), g.visited, len(g.stops),
		r.c.T("rt.remaining"), len(g.stops)-g.visited)
	lines := []string{st.Title.Render(head), st.HRule(r.w)}
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
	from, to := r.rcur.Window(r.listHeight())
	return append(lines, t.Lines(st, r.w, from, to, r.rcur.Pos)...)
}

// missedView lists households not visited and people not reached, by grid and address, with
// how long their group has left.
func (r *routes) missedView() []string {
	st := r.c.Styles
	nhh, npeople := 0, 0
	for _, m := range r.d.missed {
		if m.resident == nil {
			nhh++
		} else {
			npeople++
		}
	}
	lines := []string{" " + st.Title.Render(fmt.Sprintf(r.c.T("rt.missed.title"), nhh, npeople)), st.HRule(r.w)}
	t := views.Table{Columns: []views.Column{{Title: r.c.T("q.grid"), Width: 8}, {Title: r.c.T("v.household")},
		{Title: r.c.T("rt.who"), Width: 18}, {Title: r.c.T("rt.phone"), Width: 11, HideBelow: 70},
		{Title: r.c.T("r.group"), Width: 6, HideBelow: 60}, {Title: r.c.T("rt.left"), Width: 6, Right: true}}}
	// Only the rows on screen are built: the list can hold every household of a county.
	from, to := r.mcur.Window(r.listHeight())
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
		phone, shown := r.revealed[p.ID]
		if !shown {
			phone = store.MaskPhone(p.Phone)
		}
		if phone == "" {
			phone = "—"
		}
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(r.d.grids[m.hh.Grid].Name),
			views.T(m.hh.Address + "  " + m.hh.Head().Name), views.T(who), views.T(phone), views.T(m.group), left}})
	}
	lines = append(lines, t.Header(st, r.w))
	if len(r.d.missed) == 0 {
		return append(lines, " "+r.c.T("rt.nomissed"))
	}
	return append(lines, t.Lines(st, r.w, 0, to-from, r.mcur.Pos-from)...)
}

// coverageView shows coverage per village and grid.
func (r *routes) coverageView() []string {
	st := r.c.Styles
	lines := []string{r.coverage(), st.HRule(r.w)}
	t := views.Table{Columns: []views.Column{{Title: r.c.T("rv.unit")}, {Title: r.c.T("r.hh"), Width: 9, Right: true},
		{Title: "%", Width: 4, Right: true}, {Title: r.c.T("r.people"), Width: 11, Right: true}, {Title: "%", Width: 4, Right: true}}}
	for _, c := range r.d.coverage {
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(c.name), views.T(fmt.Sprintf("%d/%d", c.visitedHH, c.households)),
			views.T(views.Pct(c.visitedHH, c.households)), views.T(fmt.Sprintf("%d/%d", c.reached, c.people)), views.T(views.Pct(c.reached, c.people))}})
	}
	lines = append(lines, t.Header(st, r.w))
	from, to := r.ccur.Window(r.listHeight())
	return append(lines, t.Lines(st, r.w, from, to, r.ccur.Pos)...)
}

// suggestView shows the suggested groups for the village, to accept with enter then y.
func (r *routes) suggestView() []string {
	st := r.c.Styles
	v := r.village()
	lines := []string{" " + st.Title.Render(fmt.Sprintf(r.c.T("rt.suggest.title"), r.d.villages[v].Name)), st.HRule(r.w)}
	if len(r.suggest) == 0 {
		return append(lines, " "+r.c.T("rt.suggest.none"))
	}
	ctx := r.d.ctx[v]
	name := func(id string) string {
		m := ctx.Members[id]
		return fmt.Sprintf("%s(%s)", m.Name, shortGrid(r.d.grids[m.Grid].Name))
	}
	t := views.Table{Columns: []views.Column{{Title: r.c.T("r.group"), Width: 6}, {Title: r.c.T("r.grids"), Width: 8},
		{Title: r.c.T("r.leader"), Width: 14}, {Title: r.c.T("r.deputy"), Width: 14}, {Title: r.c.T("gf.members")}}}
	for _, g := range r.suggest {
		var ms []string
		for _, id := range g.Members {
			ms = append(ms, ctx.Members[id].Name)
		}
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(g.Name), views.T(r.d.grids[g.Grids[0]].Name),
			views.T(name(g.Leader)), views.T(name(g.Deputy)), views.T(fmt.Sprintf("%d: %s", len(ms), strings.Join(ms, " ")))}})
	}
	lines = append(lines, t.Header(st, r.w))
	from, to := r.scur.Window(r.listHeight() - 1)
	lines = append(lines, t.Lines(st, r.w, from, to, r.scur.Pos)...)
	return append(lines, st.Warn.Render(views.Cut(" "+r.c.T("rt.suggest.hint"), r.w)))
}

func (r *routes) ShortHelp() []key.Binding {
	k := r.c.Keys
	switch {
	case r.form != nil:
		return []key.Binding{k.FormNext, k.FormToggle, k.FormSave, k.Back}
	case r.prompt != nil:
		return []key.Binding{k.Open, k.Back}
	case r.mode == rmRoute:
		return []key.Binding{k.Up, k.Down, k.NextHousehold, k.MoveUp, k.MoveDown, k.PlanDays, k.Back}
	case r.mode == rmMissed:
		if r.c.Actor.CanReveal() {
			return []key.Binding{k.Up, k.Down, k.Reached, k.Reveal, k.Back}
		}
		return []key.Binding{k.Up, k.Down, k.Reached, k.Back}
	case r.mode == rmSuggest:
		return []key.Binding{k.Open, k.Back}
	case r.mode == rmCoverage:
		return []key.Binding{k.Up, k.Down, k.Back}
	}
	return []key.Binding{k.Open, k.New, k.Edit, k.Remove, k.Suggest, k.NextHousehold, k.Missed, k.Search}
}

func (r *routes) FullHelp() [][]key.Binding {
	k := r.c.Keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back},
		{k.New, k.Edit, k.Remove, k.Suggest, k.Search},
		{k.NextHousehold, k.MoveUp, k.MoveDown, k.PlanDays},
		{k.Missed, k.Reached, k.Reveal, k.CoverageView},
	}
}

// groupNumber returns the number a group ID ends with (DL-G12 → 12).
func groupNumber(id string) int {
	i := len(id)
	for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
		i--
	}
	n := 0
	fmt.Sscanf(id[i:], "%d", &n)
	return n
}
