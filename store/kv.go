package store

// The key-value seam. Every rule of the store (scope, ledger rules, audit, imports) is written
// once, against ordered keys and JSON values in transactions; what holds the keys is a KV:
// Badger in a data directory (kvbadger.go), or a PostgreSQL database (sanbai/store/pgstore).
// The interfaces copy the shape of Badger's API that the rules were written against, so the
// Badger engine is a thin adapter and the rules did not change when the seam came in.

import (
	"io"

	"github.com/dgraph-io/badger/v4"
)

// KV is an ordered key-value engine with transactions: what the store keeps its rows in.
type KV interface {
	// View runs fn in a read-only transaction over a consistent snapshot.
	View(fn func(txn KVTxn) error) error
	// Update runs fn in a read-write transaction and commits it when fn succeeds. A
	// transaction that lost to a concurrent one (a key it read was written meanwhile)
	// returns an error that errors.Is ErrConflict, and the store runs it again.
	Update(fn func(txn KVTxn) error) error
	// NewWriteBatch starts an unordered bulk write outside any transaction (an empty store's
	// load).
	NewWriteBatch() KVBatch
	// Backup streams every key and value in Badger's backup format (see backup.go).
	Backup(w io.Writer) error
	// Load reads a stream written by Backup into the engine.
	Load(r io.Reader) error
	// Close releases the engine; the store calls it once no call is in flight.
	Close() error
}

// KVTxn is one transaction of a KV. It sees its own writes.
type KVTxn interface {
	// Get returns the item at key, or an error that errors.Is ErrKeyNotFound.
	Get(key []byte) (KVItem, error)
	// Set writes value at key.
	Set(key, value []byte) error
	// Delete removes key.
	Delete(key []byte) error
	// NewIterator iterates keys in byte order (reverse order if o.Reverse) under o.Prefix.
	NewIterator(o IteratorOptions) KVIterator
}

// KVItem is one key and its value, valid until the iterator moves or the transaction ends.
type KVItem interface {
	// Key returns the key; the caller must not keep it (KeyCopy does).
	Key() []byte
	// KeyCopy returns a copy of the key, in dst if it is large enough.
	KeyCopy(dst []byte) []byte
	// Value calls fn with the value, which fn must not keep.
	Value(fn func(val []byte) error) error
	// ValueCopy returns a copy of the value, in dst if it is large enough.
	ValueCopy(dst []byte) ([]byte, error)
}

// KVIterator walks keys in order, as Badger's iterator does: Rewind or Seek, then Valid, Item
// and Next; Close when done.
type KVIterator interface {
	// Rewind moves to the first key under the prefix (the last one, in reverse).
	Rewind()
	// Seek moves to the first key >= key (<= key in reverse).
	Seek(key []byte)
	// Valid reports whether the iterator is on a key under the prefix.
	Valid() bool
	// Next moves to the next key.
	Next()
	// Item returns the current key and value.
	Item() KVItem
	// Close releases the iterator.
	Close()
}

// KVBatch is a bulk write: Set and Delete in any order, then Flush (or Cancel).
type KVBatch interface {
	// Set writes value at key.
	Set(key, value []byte) error
	// Delete removes key.
	Delete(key []byte) error
	// Flush writes what was added and waits until it is durable.
	Flush() error
	// Cancel drops what was not flushed; harmless after Flush.
	Cancel()
}

// IteratorOptions choose the keys an iterator walks. Prefetch is a hint an engine may ignore.
type IteratorOptions struct {
	// Prefix limits the iteration to keys starting with it.
	Prefix []byte
	// Reverse walks from the largest key down.
	Reverse bool
	// PrefetchValues asks for the values to be read ahead with the keys.
	PrefetchValues bool
	// PrefetchSize is how many values to read ahead.
	PrefetchSize int
}

// The seam's errors are Badger's own, so the Badger engine passes them through untouched and
// another engine wraps them.
var (
	// ErrKeyNotFound is KVTxn.Get's answer for a missing key.
	ErrKeyNotFound = badger.ErrKeyNotFound
	// ErrConflict is KV.Update's answer when a concurrent transaction won: retry.
	ErrConflict = badger.ErrConflict
	// ErrTxnTooBig is an engine's answer when one transaction holds too many writes.
	ErrTxnTooBig = badger.ErrTxnTooBig
)

// AuditSequencer is implemented by an engine shared by several processes (PostgreSQL): the
// audit trail's sequence numbers must then come from the database, not from one process's
// memory, or two front ends would write the same audit key.
type AuditSequencer interface {
	// NextAuditSeq returns a fresh audit sequence number, never handed out before; txn is
	// the writing transaction, or nil outside one (a bulk load).
	NextAuditSeq(txn KVTxn) (uint64, error)
}

// ChangeRecorder is implemented by a transaction of an engine that tells other processes
// about commits (PostgreSQL's change feed): the store hands it the transaction's changes, and
// the villages whose households it wrote, before committing.
type ChangeRecorder interface {
	// RecordChanges records the changes in the transaction, to be announced when it commits.
	RecordChanges(changes []Change, hhVillages []string) error
}

// ChangeSource is implemented by an engine that hears of other processes' commits (PostgreSQL's
// LISTEN): the store starts it once open, and it calls publish with each commit's changes and
// the villages whose households it wrote, in commit order, until the engine is closed.
type ChangeSource interface {
	// StartFeed starts delivering other processes' changes to publish.
	StartFeed(publish func(changes []Change, hhVillages []string))
}
