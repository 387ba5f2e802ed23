package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sanbai/store"
)

// keyCounter sends keys and counts the keystrokes that are not text: what a person presses
// to move through the form, as opposed to the words they type.
type keyCounter struct {
	tm *term
	n  int
}

func (k *keyCounter) press(keys ...string) {
	k.n += len(keys)
	k.tm.send(keys...)
}

func (k *keyCounter) text(s string) { k.tm.send(s) }

// coverageHouseholds reads "户 N/M" from the Routes pane.
func coverageHouseholds(t *testing.T, screen string) int {
	t.Helper()
	m := regexp.MustCompile(`户 (\d+)/\d+`).FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no coverage on screen:\n%s", screen)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestVisitFormSurvivesADroppedConnection types a visit with Chinese text and two concerns,
// drops the connection mid-form, reconnects to find the draft intact, saves it, and sees the
// visit in the Routes coverage and its passed-on concern in the Queue.
func TestVisitFormSurvivesADroppedConnection(t *testing.T) {
	s := startServer(t, false)
	key := s.addUser(t, "陈静", store.RoleVillage, "DL")
	actor := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}

	// A household of DL nobody has visited yet, with at least two people.
	visits, _ := s.st.Visits(t.Context(), actor)
	visited := map[string]bool{}
	for _, v := range visits {
		visited[v.Household] = true
	}
	hhs, _ := s.st.Households(t.Context(), actor)
	var hh store.Household
	for _, h := range hhs {
		if !visited[h.ID] && len(h.Residents) >= 2 {
			hh = h
			break
		}
	}
	if hh.ID == "" {
		t.Fatal("the demo has no unvisited household")
	}

	tm := s.open(t, key, 80, 24, nil)
	before := coverageHouseholds(t, tm.waitText("覆盖  户"))
	k := &keyCounter{tm: tm}
	k.press("2")
	tm.waitText("[2 走访]", "次走访")
	k.press("a")
	tm.waitText("输入地址")
	k.text(hh.Address)
	tm.waitText(hh.Head().Name + " (")
	k.press("enter")
	tm.waitText(hh.Head().Name+" (", "人)")
	// Date, group and members are carried over or follow from the household; name the
	// team's guiding officer who came along (→), then who is at home (nobody is marked
	// until told: * marks everyone), mark the second person away, tick the four things told
	// (* again), and on to the findings.
	k.press("tab", "tab", "tab", "right", "tab", "*", "right", "r", "tab", "*", "tab")
	k.text("希望村里修一条通往果园的路")
	k.press("tab", "tab")
	k.text("想学电商直播")
	k.press("ctrl+n")
	k.text("屋后电线老化，下雨漏电")
	k.press("tab", "r")
	k.press("ctrl+n")
	k.text("咨询医保缴费")
	k.press("tab", "tab", "o", "tab", "tab")
	k.text("已当场解答")
	tm.waitText("草稿已存")
	// Give the debounced save of the last words time to land, then drop the link.
	time.Sleep(700 * time.Millisecond)
	tm.close()

	tm = s.open(t, key, 80, 24, nil)
	scr := tm.waitText("已当场解答")
	for _, want := range []string{hh.Address, "屋后电线老化，下雨漏电", "咨询医保缴费", "现场解决", "[2 走访]"} {
		if !strings.Contains(scr, want) && !strings.Contains(tm.waitText(want), want) {
			t.Fatalf("draft lost %q after reconnecting:\n%s", want, scr)
		}
	}
	k = &keyCounter{tm: tm, n: k.n}
	k.press("ctrl+s")
	tm.waitText("已保存走访")
	if k.n > 40 {
		t.Errorf("the typical form took %d keystrokes besides the text; the target is about 40", k.n)
	}
	t.Logf("typical form: %d keystrokes besides the text", k.n)

	visits, _ = s.st.Visits(t.Context(), actor)
	var saved store.Visit
	for _, v := range visits {
		if v.Household == hh.ID {
			saved = v
		}
	}
	if saved.ID == "" || len(saved.Concerns) != 2 || len(saved.Present) != len(hh.Residents)-1 || len(saved.Away) != 1 || len(saved.Topics) != 4 || saved.Officer == "" {
		t.Fatalf("visit as saved: %+v", saved)
	}
	passed, _ := s.st.Concern(t.Context(), actor, saved.Concerns[0])
	onsite, _ := s.st.Concern(t.Context(), actor, saved.Concerns[1])
	if passed.Tier != store.TierGrid || passed.Tag != store.TagRed || passed.Description != "屋后电线老化，下雨漏电" {
		t.Fatalf("passed-on concern: %+v", passed)
	}
	if onsite.Tier != store.TierOnSite || onsite.Status != store.StatusResolved || onsite.Resolution != "已当场解答" {
		t.Fatalf("on-site concern: %+v", onsite)
	}
	tm.send("1")
	tm.waitFor("coverage up by one household", func(s string) bool {
		return strings.Contains(s, "覆盖  户") && coverageHouseholds(t, s) == before+1
	})
	tm.send("3", "/")
	tm.send("屋后电线", "enter")
	tm.waitText(passed.ID, "网格 红")
}

// TestVisitFormValidatesOnTheField: saving without a household says so on the household line.
func TestVisitFormValidatesOnTheField(t *testing.T) {
	s := startServer(t, false)
	tm := s.open(t, s.addUser(t, "陈静", store.RoleVillage, "DL"), 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("2", "a")
	tm.waitText("输入地址")
	tm.send("ctrl+s")
	tm.waitText("! 请选择走访的户")
	// Nothing typed: esc closes the form without a question.
	tm.send("esc")
	tm.waitText("[2 走访]", "次走访")
	// An inspector cannot open the form at all.
	insp := s.open(t, s.addUser(t, "督查组", store.RoleInspector, ""), 80, 24, nil)
	insp.waitText("覆盖  户")
	insp.send("2", "a")
	insp.waitText("只能查看")
}

// TestPresenceIsHonest (issue 16, item 2): a new visit marks nobody at home or away until
// told, so saving it untouched is refused with the reason on the presence line; a household
// visited before says when, names whom that visit missed and lists them first; and * marks
// everyone at home.
func TestPresenceIsHonest(t *testing.T) {
	s := startServer(t, false)
	actor := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	key := s.addUser(t, "陈静", store.RoleVillage, "DL")
	// A household of DL whose latest visit missed someone.
	visits, _ := s.st.Visits(t.Context(), actor)
	latest := map[string]store.Visit{}
	for _, v := range visits {
		if l, ok := latest[v.Household]; !ok || v.Date > l.Date || (v.Date == l.Date && v.At.After(l.At)) {
			latest[v.Household] = v
		}
	}
	hhs, _ := s.st.Households(t.Context(), actor)
	var hh store.Household
	var missed store.Resident
	for _, h := range store.CurrentHouseholds(hhs) {
		l, ok := latest[h.ID]
		if !ok || len(l.Away) == 0 {
			continue
		}
		for _, r := range h.Residents {
			if _, away := l.Away[r.ID]; away {
				hh, missed = h, r
			}
		}
		if hh.ID != "" {
			break
		}
	}
	if hh.ID == "" {
		t.Fatal("the demo has no visit that missed someone")
	}
	tm := s.open(t, key, 100, 30, nil)
	tm.waitText("覆盖  户")
	tm.send("2", "a")
	tm.waitText("输入地址")
	tm.send(hh.Address + " " + hh.Head().Name)
	tm.waitText(hh.Head().Name + " (")
	tm.send("enter")
	scr := tm.waitText("走访过", "那次没见到")
	if !strings.Contains(line(scr, "那次没见到"), missed.Name) {
		t.Fatalf("the form should name %s, missed last time:\n%s", missed.Name, scr)
	}
	// Listed first, and nobody marked yet.
	present := line(scr, "在家")
	if i := strings.Index(present, "[ ]"+missed.Name); i < 0 || strings.Contains(present, "[x]") {
		t.Fatalf("presence should start unmarked with %s first:\n%s", missed.Name, present)
	}
	tm.send("ctrl+s")
	tm.waitText("请标出谁在家")
	if vs, _ := s.st.Visits(t.Context(), actor); len(vs) != len(visits) {
		t.Fatal("a visit with nobody marked was saved")
	}
	// * on the presence line marks everyone at home; then it saves.
	tm.send("*")
	tm.waitFor("everyone marked at home", func(s string) bool {
		l := line(s, "在家")
		return strings.Contains(l, "[x]"+missed.Name) && !strings.Contains(l, "[ ]")
	})
	tm.send("ctrl+s")
	tm.waitText("已保存走访")
	vs, _ := s.st.Visits(t.Context(), actor)
	if len(vs) != len(visits)+1 {
		t.Fatalf("%d visits, want %d", len(vs), len(visits)+1)
	}
}
