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
	visits, _ := s.st.Visits(actor)
	visited := map[string]bool{}
	for _, v := range visits {
		visited[v.Household] = true
	}
	hhs, _ := s.st.Households(actor)
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
	// Date, group and members are carried over or follow from the household: move on to
	// who is at home, mark the second person away, and on to the findings.
	k.press("tab", "tab", "tab", "right", "space", "tab", "tab")
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

	visits, _ = s.st.Visits(actor)
	var saved store.Visit
	for _, v := range visits {
		if v.Household == hh.ID {
			saved = v
		}
	}
	if saved.ID == "" || len(saved.Concerns) != 2 || len(saved.Present) != len(hh.Residents)-1 || len(saved.Away) != 1 {
		t.Fatalf("visit as saved: %+v", saved)
	}
	passed, _ := s.st.Concern(actor, saved.Concerns[0])
	onsite, _ := s.st.Concern(actor, saved.Concerns[1])
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
