package tui

import (
	"strings"
	"testing"

	"sanbai/store"
)

// TestQuickKeysOnOneRow: r and then y pressed on the same concern before the first is
// written both land, in order, with no conflict reported against one's own change; u then
// undoes the last. A red tag on a red concern says nothing changed and leaves no undo.
func TestQuickKeysOnOneRow(t *testing.T) {
	st := seeded(t)
	m := New(Options{Store: st, User: store.User{Name: "李明", Role: store.RoleTownship}, Width: 80, Height: 24})
	drive(m, m.Init())
	press(m, "3")
	q := m.panes[paneQueue].(*queue)
	c, ok := q.current()
	if !ok {
		t.Fatal("no concern under the cursor")
	}
	first, second := "r", "y"
	want := store.TagYellow
	if c.Tag == store.TagRed {
		first = "g"
	} else if c.Tag == store.TagYellow {
		second, want = "g", store.TagGreen
	}
	_, cmd1 := m.Update(keyMsg(first))
	_, cmd2 := m.Update(keyMsg(second)) // the first is not written yet
	drive(m, cmd1)
	drive(m, cmd2)
	got, err := st.Concern(t.Context(), store.System(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tag != want || got.Rev != c.Rev+2 {
		t.Fatalf("after %s %s: tag %s rev %d; want %s at rev %d", first, second, got.Tag, got.Rev, want, c.Rev+2)
	}
	if s := screen(m); strings.Contains(s, "刚被改过") {
		t.Fatalf("one's own quick keys reported as a conflict:\n%s", s)
	}
	press(m, "u")
	if got, _ := st.Concern(t.Context(), store.System(), c.ID); got.Tag == want {
		t.Fatalf("u should undo the second key; tag still %s", got.Tag)
	}

	c, _ = q.current()
	again := map[store.Tag]string{store.TagRed: "r", store.TagYellow: "y", store.TagGreen: "g"}[c.Tag]
	undos := len(q.run.undo)
	press(m, again)
	if s := screen(m); !strings.Contains(s, "本来就是这样") {
		t.Fatalf("tagging %s with its own colour should say nothing changed:\n%s", c.ID, s)
	}
	if got, _ := st.Concern(t.Context(), store.System(), c.ID); got.Rev != c.Rev || len(q.run.undo) != undos {
		t.Fatalf("a same-colour tag wrote rev %d (was %d) or left an undo", got.Rev, c.Rev)
	}
}
