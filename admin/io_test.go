package admin

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"sanbai/ledgerio"
	"sanbai/store"
)

var testDay = time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)

func idNo(base string) string { return base + string(ledgerio.CheckDigit(base)) }

// ioStore seeds one village, 东岭新村 (DL), with two grids and two households.
func ioStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return testDay }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := store.Dataset{Township: store.Township{Name: "青石镇", Office: "青石镇党建办"},
		Villages: []store.Village{{Code: "DL", Name: "东岭新村"}, {Code: "XH", Name: "西河新村"}},
		Grids: []store.Grid{{Code: "DL01", Village: "DL", No: 1, Name: "1网格"}, {Code: "DL02", Village: "DL", No: 2, Name: "前岭网格"},
			{Code: "XH01", Village: "XH", No: 1, Name: "1网格"}},
		Households: []store.Household{
			{ID: "DL01-0001", Village: "DL", Grid: "DL01", Address: "东岭前街1排1号", Residents: []store.Resident{
				{ID: "DL01-0001-1", Name: "王建国", Relation: "户主", Gender: "男", Born: "1965-05", IDNumber: idNo("37010219650512123"),
					Phone: "13812345678", Political: "中共党员"},
				{ID: "DL01-0001-2", Name: "李秀英", Relation: "配偶", Gender: "女", Born: "1967-03"}}},
			{ID: "DL02-0001", Village: "DL", Grid: "DL02", Address: "前岭村东街12号", Residents: []store.Resident{
				{ID: "DL02-0001-1", Name: "张三", Relation: "户主", Gender: "男", Born: "1950-01", Phone: "0531-88886666"}}},
		},
		Members: []store.Member{{ID: "DL-M001", Village: "DL", Grid: "DL01", Name: "王建国", Resident: "DL01-0001-1", Phone: "13812345678"}},
		Cadres:  []store.Cadre{{ID: "DL-C01", Village: "DL", Name: "王建国", Post: store.PostSecretary, Member: "DL-M001", Phone: "13812345678"}},
		Teams:   []store.Team{{Village: "DL", Captain: "DL-C01"}},
	}
	if err := st.Seed(t.Context(), store.System(), d); err != nil {
		t.Fatal(err)
	}
	return st
}

// cmd runs an admin command and returns its output and exit code.
func cmd(env Env, stdin []byte, args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	env.Stdout, env.Stderr = &o, &e
	if env.Stdin == nil {
		env.Stdin = bytes.NewReader(stdin)
	}
	code = Run(env, args)
	return o.String(), e.String(), code
}

// rows returns the households and members, to compare the store before and after.
func rows(t *testing.T, st *store.Store) []any {
	t.Helper()
	hs, err := st.Households(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := st.Members(t.Context(), store.System())
	cs, _ := st.Cadres(t.Context(), store.System())
	return []any{hs, ms, cs}
}

func TestExportThenImportIsNoOp(t *testing.T) {
	st := ioStore(t)
	env := Env{Store: st, Actor: store.System()}
	file := filepath.Join(t.TempDir(), "人口.xlsx")
	if _, errOut, code := cmd(env, nil, "export", "--report", "residents", "-o", file); code != 0 || !strings.Contains(errOut, "已导出 residents") {
		t.Fatalf("export: %d %s", code, errOut)
	}
	before := rows(t, st)
	out, errOut, code := cmd(env, nil, "import", file)
	if code != 0 || !strings.Contains(out, "没有变动") || !strings.Contains(out, "人：不变 3") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	if !reflect.DeepEqual(before, rows(t, st)) {
		t.Fatal("a no-op import changed the store")
	}
	ev, _ := st.Audit(t.Context(), store.System(), 5)
	if ev[0].Action != "export" || !strings.Contains(string(ev[0].After), "residents.xlsx") {
		t.Fatalf("export not audited: %+v", ev[0])
	}
}

func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBadFileImportsNothing: a GBK CSV with one good row and two bad ones is refused whole,
// with every problem named, and the store is unchanged.
func TestBadFileImportsNothing(t *testing.T) {
	st := ioStore(t)
	csv := "网格,户号,姓名,与户主关系,联系电话\r\n前岭网格,1,张三,户主,0531-88886666\r\n前岭网格,2,赵六,户主,12345\r\nDL01,1,王建国,子,\r\n"
	file := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(file, gbkBytes(t, csv), 0o600); err != nil {
		t.Fatal(err)
	}
	before := rows(t, st)
	out, errOut, code := cmd(Env{Store: st, Actor: store.System()}, nil, "import", file, "--lang", "en")
	want := `sheet "roster" row 3 column E (联系电话): malformed phone number "12345" (a mobile number has 11 digits starting with 1; a landline looks like 0531-88886666)
sheet "roster" row 4 column D (与户主关系): household 1 has no head (one person's relation must be 户主)
error: nothing was imported: the file has 2 problems (listed above); correct them and import it again
`
	if code != 1 || errOut != want || !strings.Contains(out, "CSV encoding: GB18030") {
		t.Fatalf("code %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !reflect.DeepEqual(before, rows(t, st)) {
		t.Fatal("a refused import changed the store")
	}
}

func TestDryRunAndImport(t *testing.T) {
	st := ioStore(t)
	env := Env{Store: st, Actor: store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}, Remote: true}
	// DL01-0001 loses 李秀英 and gains a child; DL02 is not in the file and stays as it is.
	csv := "\uFEFF网格,户号,姓名,与户主关系,身份证号,联系电话,政治面貌\n" +
		"DL01,DL01-0001,王建国,户主," + idNo("37010219650512123") + ",13812345678,中共党员\n" +
		",,王小明,子," + idNo("37010220150601301") + ",,\n"
	before := rows(t, st)
	out, errOut, code := cmd(env, []byte(csv), "import", "--dry-run")
	if code != 0 || !strings.Contains(out, "+ 新增 人 DL01-0001-3 王小明") || !strings.Contains(out, "- 迁出 人 DL01-0001-2 李秀英") ||
		!strings.Contains(out, "试运行") || !strings.Contains(out, "覆盖网格：DL01") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errOut)
	}
	if !reflect.DeepEqual(before, rows(t, st)) {
		t.Fatal("a dry run changed the store")
	}
	out, errOut, code = cmd(env, []byte(csv), "import")
	if code != 0 || !strings.Contains(out, "人：新增 1，迁出 1，不变 1") || !strings.Contains(out, "已导入") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	h, _ := st.Household(t.Context(), store.System(), "DL", "DL01-0001")
	if len(h.Residents) != 3 || h.Residents[1].Name != "王小明" || h.Residents[1].Born != "2015-06" || h.Residents[2].MovedOut != "2026-11-26" {
		t.Fatalf("household: %+v", h)
	}
	other, _ := st.Household(t.Context(), store.System(), "DL", "DL02-0001")
	if other.MovedOut != "" {
		t.Fatal("a grid the file does not cover was marked moved out")
	}
}

func TestImportScopeAndConnection(t *testing.T) {
	st := ioStore(t)
	csv := []byte("新村,网格,户号,姓名,与户主关系\n西河,1网格,1,钱八,户主\n")
	village := Env{Store: st, Actor: store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}, Remote: true}
	_, errOut, code := cmd(village, csv, "import")
	if code != 1 || !strings.Contains(errOut, "工作表“CSV”第 2 行 A 列（新村）：新村“西河”不在您的范围内（您只能导入DL）") {
		t.Fatalf("village user, other village: %d %s", code, errOut)
	}
	inspector := Env{Store: st, Actor: store.Actor{Name: "督查", Role: store.RoleInspector}, Remote: true}
	_, errOut, code = cmd(inspector, []byte("网格,户号,姓名,与户主关系\n前岭网格,1,张三,户主\n"), "import")
	if code != 1 || !strings.Contains(errOut, "outside your scope") {
		t.Fatalf("inspector import: %d %s", code, errOut)
	}
	_, errOut, code = cmd(village, nil, "import", "/etc/passwd")
	if code != 2 || !strings.Contains(errOut, "standard input") {
		t.Fatalf("file path over SSH: %d %s", code, errOut)
	}
	// The connection drops after the upload: nothing is committed.
	before := rows(t, st)
	gone := errors.New("connection closed")
	dropped := Env{Store: st, Actor: store.System(), Remote: true,
		Stdin: CheckedReader{Reader: strings.NewReader("网格,户号,姓名,与户主关系\n前岭网格,9,孙九,户主\n"), Check: func() error { return gone }}}
	_, errOut, code = cmd(dropped, nil, "import")
	if code != 1 || !strings.Contains(errOut, "connection closed") || !reflect.DeepEqual(before, rows(t, st)) {
		t.Fatalf("dropped connection: %d %s", code, errOut)
	}
}

// TestImportNamesRowsChangedMeanwhile: a household someone edits while the import is being
// written stops it before it writes anything, and the message names the household and who
// changed it, and asks for a re-run.
func TestImportNamesRowsChangedMeanwhile(t *testing.T) {
	st := ioStore(t)
	file, _, code := cmd(Env{Store: st, Actor: store.System()}, nil, "export", "--report", "residents", "--format", "csv", "-o", "-")
	if code != 0 {
		t.Fatal("export")
	}
	file = strings.ReplaceAll(file, "东岭前街1排1号", "东岭前街1排1号之一")
	clerk := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	edited := false
	env := Env{Store: st, Actor: store.System(), Remote: true, Stdin: CheckedReader{Reader: strings.NewReader(file), Check: func() error {
		if !edited {
			edited = true
			d := store.VisitDraft{Village: "DL", Household: "DL01-0001", Date: "2026-11-25", Present: []string{"DL01-0001-1"}, Special: []string{"困难家庭"}}
			if _, _, err := st.SaveVisit(t.Context(), clerk, d); err != nil {
				t.Error(err)
			}
		}
		return nil
	}}}
	_, errOut, code := cmd(env, nil, "import")
	if code != 1 || !edited || !strings.Contains(errOut, "没有导入任何数据：读取文件之后，以下记录被别人改过：户 DL01-0001（陈静 11-26 09:00 改）") ||
		!strings.Contains(errOut, "请再导入一次") {
		t.Fatalf("import: %d %s", code, errOut)
	}
	if h, _ := st.Household(t.Context(), store.System(), "DL", "DL01-0001"); h.Address != "东岭前街1排1号" || len(h.Special) != 1 {
		t.Fatalf("after the refusal: %+v", h)
	}
	// Run again: it goes in.
	if out, errOut, code := cmd(Env{Store: st, Actor: store.System(), Remote: true}, []byte(file), "import", "--lang", "en"); code != 0 || !strings.Contains(out, "Imported.") {
		t.Fatalf("re-run: %d %s %s", code, out, errOut)
	}
}

func TestExportRemoteAndMasked(t *testing.T) {
	st := ioStore(t)
	inspector := Env{Store: st, Actor: store.Actor{Name: "督查", Role: store.RoleInspector}, Remote: true}
	out, errOut, code := cmd(inspector, nil, "export", "--report", "residents", "--format", "csv")
	if code != 0 || strings.Contains(out, "13812345678") || !strings.Contains(out, "138****5678") ||
		strings.Contains(out, idNo("37010219650512123")) || !strings.Contains(errOut, "CSV") {
		t.Fatalf("inspector export: %d\n%s\n%s", code, out, errOut)
	}
	if _, errOut, code := cmd(inspector, nil, "export", "--report", "ledger", "-o", "/tmp/x.xlsx"); code != 2 || !strings.Contains(errOut, "standard output") {
		t.Fatalf("-o over SSH: %d %s", code, errOut)
	}
	village := Env{Store: st, Actor: store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}, Remote: true}
	// The village's own roster comes out in full, through the store's audited PersonalData.
	out, _, code = cmd(village, nil, "export", "--report", "residents", "--format", "csv")
	if code != 0 || !strings.Contains(out, "13812345678") || !strings.Contains(out, idNo("37010219650512123")) {
		t.Fatalf("village export: %d\n%s", code, out)
	}
	if ev, _ := st.Audit(t.Context(), store.System(), 1); len(ev) != 1 || ev[0].Action != "export" || ev[0].Who != "陈静" || !strings.Contains(string(ev[0].After), "residents.csv") {
		t.Fatalf("audit %+v", ev)
	}
	if _, errOut, code := cmd(village, nil, "export", "--report", "summary", "--village", "XH"); code != 1 || !strings.Contains(errOut, "scope") {
		t.Fatalf("other village: %d %s", code, errOut)
	}
	out, _, code = cmd(village, nil, "export", "--report", "factsheet", "--format", "txt")
	if code != 0 || !strings.Contains(out, "东岭新村明白纸") || !strings.Contains(out, "全村 2 户、3 人，党员 1 名") {
		t.Fatalf("fact sheet: %d\n%s", code, out)
	}
	if _, errOut, code := cmd(village, nil, "export", "--report", "nope"); code != 2 || !strings.Contains(errOut, "ledger, summary") {
		t.Fatalf("unknown report: %d %s", code, errOut)
	}
}

func TestImportExportUsage(t *testing.T) {
	for _, args := range [][]string{{"import"}, {"export"}, {"export", "--report", "ledger"}, {"import", "a", "b"}} {
		_, errOut, code := cmd(Env{}, nil, args...)
		if code != 2 || errOut == "" {
			t.Errorf("%v: %d %s", args, code, errOut)
		}
	}
	if got := WithLang([]string{"export", "--report", "x"}, "en"); !reflect.DeepEqual(got, []string{"export", "--report", "x", "--lang=en"}) {
		t.Errorf("WithLang: %v", got)
	}
	if got := WithLang([]string{"import", "--lang", "zh"}, "en"); len(got) != 3 {
		t.Errorf("WithLang kept the user's: %v", got)
	}
	if RemoteAllowed(store.RoleInspector, "import") || !RemoteAllowed(store.RoleInspector, "export") ||
		RemoteAllowed(store.RoleVillage, "user") || !RemoteAllowed(store.RoleVillage, "import") || RemoteAllowed(store.RoleGrid, "export") {
		t.Error("RemoteAllowed")
	}
}

// TestFactSheetDryRunNamesSections (issue 17, finding 5): a fact-sheet file that lists one
// section is shown, on a dry run, as a change to that section; importing it leaves the others.
func TestFactSheetDryRunNamesSections(t *testing.T) {
	st := ioStore(t)
	village := Env{Store: st, Actor: store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}, Remote: true}
	if _, err := st.SetFactSheet(t.Context(), village.Actor, store.FactSheet{Village: "DL", Profile: "东岭新村由两村合并而成。",
		Services: []string{"代办医保社保"}, Vision: "和美乡村"}); err != nil {
		t.Fatal(err)
	}
	file := []byte("栏目,内容\n服务,代办医保社保\n服务,代缴水电费\n")
	out, errOut, code := cmd(village, file, "import", "--dry-run")
	if code != 0 || !strings.Contains(out, "~ 更新 明白纸 DL：服务\n") || strings.Contains(out, "村情") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errOut)
	}
	out, errOut, code = cmd(village, file, "import", "--dry-run", "--lang", "en")
	if code != 0 || !strings.Contains(out, "~ change fact sheets DL: services\n") {
		t.Fatalf("dry run in English: %d\n%s\n%s", code, out, errOut)
	}
	if _, errOut, code := cmd(village, file, "import"); code != 0 {
		t.Fatalf("import: %d %s", code, errOut)
	}
	fs, _ := st.FactSheet(t.Context(), store.System(), "DL")
	if fs.Profile != "东岭新村由两村合并而成。" || fs.Vision != "和美乡村" || !reflect.DeepEqual(fs.Services, []string{"代办医保社保", "代缴水电费"}) {
		t.Fatalf("after the import: %+v", fs)
	}
}

// TestImportRefusesPastLimits: a file past an import limit is refused in the user's language
// with the limit and the file's figure, over SSH as locally.
func TestImportRefusesPastLimits(t *testing.T) {
	st := ioStore(t)
	township := Env{Store: st, Actor: store.System(), Remote: true}
	wide := []byte("姓名" + strings.Repeat(",x", 300) + "\n")
	_, errOut, code := cmd(township, wide, "import", "--dry-run")
	if code != 1 || !strings.Contains(errOut, "工作表“CSV”第 1 行有 301 列，每行最多 256 列") {
		t.Fatalf("%d %s", code, errOut)
	}
	_, errOut, code = cmd(township, wide, "import", "--lang", "en")
	if code != 1 || !strings.Contains(errOut, `sheet "CSV" row 1 has 301 columns; a row may have 256 at most`) {
		t.Fatalf("%d %s", code, errOut)
	}
	big := bytes.Repeat([]byte("a"), ledgerio.MaxFileBytes+1)
	_, errOut, code = cmd(township, big, "import")
	if code != 1 || !strings.Contains(errOut, "文件超过了 64 MB 的上限") {
		t.Fatalf("%d %s", code, errOut)
	}
}
