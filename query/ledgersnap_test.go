package query_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sanbai/demo"
	"sanbai/query"
	"sanbai/store"
)

// TestLedgerStartSnapshot: a view started from the snapshot a clean stop wrote answers as a
// view read from the store does (every order, the counts, a search, every field) and follows
// a triage after it; a triage since the snapshot, a damaged file or a store without versions
// make the start read the store instead; on another day the meeting order is sorted again.
func TestLedgerStartSnapshot(t *testing.T) {
	dir := t.TempDir()
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local).UnixNano())
	opts := store.Options{StartSnapshot: true, Now: func() time.Time { return time.Unix(0, now.Load()) }}
	st, err := store.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := demo.County(t.Context(), st, demo.DefaultSeed, demo.FullCounty().Scaled(100), st.Now(), nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ledger.snap")
	township := store.Actor{Name: "t", Role: store.RoleTownship}
	// state is what a user of the view can see of it.
	state := func(l *query.Ledger) []any {
		t.Helper()
		var out []any
		for o := range query.LedgerOrder(4) {
			var ids []string
			for _, c := range every(t, l, store.System(), query.LedgerQuery{All: true, Order: o}) {
				ids = append(ids, c.ID)
			}
			out = append(out, ids)
		}
		for _, q := range []query.LedgerQuery{{Counts: true, Limit: 1}, {Text: "督办", Limit: 50}, {Text: "fw", Limit: 50}} {
			p, err := l.Query(t.Context(), township, q)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		cs, err := l.Concerns(t.Context(), store.System())
		if err != nil {
			t.Fatal(err)
		}
		return append(out, cs)
	}
	started := func() (*query.Ledger, string) {
		var buf bytes.Buffer
		l := query.NewLedger(st, slog.New(slog.NewTextHandler(&buf, nil)))
		l.UseStart()
		if _, err := l.Query(t.Context(), store.System(), query.LedgerQuery{Limit: 1}); err != nil {
			t.Fatal(err)
		}
		return l, buf.String()
	}
	same := func(what string, got, want []any) {
		t.Helper()
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("%s: part %d differs from a view read from the store:\n%v\nwant\n%v", what, i, got[i], want[i])
			}
		}
	}
	fromStore := func() []any { return state(query.NewLedger(st, nil)) }

	if _, err := query.NewLedger(st, nil).SaveStart(t.Context()); err != nil {
		t.Fatal(err)
	}
	l, log := started()
	if !strings.Contains(log, "read from the start snapshot") {
		t.Fatalf("the view did not start from its snapshot: %s", log)
	}
	same("from the snapshot", state(l), fromStore())
	// A server's stop, with no concern written since its store opened, keeps the file rather
	// than writing the same again (seconds on a county).
	st.Close()
	if st, err = store.Open(dir, opts); err != nil {
		t.Fatal(err)
	}
	if l, log = started(); !strings.Contains(log, "read from the start snapshot") {
		t.Fatalf("the view did not start from its snapshot after the store opened again: %s", log)
	}
	long := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, long, long); err != nil {
		t.Fatal(err)
	}
	if _, err := l.SaveStart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(path); err != nil || !info.ModTime().Equal(long) {
		t.Fatalf("a view with nothing changed wrote its snapshot again (%v)", err)
	}

	// A file this program would not make of the store (its packing changed, say) is not
	// used, though its stamp is right: the first concern's text altered in it.
	stored, err := st.Concerns(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := stored[0].Description
	altered := strings.Replace(string(good), text, strings.Repeat("x", len(text)), 1)
	if altered == string(good) {
		t.Fatal("the first concern's text is not in the snapshot")
	}
	if err := os.WriteFile(path, []byte(altered), 0o600); err != nil {
		t.Fatal(err)
	}
	if l, log = started(); strings.Contains(log, "read from the start snapshot") {
		t.Fatalf("an altered snapshot was used: %s", log)
	}
	same("after an altered snapshot", state(l), fromStore())
	if _, err := query.NewLedger(st, nil).SaveStart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if l, log = started(); !strings.Contains(log, "read from the start snapshot") {
		t.Fatalf("the view did not start from a new snapshot: %s", log)
	}

	// It follows a triage made after it started.
	c := every(t, l, store.System(), query.LedgerQuery{Limit: 1})[0]
	if _, err := st.Triage(t.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpTag, Tag: store.TagGreen}); err != nil {
		t.Fatal(err)
	}
	same("after a triage", state(l), fromStore())
	// Its stop writes the snapshot again, with the triage in it.
	if _, err := l.SaveStart(t.Context()); err != nil {
		t.Fatal(err)
	}
	if l, log = started(); !strings.Contains(log, "read from the start snapshot") {
		t.Fatalf("the view did not start from the snapshot written after a triage: %s", log)
	}
	same("from the snapshot written after a triage", state(l), fromStore())
	if _, err := st.Triage(t.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpTag, Tag: store.TagRed}); err != nil {
		t.Fatal(err)
	}

	// The snapshot predates that triage: not used, and dropped.
	l, log = started()
	if !strings.Contains(log, "not used") || strings.Contains(log, "read from the start snapshot") {
		t.Fatalf("a snapshot older than a triage was used: %s", log)
	}
	same("after a stale snapshot", state(l), fromStore())
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a stale snapshot should be removed: %v", err)
	}

	// A month on, the overdue come first in the meeting order: sorted again for the day.
	if _, err := query.NewLedger(st, nil).SaveStart(t.Context()); err != nil {
		t.Fatal(err)
	}
	now.Add(int64(30 * 24 * time.Hour))
	l, log = started()
	if !strings.Contains(log, "read from the start snapshot") {
		t.Fatalf("the view did not start from its snapshot on a later day: %s", log)
	}
	same("on a later day", state(l), fromStore())

	// Damaged: cut short, or one byte changed in the orders at its end.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(raw)
	flipped[len(flipped)-2] ^= 0x01
	for _, bad := range [][]byte{raw[:len(raw)/2], raw[:len(raw)-1], flipped} {
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		l, log = started()
		if strings.Contains(log, "read from the start snapshot") {
			t.Fatalf("a damaged snapshot was used: %s", log)
		}
		same("after a damaged snapshot", state(l), fromStore())
	}
}
