package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/query"
	"sanbai/search"
	"sanbai/store"
	"sanbai/views"
)

// routes is the 1 线路 pane: coverage of households and residents, the visit groups with their
// leaders, progress and any breach of the grouping rules, a group's route in visiting order,
// the coverage per village and grid, and the households and people not yet reached.
type routes struct {
	c      *Common
	fs     *focus
	reload reloader
	w, h   int
	loaded bool
	err    error
	d      routesData
	cur    views.Cursor
	filter string
	rows   []int // indexes of d.groups after the filter
	// draftLooked: the first load has looked for a group form left as a draft.
	draftLooked bool
}

// phoneRevealed carries one full phone number back from the store's audited reveal.
type phoneRevealed struct {
	resident, phone string
	err             error
}

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
	missed                func() []query.MissedRow      // made when first asked for: missedRows
	coverage              []coverageRow
	hhPerGrid             map[string]int
	members               map[string][]store.Member
	today                 string
	// fieldDue is each village's deadline for the visits (the calendar's visits.done phase).
	fieldDue map[string]string
	// teams are the villages' visit teams; cadres their cadres, by village and by ID.
	teams   map[string]store.Team
	cadres  map[string][]store.Cadre
	cadreOf map[string]store.Cadre
}

type routesLoaded struct {
	d   routesData
	err error
	// draft is a group form left half built (a dropped link), and its ID.
	draft   *store.GroupDraft
	draftID string
}

func newRoutes(c *Common, fs *focus) *routes { return &routes{c: c, fs: fs} }

func (r *routes) setCommon(c *Common) { r.c = c }

// searches: / filters the groups here.
func (r *routes) searches() bool { return true }

// settling is true until the first load is in: keys typed before wait for the groups.
func (r *routes) settling() bool { return !r.loaded }

func (r *routes) Init() tea.Cmd { return r.reload.want(func() tea.Cmd { return r.load() }) }

func (r *routes) load() tea.Cmd {
	c, withDraft := r.c, !r.draftLooked
	r.draftLooked = true
	missedOpen := r.missedOpen()
	return func() tea.Msg {
		// One per scope and store version for the whole server: the rows point into it.
		d, err := sharedRoutesOf(c.Ctx, c.Shared, c.Store, c.Actor)
		msg := routesLoaded{err: err}
		if d != nil {
			msg.d = *d
			if missedOpen {
				d.missedRows() // the open sheet lists them at once: made here, not on the UI's goroutine
			}
		}
		if withDraft && err == nil && c.Actor.Role != store.RoleInspector {
			var gd store.GroupDraft
			if id, ok := c.drafts()(store.DraftGroup, &gd); ok {
				msg.draft, msg.draftID = &gd, id
			}
		}
		return msg
	}
}

// missedOpen reports whether the missed sheet is open over the pane.
func (r *routes) missedOpen() bool {
	for _, l := range r.fs.layers {
		if _, ok := l.comp.(*missedSheet); ok && l.owner == paneRoutes {
			return true
		}
	}
	return false
}

// hasDraft reports (reading the store) that the user left a group form half built.
func (r *routes) hasDraft() bool { return r.c.hasDrafts(store.DraftGroup) }

// loadRoutes reads the pane's data: the read model (query.LoadRoutes), as the pane holds it.
func loadRoutes(ctx context.Context, st store.Engine, a store.Actor) (routesData, error) {
	q, err := query.LoadRoutes(ctx, st, a)
	d := routesData{households: q.Households, visitedHH: q.VisitedHH, residents: q.Residents, reached: q.Reached,
		multiVillage: q.MultiVillage, grids: q.Grids, villages: q.Villages, ctx: q.Ctx, hhPerGrid: q.HHPerGrid,
		members: q.Members, today: q.Today, fieldDue: q.FieldDue, teams: q.Teams, cadres: q.Cadres, cadreOf: q.CadreOf}
	for _, g := range q.Groups {
		row := groupRow{g: g.Group, route: g.Route, issues: g.Issues, visited: g.Visited, lastDay: g.LastDay}
		for _, s := range g.Stops {
			row.stops = append(row.stops, routeStop{hh: s.HH, visited: s.Visited})
		}
		d.groups = append(d.groups, row)
	}
	d.missed = q.Missed
	for _, c := range q.Coverage {
		d.coverage = append(d.coverage, coverageRow{name: c.Name, grid: c.Grid, households: c.Households,
			visitedHH: c.VisitedHH, people: c.People, reached: c.Reached})
	}
	return d, err
}

// missedRows lists the households not visited and the people not yet reached (the `m`
// sheet), made on first asking, once for all the sessions sharing the model.
func (d *routesData) missedRows() []query.MissedRow {
	if d.missed == nil {
		return nil
	}
	return d.missed()
}

func (r *routes) SetSize(w, h int) { r.w, r.h = w, h }

// Capturing: the list takes no text; its forms and prompts are layers of their own.
func (r *routes) Capturing() bool { return false }

// listHeight is the rows the table shows under the coverage line, the team, a rule and the
// header.
func (r *routes) listHeight() int { return max(r.h-5, 1) }

// teamLine shows the visit team of the village in view (the user's, or the selected group's):
// its captain and guiding officers, and the key that opens it.
func (r *routes) teamLine() string {
	st := r.c.Styles
	v := r.village()
	t, ok := r.d.teams[v]
	name := func(id string) string {
		if c, ok := r.d.cadreOf[id]; ok {
			return c.Name
		}
		return st.Warn.Render(r.c.T("tm.none"))
	}
	s := " " + r.c.T("tm.title")
	if r.d.multiVillage {
		s += "(" + strings.TrimSuffix(r.d.villages[v].Name, "新村") + ")"
	}
	if !ok {
		t = store.Team{}
	}
	s += " " + r.c.T("tm.captain") + " " + name(t.Captain) + " · " + r.c.T("tm.officers")
	if len(t.Officers) == 0 {
		s += " " + st.Warn.Render(r.c.T("tm.none"))
	}
	for _, id := range t.Officers {
		s += " " + name(id)
	}
	hint := st.Muted.Render("  " + r.c.Keys.Team.Help().Key + " " + r.c.T("tm.edit"))
	if views.Width(s)+views.Width(hint) <= r.w {
		s += hint
	}
	return views.Cut(s, r.w)
}

// refilter applies the group filter.
func (r *routes) refilter() {
	r.rows = r.rows[:0]
	keyer := search.NewKeyer() // remembers each character's pinyin across the groups
	for i, g := range r.d.groups {
		m := r.d.ctx[g.g.Village].Members
		key := keyer.Key(g.g.Name, m[g.g.Leader].Name, m[g.g.Deputy].Name, r.d.villages[g.g.Village].Name)
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
	switch msg := msg.(type) {
	case routesLoaded:
		r.loaded, r.err = true, msg.err
		var prepare tea.Cmd
		if msg.err == nil {
			r.d = msg.d
			// The missed list is made after the pane is drawn, off the UI's goroutine, so that
			// `m` finds it ready (the first session's command makes it for all who share it).
			d := msg.d
			prepare = ahead(r.c, func() { d.missedRows() })
			r.refilter()
			// The screens open over the list follow the new data.
			for _, l := range slices.Clone(r.fs.layers) {
				if s, ok := l.comp.(interface{ loaded() }); ok && l.owner == paneRoutes {
					s.loaded()
				}
			}
			if gd := msg.draft; gd != nil {
				if ctx, ok := r.d.ctx[gd.Group.Village]; ok {
					// A group form cut off by a dropped link comes back as it was.
					fr := groupFormFor(r.c, r.fs, gd.Group, ctx, msg.draftID)
					fr.body.(*groupForm).focus = min(max(gd.Focus, 0), gSlots-1)
					fr.fromDraft(gd.SavedAt)
					r.fs.push(paneRoutes, fr)
					r.fs.say(r.c.T("gf.restored"), false)
				}
			}
		}
		return prepare
	case ChangedMsg:
		if msg.touches("visit", "group", "route", "household", "member", "reach", "calendar", "team", "cadre") {
			return r.reload.want(func() tea.Cmd { return r.load() })
		}
		return nil
	case tea.KeyPressMsg:
		return r.key(msg)
	}
	return nil
}

// key handles a key on the list of groups.
func (r *routes) key(km tea.KeyPressMsg) tea.Cmd {
	k := r.c.Keys
	if moveKeys(k, km, &r.cur, r.listHeight()) {
		return nil
	}
	base := sheetBase{r: r}
	switch {
	case key.Matches(km, k.Back):
		if r.filter != "" {
			r.filter = ""
			r.refilter()
		}
	case key.Matches(km, k.Open):
		if g, ok := r.selected(); ok {
			s := &routeSheet{sheetBase: base, id: g.g.ID}
			r.fs.push(paneRoutes, s)
			s.cur.SetLen(len(g.stops))
			s.toNext()
		}
	case key.Matches(km, k.NextHousehold):
		return r.next()
	case key.Matches(km, k.Missed):
		s := &missedSheet{sheetBase: base, revealed: map[string]string{}}
		r.fs.push(paneRoutes, s)
		s.loaded()
	case key.Matches(km, k.Team):
		s := &teamSheet{sheetBase: base}
		r.fs.push(paneRoutes, s)
		s.loaded()
	case key.Matches(km, k.CoverageView):
		s := &coverageSheet{sheetBase: base}
		s.loaded()
		r.fs.push(paneRoutes, s)
	case key.Matches(km, k.Search):
		a := askFor(r.c, r.fs, r.c.T("rt.ask.filter"), r.filter, nil, func(val string) (tea.Cmd, string) {
			r.filter = val
			r.refilter()
			return nil, ""
		})
		r.fs.push(paneRoutes, a)
	case key.Matches(km, k.New):
		v := r.village()
		if v == "" {
			return nil
		}
		if !r.canBuild(v) {
			return nil
		}
		r.fs.push(paneRoutes, groupFormFor(r.c, r.fs, store.Group{Village: v, Name: store.GroupName(r.countGroups(v) + 1)}, r.d.ctx[v], ""))
	case key.Matches(km, k.Edit):
		g, ok := r.selected()
		if !ok {
			return nil
		}
		if !r.canBuild(g.g.Village) {
			return nil
		}
		cp := g.g
		cp.Members = slices.Clone(g.g.Members)
		cp.Grids = slices.Clone(g.g.Grids)
		cp.Exceptions = map[string]string{}
		for k, v := range g.g.Exceptions {
			cp.Exceptions[k] = v
		}
		r.fs.push(paneRoutes, groupFormFor(r.c, r.fs, cp, r.d.ctx[g.g.Village], ""))
	case key.Matches(km, k.Remove):
		if g, ok := r.selected(); ok {
			if !r.canBuild(g.g.Village) {
				return nil
			}
			v, id, name, c := g.g.Village, g.g.ID, g.g.Name, r.c
			r.fs.push(paneRoutes, confirm(c, r.fs, fmt.Sprintf(c.T("rt.confirm.dissolve"), name), func() tea.Cmd {
				return func() tea.Msg {
					if err := c.Store.DissolveGroup(c.Ctx, c.Actor, v, id); err != nil {
						return statusMsg{text: c.errText(err), err: true}
					}
					return statusMsg{text: fmt.Sprintf(c.T("rt.dissolved"), name)}
				}
			}))
		}
	case key.Matches(km, k.Suggest):
		v := r.village()
		if !r.canBuild(v) {
			return nil
		}
		var grids []store.Grid
		for _, g := range r.d.ctx[v].Grids {
			grids = append(grids, g)
		}
		s := &suggestSheet{sheetBase: base, village: v, groups: store.SuggestGroups(v, grids, r.d.members[v], r.d.hhPerGrid)}
		s.cur.SetLen(len(s.groups))
		r.fs.push(paneRoutes, s)
	}
	return nil
}

// villageShort is a village's short name and a space (东岭 ), to tell grids and groups of
// several villages apart; "" when the user sees one village.
func (r *routes) villageShort(code string) string {
	if !r.d.multiVillage {
		return ""
	}
	return strings.TrimSuffix(r.d.villages[code].Name, "新村") + " "
}

// canBuild reports whether the actor may build groups in the village, and says why not in
// the footer.
func (r *routes) canBuild(village string) bool {
	why := ""
	switch {
	case r.c.Actor.Role == store.RoleInspector:
		why = "err.readonly"
	case r.c.Actor.Role == store.RoleGrid:
		why = "rt.gridonly"
	case !r.c.Actor.CanSee(village, ""):
		why = "err.scope"
	}
	if why != "" {
		r.fs.say(r.c.T(why), true)
	}
	return why == ""
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

// next opens the visit form for the selected group's next household not yet visited (or, in
// a route, the household under the cursor).
func (r *routes) next() tea.Cmd {
	g, ok := r.selected()
	if !ok {
		return nil
	}
	for _, s := range g.stops {
		if !s.visited {
			return openVisit(s.hh.ID, g.g.ID)
		}
	}
	r.fs.say(r.c.T("r.alldone"), false)
	return nil
}

func openVisit(household, group string) tea.Cmd {
	return func() tea.Msg { return openVisitMsg{household: household, group: group} }
}

// coverage renders the coverage line. In a narrow window (or in English, whose words are
// longer) the percentages go first, then the line's title, so what shows is whole.
func (r *routes) coverage() string {
	d, st := r.d, r.c.Styles
	missed := fmt.Sprintf(r.c.T("r.missed"), d.households-d.visitedHH, d.residents-d.reached)
	for _, full := range []bool{true, false} {
		hh := fmt.Sprintf("%s %d/%d", r.c.T("r.hh"), d.visitedHH, d.households)
		people := fmt.Sprintf("%s %d/%d", r.c.T("r.people"), d.reached, d.residents)
		if full {
			hh += " (" + views.Pct(d.visitedHH, d.households) + ")"
			people += " (" + views.Pct(d.reached, d.residents) + ")"
		}
		for _, title := range []string{" " + r.c.T("r.coverage") + "  ", " "} {
			s := title + hh + "  " + people + "  "
			if views.Width(s+missed) <= r.w || (!full && title == " ") {
				return views.Cut(s+st.Warn.Render(missed), r.w)
			}
		}
	}
	return ""
}

func (r *routes) View() string {
	st := r.c.Styles
	switch {
	case !r.loaded:
		return " " + r.c.T("loading")
	case r.err != nil:
		return " " + st.Error.Render(r.c.errText(r.err))
	}
	lines := r.groupsView()
	if len(lines) > r.h {
		lines = lines[:r.h]
	}
	return strings.Join(lines, "\n")
}

// groupsView lists the groups; a group breaking a rule is marked ⚠ and its first breach is
// explained on the line under it.
func (r *routes) groupsView() []string {
	st := r.c.Styles
	lines := []string{r.coverage(), r.teamLine(), st.HRule(r.w)}
	if r.filter != "" {
		lines[2] = st.Accent.Render(views.Cut(" / "+r.filter, r.w))
	}
	if len(r.rows) == 0 {
		return append(lines, " "+r.c.T("rt.nogroups"))
	}
	cols := []views.Column{}
	if r.d.multiVillage {
		cols = append(cols, views.Column{Title: r.c.T("r.village.col"), Width: 6, HideBelow: 72})
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
	// Only the rows on screen are built (window).
	from, to := r.cur.Window(r.listHeight() - 1)
	for _, i := range window(r.rows, from, to) {
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
	for i, l := range t.Lines(st, r.w, 0, len(t.Rows), r.cur.Pos-from) {
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

// ShortHelp is the keys of a field day, in words that fit 80 columns with ? and q after
// them; the rest (e, d, s, c, t) are in the full help.
func (r *routes) ShortHelp() []key.Binding {
	k := r.c.Keys
	say := func(b key.Binding, text string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, r.c.T(text)))
	}
	return []key.Binding{say(k.Open, "rt.k.route"), say(k.NextHousehold, "rt.k.next"), say(k.Missed, "rt.k.missed"),
		say(k.New, "rt.k.group"), say(k.Search, "rt.k.filter")}
}

func (r *routes) FullHelp() [][]key.Binding {
	k := r.c.Keys
	say := func(b key.Binding, text string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, r.c.T(text)))
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back},
		{say(k.New, "rt.k.group"), k.Edit, k.Remove, k.Suggest, say(k.Search, "rt.k.filter")},
		{k.NextHousehold, k.MoveUp, k.MoveDown, k.PlanDays},
		{k.Missed, k.Reached, k.Reveal, k.CoverageView, k.Team},
	}
}
