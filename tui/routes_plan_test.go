package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"sanbai/query"
	"sanbai/store"
)

var ctrlU = tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}

// villageUser is a village user of DL, with a name of their own (drafts are per user).
func villageUser(name string) store.User {
	return store.User{Name: name, Role: store.RoleVillage, Village: "DL"}
}

// openRoute opens the route of the group under the cursor of pane 1 and returns its group.
func openRoute(t *testing.T, r *rig) *groupRow {
	t.Helper()
	r.settle()
	rt := r.m.panes[paneRoutes].(*routes)
	g, ok := rt.selected()
	if !ok || len(g.stops) == 0 || g.visited == 0 || g.visited == len(g.stops) {
		t.Fatalf("the first group has no route half visited: %+v", g)
	}
	r.keys("enter")
	return g
}

// TestPlanOnlyUnvisited: p plans the households of the route not yet visited, from today,
// the visited ones staying on the route ahead of the plan; a plan past the village's deadline
// for the visits says by how many days, on the status line and on the route's plan line.
func TestPlanOnlyUnvisited(t *testing.T) {
	st := seeded(t)
	r := newRig(t, st, villageUser("陈静"))
	g := openRoute(t, r)
	id, left := g.g.ID, len(g.stops)-g.visited
	r.keys("p")
	if s := r.screen(); !strings.Contains(s, st.Today()) {
		t.Fatalf("the plan prompt does not start today:\n%s", s)
	}
	// One a day every third day, from today: more days than are left before the deadline.
	r.send(ctrlU)
	r.keys(strings.Split("1 today 3", "")...)
	r.keys("enter")
	r.settle()
	// The store's change feed, as the server's hub delivers it.
	r.send(ChangedMsg{Changes: []store.Change{{Kind: "route", Village: "DL", ID: id}}})
	r.settle()
	rts, _ := st.Routes(t.Context(), store.System())
	var rt store.Route
	for _, x := range rts {
		if x.Group == id {
			rt = x
		}
	}
	vs, _ := st.Visits(t.Context(), store.System())
	visited := map[string]bool{}
	for _, v := range vs {
		visited[v.Household] = true
	}
	if len(rt.Days) == 0 || rt.Days[0].Date != st.Today() {
		t.Fatalf("days %+v, want the first today", rt.Days)
	}
	for i, h := range rt.Households {
		if planned := i >= rt.Days[0].Start; planned == visited[h] {
			t.Fatalf("household %d (%s): planned %v, visited %v", i, h, planned, visited[h])
		}
	}
	if len(rt.Days) != left || rt.LastDay() != st.Now().AddDate(0, 0, 3*(left-1)).Format(time.DateOnly) {
		t.Fatalf("days %+v for %d households, one every third day", rt.Days, left)
	}
	cal, _ := st.Calendar(t.Context())
	due := cal.Deadline("DL", "visits.done")
	late := daysBetween(due, rt.LastDay())
	if late <= 0 {
		t.Fatalf("the plan (to %s) should run past the deadline %s", rt.LastDay(), due)
	}
	s := r.screen()
	if !strings.Contains(s, fmt.Sprintf("晚 %d 天", late)) && !strings.Contains(s, fmt.Sprintf("%s %d 天!", shortDate(due), late)) {
		t.Fatalf("no warning of %d days past %s:\n%s", late, due, s)
	}
	if !strings.Contains(s, fmt.Sprintf("超过走访截止日 %s %d 天!", shortDate(due), late)) {
		t.Fatalf("the plan line does not say it runs late:\n%s", s)
	}
	// The cursor is on the first household planned; n visits it.
	first := rt.Households[rt.Days[0].Start]
	r.keys("n")
	r.settle()
	if v := r.m.panes[paneVisits].(*visits); r.m.active != paneVisits || v.form == nil || v.body.d.Household != first {
		t.Fatalf("n after the plan: pane %d, want the form of %s\n%s", r.m.active, first, r.screen())
	}
}

// TestPlanRefusesThePast: a plan cannot start before today, and a route all visited has
// nothing to plan.
func TestPlanRefusesThePast(t *testing.T) {
	st := seeded(t)
	r := newRig(t, st, villageUser("陈静"))
	openRoute(t, r)
	r.keys("p")
	r.send(ctrlU)
	yesterday := st.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	r.keys(strings.Split("5 "+yesterday+" 1", "")...)
	r.keys("enter")
	r.settle()
	if s := r.screen(); !strings.Contains(s, yesterday) || !strings.Contains(s, "早于") && !strings.Contains(s, "之前") && !strings.Contains(s, "过去") {
		t.Fatalf("a plan from yesterday was not refused:\n%s", s)
	}
}

// TestMissedListFiltersAndVisits: in the missed list, f picks a grid, / searches, and enter on
// a household not visited opens its visit form — typed as one burst, whenever the Visits
// pane's data arrives.
func TestMissedListFiltersAndVisits(t *testing.T) {
	st := seeded(t)
	for _, when := range []string{"before", "after-last", "each"} {
		t.Run(when, func(t *testing.T) {
			r := newRig(t, st, villageUser("陈静"+when))
			r.settle()
			rt := r.m.panes[paneRoutes].(*routes)
			// A household not visited in a grid, and a word of its address no other
			// household of the grid left has.
			var want query.MissedRow
			var grid string
			for _, m := range rt.d.missedRows() {
				if m.Resident == nil && m.HH.Grid != rt.d.missedRows()[0].HH.Grid {
					want, grid = m, rt.d.grids[m.HH.Grid].Name
					break
				}
			}
			n := 0
			for _, m := range rt.d.missedRows() {
				if m.HH.Grid == want.HH.Grid && m.HH.Address == want.HH.Address {
					n++
				}
			}
			if want.HH == nil || n != 1 {
				t.Fatalf("no household to look for: %+v", want)
			}
			keys := append([]string{"m", "f"}, strings.Split(grid, "")...)
			keys = append(keys, "enter", "/")
			keys = append(keys, strings.Split(want.HH.Address, "")...)
			keys = append(keys, "enter", "enter")
			r.burst(when, is[visitsLoaded], keys...)
			v := r.m.panes[paneVisits].(*visits)
			if r.m.active != paneVisits || v.form == nil || v.body.d.Household != want.HH.ID {
				t.Fatalf("pane %d, want the visit form of %s (%s)\n%s", r.m.active, want.HH.ID, want.HH.Address, r.screen())
			}
		})
	}
}

// TestMissedEnterOnPersonAsksHow: enter on a person not met asks how they were reached, with
// 电话 written in; the answer records the reach.
func TestMissedEnterOnPersonAsksHow(t *testing.T) {
	st := seeded(t)
	r := newRig(t, st, villageUser("陈静"))
	r.settle()
	rt := r.m.panes[paneRoutes].(*routes)
	i := slices.IndexFunc(rt.d.missedRows(), func(m query.MissedRow) bool { return m.Resident != nil })
	person := rt.d.missedRows()[i]
	r.keys("m")
	before := r.lineWith("未覆盖：")
	for range i {
		r.keys("down")
	}
	r.keys("enter")
	if s := r.screen(); !strings.Contains(s, person.Resident.Name+" 怎么联系上的") || !strings.Contains(s, ": 电话") {
		t.Fatalf("no question about %s:\n%s", person.Resident.Name, s)
	}
	r.keys(strings.Split("在外地，打电话问过", "")...)
	r.keys("enter")
	r.settle()
	reaches, _ := st.Reaches(t.Context(), store.System())
	if len(reaches) != 1 || reaches[0].Resident != person.Resident.ID || reaches[0].How != "电话" || reaches[0].Note != "在外地，打电话问过" {
		t.Fatalf("reaches: %+v", reaches)
	}
	// The store's feed tells the session (a rig has no feed), and the open sheet follows the
	// reload: one person fewer, the list made again for it.
	r.send(ChangedMsg{Changes: []store.Change{{Kind: "reach", Village: person.HH.Village}}})
	r.settle()
	var hh, people, hh2, people2 int
	fmt.Sscanf(strings.TrimSpace(before), "未覆盖：%d 户未走访，%d 人未见面", &hh, &people)
	fmt.Sscanf(strings.TrimSpace(r.lineWith("未覆盖：")), "未覆盖：%d 户未走访，%d 人未见面", &hh2, &people2)
	if hh2 != hh || people2 != people-1 || people == 0 {
		t.Fatalf("after the reach: %q, before %q", r.lineWith("未覆盖："), before)
	}
}

// TestTeamSheet: t shows the village's team; a adds a guiding officer picked by the pinyin of
// their post, d takes one off after a yes; a grid user is told the village does this.
func TestTeamSheet(t *testing.T) {
	st := seeded(t)
	r := newRig(t, st, villageUser("陈静"))
	r.settle()
	dl := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	teams, _ := st.Teams(t.Context(), dl)
	cadres, _ := st.Cadres(t.Context(), dl)
	name := map[string]string{}
	for _, c := range cadres {
		name[c.ID] = c.Name
	}
	if s := r.screen(); !strings.Contains(s, "走访小队 队长 "+name[teams[0].Captain]) {
		t.Fatalf("no team line:\n%s", s)
	}
	// A cadre on no team, whose name's initials no other cadre of DL shares.
	var pick store.Cadre
	for _, c := range cadres {
		if c.ID == teams[0].Captain || slices.Contains(teams[0].Officers, c.ID) {
			continue
		}
		n := 0
		for _, o := range cadres {
			if matches(searchKey(o.Name, o.Post), initialsOf(c.Name)) {
				n++
			}
		}
		if n == 1 {
			pick = c
			break
		}
	}
	r.keys("t", "a")
	r.keys(strings.Split(initialsOf(pick.Name), "")...)
	r.keys("enter")
	r.settle()
	r.send(ChangedMsg{Changes: []store.Change{{Kind: "team", Village: "DL"}}})
	r.settle()
	after, _ := st.Teams(t.Context(), dl)
	if !slices.Contains(after[0].Officers, pick.ID) || !strings.Contains(r.screen(), pick.Name) {
		t.Fatalf("officers %v, want %s added\n%s", after[0].Officers, pick.ID, r.screen())
	}
	// The new officer is the last row; d then y takes them off.
	r.send(tea.KeyPressMsg{Code: tea.KeyEnd})
	r.keys("d", "y")
	r.settle()
	after, _ = st.Teams(t.Context(), dl)
	if slices.Contains(after[0].Officers, pick.ID) || len(after[0].Officers) != len(teams[0].Officers) {
		t.Fatalf("officers %v after d y", after[0].Officers)
	}
	g := newRig(t, st, store.User{Name: "格", Role: store.RoleGrid, Village: "DL", Grid: "DL01"})
	g.settle()
	g.keys("t", "a")
	if s := g.screen(); !strings.Contains(s, "分组由新村负责") {
		t.Fatalf("a grid user was not told:\n%s", s)
	}
}

// initialsOf is a name's pinyin initials (王建国 → wjg).
func initialsOf(name string) string { return strings.Split(searchKey(name), "\x00")[2] }
