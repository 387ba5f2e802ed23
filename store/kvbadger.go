package store

import (
	"io"

	"github.com/dgraph-io/badger/v4"
)

// badgerKV is the Badger engine under the key-value seam (kv.go): a thin adapter, since the
// seam copies Badger's shapes.
type badgerKV struct{ db *badger.DB }

func (b badgerKV) View(fn func(KVTxn) error) error {
	return b.db.View(func(txn *badger.Txn) error { return fn(badgerTxn{txn}) })
}

func (b badgerKV) Update(fn func(KVTxn) error) error {
	return b.db.Update(func(txn *badger.Txn) error { return fn(badgerTxn{txn}) })
}

func (b badgerKV) NewWriteBatch() KVBatch { return b.db.NewWriteBatch() }

func (b badgerKV) Backup(w io.Writer) error {
	_, err := b.db.Backup(w, 0)
	return err
}

// Load keeps at most 256 pending writes in memory while it reads.
func (b badgerKV) Load(r io.Reader) error { return b.db.Load(r, 256) }

func (b badgerKV) Close() error { return b.db.Close() }

// badgerTxn adapts *badger.Txn: only Get and NewIterator differ, by returning interfaces.
type badgerTxn struct{ *badger.Txn }

func (t badgerTxn) Get(key []byte) (KVItem, error) {
	item, err := t.Txn.Get(key)
	if err != nil {
		return nil, err
	}
	return item, nil
}

func (t badgerTxn) NewIterator(o IteratorOptions) KVIterator {
	return badgerIterator{t.Txn.NewIterator(badger.IteratorOptions{
		Prefix: o.Prefix, Reverse: o.Reverse, PrefetchValues: o.PrefetchValues, PrefetchSize: o.PrefetchSize,
	})}
}

// badgerIterator adapts *badger.Iterator, whose Item returns the concrete *badger.Item.
type badgerIterator struct{ *badger.Iterator }

func (it badgerIterator) Item() KVItem { return it.Iterator.Item() }
