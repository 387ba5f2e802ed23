package query_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"sanbai/query"
	"sanbai/store"
)

// finderStore is a small township: two villages of two grids, one household each, with
// phones, ID numbers and a second resident in each household (徐燕 in XH02-0001, 李秀英 in the
// others).
func finderStore(t *testing.T) (*store.Store, *query.Finder) {
	t.Helper()
	day := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	s, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := store.Dataset{Township: store.Township{Name: "青石镇", Office: "党建办"}}
	for _, v := range []store.Village{{Code: "DL", Name: "东岭新村"}, {Code: "XH", Name: "西河新村"}} {
		d.Villages = append(d.Villages, v)
		for n := 1; n <= 2; n++ {
			g := store.Grid{Code: v.Code + "0" + string(rune('0'+n)), Village: v.Code, No: n, Name: string(rune('0'+n)) + "网格"}
			d.Grids = append(d.Grids, g)
			spouse := "李秀英"
			if g.Code == "XH02" {
				spouse = "徐燕"
			}
			d.Households = append(d.Households, store.Household{ID: g.Code + "-0001", Village: v.Code, Grid: g.Code, Address: "前街1号",
				Residents: []store.Resident{
					{ID: g.Code + "-0001-1", Name: "王建国", Relation: store.RelationHead, Phone: "1380000" + g.Code[2:] + "11",
						IDNumber: "33010219600101" + g.Code[2:] + "1X"},
					{ID: g.Code + "-0001-2", Name: spouse, Relation: "配偶", Phone: "1391234" + g.Code[2:] + "78"}}})
		}
	}
	if err := s.Seed(t.Context(), store.System(), d); err != nil {
		t.Fatal(err)
	}
	return s, query.NewFinder(s)
}

// hitIDs lists the households a search found.
func hitIDs(t *testing.T, f *query.Finder, a store.Actor, q string) []string {
	t.Helper()
	hits, total, err := f.Find(t.Context(), a, q, 50)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(hits) {
		t.Fatalf("%q: %d hits of %d", q, len(hits), total)
	}
	var out []string
	for _, h := range hits {
		out = append(out, h.Household.ID)
	}
	return out
}

// TestFindHouseholds: a household is found by a resident's name, its pinyin initials, the
// address with a name, the household number and the ends of a phone and an ID number — never
// by the hidden middle of a number, never outside the actor's scope — and comes back masked,
// naming the resident who matched.
func TestFindHouseholds(t *testing.T) {
	_, f := finderStore(t)
	town := store.Actor{Name: "镇", Role: store.RoleTownship}
	for q, want := range map[string][]string{
		"王建国":       {"DL01-0001", "DL02-0001", "XH01-0001", "XH02-0001"},
		"wjg":       {"DL01-0001", "DL02-0001", "XH01-0001", "XH02-0001"},
		"lxy dl02":  {"DL02-0001"},
		"前街 李秀英":    {"DL01-0001", "DL02-0001", "XH01-0001"},
		"xh01-0001": {"XH01-0001"},
		"0211":      {"DL02-0001", "XH02-0001"}, // 138000002 11: the phone's last four
		"0278":      {"DL02-0001", "XH02-0001"}, // 139123402 78
		"021x":      {"DL02-0001", "XH02-0001"}, // the ID's last four
		"13800000":  nil,                        // the masked middle finds nothing
		"330102":    nil,
		"张三":        nil,
		"wjg 王建国 李": {"DL01-0001", "DL02-0001", "XH01-0001"},
	} {
		got := hitIDs(t, f, town, q)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q found %v, want %v", q, got, want)
		}
	}
	hits, _, err := f.Find(t.Context(), town, "0278", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Matched != h.Household.ID+"-2" {
			t.Errorf("%s: matched %q, want the spouse", h.Household.ID, h.Matched)
		}
		for _, r := range h.Household.Residents {
			if strings.Contains(r.Phone, "00000") || strings.Contains(r.Phone, "1234") || strings.Contains(r.IDNumber, "196001") {
				t.Errorf("%s: not masked: %+v", h.Household.ID, r)
			}
		}
	}
	// Scope: a grid user finds their grid's household and no other, by any key.
	grid := store.Actor{Name: "格", Role: store.RoleGrid, Village: "DL", Grid: "DL02"}
	for _, q := range []string{"王建国", "dl01-0001", "0111", "xh02-0001"} {
		for _, id := range hitIDs(t, f, grid, q) {
			if id != "DL02-0001" {
				t.Errorf("grid user found %s by %q", id, q)
			}
		}
	}
	if got := hitIDs(t, f, grid, "王建国"); !slices.Equal(got, []string{"DL02-0001"}) {
		t.Errorf("grid user found %v", got)
	}
	village := store.Actor{Name: "村", Role: store.RoleVillage, Village: "XH"}
	if got := hitIDs(t, f, village, "dl01-0001"); len(got) != 0 {
		t.Errorf("XH user found %v", got)
	}
	// Exact hits come first; the limit keeps the count.
	hits, total, err := f.Find(t.Context(), town, "前街", 2)
	if err != nil || len(hits) != 2 || total != 4 {
		t.Fatalf("limit: %d hits of %d, %v", len(hits), total, err)
	}
	if got := hitIDs(t, f, town, "前街 xh02-0001"); len(got) != 1 {
		t.Fatalf("address and number: %v", got)
	}
	// A name's whole initials come before initials found inside a longer name: 徐燕 (xy)
	// before 李秀英 (lxy).
	if got := hitIDs(t, f, town, "xy"); len(got) != 4 || got[0] != "XH02-0001" {
		t.Fatalf("xy: %v, want XH02-0001 (徐燕) first", got)
	}
}

// TestFindHouseholdsSeesWrites: the change feed drops a village's search keys, so a renamed
// resident is found by the new name at once, and a household that moved out is found no more.
func TestFindHouseholdsSeesWrites(t *testing.T) {
	s, f := finderStore(t)
	town := store.Actor{Name: "镇", Role: store.RoleTownship}
	if got := hitIDs(t, f, town, "赵六"); len(got) != 0 {
		t.Fatalf("found %v before the write", got)
	}
	// A roster import: the spouse of DL01-0001 is now 赵六 (李秀英 moved out).
	roster := func(hhs ...store.Household) store.Roster {
		return store.Roster{Source: "test.csv", Households: hhs}
	}
	person := func(name, rel string) store.Resident { return store.Resident{Name: name, Relation: rel} }
	if _, err := s.ImportRoster(t.Context(), store.System(), roster(store.Household{ID: "DL01-0001", Village: "DL", Grid: "DL01",
		Address: "前街1号", Residents: []store.Resident{person("王建国", store.RelationHead), person("赵六", "配偶")}}), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(t, f, town, "zl"); !slices.Equal(got, []string{"DL01-0001"}) {
		t.Fatalf("after the rename: %v", got)
	}
	// Another household is now the grid's only one: DL01-0001 moved out.
	if _, err := s.ImportRoster(t.Context(), store.System(), roster(store.Household{ID: "DL01-0002", Village: "DL", Grid: "DL01",
		Address: "后街2号", Residents: []store.Resident{person("孙七", store.RelationHead)}}), store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(t, f, town, "赵六"); len(got) != 0 {
		t.Fatalf("a household that moved out is found: %v", got)
	}
}
