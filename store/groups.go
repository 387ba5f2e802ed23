package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"sanbai/clean"
)

// RuleIssue is one way a group breaks the plan's rules for building groups across grid
// lines. An error stops the group being saved; a warning (a member of the visited grid with a
// recorded reason) is shown but allowed.
type RuleIssue struct {
	Code    string // leader.none, leader.notsecretary, leader.samegrid, deputy.none, deputy.othergrid, member.samegrid, member.twogroups, grids.none, member.unknown, member.movedout
	Member  string // the member concerned, if any
	Other   string // the other group, for member.twogroups
	Warning bool
}

// GroupContext is what the rules need besides the group: the village's members, grids and
// its other groups.
type GroupContext struct {
	Members map[string]Member
	Grids   map[string]Grid
	Groups  []Group // every group of the village, the one checked included or not
}

// CheckGroup applies the plan's rules to a group (三、(二) of the plan): the leader is the grid
// secretary of a grid other than those visited; the deputy is a party member of a visited
// grid; the other members are, as a rule, not of the visited grids (an exception needs a
// recorded reason and is then a warning); nobody is in two groups at once.
func CheckGroup(g Group, ctx GroupContext) []RuleIssue {
	var out []RuleIssue
	visited := func(grid string) bool { return slices.Contains(g.Grids, grid) }
	if len(g.Grids) == 0 {
		out = append(out, RuleIssue{Code: "grids.none"})
	}
	if g.Leader == "" {
		out = append(out, RuleIssue{Code: "leader.none"})
	} else {
		secretaryOf := ""
		for _, gr := range ctx.Grids {
			if gr.Secretary == g.Leader {
				secretaryOf = gr.Code
			}
		}
		switch {
		case secretaryOf == "":
			out = append(out, RuleIssue{Code: "leader.notsecretary", Member: g.Leader})
		case visited(secretaryOf):
			out = append(out, RuleIssue{Code: "leader.samegrid", Member: g.Leader})
		}
	}
	if g.Deputy == "" {
		out = append(out, RuleIssue{Code: "deputy.none"})
	} else if m, ok := ctx.Members[g.Deputy]; !ok || !visited(m.Grid) {
		out = append(out, RuleIssue{Code: "deputy.othergrid", Member: g.Deputy})
	}
	for _, id := range g.Members {
		m, ok := ctx.Members[id]
		switch {
		case !ok:
			out = append(out, RuleIssue{Code: "member.unknown", Member: id})
		case visited(m.Grid):
			out = append(out, RuleIssue{Code: "member.samegrid", Member: id, Warning: strings.TrimSpace(g.Exceptions[id]) != ""})
		}
	}
	everyone := append([]string{g.Leader, g.Deputy}, g.Members...)
	seen := map[string]bool{}
	for _, id := range everyone {
		if id == "" {
			continue
		}
		if seen[id] {
			out = append(out, RuleIssue{Code: "member.twice", Member: id})
		}
		seen[id] = true
		if m, ok := ctx.Members[id]; ok && m.MovedOut != "" {
			// The roster says the member left the village: the group needs someone else.
			out = append(out, RuleIssue{Code: "member.movedout", Member: id})
		}
		for _, o := range ctx.Groups {
			if o.ID == g.ID {
				continue
			}
			if o.Leader == id || o.Deputy == id || slices.Contains(o.Members, id) {
				out = append(out, RuleIssue{Code: "member.twogroups", Member: id, Other: o.Name})
			}
		}
	}
	return out
}

// HasErrors reports whether any issue is an error rather than a warning.
func HasErrors(issues []RuleIssue) bool {
	return slices.ContainsFunc(issues, func(i RuleIssue) bool { return !i.Warning })
}

// GroupRuleError carries the issues that stopped a group being saved.
type GroupRuleError struct{ Issues []RuleIssue }

func (e *GroupRuleError) Error() string {
	var codes []string
	for _, i := range e.Issues {
		if !i.Warning {
			codes = append(codes, i.Code)
		}
	}
	return "the group breaks the rules: " + strings.Join(codes, ", ")
}

// groupContext reads a village's members, grids and groups inside a transaction.
func groupContext(tx *Tx, village string) (GroupContext, error) {
	ctx := GroupContext{Members: map[string]Member{}, Grids: map[string]Grid{}}
	err := scanTx(tx, "member/"+village+"/", func(m Member) { ctx.Members[m.ID] = m })
	if err == nil {
		err = scanTx(tx, "grid/"+village+"/", func(g Grid) { ctx.Grids[g.Code] = g })
	}
	if err == nil {
		err = scanTx(tx, "group/"+village+"/", func(g Group) { ctx.Groups = append(ctx.Groups, g) })
	}
	return ctx, err
}

// scanTx decodes every row under prefix inside a transaction (so the rows are read for
// conflict detection).
func scanTx[T any](tx *Tx, prefix string, each func(T)) error {
	it := tx.txn.NewIterator(IteratorOptions{Prefix: []byte(prefix), PrefetchValues: true})
	defer it.Close()
	var keys []string
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, string(it.Item().KeyCopy(nil)))
	}
	for _, k := range keys {
		var v T
		if _, err := tx.get(k, &v); err != nil {
			return err
		}
		each(v)
	}
	return nil
}

// canBuild reports whether the actor may build the village's groups and routes.
func (a Actor) canBuild(village string) error {
	if a.Role == RoleGrid {
		return outOfScope("groups.who")
	}
	return a.CanChange(village, "")
}

// SaveGroup creates (empty ID) or updates a group after checking the rules; a breach is
// returned as a *GroupRuleError listing every issue. A new group gets a route through its
// grids' households, by address.
func (s *Store) SaveGroup(ctx context.Context, a Actor, g Group) (Group, []RuleIssue, error) {
	if err := a.canBuild(g.Village); err != nil {
		return Group{}, nil, err
	}
	g.Name = clean.Line(g.Name)
	if g.Name == "" {
		return Group{}, nil, refuse("group.name")
	}
	// Work on copies: the caller's slices and map stay as they were.
	g.Grids, g.Members = slices.Clone(g.Grids), slices.Clone(g.Members)
	exceptions := map[string]string{}
	for k, v := range g.Exceptions {
		if v = clean.Text(v); v != "" && slices.Contains(g.Members, k) {
			exceptions[k] = v
		}
	}
	g.Exceptions = exceptions
	var issues []RuleIssue
	id := g.ID
	err := s.update(ctx, a, func(tx *Tx) error {
		g.ID = id // a retried transaction numbers a new group again
		ctx, err := groupContext(tx, g.Village)
		if err != nil {
			return err
		}
		issues = CheckGroup(g, ctx)
		if HasErrors(issues) {
			return &GroupRuleError{Issues: issues}
		}
		var before []byte
		isNew := g.ID == ""
		if isNew {
			n, err := tx.nextSeq("group/" + g.Village)
			if err != nil {
				return err
			}
			g.ID = fmt.Sprintf("%s-G%d", g.Village, n)
		} else {
			var old Group
			if before, err = tx.get(groupKey(g.Village, g.ID), &old); err != nil {
				return err
			}
		}
		if err := tx.put("group.save", groupKey(g.Village, g.ID), before, g, Change{Kind: "group", Village: g.Village, ID: g.ID}); err != nil {
			return err
		}
		return s.routeFor(tx, g, isNew)
	})
	return g, issues, err
}

// routeFor gives a group a route through its grids' households, ordered by address; an
// existing route keeps its order and days for the households still in its grids.
func (s *Store) routeFor(tx *Tx, g Group, isNew bool) error {
	var hhs []Household
	for _, grid := range g.Grids {
		if err := scanTx(tx, "household/"+g.Village+"/"+grid+"/", func(h Household) { hhs = append(hhs, h) }); err != nil {
			return err
		}
	}
	slices.SortStableFunc(hhs, func(x, y Household) int { return cmp.Compare(x.Address, y.Address) })
	var r Route
	before, err := tx.get(routeKey(g.Village, g.ID), &r)
	if err != nil && err != ErrNotFound {
		return err
	}
	in := map[string]bool{}
	for _, h := range hhs {
		in[h.ID] = true
	}
	var order []string
	for _, id := range r.Households {
		if in[id] {
			order = append(order, id)
			delete(in, id)
		}
	}
	for _, h := range hhs {
		if in[h.ID] {
			order = append(order, h.ID)
		}
	}
	r.Group, r.Village = g.ID, g.Village
	if slices.Equal(order, r.Households) && !isNew {
		return nil
	}
	r.Households = order
	return tx.put("route.save", routeKey(g.Village, g.ID), before, r, Change{Kind: "route", Village: g.Village, ID: g.ID})
}

// DissolveGroup deletes a group and its route; visits it made keep its ID in their records.
func (s *Store) DissolveGroup(ctx context.Context, a Actor, village, id string) error {
	if err := a.canBuild(village); err != nil {
		return err
	}
	return s.update(ctx, a, func(tx *Tx) error {
		var g Group
		before, err := tx.get(groupKey(village, id), &g)
		if err != nil {
			return err
		}
		var r Route
		if rb, err := tx.get(routeKey(village, id), &r); err == nil {
			if err := tx.del("route.remove", routeKey(village, id), rb, Change{Kind: "route", Village: village, ID: id}); err != nil {
				return err
			}
		}
		return tx.del("group.dissolve", groupKey(village, id), before, Change{Kind: "group", Village: village, ID: id})
	})
}

// SaveRoute stores a group's route order and days. Only households of the group's grids may
// be on it, each once.
func (s *Store) SaveRoute(ctx context.Context, a Actor, r Route) error {
	if err := a.canBuild(r.Village); err != nil {
		return err
	}
	return s.update(ctx, a, func(tx *Tx) error {
		var g Group
		if _, err := tx.get(groupKey(r.Village, r.Group), &g); err != nil {
			return err
		}
		var old Route
		before, err := tx.get(routeKey(r.Village, r.Group), &old)
		if err != nil && err != ErrNotFound {
			return err
		}
		a, b := slices.Clone(old.Households), slices.Clone(r.Households)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			return refuse("route.members")
		}
		for _, d := range r.Days {
			if _, err := time.Parse(time.DateOnly, d.Date); err != nil || d.Start < 0 || d.Start >= len(r.Households) {
				return refuse("route.day")
			}
		}
		return tx.put("route.save", routeKey(r.Village, r.Group), before, r, Change{Kind: "route", Village: r.Village, ID: r.Group})
	})
}

// PlanUnvisited plans a route's days over the households not yet visited, from start: the
// visited ones move to the front of the route in their order (they need no day), the others
// keep theirs and are cut into days of perDay, one planned day every `every` days. A route
// all visited has no days left to plan.
func PlanUnvisited(r Route, visited func(household string) bool, perDay int, start time.Time, every int) Route {
	var done, todo []string
	for _, h := range r.Households {
		if visited(h) {
			done = append(done, h)
		} else {
			todo = append(todo, h)
		}
	}
	r.Households = append(done, todo...)
	r.Days = nil
	perDay, every = max(perDay, 1), max(every, 1)
	for i, n := 0, 0; i < len(todo); i, n = i+perDay, n+1 {
		r.Days = append(r.Days, RouteDay{Date: start.AddDate(0, 0, n*every).Format(time.DateOnly), Start: len(done) + i})
	}
	return r
}

// LastDay is the date of a route's last planned day, "" when none is planned.
func (r Route) LastDay() string {
	last := ""
	for _, d := range r.Days {
		last = max(last, d.Date)
	}
	return last
}

// SuggestGroups proposes one group per grid for a village, following every rule: each led by
// the secretary of another grid (in rotation), a deputy of the visited grid, and the other
// party members of the village spread over the groups so that households per member are as
// even as the numbers allow, none of them of the grid their group visits.
func SuggestGroups(village string, grids []Grid, members []Member, households map[string]int) []Group {
	slices.SortFunc(grids, func(a, b Grid) int { return cmp.Compare(a.Code, b.Code) })
	n := len(grids)
	if n < 2 {
		return nil // with one grid nobody can lead across grid lines
	}
	used := map[string]bool{}
	for _, g := range grids {
		used[g.Secretary] = true
	}
	byGrid := map[string][]Member{}
	for _, m := range members {
		byGrid[m.Grid] = append(byGrid[m.Grid], m)
	}
	for k := range byGrid {
		slices.SortFunc(byGrid[k], func(a, b Member) int { return cmp.Compare(a.ID, b.ID) })
	}
	groups := make([]Group, n)
	for i, g := range grids {
		groups[i] = Group{Village: village, Name: GroupName(i + 1), Grids: []string{g.Code},
			Leader: grids[(i+1)%n].Secretary}
		for _, m := range byGrid[g.Code] {
			if !used[m.ID] {
				groups[i].Deputy = m.ID
				used[m.ID] = true
				break
			}
		}
	}
	// The rest go, one at a time, to the group with the most households per person among
	// those they may join (not the grid they live in).
	var rest []Member
	for _, m := range members {
		if !used[m.ID] {
			rest = append(rest, m)
		}
	}
	slices.SortFunc(rest, func(a, b Member) int { return cmp.Compare(a.ID, b.ID) })
	load := func(i int) float64 {
		return float64(households[grids[i].Code]) / float64(2+len(groups[i].Members))
	}
	for _, m := range rest {
		best := -1
		for i := range groups {
			if grids[i].Code == m.Grid {
				continue
			}
			if best < 0 || load(i) > load(best) {
				best = i
			}
		}
		if best >= 0 {
			groups[best].Members = append(groups[best].Members, m.ID)
		}
	}
	return groups
}

// ReplaceGroups dissolves a village's groups and saves the given ones in one transaction (an
// accepted suggestion). Every group must pass the rules.
func (s *Store) ReplaceGroups(ctx context.Context, a Actor, village string, groups []Group) ([]Group, error) {
	if err := a.canBuild(village); err != nil {
		return nil, err
	}
	var out []Group
	err := s.update(ctx, a, func(tx *Tx) error {
		out = nil
		ctx, err := groupContext(tx, village)
		if err != nil {
			return err
		}
		for _, old := range ctx.Groups {
			b, err := tx.get(groupKey(village, old.ID), &Group{})
			if err != nil {
				return err
			}
			if err := tx.del("group.dissolve", groupKey(village, old.ID), b, Change{Kind: "group", Village: village, ID: old.ID}); err != nil {
				return err
			}
			if rb, err := tx.get(routeKey(village, old.ID), &Route{}); err == nil {
				if err := tx.del("route.remove", routeKey(village, old.ID), rb, Change{Kind: "route", Village: village, ID: old.ID}); err != nil {
					return err
				}
			}
		}
		ctx.Groups = nil
		for _, g := range groups {
			g.Village, g.ID = village, ""
			if issues := CheckGroup(g, ctx); HasErrors(issues) {
				return &GroupRuleError{Issues: issues}
			}
			n, err := tx.nextSeq("group/" + village)
			if err != nil {
				return err
			}
			g.ID = fmt.Sprintf("%s-G%d", village, n)
			if err := tx.put("group.save", groupKey(village, g.ID), nil, g, Change{Kind: "group", Village: village, ID: g.ID}); err != nil {
				return err
			}
			if err := s.routeFor(tx, g, true); err != nil {
				return err
			}
			ctx.Groups = append(ctx.Groups, g)
			out = append(out, g)
		}
		return nil
	})
	return out, err
}

// Reach records that a resident not met at a visit was reached another way (phone, a
// relative), and who recorded it: they then count as reached for coverage (户不漏人).
type Reach struct {
	Village  string    `json:"village"`
	Grid     string    `json:"grid"`
	Resident string    `json:"resident"`
	How      string    `json:"how"`
	Note     string    `json:"note,omitempty"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

func reachKey(village, resident string) string { return "reach/" + village + "/" + resident }

// Reaches returns the residents reached another way, in the actor's scope.
func (s *Store) Reaches(ctx context.Context, a Actor) ([]Reach, error) {
	return scan(ctx, s.db, a.villagePrefix("reach"), func(r *Reach) bool { return a.CanSee(r.Village, r.Grid) })
}

// RecordReach marks a resident of a household as reached another way.
func (s *Store) RecordReach(ctx context.Context, a Actor, village, household, resident, how, note string) (Reach, error) {
	how = clean.Line(how)
	if how == "" {
		return Reach{}, refuse("reach.how")
	}
	var r Reach
	err := s.update(ctx, a, func(tx *Tx) error {
		hh, _, _, err := findHousehold(tx, village, household)
		if err != nil || !a.CanSee(hh.Village, hh.Grid) {
			return ErrNotFound
		}
		if err := a.CanChange(hh.Village, hh.Grid); err != nil {
			return err
		}
		if !slices.ContainsFunc(hh.Residents, func(x Resident) bool { return x.ID == resident }) {
			return ErrNotFound
		}
		r = Reach{Village: hh.Village, Grid: hh.Grid, Resident: resident, How: how, Note: clean.Text(note), By: a.Name, At: tx.at}
		var old Reach
		before, err := tx.get(reachKey(hh.Village, resident), &old)
		if err != nil && err != ErrNotFound {
			return err
		}
		return tx.put("resident.reached", reachKey(hh.Village, resident), before, r, Change{Kind: "reach", Village: hh.Village, ID: resident})
	})
	return r, err
}

// GroupName is the usual name of the nth group of a village: 第一组, 第二组, …
func GroupName(n int) string { return "第" + chineseNumber(n) + "组" }

// chineseNumber writes 1–99 the way group names do: 一, 十, 十二, 二十三.
func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 10:
		return digits[n]
	case n < 20:
		if n == 10 {
			return "十"
		}
		return "十" + digits[n%10]
	case n < 100:
		s := digits[n/10] + "十"
		if n%10 != 0 {
			s += digits[n%10]
		}
		return s
	}
	return fmt.Sprint(n)
}
