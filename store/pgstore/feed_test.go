package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"sanbai/demo"
	"sanbai/store"
	"sanbai/store/pgstore/pgtest"
)

// twoFrontEnds opens two stores on one fresh database (url), as two front ends are, the first
// having seeded the demo township.
func twoFrontEnds(t *testing.T) (url string, a, b *store.Store) {
	t.Helper()
	url = pgtest.Database(t)
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local) }
	a = open(t, url, now)
	if err := demo.Seed(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	return url, a, open(t, url, now)
}

// TestFeedAcrossFrontEnds: two stores on one database, as two front ends are. A write on one
// reaches the other's subscribers within a second, and the other reads it; when the other's
// LISTEN connection drops, a write made meanwhile still reaches it once it reconnects.
func TestFeedAcrossFrontEnds(t *testing.T) {
	url, a, b := twoFrontEnds(t)
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

// TestTriageAcrossFrontEnds: two front ends change the same concern. One working from a version
// the other has changed meanwhile is refused as stale (the session asks), never applied over
// it; changes made at once from both, each against the newest version, are all kept.
func TestTriageAcrossFrontEnds(t *testing.T) {
	_, a, b := twoFrontEnds(t)
	sys := store.System()
	var c store.Concern
	cs, _ := a.Concerns(t.Context(), sys)
	for _, x := range cs {
		if x.Status.Open() && x.Project == "" {
			c = x
			break
		}
	}
	if _, err := a.Triage(t.Context(), sys, c.ID, c.Rev, store.Op{Kind: store.OpSolution, Text: "先修路"}); err != nil {
		t.Fatal(err)
	}
	var stale *store.StaleError
	if _, err := b.Triage(t.Context(), sys, c.ID, c.Rev, store.Op{Kind: store.OpSolution, Text: "先修桥"}); !errors.As(err, &stale) {
		t.Fatalf("B's change from the version A changed: %v", err)
	}
	c, _ = b.Concern(t.Context(), sys, c.ID)
	const each = 10
	var wg sync.WaitGroup
	var done atomic.Int64
	for n, e := range []*store.Store{a, b} {
		for w := range 2 {
			wg.Go(func() {
				for i := range each {
					if _, err := e.Triage(t.Context(), sys, c.ID, -1, store.Op{Kind: store.OpSolution, Text: fmt.Sprintf("方案%d-%d-%d", n, w, i)}); err != nil {
						t.Errorf("triage: %v", err)
						return
					}
					done.Add(1)
				}
			})
		}
	}
	wg.Wait()
	after, err := a.Concern(t.Context(), sys, c.ID)
	if err != nil || after.Rev != c.Rev+int(done.Load()) || len(after.Moves) != len(c.Moves)+int(done.Load()) {
		t.Fatalf("%d changes made; Rev %d → %d, moves %d → %d (%v)", done.Load(), c.Rev, after.Rev, len(c.Moves), len(after.Moves), err)
	}
}
