package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// rosterFrom builds the roster a file listing these households would give: resident IDs
// dropped (files do not carry them), every column present.
func rosterFrom(hhs []Household) Roster {
	r := Roster{Source: "test.xlsx", Fields: RosterFields{Address: true, Gender: true, Born: true, IDNumber: true,
		Phone: true, Political: true, Special: true}}
	for _, h := range CurrentHouseholds(hhs) {
		h.Residents = slices.Clone(h.Residents)
		for i := range h.Residents {
			h.Residents[i].ID = ""
		}
		r.Households = append(r.Households, h)
	}
	return r
}

// storedHouseholds reads every household as stored, unmasked: what a roster file of the
// township would list.
func storedHouseholds(t *testing.T, s *Store) []Household {
	t.Helper()
	hhs, err := scan[Household](t.Context(), s.db, "household/", nil)
	if err != nil {
		t.Fatal(err)
	}
	return hhs
}

// dump returns every key and value in the store, for comparing before and after.
func dump(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.db.View(t.Context(), func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[string(it.Item().Key())] = string(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rosterStore seeds small() with ID numbers, phones and one party member per household.
func rosterStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := small()
	for i := range d.Households {
		h := &d.Households[i]
		h.Residents[0].IDNumber = fmt.Sprintf("37010219650512%03d", i)
		h.Residents[0].Political = PoliticalMember
		h.Residents[0].Phone = "1380000000" + fmt.Sprint(i)
		h.Residents = append(h.Residents, Resident{ID: h.ID + "-2", Name: "李秀英", Relation: "配偶", Gender: "女", Born: "1967-03"})
		d.Members = append(d.Members, Member{ID: fmt.Sprintf("%s-M%03d", h.Village, i+1), Village: h.Village, Grid: h.Grid,
			Name: h.Residents[0].Name, Resident: h.Residents[0].ID, Phone: h.Residents[0].Phone})
	}
	d.Cadres = []Cadre{{ID: "DL-C01", Village: "DL", Name: "王建国", Post: PostSecretary, Member: "DL-M001", Phone: "13800000000"},
		{ID: "DL-C02", Village: "DL", Name: "赵一", Post: PostFirstSecretary, Phone: "13900000001"}}
	d.Teams = []Team{{Village: "DL", Captain: "DL-C01", Officers: []string{"DL-C02"}}}
	if err := s.Seed(t.Context(), System(), d); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestImportSameRosterChangesNothing(t *testing.T) {
	s := rosterStore(t)
	hhs := storedHouseholds(t, s)
	before := dump(t, s)
	rep, err := s.ImportRoster(t.Context(), System(), rosterFrom(hhs), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Empty() || rep.Written || rep.Residents.Unchanged != 8 || rep.Households.Unchanged != 4 || rep.Members.Unchanged != 4 {
		t.Fatalf("report: %+v", rep)
	}
	if after := dump(t, s); !mapsEqual(before, after) {
		t.Fatal("a no-op import wrote to the store")
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestImportUpdatesAddsAndMarksMovedOut(t *testing.T) {
	s := rosterStore(t)
	hhs := storedHouseholds(t, s)
	r := rosterFrom(hhs)
	// DL01-0001: the spouse's phone changes, a grandson is born.
	r.Households[0].Residents[1].Phone = "13911112222"
	r.Households[0].Residents = append(r.Households[0].Residents, Resident{Name: "王小宝", Relation: "孙子", Gender: "男", Born: "2024-01"})
	// DL02-0001 is gone from the roster: moved out, with its member.
	r.Households = slices.Delete(r.Households, 1, 2)
	// A new household in DL02 (so DL02 is still covered) whose head is a probationary member.
	r.Households = append(r.Households, Household{ID: "DL02-0002", Village: "DL", Grid: "DL02", Address: "前街2号",
		Residents: []Resident{{Name: "刘红", Relation: RelationHead, Gender: "女", Born: "1990-02", Political: PoliticalProbationary}}})

	sub := s.Hub().Subscribe()
	defer sub.Close()
	dry, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Written || len(dry.Changes) == 0 {
		t.Fatalf("dry run: %+v", dry)
	}
	if got, _ := s.Households(t.Context(), System()); len(got) != 4 {
		t.Fatal("dry run wrote")
	}
	rep, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := ImportReport{
		Households: Tally{Added: 1, Changed: 1, MovedOut: 1, Unchanged: 2},
		Residents:  Tally{Added: 2, Changed: 1, MovedOut: 2, Unchanged: 5},
		Members:    Tally{Added: 1, MovedOut: 1, Unchanged: 3},
	}
	if rep.Households != want.Households || rep.Residents != want.Residents || rep.Members != want.Members || !rep.Written {
		t.Fatalf("report:\n%+v\n%+v\n%+v\nwant\n%+v\n%+v\n%+v", rep.Households, rep.Residents, rep.Members,
			want.Households, want.Residents, want.Members)
	}
	if !slices.Equal(rep.Covered, []string{"DL01", "DL02", "XH01", "XH02"}) {
		t.Fatalf("covered %v", rep.Covered)
	}
	h, _ := s.Household(t.Context(), System(), "DL", "DL01-0001")
	if len(h.Residents) != 3 || h.Residents[2].ID != "DL01-0001-3" || h.Residents[1].Phone != "139****2222" {
		t.Fatalf("household: %+v", h)
	}
	if p, _ := s.Reveal(t.Context(), System(), "DL", "DL01-0001", "DL01-0001-2", FieldPhone); p != "13911112222" {
		t.Fatalf("revealed phone %q", p)
	}
	gone, _ := s.Household(t.Context(), System(), "DL", "DL02-0001")
	if gone.MovedOut != s.Today() || gone.Residents[0].MovedOut != s.Today() {
		t.Fatalf("moved out household: %+v", gone)
	}
	ms, _ := s.Members(t.Context(), Actor{Name: "v", Role: RoleVillage, Village: "DL"})
	var movedOut, probationary int
	for _, m := range ms {
		if m.MovedOut != "" {
			movedOut++
		}
		if m.Probationary && m.Name == "刘红" && m.ID == "DL-M003" {
			probationary++
		}
	}
	if movedOut != 1 || probationary != 1 {
		t.Fatalf("members: %+v", ms)
	}
	select {
	case <-sub.Ready():
		if ch := sub.Take(); len(ch) != 1 || ch[0].Kind != "all" {
			t.Fatalf("changes: %+v", ch)
		}
	default:
		t.Fatal("no change published")
	}
	ev, _ := s.Audit(t.Context(), System(), 100)
	if !slices.ContainsFunc(ev, func(e AuditEvent) bool { return e.Action == "import.roster" }) ||
		!slices.ContainsFunc(ev, func(e AuditEvent) bool {
			return e.Action == "import.household" && e.Key == "household/DL/DL02/DL02-0002"
		}) {
		t.Fatalf("audit trail lacks the import: %+v", ev)
	}
	if err := s.db.View(t.Context(), func(txn KVTxn) error {
		_, err := txn.Get([]byte(journalLock))
		return err
	}); !errors.Is(err, ErrKeyNotFound) {
		t.Fatal("lock left behind")
	}

	// The same file again changes nothing; listing the household again brings it back.
	rep, err = s.ImportRoster(t.Context(), System(), r, ImportOptions{})
	if err != nil || !rep.Empty() {
		t.Fatalf("second import: %v %+v", err, rep.Changes)
	}
	back := gone
	back.MovedOut, back.Residents = "", slices.Clone(gone.Residents)
	for i := range back.Residents {
		back.Residents[i].MovedOut = ""
	}
	r.Households = append(r.Households, rosterFrom([]Household{back}).Households...)
	rep, err = s.ImportRoster(t.Context(), System(), r, ImportOptions{})
	if err != nil || rep.Households.Returned != 1 || rep.Residents.Returned != 2 || rep.Members.Returned != 1 {
		t.Fatalf("return: %v %+v", err, rep)
	}
}

func TestImportScope(t *testing.T) {
	s := rosterStore(t)
	hhs := storedHouseholds(t, s)
	r := rosterFrom(hhs)
	for _, a := range []Actor{{Name: "v", Role: RoleVillage, Village: "DL"}, {Name: "i", Role: RoleInspector},
		{Name: "g", Role: RoleGrid, Village: "DL", Grid: "DL01"}} {
		if _, err := s.ImportRoster(t.Context(), a, r, ImportOptions{}); !errors.Is(err, ErrScope) {
			t.Errorf("%s: %v", a.Name, err)
		}
	}
	dl := rosterFrom(hhs[:2])
	if _, err := s.ImportRoster(t.Context(), Actor{Name: "v", Role: RoleVillage, Village: "DL"}, dl, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	bad := dl
	bad.Households = append(slices.Clone(dl.Households), Household{ID: "X", Village: "DL", Grid: "XH01", Residents: []Resident{{Name: "a", Relation: RelationHead}}})
	if _, err := s.ImportRoster(t.Context(), System(), bad, ImportOptions{}); err == nil || !strings.Contains(err.Error(), "no grid XH01 in village DL") {
		t.Fatalf("grid of another village: %v", err)
	}
}

// TestFailedImportLeavesStoreUnchanged stops an import while it stages (as a dropped SSH
// connection does), and after staging without a commit (as a crash does): the store's content
// is byte for byte what it was.
func TestFailedImportLeavesStoreUnchanged(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(t.Context(), System(), small()); err != nil {
		t.Fatal(err)
	}
	hhs := storedHouseholds(t, s)
	r := rosterFrom(hhs)
	for i := range r.Households {
		r.Households[i].Address += "（新）"
	}
	before := dump(t, s)
	dropped := errors.New("connection dropped")
	if _, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{Abort: func() error { return dropped }}); !errors.Is(err, dropped) {
		t.Fatalf("abort: %v", err)
	}
	if !mapsEqual(before, dump(t, s)) {
		t.Fatal("an aborted import changed the store")
	}

	// Staged but not committed, then the process dies: Open discards it.
	cleanRoster(&r)
	p, err := s.planRoster(t.Context(), System(), r)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.lockJournal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.stageJournal(t.Context(), id, p, func() error { return nil }, func(string, int, int) {}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	if !mapsEqual(before, dump(t, s)) {
		t.Fatal("an uncommitted import survived a restart")
	}

	// Staged and committed, then the process dies before applying: Open finishes it.
	p, _ = s.planRoster(t.Context(), System(), r)
	id, _ = s.lockJournal(t.Context())
	if err := s.stageJournal(t.Context(), id, p, func() error { return nil }, func(string, int, int) {}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.commitJournal(t.Context(), System(), id, "test", p); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, _ := s.Households(t.Context(), System())
	for _, h := range got {
		if !strings.HasSuffix(h.Address, "（新）") {
			t.Fatalf("committed import not finished: %+v", h)
		}
	}
	for k := range dump(t, s) {
		if strings.HasPrefix(k, "journal/") {
			t.Fatalf("journal key left: %s", k)
		}
	}
}

// TestStagingStopsOnConcurrentEdit: a row changed between planning and staging stops the
// import with nothing written.
func TestStagingStopsOnConcurrentEdit(t *testing.T) {
	s := rosterStore(t)
	hhs := storedHouseholds(t, s)
	r := rosterFrom(hhs)
	r.Households[0].Address = "新地址"
	p, err := s.planRoster(t.Context(), System(), r)
	if err != nil {
		t.Fatal(err)
	}
	h := hhs[0]
	h.Address = "别人改的"
	if err := s.update(t.Context(), System(), func(tx *Tx) error {
		return tx.put("test", householdKey(h), []byte("x"), h, Change{})
	}); err != nil {
		t.Fatal(err)
	}
	id, _ := s.lockJournal(t.Context())
	err = s.stageJournal(t.Context(), id, p, func() error { return nil }, func(string, int, int) {})
	if !errors.Is(err, ErrRosterChanged) {
		t.Fatalf("got %v", err)
	}
	_ = s.discard(t.Context(), id, err)
	if _, err := s.lockJournal(t.Context()); err != nil {
		t.Fatalf("lock not released: %v", err)
	}
}

func TestImportCadresUpdatesTeam(t *testing.T) {
	s := rosterStore(t)
	r := Roster{CadreVillages: []string{"DL"}, Fields: RosterFields{CadreDuties: true, CadrePhone: true, CadreDuty: true},
		Cadres: []Cadre{
			{Village: "DL", Name: "王建国", Post: PostSecretary, Phone: "13800000000", Duties: "全面工作"},
			{Village: "DL", Name: "孙二", Post: PostGuide, Phone: "13900000002"},
			{Village: "DL", Name: "王建国", Post: PostGridSecretary, Grid: "DL01", Phone: "13800000000"},
		}}
	rep, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cadres != (Tally{Added: 2, Changed: 1, Removed: 1}) || rep.Teams.Changed != 1 || rep.Grids.Changed != 1 {
		t.Fatalf("report %+v %+v %+v", rep.Cadres, rep.Teams, rep.Grids)
	}
	teams, _ := s.Teams(t.Context(), System())
	if teams[0].Captain != "DL-C01" || !slices.Equal(teams[0].Officers, []string{"DL-C03"}) {
		t.Fatalf("team %+v", teams[0])
	}
	gs, _ := s.Grids(t.Context(), System())
	if gs[0].Code != "DL01" || gs[0].Secretary != "DL-M001" {
		t.Fatalf("grid %+v", gs[0])
	}
	if rep, err = s.ImportRoster(t.Context(), System(), r, ImportOptions{}); err != nil || !rep.Empty() {
		t.Fatalf("again: %v %+v", err, rep.Changes)
	}
}

func TestFactSheet(t *testing.T) {
	s := rosterStore(t)
	village := Actor{Name: "村", Role: RoleVillage, Village: "DL"}
	grid := Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: "DL01"}
	fs := FactSheet{Village: "DL", Profile: "东岭\x1b[2J新村", Industries: []string{"蔬菜", " "}, Tasks: []string{"修路"}}
	out, err := s.SetFactSheet(t.Context(), village, fs)
	if err != nil {
		t.Fatal(err)
	}
	if out.Profile != "东岭新村" || len(out.Industries) != 1 || out.UpdatedBy != "村" {
		t.Fatalf("%+v", out)
	}
	if _, err := s.SetFactSheet(t.Context(), grid, fs); !errors.Is(err, ErrScope) {
		t.Fatalf("grid user edited the fact sheet: %v", err)
	}
	if _, err := s.SetFactSheet(t.Context(), Actor{Name: "x", Role: RoleVillage, Village: "XH"}, fs); !errors.Is(err, ErrScope) {
		t.Fatalf("other village edited the fact sheet: %v", err)
	}
	f, err := s.Facts(t.Context(), grid, "DL")
	if err != nil || f.Sheet.Profile != "东岭新村" || f.Households != 2 || f.Residents != 4 || f.Members != 2 || len(f.Cadres) != 2 ||
		f.Cadres[0].Post != PostSecretary || len(f.Grids) != 2 {
		t.Fatalf("facts: %v %+v", err, f)
	}
	if _, err := s.Facts(t.Context(), grid, "XH"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("other village's facts: %v", err)
	}
	empty, err := s.FactSheet(t.Context(), System(), "XH")
	if err != nil || empty.Village != "XH" || empty.Profile != "" {
		t.Fatalf("empty sheet: %v %+v", err, empty)
	}
	ev, _ := s.Audit(t.Context(), System(), 1)
	if ev[0].Action != "factsheet.set" || !bytes.Contains(ev[0].After, []byte("东岭新村")) {
		t.Fatalf("audit %+v", ev[0])
	}
}

// TestMassMoveOutNeedsConsent: a roster that would empty most of a grid is refused unless the
// caller allows it; a dry run says so.
func TestMassMoveOutNeedsConsent(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := small()
	for i := 2; i <= 6; i++ {
		d.Households = append(d.Households, Household{ID: fmt.Sprintf("DL01-%04d", i), Village: "DL", Grid: "DL01",
			Residents: []Resident{{ID: fmt.Sprintf("DL01-%04d-1", i), Name: "户主", Relation: RelationHead}}})
	}
	if err := s.Seed(t.Context(), System(), d); err != nil {
		t.Fatal(err)
	}
	hhs := storedHouseholds(t, s)
	r := rosterFrom(hhs[:1]) // DL01-0001 alone: five of DL01's six households would go
	dry, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{DryRun: true})
	if err != nil || len(dry.Mass) != 1 || dry.Mass[0] != (MassLoss{Code: "DL01", Gone: 5, Of: 6}) {
		t.Fatalf("dry run: %v %v", err, dry.Mass)
	}
	if _, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{}); !errors.Is(err, ErrMassMoveOut) || !strings.Contains(err.Error(), "DL01 5/6") {
		t.Fatalf("got %v", err)
	}
	if got, _ := s.Household(t.Context(), System(), "DL", "DL01-0002"); got.MovedOut != "" {
		t.Fatal("a refused import marked a household moved out")
	}
	rep, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{AllowMassMoveOut: true})
	if err != nil || rep.Households.MovedOut != 5 {
		t.Fatalf("allowed: %v %+v", err, rep.Households)
	}
}

// TestEditFactSheetStale: an edit begun on an older page is refused with who saved since;
// saved against the version it names, it goes in. Drafts are kept per user and in scope.
func TestEditFactSheetStale(t *testing.T) {
	s := rosterStore(t)
	a := Actor{Name: "村", Role: RoleVillage, Village: "DL"}
	b := Actor{Name: "镇", Role: RoleTownship}
	first, err := s.EditFactSheet(t.Context(), a, FactSheet{Village: "DL", Profile: "一稿"}, time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EditFactSheet(t.Context(), b, FactSheet{Village: "DL", Profile: "镇改"}, first.UpdatedAt, ""); err != nil {
		t.Fatal(err)
	}
	var stale *StaleSheetError
	if _, err := s.EditFactSheet(t.Context(), a, FactSheet{Village: "DL", Profile: "二稿"}, first.UpdatedAt, ""); !errors.As(err, &stale) || stale.By != "镇" {
		t.Fatalf("edit on an old page: %v; want a StaleSheetError naming 镇", err)
	}
	if fs, _ := s.FactSheet(t.Context(), System(), "DL"); fs.Profile != "镇改" {
		t.Fatalf("a refused edit wrote %q", fs.Profile)
	}
	if out, err := s.EditFactSheet(t.Context(), a, FactSheet{Village: "DL", Profile: "二稿"}, stale.At, ""); err != nil || out.Profile != "二稿" {
		t.Fatalf("edit over the named version: %v %+v", err, out)
	}
	if err := s.SaveDraft(t.Context(), Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: "DL01"}, DraftFactSheet, "f1", FactSheetDraft{Sheet: FactSheet{Village: "DL"}}); !errors.Is(err, ErrScope) {
		t.Fatalf("grid user's draft: %v", err)
	}
	if err := s.SaveDraft(t.Context(), a, DraftFactSheet, "f1", FactSheetDraft{Sheet: FactSheet{Village: "DL", Profile: "草"}, Focus: 2}); err != nil {
		t.Fatal(err)
	}
	var d FactSheetDraft
	if dr, err := s.Draft(t.Context(), a, DraftFactSheet, "f1"); err != nil || dr.Decode(&d) != nil || d.Sheet.Profile != "草" || d.Focus != 2 {
		t.Fatalf("draft back: %v %+v", err, d)
	}
	if _, err := s.Draft(t.Context(), Actor{Name: "村", Role: RoleVillage, Village: "XH"}, DraftFactSheet, "f1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a draft of a village now out of scope: %v", err)
	}
	// Saved, the edit drops its draft in the same transaction.
	cur, _ := s.FactSheet(t.Context(), a, "DL")
	if _, err := s.EditFactSheet(t.Context(), a, FactSheet{Village: "DL", Profile: "三稿"}, cur.UpdatedAt, "f1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Draft(t.Context(), a, DraftFactSheet, "f1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("draft after the save: %v", err)
	}
}

// TestImportStopsOnEditBeforeApply: a household edited after the import staged it — while the
// SSH client is asked to confirm, the moment just before the commit — stops the import before
// it writes anything, naming the household and who changed it; run again, it goes in. The dry
// run says the same of an edit made after it read the store.
func TestImportStopsOnEditBeforeApply(t *testing.T) {
	s := rosterStore(t)
	clerk := Actor{Name: "王芳", Role: RoleVillage, Village: "DL"}
	r := rosterFrom(storedHouseholds(t, s))
	for i := range r.Households {
		r.Households[i].Address += "（新）"
	}
	edit := func(special string) {
		t.Helper()
		d := VisitDraft{Village: "DL", Household: "DL01-0001", Date: s.Today(), Present: []string{"DL01-0001-1"}, Special: []string{special}}
		if _, _, err := s.SaveVisit(t.Context(), clerk, d); err != nil {
			t.Fatal(err)
		}
	}
	check := func(err error) {
		t.Helper()
		var ce *ImportConflictError
		if !errors.As(err, &ce) || !errors.Is(err, ErrRosterChanged) {
			t.Fatalf("want an *ImportConflictError, got %v", err)
		}
		if len(ce.Rows) != 1 {
			t.Fatalf("conflicts %+v", ce.Rows)
		}
		c := ce.Rows[0]
		if c.Kind != "household" || c.Village != "DL" || c.ID != "DL01-0001" || c.Who != "王芳" || c.Action != "household.special" {
			t.Fatalf("conflict %+v", c)
		}
		if !strings.Contains(err.Error(), "household DL01-0001 (王芳") {
			t.Fatalf("error text %q", err)
		}
	}

	// The dry run: edited after the plan read the store.
	_, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{DryRun: true, Progress: func(phase string, _, _ int) {
		if phase == "plan" {
			edit("困难家庭")
		}
	}})
	check(err)

	// The import: staged, then edited while the client is asked to confirm.
	before := dump(t, s)
	confirmed := false
	_, err = s.ImportRoster(t.Context(), System(), r, ImportOptions{Confirm: func() error {
		confirmed = true
		edit("孤寡老人")
		before = dump(t, s)
		for k := range before {
			if strings.HasPrefix(k, "journal/") { // staged, and discarded on refusal
				delete(before, k)
			}
		}
		return nil
	}})
	if !confirmed {
		t.Fatal("the import never reached its confirmation")
	}
	check(err)
	if after := dump(t, s); !mapsEqual(before, after) {
		for k, v := range after {
			if before[k] != v {
				t.Errorf("written: %s", k)
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				t.Errorf("deleted: %s", k)
			}
		}
		t.Fatal("a refused import wrote to the store")
	}
	h, _ := s.Household(t.Context(), System(), "DL", "DL01-0001")
	if len(h.Special) != 1 || h.Special[0] != "孤寡老人" || strings.HasSuffix(h.Address, "（新）") {
		t.Fatalf("the edit was lost or the import went in: %+v", h)
	}

	// Run again on what the store holds now: it goes in, and the edit made before it is kept
	// (the roster file carries special groups as they were read, which the file now says).
	r = rosterFrom(storedHouseholds(t, s))
	for i := range r.Households {
		r.Households[i].Address += "（新）"
	}
	if _, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if h, _ := s.Household(t.Context(), System(), "DL", "DL01-0001"); !strings.HasSuffix(h.Address, "（新）") || h.Special[0] != "孤寡老人" {
		t.Fatalf("re-run: %+v", h)
	}
}

// TestWriteDuringApplyWaits: while a committed import is being applied, a write to one of its
// rows is refused (ErrImportApplying) rather than overwritten a moment later; other rows are
// written as usual.
func TestWriteDuringApplyWaits(t *testing.T) {
	s := rosterStore(t)
	clerk := Actor{Name: "王芳", Role: RoleVillage, Village: "DL"}
	r := rosterFrom(storedHouseholds(t, s)[:1]) // DL01-0001 alone: DL01 is covered
	r.Households[0].Address = "新地址"
	var during, other error
	applying := false
	_, err := s.ImportRoster(t.Context(), System(), r, ImportOptions{Progress: func(phase string, _, _ int) {
		if phase != "apply" || applying {
			return
		}
		applying = true
		_, _, during = s.SaveVisit(t.Context(), clerk, VisitDraft{Village: "DL", Household: "DL01-0001", Date: s.Today(), Present: []string{"DL01-0001-1"}, Special: []string{"困难家庭"}})
		_, _, other = s.SaveVisit(t.Context(), clerk, VisitDraft{Village: "DL", Household: "DL02-0001", Date: s.Today(), Present: []string{"DL02-0001-1"}, Special: []string{"困难家庭"}})
	}})
	if err != nil || !applying {
		t.Fatalf("import: %v (applying %v)", err, applying)
	}
	if !errors.Is(during, ErrImportApplying) || other != nil {
		t.Fatalf("during the apply: %v; elsewhere: %v", during, other)
	}
	if _, _, err := s.SaveVisit(t.Context(), clerk, VisitDraft{Village: "DL", Household: "DL01-0001", Date: s.Today(), Present: []string{"DL01-0001-1"}, Special: []string{"困难家庭"}}); err != nil {
		t.Fatalf("after the import: %v", err)
	}
}
