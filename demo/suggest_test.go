package demo

import (
	"testing"
	"time"

	"sanbai/store"
)

// TestSuggestGroupsForEveryVillage: for every village of the demo township, the suggested
// groups break no rule, cover every grid, take every member at most once, and balance
// households per person within a factor the numbers allow.
func TestSuggestGroupsForEveryVillage(t *testing.T) {
	d := Generate(DefaultSeed, time.Date(2026, 11, 26, 0, 0, 0, 0, time.Local))
	for _, v := range d.Villages {
		var grids []store.Grid
		ctx := store.GroupContext{Members: map[string]store.Member{}, Grids: map[string]store.Grid{}}
		for _, g := range d.Grids {
			if g.Village == v.Code {
				grids = append(grids, g)
				ctx.Grids[g.Code] = g
			}
		}
		var members []store.Member
		for _, m := range d.Members {
			if m.Village == v.Code {
				members = append(members, m)
				ctx.Members[m.ID] = m
			}
		}
		households := map[string]int{}
		for _, h := range d.Households {
			if h.Village == v.Code {
				households[h.Grid]++
			}
		}
		groups := store.SuggestGroups(v.Code, grids, members, households)
		if len(groups) != len(grids) {
			t.Fatalf("%s: %d groups for %d grids", v.Code, len(groups), len(grids))
		}
		seen := map[string]bool{}
		minLoad, maxLoad := 1e9, 0.0
		for i := range groups {
			groups[i].ID = groups[i].Name
		}
		ctx.Groups = groups
		for _, g := range groups {
			if issues := store.CheckGroup(g, ctx); len(issues) > 0 {
				t.Fatalf("%s %s breaks the rules: %+v", v.Code, g.Name, issues)
			}
			for _, id := range append([]string{g.Leader, g.Deputy}, g.Members...) {
				if seen[id] {
					t.Fatalf("%s: %s in two groups", v.Code, id)
				}
				seen[id] = true
			}
			load := float64(households[g.Grids[0]]) / float64(2+len(g.Members))
			minLoad, maxLoad = min(minLoad, load), max(maxLoad, load)
		}
		if maxLoad > 2*minLoad {
			t.Errorf("%s: households per member range %.1f–%.1f, not balanced", v.Code, minLoad, maxLoad)
		}
		t.Logf("%s: %d groups, %.1f–%.1f households per member", v.Code, len(groups), minLoad, maxLoad)
	}
}
