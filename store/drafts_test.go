package store

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// TestDraftsPerSessionForm: two sessions of one person keep a draft each of the same form;
// Drafts lists them, the last saved first; discarding one removes it for every session and
// tells them; another person never sees them; inspectors keep none.
func TestDraftsPerSessionForm(t *testing.T) {
	s, clock := openClocked(t)
	a := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	trail, _ := s.Audit(t.Context(), System(), 1)
	if err := s.SaveDraft(t.Context(), a, DraftVisit, "laptop", VisitDraft{Village: "DL", Household: "DL01-0001", Date: "2026-11-20"}); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(time.Minute)
	if err := s.SaveDraft(t.Context(), a, DraftVisit, "office", VisitDraft{Village: "DL", Household: "DL02-0001", Date: "2026-11-21"}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.Drafts(t.Context(), a, DraftVisit)
	if err != nil || len(ds) != 2 || ds[0].ID != "office" || ds[1].ID != "laptop" || !ds[0].SavedAt.After(ds[1].SavedAt) {
		t.Fatalf("drafts: %v %+v", err, ds)
	}
	var v VisitDraft
	if err := ds[1].Decode(&v); err != nil || v.Household != "DL01-0001" {
		t.Fatalf("the laptop's draft: %v %+v", err, v)
	}
	if other, _ := s.Drafts(t.Context(), Actor{Name: "王芳", Role: RoleVillage, Village: "DL"}, DraftVisit); len(other) != 0 {
		t.Fatalf("another person sees %+v", other)
	}
	if rs, _ := s.Drafts(t.Context(), a, DraftRevisit); len(rs) != 0 {
		t.Fatalf("revisit drafts %+v", rs)
	}
	sub := s.Hub().Subscribe()
	defer sub.Close()
	if err := s.DiscardDraft(t.Context(), a, DraftVisit, "laptop"); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.Drafts(t.Context(), a, DraftVisit); len(ds) != 1 || ds[0].ID != "office" {
		t.Fatalf("after discarding: %+v", ds)
	}
	select {
	case <-sub.Ready():
		if ch := sub.Take(); len(ch) != 1 || ch[0].Kind != "draft" || ch[0].ID != "陈静" {
			t.Fatalf("changes %+v", ch)
		}
	default:
		t.Fatal("a discard tells nobody")
	}
	// Drafts are no campaign data: not in the audit trail.
	if ev, _ := s.Audit(t.Context(), System(), 1); len(ev) != 1 || ev[0].Seq != trail[0].Seq {
		t.Fatalf("a draft was audited: %+v", ev[0])
	}
	inspector := Actor{Name: "督查", Role: RoleInspector}
	if err := s.SaveDraft(t.Context(), inspector, DraftVisit, "x", VisitDraft{}); !errors.Is(err, ErrScope) {
		t.Fatalf("inspector draft: %v", err)
	}
	if err := s.SaveDraft(t.Context(), a, DraftVisit, "a/b", VisitDraft{}); !errors.Is(err, ErrDraftID) {
		t.Fatalf("bad ID: %v", err)
	}
	if err := s.SaveDraft(t.Context(), a, DraftVisit, "x", VisitDraft{Village: "XH"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a draft about another village: %v", err)
	}
}

// TestDraftRefusedOnFullDisk: a draft is a write like any other: on a full disk it is refused
// with ErrDiskFull before Badger is asked, and saved once space is freed.
func TestDraftRefusedOnFullDisk(t *testing.T) {
	var free atomic.Uint64
	free.Store(1 << 30)
	s, err := Open(t.TempDir(), Options{FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Seed(t.Context(), System(), small()); err != nil {
		t.Fatal(err)
	}
	a := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	free.Store(1 << 20)
	time.Sleep(spaceCheckEvery) // the free space is asked at most once a second
	if err := s.SaveDraft(t.Context(), a, DraftRevisit, "s1", RevisitDraft{Village: "DL"}); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("on a full disk: %v", err)
	}
	if _, err := s.Draft(t.Context(), a, DraftRevisit, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("written anyway: %v", err)
	}
	free.Store(1 << 30)
	if err := s.SaveDraft(t.Context(), a, DraftRevisit, "s1", RevisitDraft{Village: "DL"}); err != nil {
		t.Fatal(err)
	}
}

// TestOldDraftsMoved: drafts saved one per user before forms had IDs come back under "main".
func TestOldDraftsMoved(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(t.Context(), System(), small()); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(t.Context(), func(txn KVTxn) error {
		if err := txn.Set([]byte("draft/陈静"), []byte(`{"village":"DL","household":"DL01-0001","date":"2026-11-20","focus":3}`)); err != nil {
			return err
		}
		return txn.Set([]byte("fdraft/陈静"), []byte(`{"sheet":{"village":"DL","profile":"草"}}`))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	var v VisitDraft
	if d, err := s.Draft(t.Context(), a, DraftVisit, "main"); err != nil || d.Decode(&v) != nil || v.Household != "DL01-0001" || v.Focus != 3 {
		t.Fatalf("visit draft: %v %+v", err, v)
	}
	if d, err := s.Draft(t.Context(), a, DraftFactSheet, "main"); err != nil || d.Village != "DL" {
		t.Fatalf("fact sheet draft: %v %+v", err, d)
	}
	if err := s.db.View(t.Context(), func(txn KVTxn) error { _, err := txn.Get([]byte("draft/陈静")); return err }); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("old key left: %v", err)
	}
}
