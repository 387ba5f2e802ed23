package store

import (
	"context"
	"slices"
	"strings"
)

// The household ID index. A household's key holds its grid (household/<village>/<grid>/<id>,
// so a grid's households are one prefix scan), which a lookup by ID does not know: without an
// index it scanned the village's households. hhidx/<village>/<id> holds the household's key,
// so a lookup is two point reads.
//
// The index is derived data. Tx.put and Tx.del keep it in step with every household row they
// write, in the same transaction (the import's apply phase writes through them too); the bulk
// loader (Seed, the county demo) and a restore, which write rows in bulk, write it themselves. Its entries are not audited on
// their own, as the seq/ counters are not: the household's own audit event says what changed.
// Open builds the index for a store written before it existed.

// householdIndexDone marks the index as complete; Open builds the index when it is missing.
const householdIndexDone = "meta/index/household"

func householdIndexKey(village, id string) string { return "hhidx/" + village + "/" + id }

// householdKeyParts splits a household key into its village and ID; ok is false for any other
// key.
func householdKeyParts(key string) (village, id string, ok bool) {
	rest, ok := strings.CutPrefix(key, "household/")
	if !ok {
		return "", "", false
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) != 3 {
		return "", "", false
	}
	return parts[0], parts[2], true
}

// indexHousehold keeps the index in step with a write of key (any key; only households are
// indexed). A put points the ID at key. A delete removes the entry only while it still points
// at key: an import that moves a household to another grid writes the new key before it
// deletes the old one, possibly in a later transaction. The village is noted for the
// household cache, which forgets it once the transaction commits (hhcache.go).
func (tx *Tx) indexHousehold(key string, deleted bool) error {
	village, id, ok := householdKeyParts(key)
	if !ok {
		return nil
	}
	if !slices.Contains(tx.hhVillages, village) {
		tx.hhVillages = append(tx.hhVillages, village)
	}
	ik := []byte(householdIndexKey(village, id))
	if !deleted {
		return tx.txn.Set(ik, []byte(key))
	}
	// Read in the transaction, so a concurrent move of the same household is a conflict.
	cur, err := rawValue(tx.txn, string(ik))
	if err != nil || string(cur) != key {
		return err
	}
	return tx.txn.Delete(ik)
}

// householdKeyOf returns the key of a village's household from the index, or ErrNotFound.
func householdKeyOf(txn KVTxn, village, id string) (string, error) {
	b, err := rawValue(txn, householdIndexKey(village, id))
	if err != nil {
		return "", err
	}
	if b == nil {
		return "", ErrNotFound
	}
	return string(b), nil
}

// findHouseholdKey returns the key of household id in village, or in any village when village
// is "" (a scan of the index's keys then, not of the households).
func findHouseholdKey(txn KVTxn, village, id string) (string, error) {
	if village != "" {
		return householdKeyOf(txn, village, id)
	}
	it := txn.NewIterator(IteratorOptions{Prefix: []byte("hhidx/"), PrefetchValues: false})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		k := string(it.Item().Key())
		if strings.HasSuffix(k, "/"+id) && strings.Count(k, "/") == 2 {
			b, err := it.Item().ValueCopy(nil)
			return string(b), err
		}
	}
	return "", ErrNotFound
}

// householdIndexed reports whether the index is complete.
func (s *Store) householdIndexed() (bool, error) {
	var done bool
	err := s.db.View(context.Background(), func(txn KVTxn) error {
		b, err := rawValue(txn, householdIndexDone)
		done = b != nil
		return err
	})
	return done, err
}

// rebuildHouseholdIndex drops the index and writes it again from the household rows, then
// marks it complete. Only for a store nobody else is using (Open, restore): the scan and the
// batch are not one transaction.
func (s *Store) rebuildHouseholdIndex() error {
	if err := s.deletePrefix(context.Background(), "hhidx/"); err != nil {
		return err
	}
	var keys []string
	err := s.db.View(context.Background(), func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{Prefix: []byte("household/")})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, string(it.Item().KeyCopy(nil)))
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = s.db.Batch(func(wb KVBatch) error {
		for _, k := range keys {
			if village, id, ok := householdKeyParts(k); ok {
				if err := wb.Set([]byte(householdIndexKey(village, id)), []byte(k)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Info("built the household ID index", "households", len(keys))
	return s.db.Update(context.Background(), func(txn KVTxn) error {
		return txn.Set([]byte(householdIndexDone), []byte("1"))
	})
}
