package store

import (
	"errors"
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
	if err := s.Seed(t.Context(), System(), d); err != nil {
		t.Fatal(err)
	}
	return s
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
		if _, _, err := s.SaveVisit(t.Context(), dl, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RecordReach(t.Context(), dl, "DL", "DL01-0001", "DL01-0001-2", "电话", "在外打工"); err != nil {
		t.Fatal(err)
	}
	c, err := s.HouseholdCard(t.Context(), dl, "DL", "DL01-0001")
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
	// The stored row is untouched by the masking.
	if p, err := s.Reveal(t.Context(), dl, "DL", "DL01-0001", "DL01-0001-1", FieldPhone); err != nil || p != "13800000111" {
		t.Fatalf("stored phone: %q %v", p, err)
	}
	for _, a := range []Actor{{Name: "x", Role: RoleVillage, Village: "XH"}, {Name: "g", Role: RoleGrid, Village: "DL", Grid: "DL02"}} {
		if _, err := s.HouseholdCard(t.Context(), a, "DL", "DL01-0001"); !errors.Is(err, ErrNotFound) {
			t.Errorf("%+v read the card: %v", a, err)
		}
	}
}
