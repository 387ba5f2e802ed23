package query_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"sanbai/query"
	"sanbai/store"
)

// TestSharedKeepsPerScopeAndVersion: a value is made once per scope however many ask, made
// again only after a change of one of its kinds in its scope (a village's change leaves other
// villages' values alone, a township's value follows every village), and an error is not kept.
func TestSharedKeepsPerScopeAndVersion(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sh := query.NewShared(st, query.SharedModel{Name: "m", Kinds: []string{"concern", "settings"}})
	town := store.Actor{Role: store.RoleTownship}
	va := store.Actor{Role: store.RoleVillage, Village: "A"}
	vb := store.Actor{Role: store.RoleVillage, Village: "B"}
	var loads atomic.Int64
	get := func(a store.Actor) int64 {
		t.Helper()
		v, err := query.GetShared(t.Context(), sh, "m", a, func() (int64, error) { return loads.Add(1), nil })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// Many at once: one load.
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { get(town) })
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("%d loads for 20 sessions of one scope", n)
	}
	a, b, tw := get(va), get(vb), get(town)
	st.Hub().Publish(store.Change{Kind: "visit", Village: "A"}) // not a kind of the model
	if get(va) != a || get(town) != tw {
		t.Fatal("a change of another kind made the value again")
	}
	st.Hub().Publish(store.Change{Kind: "concern", Village: "A", ID: "A-1"})
	if get(va) == a || get(vb) != b || get(town) == tw {
		t.Fatal("a change in village A: want A's and the township's values made again, B's kept")
	}
	b = get(vb)
	st.Hub().Publish(store.Change{Kind: "settings"})
	if get(vb) == b {
		t.Fatal("a change of no village kept a village's value")
	}
	// An error is handed out, not kept.
	boom := errors.New("boom")
	if _, err := query.GetShared(t.Context(), sh, "m", store.Actor{Role: store.RoleGrid, Village: "C", Grid: "C1"},
		func() (int64, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if v := get(store.Actor{Role: store.RoleGrid, Village: "C", Grid: "C1"}); v == 0 {
		t.Fatal("an error was kept")
	}
}

// TestSharedWarming: Warmed stays open from Warm until its done is called, across two
// warm-ups at once (a start's and the daily one), and a session without shared models never
// waits.
func TestSharedWarming(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sh := query.NewShared(st, query.SharedModel{Name: "m", Kinds: []string{"concern"}})
	closed := func(c <-chan struct{}) bool {
		select {
		case <-c:
			return true
		default:
			return false
		}
	}
	if !closed(sh.Warmed()) {
		t.Fatal("waiting before any warm-up")
	}
	first := sh.Warm()
	waiting := sh.Warmed()
	second := sh.Warm()
	first()
	first() // twice: counted once
	if closed(waiting) || closed(sh.Warmed()) {
		t.Fatal("not waiting while the second warm-up is under way")
	}
	second()
	if !closed(waiting) || !closed(sh.Warmed()) {
		t.Fatal("still waiting after both ended")
	}
	var none *query.Shared
	if !closed(none.Warmed()) {
		t.Fatal("a nil Shared makes its sessions wait")
	}
}
