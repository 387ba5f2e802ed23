package tui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"sanbai/store"
)

// TestSheetHistoryFromTheStore: the ledger view keeps no concern's moves, so the concern sheet
// reads the one it shows from the store. Until the read is in, the history says "…"; a read
// for a concern the cursor has left is dropped; a change made from the sheet shows its move.
func TestSheetHistoryFromTheStore(t *testing.T) {
	st := seeded(t)
	r := queueOpen(t, st, townshipUser(), is[historyMsg])
	q, first := r.queueRow()
	if !first.IsLean() || len(first.Moves) != 0 {
		t.Fatalf("the queue's row of %s carries its moves (%d): the view should keep their summary only", first.ID, len(first.Moves))
	}
	lines := func(id string) []string {
		c, err := st.Concern(t.Context(), store.System(), id)
		if err != nil || len(c.Moves) == 0 {
			t.Fatalf("%s: %v, %d moves", id, err, len(c.Moves))
		}
		var out []string
		for _, m := range c.Moves {
			out = append(out, q.c.historyLine(m))
		}
		return out
	}
	// own is a line of a's history that b's does not have, the newest (a short window shows
	// the newest).
	own := func(a, b []string) string {
		for _, l := range slices.Backward(a) {
			if !slices.Contains(b, l) {
				return l
			}
		}
		t.Fatal("two concerns with the same history")
		return ""
	}

	r.keys("enter", "j")
	_, second := r.queueRow()
	h1, h2 := lines(first.ID), lines(second.ID)
	if s := r.screen(); !strings.Contains(s, second.ID) || !strings.Contains(r.lineWith("  …"), "…") || strings.Contains(s, own(h2, h1)) {
		t.Fatalf("before the read, the sheet of %s should say … for its history:\n%s", second.ID, s)
	}
	// Both reads arrive now, the second concern's first: the first concern's, for a sheet
	// that has moved on, is dropped.
	r.deliver(func(m tea.Msg) bool { h, ok := m.(historyMsg); return ok && h.id == second.ID })
	r.deliver(is[historyMsg])
	s := r.screen()
	if !strings.Contains(s, own(h2, h1)) || strings.Contains(s, own(h1, h2)) {
		t.Fatalf("the sheet of %s should show its own history (%q), not %s's:\n%s", second.ID, own(h2, h1), first.ID, s)
	}

	// A change from the sheet: the new revision's history is read again and shows the move.
	key := map[store.Tag]string{store.TagRed: "g", store.TagYellow: "r", store.TagGreen: "y"}[second.Tag]
	r.keys(key)
	r.settle()
	after := lines(second.ID)
	last := after[len(after)-1]
	if len(after) != len(h2)+1 || !strings.Contains(last, "李明") {
		t.Fatalf("the tag did not add 李明's move: %q", after)
	}
	r.lineWith(last)
}
