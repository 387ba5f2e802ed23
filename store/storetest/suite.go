// Package storetest is the store contract's conformance suite: the one set of tests every
// engine of sanbai/store must pass — Badger today, PostgreSQL next. An engine's own test calls
// Run with a Harness that makes fresh engines; nothing here knows how an engine stores rows.
//
// It checks what the contract promises (see store/contract.go): scope and masking for every
// method and role (scope.go), audit events written in the transaction of their write, change
// events published after the commit and only for writes that commit, conflicting writes
// retried or refused as stale but never lost, an import all or nothing, and a backup that
// restores to the same store.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"sanbai/store"
)

// Harness makes engines for the suite.
type Harness struct {
	// Open returns a new, empty engine whose clock is now; the engine is closed when the
	// test ends.
	Open func(t *testing.T, now func() time.Time) store.Engine
	// Restore returns a new engine holding what backup (written by Backup) holds, with the
	// clock now; closed when the test ends.
	Restore func(t *testing.T, backup []byte, now func() time.Time) store.Engine
}

// Run runs the whole suite against the harness's engine.
func Run(t *testing.T, h Harness) {
	t.Run("Scope", func(t *testing.T) { testScope(t, h) })
	t.Run("AuditInTransaction", func(t *testing.T) { testAuditInTransaction(t, h) })
	t.Run("ChangesAfterCommit", func(t *testing.T) { testChangesAfterCommit(t, h) })
	t.Run("Conflicts", func(t *testing.T) { testConflicts(t, h) })
	t.Run("ImportAtomic", func(t *testing.T) { testImportAtomic(t, h) })
	t.Run("BackupRestore", func(t *testing.T) { testBackupRestore(t, h) })
	t.Run("Drafts", func(t *testing.T) { testDrafts(t, h) })
	t.Run("DoneContext", func(t *testing.T) { testDoneContext(t, h) })
}

// testDoneContext: a call made with a done context — its session has ended — returns the
// context's error: a read hands nothing out, a write writes nothing and tells nobody.
func testDoneContext(t *testing.T, h Harness) {
	e, f := open(t, h)
	done, cancel := context.WithCancel(t.Context())
	cancel()
	seq := lastAudit(t, e)
	sub := e.Hub().Subscribe()
	defer sub.Close()
	calls := map[string]func() error{
		"Households": func() error { _, err := e.Households(done, villageUser); return err },
		"Concerns":   func() error { _, err := e.Concerns(done, store.System()); return err },
		"Audit":      func() error { _, err := e.Audit(done, townshipUser, 10); return err },
		"SetTag":     func() error { _, err := e.SetTag(done, villageUser, f.openConcern["DL01"], store.TagRed); return err },
		"SaveDraft": func() error {
			return e.SaveDraft(done, villageUser, store.DraftVisit, "gone", store.VisitDraft{Village: "DL"})
		},
		"ImportRoster": func() error {
			_, err := e.ImportRoster(done, store.System(), store.Roster{Households: nil}, store.ImportOptions{})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a done context: %v", name, err)
		}
	}
	if lastAudit(t, e) != seq {
		t.Error("a call with a done context was audited")
	}
	if c, _ := e.Concern(t.Context(), store.System(), f.openConcern["DL01"]); c.Tag == store.TagRed {
		t.Error("a write with a done context went in")
	}
	if ch, ok := pending(sub); ok {
		t.Errorf("a call with a done context published %+v", ch)
	}
}

// clockAt is a clock stopped at t.
func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

// open makes a seeded engine at the fixture's day.
func open(t *testing.T, h Harness) (store.Engine, *fixture) {
	t.Helper()
	e := h.Open(t, clockAt(day))
	return e, seed(t, e)
}

// lastAudit returns the newest audit event's sequence number.
func lastAudit(t *testing.T, e store.Engine) uint64 {
	t.Helper()
	ev, err := e.Audit(t.Context(), store.System(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) == 0 {
		return 0
	}
	return ev[0].Seq
}

// pending returns the changes a subscription holds, if it was signalled.
func pending(sub *store.Subscription) ([]store.Change, bool) {
	select {
	case <-sub.Ready():
		return sub.Take(), true
	default:
		return nil, false
	}
}

// testAuditInTransaction: a write's audit event holds the row as written, keyed by the row;
// a write refused half way through (after it changed some rows in its transaction) leaves no
// row changed and no audit event.
func testAuditInTransaction(t *testing.T, h Harness) {
	e, f := open(t, h)
	sys := store.System()
	id := f.openConcern["DL01"]
	c, err := e.SetTag(t.Context(), villageUser, id, store.TagYellow)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := e.Audit(t.Context(), sys, 1)
	if err != nil || len(ev) != 1 {
		t.Fatalf("audit: %v %d", err, len(ev))
	}
	var after store.Concern
	if ev[0].Who != villageUser.Name || ev[0].Action != "concern.tag" || ev[0].Key != "concern/DL/"+id ||
		json.Unmarshal(ev[0].After, &after) != nil || after.Tag != store.TagYellow || after.Rev != c.Rev || len(ev[0].Before) == 0 {
		t.Fatalf("audit event %+v", ev[0])
	}

	// ReplaceGroups dissolves the village's groups and saves the new ones one by one, in one
	// transaction: the second breaks the rules, so the first and the dissolving never happen.
	before := snapshot(t, e, false)
	seq := lastAudit(t, e)
	sub := e.Hub().Subscribe()
	defer sub.Close()
	gs, err := e.Groups(t.Context(), sys)
	if err != nil {
		t.Fatal(err)
	}
	ok := gs[0]
	bad := gs[1]
	bad.Leader = "" // a group needs a leader
	var rule *store.GroupRuleError
	if _, err := e.ReplaceGroups(t.Context(), sys, ok.Village, []store.Group{ok, bad}); !errors.As(err, &rule) {
		t.Fatalf("a group without a leader: %v", err)
	}
	// CreateProject writes each concern's link as it goes: the second is done already.
	if _, err := e.CreateProject(t.Context(), sys, "头雁", []string{f.openConcern["DL02"], f.doneConcern["DL02"]}); !errors.Is(err, store.ErrRule) {
		t.Fatalf("a project of a done concern: %v", err)
	}
	if lastAudit(t, e) != seq {
		t.Fatal("a refused write left audit events")
	}
	if after := snapshot(t, e, false); !bytes.Equal(before, after) {
		t.Fatal("a refused write changed rows")
	}
	if ch, ok := pending(sub); ok {
		t.Fatalf("a refused write published %+v", ch)
	}
}

// testChangesAfterCommit: a committed write's changes reach observers and subscribers after the
// commit (a read made when told sees the write), naming the row; a refused write publishes
// nothing.
func testChangesAfterCommit(t *testing.T, h Harness) {
	e, f := open(t, h)
	id := f.openConcern["DL01"]
	var mu sync.Mutex
	seen := -1
	e.Hub().Observe(func(chs []store.Change) {
		for _, ch := range chs {
			if ch.Kind == "concern" && ch.ID == id {
				c, err := e.Concern(t.Context(), store.System(), id)
				mu.Lock()
				if err == nil {
					seen = c.Rev
				}
				mu.Unlock()
			}
		}
	})
	sub := e.Hub().Subscribe()
	defer sub.Close()
	c, err := e.SetTag(t.Context(), gridUser, id, store.TagRed)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := seen
	mu.Unlock()
	if got != c.Rev {
		t.Fatalf("an observer told of the change read Rev %d, the write made %d", got, c.Rev)
	}
	ch, ok := pending(sub)
	if !ok || !slices.Contains(ch, store.Change{Kind: "concern", Village: "DL", ID: id}) {
		t.Fatalf("changes %+v (signalled %v)", ch, ok)
	}
	if stored, _ := e.Concern(t.Context(), store.System(), id); stored.Rev != c.Rev {
		t.Fatalf("a subscriber reads Rev %d, want %d", stored.Rev, c.Rev)
	}
	// Refused: out of the grid user's grid, and a rule.
	if _, err := e.SetTag(t.Context(), gridUser, f.openConcern["DL02"], store.TagRed); err == nil {
		t.Fatal("a grid user tagged another grid's concern")
	}
	if _, err := e.Triage(t.Context(), villageUser, id, -1, store.Op{Kind: store.OpEscalate}); !errors.Is(err, store.ErrRule) {
		t.Fatalf("an escalation without a reason: %v", err)
	}
	if ch, ok := pending(sub); ok {
		t.Fatalf("refused writes published %+v", ch)
	}
}

// testConflicts: two people editing the same concern from the same version — the second is
// refused as stale, naming what the first did; many editing at once with no version are each
// applied once (retried, never lost); concerns recorded at once get distinct, consecutive IDs.
func testConflicts(t *testing.T, h Harness) {
	e, f := open(t, h)
	id := f.openConcern["DL01"]
	c, err := e.Concern(t.Context(), store.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Triage(t.Context(), villageUser, id, c.Rev, store.Op{Kind: store.OpSolution, Text: "先修路"}); err != nil {
		t.Fatal(err)
	}
	var stale *store.StaleError
	if _, err := e.Triage(t.Context(), gridUser, id, c.Rev, store.Op{Kind: store.OpSolution, Text: "先修桥"}); !errors.As(err, &stale) ||
		len(stale.Moves) != 1 || stale.Moves[0].By != villageUser.Name {
		t.Fatalf("the second edit from the same version: %v", err)
	}

	c, _ = e.Concern(t.Context(), store.System(), id)
	const workers, each = 4, 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				_, err := e.Triage(t.Context(), townshipUser, id, -1, store.Op{Kind: store.OpSolution, Text: fmt.Sprintf("方案%d-%d", w, i)})
				mu.Lock()
				switch {
				case err == nil:
					done++
				case !errors.Is(err, store.ErrBusy):
					t.Errorf("worker %d: %v", w, err)
				}
				mu.Unlock()
			}
		})
	}
	// Concerns recorded at once, in one village.
	var ids []string
	for w := range workers {
		wg.Go(func() {
			hid := f.households["DL02"][w%3]
			_, cs, err := e.SaveVisit(t.Context(), villageUser, store.VisitDraft{Village: "DL", Household: hid, Date: today, Present: []string{hid + "-1"},
				Concerns: []store.DraftConcern{{Description: "路灯坏了", Category: "道路", Tag: store.TagGreen}}})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("visit %d: %v", w, err)
				return
			}
			ids = append(ids, cs[0].ID)
		})
	}
	wg.Wait()
	after, _ := e.Concern(t.Context(), store.System(), id)
	solutions := 0
	for _, m := range after.Moves {
		if m.Action == "solution" && m.Rev > c.Rev {
			solutions++
		}
	}
	if done == 0 || after.Rev != c.Rev+done || solutions != done {
		t.Fatalf("%d edits went through; Rev %d → %d, %d solution moves", done, c.Rev, after.Rev, solutions)
	}
	slices.Sort(ids)
	for i, id := range ids {
		if want := store.ConcernID("DL", uint64(5+i)); id != want {
			t.Fatalf("concern IDs %v, want DL-0005 on without gaps", ids)
		}
	}
}

// testImportAtomic: an import stopped while staging, or at its confirmation, writes nothing; one
// that finds a row changed since it read it writes nothing and names the row; a whole one
// changes every row it lists and tells every session once.
func testImportAtomic(t *testing.T, h Harness) {
	e, f := open(t, h)
	sys := store.System()
	roster := func() store.Roster {
		hhs, err := e.Households(t.Context(), sys)
		if err != nil {
			t.Fatal(err)
		}
		r := store.Roster{Source: "test.xlsx", Fields: store.RosterFields{Address: true}}
		for _, h := range hhs {
			if h.Village != "DL" {
				continue
			}
			h.Address += "（新）"
			h.Residents = slices.Clone(h.Residents)
			for i := range h.Residents {
				h.Residents[i].ID, h.Residents[i].IDNumber, h.Residents[i].Phone = "", "", ""
			}
			r.Households = append(r.Households, h)
		}
		return r
	}
	before := snapshot(t, e, false)
	dropped := errors.New("connection dropped")
	for _, o := range []store.ImportOptions{{Abort: func() error { return dropped }}, {Confirm: func() error { return dropped }}} {
		if _, err := e.ImportRoster(t.Context(), sys, roster(), o); !errors.Is(err, dropped) {
			t.Fatalf("stopped: %v", err)
		}
		if !bytes.Equal(before, snapshot(t, e, false)) {
			t.Fatal("a stopped import changed the store")
		}
	}
	edited := f.households["DL02"][1]
	var conflict *store.ImportConflictError
	_, err := e.ImportRoster(t.Context(), sys, roster(), store.ImportOptions{Confirm: func() error {
		_, _, err := e.SaveVisit(t.Context(), villageUser, store.VisitDraft{Village: "DL", Household: edited, Date: today, Present: []string{edited + "-1"}, Special: []string{"困难家庭"}})
		before = snapshot(t, e, false)
		return err
	}})
	if !errors.As(err, &conflict) || len(conflict.Rows) != 1 || conflict.Rows[0].ID != edited || conflict.Rows[0].Who != villageUser.Name {
		t.Fatalf("an import over an edit: %v", err)
	}
	if !bytes.Equal(before, snapshot(t, e, false)) {
		t.Fatal("an import that found an edit changed the store")
	}
	sub := e.Hub().Subscribe()
	defer sub.Close()
	seq := lastAudit(t, e)
	rep, err := e.ImportRoster(t.Context(), sys, roster(), store.ImportOptions{})
	if err != nil || !rep.Written || rep.Households.Changed != 6 {
		t.Fatalf("import: %v %+v", err, rep.Households)
	}
	hhs, _ := e.Households(t.Context(), sys)
	for _, h := range hhs {
		if (h.Village == "DL") != bytes.HasSuffix([]byte(h.Address), []byte("（新）")) {
			t.Fatalf("after the import: %s %s", h.ID, h.Address)
		}
	}
	if ch, ok := pending(sub); !ok || !slices.Contains(ch, store.Change{Kind: "all"}) {
		t.Fatalf("the import told sessions %+v", ch)
	}
	ev, _ := e.Audit(t.Context(), sys, 100)
	if !slices.ContainsFunc(ev, func(x store.AuditEvent) bool { return x.Seq > seq && x.Action == "import.roster" }) {
		t.Fatal("no audit event of the import")
	}
}

// testBackupRestore: only township users back up; a backup restores to a store that reads the
// same through every read (personal numbers and the audit trail included) and takes writes.
func testBackupRestore(t *testing.T, h Harness) {
	e, f := open(t, h)
	if _, err := e.Backup(t.Context(), villageUser, new(bytes.Buffer)); !errors.Is(err, store.ErrScope) {
		t.Fatalf("a village user's backup: %v", err)
	}
	var b bytes.Buffer
	if _, err := e.Backup(t.Context(), townshipUser, &b); err != nil {
		t.Fatal(err)
	}
	wantTrail := trail(t, e)
	want := snapshot(t, e, true)
	r := h.Restore(t, b.Bytes(), clockAt(day))
	if got := snapshot(t, r, true); !bytes.Equal(got, want) {
		t.Fatalf("the restored store reads differently:\n%s\nwant\n%s", got, want)
	}
	// The restored trail is the backed-up one (the backup's own event last), and then only
	// what the restore itself recorded.
	gotTrail := trail(t, r)
	if len(gotTrail) < len(wantTrail) {
		t.Fatalf("restored trail: %d events, backed up %d", len(gotTrail), len(wantTrail))
	}
	extra := len(gotTrail) - len(wantTrail)
	for i, ev := range gotTrail[extra:] {
		w := wantTrail[i]
		if ev.Seq != w.Seq || !ev.At.Equal(w.At) || ev.Who != w.Who || ev.Action != w.Action || ev.Key != w.Key ||
			!bytes.Equal(ev.Before, w.Before) || !bytes.Equal(ev.After, w.After) {
			t.Fatalf("restored audit event %+v, backed up %+v", ev, w)
		}
	}
	for _, ev := range gotTrail[:extra] {
		if ev.Seq <= wantTrail[0].Seq {
			t.Fatalf("restored trail has %+v before the backed-up events end", ev)
		}
	}
	if _, err := r.SetTag(t.Context(), villageUser, f.openConcern["DL01"], store.TagRed); err != nil {
		t.Fatalf("a write to the restored store: %v", err)
	}
}

// testDrafts: drafts are per session form, listed last saved first, discarded for every
// session, no one else's, scoped, and never in the audit trail.
func testDrafts(t *testing.T, h Harness) {
	now := day
	e := h.Open(t, func() time.Time { return now })
	f := seed(t, e)
	seq := lastAudit(t, e)
	a := villageUser
	if err := e.SaveDraft(t.Context(), a, store.DraftRevisit, "laptop", store.RevisitDraft{Village: "DL", Household: f.households["DL01"][0]}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	if err := e.SaveDraft(t.Context(), a, store.DraftRevisit, "office", store.RevisitDraft{Village: "DL", Household: f.households["DL02"][0]}); err != nil {
		t.Fatal(err)
	}
	ds, err := e.Drafts(t.Context(), a, store.DraftRevisit)
	if err != nil || len(ds) != 2 || ds[0].ID != "office" || ds[1].ID != "laptop" || !ds[0].SavedAt.After(ds[1].SavedAt) {
		t.Fatalf("drafts %v %+v", err, ds)
	}
	var d store.RevisitDraft
	if err := ds[1].Decode(&d); err != nil || d.Household != f.households["DL01"][0] || !d.SavedAt.Equal(ds[1].SavedAt) {
		t.Fatalf("decoded %v %+v", err, d)
	}
	if other, _ := e.Drafts(t.Context(), store.Actor{Name: "别人", Role: store.RoleVillage, Village: "DL"}, store.DraftRevisit); len(other) != 0 {
		t.Fatalf("someone else's drafts: %+v", other)
	}
	sub := e.Hub().Subscribe()
	defer sub.Close()
	if err := e.DiscardDraft(t.Context(), a, store.DraftRevisit, "laptop"); err != nil {
		t.Fatal(err)
	}
	if ds, _ := e.Drafts(t.Context(), a, store.DraftRevisit); len(ds) != 1 || ds[0].ID != "office" {
		t.Fatalf("after discarding: %+v", ds)
	}
	if ch, ok := pending(sub); !ok || !slices.Contains(ch, store.Change{Kind: "draft", ID: a.Name}) {
		t.Fatalf("a discard told %+v", ch)
	}
	if lastAudit(t, e) != seq {
		t.Fatal("drafts were audited")
	}
	// Saving the form drops its draft in the same transaction.
	done := freshConcerns(t, e, f, place{"DL", "DL02"}, true)[0]
	seq = lastAudit(t, e)
	rd := store.RevisitDraft{Village: "DL", Household: f.households["DL02"][2], Date: today, DraftID: "office",
		Answers: []store.RevisitAnswer{{Concern: done, Solved: store.SolvedYes, Satisfaction: store.SatGood}}}
	if _, err := e.SaveRevisits(t.Context(), a, rd); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Draft(t.Context(), a, store.DraftRevisit, "office"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the saved form's draft: %v", err)
	}
	ev, _ := e.Audit(t.Context(), store.System(), 10)
	for _, x := range ev {
		if x.Seq > seq && x.Action != "revisit.create" && x.Action != "concern.revisit" {
			t.Fatalf("audited: %+v", x)
		}
	}
}

// snapshot is everything the store reads as the system, as JSON: every row of every kind and
// the settings, and with personal the full numbers (an audited read). The audit trail is
// compared on its own (trail).
func snapshot(t *testing.T, e store.Engine, personal bool) []byte {
	t.Helper()
	sys := store.System()
	var parts []any
	add := func(v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, v)
	}
	add(e.Township(t.Context()))
	add(e.Villages(t.Context(), sys))
	add(e.Grids(t.Context(), sys))
	add(e.Households(t.Context(), sys))
	add(e.Members(t.Context(), sys))
	add(e.Cadres(t.Context(), sys))
	add(e.Officials(t.Context(), sys))
	add(e.Teams(t.Context(), sys))
	add(e.Groups(t.Context(), sys))
	add(e.Routes(t.Context(), sys))
	add(e.Reaches(t.Context(), sys))
	add(e.Visits(t.Context(), sys))
	add(e.Concerns(t.Context(), sys))
	add(e.Projects(t.Context(), sys))
	add(e.Revisits(t.Context(), sys))
	add(e.RevisitDeadlines(t.Context(), sys))
	add(e.FilingsOf(t.Context(), sys))
	add(e.Inspections(t.Context(), sys))
	add(e.Meetings(t.Context(), sys))
	add(e.FactSheets(t.Context(), sys))
	add(e.Users(t.Context(), sys))
	add(e.Calendar(t.Context()))
	add(e.Limits(t.Context()))
	add(e.ScoreWeights(t.Context()))
	if personal {
		add(e.PersonalData(t.Context(), sys, "snapshot", ""))
	}
	b, err := json.MarshalIndent(parts, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// trail is the whole audit trail, newest first.
func trail(t *testing.T, e store.Engine) []store.AuditEvent {
	t.Helper()
	ev, err := e.Audit(t.Context(), store.System(), 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}
