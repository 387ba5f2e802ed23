package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sanbai/demo"
	"sanbai/store"
	"sanbai/store/pgstore/pgtest"
)

// TestFeedAcrossFrontEnds: two stores on one database, as two front ends are. A write on one
// reaches the other's subscribers within a second, and the other reads it; when the other's
// LISTEN connection drops, a write made meanwhile still reaches it once it reconnects.
func TestFeedAcrossFrontEnds(t *testing.T) {
	url := pgtest.Database(t)
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local) }
	a := open(t, url, now)
	if err := demo.Seed(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	b := open(t, url, now)
	sys := store.System()
	cs, err := b.Concerns(t.Context(), sys)
	if err != nil || len(cs) == 0 {
		t.Fatalf("concerns on B: %d %v", len(cs), err)
	}
	sub := b.Hub().Subscribe()
	defer sub.Close()

	tag := func(id string, tag store.Tag) {
		t.Helper()
		if _, err := a.SetTag(t.Context(), sys, id, tag); err != nil {
			t.Fatal(err)
		}
	}
	seen := func(id string, within time.Duration) {
		t.Helper()
		deadline := time.After(within)
		for {
			select {
			case <-sub.Ready():
				for _, ch := range sub.Take() {
					if ch.Kind == "concern" && ch.ID == id {
						return
					}
				}
			case <-deadline:
				t.Fatalf("B was not told of %s within %v", id, within)
			}
		}
	}
	first, second := cs[0], cs[1]
	other := store.TagRed
	if first.Tag == store.TagRed {
		other = store.TagYellow
	}
	start := time.Now()
	tag(first.ID, other)
	seen(first.ID, time.Second)
	t.Logf("a change on A reached B in %v", time.Since(start))
	if c, err := b.Concern(t.Context(), sys, first.ID); err != nil || c.Tag != other {
		t.Fatalf("B reads %v %v after being told", c.Tag, err)
	}

	// Drop B's LISTEN connection and write while it is away.
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sanbai-feed'"); err != nil {
		t.Fatal(err)
	}
	other = store.TagRed
	if second.Tag == store.TagRed {
		other = store.TagYellow
	}
	tag(second.ID, other)
	seen(second.ID, 5*time.Second)
}
