package e2e

import (
	"fmt"
	"strings"
	"testing"

	"sanbai/ledgerio"
	"sanbai/store"
)

// TestDashboardMatchesTheStore: the overview's coverage bars at 80×24 give the store's counts.
func TestDashboardMatchesTheStore(t *testing.T) {
	s := startServer(t, false)
	tm := s.open(t, s.addUser(t, "李明", store.RoleTownship, ""), 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("5")
	scr := tm.waitText("[5 总览]", "走访覆盖", "近14天")
	vs, _ := s.st.Villages(t.Context(), store.System())
	hhs, _ := s.st.Households(t.Context(), store.System())
	visits, _ := s.st.Visits(t.Context(), store.System())
	visited := map[string]bool{}
	for _, v := range visits {
		visited[v.Household] = true
	}
	for _, v := range vs {
		all, done := 0, 0
		for _, h := range hhs {
			if h.Village == v.Code {
				all++
				if visited[h.ID] {
					done++
				}
			}
		}
		if l := line(scr, v.Name); !strings.Contains(l, fmt.Sprintf("%d/%d", done, all)) {
			t.Fatalf("%s: want %d/%d on %q\n%s", v.Name, done, all, l, scr)
		}
	}
	// The demo's calendar puts the header in the visiting phase.
	if !strings.Contains(strings.Split(scr, "\n")[0], "剩5天") {
		t.Fatalf("no phase in the header:\n%s", scr)
	}
}

// TestFileSummaryTable files a village's summary table (F asks first) and reads back exactly
// what was filed, in the store and on screen.
func TestFileSummaryTable(t *testing.T) {
	s := startServer(t, false)
	tm := s.open(t, s.addUser(t, "陈静", store.RoleVillage, "DL"), 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("5", "v", "v")
	tm.waitText("[报送]", "汇总表")
	tm.send("j", "j")
	tm.waitFor("summary selected", func(s string) bool { return strings.Contains(line(s, "▸"), "汇总表") })
	// F asks first: a filing is frozen for good. A stray key is no answer.
	tm.send("F")
	tm.waitText("报送后冻结存档", "y 报送")
	tm.send("x", "y")
	tm.waitText("已报送 DL 汇总表 第1版")
	scr := tm.waitFor("marked on time", func(s string) bool { return strings.Contains(line(s, "汇总表"), "按时") })
	data, f, err := s.st.FiledData(t.Context(), store.System(), "DL", "summary", 1)
	if err != nil || f.By != "陈静" || f.Late {
		t.Fatalf("filed: %+v %v\n%s", f, err, scr)
	}
	wb, err := ledgerio.ReadWorkbook(data, "summary.xlsx")
	if err != nil {
		t.Fatalf("the filed file is not a workbook: %v", err)
	}
	if len(wb.Sheets) == 0 {
		t.Fatal("the filed workbook has no sheet")
	}
	// Filing again keeps the first version as it was.
	tm.send("F")
	tm.waitText("第2版，原版保留")
	tm.send("y")
	tm.waitText("已报送 DL 汇总表 第2版")
	// The filed copy opens as it was filed, read-only.
	tm.send("enter")
	tm.waitText("汇总表 第2版（共2版）", "存档原样，只读", "小计")
	again, _, err := s.st.FiledData(t.Context(), store.System(), "DL", "summary", 1)
	if err != nil || string(again) != string(data) {
		t.Fatal("re-filing changed the first version")
	}
}
