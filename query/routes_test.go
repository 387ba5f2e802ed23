package query_test

import (
	"strings"
	"testing"
	"time"

	"sanbai/demo"
	"sanbai/query"
	"sanbai/store"
)

// TestLoadRoutesScope: pane 1's read model for a grid secretary holds only their grid — its
// households, the group visiting it, its coverage and missed rows — with phones masked, and
// adds up to the township's rows of that grid.
func TestLoadRoutesScope(t *testing.T) {
	day := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := demo.Seed(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	grid := store.Actor{Name: "格", Role: store.RoleGrid, Village: "DL", Grid: "DL02"}
	g, err := query.LoadRoutes(t.Context(), st, grid)
	if err != nil {
		t.Fatal(err)
	}
	all, err := query.LoadRoutes(t.Context(), st, store.System())
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Groups) == 0 || g.Households == 0 || g.Households != all.HHPerGrid["DL02"] {
		t.Fatalf("grid user: %d groups, %d households; the grid has %d", len(g.Groups), g.Households, all.HHPerGrid["DL02"])
	}
	for _, row := range g.Groups {
		if len(row.Group.Grids) == 0 || !strings.Contains(strings.Join(row.Group.Grids, ","), "DL02") {
			t.Fatalf("a group not visiting DL02: %+v", row.Group)
		}
	}
	for _, m := range g.Missed() {
		if m.HH.Grid != "DL02" {
			t.Fatalf("a missed row of %s", m.HH.Grid)
		}
		if p := m.HH.Head().Phone; p != "" && !strings.Contains(p, "****") {
			t.Fatalf("a full phone: %s", p)
		}
	}
	var cov []string
	for _, c := range g.Coverage {
		cov = append(cov, c.Name)
	}
	if len(g.Coverage) != 2 || !g.Coverage[1].Grid || g.Coverage[1].Households != g.Households {
		t.Fatalf("coverage rows %v", cov)
	}
}
