package store

// Roster import: the whole file goes in, or nothing does.
//
// A township's roster runs to 100,000 residents, and a Badger transaction holds only about
// 2 MB (15% of the 16 MB memtable), so one import cannot be one transaction. It is made
// atomic with a redo journal instead:
//
//  1. Plan. The file has already been parsed and checked in full by the caller (ledgerio);
//     nothing is written if it had a single problem. ImportRoster compares the roster with
//     the stored rows and computes every row to write or delete. A dry run stops here.
//  2. Stage. Under a lock key (journal/lock, so only one import runs at a time) every new
//     value is written to journal/<id>/op/<n>, in as many transactions as it takes. The
//     stored value each op expects to replace is checked as it is staged, so a row someone
//     edited since the plan stops the import instead of being overwritten. A dropped SSH
//     connection (ImportOptions.Abort) or a crash in this phase leaves only staged keys,
//     which are deleted: the store's content is unchanged. Just before the commit the SSH
//     client is asked to answer (ImportOptions.Confirm), since a dropped connection and a
//     finished upload look alike to the reader (both end in EOF).
//  3. Commit. Once the writes in flight have finished, the import's rows are guarded: until it
//     is applied, any other write to one of them is refused (ErrImportApplying) rather than
//     overwritten a moment later. One transaction then reads every row the import changes
//     and checks it still holds what the plan read: if someone changed one since (between
//     the plan and staging, or while the client was asked to confirm), nothing is written
//     and an *ImportConflictError names the rows and, from the audit trail, who changed them
//     (the dry run makes the same check and says the same). Otherwise the same transaction
//     writes journal/<id>/commit together with the import's audit summary. From here on the
//     import will complete.
//  4. Apply. Staged ops are applied to the real keys in batches; each batch writes its rows
//     through Tx.put/Tx.del (one audit event per row, as every write), and deletes its op
//     keys in the same transaction, so applying is idempotent and resumable.
//  5. Finish. The commit record and the lock are deleted and one change event is published.
//
// Open runs recoverImports: a committed journal is applied to the end, an uncommitted one is
// discarded. Readers may see a half-applied import for the seconds phase 4 takes (there are
// no cross-batch read snapshots in Badger), but never a half-applied one after a crash.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Roster is a roster file parsed and checked by the caller, ready to import. Households
// carry their residents; a resident without an ID is matched to a stored one of the same
// household by ID number, then by name, or else added.
type Roster struct {
	// Source names the file, for the audit trail.
	Source string
	// Township names the township; needed only by a first import into an empty store.
	Township string
	// Villages and Grids come from a grids sheet: added, or renamed (township users only).
	Villages []Village
	Grids    []Grid
	// Households of the residents sheet. Every grid they are in is covered: a stored
	// household of a covered grid that the roster does not list is marked moved out.
	Households []Household
	// Cadres replace the cadres of the villages in CadreVillages.
	Cadres        []Cadre
	CadreVillages []string
	// Officials, when OfficialsGiven (the cadres sheet listed the township's own rows),
	// replace the township's officials (township users only). A leader in charge named on
	// the grids sheet who is no official yet is added as one, given or not.
	Officials      []Official
	OfficialsGiven bool
	// FactSheets replace the editable part of their villages' fact sheets: the sections
	// FactSections lists for the village, or every section for a village it does not list.
	FactSheets []FactSheet
	// FactSections lists, per village, the fact-sheet sections (of FactSections) a file has
	// rows for; the others are left as they are, as a column a file lacks is.
	FactSections map[string][]string
	// Fields says which optional columns the file has.
	Fields RosterFields
}

// RosterFields says which optional columns a roster file has. A column the file lacks leaves
// the stored value as it is; a blank cell in a column it has clears it. Gender and birth
// month derived from an ID number count as given.
type RosterFields struct {
	Address, Gender, Born, IDNumber, Phone, Political, Special bool
	CadreDuties, CadrePhone, CadreDuty                         bool
	Leader                                                     bool
}

// ImportOptions control ImportRoster.
type ImportOptions struct {
	// DryRun computes and returns what would change, and writes nothing.
	DryRun bool
	// Progress, if set, is told when the plan is made ("plan", once) and how far the staging
	// ("stage") and applying ("apply") phases are.
	Progress func(phase string, done, total int)
	// Abort, if set, is asked before every staged batch; an error stops the import with
	// nothing written (the SSH connection dropped). It should be cheap.
	Abort func() error
	// Confirm, if set, is asked once just before the commit, and may take a round trip to
	// the client: after it the import happens whatever becomes of the connection.
	Confirm func() error
	// AllowMassMoveOut lets an import mark more than half of a grid's households moved out,
	// or remove more than half of a village's cadres; without it such an import is refused
	// (ErrMassMoveOut), since that is far more often half a file than half a village gone.
	AllowMassMoveOut bool
}

// Tally counts what an import does to one kind of row.
type Tally struct {
	Added, Changed, MovedOut, Returned, Removed, Unchanged int
}

// Total counts the rows the import changes.
func (t Tally) Total() int { return t.Added + t.Changed + t.MovedOut + t.Returned + t.Removed }

// RosterChange is one row an import adds, changes, marks moved out, brings back or removes.
type RosterChange struct {
	Kind    string   // village, grid, household, resident, member, cadre, team, factsheet, township
	Action  string   // add, change, moveout, return, remove
	Village string   // village code
	ID      string   // row ID
	Name    string   // a name to show: the person, the head of the household, the village
	Fields  []string // for a change: the fields that differ (name, phone, address, …)
}

// ImportReport says what an import did, or would do on a dry run.
type ImportReport struct {
	Villages, Grids, Households, Residents, Members, Cadres, Officials, Teams, FactSheets Tally
	Changes                                                                               []RosterChange
	// Covered lists the grids whose residents the roster lists in full.
	Covered []string
	// Mass lists the grids that would lose more than half their households and the villages
	// that would lose more than half their cadres (see ImportOptions.AllowMassMoveOut).
	Mass []MassLoss
	// Written is true once the import is committed (false on a dry run or with no changes).
	Written bool
}

// Empty reports whether the import changes nothing.
func (r ImportReport) Empty() bool { return len(r.Changes) == 0 }

// ErrImportBusy is returned when another import is running.
var ErrImportBusy = errors.New("another import is running; try again when it has finished")

// MassLoss is a grid losing most of its households, or (Cadres) a village most of its cadres.
type MassLoss struct {
	Code     string // grid code, or village code for cadres
	Cadres   bool
	Gone, Of int
}

// String writes the loss plainly: "DL02 81/82" or "DL cadres 13/13".
func (m MassLoss) String() string {
	if m.Cadres {
		return fmt.Sprintf("%s cadres %d/%d", m.Code, m.Gone, m.Of)
	}
	return fmt.Sprintf("%s %d/%d", m.Code, m.Gone, m.Of)
}

// ErrMassMoveOut is returned when an import would empty most of a grid or of a village's
// cadres and ImportOptions.AllowMassMoveOut is not set.
var ErrMassMoveOut = errors.New("the import would mark more than half of a grid's households moved out (or remove more than half of a village's cadres)")

// ErrRosterChanged is returned (as an *ImportConflictError, which names the rows) when a row
// the import would change was changed by someone else after the import read it.
var ErrRosterChanged = errors.New("rows changed since the import read them; nothing was imported, run it again")

// ErrImportApplying is returned by a write to a row a committed import is writing that very
// moment: it lasts seconds, and the write may be tried again once the import is in.
var ErrImportApplying = errors.New("an import is being written to these rows; try again in a moment")

// ImportConflict is a row an import would change that someone else changed after the import
// read it, and the change that got there first as the audit trail tells it.
type ImportConflict struct {
	Kind    string // household, member, cadre, grid, village, team, factsheet, official, township
	Village string // village code, "" for the township's rows
	ID      string // the row's ID (a household ID, a member ID, …)
	// Who, At and Action are the last change to the row since the import read it; Who is ""
	// when the trail does not say (a change older than its last events kept).
	Who    string
	At     time.Time
	Action string
}

// ImportConflictError stops an import before it writes anything: rows it would change were
// changed by others after it read them. Re-running the import reads them again.
type ImportConflictError struct{ Rows []ImportConflict }

func (e *ImportConflictError) Error() string {
	var parts []string
	for i, r := range e.Rows {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Rows)-i))
			break
		}
		s := r.Kind + " " + r.ID
		if r.Who != "" {
			s += " (" + r.Who + ", " + r.At.Format(time.DateTime) + ")"
		}
		parts = append(parts, s)
	}
	return ErrRosterChanged.Error() + ": " + strings.Join(parts, ", ")
}

// Unwrap returns ErrRosterChanged.
func (e *ImportConflictError) Unwrap() error { return ErrRosterChanged }

// ImportRoster imports a roster for the actor: township users anywhere, village users their
// own village only; grid users and inspectors may not. See the comment at the top of this
// file for how it stays all-or-nothing.
func (s *Store) ImportRoster(ctx context.Context, a Actor, r Roster, o ImportOptions) (ImportReport, error) {
	if err := canImport(a, r); err != nil {
		return ImportReport{}, err
	}
	cleanRoster(&r)
	p, err := s.planRoster(ctx, a, r)
	if err != nil {
		return ImportReport{}, err
	}
	rep := p.report
	rep.Mass = p.mass()
	if o.Progress != nil {
		o.Progress("plan", len(p.ops), len(p.ops))
	}
	if len(p.ops) == 0 {
		return rep, nil
	}
	if o.DryRun {
		// The dry run checks what the import checks before it writes: a row changed since
		// it was read stops it, and the dry run says so the same way.
		var conflicts []ImportConflict
		err := s.db.View(ctx, func(txn KVTxn) error {
			var err error
			conflicts, err = p.conflicts(txn)
			return err
		})
		if err == nil && len(conflicts) > 0 {
			err = s.nameConflicts(ctx, p, conflicts)
		}
		return rep, err
	}
	if len(rep.Mass) > 0 && !o.AllowMassMoveOut {
		return rep, fmt.Errorf("%w: %v", ErrMassMoveOut, rep.Mass)
	}
	if err := s.runJournal(ctx, a, r.Source, p, o); err != nil {
		return rep, err
	}
	rep.Written = true
	return rep, nil
}

// canImport checks the actor's role and that every row of the roster is in its scope. The
// caller (ledgerio) reports rows outside it one by one; this is the store's own guard.
func canImport(a Actor, r Roster) error {
	switch a.Role {
	case RoleTownship:
		return nil
	case RoleVillage:
	default:
		return fmt.Errorf("%w: only township and village users import rosters", ErrScope)
	}
	if len(r.Villages) > 0 || len(r.Grids) > 0 {
		return fmt.Errorf("%w: only township users add villages and grids", ErrScope)
	}
	if r.OfficialsGiven || len(r.Officials) > 0 {
		return fmt.Errorf("%w: only township users list the township's officials", ErrScope)
	}
	check := func(v string) error {
		if v != a.Village {
			return fmt.Errorf("%w: village %s (you import for %s)", ErrScope, v, a.Village)
		}
		return nil
	}
	var errs []error
	for _, h := range r.Households {
		errs = append(errs, check(h.Village))
	}
	for _, c := range r.Cadres {
		errs = append(errs, check(c.Village))
	}
	for _, v := range r.CadreVillages {
		errs = append(errs, check(v))
	}
	for _, f := range r.FactSheets {
		errs = append(errs, check(f.Village))
	}
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// cleanRoster cleans every text field on the way in, as Seed does.
func cleanRoster(r *Roster) {
	d := Dataset{Villages: r.Villages, Grids: r.Grids, Households: r.Households, Cadres: r.Cadres, Officials: r.Officials}
	cleanDataset(&d)
	for i := range r.FactSheets {
		cleanFactSheet(&r.FactSheets[i])
	}
}

// journalOp is one staged write: the new value of a key, or its deletion.
type journalOp struct {
	Key    string          `json:"k"`
	Value  json.RawMessage `json:"v,omitempty"`
	Delete bool            `json:"d,omitempty"`
	Action string          `json:"a"`
	Kind   string          `json:"kind"`
	// before is the value the plan read; staging checks it still holds. Not staged.
	before []byte
}

// journalCommit is the record that makes a staged import happen.
type journalCommit struct {
	Who    string    `json:"who"`
	At     time.Time `json:"at"`
	Source string    `json:"source"`
	Ops    int       `json:"ops"`
}

const (
	journalLock = "journal/lock"
	// journalBatchBytes bounds the bytes one staging or applying transaction writes, well
	// under Badger's ~2 MB transaction limit (each applied row also writes its audit event
	// with the old and new value).
	journalBatchBytes = 1 << 20
	journalBatchOps   = 2000
)

func journalPrefix(id string) string       { return "journal/" + id + "/" }
func journalOpKey(id string, n int) string { return fmt.Sprintf("journal/%s/op/%09d", id, n) }
func journalCommitKey(id string) string    { return "journal/" + id + "/commit" }

// opCost estimates the bytes an op costs a transaction when staged or applied.
func opCost(op journalOp) int {
	return 3*len(op.Key) + 2*(len(op.Value)+len(op.before)) + 400
}

// runJournal stages, commits and applies a plan.
func (s *Store) runJournal(ctx context.Context, a Actor, source string, p *rosterPlan, o ImportOptions) error {
	abort := func() error {
		if o.Abort == nil {
			return nil
		}
		return o.Abort()
	}
	progress := func(phase string, done, total int) {
		if o.Progress != nil {
			o.Progress(phase, done, total)
		}
	}
	id, err := s.lockJournal(ctx)
	if err != nil {
		return err
	}
	if err := s.stageJournal(ctx, id, p, abort, progress); err != nil {
		return s.discard(ctx, id, err)
	}
	if err := abort(); err != nil {
		return s.discard(ctx, id, err)
	}
	if o.Confirm != nil {
		if err := o.Confirm(); err != nil {
			return s.discard(ctx, id, err)
		}
	}
	// From here until the import is applied, no one else writes its rows: a write in flight
	// now finishes first (and the commit sees it), a later one is refused for the seconds the
	// import takes (ErrImportApplying).
	release := s.guardImport(p)
	defer release()
	rec, err := s.commitJournal(ctx, a, id, source, p)
	if err != nil {
		return s.discard(ctx, id, err)
	}
	// Committed: the import happens whatever becomes of the session that asked for it.
	return s.applyJournal(context.WithoutCancel(ctx), id, rec, progress)
}

// errStaleOp marks a staged op whose row changed since the plan read it.
var errStaleOp = errors.New("stale import op")

// conflicts lists the planned rows whose stored value is no longer what the plan read, inside
// txn (so a write racing the commit is a conflict of the commit's transaction).
func (p *rosterPlan) conflicts(txn KVTxn) ([]ImportConflict, error) {
	var out []ImportConflict
	for _, op := range p.ops {
		cur, err := rawValue(txn, op.Key)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(cur, op.before) {
			kind, village, id := keyRow(op.Key)
			out = append(out, ImportConflict{Kind: kind, Village: village, ID: id})
		}
	}
	return out, nil
}

// nameConflicts finds who made each conflicting change, from the audit events since the plan
// read the store, and returns the *ImportConflictError.
func (s *Store) nameConflicts(ctx context.Context, p *rosterPlan, rows []ImportConflict) error {
	want := map[string]int{}
	for i, r := range rows {
		want[rowKeyOf(r)] = i
	}
	left := len(rows)
	err := s.db.View(ctx, func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{Reverse: true, Prefix: []byte("audit/"), PrefetchValues: true})
		defer it.Close()
		for it.Seek([]byte("audit/\xff")); it.Valid() && left > 0; it.Next() {
			var ev AuditEvent
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &ev) }); err != nil {
				return err
			}
			if ev.At.Before(p.at) {
				break // older than the plan: not what changed since
			}
			kind, village, id := keyRow(ev.Key)
			i, ok := want[kind+"/"+village+"/"+id]
			if !ok || rows[i].Who != "" {
				continue
			}
			rows[i].Who, rows[i].At, rows[i].Action = ev.Who, ev.At, ev.Action
			left--
		}
		return nil
	})
	if err != nil {
		return err
	}
	return &ImportConflictError{Rows: rows}
}

// rowKeyOf keys a conflict by its row.
func rowKeyOf(r ImportConflict) string { return r.Kind + "/" + r.Village + "/" + r.ID }

// keyRow names the row a key holds: its kind, village and ID.
func keyRow(key string) (kind, village, id string) {
	parts := strings.Split(key, "/")
	kind = parts[0]
	switch {
	case key == townshipKey:
		return "township", "", ""
	case kind == "official" && len(parts) == 2:
		return kind, "", parts[1]
	case kind == "factsheet" && len(parts) == 3:
		return kind, parts[1], parts[1]
	case len(parts) == 2: // village/DL, team/DL
		return kind, parts[1], parts[1]
	case len(parts) >= 3:
		return kind, parts[1], parts[len(parts)-1]
	}
	return kind, "", key
}

// guardImport installs the keys of a plan about to be committed as rows no other write may
// touch, once the writes in flight have finished, and returns the function that lifts it.
func (s *Store) guardImport(p *rosterPlan) (release func()) {
	keys := make(map[string]bool, len(p.ops))
	for _, op := range p.ops {
		keys[op.Key] = true
	}
	s.importMu.Lock() // waits for every update in flight (they hold it for reading)
	s.importing = keys
	s.importMu.Unlock()
	return func() {
		s.importMu.Lock()
		s.importing = nil
		s.importMu.Unlock()
	}
}

// lockJournal takes the import lock and returns the new journal's ID. The lock key is read
// and written in one transaction, so of two imports starting at once one gets a conflict.
func (s *Store) lockJournal(ctx context.Context) (string, error) {
	var raw [8]byte
	_, _ = rand.Read(raw[:])
	id := s.now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(raw[:])
	err := s.db.Update(ctx, func(txn KVTxn) error {
		if _, err := txn.Get([]byte(journalLock)); err == nil {
			return ErrImportBusy
		} else if !errors.Is(err, ErrKeyNotFound) {
			return err
		}
		return txn.Set([]byte(journalLock), []byte(id))
	})
	if errors.Is(err, ErrConflict) {
		return "", ErrImportBusy
	}
	return id, err
}

// discard drops an uncommitted journal after cause stopped it, and returns cause.
func (s *Store) discard(ctx context.Context, id string, cause error) error {
	// The staged ops and the lock go even when the session that asked has ended.
	if err := s.discardJournal(context.WithoutCancel(ctx), id); err != nil {
		return errors.Join(cause, fmt.Errorf("discarding the staged import: %w", err))
	}
	return cause
}

// stageJournal writes the plan's ops under the journal, checking that each row still holds
// the value the plan read.
func (s *Store) stageJournal(ctx context.Context, id string, p *rosterPlan, abort func() error, progress func(string, int, int)) error {
	for start := 0; start < len(p.ops); {
		if err := abort(); err != nil {
			return err
		}
		end, cost := start, 0
		for end < len(p.ops) && end-start < journalBatchOps && (end == start || cost+opCost(p.ops[end]) < journalBatchBytes) {
			cost += opCost(p.ops[end])
			end++
		}
		err := s.db.Update(ctx, func(txn KVTxn) error {
			for i := start; i < end; i++ {
				op := p.ops[i]
				cur, err := rawValue(txn, op.Key)
				if err != nil {
					return err
				}
				if !bytes.Equal(cur, op.before) {
					return errStaleOp
				}
				b, err := json.Marshal(op)
				if err != nil {
					return err
				}
				if err := txn.Set([]byte(journalOpKey(id, i)), b); err != nil {
					return err
				}
			}
			return nil
		})
		if errors.Is(err, errStaleOp) {
			// Name every row changed so far, not just the first one met.
			var conflicts []ImportConflict
			if err := s.db.View(ctx, func(txn KVTxn) error {
				var err error
				conflicts, err = p.conflicts(txn)
				return err
			}); err != nil {
				return err
			}
			return s.nameConflicts(ctx, p, conflicts)
		}
		if err != nil {
			return err
		}
		start = end
		progress("stage", start, len(p.ops))
	}
	return nil
}

// commitJournal writes the commit record with the import's summary audit event: from here
// on the import completes, now or when the store is next opened.
func (s *Store) commitJournal(ctx context.Context, a Actor, id, source string, p *rosterPlan) (journalCommit, error) {
	rec := journalCommit{Who: a.Name, At: s.now(), Source: source, Ops: len(p.ops)}
	r := p.report
	summary, _ := json.Marshal(map[string]any{"source": source, "ops": len(p.ops), "villages": r.Villages,
		"grids": r.Grids, "households": r.Households, "residents": r.Residents, "members": r.Members,
		"cadres": r.Cadres, "officials": r.Officials, "teams": r.Teams, "factsheets": r.FactSheets})
	var conflicts []ImportConflict
	err := s.update(ctx, a, func(tx *Tx) error {
		// The last look before anything is written: every row the import changes still
		// holds what the plan read. Reading them here makes a write that lands meanwhile a
		// conflict of this transaction, which then looks again.
		var err error
		if conflicts, err = p.conflicts(tx.txn); err != nil {
			return err
		}
		if len(conflicts) > 0 {
			return errStaleOp
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		if err := tx.txn.Set([]byte(journalCommitKey(id)), b); err != nil {
			return err
		}
		// Keyed by village for a village user's import, so it shows in their own audit view.
		key := "import"
		if a.Role == RoleVillage {
			key += "/" + a.Village
		}
		tx.audits = append(tx.audits, AuditEvent{At: tx.at, Who: a.Name, Action: "import.roster", Key: key, After: summary})
		return nil
	})
	if errors.Is(err, errStaleOp) {
		return rec, s.nameConflicts(ctx, p, conflicts)
	}
	return rec, err
}

// rawValue returns a key's stored bytes, or nil when it does not exist.
func rawValue(txn KVTxn, key string) ([]byte, error) {
	item, err := txn.Get([]byte(key))
	if errors.Is(err, ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// applyJournal applies a committed journal's remaining ops in batches, then removes the
// journal and the lock, and tells every session to reload.
func (s *Store) applyJournal(ctx context.Context, id string, rec journalCommit, progress func(string, int, int)) error {
	who := Actor{Name: rec.Who, Role: RoleTownship}
	prefix := journalPrefix(id) + "op/"
	done, limit := 0, journalBatchOps
	for {
		n := 0
		err := s.update(ctx, who, func(tx *Tx) error {
			n = 0
			tx.importing = true
			it := tx.txn.NewIterator(IteratorOptions{Prefix: []byte(prefix), PrefetchValues: true, PrefetchSize: 100})
			defer it.Close()
			cost := 0
			var applied [][]byte
			for it.Rewind(); it.Valid() && n < limit && cost < journalBatchBytes; it.Next() {
				var op journalOp
				if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &op) }); err != nil {
					return fmt.Errorf("journal %s: %w", it.Item().Key(), err)
				}
				cur, err := rawValue(tx.txn, op.Key)
				if err != nil {
					return err
				}
				ch := Change{Kind: op.Kind}
				switch {
				case op.Delete && cur != nil:
					err = tx.del(op.Action, op.Key, cur, ch)
				case !op.Delete:
					err = tx.put(op.Action, op.Key, cur, op.Value, ch)
				}
				if err != nil {
					return err
				}
				applied = append(applied, it.Item().KeyCopy(nil))
				cost += opCost(op) + len(cur)
				n++
			}
			for _, k := range applied {
				if err := tx.txn.Delete(k); err != nil {
					return err
				}
			}
			// One "all" event at the end instead of one per row: sessions reload once.
			tx.changes = nil
			return nil
		})
		if errors.Is(err, ErrTxnTooBig) && limit > 1 {
			limit /= 2
			continue
		}
		if err != nil {
			return fmt.Errorf("applying the import (it will be finished when the store is next opened): %w", err)
		}
		if n == 0 {
			break
		}
		done += n
		if progress != nil {
			progress("apply", done, rec.Ops)
		}
	}
	if err := s.db.Update(ctx, func(txn KVTxn) error {
		if err := txn.Delete([]byte(journalCommitKey(id))); err != nil {
			return err
		}
		if err := txn.Delete([]byte(journalLock)); err != nil {
			return err
		}
		// Other front ends reload too (the apply's own batches announce nothing).
		if rec, ok := txn.(ChangeRecorder); ok {
			return rec.RecordChanges([]Change{{Kind: "all"}}, nil)
		}
		return nil
	}); err != nil {
		return err
	}
	s.hub.Publish(Change{Kind: "all"})
	return nil
}

// discardJournal deletes an uncommitted journal's staged ops and releases the lock.
func (s *Store) discardJournal(ctx context.Context, id string) error {
	if err := s.deletePrefix(ctx, journalPrefix(id)); err != nil {
		return err
	}
	return s.db.Update(ctx, func(txn KVTxn) error {
		item, err := txn.Get([]byte(journalLock))
		if errors.Is(err, ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		holder, err := item.ValueCopy(nil)
		if err != nil || string(holder) != id {
			return err
		}
		return txn.Delete([]byte(journalLock))
	})
}

// deletePrefix deletes every key under prefix, in batches.
func (s *Store) deletePrefix(ctx context.Context, prefix string) error {
	for {
		var keys [][]byte
		err := s.db.View(ctx, func(txn KVTxn) error {
			it := txn.NewIterator(IteratorOptions{Prefix: []byte(prefix)})
			defer it.Close()
			for it.Rewind(); it.Valid() && len(keys) < 5000; it.Next() {
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		})
		if err != nil || len(keys) == 0 {
			return err
		}
		if err := s.db.Update(ctx, func(txn KVTxn) error {
			for _, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
}

// recoverImports finishes an import that was committed when the process stopped, and
// discards one that was not. Open calls it before anyone reads.
func (s *Store) recoverImports() error {
	ids := map[string]bool{}
	err := s.db.View(context.Background(), func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{Prefix: []byte("journal/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := strings.TrimPrefix(string(it.Item().Key()), "journal/")
			if id, _, ok := strings.Cut(k, "/"); ok {
				ids[id] = true
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for id := range ids {
		if s.shared && !abandonedImport(id, s.now()) {
			continue // another front end's import, under way
		}
		var rec journalCommit
		err := s.db.View(context.Background(), func(txn KVTxn) error {
			_, err := getJSON(txn, journalCommitKey(id), &rec)
			return err
		})
		switch {
		case err == nil:
			s.log.Warn("finishing an import interrupted after its commit", "journal", id, "who", rec.Who, "source", rec.Source)
			if err := s.applyJournal(context.Background(), id, rec, nil); err != nil {
				return err
			}
		case errors.Is(err, ErrNotFound):
			s.log.Warn("discarding an import interrupted before its commit", "journal", id)
			if err := s.discardJournal(context.Background(), id); err != nil {
				return err
			}
		default:
			return err
		}
	}
	// A lock left by an import that staged nothing yet.
	return s.db.Update(context.Background(), func(txn KVTxn) error {
		// Deleted only if there: a delete of no key still commits a version, and an open
		// that writes nothing keeps the start snapshots' version (startsnap.go).
		item, err := txn.Get([]byte(journalLock))
		if errors.Is(err, ErrKeyNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if s.shared {
			if v, _ := item.ValueCopy(nil); !abandonedImport(string(v), s.now()) {
				return nil
			}
		}
		err = txn.Delete([]byte(journalLock))
		if errors.Is(err, ErrKeyNotFound) {
			return nil
		}
		return err
	})
}

// rosterPlan is what an import will write, in order, and the report of it.
type rosterPlan struct {
	ops    []journalOp
	keys   map[string]bool
	report ImportReport
	at     time.Time
	// Per grid, households there before and households newly moved out; per village, cadres
	// before and cadres removed: for the mass move-out guard.
	before, gone map[string]int
}

// mass lists the grids that lose more than half of five or more households, and the
// villages that lose more than half of five or more cadres.
func (p *rosterPlan) mass() []MassLoss {
	var out []MassLoss
	for k, n := range p.before {
		if n >= 5 && 2*p.gone[k] > n {
			code, cadres := strings.CutPrefix(k, "cadres ")
			out = append(out, MassLoss{Code: code, Cadres: cadres, Gone: p.gone[k], Of: n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// put plans writing v at key over the prior row (zero: a new row); it reports whether the
// row changes at all.
func (p *rosterPlan) put(kind, action, key string, before prior, v any) (bool, error) {
	after, err := json.Marshal(v)
	if err != nil {
		return false, err
	}
	if before.raw != nil && bytes.Equal(before.canon, after) {
		return false, nil
	}
	if p.keys[key] {
		return false, fmt.Errorf("import plan writes %s twice", key)
	}
	p.keys[key] = true
	p.ops = append(p.ops, journalOp{Key: key, Value: after, Action: action, Kind: kind, before: before.raw})
	return true, nil
}

// del plans deleting key.
func (p *rosterPlan) del(kind, action, key string, before prior) {
	p.keys[key] = true
	p.ops = append(p.ops, journalOp{Key: key, Delete: true, Action: action, Kind: kind, before: before.raw})
}

func (p *rosterPlan) change(c RosterChange) { p.report.Changes = append(p.report.Changes, c) }

// stored is a row read for planning: its decoded value and its bytes.
type stored[T any] struct {
	v   T
	key string
	prior
}

// prior is a stored row's bytes as read (staging checks they still hold) and re-encoded by
// this version (the plan compares those with the new value, so a row written by an older
// version is not counted as changed).
type prior struct {
	raw, canon []byte
}

// priorOf returns the prior of a row read with getJSON into v (raw nil: no such row).
func priorOf(raw []byte, v any) prior {
	if raw == nil {
		return prior{}
	}
	canon, err := json.Marshal(v)
	if err != nil {
		canon = raw
	}
	return prior{raw: raw, canon: canon}
}

// scanStored reads every row under prefix with its raw bytes, inside txn.
func scanStored[T any](txn KVTxn, prefix string) ([]stored[T], error) {
	var out []stored[T]
	it := txn.NewIterator(IteratorOptions{Prefix: []byte(prefix), PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("%s: %w", it.Item().Key(), err)
		}
		out = append(out, stored[T]{v: v, key: string(it.Item().Key()), prior: priorOf(raw, v)})
	}
	return out, nil
}

// planRoster reads the rows the roster touches (in one read transaction, so the plan sees
// one consistent store) and computes the writes.
func (s *Store) planRoster(ctx context.Context, a Actor, r Roster) (*rosterPlan, error) {
	p := &rosterPlan{keys: map[string]bool{}, at: s.now(), before: map[string]int{}, gone: map[string]int{}}
	today := p.at.Format(time.DateOnly)
	err := s.db.View(ctx, func(txn KVTxn) error {
		var t Township
		if _, err := getJSON(txn, townshipKey, &t); errors.Is(err, ErrNotFound) {
			if r.Township == "" {
				return errors.New("the store is empty: a first import needs the township's name (--township NAME) and a grids sheet (网格) listing the villages and grids")
			}
			t = Township{Name: r.Township, Office: r.Township + "党建办"}
			if _, err := p.put("all", "import.township", townshipKey, prior{}, t); err != nil {
				return err
			}
			p.change(RosterChange{Kind: "township", Action: "add", Name: t.Name})
		} else if err != nil {
			return err
		}
		villages, err := scanStored[Village](txn, "village/")
		if err != nil {
			return err
		}
		grids, err := scanStored[Grid](txn, "grid/")
		if err != nil {
			return err
		}
		gridOf := map[string]Grid{}
		for _, g := range grids {
			gridOf[g.v.Code] = g.v
		}
		if err := p.planPlaces(r, villages, grids, gridOf); err != nil {
			return err
		}
		known := map[string]bool{}
		for _, v := range villages {
			known[v.v.Code] = true
		}
		for _, v := range r.Villages {
			known[v.Code] = true
		}
		for _, v := range r.CadreVillages {
			if !known[v] {
				return fmt.Errorf("cadres: no village %s", v)
			}
		}
		for _, c := range r.Cadres {
			if !slices.Contains(r.CadreVillages, c.Village) {
				return fmt.Errorf("cadre %s: village %s is not among the cadre sheet's villages", c.Name, c.Village)
			}
		}
		for _, f := range r.FactSheets {
			if !known[f.Village] {
				return fmt.Errorf("fact sheet: no village %s", f.Village)
			}
		}
		for _, h := range r.Households {
			g, ok := gridOf[h.Grid]
			if !ok || g.Village != h.Village {
				return fmt.Errorf("household %s: no grid %s in village %s", h.ID, h.Grid, h.Village)
			}
			if h.ID == "" || strings.Contains(h.ID, "/") {
				return fmt.Errorf("household ID %q: IDs are not empty and have no '/'", h.ID)
			}
		}
		if err := p.planHouseholds(txn, r, today); err != nil {
			return err
		}
		if err := p.planCadres(txn, r, gridOf); err != nil {
			return err
		}
		if err := p.planOfficials(txn, r); err != nil {
			return err
		}
		return p.planFactSheets(txn, r, a)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// planPlaces adds or renames the villages and grids of a grids sheet.
func (p *rosterPlan) planPlaces(r Roster, villages []stored[Village], grids []stored[Grid], gridOf map[string]Grid) error {
	vOf := map[string]stored[Village]{}
	for _, v := range villages {
		vOf[v.v.Code] = v
	}
	for _, in := range r.Villages {
		if in.Code == "" || strings.Contains(in.Code, "/") {
			return fmt.Errorf("village code %q: codes are not empty and have no '/'", in.Code)
		}
		old, ok := vOf[in.Code]
		nv := in
		if ok {
			nv = old.v
			nv.Name = in.Name
			if r.Fields.Leader {
				nv.Leader = in.Leader
			}
		}
		changed, err := p.put("all", "import.village", villageKey(in.Code), old.prior, nv)
		if err != nil {
			return err
		}
		p.tally(&p.report.Villages, ok, changed, RosterChange{Kind: "village", Village: in.Code, ID: in.Code, Name: nv.Name})
		vOf[in.Code] = stored[Village]{v: nv}
	}
	gOf := map[string]stored[Grid]{}
	for _, g := range grids {
		gOf[g.v.Code] = g
	}
	for _, in := range r.Grids {
		if in.Code == "" || strings.Contains(in.Code, "/") {
			return fmt.Errorf("grid code %q: codes are not empty and have no '/'", in.Code)
		}
		if _, ok := vOf[in.Village]; !ok {
			return fmt.Errorf("grid %s: no village %s", in.Code, in.Village)
		}
		old, ok := gOf[in.Code]
		if ok && old.v.Village != in.Village {
			return fmt.Errorf("grid %s belongs to village %s, not %s", in.Code, old.v.Village, in.Village)
		}
		ng := in
		if ok {
			ng = old.v
			ng.Name = in.Name
		} else {
			ng.No = int(trailingNumber(in.Code))
		}
		changed, err := p.put("all", "import.grid", gridKey(in.Village, in.Code), old.prior, ng)
		if err != nil {
			return err
		}
		p.tally(&p.report.Grids, ok, changed, RosterChange{Kind: "grid", Village: in.Village, ID: in.Code, Name: ng.Name})
		gridOf[in.Code] = ng
	}
	return nil
}

// tally counts an added or changed row and records the change.
func (p *rosterPlan) tally(t *Tally, existed, changed bool, c RosterChange) {
	switch {
	case !existed:
		t.Added++
		c.Action = "add"
		p.change(c)
	case changed:
		t.Changed++
		c.Action = "change"
		p.change(c)
	default:
		t.Unchanged++
	}
}

// householdState is a household as planned: the stored row (if any) and the new one.
type householdState struct {
	old     *stored[Household]
	h       Household
	listed  bool // in the roster
	covered bool // in a grid the roster covers
}

// planHouseholds merges the roster's households into the stored ones of the villages it
// touches, marks the unlisted households of covered grids moved out, and keeps the party
// members in step with the residents' political status.
func (p *rosterPlan) planHouseholds(txn KVTxn, r Roster, today string) error {
	if len(r.Households) == 0 {
		return nil
	}
	covered := map[string]bool{}
	var villages []string
	for _, h := range r.Households {
		covered[h.Grid] = true
		if !slices.Contains(villages, h.Village) {
			villages = append(villages, h.Village)
		}
	}
	for g := range covered {
		p.report.Covered = append(p.report.Covered, g)
	}
	sort.Strings(p.report.Covered)
	f := r.Fields
	for _, v := range villages {
		olds, err := scanStored[Household](txn, "household/"+v+"/")
		if err != nil {
			return err
		}
		byID := map[string]*stored[Household]{}
		for i := range olds {
			byID[olds[i].v.ID] = &olds[i]
		}
		var states []*householdState
		seen := map[string]bool{}
		for _, in := range r.Households {
			if in.Village != v {
				continue
			}
			if seen[in.ID] {
				return fmt.Errorf("household %s is listed twice", in.ID)
			}
			seen[in.ID] = true
			st := &householdState{old: byID[in.ID], listed: true, covered: true}
			st.h = mergeHousehold(st.old, in, f, today)
			states = append(states, st)
		}
		for i := range olds {
			o := &olds[i]
			if covered[o.v.Grid] && o.v.MovedOut == "" {
				p.before[o.v.Grid]++
			}
			if seen[o.v.ID] || !covered[o.v.Grid] {
				continue
			}
			h := o.v
			h.Residents = slices.Clone(h.Residents)
			if h.MovedOut == "" {
				h.MovedOut = today
			}
			for j := range h.Residents {
				if h.Residents[j].MovedOut == "" {
					h.Residents[j].MovedOut = today
				}
			}
			states = append(states, &householdState{old: o, h: h, covered: true})
		}
		for _, st := range states {
			if err := p.writeHousehold(st); err != nil {
				return err
			}
		}
		if f.Political {
			if err := p.planMembers(txn, v, states, today); err != nil {
				return err
			}
		}
	}
	return nil
}

// mergeHousehold builds the new household row from the stored one (nil for a new household)
// and the roster's: residents are matched by ID number, then by name; stored residents the
// roster no longer lists stay, marked moved out, after the listed ones.
func mergeHousehold(old *stored[Household], in Household, f RosterFields, today string) Household {
	h := Household{ID: in.ID, Village: in.Village, Grid: in.Grid, Address: in.Address, Special: in.Special}
	var prev []Resident
	if old != nil {
		prev = old.v.Residents
		if !f.Address {
			h.Address = old.v.Address
		}
		if !f.Special {
			h.Special = old.v.Special
		}
	}
	matched := make([]int, len(in.Residents))
	used := make([]bool, len(prev))
	for i, r := range in.Residents {
		matched[i] = -1
		if r.IDNumber == "" {
			continue
		}
		for j, o := range prev {
			if !used[j] && o.IDNumber == r.IDNumber {
				matched[i], used[j] = j, true
				break
			}
		}
	}
	for i, r := range in.Residents {
		if matched[i] >= 0 {
			continue
		}
		for j, o := range prev {
			if !used[j] && o.Name == r.Name {
				matched[i], used[j] = j, true
				break
			}
		}
	}
	next := uint64(0)
	for _, o := range prev {
		next = max(next, trailingNumber(o.ID))
	}
	for i, r := range in.Residents {
		var o *Resident
		if matched[i] >= 0 {
			o = &prev[matched[i]]
		}
		nr := mergeResident(o, r, f)
		if o == nil {
			next++
			nr.ID = fmt.Sprintf("%s-%d", in.ID, next)
		}
		h.Residents = append(h.Residents, nr)
	}
	for j, o := range prev {
		if !used[j] {
			if o.MovedOut == "" {
				o.MovedOut = today
			}
			h.Residents = append(h.Residents, o)
		}
	}
	return h
}

// mergeResident applies a roster row to a stored resident (nil for a new one).
func mergeResident(o *Resident, in Resident, f RosterFields) Resident {
	var r Resident
	if o != nil {
		r = *o
	}
	r.Name, r.Relation, r.MovedOut = in.Name, in.Relation, ""
	pick := func(has bool, v string, cur *string) {
		if has || v != "" {
			*cur = v
		}
	}
	pick(f.Gender, in.Gender, &r.Gender)
	pick(f.Born, in.Born, &r.Born)
	pick(f.IDNumber, in.IDNumber, &r.IDNumber)
	pick(f.Phone, in.Phone, &r.Phone)
	pick(f.Political, in.Political, &r.Political)
	if f.Special {
		r.Special = in.Special
	}
	return r
}

// writeHousehold plans a household's row: added, changed (moved to another grid means a new
// key and the old one deleted), or moved out; and counts its residents.
func (p *rosterPlan) writeHousehold(st *householdState) error {
	key := householdKey(st.h)
	var before prior
	var oldRes []Resident
	oldKey := ""
	if st.old != nil {
		oldKey, oldRes = st.old.key, st.old.v.Residents
		if oldKey == key {
			before = st.old.prior
		}
	}
	changed, err := p.put("household", "import.household", key, before, st.h)
	if err != nil {
		return err
	}
	if oldKey != "" && oldKey != key {
		p.del("household", "import.household.move", oldKey, st.old.prior)
	}
	head := st.h.Head().Name
	switch {
	case st.old == nil:
		p.report.Households.Added++
		p.change(RosterChange{Kind: "household", Action: "add", Village: st.h.Village, ID: st.h.ID, Name: head})
	case st.h.MovedOut != "" && st.old.v.MovedOut == "":
		p.report.Households.MovedOut++
		p.gone[st.old.v.Grid]++
		p.change(RosterChange{Kind: "household", Action: "moveout", Village: st.h.Village, ID: st.h.ID, Name: head})
	case st.h.MovedOut == "" && st.old.v.MovedOut != "":
		p.report.Households.Returned++
		p.change(RosterChange{Kind: "household", Action: "return", Village: st.h.Village, ID: st.h.ID, Name: head})
	case changed:
		p.report.Households.Changed++
		p.change(RosterChange{Kind: "household", Action: "change", Village: st.h.Village, ID: st.h.ID, Name: head,
			Fields: householdFields(st.old.v, st.h)})
	default:
		p.report.Households.Unchanged++
	}
	olds := map[string]Resident{}
	for _, r := range oldRes {
		olds[r.ID] = r
	}
	for _, r := range st.h.Residents {
		o, existed := olds[r.ID]
		c := RosterChange{Kind: "resident", Village: st.h.Village, ID: r.ID, Name: r.Name}
		switch {
		case !existed:
			p.report.Residents.Added++
			c.Action = "add"
		case r.MovedOut != "" && o.MovedOut == "":
			p.report.Residents.MovedOut++
			c.Action = "moveout"
		case r.MovedOut == "" && o.MovedOut != "":
			p.report.Residents.Returned++
			c.Action = "return"
		default:
			if fields := residentFields(o, r); len(fields) > 0 {
				p.report.Residents.Changed++
				c.Action, c.Fields = "change", fields
			} else {
				p.report.Residents.Unchanged++
				continue
			}
		}
		p.change(c)
	}
	return nil
}

// householdFields names the household-level fields that differ.
func householdFields(a, b Household) []string {
	var out []string
	if a.Grid != b.Grid {
		out = append(out, "grid")
	}
	if a.Address != b.Address {
		out = append(out, "address")
	}
	if !slices.Equal(a.Special, b.Special) {
		out = append(out, "special")
	}
	ids := func(h Household) []string {
		var s []string
		for _, r := range h.Residents {
			s = append(s, r.ID)
		}
		return s
	}
	if !slices.Equal(ids(a), ids(b)) {
		out = append(out, "residents")
	}
	return out
}

// residentFields names the fields of a resident that differ.
func residentFields(a, b Resident) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("name", a.Name != b.Name)
	add("relation", a.Relation != b.Relation)
	add("gender", a.Gender != b.Gender)
	add("born", a.Born != b.Born)
	add("id_number", a.IDNumber != b.IDNumber)
	add("phone", a.Phone != b.Phone)
	add("political", a.Political != b.Political)
	add("special", !slices.Equal(a.Special, b.Special))
	return out
}

// isPartyMember reports whether a political status (政治面貌) is party membership.
func isPartyMember(political string) bool {
	return political == PoliticalMember || political == PoliticalProbationary
}

// Political statuses that make a party member.
const (
	PoliticalMember       = "中共党员"
	PoliticalProbationary = "中共预备党员"
)

// planMembers keeps a village's party members in step with the residents the roster covers:
// a member whose resident is listed as a party member is updated (and brought back if marked
// moved out), one whose resident is gone or no longer a member is marked moved out, and a
// listed party member with no member row gets one. Members are matched to residents by
// resident ID, then by ID number, so a member who moved to another household keeps their
// member ID (and with it their place in visit groups).
func (p *rosterPlan) planMembers(txn KVTxn, village string, states []*householdState, today string) error {
	olds, err := scanStored[Member](txn, "member/"+village+"/")
	if err != nil {
		return err
	}
	type where struct {
		r    Resident
		grid string
	}
	inScope := map[string]where{}     // resident ID → the resident as planned
	byIDNumber := map[string]string{} // ID number → resident ID of a current resident
	oldIDNumber := map[string]string{}
	for _, st := range states {
		if st.old != nil {
			for _, r := range st.old.v.Residents {
				if r.IDNumber != "" {
					oldIDNumber[r.ID] = r.IDNumber
				}
			}
		}
		for _, r := range st.h.Residents {
			inScope[r.ID] = where{r: r, grid: st.h.Grid}
			if r.MovedOut == "" && r.IDNumber != "" && isPartyMember(r.Political) {
				byIDNumber[r.IDNumber] = r.ID
			}
		}
	}
	linked := map[string]bool{}
	next := uint64(0)
	for _, m := range olds {
		next = max(next, trailingNumber(m.v.ID))
	}
	current := func(w where) bool { return w.r.MovedOut == "" && isPartyMember(w.r.Political) }
	for _, m := range olds {
		w, ok := inScope[m.v.Resident]
		if m.v.Resident == "" || !ok {
			continue // a member the roster does not cover
		}
		nm := m.v
		if !current(w) {
			if id, found := byIDNumber[oldIDNumber[m.v.Resident]]; found && !linked[id] && oldIDNumber[m.v.Resident] != "" {
				w, nm.Resident = inScope[id], id
			}
		}
		if current(w) && !linked[nm.Resident] {
			linked[nm.Resident] = true
			nm.Name, nm.Grid, nm.MovedOut = w.r.Name, w.grid, ""
			nm.Probationary = w.r.Political == PoliticalProbationary
			if w.r.Phone != "" {
				nm.Phone = w.r.Phone
			}
		} else if nm.MovedOut == "" {
			nm.MovedOut = today
		}
		changed, err := p.put("member", "import.member", m.key, m.prior, nm)
		if err != nil {
			return err
		}
		c := RosterChange{Kind: "member", Village: village, ID: nm.ID, Name: nm.Name}
		switch {
		case nm.MovedOut != "" && m.v.MovedOut == "":
			p.report.Members.MovedOut++
			c.Action = "moveout"
		case nm.MovedOut == "" && m.v.MovedOut != "":
			p.report.Members.Returned++
			c.Action = "return"
		case changed:
			p.report.Members.Changed++
			c.Action = "change"
		default:
			p.report.Members.Unchanged++
			continue
		}
		p.change(c)
	}
	// New members, in roster order.
	for _, st := range states {
		for _, r := range st.h.Residents {
			if linked[r.ID] || !current(where{r: r}) {
				continue
			}
			next++
			m := Member{ID: fmt.Sprintf("%s-M%03d", village, next), Village: village, Grid: st.h.Grid, Name: r.Name,
				Resident: r.ID, Phone: r.Phone, Probationary: r.Political == PoliticalProbationary}
			if _, err := p.put("member", "import.member", memberKey(village, m.ID), prior{}, m); err != nil {
				return err
			}
			p.report.Members.Added++
			p.change(RosterChange{Kind: "member", Action: "add", Village: village, ID: m.ID, Name: m.Name})
		}
	}
	return nil
}

// planCadres replaces the cadres of the villages the roster's cadres sheet covers, keeping the
// IDs of cadres listed again (same name, post and grid), and points each village's visit
// team and grid secretaries at the cadres now in post.
func (p *rosterPlan) planCadres(txn KVTxn, r Roster, gridOf map[string]Grid) error {
	f := r.Fields
	for _, v := range r.CadreVillages {
		olds, err := scanStored[Cadre](txn, "cadre/"+v+"/")
		if err != nil {
			return err
		}
		members, err := scanStored[Member](txn, "member/"+v+"/")
		if err != nil {
			return err
		}
		// Members as this import leaves them: a new member planned above is not linked to
		// a cadre until the next import, which keeps the plan a single pass.
		memberOf := map[string]Member{}
		for _, m := range members {
			memberOf[m.v.ID] = m.v
		}
		for _, op := range p.ops {
			if op.Kind == "member" && !op.Delete && strings.HasPrefix(op.Key, "member/"+v+"/") {
				var m Member
				if json.Unmarshal(op.Value, &m) == nil {
					memberOf[m.ID] = m
				}
			}
		}
		findMember := func(c Cadre) string {
			var hits []Member
			for _, m := range memberOf {
				if m.MovedOut == "" && m.Name == c.Name {
					hits = append(hits, m)
				}
			}
			if len(hits) > 1 {
				hits = slices.DeleteFunc(hits, func(m Member) bool { return c.Phone == "" || m.Phone != c.Phone })
			}
			if len(hits) == 1 {
				return hits[0].ID
			}
			return ""
		}
		key := func(c Cadre) string { return c.Name + "\x00" + c.Post + "\x00" + c.Grid }
		oldBy := map[string]*stored[Cadre]{}
		next := uint64(0)
		for i := range olds {
			oldBy[key(olds[i].v)] = &olds[i]
			next = max(next, trailingNumber(olds[i].v.ID))
		}
		kept := map[string]bool{}
		var now []Cadre
		for _, in := range r.Cadres {
			if in.Village != v {
				continue
			}
			o := oldBy[key(in)]
			var nc Cadre
			if o != nil && !kept[o.key] {
				kept[o.key] = true
				nc = o.v
			} else {
				o = nil
				next++
				nc = Cadre{ID: fmt.Sprintf("%s-C%02d", v, next), Village: v, Name: in.Name, Post: in.Post, Grid: in.Grid}
			}
			if f.CadreDuties || o == nil {
				nc.Duties = in.Duties
			}
			if f.CadrePhone || o == nil {
				nc.Phone = in.Phone
			}
			if f.CadreDuty || o == nil {
				nc.Duty = in.Duty
			}
			if m, ok := memberOf[nc.Member]; nc.Member == "" || !ok || m.MovedOut != "" {
				nc.Member = findMember(nc)
			}
			now = append(now, nc)
			var before prior
			if o != nil {
				before = o.prior
			}
			changed, err := p.put("cadre", "import.cadre", cadreKey(v, nc.ID), before, nc)
			if err != nil {
				return err
			}
			p.tally(&p.report.Cadres, o != nil, changed, RosterChange{Kind: "cadre", Village: v, ID: nc.ID, Name: nc.Name})
		}
		p.before["cadres "+v] = len(olds)
		for _, o := range olds {
			if !kept[o.key] {
				p.gone["cadres "+v]++
				p.del("cadre", "import.cadre.remove", o.key, o.prior)
				p.report.Cadres.Removed++
				p.change(RosterChange{Kind: "cadre", Action: "remove", Village: v, ID: o.v.ID, Name: o.v.Name})
			}
		}
		if err := p.planTeam(txn, v, now, gridOf); err != nil {
			return err
		}
	}
	return nil
}

// planOfficials replaces the township's officials with those the roster lists (keeping the
// IDs of officials listed again, same name and post), and adds any leader in charge the
// grids sheet names who is not an official: the leaders own township-tier concerns and
// supervise failed revisits, so they are people in the store like everyone else.
func (p *rosterPlan) planOfficials(txn KVTxn, r Roster) error {
	olds, err := scanStored[Official](txn, "official/")
	if err != nil {
		return err
	}
	f := r.Fields
	key := func(o Official) string { return o.Name + "\x00" + o.Post }
	oldBy := map[string]*stored[Official]{}
	named := map[string]bool{}
	next := uint64(0)
	for i := range olds {
		oldBy[key(olds[i].v)] = &olds[i]
		named[olds[i].v.Name] = true
		next = max(next, trailingNumber(olds[i].v.ID))
	}
	kept := map[string]bool{}
	var listed []Official
	if r.OfficialsGiven {
		listed = r.Officials
		named = map[string]bool{}
	} else {
		for _, o := range olds {
			kept[o.key] = true
		}
	}
	for _, in := range listed {
		named[in.Name] = true
	}
	for _, v := range r.Villages {
		if f.Leader && v.Leader != "" && !named[v.Leader] {
			named[v.Leader] = true
			listed = append(listed, Official{Name: v.Leader, Post: "包村领导", Duties: "包" + v.Name})
		}
	}
	for _, in := range listed {
		o := oldBy[key(in)]
		var no Official
		if o != nil && !kept[o.key] {
			kept[o.key] = true
			no = o.v
		} else {
			o = nil
			next++
			no = Official{ID: OfficialID(int(next)), Name: in.Name, Post: in.Post}
		}
		if f.CadreDuties || o == nil {
			no.Duties = in.Duties
		}
		if f.CadrePhone || o == nil {
			no.Phone = in.Phone
		}
		var before prior
		if o != nil {
			before = o.prior
		}
		changed, err := p.put("official", "import.official", officialKey(no.ID), before, no)
		if err != nil {
			return err
		}
		p.tally(&p.report.Officials, o != nil, changed, RosterChange{Kind: "official", ID: no.ID, Name: no.Name})
	}
	if !r.OfficialsGiven {
		return nil
	}
	p.before["cadres 镇"] = len(olds)
	for _, o := range olds {
		if !kept[o.key] {
			p.gone["cadres 镇"]++
			p.del("official", "import.official.remove", o.key, o.prior)
			p.report.Officials.Removed++
			p.change(RosterChange{Kind: "official", Action: "remove", ID: o.v.ID, Name: o.v.Name})
		}
	}
	return nil
}

// planTeam points a village's visit team at its party secretary (captain) and its first
// secretary and guiding officer, and each grid at its grid secretary.
func (p *rosterPlan) planTeam(txn KVTxn, village string, cadres []Cadre, gridOf map[string]Grid) error {
	var team Team
	raw, err := getJSON(txn, teamKey(village), &team)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	before := priorOf(raw, team)
	nt := Team{Village: village}
	for _, post := range []string{PostFirstSecretary, PostGuide} {
		for _, c := range cadres {
			if c.Post == post {
				nt.Officers = append(nt.Officers, c.ID)
				break
			}
		}
	}
	for _, c := range cadres {
		if c.Post == PostSecretary {
			nt.Captain = c.ID
			break
		}
	}
	if len(nt.Officers) == 0 {
		nt.Officers = team.Officers[:0:0] // keep null or [] as stored
	}
	changed, err := p.put("team", "import.team", teamKey(village), before, nt)
	if err != nil {
		return err
	}
	p.tally(&p.report.Teams, raw != nil, changed, RosterChange{Kind: "team", Village: village, ID: village})
	for _, c := range cadres {
		if c.Post != PostGridSecretary || c.Member == "" {
			continue
		}
		g, ok := gridOf[c.Grid]
		if !ok || g.Village != village || g.Secretary == c.Member {
			continue
		}
		var old Grid
		gb, err := getJSON(txn, gridKey(village, g.Code), &old)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		gp := priorOf(gb, old)
		if p.keys[gridKey(village, g.Code)] {
			// Added or renamed by this import's grids sheet: rewrite that op's value.
			for i := range p.ops {
				if p.ops[i].Key == gridKey(village, g.Code) {
					g.Secretary = c.Member
					p.ops[i].Value, _ = json.Marshal(g)
				}
			}
			continue
		}
		if gb != nil {
			g = old
		}
		g.Secretary = c.Member
		changed, err := p.put("grid", "import.grid.secretary", gridKey(village, g.Code), gp, g)
		if err != nil {
			return err
		}
		p.tally(&p.report.Grids, gb != nil, changed, RosterChange{Kind: "grid", Village: village, ID: g.Code, Name: g.Name, Fields: []string{"secretary"}})
	}
	return nil
}

// planFactSheets replaces the editable part of the roster's fact sheets, section by section:
// a section the roster does not list for a village keeps what is stored. A change names the
// sections that differ.
func (p *rosterPlan) planFactSheets(txn KVTxn, r Roster, a Actor) error {
	for _, in := range r.FactSheets {
		var old FactSheet
		raw, err := getJSON(txn, factSheetKey(in.Village), &old)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		nf := in
		if secs, ok := r.FactSections[in.Village]; ok {
			nf = old
			nf.Village = in.Village
			for _, sec := range secs {
				copySection(&nf, in, sec)
			}
		}
		var changed []string
		for _, sec := range FactSections() {
			if !sameSection(old, nf, sec) {
				changed = append(changed, sec)
			}
		}
		if raw != nil && len(changed) == 0 {
			p.report.FactSheets.Unchanged++
			continue
		}
		nf.UpdatedBy, nf.UpdatedAt = a.Name, p.at
		if _, err := p.put("factsheet", "import.factsheet", factSheetKey(in.Village), priorOf(raw, old), nf); err != nil {
			return err
		}
		p.tally(&p.report.FactSheets, raw != nil, true, RosterChange{Kind: "factsheet", Village: in.Village, ID: in.Village, Fields: changed})
	}
	return nil
}
