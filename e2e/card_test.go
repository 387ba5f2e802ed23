package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sanbai/query"
	"sanbai/search"
	"sanbai/store"
)

// Keys of the household finder, as a terminal sends them.
const (
	ctrlF = "\x06"
	ctrlU = "\x15"
)

// initials are the pinyin initials of a name, as the finder reads them (王建国 → wjg).
func initials(name string) string { return strings.Split(search.Key(name), "\x00")[2] }

// TestFinderOverSSH: a village user finds a household by a resident's pinyin initials, and by
// the last four digits of a phone; its card shows the people with their phones masked, its
// visits and concerns.
func TestFinderOverSSH(t *testing.T) {
	s := startServer(t, false)
	actor := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	tm := s.open(t, s.addUser(t, "陈静", store.RoleVillage, "DL"), 80, 24, nil)
	tm.waitText("覆盖  户")

	// A resident whose initials find only a few households, and one whose phone's last
	// four digits find only theirs.
	hhs, _ := s.st.Households(t.Context(), actor)
	finder := query.NewFinder(s.st)
	full, err := s.st.PersonalData(t.Context(), store.System(), "test", "DL")
	if err != nil {
		t.Fatal(err)
	}
	var byInitials, byPhone store.Household
	var who, phone string
	initialsFound := 0
	for _, h := range store.CurrentHouseholds(hhs) {
		for _, r := range h.Residents {
			if byInitials.ID == "" && len([]rune(r.Name)) == 3 {
				if hits, total, _ := finder.Find(t.Context(), actor, initials(r.Name), 50); total > 0 && total <= 5 &&
					slices.ContainsFunc(hits, func(x query.HouseholdHit) bool { return x.Household.ID == h.ID }) {
					byInitials, who, initialsFound = h, r.Name, total
				}
			}
			if byPhone.ID == "" && len(r.Phone) == 11 {
				if hits, total, _ := finder.Find(t.Context(), actor, r.Phone[7:], 50); total == 1 && hits[0].Household.ID == h.ID {
					// The store hands the phone out masked; the full one is the test's to know.
					byPhone, phone = h, full.Residents[r.ID].Phone
				}
			}
		}
	}
	if byInitials.ID == "" || byPhone.ID == "" {
		t.Fatal("no household to look for")
	}

	// By initials: the household is listed; enter shows its card.
	tm.send(ctrlF)
	tm.waitText("查户 · 户情卡")
	tm.send(initials(who))
	// The answer to all of the initials (the letters typed before are answered too, and a
	// new answer puts the cursor back on top).
	scr := tm.waitFor("the households of "+initials(who), func(s string) bool {
		return strings.Contains(s, byInitials.ID) && strings.Contains(s, fmt.Sprintf("共 %d 户", initialsFound))
	})
	for tries := 0; !strings.Contains(line(scr, "▸"), byInitials.ID); tries++ {
		if tries > 5 {
			t.Fatalf("the cursor never reached %s:\n%s", byInitials.ID, scr)
		}
		tm.send("down")
		time.Sleep(100 * time.Millisecond)
		scr = tm.screen()
	}
	tm.send("enter")
	scr = tm.waitText("户情卡  "+byInitials.ID, byInitials.Address, "家庭成员")
	if !strings.Contains(scr, who) {
		t.Fatalf("the card does not list %s:\n%s", who, scr)
	}

	// ctrl+f on the card goes back to the list; by a phone's last four digits now.
	tm.send(ctrlF)
	tm.waitText("查找:")
	tm.send(ctrlU, phone[7:])
	scr = tm.waitFor("one household found", func(s string) bool {
		return strings.Contains(s, byPhone.ID) && strings.Contains(s, "共 1 户")
	})
	masked := store.MaskPhone(phone)
	if !strings.Contains(scr, masked) || strings.Contains(scr, phone) {
		t.Fatalf("the phone is not shown masked (%s):\n%s", masked, scr)
	}
	tm.send("enter")
	scr = tm.waitText("户情卡  "+byPhone.ID, masked)
	if strings.Contains(scr, phone) {
		t.Fatalf("a full phone on the card:\n%s", scr)
	}
	// esc back to the list, esc back to the pane.
	tm.send("esc")
	tm.waitText("查找:")
	tm.send("esc")
	tm.waitFor("the routes pane", func(s string) bool { return strings.Contains(s, "覆盖  户") && !strings.Contains(s, "查找:") })
}

// TestFinderKeepsToScope: a grid user finds the households of their grid and never one
// outside it — not by number, name, initials or phone.
func TestFinderKeepsToScope(t *testing.T) {
	s := startServer(t, false)
	tm := s.open(t, s.addUser(t, "网格员", store.RoleGrid, "DL02"), 80, 24, nil)
	tm.waitText("覆盖  户")
	all, _ := s.st.Households(t.Context(), store.System())
	var inside, outside store.Household
	for _, h := range store.CurrentHouseholds(all) {
		switch {
		case h.Grid == "DL02" && inside.ID == "":
			inside = h
		case h.Grid != "DL02" && outside.ID == "" && len(h.Residents) > 0 && len(h.Residents[0].Phone) == 11:
			outside = h
		}
	}
	tm.send(ctrlF)
	tm.waitText("查找:")
	tm.send(inside.ID)
	tm.waitText(inside.Address, "共 1 户")
	head := outside.Head()
	for _, q := range []string{outside.ID, head.Name, initials(head.Name), head.Phone[7:], outside.Address} {
		tm.send(ctrlU, q)
		scr := tm.waitFor("the answer for "+q, func(s string) bool {
			return strings.Contains(s, "查找: "+q) && strings.Contains(s, " 户") && !strings.Contains(s, "正在查找")
		})
		// The list, under the line typed in.
		list := scr[strings.Index(scr, "门牌地址"):]
		if strings.Contains(list, outside.ID) || strings.Contains(list, outside.Address) {
			t.Fatalf("a grid user of DL02 found %s by %q:\n%s", outside.ID, q, scr)
		}
		for _, l := range strings.Split(list, "\n") {
			if f := strings.Fields(l); len(f) > 2 && strings.Contains(l, "-0") && !strings.Contains(l, "DL02-") {
				t.Fatalf("a household outside DL02 listed for %q:\n%s", q, scr)
			}
		}
	}
}

// TestPlanUnvisitedOverSSH: p on a route plans only its households not yet visited, from
// today, and says when the plan runs past the deadline for the visits.
func TestPlanUnvisitedOverSSH(t *testing.T) {
	s := startServer(t, false)
	actor := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	tm := s.open(t, s.addUser(t, "陈静", store.RoleVillage, "DL"), 80, 24, nil)
	scr := tm.waitText("覆盖  户", "第一组")
	group := strings.Fields(line(scr, "▸"))[1]
	tm.send("enter")
	tm.waitText(group+" · 线路", "走访截止")
	tm.send("p")
	tm.waitText("未走访的户")
	today := s.st.Today()
	tm.send(ctrlU, "1 "+today+" 2", "enter")
	scr = tm.waitText("已为未走访的")

	groups, _ := s.st.Groups(t.Context(), actor)
	var id string
	for _, g := range groups {
		if g.Name == group {
			id = g.ID
		}
	}
	routes, _ := s.st.Routes(t.Context(), actor)
	var rt store.Route
	for _, r := range routes {
		if r.Group == id {
			rt = r
		}
	}
	visits, _ := s.st.Visits(t.Context(), actor)
	visited := map[string]bool{}
	for _, v := range visits {
		visited[v.Household] = true
	}
	if len(rt.Days) == 0 || rt.Days[0].Date != today {
		t.Fatalf("days %+v, want the first today", rt.Days)
	}
	left := 0
	for i, h := range rt.Households {
		if planned := i >= rt.Days[0].Start; planned == visited[h] {
			t.Fatalf("%s: planned %v, visited %v", h, planned, visited[h])
		}
		if !visited[h] {
			left++
		}
	}
	if !strings.Contains(scr, fmt.Sprintf("已为未走访的 %d 户排了 %d 天", left, left)) {
		t.Fatalf("the status does not say %d households in %d days:\n%s", left, left, scr)
	}
	cal, _ := s.st.Calendar(t.Context())
	if due := cal.Deadline("DL", "visits.done"); rt.LastDay() > due {
		tm.waitText("超过走访截止日")
	}
}
