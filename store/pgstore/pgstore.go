// Package pgstore keeps the store in a PostgreSQL database, for several front ends on one
// ledger: the same rules, scope and audit as the embedded Badger engine (they are written once,
// in sanbai/store, against the key-value seam of store/kv.go), over a table of ordered keys.
//
// Every write is one SERIALIZABLE transaction; a serialization failure or deadlock is the
// seam's ErrConflict, which the store retries a bounded number of times exactly as it retries
// Badger's conflicts. Reads run in REPEATABLE READ READ ONLY transactions: one snapshot, never
// a serialization failure. Each committed write also records its changes in the changes table
// and NOTIFYs sanbai_changes in the same transaction, so every other front end LISTENing hears
// of it only once it committed (feed.go).
package pgstore

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"sanbai/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// IsURL reports whether a --store value names a PostgreSQL database rather than a directory.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at url, brings its schema up to date and opens the store in
// it. The store closes the connections when it is closed.
func Open(ctx context.Context, url string, o store.Options) (*store.Store, error) {
	kv, err := openKV(ctx, url, o.Logger)
	if err != nil {
		return nil, err
	}
	return store.OpenKV(kv, o)
}

// Restore loads the backup at path (written by either engine) into the empty database at url,
// and records the restore in its audit trail.
func Restore(ctx context.Context, url, path string, o store.RestoreOptions) (store.BackupInfo, error) {
	kv, err := openKV(ctx, url, nil)
	if err != nil {
		return store.BackupInfo{}, err
	}
	return store.RestoreKV(kv, path, o)
}

// db is the PostgreSQL engine under the seam.
type db struct {
	pool   *pgxpool.Pool
	log    *slog.Logger
	origin string // this process's name in the changes table, so it skips its own

	blockMu sync.Mutex
	block   []int64 // audit numbers taken ahead for a bulk load

	feedMu   sync.Mutex
	stopFeed context.CancelFunc
	feedDone chan struct{}
}

// openKV connects and migrates.
func openKV(ctx context.Context, url string, log *slog.Logger) (*db, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("the store's database URL: %w", err)
	}
	// A store call made inside a write's transaction (a nested read) takes a second
	// connection: the pool must not run out while every connection holds an outer one.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = 32
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to the store's database: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	var b [8]byte
	rand.Read(b[:])
	return &db{pool: pool, log: log, origin: hex.EncodeToString(b[:])}, nil
}

// migrate applies the embedded migrations not applied yet, in version order, each in its own
// transaction with its row in schema_migrations. Forward only: a migration is never edited
// once released, a change is a new file. An advisory lock keeps two front ends starting at
// once from applying the same one twice.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	// Under the lock too: two CREATE TABLE IF NOT EXISTS at once can both try to create it.
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockMigrate); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
		return err
	})
	if err != nil {
		return fmt.Errorf("schema_migrations: %w", err)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(files)
	for _, f := range files {
		name := strings.TrimPrefix(f, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: no version number", name)
		}
		sql, err := migrations.ReadFile(f)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockMigrate); err != nil {
				return err
			}
			var done bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", version).Scan(&done); err != nil || done {
				return err
			}
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

// Advisory lock keys: migrations, the change feed's numbering, and writers' turns.
const (
	lockMigrate = 0x5a4e4241 // "ZNBA"
	lockChanges = 0x5a4e4243
	lockWrite   = 0x5a4e4257
)

// retryable reports a PostgreSQL error that means "run the transaction again": a
// serialization failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func (d *db) View(fn func(store.KVTxn) error) error {
	ctx := context.Background()
	tx, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	t := &txn{d: d, tx: tx, ctx: ctx}
	if err := fn(t); err != nil {
		return err
	}
	if t.err != nil {
		return t.err
	}
	return tx.Commit(ctx)
}

// Update runs fn in a SERIALIZABLE transaction, one writer at a time: it holds the write lock,
// a session-level advisory lock taken before the transaction begins (so before its snapshot).
// Without it, serializable transactions over one table of keys abort each other far more often
// than Badger's per-key conflicts do — a prefix scan locks index pages, not keys — and a few
// sessions saving at once would exhaust the store's retries. Writes are short (a form's save),
// so taking turns costs little; serializable isolation stays, for any writer that does not take
// turns (a bulk load) and as the rule the store is written against.
func (d *db) Update(fn func(store.KVTxn) error) error {
	ctx := context.Background()
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockWrite); err != nil {
		conn.Release()
		return err
	}
	defer func() {
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockWrite); err != nil {
			// A connection that may still hold the lock must never go back to the pool.
			conn.Hijack().Close(ctx)
			return
		}
		conn.Release()
	}()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	t := &txn{d: d, tx: tx, ctx: ctx}
	err = fn(t)
	// A statement that failed for a conflict aborts the transaction whatever fn made of its
	// error: the store must run it again.
	if t.conflict != nil {
		return fmt.Errorf("%w: %v", store.ErrConflict, t.conflict)
	}
	if err != nil {
		return err
	}
	if t.err != nil {
		return t.err
	}
	if err := tx.Commit(ctx); err != nil {
		if retryable(err) {
			return fmt.Errorf("%w: %v", store.ErrConflict, err)
		}
		return err
	}
	return nil
}

// NextAuditSeq takes the next number of the database's audit sequence: never the same for two
// front ends, and never a conflict (a sequence is outside transactions). A bulk load (no
// transaction) takes them a block at a time: a county's million past events would otherwise
// cost a million round trips.
func (d *db) NextAuditSeq(kt store.KVTxn) (uint64, error) {
	if t, ok := kt.(*txn); ok && t != nil {
		var n int64
		err := t.note(t.queryRow("SELECT nextval('audit_seq')").Scan(&n))
		return uint64(n), err
	}
	d.blockMu.Lock()
	defer d.blockMu.Unlock()
	if len(d.block) == 0 {
		rows, err := d.pool.Query(context.Background(), "SELECT nextval('audit_seq') FROM generate_series(1, 1000)")
		if err != nil {
			return 0, err
		}
		d.block, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(d.block) == 0 {
			return 0, fmt.Errorf("audit sequence: %v", err)
		}
	}
	n := d.block[0]
	d.block = d.block[1:]
	return uint64(n), nil
}

func (d *db) Close() error {
	d.feedMu.Lock()
	stop, done := d.stopFeed, d.feedDone
	d.feedMu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
	d.pool.Close()
	return nil
}

// txn is one transaction. Statement errors are kept: a conflict (t.conflict) makes Update
// answer ErrConflict, and an iterator's error (t.err), which Badger's iterator shape cannot
// return, fails the transaction instead of ending the iteration early in silence.
type txn struct {
	d        *db
	tx       pgx.Tx
	ctx      context.Context
	conflict error
	err      error
}

// note records a statement's error: a conflict for Update, anything else for the caller.
func (t *txn) note(err error) error {
	if err != nil && retryable(err) && t.conflict == nil {
		t.conflict = err
	}
	return err
}

func (t *txn) queryRow(sql string, args ...any) pgx.Row { return t.tx.QueryRow(t.ctx, sql, args...) }

func (t *txn) Get(key []byte) (store.KVItem, error) {
	var v []byte
	err := t.queryRow("SELECT v FROM kv WHERE k = $1", key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrKeyNotFound
	}
	if err := t.note(err); err != nil {
		return nil, err
	}
	return item{k: slices.Clone(key), v: v}, nil
}

func (t *txn) Set(key, value []byte) error {
	_, err := t.tx.Exec(t.ctx, "INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v", key, value)
	return t.note(err)
}

func (t *txn) Delete(key []byte) error {
	_, err := t.tx.Exec(t.ctx, "DELETE FROM kv WHERE k = $1", key)
	return t.note(err)
}

// RecordChanges writes the transaction's changes as one row of the change feed and NOTIFYs
// it, both delivered only if the transaction commits. The feed's numbers follow commit order:
// a writer takes them under a lock held until it commits, so a front end that has seen number
// n has seen every commit before it.
func (t *txn) RecordChanges(changes []store.Change, hhVillages []string) error {
	body, err := encodeChanges(changes, hhVillages)
	if err != nil {
		return err
	}
	if _, err := t.tx.Exec(t.ctx, "SELECT pg_advisory_xact_lock($1)", lockChanges); err != nil {
		return t.note(err)
	}
	var seq int64
	err = t.queryRow("INSERT INTO changes (seq, origin, body) VALUES (nextval('change_seq'), $1, $2) RETURNING seq",
		t.d.origin, body).Scan(&seq)
	if err := t.note(err); err != nil {
		return err
	}
	_, err = t.tx.Exec(t.ctx, "SELECT pg_notify($1, $2)", channel, strconv.FormatInt(seq, 10))
	return t.note(err)
}

// item is a key and its value read from the table.
type item struct{ k, v []byte }

func (i item) Key() []byte                       { return i.k }
func (i item) KeyCopy(dst []byte) []byte         { return append(dst[:0], i.k...) }
func (i item) Value(fn func([]byte) error) error { return fn(i.v) }
func (i item) ValueCopy(dst []byte) ([]byte, error) {
	return append(dst[:0], i.v...), nil
}

// An iterator reads firstPage rows, then pages twice as large up to maxPage: a lookup that
// stops early reads little, and a county's scan makes few round trips.
const (
	firstPage = 256
	maxPage   = 8192
)

func (t *txn) NewIterator(o store.IteratorOptions) store.KVIterator {
	return &iterator{t: t, o: o, hi: prefixEnd(o.Prefix), page: firstPage}
}

// prefixEnd is the smallest key after every key with the prefix, nil when there is none
// (an empty prefix, or one of 0xff bytes).
func prefixEnd(p []byte) []byte {
	end := slices.Clone(p)
	for len(end) > 0 {
		if end[len(end)-1] < 0xff {
			end[len(end)-1]++
			return end
		}
		end = end[:len(end)-1]
	}
	return nil
}

// iterator walks the keys under a prefix a page at a time, each page read after the last key
// of the one before: keys the transaction writes meanwhile are seen the way an ordered walk
// would see them.
type iterator struct {
	t    *txn
	o    store.IteratorOptions
	hi   []byte
	rows []item
	i    int
	more bool // the last page was full: there may be more rows
	page int  // the size of the next page
}

func (it *iterator) Rewind() {
	if it.o.Reverse {
		it.fetch(it.hi, false, it.hi == nil)
	} else {
		it.fetch(it.o.Prefix, true, false)
	}
}

func (it *iterator) Seek(key []byte) {
	switch {
	case !it.o.Reverse && string(key) < string(it.o.Prefix):
		key = it.o.Prefix
	case it.o.Reverse && it.hi != nil && string(key) >= string(it.hi):
		it.fetch(it.hi, false, false)
		return
	}
	it.fetch(key, true, false)
}

func (it *iterator) Valid() bool { return it.i < len(it.rows) }

func (it *iterator) Next() {
	it.i++
	if it.i == len(it.rows) && it.more {
		it.fetch(it.rows[len(it.rows)-1].k, false, false)
	}
}

func (it *iterator) Item() store.KVItem { return it.rows[it.i] }

func (it *iterator) Close() {}

// fetch reads the next page from the key from (included or not); in reverse, downwards, and
// with open set from the very end.
func (it *iterator) fetch(from []byte, include, open bool) {
	it.rows, it.i, it.more = it.rows[:0], 0, false
	size := it.page
	it.page = min(2*it.page, maxPage)
	if it.t.err != nil || it.t.conflict != nil {
		return
	}
	if from == nil {
		from = []byte{} // nil would be NULL, which no key is >= to
	}
	var where []string
	var args []any
	arg := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	order := "k"
	if it.o.Reverse {
		order = "k DESC"
		if !open {
			if include {
				arg("k <= $%d", from)
			} else {
				arg("k < $%d", from)
			}
		}
		if len(it.o.Prefix) > 0 {
			arg("k >= $%d", it.o.Prefix)
		}
	} else {
		if include {
			arg("k >= $%d", from)
		} else {
			arg("k > $%d", from)
		}
		if it.hi != nil {
			arg("k < $%d", it.hi)
		}
	}
	sql := "SELECT k, v FROM kv"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY " + order + " LIMIT " + strconv.Itoa(size)
	rows, err := it.t.tx.Query(it.t.ctx, sql, args...)
	if err != nil {
		it.fail(err)
		return
	}
	for rows.Next() {
		var r item
		if err := rows.Scan(&r.k, &r.v); err != nil {
			rows.Close()
			it.fail(err)
			return
		}
		it.rows = append(it.rows, r)
	}
	if err := rows.Err(); err != nil {
		it.fail(err)
		return
	}
	it.more = len(it.rows) == size
}

// fail ends the iteration and fails the transaction with err.
func (it *iterator) fail(err error) {
	it.rows, it.more = it.rows[:0], false
	if it.t.note(err); it.t.err == nil {
		it.t.err = err
	}
}
