package tui

import (
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"sanbai/store"
)

// overviewOf opens pane 5 for a user and returns the model and the pane.
func overviewOf(t *testing.T, st *store.Store, u store.User) (*Model, *overview) {
	t.Helper()
	m := New(Options{Store: st, User: u, Width: 100, Height: 30})
	drive(m, m.Init())
	press(m, "5")
	return m, m.panes[4].(*overview)
}

// reloadAll tells the session everything changed, as the hub does after a write.
func reloadAll(m *Model) {
	_, cmd := m.Update(ChangedMsg{Changes: []store.Change{{Kind: "all"}}})
	drive(m, cmd)
}

// TestCalendarWarnsOfMissingRecords: in the demo the mobilization phases and the group lists'
// deadline have passed with no meeting recorded and nothing filed; the calendar says so,
// phase by phase, and a recorded township meeting takes its warning away. The hint bar names
// the calendar's own keys.
func TestCalendarWarnsOfMissingRecords(t *testing.T) {
	st := seeded(t)
	m, _ := overviewOf(t, st, store.User{Name: "李明", Role: store.RoleTownship})
	press(m, "v")
	v := screen(m)
	for _, want := range []string{"逾期未记录", "镇级动员（", "未见记录：镇级动员会", "报送小组名单（", "东岭新村走访小组名单"} {
		if !strings.Contains(v, want) {
			t.Fatalf("calendar lacks %q:\n%s", want, v)
		}
	}
	// The hint bar: this pane's words for D and M, not the revisit pane's or the queue's.
	last := strings.Split(v, "\n")[len(strings.Split(v, "\n"))-1]
	if !strings.Contains(last, "改截止日期") || !strings.Contains(last, "记录动员会") || strings.Contains(last, "回访截止日") || strings.Contains(last, "会议模式") {
		t.Fatalf("hint bar: %q", last)
	}
	if _, err := st.RecordMeeting(t.Context(), store.System(), store.Meeting{Level: "township", Date: st.Today(), Led: "刘建华"}); err != nil {
		t.Fatal(err)
	}
	reloadAll(m)
	if v := screen(m); strings.Contains(v, "未见记录：镇级动员会") {
		t.Fatalf("township meeting recorded, still warned:\n%s", v)
	}
}

// TestFilingAsksFirstAndOpensAsFiled: F asks; only y, n or esc answer (a stray key, even q,
// neither files nor quits); y files; enter then shows the filed copy as filed, read-only,
// version by version.
func TestFilingAsksFirstAndOpensAsFiled(t *testing.T) {
	st := seeded(t)
	m, o := overviewOf(t, st, store.User{Name: "李明", Role: store.RoleTownship})
	press(m, "v", "v") // filings
	// The summary table of the first village.
	for o.cur[ovFilings].Pos < len(o.d.filings) && o.d.filings[o.cur[ovFilings].Pos].kind != "summary" {
		press(m, "down")
	}
	row := o.d.filings[o.cur[ovFilings].Pos]
	filed := func() int {
		fs, _ := st.FilingsOf(t.Context(), store.System())
		return len(fs)
	}
	press(m, "F")
	if v := screen(m); !strings.Contains(v, "报送后冻结存档") || !strings.Contains(v, "y 报送") {
		t.Fatalf("F did not ask:\n%s", v)
	}
	asking := func() bool { l := m.fs.top(paneOverview); return l != nil && isQuestion(l.comp) }
	press(m, "q", "x", "enter", "1")
	if filed() != 0 || !asking() || m.active != paneOverview {
		t.Fatalf("a stray key answered the question: %d filed, asking %v, pane %d", filed(), asking(), m.active)
	}
	press(m, "esc")
	if filed() != 0 || asking() {
		t.Fatal("esc filed or kept asking")
	}
	press(m, "F", "n")
	if filed() != 0 || asking() {
		t.Fatal("n filed or kept asking")
	}
	press(m, "F", "y")
	if filed() != 1 {
		t.Fatalf("y filed %d", filed())
	}
	reloadAll(m)
	press(m, "F", "y") // a second version; the first is kept
	reloadAll(m)
	press(m, "enter")
	v := screen(m)
	for _, want := range []string{"汇总表 第2版（共2版）", "只读", "李明", "户数", "小计"} {
		if !strings.Contains(v, want) {
			t.Fatalf("filed copy lacks %q:\n%s", want, v)
		}
	}
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	drive(m, cmd)
	if v := screen(m); !strings.Contains(v, "第1版（共2版）") {
		t.Fatalf("← did not show version 1:\n%s", v)
	}
	if o.archive == nil || o.archive.village != row.village || o.archive.kind != "summary" {
		t.Fatalf("archive %+v", o.archive)
	}
	press(m, "esc")
	if o.archive != nil {
		t.Fatal("esc did not close the filed copy")
	}
}

// TestInspectorReadsTheAnswer: a finding the village answered opens in full for the
// inspector, answer included; the inspector's x says who answers instead of opening a
// prompt the store would refuse.
func TestInspectorReadsTheAnswer(t *testing.T) {
	st := seeded(t)
	inspector := store.Actor{Name: "督查组", Role: store.RoleInspector}
	f, err := st.RecordFinding(t.Context(), inspector, store.Inspection{Village: "DL", Checked: "走访台账", Problems: "三户未登记诉求办理情况"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AnswerFinding(t.Context(), store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}, "DL", f.ID, "已补登三户办理情况，台账已更新"); err != nil {
		t.Fatal(err)
	}
	m, _ := overviewOf(t, st, store.User{Name: "督查组", Role: store.RoleInspector})
	press(m, "v", "v", "v") // inspection
	press(m, "x")
	if m.fs.top(paneOverview) != nil || !strings.Contains(screen(m), "督查发现由新村答复整改情况") {
		t.Fatalf("inspector's x:\n%s", screen(m))
	}
	press(m, "enter")
	v := screen(m)
	for _, want := range []string{f.ID, "三户未登记诉求办理情况", "已补登三户办理情况，台账已更新", "陈静"} {
		if !strings.Contains(v, want) {
			t.Fatalf("finding lacks %q:\n%s", want, v)
		}
	}
}

// TestDashboardKeepsItsFiguresWithManyVillages: with more villages than half the screen holds
// (a county has hundreds), the dashboard shows the bars furthest behind and counts the rest,
// and the open concerns and rates below them stay on the screen.
func TestDashboardKeepsItsFiguresWithManyVillages(t *testing.T) {
	st := seeded(t)
	m, o := overviewOf(t, st, store.User{Name: "李明", Role: store.RoleTownship})
	all := len(o.d.coverage)
	if all < 3 {
		t.Fatalf("the demo has %d villages with households; the test needs 3", all)
	}
	// Room for two bars and the count: the lowest share of the others is left out.
	_, cmd := m.Update(tea.WindowSizeMsg{Width: 80, Height: 2*(3+2) + (m.height - o.h) + 1})
	drive(m, cmd)
	v := screen(m)
	for _, want := range []string{"未办结", "另有 " + strconv.Itoa(all-2) + " 个单位"} {
		if !strings.Contains(v, want) {
			t.Fatalf("dashboard lacks %q:\n%s", want, v)
		}
	}
	got := behind([]barRow{{name: "a", done: 5, all: 10}, {name: "b", done: 1, all: 10}, {name: "c", done: 9, all: 10}, {name: "d", done: 0, all: 3}}, 2)
	if len(got) != 2 || got[0].name != "b" || got[1].name != "d" {
		t.Fatalf("furthest behind of a 50%%, b 10%%, c 90%%, d 0%%: %v", got)
	}
}
