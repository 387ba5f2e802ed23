// Package store holds the campaign's data in an embedded Badger database: the domain types,
// the rules that keep them valid, scope checks, the audit trail and the change feed.
package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Store is the campaign database. It is safe for concurrent use by many sessions.
type Store struct {
	db  *gatedDB // every use of the engine goes through its gate (see gate.go)
	dir string
	hub *Hub
	log *slog.Logger
	now func() time.Time

	auditMu  sync.Mutex
	auditSeq uint64
	// seqs hands out audit sequence numbers when the engine is shared by several processes
	// (kv.go); nil means auditSeq, in memory, seeded at open.
	seqs AuditSequencer

	space *spaceGuard
	key   []byte // the master key, for encrypted backups
	// snap: the store keeps a start snapshot (Options.StartSnapshot, startsnap.go).
	snap bool
	// readOnly is set for a store opened without its write lock: it leaves its files alone.
	readOnly bool
	// openVersion is the store's version as it opened, before it wrote anything (startsnap.go).
	openVersion uint64
	// stampWalks counts the key walks start snapshots needed (for tests: most need none).
	stampWalks atomic.Int64
	hh         *hhCache // each village's households, decoded once and shared (hhcache.go)
	// indexed says lookups by household ID may use the index (hhindex.go). Set by Open and
	// never changed: false only for a store written before the index, opened read-only.
	indexed bool

	// importMu is held for reading by every write, and for writing by an import about to
	// commit while it installs importing: the keys of its rows, which no other write may
	// touch until it is applied (roster.go).
	importMu  sync.RWMutex
	importing map[string]bool

	// shared says other processes use the same engine (several front ends on PostgreSQL):
	// an import another one is applying guards its rows here too (sharedimport.go).
	shared bool
	// remoteImport caches the rows of the committed import another process is applying.
	remoteMu     sync.Mutex
	remoteImport struct {
		id   string
		keys map[string]bool
	}
}

// Options configure Open.
type Options struct {
	// Logger receives Badger's own messages and the store's; nil discards them. Badger must
	// never write to a terminal a session is drawn on.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ReadOnly opens the store without taking its lock for writing.
	ReadOnly bool
	// EncryptionKey, if set, encrypts the store at rest (see crypt.go and LoadKey).
	EncryptionKey []byte
	// MinFree is the disk space a write needs left (see space.go); 0 means DefaultMinFree,
	// negative turns the check off.
	MinFree int64
	// FreeSpace reports the bytes free on a directory's disk; nil asks the file system.
	FreeSpace func(dir string) (uint64, error)
	// StartSnapshot keeps the households in start.snap at Close and reads them from it at
	// Open while no household changed (startsnap.go): a server's. Ignored read-only, for an
	// encrypted store and on an engine other than Badger.
	StartSnapshot bool
}

// ErrLocked is returned by Open when another process holds the store.
var ErrLocked = errors.New("store in use by another process")

// ErrNotFound is returned when a row does not exist or is outside the actor's scope.
var ErrNotFound = errors.New("not found")

// maxRetries bounds how often a write is retried after a conflict with another session.
const maxRetries = 8

// Open opens (creating if needed) the store in dir with synchronous writes, so that a save
// acknowledged to a user survives a power cut.
func Open(dir string, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	opts := badger.DefaultOptions(filepath.Join(dir, "db")).
		WithSyncWrites(true).
		WithLogger(badgerLogger{o.Logger}).
		WithReadOnly(o.ReadOnly).
		// The data set is small (a county is tens of MB); keep memory modest so 100
		// sessions on a 2-core office box are not starved by caches.
		WithMemTableSize(16 << 20).
		// The panes read through views of their own (the ledger view, the shared read
		// models), so badger's block cache serves little but their first loads: a quarter of
		// its default, which held 250 MB of a county server's 2 GB.
		WithBlockCacheSize(64 << 20).
		WithValueLogFileSize(64 << 20).
		WithNumVersionsToKeep(1)
	opts = withEncryption(opts, o.EncryptionKey)
	db, err := badger.Open(opts)
	if err != nil {
		if e := keyError(err); e != nil {
			return nil, e
		}
		if strings.Contains(err.Error(), "Another process is using this Badger database") ||
			strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("%w: %s", ErrLocked, describeHolder(dir))
		}
		return nil, fmt.Errorf("open store in %s: %w", dir, err)
	}
	s, err := openKV(badgerKV{db}, dir, o)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenKV opens a store over another key-value engine (a PostgreSQL database, see
// sanbai/store/pgstore): the same rules, scope and audit as a store in a directory. The store
// closes kv when it is closed, and also when OpenKV fails.
func OpenKV(kv KV, o Options) (*Store, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	// The disk the database writes to is the database server's, not ours.
	o.MinFree = -1
	s, err := openKV(kv, "", o)
	if err != nil {
		kv.Close()
		return nil, err
	}
	return s, nil
}

// openKV builds the store over an open engine and brings its data up to date (an import cut
// short, old drafts, the household index); the caller closes kv when it fails.
func openKV(kv KV, dir string, o Options) (*Store, error) {
	s := &Store{db: newGatedDB(kv), dir: dir, hub: NewHub(), log: o.Logger, now: o.Now, space: spaceFor(dir, o), key: o.EncryptionKey,
		hh: newHHCache(), snap: o.StartSnapshot && !o.ReadOnly, readOnly: o.ReadOnly}
	s.seqs, _ = kv.(AuditSequencer)
	_, s.shared = kv.(ChangeSource)
	s.hub.Observe(s.hh.note)
	if err := s.loadAuditSeq(); err != nil {
		return nil, err
	}
	s.openVersion, _ = s.version()
	if !o.ReadOnly {
		s.dropRewound()
		// An import cut short by a crash is finished or discarded before anyone reads.
		if err := s.recoverImports(); err != nil {
			return nil, fmt.Errorf("recover an interrupted import: %w", err)
		}
		if err := s.moveOldDrafts(); err != nil {
			return nil, fmt.Errorf("move drafts: %w", err)
		}
	}
	var err error
	if s.indexed, err = s.householdIndexed(); err != nil {
		return nil, err
	}
	if !s.indexed && !o.ReadOnly {
		// A store written before the household ID index gets it once.
		if err := s.rebuildHouseholdIndex(); err != nil {
			return nil, fmt.Errorf("build the household index: %w", err)
		}
		s.indexed = true
	}
	if src, ok := kv.(ChangeSource); ok {
		src.StartFeed(s.publishRemote)
	}
	began := time.Now()
	if n, err := s.loadStart(); err != nil {
		s.log.Warn("reading the start snapshot", "err", err)
	} else if n > 0 {
		s.log.Info("households read from the start snapshot", "villages", n, "took", time.Since(began).Round(time.Millisecond))
	}
	return s, nil
}

// publishRemote tells this process of another one's commit, as update does of its own: the
// household cache forgets first, then the hub publishes.
func (s *Store) publishRemote(changes []Change, hhVillages []string) {
	s.hh.invalidate(hhVillages...)
	s.hub.Publish(changes...)
}

// Close closes the database once the calls in flight have finished (the gate, gate.go, waits
// for them); any call after it returns ErrClosed.
// A server's store writes its start snapshot first (startsnap.go).
func (s *Store) Close() error {
	s.saveStart(s.carryStarts())
	return s.db.Close()
}

// Dir returns the data directory.
func (s *Store) Dir() string { return s.dir }

// Hub returns the change feed live sessions subscribe to.
func (s *Store) Hub() *Hub { return s.hub }

// Now returns the store's clock reading.
func (s *Store) Now() time.Time { return s.now() }

// Today returns today's date as YYYY-MM-DD in local time.
func (s *Store) Today() string { return s.now().Format(time.DateOnly) }

// holderFile names the file in the data directory that says which process serves it.
const holderFile = "sanbai.pid"

// MarkHolder records this process as the one holding the store, so that a second process
// can say plainly who it is instead of showing Badger's lock error.
func MarkHolder(dir, what string) (release func(), err error) {
	path := filepath.Join(dir, holderFile)
	line := fmt.Sprintf("%d %s %s\n", os.Getpid(), time.Now().Format(time.RFC3339), what)
	if err := os.WriteFile(path, []byte(line), 0o600); err != nil {
		return func() {}, err
	}
	return func() { os.Remove(path) }, nil
}

// describeHolder says which process holds the store, from the holder file if there is one.
func describeHolder(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, holderFile))
	if err != nil {
		return "the data directory " + dir + " is locked by another process"
	}
	f := strings.SplitN(strings.TrimSpace(string(b)), " ", 3)
	if len(f) < 3 {
		return "the data directory " + dir + " is locked by another process"
	}
	return fmt.Sprintf("the data directory %s is held by %q (pid %s, since %s)", dir, f[2], f[0], f[1])
}

// badgerLogger routes Badger's messages into the server log; its chatty info lines go to
// debug level.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	b.l.Error(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (b badgerLogger) Warningf(f string, a ...any) {
	b.l.Warn(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (b badgerLogger) Infof(f string, a ...any) {
	b.l.Debug(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}
func (b badgerLogger) Debugf(f string, a ...any) {
	b.l.Debug(strings.TrimSpace(fmt.Sprintf(f, a...)), "component", "badger")
}

// Tx is one write transaction: it reads what it changes (so Badger detects conflicts on it),
// and records an audit event and a change for each row it writes.
type Tx struct {
	txn     KVTxn
	actor   Actor
	at      time.Time
	audits  []AuditEvent
	changes []Change
	// hhVillages are the villages whose households the transaction wrote, for the
	// household cache.
	hhVillages []string
	// guarded are the keys of a committed import being applied (Store.importing), which
	// this write may not touch; importing marks the import's own apply, which may.
	guarded   map[string]bool
	importing bool
}

// Actor returns who is writing.
func (tx *Tx) Actor() Actor { return tx.actor }

// At returns the time of the transaction.
func (tx *Tx) At() time.Time { return tx.at }

// update runs fn in a write transaction for actor, retrying a bounded number of times on a
// conflict (fn runs again and re-reads), then publishes its changes after commit.
func (s *Store) update(ctx context.Context, a Actor, fn func(tx *Tx) error) error {
	if err := s.space.check(); err != nil {
		return err
	}
	s.importMu.RLock()
	defer s.importMu.RUnlock()
	var err error
	for attempt := 0; attempt < maxRetries; attempt++ {
		tx := &Tx{actor: a, at: s.now(), guarded: s.importing}
		err = s.db.Update(ctx, func(txn KVTxn) error {
			tx.txn = txn
			if s.shared && tx.guarded == nil {
				g, err := s.sharedImportKeys(txn)
				if err != nil {
					return err
				}
				tx.guarded = g
			}
			if err := fn(tx); err != nil {
				return err
			}
			if err := s.writeAudit(tx); err != nil {
				return err
			}
			// An engine other processes share tells them, from inside the transaction.
			if rec, ok := txn.(ChangeRecorder); ok && len(tx.changes) > 0 {
				return rec.RecordChanges(tx.changes, tx.hhVillages)
			}
			return nil
		})
		if errors.Is(err, ErrConflict) {
			s.log.Debug("write conflict, retrying", "attempt", attempt+1, "who", a.Name)
			continue
		}
		if isNoSpace(err) {
			return fmt.Errorf("%w: %v", ErrDiskFull, err)
		}
		if err != nil {
			return err
		}
		// The cache forgets before anyone is told, so a reader told of the change reads it.
		s.hh.invalidate(tx.hhVillages...)
		s.hub.Publish(tx.changes...)
		return nil
	}
	return fmt.Errorf("%w: %v", ErrBusy, err)
}

// ErrBusy is returned when a write kept conflicting with other sessions' writes.
var ErrBusy = errors.New("too many people changed this at once; try again")

// get reads key into v inside the transaction. It returns ErrNotFound when missing.
func (tx *Tx) get(key string, v any) ([]byte, error) {
	return getJSON(tx.txn, key, v)
}

// put writes v at key, recording the audit event with before (nil for a new row).
func (tx *Tx) put(action, key string, before []byte, v any, ch Change) error {
	after, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if before != nil && bytes.Equal(before, after) {
		return nil
	}
	if err := tx.guard(key); err != nil {
		return err
	}
	if err := tx.txn.Set([]byte(key), after); err != nil {
		return err
	}
	if err := tx.indexHousehold(key, false); err != nil {
		return err
	}
	tx.audits = append(tx.audits, AuditEvent{At: tx.at, Who: tx.actor.Name, Action: action, Key: key, Before: before, After: after})
	tx.changes = append(tx.changes, ch)
	return nil
}

// guard refuses a write to a row a committed import is being applied to.
func (tx *Tx) guard(key string) error {
	if tx.guarded[key] && !tx.importing {
		return ErrImportApplying
	}
	return nil
}

// del deletes key, recording the audit event.
func (tx *Tx) del(action, key string, before []byte, ch Change) error {
	if err := tx.guard(key); err != nil {
		return err
	}
	if err := tx.txn.Delete([]byte(key)); err != nil {
		return err
	}
	if err := tx.indexHousehold(key, true); err != nil {
		return err
	}
	tx.audits = append(tx.audits, AuditEvent{At: tx.at, Who: tx.actor.Name, Action: action, Key: key, Before: before})
	tx.changes = append(tx.changes, ch)
	return nil
}

// nextSeq returns the next number of a named counter, read and written in the transaction so
// two sessions never hand out the same number.
func (tx *Tx) nextSeq(name string) (uint64, error) {
	key := []byte("seq/" + name)
	var n uint64
	item, err := tx.txn.Get(key)
	switch {
	case err == nil:
		if err := item.Value(func(v []byte) error {
			n, err = strconv.ParseUint(string(v), 10, 64)
			return err
		}); err != nil {
			return 0, err
		}
	case !errors.Is(err, ErrKeyNotFound):
		return 0, err
	}
	n++
	return n, tx.txn.Set(key, []byte(strconv.FormatUint(n, 10)))
}

// auditKey orders audit events by sequence number.
func auditKey(seq uint64) string { return fmt.Sprintf("audit/%016x", seq) }

// writeAudit stores the transaction's audit events. Sequence numbers come from a counter in
// memory (seeded from the last stored event at open), so audit writes never conflict; a
// retried transaction simply takes fresh numbers.
func (s *Store) writeAudit(tx *Tx) error {
	for i := range tx.audits {
		seq, err := s.nextAuditSeq(tx.txn)
		if err != nil {
			return err
		}
		tx.audits[i].Seq = seq
		b, err := json.Marshal(tx.audits[i])
		if err != nil {
			return err
		}
		if err := tx.txn.Set([]byte(auditKey(seq)), b); err != nil {
			return err
		}
	}
	return nil
}

// nextAuditSeq hands out the next audit sequence number: from the engine when it is shared
// (AuditSequencer), else from memory. txn may be nil outside a transaction.
func (s *Store) nextAuditSeq(txn KVTxn) (uint64, error) {
	if s.seqs != nil {
		return s.seqs.NextAuditSeq(txn)
	}
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	s.auditSeq++
	return s.auditSeq, nil
}

// loadAuditSeq finds the last audit sequence number.
func (s *Store) loadAuditSeq() error {
	return s.db.View(context.Background(), func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{Reverse: true, Prefix: []byte("audit/")})
		defer it.Close()
		it.Seek([]byte("audit/\xff"))
		if it.Valid() {
			k := strings.TrimPrefix(string(it.Item().Key()), "audit/")
			n, err := strconv.ParseUint(k, 16, 64)
			if err != nil {
				return fmt.Errorf("audit key %q: %w", k, err)
			}
			s.auditSeq = n
		}
		return nil
	})
}

// Audit returns the most recent audit events the actor may read (auditInScope), newest first,
// at most limit of them, with the personal fields of the rows they quote masked.
func (s *Store) Audit(ctx context.Context, a Actor, limit int) ([]AuditEvent, error) {
	var out []AuditEvent
	err := s.db.View(ctx, func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{Reverse: true, Prefix: []byte("audit/"), PrefetchValues: true})
		defer it.Close()
		for it.Seek([]byte("audit/\xff")); it.Valid() && len(out) < limit; it.Next() {
			var ev AuditEvent
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &ev) }); err != nil {
				return err
			}
			if auditInScope(a, ev) {
				out = append(out, maskAudit(ev))
			}
		}
		return nil
	})
	return out, err
}

// auditInScope reports whether the actor may read an audit event: township users and
// inspectors read the whole trail; village users the events about their village's rows; grid
// users those about rows of their grid (a household under it, or a row naming the grid).
func auditInScope(a Actor, ev AuditEvent) bool {
	switch a.Role {
	case RoleTownship, RoleInspector:
		return true
	case RoleVillage, RoleGrid:
	default:
		return false
	}
	parts := strings.Split(ev.Key, "/")
	if len(parts) < 2 || parts[1] != a.Village {
		return false
	}
	if a.Role == RoleVillage {
		return true
	}
	if parts[0] == "household" {
		return len(parts) > 2 && parts[2] == a.Grid
	}
	for _, raw := range [][]byte{ev.After, ev.Before} {
		var row struct {
			Grid  string   `json:"grid"`
			Grids []string `json:"grids"`
		}
		if len(raw) == 0 || json.Unmarshal(raw, &row) != nil {
			continue
		}
		if row.Grid == a.Grid || slices.Contains(row.Grids, a.Grid) {
			return true
		}
	}
	return false
}

// getJSON reads key into v; ErrNotFound when missing. It returns the raw bytes for audit.
func getJSON(txn KVTxn, key string, v any) ([]byte, error) {
	item, err := txn.Get([]byte(key))
	if errors.Is(err, ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	raw, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	return raw, json.Unmarshal(raw, v)
}

// scan decodes every row under prefix, in key order, calling keep for each; rows for which
// keep returns false are skipped. It stops with ctx's error once ctx is done. A big scan (a
// county's concerns or households) is decoded on every core (scanChunks), the chunks put back
// in key order; a small one is decoded as it is read.
func scan[T any](ctx context.Context, db *gatedDB, prefix string, keep func(*T) bool) ([]T, error) {
	return scanStamped(ctx, db, prefix, keep, nil)
}

// scanStamped is scan, noting every key read in st when it is not nil (startsnap.go).
func scanStamped[T any](ctx context.Context, db *gatedDB, prefix string, keep func(*T) bool, st *stamper) ([]T, error) {
	var (
		parts   [][]T
		partsMu sync.Mutex
	)
	err := scanChunks(ctx, db, prefix, keep, func(seq int, rows []T) {
		partsMu.Lock()
		defer partsMu.Unlock()
		for len(parts) <= seq {
			parts = append(parts, nil)
		}
		parts[seq] = rows
	}, st)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return nil, nil
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	out := make([]T, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out, nil
}

// scanChunks decodes the rows under prefix as scan does, handing each chunk of them (the
// rows keep lets through) to each as it is decoded: seq numbers the chunks in key order, and
// each is called from several goroutines at once, in no order. Values are copied out of the
// transaction a chunk at a time and decoded by a worker per core; a scan of fewer rows than a
// chunk is decoded as it is read. A caller that makes something smaller of each chunk never
// holds all the decoded rows at once. st, when not nil, notes every key read (startsnap.go).
func scanChunks[T any](ctx context.Context, db *gatedDB, prefix string, keep func(*T) bool, each func(seq int, rows []T), st *stamper) error {
	decode := func(raws [][]byte, keys []string) ([]T, error) {
		out := make([]T, 0, len(raws))
		for i, b := range raws {
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, fmt.Errorf("%s: %w", keys[i], err)
			}
			if keep == nil || keep(&v) {
				out = append(out, v)
			}
		}
		return out, nil
	}
	type chunk struct {
		seq  int
		raws [][]byte
		keys []string
	}
	var (
		errs   []error
		errsMu sync.Mutex
		wg     sync.WaitGroup
		work   chan chunk
	)
	start := func() {
		work = make(chan chunk, 4)
		for range max(runtime.GOMAXPROCS(0), 1) {
			wg.Go(func() {
				for ch := range work {
					rows, err := decode(ch.raws, ch.keys)
					if err != nil {
						errsMu.Lock()
						errs = append(errs, err)
						errsMu.Unlock()
						continue
					}
					each(ch.seq, rows)
				}
			})
		}
	}
	err := db.View(ctx, func(txn KVTxn) error {
		if st != nil {
			st.at(txn)
		}
		it := txn.NewIterator(IteratorOptions{Prefix: []byte(prefix), PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		ch := chunk{}
		for it.Rewind(); it.Valid(); it.Next() {
			if len(ch.raws) == 0 {
				// A chunk at a time, see whether the session that asked is still there: a
				// county's scan stops within a few hundred rows of its session ending.
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if st != nil {
				st.add(it.Item())
			}
			ch.raws, ch.keys = append(ch.raws, raw), append(ch.keys, string(it.Item().Key()))
			if len(ch.raws) == scanChunk {
				if work == nil {
					start()
				}
				work <- ch
				ch = chunk{seq: ch.seq + 1}
			}
		}
		if len(ch.raws) > 0 {
			if work == nil { // small: decoded here, no workers
				rows, err := decode(ch.raws, ch.keys)
				if err == nil {
					each(0, rows)
				}
				return err
			}
			work <- ch
		}
		return nil
	})
	if work != nil {
		close(work)
		wg.Wait()
	}
	return errors.Join(append(errs, err)...)
}

// scanChunk is how many rows a scan hands one decoding worker at a time.
const scanChunk = 512
