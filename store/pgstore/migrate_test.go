package pgstore_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"sanbai/store"
	"sanbai/store/pgstore"
	"sanbai/store/pgstore/pgtest"
)

// TestMigrationsOnce: the embedded migrations are applied when a database is first opened, each
// recorded in schema_migrations, and not again when it is opened again or by a second front
// end at the same time.
func TestMigrationsOnce(t *testing.T) {
	url := pgtest.Database(t)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			s, err := pgstore.Open(t.Context(), url, store.Options{})
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	open(t, url, nil)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	rows, _ := conn.Query(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil || len(versions) != 1 || versions[0] != 1 {
		t.Fatalf("schema_migrations holds %v (%v), want [1]", versions, err)
	}
}
