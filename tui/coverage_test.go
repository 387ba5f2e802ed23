package tui

import (
	"strings"
	"testing"

	"sanbai/store"
)

// TestCoverageByHand: three households, six people, two visits and one person reached by
// phone; the counts are worked out by hand below.
func TestCoverageByHand(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hh := func(id, grid string, n int) store.Household {
		h := store.Household{ID: id, Village: "DL", Grid: grid, Address: id}
		for i := 0; i < n; i++ {
			h.Residents = append(h.Residents, store.Resident{ID: id + "-" + string(rune('1'+i)), Name: "某" + string(rune('甲'+i))})
		}
		return h
	}
	d := store.Dataset{
		Township:   store.Township{Name: "青石镇"},
		Villages:   []store.Village{{Code: "DL", Name: "东岭新村"}},
		Grids:      []store.Grid{{Code: "DL01", Village: "DL", Name: "1网格"}, {Code: "DL02", Village: "DL", Name: "2网格"}},
		Households: []store.Household{hh("DL01-1", "DL01", 2), hh("DL01-2", "DL01", 1), hh("DL02-1", "DL02", 3)},
		Visits: []store.Visit{
			{ID: "DL-V0001", Village: "DL", Grid: "DL01", Household: "DL01-1", Date: "2026-11-20", Present: []string{"DL01-1-1"}, Away: map[string]string{"DL01-1-2": "外出务工"}},
			{ID: "DL-V0002", Village: "DL", Grid: "DL02", Household: "DL02-1", Date: "2026-11-21", Present: []string{"DL02-1-1", "DL02-1-2", "DL02-1-3"}},
		},
	}
	if err := st.Seed(t.Context(), store.System(), d); err != nil {
		t.Fatal(err)
	}
	check := func(wantHH, wantPeople, wantMissed int) {
		t.Helper()
		got, err := loadRoutes(t.Context(), st, store.System())
		if err != nil {
			t.Fatal(err)
		}
		if got.households != 3 || got.visitedHH != wantHH || got.residents != 6 || got.reached != wantPeople || len(got.missedRows()) != wantMissed {
			t.Fatalf("households %d/%d people %d/%d missed %d; want %d/3 %d/6 missed %d",
				got.visitedHH, got.households, got.reached, got.residents, len(got.missedRows()), wantHH, wantPeople, wantMissed)
		}
		// Per grid: DL01 has 3 people in 2 households, DL02 3 in 1.
		for _, row := range got.coverage {
			if row.name == "  1网格" && (row.households != 2 || row.people != 3) {
				t.Fatalf("grid 1 coverage: %+v", row)
			}
		}
	}
	// Visited: DL01-1 and DL02-1 (2 of 3). Met: 1 + 3 = 4 of 6. Missed: the unvisited
	// household DL01-2, and DL01-1-2 who was away.
	check(2, 4, 2)
	if _, err := st.RecordReach(t.Context(), store.System(), "DL", "DL01-1", "DL01-1-2", "电话", "在外地打工"); err != nil {
		t.Fatal(err)
	}
	check(2, 5, 1)
}

// TestCoverageLeavesOutMovedOut: a roster import that no longer lists a household and one
// person of another takes them out of the Routes pane's counts and missed list, and out of
// the visit form's household picker; the visit already made stays listed.
func TestCoverageLeavesOutMovedOut(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := store.Dataset{
		Township: store.Township{Name: "青石镇"},
		Villages: []store.Village{{Code: "DL", Name: "东岭新村"}},
		Grids:    []store.Grid{{Code: "DL01", Village: "DL", Name: "1网格"}},
		Households: []store.Household{
			{ID: "DL01-1", Village: "DL", Grid: "DL01", Address: "东岭路1号", Residents: []store.Resident{
				{ID: "p1", Name: "王大山", Relation: store.RelationHead}, {ID: "p2", Name: "王小山", Relation: "子"}}},
			{ID: "DL01-2", Village: "DL", Grid: "DL01", Address: "东岭路2号", Residents: []store.Resident{
				{ID: "p3", Name: "李秀英", Relation: store.RelationHead}}},
		},
		Visits: []store.Visit{{ID: "DL-V0001", Village: "DL", Grid: "DL01", Household: "DL01-2", Date: "2026-11-20", Present: []string{"p3"}}},
	}
	if err := st.Seed(t.Context(), store.System(), d); err != nil {
		t.Fatal(err)
	}
	// The new roster: 王小山 has left 东岭路1号, and 东岭路2号 is gone.
	roster := store.Roster{Source: "新花名册.xlsx", Households: []store.Household{
		{ID: "DL01-1", Village: "DL", Grid: "DL01", Address: "东岭路1号", Residents: []store.Resident{{Name: "王大山", Relation: store.RelationHead}}}}}
	if _, err := st.ImportRoster(t.Context(), store.System(), roster, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := loadRoutes(t.Context(), st, store.System())
	if err != nil {
		t.Fatal(err)
	}
	// One household of one person, not visited: the visit to the household that left does
	// not count towards coverage.
	if got.households != 1 || got.residents != 1 || got.visitedHH != 0 || got.reached != 0 || len(got.missedRows()) != 1 {
		t.Fatalf("households %d/%d people %d/%d missed %d; want 0/1 0/1 missed 1",
			got.visitedHH, got.households, got.reached, got.residents, len(got.missedRows()))
	}
	vd, err := loadVisits(t.Context(), st, store.System())
	if err != nil {
		t.Fatal(err)
	}
	if len(vd.pickerOptions()) != 1 || vd.pickerOptions()[0].value != "DL01-1" || len(vd.households["DL01-1"].Residents) != 1 {
		t.Fatalf("picker %+v, residents of DL01-1 %d; want only DL01-1 with one person", vd.pickerOptions(), len(vd.households["DL01-1"].Residents))
	}
	if len(vd.rows) != 1 || vd.rows[0].address != "东岭路2号" {
		t.Fatalf("visit rows %+v; want the old visit to 东岭路2号 still listed", vd.rows)
	}
}

// TestMissedListMasksPhones: the not-reached list shows phones masked; v shows the selected
// person's in full and the store records who asked; leaving the list masks it again; an
// inspector cannot reveal.
func TestMissedListMasksPhones(t *testing.T) {
	st := seeded(t)
	u := store.User{Name: "东岭书记", Role: store.RoleVillage, Village: "DL"}
	m := New(Options{Store: st, User: u, Width: 100, Height: 24})
	drive(m, m.Init())
	press(m, "1", "m")
	r := m.panes[0].(*routes)
	first := r.d.missedRows()[0].Contact()
	if first.Phone == "" {
		t.Fatal("the demo's first missed contact has no phone")
	}
	// The pane has the phone masked from the store; the full one is the store's to tell.
	masked := first.Phone
	all, err := st.PersonalData(t.Context(), store.System(), "test", "DL")
	if err != nil {
		t.Fatal(err)
	}
	first.Phone = all.Residents[first.ID].Phone
	if first.Phone == masked || store.MaskPhone(first.Phone) != masked {
		t.Fatalf("the pane holds %s, the store %s", masked, first.Phone)
	}
	if s := screen(m); !strings.Contains(s, masked) || strings.Contains(s, first.Phone) {
		t.Fatalf("want %s masked as %s:\n%s", first.Phone, masked, s)
	}
	press(m, "v")
	if s := screen(m); !strings.Contains(s, first.Phone) {
		t.Fatalf("v should show %s:\n%s", first.Phone, s)
	}
	ev, err := st.Audit(t.Context(), store.System(), 1)
	if err != nil || len(ev) != 1 || ev[0].Action != "personal.reveal" || ev[0].Who != "东岭书记" || strings.Contains(string(ev[0].After), first.Phone) {
		t.Fatalf("audit %+v %v; want a personal.reveal by 东岭书记 without the number", ev, err)
	}
	press(m, "esc", "m")
	if s := screen(m); strings.Contains(s, first.Phone) {
		t.Fatalf("leaving the list should mask the phone again:\n%s", s)
	}

	insp := New(Options{Store: st, User: store.User{Name: "督查组", Role: store.RoleInspector}, Width: 100, Height: 24})
	drive(insp, insp.Init())
	press(insp, "1", "m", "v")
	if s := screen(insp); !strings.Contains(s, "督查账号看到的电话是打星号的") {
		t.Fatalf("an inspector should be told phones stay masked:\n%s", s)
	}
}
