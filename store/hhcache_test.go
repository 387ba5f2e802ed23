package store

import (
	"slices"
	"testing"
)

// TestHouseholdCacheFollowsWrites: households read through the cache reflect an import that
// moves a resident out and a transaction that changes an address, in the very next read; a grid user still sees only their grid; readers do not share the slice itself.
func TestHouseholdCacheFollowsWrites(t *testing.T) {
	s := rosterStore(t)
	village := Actor{Name: "村", Role: RoleVillage, Village: "DL"}
	before, err := s.Households(t.Context(), village)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Households(t.Context(), village); len(again) != len(before) || &again[0] == &before[0] {
		t.Fatal("a second read should give the same rows in a slice of its own")
	}
	// A roster without the first household's second resident marks her moved out.
	roster := rosterFrom(before)
	roster.Households[0].Residents = roster.Households[0].Residents[:1]
	if _, err := s.ImportRoster(t.Context(), System(), roster, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Households(t.Context(), village)
	if after[0].ID != before[0].ID || len(after[0].Residents) != 2 || after[0].Residents[1].MovedOut == "" {
		t.Fatalf("after the import %s's second resident should read as moved out: %+v", before[0].ID, after[0])
	}
	// A write through a transaction (not the import's journal) shows at once too.
	h := after[1]
	readdress(t, s, h, "新地址1号")
	now, _ := s.Households(t.Context(), village)
	if i := slices.IndexFunc(now, func(x Household) bool { return x.ID == h.ID }); i < 0 || now[i].Address != "新地址1号" {
		t.Fatalf("the changed address should read back at once: %+v", now)
	}
	grid := Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: h.Grid}
	gs, _ := s.Households(t.Context(), grid)
	for _, x := range gs {
		if x.Grid != h.Grid {
			t.Fatalf("grid user %s sees %s of grid %s", h.Grid, x.ID, x.Grid)
		}
	}
	if len(gs) == 0 {
		t.Fatal("grid user sees nothing")
	}
}

// readdress gives h a new address through a transaction of its own, as a session's write does.
func readdress(t *testing.T, s *Store, h Household, address string) {
	t.Helper()
	err := s.update(t.Context(), System(), func(tx *Tx) error {
		var cur Household
		raw, err := tx.get(householdKey(h), &cur)
		if err != nil {
			return err
		}
		cur.Address = address
		return tx.put("household.test", householdKey(h), raw, cur, Change{Kind: "household", Village: h.Village, ID: h.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
}
