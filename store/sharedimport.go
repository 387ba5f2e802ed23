package store

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Imports on a shared engine. In one process, an import about to apply installs the keys of
// its rows (Store.importing) and every other write of the process refuses them until the
// import is applied. Front ends on one database do not share memory, so on a shared engine
// every write also looks in the database: while a committed import's journal is there, and it
// is not this process's own, the rows it lists are refused here too (ErrImportApplying).
//
// Recovery differs as well: a journal in the database may be another front end's import under
// way, not one a crash cut short. A front end opening finishes or discards only journals older
// than abandonAfter — far longer than any import's staging and applying take.

// abandonAfter is when a journal left in a shared engine counts as cut short by a crash.
const abandonAfter = time.Hour

// abandonedImport reports whether the journal id (it begins with its start time, see
// lockJournal) was started more than abandonAfter before now.
func abandonedImport(id string, now time.Time) bool {
	stamp, _, _ := strings.Cut(id, "-")
	at, err := time.Parse("20060102T150405", stamp)
	return err != nil || now.Sub(at) > abandonAfter
}

// sharedImportKeys returns the rows of a committed import being applied — by another process,
// since this one's own are in s.importing — read in the writing transaction, or nil.
func (s *Store) sharedImportKeys(txn KVTxn) (map[string]bool, error) {
	item, err := txn.Get([]byte(journalLock))
	if errors.Is(err, ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	raw, err := item.ValueCopy(nil)
	if err != nil {
		return nil, err
	}
	id := string(raw)
	if _, err := txn.Get([]byte(journalCommitKey(id))); errors.Is(err, ErrKeyNotFound) {
		return nil, nil // still staging: the import's commit checks what changed meanwhile
	} else if err != nil {
		return nil, err
	}
	s.remoteMu.Lock()
	defer s.remoteMu.Unlock()
	if s.remoteImport.id == id {
		return s.remoteImport.keys, nil
	}
	keys := map[string]bool{}
	it := txn.NewIterator(IteratorOptions{Prefix: []byte(journalPrefix(id) + "op/"), PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var op journalOp
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &op) }); err != nil {
			return nil, err
		}
		keys[op.Key] = true
	}
	s.remoteImport.id, s.remoteImport.keys = id, keys
	return keys, nil
}
