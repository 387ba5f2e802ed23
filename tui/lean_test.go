package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"sanbai/admin"
	"sanbai/store"
)

// colourSGR matches an SGR that sets a colour or reverses the text.
var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*(?:;|\[)(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m|\x1b\[(?:3[0-9]|4[0-9]|9[0-7]|10[0-7]|7)(?:;[0-9;]*)?m`)

// TestLeanDisplay: in the lean display every pane is drawn without colour or reversed rows;
// in the queue a cursor move changes two rows and, in them, only the ▸ mark. B switches it
// off and on, and a registered user's choice is remembered.
func TestLeanDisplay(t *testing.T) {
	st := seeded(t)
	line := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGf0rCw1Gb3/HcMmVfS7yDUeVZgfHc1VFAbNPjMmv3K3"
	u, err := admin.WithKeys(store.User{Name: "陈静", Role: store.RoleTownship}, line)
	if err != nil {
		t.Fatal(err)
	}
	if u, err = st.AddUser(t.Context(), store.System(), u, ""); err != nil {
		t.Fatal(err)
	}
	m := New(Options{Store: st, User: u, Registered: true, Width: 80, Height: 24, Lean: true})
	drive(m, m.Init())
	for _, p := range []string{"1", "2", "3", "4", "5", "3"} {
		press(m, p)
		if s := m.View().Content; colourSGR.MatchString(s) {
			t.Fatalf("pane %s in the lean display has colour or reverse: %q", p, colourSGR.FindString(s))
		}
	}
	before := strings.Split(m.View().Content, "\n")
	if !strings.Contains(ansi.Strip(m.View().Content), "▸") {
		t.Fatalf("no ▸ cursor in the lean queue:\n%s", ansi.Strip(m.View().Content))
	}
	press(m, "j")
	after := strings.Split(m.View().Content, "\n")
	if len(after) != len(before) {
		t.Fatalf("the screen changed height: %d → %d lines", len(before), len(after))
	}
	var changed []int
	for i := range before {
		if before[i] != after[i] {
			changed = append(changed, i)
			if !oneRune(before[i], after[i]) {
				t.Errorf("row %d changed more than its mark:\n%q\n%q", i, before[i], after[i])
			}
		}
	}
	if len(changed) != 2 {
		t.Fatalf("a cursor move changed rows %v, want the two whose mark moved", changed)
	}

	press(m, "B")
	if s := m.View().Content; !strings.Contains(s, "\x1b[7m") {
		t.Fatalf("B did not bring back the reversed cursor row")
	}
	waitLean := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Second)
		for {
			got, _ := st.UserByKey(t.Context(), u.Fingerprints[0])
			if got.Lean == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("lean %v not stored: %+v", want, got)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitLean(false)
	press(m, "B")
	if s := ansi.Strip(m.View().Content); !strings.Contains(s, "省流显示：开") {
		t.Fatalf("B did not say the lean display is on:\n%s", s)
	}
	waitLean(true)
}

// oneRune reports whether a and b differ in exactly one rune (the mark column).
func oneRune(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) != len(rb) {
		return false
	}
	n := 0
	for i := range ra {
		if ra[i] != rb[i] {
			n++
		}
	}
	return n == 1
}
