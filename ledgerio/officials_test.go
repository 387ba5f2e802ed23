package ledgerio

import (
	"strings"
	"testing"

	"sanbai/store"
)

// TestTownshipOfficialsImport: the cadres sheet's rows under the township's name are its
// leaders and staff; they replace the stored officials (keeping the IDs of those listed
// again), a leader in charge on the grids sheet who is no official becomes one, a village
// user may not list them, and the residents export brings them back unchanged.
func TestTownshipOfficialsImport(t *testing.T) {
	st := smallStore(t)
	sheet := "新村,姓名,职务,网格,分工,联系电话\n" +
		"青石镇,刘建华,镇党委书记,,党委全面工作,13800000001\n" +
		",王志刚,镇长,,政府全面工作,13800000002\n" +
		"镇机关,赵红梅,党建办主任,,三百活动统筹,\n" +
		"东岭新村,陈静,两委成员,,民政,\n"
	p := parse(t, st, store.System(), []byte(sheet), "干部.csv")
	if len(p.Problems) > 0 {
		t.Fatal(FormatProblems(p.Problems, "en", 0))
	}
	r := p.Roster
	if !r.OfficialsGiven || len(r.Officials) != 3 || r.Officials[1].Name != "王志刚" || r.Officials[0].Phone != "13800000001" ||
		len(r.Cadres) != 1 || r.Cadres[0].Village != "DL" {
		t.Fatalf("parsed %+v", r)
	}
	rep, err := st.ImportRoster(t.Context(), store.System(), r, store.ImportOptions{})
	if err != nil || rep.Officials.Added != 3 {
		t.Fatalf("%v %+v", err, rep)
	}
	os, _ := st.Officials(t.Context(), store.System())
	if len(os) != 3 || os[0].ID != "T01" || os[0].Name != "刘建华" || os[2].Post != "党建办主任" {
		t.Fatalf("officials %+v", os)
	}
	// A township-tier concern now takes them as owners (Owners is tested in store).
	// The same sheet again changes nothing; one name fewer removes that official.
	if rep, err := st.ImportRoster(t.Context(), store.System(), parse(t, st, store.System(), []byte(sheet), "干部.csv").Roster, store.ImportOptions{}); err != nil || !rep.Empty() {
		t.Fatalf("again: %v %+v", err, rep.Changes)
	}
	less := strings.Replace(sheet, ",王志刚,镇长,,政府全面工作,13800000002\n", "", 1)
	rep, err = st.ImportRoster(t.Context(), store.System(), parse(t, st, store.System(), []byte(less), "干部.csv").Roster, store.ImportOptions{})
	if err != nil || rep.Officials.Removed != 1 || rep.Officials.Unchanged != 2 {
		t.Fatalf("one fewer: %v %+v", err, rep)
	}
	// A leader in charge named on the grids sheet becomes an official.
	grids := "新村代码,新村,网格代码,网格,包村领导\nDL,东岭新村,DL01,1网格,冯立新\n"
	rep, err = st.ImportRoster(t.Context(), store.System(), parse(t, st, store.System(), []byte(grids), "网格.csv").Roster, store.ImportOptions{})
	if err != nil || rep.Officials.Added != 1 {
		t.Fatalf("leader: %v %+v", err, rep)
	}
	os, _ = st.Officials(t.Context(), store.System())
	if last := os[len(os)-1]; last.Name != "冯立新" || last.Duties != "包东岭新村" || last.ID != "T04" { // IDs are never given again
		t.Fatalf("leader as official: %+v", os)
	}
	// A village user may not list the township's people.
	village := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	p = parse(t, st, village, []byte(sheet), "干部.csv")
	if got := FormatProblems(p.Problems, "zh", 0); len(got) != 1 || !strings.Contains(got[0], "第 2–4 行 A 列（新村）：镇领导和镇干部只能由镇里的账号导入") {
		t.Fatalf("village user: %v", got)
	}
	// A grid given to a township row is a problem.
	p = parse(t, st, store.System(), []byte("新村,姓名,职务,网格\n镇,孙晓东,党建办干事,DL01\n"), "干部.csv")
	if got := FormatProblems(p.Problems, "en", 0); len(got) != 1 || !strings.Contains(got[0], "leave the grid empty") {
		t.Fatalf("grid on a township row: %v", got)
	}
	// Exported with the roster and imported back: nothing changes.
	out := export(t, st, store.System(), "residents", "xlsx", "")
	rep, err = st.ImportRoster(t.Context(), store.System(), parse(t, st, store.System(), out, "residents.xlsx").Roster, store.ImportOptions{})
	if err != nil || rep.Officials.Total() != 0 {
		t.Fatalf("round trip: %v %+v", err, rep.Changes)
	}
}
