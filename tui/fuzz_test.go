package tui

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"sanbai/demo"
	"sanbai/store"
)

// fuzzKeys are the keys a fuzz input picks from: every binding's key, text, and the keys that
// move through forms and prompts.
var fuzzKeys = []string{
	"1", "2", "3", "4", "tab", "shift+tab", "enter", "esc", "up", "down", "left", "right", "pgup", "pgdown",
	"home", "end", "space", "backspace", "?", "/", ">", "<", "r", "y", "g", "o", "d", "x", "u", "t", "c",
	"m", "a", "f", "0", "j", "k", "n", "p", "s", "e", "v", "w", "h", "l", "b", "i", "q", "L", "T", "P",
	"M", "R", "+", "-", "ctrl+s", "ctrl+n", "ctrl+p", "中", "网格无力解决", "+3d", "2026-12-05", "DL",
}

// fuzzKeyMsg turns a key name into the message a terminal would produce.
func fuzzKeyMsg(s string) tea.Msg {
	switch s {
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+s", "ctrl+n", "ctrl+p":
		return tea.KeyPressMsg{Code: rune(s[5]), Mod: tea.ModCtrl}
	}
	if len([]rune(s)) > 1 && s != "enter" && s != "esc" && s != "tab" && s != "down" {
		return tea.PasteMsg{Content: s}
	}
	return keyMsg(s)
}

// runCmd runs a command and feeds its messages back, as drive does, but gives up on one that
// takes longer than half a second, so that a fuzz input cannot stall the run.
// within runs a command on its own goroutine and returns its message, or false after d.
func within(cmd tea.Cmd, d time.Duration) (tea.Msg, bool) {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		return msg, true
	case <-time.After(d):
		return nil, false
	}
}

func runCmd(m *Model, cmd tea.Cmd, depth int) {
	if cmd == nil || depth > 20 {
		return
	}
	msg, ok := within(cmd, 5*time.Second) // a load stuck behind a lock (timers return sooner)
	if !ok {
		return
	}
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			runCmd(m, c, depth+1)
		}
	case tea.QuitMsg:
	default:
		_, next := m.Update(msg)
		runCmd(m, next, depth+1)
	}
}

var fuzzSizes = [...][2]int{{80, 24}, {1, 1}, {40, 10}, {200, 60}, {39, 9}, {120, 40}, {0, 0}, {57, 13},
	{10000, 10000}, {80, 2}, {2, 80}, {100, 30}, {45, 12}, {300, 100}, {81, 25}, {60, 20}}

var idRE = regexp.MustCompile(`\b([A-Z]{2})-\d{4}\b`)

// fuzzStore is one seeded store shared by every input of a fuzz target: seeding per input
// would take most of the time.
type fuzzStore struct {
	once sync.Once
	st   *store.Store
}

func (f *fuzzStore) get(t testing.TB) *store.Store {
	f.once.Do(func() {
		st, err := store.Open(t.TempDir(), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// The demo township cut to 25 households a grid, with the visits, concerns and revisits
		// about them: every kind of row, few enough that a session loads in milliseconds and
		// the fuzzer tries many inputs.
		d := demo.Generate(demo.DefaultSeed, st.Now())
		keep, perGrid := map[string]bool{}, map[string]int{}
		hhs := d.Households[:0]
		for _, h := range d.Households {
			if perGrid[h.Grid]++; perGrid[h.Grid] <= 25 {
				keep[h.ID] = true
				hhs = append(hhs, h)
			}
		}
		d.Households = hhs
		d.Visits = slices.DeleteFunc(d.Visits, func(v store.Visit) bool { return !keep[v.Household] })
		d.Concerns = slices.DeleteFunc(d.Concerns, func(c store.Concern) bool { return !keep[c.Household] })
		d.Revisits = slices.DeleteFunc(d.Revisits, func(r store.Revisit) bool { return !keep[r.Household] })
		if err := st.Seed(store.System, d); err != nil {
			t.Fatal(err)
		}
		f.st = st
	})
	return f.st
}

// checkScope fails if a village or grid user's model holds or shows a concern outside scope.
func checkScope(t *testing.T, m *Model, u store.User, view string) {
	t.Helper()
	if u.Role != store.RoleVillage && u.Role != store.RoleGrid {
		return
	}
	a := store.ActorFor(u)
	for _, c := range m.panes[2].(*queue).rows {
		if !a.CanSee(c.Village, c.Grid) {
			t.Fatalf("%s user %s holds concern %s of %s/%s", u.Role, u.Name, c.ID, c.Village, c.Grid)
		}
	}
	for _, id := range idRE.FindAllStringSubmatch(ansi.Strip(view), -1) {
		if id[1] != u.Village {
			t.Fatalf("%s user of %s sees %s:\n%s", u.Role, u.Village, id[0], ansi.Strip(view))
		}
	}
}

// FuzzKeys types arbitrary key sequences (with resizes and pastes) into every pane, as four
// kinds of user: never a panic, never a line wider than the window, never a row outside the
// user's scope.
func FuzzKeys(f *testing.F) {
	for _, seed := range [][]byte{
		{0, 1, 2, 3}, []byte("3r>\x06\x06enter"), {2, 6, 17, 6, 27, 0xE8, 2, 30, 0xE1, 2},
		{3, 6, 21, 6, 7, 6, 0xF3}, {1, 6, 6, 6, 0xE9, 19, 19, 6}, {2, 18, 6, 62, 6, 6},
	} {
		f.Add(byte(1), seed)
	}
	var fs fuzzStore
	f.Fuzz(func(t *testing.T, who byte, in []byte) {
		if len(in) > 64 {
			in = in[:64]
		}
		st := fs.get(t)
		users := []store.User{
			{Name: "李明", Role: store.RoleTownship},
			{Name: "王芳", Role: store.RoleVillage, Village: "DL"},
			{Name: "张凯", Role: store.RoleGrid, Village: "DL", Grid: "DL02"},
			{Name: "督查组", Role: store.RoleInspector},
		}
		u := users[int(who)%len(users)]
		m := New(Options{Store: st, User: u, Lang: []string{"zh", "en"}[int(who/4)%2], Width: 80, Height: 24})
		runCmd(m, m.Init(), 0)
		for _, b := range in {
			var msg tea.Msg
			switch {
			case b >= 0xF0:
				msg = tea.PasteMsg{Content: strings.Repeat("粘贴\x1b[31m\u202e", int(b&0xF)*50)}
			case b >= 0xE0:
				sz := fuzzSizes[b&0xF]
				msg = tea.WindowSizeMsg{Width: sz[0], Height: sz[1]}
			default:
				msg = fuzzKeyMsg(fuzzKeys[int(b)%len(fuzzKeys)])
			}
			_, cmd := m.Update(msg)
			runCmd(m, cmd, 0)
		}
		view := m.View().Content
		checkScope(t, m, u, view)
		w, h := m.width, m.height
		if w > 0 && h > 0 && w <= maxDrawWidth && h <= maxDrawHeight {
			lines := strings.Split(view, "\n")
			if len(lines) > h {
				t.Fatalf("%d lines in a window %d high", len(lines), h)
			}
			for i, l := range lines {
				if ansi.StringWidth(l) > w {
					t.Fatalf("line %d is %d cells in a window %d wide", i, ansi.StringWidth(l), w)
				}
			}
		}
	})
}

// TestHostileInputFixedCases: a 1×1 and a 10000×10000 window, a resize storm, a 10 MB paste
// into the search prompt, a 10,000-character user name, invalid UTF-8.
func TestHostileInputFixedCases(t *testing.T) {
	var fs fuzzStore
	st := fs.get(t)
	long := strings.Repeat("长", 10000)
	m := New(Options{Store: st, User: store.User{Name: long + "\xff\xfe", Role: store.RoleTownship}, Width: 80, Height: 24})
	runCmd(m, m.Init(), 0)

	for _, sz := range [][2]int{{1, 1}, {10000, 10000}, {0, 0}, {80, 24}} {
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, pane := range []string{"1", "2", "3", "4"} {
			_, cmd := m.Update(keyMsg(pane))
			runCmd(m, cmd, 0)
			start := time.Now()
			v := m.View().Content
			if len(v) > 4<<20 {
				t.Fatalf("%v: one frame is %d MB", sz, len(v)>>20)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("%v: one frame took %v", sz, d)
			}
		}
	}
	// A resize storm: a thousand sizes, then a frame.
	for i := 0; i < 1000; i++ {
		m.Update(tea.WindowSizeMsg{Width: (i * 37) % 400, Height: (i * 11) % 150})
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "台账") {
		t.Fatalf("no layout after the storm:\n%s", v)
	}
	// The user's name is cut to the header, never wraps it.
	if first := strings.Split(m.View().Content, "\n")[0]; ansi.StringWidth(first) > 80 {
		t.Fatalf("the header is %d cells wide with a 10,000-character name", ansi.StringWidth(first))
	}
	// A 10 MB paste (with invalid UTF-8 and escape sequences) into the search prompt.
	_, cmd := m.Update(keyMsg("3"))
	runCmd(m, cmd, 0)
	m.Update(keyMsg("/"))
	paste := strings.Repeat("搜索\xff\x1b[2J\u202e", 10<<20/12)
	start := time.Now()
	_, cmd = m.Update(tea.PasteMsg{Content: paste})
	runCmd(m, cmd, 0)
	l := m.fs.top(paneQueue)
	if l == nil {
		t.Fatal("the search prompt closed on a paste")
	}
	a, ok := l.comp.(*ask)
	if !ok {
		t.Fatal("the search prompt closed on a paste")
	}
	kept := len([]rune(a.p.input.Value()))
	if n := kept; n > maxInput {
		t.Fatalf("the prompt holds %d characters; the cap is %d", n, maxInput)
	}
	v := m.View().Content
	took := time.Since(start)
	if took > 5*time.Second {
		t.Fatalf("a 10 MB paste took %v", took)
	}
	if strings.Contains(v, "\x1b[2J") || strings.Contains(v, "\u202e") {
		t.Fatal("an escape sequence or a bidi override from the paste reached the screen")
	}
	m.Update(keyMsg("esc"))
	// Invalid UTF-8 keys and text.
	for _, s := range []string{"\xff", "\xc3\x28", "\xed\xa0\x80", "a\x00b"} {
		m.Update(tea.KeyPressMsg{Code: []rune(s)[0], Text: s})
		m.Update(tea.PasteMsg{Content: s})
	}
	_ = m.View()
	t.Logf("10 MB paste handled in %v; the prompt kept %d characters", took.Round(time.Millisecond), kept)
}
