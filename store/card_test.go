package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// cardStore is the small township with phones, ID numbers and a second resident in each
// household, a visit and its concern in DL01's household, and a route through it.
func cardStore(t *testing.T) *Store {
	t.Helper()
	day := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	s, err := Open(t.TempDir(), Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := small()
	d.Concerns = nil
	for i := range d.Households {
		h := &d.Households[i]
		h.Residents[0].Phone = "1380000" + h.Grid[2:] + "11" // DL01 → 13800000111
		h.Residents[0].IDNumber = "33010219600101" + h.Grid[2:] + "1X"
		h.Residents = append(h.Residents, Resident{ID: h.ID + "-2", Name: "李秀英", Relation: "配偶", Born: "1962-03",
			Phone: "1391234" + h.Grid[2:] + "78"})
	}
	d.Members = []Member{{ID: "DL-M1", Village: "DL", Grid: "DL02", Name: "刘强"}}
	d.Cadres = []Cadre{{ID: "DL-C1", Village: "DL", Name: "陈静", Post: PostGuide}}
	d.Teams = []Team{{Village: "DL", Officers: []string{"DL-C1"}}}
	d.Groups = []Group{{ID: "DL-G1", Village: "DL", Name: "第一组", Grids: []string{"DL01"}, Leader: "DL-M1"}}
	d.Routes = []Route{{Group: "DL-G1", Village: "DL", Households: []string{"DL01-0001"}}}
	if err := s.Seed(System, d); err != nil {
		t.Fatal(err)
	}
	return s
}

// hitIDs lists the households a search found.
func hitIDs(t *testing.T, s *Store, a Actor, q string) []string {
	t.Helper()
	hits, total, err := s.FindHouseholds(a, q, 50)
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
	s := cardStore(t)
	town := Actor{Name: "镇", Role: RoleTownship}
	for q, want := range map[string][]string{
		"王建国":       {"DL01-0001", "DL02-0001", "XH01-0001", "XH02-0001"},
		"wjg":       {"DL01-0001", "DL02-0001", "XH01-0001", "XH02-0001"},
		"lxy dl02":  {"DL02-0001"},
		"前街 李秀英":    {"DL01-0001", "DL02-0001", "XH01-0001", "XH02-0001"},
		"xh01-0001": {"XH01-0001"},
		"0211":      {"DL02-0001", "XH02-0001"}, // 138000002 11: the phone's last four
		"0278":      {"DL02-0001", "XH02-0001"}, // 139123402 78
		"021x":      {"DL02-0001", "XH02-0001"}, // the ID's last four
		"13800000":  nil,                        // the masked middle finds nothing
		"330102":    nil,
		"张三":        nil,
		"wjg 王建国 李": {"DL01-0001", "DL02-0001", "XH01-0001", "XH02-0001"},
	} {
		got := hitIDs(t, s, town, q)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q found %v, want %v", q, got, want)
		}
	}
	hits, _, err := s.FindHouseholds(town, "0278", 50)
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
	grid := Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: "DL02"}
	for _, q := range []string{"王建国", "dl01-0001", "0111", "xh02-0001"} {
		for _, id := range hitIDs(t, s, grid, q) {
			if id != "DL02-0001" {
				t.Errorf("grid user found %s by %q", id, q)
			}
		}
	}
	if got := hitIDs(t, s, grid, "王建国"); !slices.Equal(got, []string{"DL02-0001"}) {
		t.Errorf("grid user found %v", got)
	}
	village := Actor{Name: "村", Role: RoleVillage, Village: "XH"}
	if got := hitIDs(t, s, village, "dl01-0001"); len(got) != 0 {
		t.Errorf("XH user found %v", got)
	}
	// Exact hits come first; the limit keeps the count.
	hits, total, err := s.FindHouseholds(town, "前街", 2)
	if err != nil || len(hits) != 2 || total != 4 {
		t.Fatalf("limit: %d hits of %d, %v", len(hits), total, err)
	}
	if got := hitIDs(t, s, town, "前街 xh02-0001"); len(got) != 1 {
		t.Fatalf("address and number: %v", got)
	}
	// A name's whole initials come before initials found inside a longer name: 徐燕 (xy)
	// before 李秀英 (lxy).
	if err := s.update(System, func(tx *Tx) error {
		h, key, before, err := findHousehold(tx, "XH", "XH02-0001")
		if err != nil {
			return err
		}
		h.Residents = slices.Clone(h.Residents)
		h.Residents[1].Name = "徐燕"
		return tx.put("test", key, before, h, Change{Kind: "household", Village: "XH", ID: h.ID})
	}); err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(t, s, town, "xy"); len(got) != 4 || got[0] != "XH02-0001" {
		t.Fatalf("xy: %v, want XH02-0001 (徐燕) first", got)
	}
}

// TestFindHouseholdsSeesWrites: the search keys are dropped with the household rows a write
// changes, so a renamed resident is found by the new name at once, and a household that moved
// out is found no more.
func TestFindHouseholdsSeesWrites(t *testing.T) {
	s := cardStore(t)
	town := Actor{Name: "镇", Role: RoleTownship}
	if got := hitIDs(t, s, town, "赵六"); len(got) != 0 {
		t.Fatalf("found %v before the write", got)
	}
	write := func(id string, change func(*Household)) {
		err := s.update(System, func(tx *Tx) error {
			h, key, before, err := findHousehold(tx, "DL", id)
			if err != nil {
				return err
			}
			h.Residents = slices.Clone(h.Residents)
			change(&h)
			return tx.put("test", key, before, h, Change{Kind: "household", Village: "DL", ID: id})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write("DL01-0001", func(h *Household) { h.Residents[1].Name = "赵六" })
	if got := hitIDs(t, s, town, "zl"); !slices.Equal(got, []string{"DL01-0001"}) {
		t.Fatalf("after the rename: %v", got)
	}
	write("DL01-0001", func(h *Household) { h.MovedOut = "2026-11-20" })
	if got := hitIDs(t, s, town, "赵六"); len(got) != 0 {
		t.Fatalf("a household that moved out is found: %v", got)
	}
}

// TestHouseholdCard: the card holds the household masked, its visits newest first, its
// concerns, revisits and reaches, and the group whose route holds it; out of scope it is not
// found.
func TestHouseholdCard(t *testing.T) {
	s := cardStore(t)
	dl := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	for i, date := range []string{"2026-11-20", "2026-11-24"} {
		d := VisitDraft{Village: "DL", Household: "DL01-0001", Date: date, Group: "DL-G1", Members: []string{"DL-M1"},
			Present: []string{"DL01-0001-1"}, Away: map[string]string{"DL01-0001-2": "外出务工"}, Officer: "DL-C1"}
		if i == 1 {
			d.Concerns = []DraftConcern{{Description: "屋顶漏雨", Category: "住房", Tag: TagRed}}
		}
		if _, _, err := s.SaveVisit(dl, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RecordReach(dl, "DL", "DL01-0001", "DL01-0001-2", "电话", "在外打工"); err != nil {
		t.Fatal(err)
	}
	c, err := s.HouseholdCard(dl, "DL", "DL01-0001")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Visits) != 2 || c.Visits[0].Date != "2026-11-24" || c.Visits[0].Officer != "DL-C1" {
		t.Fatalf("visits: %+v", c.Visits)
	}
	if len(c.Concerns) != 1 || c.Concerns[0].Description != "屋顶漏雨" || c.Concerns[0].Tier != TierGrid {
		t.Fatalf("concerns: %+v", c.Concerns)
	}
	if len(c.Reaches) != 1 || c.Reaches[0].Resident != "DL01-0001-2" {
		t.Fatalf("reaches: %+v", c.Reaches)
	}
	if len(c.Groups) != 1 || c.Groups[0].ID != "DL-G1" || c.Names["DL-M1"] != "刘强" || c.Names["DL-C1"] != "陈静" {
		t.Fatalf("groups %+v, names %v", c.Groups, c.Names)
	}
	if c.Grid.Code != "DL01" || c.Village.Name != "东岭新村" {
		t.Fatalf("grid %+v, village %+v", c.Grid, c.Village)
	}
	for _, r := range c.Household.Residents {
		if r.Phone != "" && !strings.Contains(r.Phone, "****") {
			t.Fatalf("phone not masked: %+v", r)
		}
	}
	// The cached household row is untouched by the masking.
	h, err := s.Household(dl, "DL", "DL01-0001")
	if err != nil || h.Residents[0].Phone != "13800000111" {
		t.Fatalf("stored row: %+v %v", h.Residents, err)
	}
	for _, a := range []Actor{{Name: "x", Role: RoleVillage, Village: "XH"}, {Name: "g", Role: RoleGrid, Village: "DL", Grid: "DL02"}} {
		if _, err := s.HouseholdCard(a, "DL", "DL01-0001"); !errors.Is(err, ErrNotFound) {
			t.Errorf("%+v read the card: %v", a, err)
		}
	}
}
