package tui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"sanbai/admin"
	"sanbai/demo"
	"sanbai/query"
	"sanbai/store"
)

// seeded opens a store in a temp dir holding the demo township.
func seeded(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := demo.Seed(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

// drive runs a command and feeds its messages (expanding batches) back into the model, as the
// Bubble Tea runtime would, synchronously.
func drive(m *Model, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			drive(m, c)
		}
	default:
		_, next := m.Update(msg)
		drive(m, next)
	}
}

func keyMsg(s string) tea.KeyPressMsg {
	switch s {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		_, cmd := m.Update(keyMsg(k))
		drive(m, cmd)
	}
}

// TestEveryPaneFitsItsWindow renders every pane, in both languages, at several sizes, and
// checks the screen is exactly the window: no line wider than it (Chinese characters count
// two cells), no more lines than it has.
func TestEveryPaneFitsItsWindow(t *testing.T) {
	st := seeded(t)
	for _, lang := range []string{"zh", "en"} {
		for _, size := range [][2]int{{80, 24}, {120, 40}, {40, 10}, {57, 13}} {
			m := New(Options{Store: st, User: store.User{Name: "李明", Role: store.RoleTownship}, Lang: lang, Width: size[0], Height: size[1]})
			drive(m, m.Init())
			for _, pane := range []string{"1", "2", "3", "4", "5"} {
				for _, extra := range [][]string{nil, {"enter"}, {"?"}, {"i"}, {"i", "pgdown"}, {"i", "e", "tab", "tab"}} {
					press(m, pane)
					press(m, extra...)
					view := m.View().Content
					lines := strings.Split(view, "\n")
					if len(lines) > size[1] {
						t.Fatalf("%s %v pane %s %v: %d lines", lang, size, pane, extra, len(lines))
					}
					for i, l := range lines {
						if w := ansi.StringWidth(l); w > size[0] {
							t.Fatalf("%s %v pane %s %v: line %d is %d cells wide:\n%s", lang, size, pane, extra, i, w, ansi.Strip(view))
						}
					}
					press(m, "esc", "esc")
				}
			}
		}
	}
}

// TestTinyWindow asks for more room instead of drawing a broken layout.
func TestTinyWindow(t *testing.T) {
	st := seeded(t)
	m := New(Options{Store: st, User: store.User{Name: "李明", Role: store.RoleTownship}, Width: 80, Height: 24})
	drive(m, m.Init())
	for _, size := range [][2]int{{1, 1}, {39, 24}, {80, 9}} {
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		v := ansi.Strip(m.View().Content)
		if strings.Count(v, "\n") > 0 || ansi.StringWidth(v) > size[0] {
			t.Fatalf("%v: %q", size, v)
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 30, Height: 5})
	if v := m.View().Content; !strings.Contains(v, "窗口太小") {
		t.Fatalf("no too-small message: %q", v)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "覆盖") {
		t.Fatalf("no layout after growing back:\n%s", v)
	}
}

// TestInspectorCannotTag: the key answers with a message in the user's language and the store
// is unchanged.
func TestInspectorCannotTag(t *testing.T) {
	st := seeded(t)
	m := New(Options{Store: st, User: store.User{Name: "督查组", Role: store.RoleInspector}, Width: 80, Height: 24})
	drive(m, m.Init())
	press(m, "3")
	q := m.panes[2].(*queue)
	id := q.rows[0].ID
	before, _ := st.Concern(t.Context(), store.System(), id)
	target := "r"
	if before.Tag == store.TagRed {
		target = "g"
	}
	press(m, target)
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "督查账号只能查看") {
		t.Fatalf("no read-only message:\n%s", v)
	}
	after, _ := st.Concern(t.Context(), store.System(), id)
	if after.Tag != before.Tag {
		t.Fatal("inspector changed a tag")
	}
}

// TestQueueOrdersOverdueFirst: overdue open concerns lead the list, red before the others.
func TestQueueOrdersOverdueFirst(t *testing.T) {
	st := seeded(t)
	m := New(Options{Store: st, User: store.User{Name: "李明", Role: store.RoleTownship}, Width: 80, Height: 24})
	drive(m, m.Init())
	press(m, "3") // the queue loads when first shown
	q := m.panes[2].(*queue)
	today := st.Today()
	seenNotOverdue := false
	for _, c := range q.rows {
		if c.Overdue(today) && seenNotOverdue {
			t.Fatalf("overdue %s after a concern that is not overdue", c.ID)
		}
		if !c.Overdue(today) {
			seenNotOverdue = true
		}
	}
	if len(q.rows) == 0 || !q.rows[0].Overdue(today) {
		t.Fatal("the demo should have an overdue concern at the top")
	}
	v := ansi.Strip(func() string { press(m, "3"); return m.View().Content }())
	if !strings.Contains(v, "超") || !strings.Contains(v, "天!") {
		t.Fatalf("overdue not marked in words:\n%s", v)
	}
}

// TestLanguageToggleIsRemembered: L switches to English and stores the choice for the user.
func TestLanguageToggleIsRemembered(t *testing.T) {
	st := seeded(t)
	line := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGf0rCw1Gb3/HcMmVfS7yDUeVZgfHc1VFAbNPjMmv3K3"
	u, err := admin.WithKeys(store.User{Name: "陈静", Role: store.RoleTownship}, line)
	if err != nil {
		t.Fatal(err)
	}
	u, err = st.AddUser(t.Context(), store.System(), u, "")
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Store: st, User: u, Registered: true, Width: 80, Height: 24})
	drive(m, m.Init())
	press(m, "L")
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "Routes") {
		t.Fatalf("not in English:\n%s", v)
	}
	fp := u.Fingerprints[0]
	deadline := time.Now().Add(2 * time.Second)
	for {
		got, _ := st.UserByKey(t.Context(), fp)
		if got.Lang == "en" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("language not stored: %+v", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestLoadsStopWithTheSession: every pane's load takes the session's context, so the loads of a
// session that has ended return its error instead of reading the store.
func TestLoadsStopWithTheSession(t *testing.T) {
	st := seeded(t)
	ctx, end := context.WithCancel(t.Context())
	c := &Common{Ctx: ctx, Store: st, Ledger: query.NewLedger(st, nil), Actor: store.System(), Lang: "zh"}
	fs := newFocus(nil)
	loads := map[string]func() error{
		"routes":   func() error { return newRoutes(c, fs).load()().(routesLoaded).err },
		"visits":   func() error { return newVisits(c, fs).load(true)().(visitsLoaded).err },
		"queue":    func() error { return newQueue(c, fs).load()().(queueLoaded).err },
		"revisit":  func() error { return newRevisit(c, fs).load(true)().(revisitLoaded).err },
		"overview": func() error { return newOverview(c, fs).load()().(overviewLoaded).err },
	}
	for name, load := range loads {
		if err := load(); err != nil {
			t.Fatalf("%s, session open: %v", name, err)
		}
	}
	end()
	for name, load := range loads {
		if err := load(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s, session ended: %v", name, err)
		}
	}
}

// TestFrameFollowsChanges: a change in the store that the pane on screen does not show leaves
// the frame as it was drawn (fifty sessions resting on other panes used to draw theirs again
// for every triage of a meeting), and one it shows is drawn as soon as it is read: another
// session's tag appears on the queue at once, and on coming back to the queue.
func TestFrameFollowsChanges(t *testing.T) {
	st := seeded(t)
	r := newRig(t, st, store.User{Name: "李明", Role: store.RoleTownship})
	r.settle()
	r.keys("3")
	r.settle()
	c, ok := r.m.panes[paneQueue].(*queue).current()
	if !ok {
		t.Fatal("no concern under the cursor")
	}
	// tagBy has another session tag c and the hub tell this one; it returns the tag's word.
	tagBy := func() string {
		t.Helper()
		cur, _ := st.Concern(t.Context(), store.System(), c.ID)
		tag := store.TagRed
		if cur.Tag == tag {
			tag = store.TagGreen
		}
		if _, err := st.Triage(t.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpTag, Tag: tag}); err != nil {
			t.Fatal(err)
		}
		r.send(ChangedMsg{Changes: []store.Change{{Kind: "concern", Village: c.Village, ID: c.ID}}})
		return r.m.c.T("tag." + string(tag))
	}
	cells := func() []string { return strings.Fields(r.lineWith(c.ID)) }
	r.screen()
	word := tagBy()
	// The change starts the queue's load and draws nothing yet: the same frame again would
	// cost every session resting on the queue a draw for nothing.
	if !r.m.frameOK {
		t.Fatal("a change the queue loads for made its frame be drawn again before the load came")
	}
	r.settle()
	if row := cells(); !slices.Contains(row, word) {
		t.Fatalf("the queue shows %v after another session tagged it %s", row, word)
	}
	r.keys("1")
	r.settle()
	before := r.screen()
	word = tagBy()
	if !r.m.frameOK {
		t.Fatal("a concern's change, which pane 1 does not show, made its frame be drawn again")
	}
	r.settle()
	if after := r.screen(); after != before {
		t.Fatalf("pane 1 changed on a concern's change:\n%s\nthen\n%s", before, after)
	}
	r.keys("3")
	r.settle()
	if row := cells(); !slices.Contains(row, word) {
		t.Fatalf("back on the queue, it shows %v after another session tagged it %s", row, word)
	}
}

// TestVisitsBeforeTheLedger: right after a start the ledger view may still be reading the
// concerns; the visits pane shows its list at once, a visit's sheet names its concerns with
// "…" meanwhile, and their states come in when the view is read.
func TestVisitsBeforeTheLedger(t *testing.T) {
	st := seeded(t)
	r := newRig(t, st, store.User{Name: "李明", Role: store.RoleTownship})
	r.settle()
	r.keys("2")
	if r.deliver(is[visitsLoaded]) != 1 {
		t.Fatal("the visits pane did not load")
	}
	v := r.m.panes[paneVisits].(*visits)
	if !v.loaded || len(v.rows) == 0 || !v.data.concernsPending {
		t.Fatalf("visits loaded %v with %d rows, concerns pending %v", v.loaded, len(v.rows), v.data.concernsPending)
	}
	at := slices.IndexFunc(v.rows, func(row visitRow) bool { return len(row.v.Concerns) > 0 })
	if at < 0 {
		t.Fatal("no visit raised a concern")
	}
	id := v.rows[at].v.Concerns[0]
	for range at {
		r.keys("j")
	}
	r.keys("enter")
	if l := r.lineWith(id); !strings.Contains(l, "…") {
		t.Fatalf("before the ledger view is read the sheet shows %q", l)
	}
	r.settle()
	c, err := st.Concern(t.Context(), store.System(), id)
	if err != nil {
		t.Fatal(err)
	}
	if l := r.lineWith(id); !strings.Contains(l, r.m.c.T("st."+string(c.Status))) || strings.Contains(l, "…") {
		t.Fatalf("once the ledger view is read the sheet shows %q (status %s)", l, c.Status)
	}
}

// TestKeptPageStaysShared: two sessions of one scope on the same window get one page from the
// ledger view; one session's own triage goes into a copy of its rows, never into the page the
// other holds.
func TestKeptPageStaysShared(t *testing.T) {
	st := seeded(t)
	l := query.NewLedger(st, nil)
	open := func(name string) *rig {
		r := &rig{t: t, m: New(Options{Store: st, Ledger: l, User: store.User{Name: name, Role: store.RoleTownship}, Width: 80, Height: 24})}
		r.add(r.m.Init())
		r.settle()
		r.keys("3")
		r.settle()
		return r
	}
	a, b := open("李明"), open("王芳")
	qa, qb := a.m.panes[paneQueue].(*queue), b.m.panes[paneQueue].(*queue)
	if len(qa.rows) == 0 || &qa.rows[0] != &qb.rows[0] {
		t.Fatal("two sessions on the same window did not share the view's page")
	}
	before := qb.rows[0]
	tag, key := store.TagGreen, "g"
	if before.Tag == tag {
		tag, key = store.TagRed, "r"
	}
	a.keys(key)
	a.settle()
	if i := slices.IndexFunc(qa.rows, func(c store.Concern) bool { return c.ID == before.ID }); i < 0 || qa.rows[i].Tag != tag {
		t.Fatalf("the triaging session does not show %s %s", before.ID, tag)
	}
	if got := qb.rows[0]; got.Tag != before.Tag || got.Rev != before.Rev {
		t.Fatalf("the other session's rows changed under it: %s %s rev %d, was %s rev %d", got.ID, got.Tag, got.Rev, before.Tag, before.Rev)
	}
}
