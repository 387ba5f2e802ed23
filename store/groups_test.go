package store

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// ruleWorld is a village of three grids with secretaries and members.
func ruleWorld() GroupContext {
	ctx := GroupContext{Members: map[string]Member{}, Grids: map[string]Grid{}}
	for i, g := range []string{"DL01", "DL02", "DL03"} {
		ctx.Grids[g] = Grid{Code: g, Village: "DL", Secretary: "S" + g}
		ctx.Members["S"+g] = Member{ID: "S" + g, Village: "DL", Grid: g}
		for j := 0; j < 3; j++ {
			id := g + "-M" + string(rune('a'+j))
			ctx.Members[id] = Member{ID: id, Village: "DL", Grid: g, Name: string(rune('甲' + i*3 + j))}
		}
	}
	return ctx
}

func codes(issues []RuleIssue) []string {
	var out []string
	for _, i := range issues {
		c := i.Code
		if i.Warning {
			c += "(warning)"
		}
		out = append(out, c)
	}
	return out
}

func TestGroupRules(t *testing.T) {
	ctx := ruleWorld()
	good := Group{ID: "G1", Village: "DL", Name: "第一组", Grids: []string{"DL01"}, Leader: "SDL02", Deputy: "DL01-Ma", Members: []string{"DL02-Ma", "DL03-Ma"}}
	if issues := CheckGroup(good, ctx); len(issues) != 0 {
		t.Fatalf("a good group: %v", codes(issues))
	}
	cases := []struct {
		mut  func(*Group)
		want string
	}{
		{func(g *Group) { g.Leader = "SDL01" }, "leader.samegrid"},
		{func(g *Group) { g.Leader = "DL02-Mb" }, "leader.notsecretary"},
		{func(g *Group) { g.Leader = "" }, "leader.none"},
		{func(g *Group) { g.Deputy = "DL02-Mb" }, "deputy.othergrid"},
		{func(g *Group) { g.Deputy = "" }, "deputy.none"},
		{func(g *Group) { g.Members = append(g.Members, "DL01-Mb") }, "member.samegrid"},
		{func(g *Group) {
			g.Members = append(g.Members, "DL01-Mb")
			g.Exceptions = map[string]string{"DL01-Mb": "熟悉本格老人情况"}
		}, "member.samegrid(warning)"},
		{func(g *Group) { g.Grids = nil }, "grids.none"},
		{func(g *Group) { g.Members = append(g.Members, "DL03-Mb") }, "member.twogroups"},
	}
	ctx.Groups = []Group{{ID: "G2", Name: "第二组", Grids: []string{"DL02"}, Leader: "SDL03", Deputy: "DL02-Mc", Members: []string{"DL03-Mb"}}}
	for _, c := range cases {
		g := good
		g.Members = slices.Clone(good.Members)
		c.mut(&g)
		got := codes(CheckGroup(g, ctx))
		if !slices.Contains(got, c.want) {
			t.Errorf("want %s, got %v", c.want, got)
		}
	}
}

func TestSaveGroupRefusesABreachAndBuildsARoute(t *testing.T) {
	s, _ := openClocked(t)
	v := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	bad := Group{Village: "DL", Name: "第一组", Grids: []string{"DL01"}}
	_, _, err := s.SaveGroup(t.Context(), v, bad)
	var rule *GroupRuleError
	if !errors.As(err, &rule) || len(rule.Issues) < 2 {
		t.Fatalf("a group with no leader or deputy: %v", err)
	}
	if _, _, err := s.SaveGroup(t.Context(), Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: "DL01"}, bad); !errors.Is(err, ErrScope) {
		t.Fatalf("grid user built a group: %v", err)
	}
}

// TestPlanUnvisited: the days cover only the households not visited, in route order, from
// the day given; the visited ones stay on the route, ahead of the plan.
func TestPlanUnvisited(t *testing.T) {
	r := Route{Households: []string{"a", "b", "c", "d", "e", "f"}}
	seen := map[string]bool{"b": true, "e": true}
	p := PlanUnvisited(r, func(h string) bool { return seen[h] }, 3, mustDate("2026-12-05"), 2)
	if !slices.Equal(p.Households, []string{"b", "e", "a", "c", "d", "f"}) {
		t.Fatalf("order: %v", p.Households)
	}
	want := []RouteDay{{Date: "2026-12-05", Start: 2}, {Date: "2026-12-07", Start: 5}}
	if !slices.Equal(p.Days, want) || p.LastDay() != "2026-12-07" {
		t.Fatalf("days: %+v", p.Days)
	}
	all := PlanUnvisited(r, func(string) bool { return true }, 3, mustDate("2026-12-05"), 1)
	if len(all.Days) != 0 || all.LastDay() != "" || len(all.Households) != 6 {
		t.Fatalf("all visited: %+v", all)
	}
}

func mustDate(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func TestGroupName(t *testing.T) {
	for n, want := range map[int]string{1: "第一组", 10: "第十组", 12: "第十二组", 20: "第二十组", 23: "第二十三组"} {
		if got := GroupName(n); got != want {
			t.Errorf("%d: %s, want %s", n, got, want)
		}
	}
}

// TestGroupMemberMovedOut: a member the roster marks as moved out breaks the group's rules,
// so a group built before the import shows what to fix.
func TestGroupMemberMovedOut(t *testing.T) {
	ctx := GroupContext{
		Grids: map[string]Grid{"A": {Code: "A", Secretary: "m1"}, "B": {Code: "B", Secretary: "m2"}},
		Members: map[string]Member{"m1": {ID: "m1", Grid: "A"}, "m2": {ID: "m2", Grid: "B"},
			"m3": {ID: "m3", Grid: "B", MovedOut: "2026-11-20"}, "m4": {ID: "m4", Grid: "C"}},
	}
	g := Group{ID: "g1", Grids: []string{"B"}, Leader: "m1", Deputy: "m3", Members: []string{"m4"}}
	issues := CheckGroup(g, ctx)
	if len(issues) != 1 || issues[0].Code != "member.movedout" || issues[0].Member != "m3" || issues[0].Warning {
		t.Fatalf("issues %+v; want one error member.movedout for m3", issues)
	}
}
