package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
)

// ErrClosed is returned by every store call made after Close began: the server is shutting
// down.
var ErrClosed = errors.New("the store is closed: the server is shutting down")

// gatedDB is the engine (a KV, kv.go) behind a gate that Close shuts. Badger does not wait for the transactions
// in flight when it closes: one that creates an iterator afterwards panics ("DB Closed"), and
// one still reading a table may touch memory Badger has unmapped. A session's data load runs in
// a tea.Cmd that nothing waits for, so on shutdown a load could still be running when the
// server closed the store. Every use of the database goes through here instead: Close waits
// for the calls in flight to finish, and a call after that returns ErrClosed.
//
// It is not a sync.RWMutex on purpose: a call made from inside another (a read nested in a
// write's retry loop, say) must not block behind a Close waiting for the outer one, which an
// RWMutex with a writer waiting would do; here the inner call just gets ErrClosed.
type gatedDB struct {
	db KV
	// wrote notes what was written through the gate (startsnap.go carries a start snapshot
	// forward only past writes to keys it does not hold).
	wrote writeLog

	mu     sync.Mutex
	idle   *sync.Cond // signalled when active drops to 0
	active int
	closed bool
}

func newGatedDB(db KV) *gatedDB {
	g := &gatedDB{db: db}
	g.idle = sync.NewCond(&g.mu)
	return g
}

// enter admits one call unless Close has begun.
func (g *gatedDB) enter() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrClosed
	}
	g.active++
	return nil
}

// leave ends a call admitted by enter.
func (g *gatedDB) leave() {
	g.mu.Lock()
	g.active--
	if g.active == 0 {
		g.idle.Broadcast()
	}
	g.mu.Unlock()
}

// View runs fn in a read transaction, unless ctx is done (the session that asked has ended).
func (g *gatedDB) View(ctx context.Context, fn func(txn KVTxn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := g.enter(); err != nil {
		return err
	}
	defer g.leave()
	return g.db.View(fn)
}

// Update runs fn in a write transaction, unless ctx is done.
func (g *gatedDB) Update(ctx context.Context, fn func(txn KVTxn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := g.enter(); err != nil {
		return err
	}
	defer g.leave()
	return g.db.Update(func(txn KVTxn) error {
		if _, shared := txn.(ChangeRecorder); shared {
			// An engine other processes write too keeps no snapshots, and the store asks
			// its transactions for ChangeRecorder, which a wrapper would hide.
			return fn(txn)
		}
		return fn(loggedTxn{txn, &g.wrote})
	})
}

// Backup streams a snapshot of the database to w.
func (g *gatedDB) Backup(w io.Writer) error {
	if err := g.enter(); err != nil {
		return err
	}
	defer g.leave()
	return g.db.Backup(w)
}

// Load reads a backup into the database.
func (g *gatedDB) Load(r io.Reader) error {
	if err := g.enter(); err != nil {
		return err
	}
	defer g.leave()
	g.wrote.noteAll()
	return g.db.Load(r)
}

// NewWriteBatch starts a write batch that may outlive this call (a bulk load adds to it part
// by part); the gate stays open for it until release is called, once it is flushed or
// cancelled. release may be called more than once.
func (g *gatedDB) NewWriteBatch() (wb KVBatch, release func(), err error) {
	if err := g.enter(); err != nil {
		return nil, nil, err
	}
	var once sync.Once
	g.wrote.noteAll()
	return g.db.NewWriteBatch(), func() { once.Do(g.leave) }, nil
}

// Batch runs fn with a write batch and flushes it when fn succeeds; the batch is cancelled
// otherwise. The gate stays open for the whole batch, not just its creation.
func (g *gatedDB) Batch(fn func(wb KVBatch) error) error {
	if err := g.enter(); err != nil {
		return err
	}
	defer g.leave()
	g.wrote.noteAll()
	wb := g.db.NewWriteBatch()
	defer wb.Cancel()
	if err := fn(wb); err != nil {
		return err
	}
	return wb.Flush()
}

// Close shuts the gate, waits for the calls in flight and closes the database. Only the first
// call closes it; later ones return nil.
func (g *gatedDB) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	for g.active > 0 {
		g.idle.Wait()
	}
	g.mu.Unlock()
	return g.db.Close()
}

// writeLog is the key prefixes (a key up to its first '/') written through a gate, or all of
// them after a batch or a load, which are not told key by key. A write is noted before it
// commits, so one that is in the store is always in the log.
type writeLog struct {
	mu   sync.Mutex
	all  bool
	segs map[string]bool
}

// note records a write to key.
func (w *writeLog) note(key []byte) {
	seg := key
	if i := bytes.IndexByte(key, '/'); i >= 0 {
		seg = key[:i+1]
	}
	w.mu.Lock()
	if !w.segs[string(seg)] {
		if w.segs == nil {
			w.segs = map[string]bool{}
		}
		w.segs[string(seg)] = true
	}
	w.mu.Unlock()
}

// noteAll records writes that may be to any key.
func (w *writeLog) noteAll() {
	w.mu.Lock()
	w.all = true
	w.mu.Unlock()
}

// wrote says whether a key under prefix ("household/") may have been written.
func (w *writeLog) wrote(prefix string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.all {
		return true
	}
	seg := prefix
	if i := strings.IndexByte(prefix, '/'); i >= 0 {
		seg = prefix[:i+1]
	}
	return w.segs[seg]
}

// loggedTxn is a write transaction that notes the keys it writes in a writeLog.
type loggedTxn struct {
	KVTxn
	log *writeLog
}

func (t loggedTxn) Set(key, value []byte) error {
	t.log.note(key)
	return t.KVTxn.Set(key, value)
}

func (t loggedTxn) Delete(key []byte) error {
	t.log.note(key)
	return t.KVTxn.Delete(key)
}
