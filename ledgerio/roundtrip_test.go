package ledgerio

import (
	"strings"
	"testing"

	"sanbai/store"
)

// testResidentsExportImportIsNoOp exports the demo township's roster and imports it back, as
// CSV (the whole township) and as xlsx (one village, with its cadres and grids sheets), as the
// township and as a village user: nothing changes.
func testResidentsExportImportIsNoOp(t *testing.T, st *store.Store) {
	village := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "XH"}
	for _, c := range []struct {
		who             store.Actor
		format, village string
	}{{store.System(), "csv", ""}, {store.System(), "xlsx", "NS"}, {village, "xlsx", ""}} {
		data := export(t, st, c.who, "residents", c.format, c.village)
		p := parse(t, st, c.who, data, "residents."+c.format)
		if len(p.Problems) > 0 {
			t.Fatalf("%s %s: problems:\n%s", c.who.Name, c.format, strings.Join(FormatProblems(p.Problems, "en", 20), "\n"))
		}
		rep, err := st.ImportRoster(t.Context(), c.who, p.Roster, store.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Empty() || rep.Written {
			t.Fatalf("%s %s: %d changes, first %+v", c.who.Name, c.format, len(rep.Changes), rep.Changes[0])
		}
		if rep.Residents.Unchanged == 0 || rep.Households.Unchanged == 0 || rep.Members.Unchanged == 0 {
			t.Fatalf("%s %s: nothing compared: %+v", c.who.Name, c.format, rep)
		}
		if c.format == "xlsx" && (rep.Cadres.Unchanged == 0 || rep.Teams.Unchanged == 0) {
			t.Fatalf("%s: cadres not compared: %+v %+v", c.who.Name, rep.Cadres, rep.Teams)
		}
	}
}
