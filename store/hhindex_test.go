package store

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

// householdIndex returns the ID index's entries (hhidx/… → household key).
func householdIndex(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range dump(t, s) {
		if strings.HasPrefix(k, "hhidx/") {
			out[k] = v
		}
	}
	return out
}

// checkHouseholdIndex checks the index has one entry per household row, pointing at it, and
// equals the index built from scratch.
func checkHouseholdIndex(t *testing.T, s *Store, when string) {
	t.Helper()
	all := dump(t, s)
	idx := householdIndex(t, s)
	rows := 0
	for k := range all {
		if village, id, ok := householdKeyParts(k); ok {
			rows++
			if idx[householdIndexKey(village, id)] != k {
				t.Fatalf("%s: the index has %q for %s", when, idx[householdIndexKey(village, id)], k)
			}
		}
	}
	if len(idx) != rows {
		t.Fatalf("%s: %d index entries for %d households: %v", when, len(idx), rows, idx)
	}
	if err := s.rebuildHouseholdIndex(); err != nil {
		t.Fatal(err)
	}
	if rebuilt := householdIndex(t, s); !maps.Equal(idx, rebuilt) {
		t.Fatalf("%s: the index kept by the writes differs from one built afresh:\n%v\n%v", when, idx, rebuilt)
	}
}

// TestHouseholdLookupFollowsImports: a lookup by household ID is a read of the ID index and of
// the row, and stays right through imports that move a household to another grid and mark one
// moved out; the index is kept by the same audited writes, not audited on its own.
func TestHouseholdLookupFollowsImports(t *testing.T) {
	s := rosterStore(t)
	checkHouseholdIndex(t, s, "after the seed")
	if h, err := s.Household(t.Context(), System(), "DL", "DL01-0001"); err != nil || h.Grid != "DL01" {
		t.Fatalf("DL01-0001 before the import: %+v %v", h, err)
	}
	for _, miss := range [][2]string{{"DL", "DL01-9999"}, {"XH", "DL01-0001"}, {"", "DL01-0001"}} {
		if _, err := s.Household(t.Context(), System(), miss[0], miss[1]); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Household(%q, %q): %v, want ErrNotFound", miss[0], miss[1], err)
		}
	}

	// DL01-0001 moves to grid DL02; a new household keeps DL01 from emptying.
	hhs, _ := s.Households(t.Context(), System())
	r := rosterFrom(hhs)
	for i := range r.Households {
		if r.Households[i].ID == "DL01-0001" {
			r.Households[i].Grid = "DL02"
		}
	}
	r.Households = append(r.Households, Household{ID: "DL01-0002", Village: "DL", Grid: "DL01", Address: "后街9号",
		Residents: []Resident{{Name: "孙丽", Relation: RelationHead, Gender: "女", Born: "1980-05"}}})
	if _, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	h, err := s.Household(t.Context(), System(), "DL", "DL01-0001")
	if err != nil || h.Grid != "DL02" || h.MovedOut != "" {
		t.Fatalf("DL01-0001 after moving to DL02: %+v %v", h, err)
	}
	if h, err := s.Household(t.Context(), System(), "DL", "DL01-0002"); err != nil || h.Grid != "DL01" {
		t.Fatalf("the new household: %+v %v", h, err)
	}
	all := dump(t, s)
	if _, ok := all["household/DL/DL01/DL01-0001"]; ok {
		t.Fatal("the moved household's old row is still there")
	}
	// Scope follows the new grid: DL01's grid user no longer sees it, DL02's does.
	if _, err := s.Household(t.Context(), Actor{Name: "网格员", Role: RoleGrid, Village: "DL", Grid: "DL01"}, "DL", "DL01-0001"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DL01's grid user still sees the household moved to DL02: %v", err)
	}
	if _, err := s.Household(t.Context(), Actor{Name: "网格员", Role: RoleGrid, Village: "DL", Grid: "DL02"}, "DL", "DL01-0001"); err != nil {
		t.Fatalf("DL02's grid user does not see the household moved in: %v", err)
	}
	// Writes that find the household inside their transaction find it in its new grid.
	reach, err := s.RecordReach(t.Context(), System(), "DL", "DL01-0001", h.Residents[0].ID, "电话", "")
	if err != nil || reach.Grid != "DL02" {
		t.Fatalf("reach after the move: %+v %v", reach, err)
	}
	checkHouseholdIndex(t, s, "after the move")

	// DL02-0001 leaves the roster (DL02 stays covered by the household moved in): moved out,
	// the row stays where it was and so does its index entry.
	hhs, _ = s.Households(t.Context(), System())
	r = rosterFrom(hhs)
	n := len(r.Households)
	r.Households = slicesDeleteID(r.Households, "DL02-0001")
	if len(r.Households) != n-1 {
		t.Fatal("DL02-0001 not in the roster")
	}
	rep, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{})
	if err != nil || rep.Households.MovedOut != 1 {
		t.Fatalf("moved-out import: %+v %v", rep, err)
	}
	if h, err := s.Household(t.Context(), System(), "DL", "DL02-0001"); err != nil || h.MovedOut == "" || h.Grid != "DL02" {
		t.Fatalf("DL02-0001 after moving out: %+v %v", h, err)
	}
	checkHouseholdIndex(t, s, "after the move-out")

	// The audit trail has the household rows' events, the move as a delete of the old row, and
	// nothing about the index.
	ev, err := s.Audit(t.Context(), System(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var moved, added bool
	for _, e := range ev {
		switch {
		case strings.HasPrefix(e.Key, "hhidx/"):
			t.Fatalf("an audit event for an index entry: %+v", e)
		case e.Action == "import.household.move" && e.Key == "household/DL/DL01/DL01-0001":
			moved = true
		case e.Action == "import.household" && e.Key == "household/DL/DL02/DL01-0001":
			added = true
		}
	}
	if !moved || !added {
		t.Fatalf("the move is not in the audit trail (old row deleted %v, new row written %v)", moved, added)
	}
}

// slicesDeleteID drops the household with the given ID.
func slicesDeleteID(hhs []Household, id string) []Household {
	out := hhs[:0]
	for _, h := range hhs {
		if h.ID != id {
			out = append(out, h)
		}
	}
	return out
}

// TestHouseholdIndexBuiltForOlderStores: a store written before the index (no entries, no
// marker) gets it when next opened; opened read-only, lookups still work by scanning.
func TestHouseholdIndexBuiltForOlderStores(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(t.Context(), System(), small()); err != nil {
		t.Fatal(err)
	}
	if err := s.deletePrefix(t.Context(), "hhidx/"); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(t.Context(), func(txn KVTxn) error { return txn.Delete([]byte(householdIndexDone)) }); err != nil {
		t.Fatal(err)
	}
	s.Close()

	ro, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := ro.Household(t.Context(), System(), "XH", "XH02-0001"); err != nil || h.Grid != "XH02" {
		t.Fatalf("read-only, no index: %+v %v", h, err)
	}
	if len(householdIndex(t, ro)) != 0 {
		t.Fatal("a read-only open wrote the index")
	}
	ro.Close()

	s, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := len(householdIndex(t, s)); n != 4 {
		t.Fatalf("%d index entries after reopening, want 4", n)
	}
	if h, err := s.Household(t.Context(), System(), "XH", "XH02-0001"); err != nil || h.Grid != "XH02" {
		t.Fatalf("after reopening: %+v %v", h, err)
	}
}
