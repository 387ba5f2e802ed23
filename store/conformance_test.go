package store_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"sanbai/store"
	"sanbai/store/storetest"
)

// TestConformance runs the store contract's conformance suite on the Badger engine.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, now func() time.Time) store.Engine {
			return openBadger(t, t.TempDir(), now)
		},
		Restore: func(t *testing.T, backup []byte, now func() time.Time) store.Engine {
			file := filepath.Join(t.TempDir(), "sanbai.backup")
			if err := os.WriteFile(file, backup, 0o600); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if _, err := store.Restore(dir, file, store.RestoreOptions{}); err != nil {
				t.Fatal(err)
			}
			return openBadger(t, dir, now)
		},
	})
}

// openBadger opens the Badger engine in dir, closed when the test ends.
func openBadger(t *testing.T, dir string, now func() time.Time) *store.Store {
	t.Helper()
	s, err := store.Open(dir, store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestEveryMethodInContract: every exported method of the Badger engine is in the contract
// (and so in the conformance suite's scope test), or is one of the few that only make sense for
// an engine in a directory, each with its reason. A method added to *Store without either
// fails here.
func TestEveryMethodInContract(t *testing.T) {
	engineOnly := map[string]string{
		"Dir":            "the data directory the store lives in",
		"Dump":           "every key and value, for tests and the crash harness that compare whole stores; no session calls it",
		"BackupToFile":   "Backup written to a file beside the data directory (the local backup verb), township users only as Backup",
		"StartDir":       "where a server in a data directory keeps its start snapshots (startsnap.go)",
		"WriteStartFile": "writes a start snapshot into that directory, keeping the room the store's writes need",
		"StartFileHolds": "checks a start snapshot against the store's version and its keys' commit versions, which only Badger keeps",
		"CarryStartFile": "marks a start snapshot in that directory as current when nothing it holds was written since",
		"StampedConcernChunks": "every concern with the versions of their keys, for writing the ledger view's start snapshot; " +
			"the server's own read, as the view's, no session's",
	}
	engine := reflect.TypeFor[store.Engine]()
	badger := reflect.TypeFor[*store.Store]()
	for i := range badger.NumMethod() {
		name := badger.Method(i).Name
		if _, ok := engine.MethodByName(name); ok {
			continue
		}
		if _, ok := engineOnly[name]; !ok {
			t.Errorf("(*store.Store).%s is neither in store.Engine nor among the engine-only methods", name)
		}
	}
	for name := range engineOnly {
		if _, ok := badger.MethodByName(name); !ok {
			t.Errorf("engine-only method %s is gone: drop it from the list", name)
		}
	}
}
