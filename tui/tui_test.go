package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"sanbai/demo"
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
	if err := demo.Seed(st); err != nil {
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
	before, _ := st.Concern(store.System, id)
	target := "r"
	if before.Tag == store.TagRed {
		target = "g"
	}
	press(m, target)
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "督查账号只能查看") {
		t.Fatalf("no read-only message:\n%s", v)
	}
	after, _ := st.Concern(store.System, id)
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
	u, err := st.AddUser(store.System, store.User{Name: "陈静", Role: store.RoleTownship, Keys: []string{line}}, "")
	if err != nil {
		t.Fatal(err)
	}
	m := New(Options{Store: st, User: u, Registered: true, Width: 80, Height: 24})
	drive(m, m.Init())
	press(m, "L")
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "Routes") {
		t.Fatalf("not in English:\n%s", v)
	}
	fp, _, _ := store.ParseKey(line)
	deadline := time.Now().Add(2 * time.Second)
	for {
		got, _ := st.UserByKey(fp)
		if got.Lang == "en" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("language not stored: %+v", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
