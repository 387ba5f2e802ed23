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

// routes is the 1 线路 pane: coverage of households and residents, the visit groups with their
// leaders and progress, and a group's route in visiting order.
type routes struct {
	c      *Common
	w, h   int
	loaded bool
	err    error
	d      routesData
	cur    views.Cursor
	open   int // index of the group whose route is shown, -1 for none
	rcur   views.Cursor
}

// groupRow is one visit group with what the pane shows of it.
type groupRow struct {
	g              store.Group
	village        string
	leader, deputy string
	leaderGrid     string
	deputyGrid     string
	route          []routeStop
	visited        int
	days           []store.RouteDay
}

// routeStop is one household on a route and whether it was visited.
type routeStop struct {
	hh      store.Household
	visited bool
}

// routesData is everything the pane shows, computed off the UI goroutine.
type routesData struct {
	groups                  []groupRow
	households, visitedHH   int
	residents, metResidents int
	multiVillage            bool
	gridNames               map[string]string
}

type routesLoaded struct {
	d   routesData
	err error
}

func newRoutes(c *Common) *routes { return &routes{c: c, open: -1} }

func (r *routes) Init() tea.Cmd { return r.load() }

func (r *routes) load() tea.Cmd {
	c := r.c
	return func() tea.Msg {
		d, err := loadRoutes(c.Store, c.Actor)
		return routesLoaded{d: d, err: err}
	}
}

// loadRoutes reads groups, routes, households, members and visits in the actor's scope and
// works out coverage: a household counts once visited, a person once met at a visit.
func loadRoutes(st *store.Store, a store.Actor) (routesData, error) {
	var d routesData
	villages, err := st.Villages(a)
	if err != nil {
		return d, err
	}
	vname := map[string]string{}
	for _, v := range villages {
		vname[v.Code] = v.Name
	}
	d.multiVillage = len(villages) > 1
	grids, err := st.Grids(a)
	if err != nil {
		return d, err
	}
	d.gridNames = map[string]string{}
	for _, g := range grids {
		d.gridNames[g.Code] = g.Name
	}
	hhs, err := st.Households(a)
	if err != nil {
		return d, err
	}
	hhByID := map[string]store.Household{}
	for _, h := range hhs {
		hhByID[h.ID] = h
		d.residents += len(h.Residents)
	}
	d.households = len(hhs)
	visits, err := st.Visits(a)
	if err != nil {
		return d, err
	}
	visited := map[string]bool{}
	met := map[string]bool{}
	for _, v := range visits {
		visited[v.Household] = true
		for _, p := range v.Present {
			met[p] = true
		}
	}
	for id := range visited {
		if _, ok := hhByID[id]; ok {
			d.visitedHH++
		}
	}
	d.metResidents = len(met)
	members, err := st.Members(a)
	if err != nil {
		return d, err
	}
	mem := map[string]store.Member{}
	for _, m := range members {
		mem[m.ID] = m
	}
	groups, err := st.Groups(a)
	if err != nil {
		return d, err
	}
	rts, err := st.Routes(a)
	if err != nil {
		return d, err
	}
	routeOf := map[string]store.Route{}
	for _, rt := range rts {
		routeOf[rt.Group] = rt
	}
	for _, g := range groups {
		// Grid users see the groups that visit their grid.
		if a.Role == store.RoleGrid && !contains(g.Grids, a.Grid) {
			continue
		}
		row := groupRow{g: g, village: vname[g.Village],
			leader: mem[g.Leader].Name, leaderGrid: mem[g.Leader].Grid,
			deputy: mem[g.Deputy].Name, deputyGrid: mem[g.Deputy].Grid}
		rt := routeOf[g.ID]
		row.days = rt.Days
		for _, id := range rt.Households {
			h, ok := hhByID[id]
			if !ok {
				continue
			}
			row.route = append(row.route, routeStop{hh: h, visited: visited[id]})
			if visited[id] {
				row.visited++
			}
		}
		d.groups = append(d.groups, row)
	}
	sort.SliceStable(d.groups, func(i, j int) bool {
		if d.groups[i].g.Village != d.groups[j].g.Village {
			return d.groups[i].g.Village < d.groups[j].g.Village
		}
		return d.groups[i].g.ID < d.groups[j].g.ID
	})
	return d, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (r *routes) SetSize(w, h int) { r.w, r.h = w, h }

func (r *routes) Capturing() bool { return false }

// listHeight is the rows the table shows under the coverage line, a rule and the header.
func (r *routes) listHeight() int { return max(r.h-4, 1) }

func (r *routes) Update(msg tea.Msg) tea.Cmd {
	k := r.c.Keys
	switch msg := msg.(type) {
	case routesLoaded:
		r.loaded, r.err = true, msg.err
		if msg.err == nil {
			r.d = msg.d
			r.cur.SetLen(len(r.d.groups))
			if r.open >= len(r.d.groups) {
				r.open = -1
			}
		}
	case ChangedMsg:
		if msg.touches("visit", "group", "route", "household", "member") {
			return r.load()
		}
	case tea.KeyPressMsg:
		c := &r.cur
		if r.open >= 0 {
			c = &r.rcur
			if key.Matches(msg, k.Back) {
				r.open = -1
				return nil
			}
		}
		switch {
		case key.Matches(msg, k.Up):
			c.Move(-1, r.listHeight())
		case key.Matches(msg, k.Down):
			c.Move(1, r.listHeight())
		case key.Matches(msg, k.PageUp):
			c.Move(-r.listHeight(), r.listHeight())
		case key.Matches(msg, k.PageDown):
			c.Move(r.listHeight(), r.listHeight())
		case key.Matches(msg, k.Top):
			c.Move(-c.N, r.listHeight())
		case key.Matches(msg, k.Bottom):
			c.Move(c.N, r.listHeight())
		case key.Matches(msg, k.NextHousehold):
			return r.next()
		case key.Matches(msg, k.Open):
			if r.open < 0 && r.cur.Pos < len(r.d.groups) {
				r.open = r.cur.Pos
				r.rcur = views.Cursor{}
				r.rcur.SetLen(len(r.d.groups[r.open].route))
			}
		}
	}
	return nil
}

// next opens the visit form for the selected group's next household not yet visited (or, in
// a route, the household under the cursor).
func (r *routes) next() tea.Cmd {
	if r.cur.Pos >= len(r.d.groups) {
		return nil
	}
	g := r.d.groups[r.cur.Pos]
	if r.open >= 0 {
		g = r.d.groups[r.open]
		if r.rcur.Pos < len(g.route) {
			return openVisit(g.route[r.rcur.Pos].hh.ID, g.g.ID)
		}
	}
	for _, s := range g.route {
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
		r.c.T("r.people"), d.metResidents, d.residents, views.Pct(d.metResidents, d.residents))
	return s + st.Warn.Render(fmt.Sprintf(r.c.T("r.missed"), d.households-d.visitedHH, d.residents-d.metResidents))
}

func (r *routes) View() string {
	st := r.c.Styles
	switch {
	case !r.loaded:
		return " " + r.c.T("loading")
	case r.err != nil:
		return " " + st.Error.Render(r.c.errText(r.err))
	case r.open >= 0:
		return r.routeView()
	}
	lines := []string{r.coverage(), st.HRule(r.w)}
	if len(r.d.groups) == 0 {
		return strings.Join(append(lines, " "+r.c.T("empty")), "\n")
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
	for _, g := range r.d.groups {
		var grids []string
		for _, gc := range g.g.Grids {
			grids = append(grids, r.d.gridNames[gc])
		}
		var cells []views.Cell
		if r.d.multiVillage {
			cells = append(cells, views.T(strings.TrimSuffix(g.village, "新村")))
		}
		cells = append(cells,
			views.T(g.g.Name),
			views.T(strings.Join(grids, ",")),
			views.T(fmt.Sprintf("%s(%s)", g.leader, shortGrid(r.d.gridNames[g.leaderGrid]))),
			views.T(fmt.Sprintf("%s(%s)", g.deputy, shortGrid(r.d.gridNames[g.deputyGrid]))),
			views.T(fmt.Sprint(len(g.g.Members)+2)),
			views.T(fmt.Sprintf("%d/%d", g.visited, len(g.route))),
			views.T(st.Bar(g.visited, len(g.route), 5)+" "+views.Pct(g.visited, len(g.route))),
		)
		t.Rows = append(t.Rows, views.Row{Cells: cells})
	}
	lines = append(lines, t.Header(st, r.w))
	from, to := r.cur.Window(r.listHeight())
	lines = append(lines, t.Lines(st, r.w, from, to, r.cur.Pos)...)
	return strings.Join(lines, "\n")
}

// routeView lists the open group's households in visiting order, marking the visited ones and
// the start of each planned day.
func (r *routes) routeView() string {
	st := r.c.Styles
	g := r.d.groups[r.open]
	head := fmt.Sprintf(" %s · %s  %s %d/%d", g.g.Name, r.c.T("r.route"), r.c.T("r.visited"), g.visited, len(g.route))
	lines := []string{st.Title.Render(head), st.HRule(r.w)}
	dayAt := map[int]int{}
	for i, d := range g.days {
		dayAt[d.Start] = i
	}
	t := views.Table{Columns: []views.Column{{Width: 12}, {Width: 3}, {}, {Width: 10}, {Width: 4, Right: true}}}
	for i, s := range g.route {
		day := ""
		if n, ok := dayAt[i]; ok {
			day = fmt.Sprintf(r.c.T("r.day"), n+1, shortDate(g.days[n].Date))
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
	from, to := r.rcur.Window(r.h - 2)
	lines = append(lines, t.Lines(st, r.w, from, to, r.rcur.Pos)...)
	return strings.Join(lines, "\n")
}

func (r *routes) ShortHelp() []key.Binding {
	k := r.c.Keys
	if r.open >= 0 {
		return []key.Binding{k.Up, k.Down, k.NextHousehold, k.Back}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.NextHousehold}
}

func (r *routes) FullHelp() [][]key.Binding {
	k := r.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.NextHousehold, k.Back}}
}
