package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sanbai/store"
)

// sgrRE finds the SGR sequences (ESC [ … m) the server sent.
var sgrRE = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// colours counts the SGR sequences that set a foreground or background colour (30–38, 40–48,
// 90–97, 100–107), and the ones that set bold or reverse video.
func colours(raw []byte) (colour, attrs int) {
	for _, m := range sgrRE.FindAllSubmatch(raw, -1) {
		for _, p := range strings.FieldsFunc(string(m[1]), func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(p)
			switch {
			case n >= 30 && n <= 38, n >= 40 && n <= 48, n >= 90 && n <= 97, n >= 100 && n <= 107:
				colour++
			case n == 1 || n == 7:
				attrs++
			}
		}
	}
	return colour, attrs
}

// TestMonochromeTerminals: a session whose terminal is xterm-mono or vt100 gets no colour code
// at all across every pane, the finder and a card — and keeps bold and reverse video, so the
// pane bar and the cursor still show; an xterm-256color session gets colours.
func TestMonochromeTerminals(t *testing.T) {
	s := startServer(t, false)
	key := s.addUser(t, "陈静", store.RoleVillage, "DL")
	for _, term := range []string{"xterm-mono", "vt100", "xterm-256color"} {
		t.Run(term, func(t *testing.T) {
			tm := s.open(t, key, 80, 24, map[string]string{"TERM": term})
			tm.waitText("覆盖  户")
			for _, p := range []string{"2", "3", "4", "5"} {
				tm.send(p)
				tm.waitFor("pane "+p, func(s string) bool { return strings.Contains(s, "["+p+" ") && !strings.Contains(s, "正在读取") })
			}
			tm.send("3", "enter")
			tm.waitText("经过")
			tm.send("esc", "1", ctrlF, "wjg")
			tm.waitText("共 ")
			tm.send("enter")
			tm.waitText("户情卡  ")
			tm.mu.Lock()
			colour, attrs := colours(tm.raw)
			tm.mu.Unlock()
			mono := term != "xterm-256color"
			if mono && colour > 0 {
				t.Fatalf("%s: %d colour codes sent", term, colour)
			}
			if !mono && colour == 0 {
				t.Fatalf("%s: no colour at all", term)
			}
			if attrs == 0 {
				t.Fatalf("%s: no bold or reverse video: the cursor and the pane bar do not show", term)
			}
		})
	}
}
