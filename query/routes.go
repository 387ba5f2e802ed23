package query

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"sanbai/parallel"
	"sanbai/store"
)

// RoutesSource is what pane 1's read model reads: the places, people, groups, routes, visits
// and reaches the actor sees.
type RoutesSource interface {
	store.Clock
	Calendar(ctx context.Context) (store.Calendar, error)
	Teams(ctx context.Context, a store.Actor) ([]store.Team, error)
	Cadres(ctx context.Context, a store.Actor) ([]store.Cadre, error)
	Villages(ctx context.Context, a store.Actor) ([]store.Village, error)
	Grids(ctx context.Context, a store.Actor) ([]store.Grid, error)
	Members(ctx context.Context, a store.Actor) ([]store.Member, error)
	HouseholdRefs(ctx context.Context, a store.Actor) ([]*store.Household, error)
	Visits(ctx context.Context, a store.Actor) ([]store.Visit, error)
	Reaches(ctx context.Context, a store.Actor) ([]store.Reach, error)
	Groups(ctx context.Context, a store.Actor) ([]store.Group, error)
	Routes(ctx context.Context, a store.Actor) ([]store.Route, error)
}

// Routes is pane 1's read model: the visit groups with their routes, progress and any breach
// of the grouping rules, coverage of households and people per village and grid, and the
// households and people not yet reached — as one actor sees them (scoped and masked by the
// store).
type Routes struct {
	Groups                []GroupRow
	Households, VisitedHH int // households on the current roster, and those visited
	Residents, Reached    int // people on the current roster, and those met or reached
	MultiVillage          bool
	Grids                 map[string]store.Grid
	Villages              map[string]store.Village
	Ctx                   map[string]store.GroupContext // per village, for the grouping rules
	// missed lists the households and people not yet reached, made when first asked for
	// (Missed).
	missed    func() []MissedRow
	Coverage  []CoverageRow
	HHPerGrid map[string]int
	Members   map[string][]store.Member // current members, per village
	Today     string
	// FieldDue is each village's deadline for the visits (the calendar's visits.done phase).
	FieldDue map[string]string
	// Teams are the villages' visit teams; Cadres their cadres, by village and (CadreOf) by ID.
	Teams   map[string]store.Team
	Cadres  map[string][]store.Cadre
	CadreOf map[string]store.Cadre
}

// GroupRow is one visit group with what the pane shows of it.
type GroupRow struct {
	Group  store.Group
	Route  store.Route
	Stops  []RouteStop
	Issues []store.RuleIssue
	// Visited counts the route's visited households; LastDay is its last planned day.
	Visited int
	LastDay string
}

// RouteStop is one household on a route and whether it was visited.
type RouteStop struct {
	HH      *store.Household // into the load's one slice of households: rows point, not copy
	Visited bool
}

// MissedRow is a household not visited, or a person of a visited household not yet reached.
type MissedRow struct {
	HH       *store.Household
	Resident *store.Resident // nil for a household not visited
	Reason   string          // why they were away, if recorded
	Group    string          // the name of the group visiting the grid
	GroupID  string
	DaysLeft int // to the group's last planned day, when it has a plan
	HasPlan  bool
}

// Contact is whom to call about the row: the person, or the head of an unvisited household.
func (m MissedRow) Contact() store.Resident {
	if m.Resident != nil {
		return *m.Resident
	}
	return m.HH.Head()
}

// CoverageRow is coverage for a village or (Grid) one of its grids.
type CoverageRow struct {
	Name                  string
	Grid                  bool
	Households, VisitedHH int
	People, Reached       int
}

// LoadRoutes reads the actor's groups, routes, households, members, visits and reaches, and
// works out coverage: a household counts once visited; a person once met at a visit, or once
// recorded as reached another way.
func LoadRoutes(ctx context.Context, st RoutesSource, a store.Actor) (Routes, error) {
	d := Routes{Grids: map[string]store.Grid{}, Villages: map[string]store.Village{}, Ctx: map[string]store.GroupContext{},
		HHPerGrid: map[string]int{}, Members: map[string][]store.Member{}, Today: st.Today(), FieldDue: map[string]string{},
		Teams: map[string]store.Team{}, Cadres: map[string][]store.Cadre{}, CadreOf: map[string]store.Cadre{}}
	// The members and cadres are read and decoded on other cores meanwhile: a county's take
	// tens of milliseconds of a login's wait for pane 1 right after a start.
	membersRead := parallel.Aside(func() ([]store.Member, error) { return st.Members(ctx, a) })
	cadresRead := parallel.Aside(func() ([]store.Cadre, error) { return st.Cadres(ctx, a) })
	cal, err := st.Calendar(ctx)
	if err != nil {
		return d, err
	}
	teams, err := st.Teams(ctx, a)
	if err != nil {
		return d, err
	}
	for _, t := range teams {
		d.Teams[t.Village] = t
	}
	villages, err := st.Villages(ctx, a)
	if err != nil {
		return d, err
	}
	for _, v := range villages {
		d.Villages[v.Code] = v
		d.FieldDue[v.Code] = cal.Deadline(v.Code, "visits.done")
		d.Ctx[v.Code] = store.GroupContext{Members: map[string]store.Member{}, Grids: map[string]store.Grid{}}
	}
	d.MultiVillage = len(villages) > 1
	grids, err := st.Grids(ctx, a)
	if err != nil {
		return d, err
	}
	for _, g := range grids {
		d.Grids[g.Code] = g
		if ctx, ok := d.Ctx[g.Village]; ok {
			ctx.Grids[g.Code] = g
		}
	}
	cadres, err := cadresRead()
	if err != nil {
		return d, err
	}
	for _, c := range cadres {
		d.Cadres[c.Village] = append(d.Cadres[c.Village], c)
		d.CadreOf[c.ID] = c
	}
	// Routes, coverage and the missed list are about the current roster: households and
	// people who moved out are neither visited nor owed a visit.
	refs, err := st.HouseholdRefs(ctx, a)
	if err != nil {
		return d, err
	}
	// The households on the current roster: the cache's own rows (shared, never changed), or
	// a copy of the few from which someone moved out.
	hhs := make([]*store.Household, 0, len(refs))
	for _, h := range refs {
		if h = h.CurrentRef(); h == nil {
			continue
		}
		hhs = append(hhs, h)
		d.Residents += len(h.Residents)
	}
	d.Households = len(hhs)
	visits, err := st.Visits(ctx, a)
	if err != nil {
		return d, err
	}
	reaches, err := st.Reaches(ctx, a)
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
	if len(reached) > 0 {
		for _, h := range hhs {
			for _, p := range h.Residents {
				if reached[p.ID] {
					d.Reached++
				}
			}
		}
	}
	// The members are waited for only now: the groups are checked against them.
	members, err := membersRead()
	if err != nil {
		return d, err
	}
	// Each village's members map is made at its size (a county's 15,000 members grew them
	// by doubling).
	perVillage := map[string]int{}
	for i := range members {
		perVillage[members[i].Village]++
	}
	for v, n := range perVillage {
		if c, ok := d.Ctx[v]; ok {
			c.Members = make(map[string]store.Member, n)
			d.Ctx[v] = c
		}
	}
	for _, m := range members {
		if ctx, ok := d.Ctx[m.Village]; ok {
			ctx.Members[m.ID] = m
		}
		if m.MovedOut == "" {
			d.Members[m.Village] = append(d.Members[m.Village], m)
		}
	}
	groups, err := st.Groups(ctx, a)
	if err != nil {
		return d, err
	}
	for _, g := range groups {
		if ctx, ok := d.Ctx[g.Village]; ok {
			ctx.Groups = append(ctx.Groups, g)
			d.Ctx[g.Village] = ctx
		}
	}
	rts, err := st.Routes(ctx, a)
	if err != nil {
		return d, err
	}
	routeOf := map[string]store.Route{}
	for _, rt := range rts {
		routeOf[rt.Group] = rt
	}
	// Households by ID, for the routes' stops and the visited count: a county's 100,000 in a
	// map cost a township's first screen after a start tens of milliseconds, so only when
	// there are visits or routes to look them up for.
	var hhByID map[string]*store.Household
	if len(visited) > 0 || len(rts) > 0 {
		hhByID = make(map[string]*store.Household, len(hhs))
		for _, h := range hhs {
			hhByID[h.ID] = h
		}
		for id := range visited {
			if _, ok := hhByID[id]; ok {
				d.VisitedHH++
			}
		}
	}
	groupOfGrid := map[string]*GroupRow{}
	for _, g := range groups {
		row := GroupRow{Group: g, Route: routeOf[g.ID], Issues: store.CheckGroup(g, d.Ctx[g.Village])}
		for _, id := range row.Route.Households {
			h, ok := hhByID[id]
			if !ok {
				continue
			}
			row.Stops = append(row.Stops, RouteStop{HH: h, Visited: visited[id]})
			if visited[id] {
				row.Visited++
			}
		}
		row.LastDay = row.Route.LastDay()
		d.Groups = append(d.Groups, row)
	}
	sort.SliceStable(d.Groups, func(i, j int) bool {
		if d.Groups[i].Group.Village != d.Groups[j].Group.Village {
			return d.Groups[i].Group.Village < d.Groups[j].Group.Village
		}
		// 第一组, 第二组, … sort by the number in their ID, not by their names' characters.
		return groupNumber(d.Groups[i].Group.ID) < groupNumber(d.Groups[j].Group.ID)
	})
	for i := range d.Groups {
		for _, gc := range d.Groups[i].Group.Grids {
			groupOfGrid[gc] = &d.Groups[i]
		}
	}
	// Coverage per village and grid, counted in one pass over the households (comparing every
	// grid with every household was 230 million string comparisons on a county).
	// The households come a grid at a time, so the map is looked up once per grid.
	perGrid := map[string]*CoverageRow{}
	var row *CoverageRow
	for i, h := range hhs {
		if i == 0 || h.Grid != hhs[i-1].Grid {
			if row = perGrid[h.Grid]; row == nil {
				row = &CoverageRow{}
				perGrid[h.Grid] = row
			}
		}
		row.Households++
		if visited[h.ID] {
			row.VisitedHH++
		}
		for _, p := range h.Residents {
			row.People++
			if reached[p.ID] {
				row.Reached++
			}
		}
	}
	today := d.Today
	d.missed = sync.OnceValue(func() []MissedRow { return missedRows(hhs, groupOfGrid, visited, reached, away, today) })
	for g, r := range perGrid {
		d.HHPerGrid[g] = r.Households
	}
	var vcodes []string
	for v := range d.Villages {
		vcodes = append(vcodes, v)
	}
	sort.Strings(vcodes)
	gridsOf := map[string][]string{}
	for gc, g := range d.Grids {
		if a.CanSee(g.Village, gc) {
			gridsOf[g.Village] = append(gridsOf[g.Village], gc)
		}
	}
	for _, v := range vcodes {
		vrow := CoverageRow{Name: d.Villages[v].Name}
		var grows []CoverageRow
		gcodes := gridsOf[v]
		sort.Strings(gcodes)
		for _, gc := range gcodes {
			row := CoverageRow{Name: "  " + d.Grids[gc].Name, Grid: true}
			if n := perGrid[gc]; n != nil {
				row.Households, row.VisitedHH, row.People, row.Reached = n.Households, n.VisitedHH, n.People, n.Reached
			}
			vrow.Households += row.Households
			vrow.VisitedHH += row.VisitedHH
			vrow.People += row.People
			vrow.Reached += row.Reached
			grows = append(grows, row)
		}
		d.Coverage = append(append(d.Coverage, vrow), grows...)
	}
	return d, nil
}

// Missed lists the households not visited, then the people of visited households not yet
// reached, by grid and address. It is made when first asked for, once for every session that
// shares the model: the list is the routes pane's `m` sheet, and a county's 100,000 rows
// (sorted by address first) were a third of a township's wait for pane 1 right after a start.
func (d Routes) Missed() []MissedRow {
	if d.missed == nil {
		return nil
	}
	return d.missed()
}

// missedRows makes the Missed list from the households on the roster, in grid order, with
// the group visiting each grid and who was visited, met and away.
func missedRows(hhs []*store.Household, groupOfGrid map[string]*GroupRow, visited, reached map[string]bool,
	away map[string]string, today string) []MissedRow {
	// The cache hands households out by grid and ID, which is often the address order
	// already: then there is nothing to sort.
	byAddress := func(x, y *store.Household) int {
		return cmp.Or(strings.Compare(x.Grid, y.Grid), strings.Compare(x.Address, y.Address))
	}
	sorted := hhs
	if !slices.IsSortedFunc(hhs, byAddress) {
		sorted = slices.Clone(hhs)
		slices.SortStableFunc(sorted, byAddress)
	}
	out := make([]MissedRow, 0, len(hhs)) // sized once: a county's are 100,000
	for _, h := range sorted {
		g := groupOfGrid[h.Grid]
		row := MissedRow{HH: h}
		if g != nil {
			row.Group, row.GroupID = g.Group.Name, g.Group.ID
			if g.LastDay != "" {
				row.DaysLeft, row.HasPlan = daysBetween(today, g.LastDay), true
			}
		}
		if !visited[h.ID] {
			out = append(out, row)
			continue
		}
		for i := range h.Residents {
			p := h.Residents[i]
			if !reached[p.ID] {
				pr := row
				pr.Resident = &h.Residents[i]
				pr.Reason = away[p.ID]
				out = append(out, pr)
			}
		}
	}
	return slices.Clip(out)
}

// groupNumber is the number a group's ID ends with (DL-G12 → 12).
func groupNumber(id string) int {
	i := len(id)
	for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
		i--
	}
	n := 0
	fmt.Sscanf(id[i:], "%d", &n)
	return n
}

// daysBetween counts days from a to b (both YYYY-MM-DD); 0 when either is malformed.
func daysBetween(a, b string) int {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}
