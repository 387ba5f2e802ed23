package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"sanbai/store"
)

var idRE = regexp.MustCompile(`[A-Z]{2}-\d{4}`)

// selectedID returns the concern ID on the cursor row of a queue screen, failing the test if
// there is none: for a screen a wait has already checked, never inside a wait's condition.
func selectedID(t *testing.T, screen string) string {
	t.Helper()
	id := selected(screen)
	if id == "" {
		t.Fatalf("no selected concern:\n%s", screen)
	}
	return id
}

// TestTriageByKeys drives the ledger the way a meeting does — escalate with a reason, assign
// an owner from the picker, set a relative deadline, mark two rows and tag them together,
// undo, resolve — and checks the store after each step.
func TestTriageByKeys(t *testing.T) {
	s := startServer(t, false)
	tm := s.open(t, s.addUser(t, "李明", store.RoleTownship, ""), 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("3")
	tm.waitText("[3 台账]", "编号")
	tm.waitSelected()
	// Look for a concern at the grid tier to escalate: the filter's name and a row under it
	// (the header can be drawn in a frame before the rows it filters).
	tm.send("t", "t")
	scr := tm.waitFor("a concern at the grid tier", func(s string) bool {
		return strings.Contains(s, "未办结 · 网格") && selected(s) != ""
	})
	id := selectedID(t, scr)
	before, _ := s.st.Concern(t.Context(), store.System(), id)
	if before.Tier != store.TierGrid {
		t.Fatalf("filtered by grid tier but %s is %s", id, before.Tier)
	}
	tm.send("0") // clear filters; the cursor stays on the concern
	tm.send(">")
	tm.waitText("上报理由")
	tm.send("enter")
	tm.waitText("请写明理由")
	tm.send("网格无力解决，需要新村统筹", "enter")
	tm.waitText("已上报", id)
	c, _ := s.st.Concern(t.Context(), store.System(), id)
	if c.Tier != store.TierVillage || c.Moves[len(c.Moves)-1].Reason != "网格无力解决，需要新村统筹" || c.Moves[len(c.Moves)-1].By != "李明" {
		t.Fatalf("escalation not stored: %s %+v", c.Tier, c.Moves[len(c.Moves)-1])
	}

	// Owner from the picker: the first name listed for the village.
	tm.send("o")
	tm.waitText("责任人 (")
	tm.send("enter")
	tm.waitText("已指定责任人", id)
	c, _ = s.st.Concern(t.Context(), store.System(), id)
	if c.Plan.Owner == "" {
		t.Fatal("owner not stored")
	}

	// A later deadline is an extension: it asks why, and the footer says what moved.
	prior, _ := s.st.Concern(t.Context(), store.System(), id)
	tm.send("d", "+4d", "enter")
	tm.waitText("延期理由")
	tm.send("等材料到位", "enter")
	tm.waitText("已设定时限", id, "时限")
	c, _ = s.st.Concern(t.Context(), store.System(), id)
	want := s.st.Now().AddDate(0, 0, 4).Format("2006-01-02")
	if c.Plan.Deadline != want || !c.Plan.DeadlineSet || c.Extensions != 1 {
		t.Fatalf("deadline %s (set %v, %d extensions), want %s extended once", c.Plan.Deadline, c.Plan.DeadlineSet, c.Extensions, want)
	}

	// Undo puts the old deadline back.
	tm.send("u")
	tm.waitText("已撤销")
	c, _ = s.st.Concern(t.Context(), store.System(), id)
	if c.Plan.Deadline != prior.Plan.Deadline || c.Plan.DeadlineSet != prior.Plan.DeadlineSet {
		t.Fatalf("undo left deadline %s set=%v; it was %s set=%v", c.Plan.Deadline, c.Plan.DeadlineSet, prior.Plan.Deadline, prior.Plan.DeadlineSet)
	}

	// Mark two rows and tag both green at once. The cursor is still on id (filters were
	// cleared above); the mark moves it one row down.
	tm.send("0")
	scr = tm.waitFor(id+" still selected", func(s string) bool { return selected(s) == id })
	first := selectedID(t, scr)
	tm.send(" ")
	scr = tm.waitFor("cursor moved", func(s string) bool { return selected(s) != "" && selected(s) != first })
	second := selectedID(t, scr)
	tm.send(" ")
	tm.waitText("已选 2 条")
	tm.send("g")
	scr = tm.waitText("已挂绿牌")
	for _, x := range []string{first, second} {
		if c, _ := s.st.Concern(t.Context(), store.System(), x); c.Tag != store.TagGreen {
			t.Fatalf("%s not green after a marked action: %s\n%s", x, c.Tag, scr)
		}
	}

	// Resolve asks what was done.
	tm.send("/", id, "enter")
	tm.waitFor(id+" selected", func(s string) bool { return strings.Contains(line(s, "▸"), id) })
	tm.send("x", "已协调新村资金，屋顶修好", "enter")
	tm.waitText("已办结", id)
	c, _ = s.st.Concern(t.Context(), store.System(), id)
	if c.Status != store.StatusResolved || c.Resolution != "已协调新村资金，屋顶修好" || c.ResolvedBy != "李明" {
		t.Fatalf("resolve not stored: %s %q %s", c.Status, c.Resolution, c.ResolvedBy)
	}
}

// TestConflictingEditIsReported: when someone else changed a concern after it was drawn, the
// edit is not made; the user is told who changed what and may apply it anyway.
func TestConflictingEditIsReported(t *testing.T) {
	s := startServer(t, false)
	tm := s.open(t, s.addUser(t, "李明", store.RoleTownship, ""), 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("3")
	id := selectedID(t, tm.waitText("[3 台账]", "编号"))
	c, _ := s.st.Concern(t.Context(), store.System(), id)
	// Someone else changes it behind the screen's back, without the change feed reaching
	// the session first: the write goes straight to the store and the session acts before
	// its reload can land.
	other := store.Actor{Name: "张强", Role: store.RoleTownship}
	target, mine := store.TagYellow, "g"
	if c.Tag == store.TagYellow {
		target = store.TagRed
	}
	if c.Tag == store.TagGreen || target == store.TagGreen {
		mine = "r"
	}
	tm.send("o")
	tm.waitText("责任人 (")
	if _, err := s.st.Triage(t.Context(), other, id, c.Rev, store.Op{Kind: store.OpTag, Tag: target}); err != nil {
		t.Fatal(err)
	}
	tm.send("esc")
	// The reload after the other change may or may not have arrived; press the key at once.
	tm.send(mine)
	scr := tm.waitFor("a conflict report or the edit", func(s string) bool {
		return strings.Contains(s, "刚被改过") || strings.Contains(s, "已挂")
	})
	if strings.Contains(scr, "刚被改过") {
		if !strings.Contains(scr, "张强") {
			t.Fatalf("conflict report does not say who:\n%s", scr)
		}
		tm.send("y")
		tm.waitText("已挂")
	}
	got, _ := s.st.Concern(t.Context(), store.System(), id)
	if got.Tag == target || len(got.Moves) != len(c.Moves)+2 {
		t.Fatalf("after re-apply: tag %s, %d moves (was %d)", got.Tag, len(got.Moves), len(c.Moves))
	}
}

// TestFollowMode: a follower sees the presenter's selection and changes within a second, on
// its own window size, and cannot change anything.
func TestFollowMode(t *testing.T) {
	s := startServer(t, false)
	pres := s.open(t, s.addUser(t, "李明", store.RoleTownship, ""), 80, 24, nil)
	fol := s.openCmd(t, s.addUser(t, "王芳", store.RoleVillage, "DL"), 120, 40, nil, "follow 李明")
	pres.waitText("覆盖  户")
	fol.waitText("跟随 李明")
	pres.send("3")
	pres.waitText("[3 台账]")
	fol.waitText("[3 台账]")
	// Filter to the follower's village so both see the same rows.
	pres.send("f", "DL", "enter")
	first := selectedID(t, pres.waitText("未办结 · DL"))
	pres.send("j")
	var id string
	pres.waitFor("cursor on the second DL row", func(s string) bool {
		id = idRE.FindString(line(s, "▸"))
		return strings.HasPrefix(id, "DL-") && id != first
	})
	start := time.Now()
	fol.waitFor("follower on "+id, func(s string) bool { return strings.Contains(line(s, "▸"), id) })
	if d := time.Since(start); d > time.Second {
		t.Errorf("follower took %v to follow the selection", d)
	}
	before, _ := s.st.Concern(t.Context(), store.System(), id)
	key, word := "r", "红"
	if before.Tag == store.TagRed {
		key, word = "y", "黄"
	}
	pres.send(key)
	fol.waitFor(id+" tagged "+word+" on the follower", func(s string) bool { return strings.Contains(line(s, id), " "+word+" ") })
	// The follower's keys change nothing.
	fol.send("g")
	fol.waitText("只能查看")
	if c, _ := s.st.Concern(t.Context(), store.System(), id); c.Tag == store.TagGreen {
		t.Fatal("a follower changed a concern")
	}
}
