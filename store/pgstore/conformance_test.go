package pgstore_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"sanbai/store"
	"sanbai/store/pgstore"
	"sanbai/store/pgstore/pgtest"
	"sanbai/store/storetest"
)

// TestConformance runs the store contract's conformance suite on the PostgreSQL engine: one
// throwaway cluster, a fresh database for every engine the suite opens.
func TestConformance(t *testing.T) {
	c := pgtest.Start(t)
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T, now func() time.Time) store.Engine {
			return open(t, c.NewDatabase(t), now)
		},
		Restore: func(t *testing.T, backup []byte, now func() time.Time) store.Engine {
			file := filepath.Join(t.TempDir(), "sanbai.backup")
			if err := os.WriteFile(file, backup, 0o600); err != nil {
				t.Fatal(err)
			}
			url := c.NewDatabase(t)
			if _, err := pgstore.Restore(t.Context(), url, file, store.RestoreOptions{}); err != nil {
				t.Fatal(err)
			}
			return open(t, url, now)
		},
	})
}

// open opens the PostgreSQL engine on the database at url, closed when the test ends.
func open(t *testing.T, url string, now func() time.Time) *store.Store {
	t.Helper()
	s, err := pgstore.Open(t.Context(), url, store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
