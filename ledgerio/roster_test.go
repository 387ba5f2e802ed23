package ledgerio

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"sanbai/store"
)

// id completes a 17-digit ID number base with its check digit.
func id(base string) string { return base + string(CheckDigit(base)) }

// smallStore seeds two villages: 东岭新村 (DL) with grids 1网格 DL01, 2网格 DL02, 前岭网格
// DL03, and 西河新村 (XH) with 1网格 XH01; DL02 and DL03 hold one household each.
func smallStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := store.Dataset{Township: store.Township{Name: "青石镇", Office: "青石镇党建办"},
		Villages: []store.Village{{Code: "DL", Name: "东岭新村"}, {Code: "XH", Name: "西河新村"}},
		Grids: []store.Grid{{Code: "DL01", Village: "DL", No: 1, Name: "1网格"}, {Code: "DL02", Village: "DL", No: 2, Name: "2网格"},
			{Code: "DL03", Village: "DL", No: 3, Name: "前岭网格"}, {Code: "XH01", Village: "XH", No: 1, Name: "1网格"}},
		Households: []store.Household{
			{ID: "DL02-0001", Village: "DL", Grid: "DL02", Address: "东岭后街1排1号", Residents: []store.Resident{
				{ID: "DL02-0001-1", Name: "孙大", Relation: "户主", Gender: "男", Born: "1940-01"},
				{ID: "DL02-0001-2", Name: "孙二", Relation: "子", Gender: "男", Born: "1970-01"}}},
			{ID: "DL03-0001", Village: "DL", Grid: "DL03", Address: "前岭村东街12号", Residents: []store.Resident{
				{ID: "DL03-0001-1", Name: "王建国", Relation: "户主", Gender: "男", Born: "1965-05", IDNumber: id("37010219650512123")}}},
		},
	}
	if err := st.Seed(t.Context(), store.System(), d); err != nil {
		t.Fatal(err)
	}
	return st
}

// messyWorkbook builds the kind of roster an office really sends: a merged title and a
// "filled in by" line above the header, header names with stray spaces in their own order,
// a blank column and an unknown one, the village, grid, household number and address merged
// down a household's rows, full-width digits, a phone and
// an ID number stored as numbers, a real date cell, the header repeated at a page break, the
// village left blank below it, a blank row, a 合计 row and a signature line; and a cadres
// sheet.
func messyWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	s := "人口花名册"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", s))
	set := func(sheet, cell string, v any) { must(f.SetCellValue(sheet, cell, v)) }
	merge := func(sheet, a, b string) { must(f.MergeCell(sheet, a, b)) }
	row := func(sheet string, r int, vals ...any) {
		for i, v := range vals {
			if v == nil {
				continue
			}
			c, _ := excelize.CoordinatesToCellName(i+1, r)
			set(sheet, c, v)
		}
	}
	set(s, "A1", "东岭新村2026年人口花名册")
	merge(s, "A1", "O1")
	set(s, "A2", "填报单位：东岭新村党委      填报日期：2026年11月20日")
	merge(s, "A2", "O2")
	header := []any{"序号", "新村", "网 格", "户号", "门牌地址", "姓  名", "与户主关系", "性别", "出生年月", "身份证号码", nil, "联系电话", "政治面貌", "特殊群体", "民族"}
	row(s, 4, header...)
	born, _ := time.Parse(time.DateOnly, "1965-05-12")
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	row(s, 5, 1, "东岭", "前岭网格", 1, "前岭村东街１２号", "王  建国", "户主", "男", born, int64(37010219650512123*10+int64(CheckDigit("37010219650512123")-'0')), nil, int64(13812345678), "中共党员", "困难家庭、残疾人", "汉")
	must(f.SetCellStyle(s, "I5", "I5", dateStyle))
	row(s, 6, 2, nil, nil, nil, nil, "李秀英", "配偶", "女", "1967.03", id("37010219670302222"), nil, "１３９ １２３４ ５６７８", "群众", nil, "汉")
	row(s, 7, 3, nil, nil, nil, nil, "王小明", "子", nil, nil, " "+id("37010220150601301")+" ", nil, nil, "", "留守儿童", "汉")
	merge(s, "B5", "B7")
	merge(s, "C5", "C7")
	merge(s, "D5", "D7")
	merge(s, "E5", "E7")
	row(s, 8, header...) // the header again, at a page break
	row(s, 9, 4, nil, "2网格", "2", "东岭后街3排2号", "张三", "本人", "男", "1950年1月", id("37010219500101123"), nil, "0531-88886666", "党员", "孤寡老人", "汉")
	row(s, 10, 5, nil, nil, nil, nil, "赵四", "配偶", "女", "195203", nil, nil, nil, "群众", nil, "汉")
	row(s, 12, "合计", nil, nil, nil, nil, "5人")
	row(s, 14, "填表人：刘书记            审核人：")

	c := "干部"
	_, err := f.NewSheet(c)
	must(err)
	set(c, "A1", "东岭新村干部名单")
	merge(c, "A1", "G1")
	row(c, 2, "新村", "姓名", "职务", "网格", "分工", "联系电话", "值班安排")
	row(c, 3, "东岭新村", "王建国", "书记", nil, "全面工作", int64(13812345678), "周一 全天")
	row(c, 4, nil, "张三", "网格书记", "2网格", "2网格党建", "0531-88886666", "周二 上午")
	row(c, 5, nil, "刘红", "第一书记", nil, "县农业局选派", "13900001111", "周三 全天")

	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseMessyWorkbook(t *testing.T) {
	st := smallStore(t)
	village := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	p := parse(t, st, village, messyWorkbook(t), "花名册.xlsx")
	if len(p.Problems) > 0 {
		t.Fatalf("problems:\n%s", strings.Join(FormatProblems(p.Problems, "zh", 0), "\n"))
	}
	var notes []string
	for _, n := range p.Notes {
		notes = append(notes, n.In("zh"))
	}
	wantNotes := []string{"工作表“人口花名册”没有导入这些列：民族", "工作表“人口花名册”跳过 3 行（合计行、重复的表头、签名等）"}
	if !slices.Equal(notes, wantNotes) {
		t.Fatalf("notes:\n%s", strings.Join(notes, "\n"))
	}
	r := p.Roster
	if len(r.Households) != 2 || len(r.Households[0].Residents) != 3 || len(r.Households[1].Residents) != 2 {
		t.Fatalf("households: %+v", r.Households)
	}
	h := r.Households[0]
	if h.ID != "DL03-0001" || h.Grid != "DL03" || h.Address != "前岭村东街12号" || !slices.Equal(h.Special, []string{"困难家庭"}) {
		t.Fatalf("household 1: %+v", h)
	}
	want := []store.Resident{
		{Name: "王建国", Relation: "户主", Gender: "男", Born: "1965-05", IDNumber: id("37010219650512123"), Phone: "13812345678",
			Political: "中共党员", Special: []string{"残疾人"}},
		{Name: "李秀英", Relation: "配偶", Gender: "女", Born: "1967-03", IDNumber: id("37010219670302222"), Phone: "13912345678", Political: "群众"},
		{Name: "王小明", Relation: "子", Gender: "男", Born: "2015-06", IDNumber: id("37010220150601301"), Special: []string{"留守儿童"}},
	}
	for i, w := range want {
		if got := h.Residents[i]; fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("resident %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	h = r.Households[1]
	if h.ID != "DL02-0002" || h.Grid != "DL02" || h.Residents[0].Relation != "户主" || h.Residents[0].Phone != "0531-88886666" ||
		h.Residents[0].Political != "中共党员" || h.Residents[1].Born != "1952-03" || h.Residents[1].Name != "赵四" {
		t.Fatalf("household 2: %+v", h)
	}
	if len(r.Cadres) != 3 || r.Cadres[0].Post != store.PostSecretary || r.Cadres[0].Phone != "13812345678" ||
		r.Cadres[1].Grid != "DL02" || r.Cadres[2].Village != "DL" || !slices.Equal(r.CadreVillages, []string{"DL"}) {
		t.Fatalf("cadres: %+v", r.Cadres)
	}

	rep, err := st.ImportRoster(t.Context(), village, r, store.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Households != (store.Tally{Added: 1, Changed: 1, MovedOut: 1}) ||
		rep.Residents != (store.Tally{Added: 4, Changed: 1, MovedOut: 2}) ||
		rep.Members != (store.Tally{Added: 2}) || rep.Cadres != (store.Tally{Added: 3}) || rep.Teams != (store.Tally{Added: 1}) {
		t.Fatalf("report:\n%+v\n%+v\n%+v\n%+v\n%+v", rep.Households, rep.Residents, rep.Members, rep.Cadres, rep.Teams)
	}
	// Again: nothing changes.
	p = parse(t, st, village, messyWorkbook(t), "花名册.xlsx")
	if rep, err := st.ImportRoster(t.Context(), village, p.Roster, store.ImportOptions{}); err != nil || !rep.Empty() {
		t.Fatalf("second import: %v %+v", err, rep.Changes)
	}
}

// gbk encodes text as GBK, as Chinese Excel saves "CSV (逗号分隔)".
func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// badCSV is a residents CSV with one or more problems on every row but the first.
func badCSV() string {
	a, b := id("37010219800101123"), id("37010219820202224")
	lost := "370102196505122000"
	if CheckDigit(lost[:17]) == '0' {
		panic("fixture: pick another number")
	}
	return "新村,网格,户号,姓名,与户主关系,性别,身份证号,联系电话\r\n" +
		"东岭,前岭网格,5,刘一,户主,男," + a + ",13800001111\r\n" +
		"东岭,前岭网格,5,刘二,户主,女," + b + ",1380000\r\n" +
		"东岭,前岭网格,6,陈三,子,男,3.70102E+17,\r\n" +
		"东岭,九里网格,7,孙四,户主,男," + a + ",\r\n" +
		"北山,1网格,8,周五,户主,男,37010219650512123,\r\n" +
		"东岭,前岭网格,9,吴六,户主,男," + lost + ",\r\n" +
		"东岭,前岭网格,10,,户主,男,,\r\n" +
		"东岭,前岭网格,11,郑七,户主,X,370102196513011234,\r\n" +
		"西河,1网格,12,钱八,户主,男,,\r\n"
}

func TestBadRowsAllReported(t *testing.T) {
	st := smallStore(t)
	village := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	p := parse(t, st, village, gbk(t, badCSV()), "人口.csv")
	if p.Notes[0].In("en") != "CSV encoding: GB18030" {
		t.Fatalf("encoding note: %v", p.Notes[0].In("en"))
	}
	got := FormatProblems(p.Problems, "zh", 0)
	want := []string{
		"工作表“人口”第 3 行 E 列（与户主关系）：户5有两个户主（另一个在第 2 行）",
		"工作表“人口”第 3 行 H 列（联系电话）：电话号码“1380000”格式不对（手机号是 1 开头的 11 位数字，座机如 0531-88886666）",
		"工作表“人口”第 4 行 E 列（与户主关系）：户6没有户主（与户主关系要有一人填“户主”）",
		"工作表“人口”第 4 行 G 列（身份证号）：身份证号显示成了科学计数法（3.70102E+17），后 12 位已经丢失：请把这一列设成文本格式，重新录入",
		"工作表“人口”第 5 行 B 列（网格）：东岭新村没有“九里网格”这个网格",
		"工作表“人口”第 5 行 G 列（身份证号）：身份证号与第 2 行（刘一）重复",
		"工作表“人口”第 6 行 A 列（新村）：没有“北山”这个新村",
		"工作表“人口”第 6 行 G 列（身份证号）：身份证号应为 18 位，这里是 17 位",
		"工作表“人口”第 7 行 G 列（身份证号）：身份证号校验位不对，且末尾是 000：多半是 Excel 按数字存储，只保留了 15 位，后 3 位已经丢失；请把这一列设成文本格式，重新录入",
		"工作表“人口”第 8 行 D 列（姓名）：姓名为空",
		"工作表“人口”第 9 行 F 列（性别）：性别“X”应为男或女",
		"工作表“人口”第 9 行 G 列（身份证号）：身份证号里的出生日期（19651301）不对",
		"工作表“人口”第 10 行 A 列（新村）：新村“西河”不在您的范围内（您只能导入DL）",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("problems:\n%s", strings.Join(got, "\n"))
	}
	en := FormatProblems(p.Problems, "en", 0)
	if en[0] != `sheet "人口" row 3 column E (与户主关系): household 5 has two heads (the other is on row 2)` ||
		en[4] != `sheet "人口" row 5 column B (网格): 东岭新村 has no grid "九里网格"` {
		t.Fatalf("english:\n%s", strings.Join(en, "\n"))
	}
}

// TestEncodingsDetected: the same CSV in UTF-8, UTF-8 with a BOM, GBK, GB18030 and UTF-16
// (Excel's "Unicode text", tab-separated) reads the same.
func TestEncodingsDetected(t *testing.T) {
	st := smallStore(t)
	text := "网格,户号,姓名,与户主关系,特殊群体\r\n前岭网格,7,欧阳　娜娜,户主,独居老人；残疾人\r\n"
	u16 := []byte{0xFF, 0xFE}
	for _, r := range strings.ReplaceAll(text, ",", "\t") {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	gb18030, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	cases := []struct {
		want string
		data []byte
	}{{"UTF-8", []byte(text)}, {"UTF-8 BOM", append([]byte("\uFEFF"), text...)}, {"GB18030", gbk(t, text)},
		{"GB18030", gb18030}, {"UTF-16", u16}}
	for _, c := range cases {
		want := c.want
		p := parse(t, st, store.System(), c.data, "x.csv")
		if len(p.Problems) > 0 || p.Notes[0].In("en") != "CSV encoding: "+want {
			t.Fatalf("%s: %v %v", want, FormatProblems(p.Problems, "en", 0), p.Notes)
		}
		h := p.Roster.Households[0]
		if h.ID != "DL03-0007" || h.Residents[0].Name != "欧阳娜娜" || !slices.Equal(h.Residents[0].Special, []string{"独居老人", "残疾人"}) {
			t.Fatalf("%s: %+v", want, h)
		}
	}
}

// TestFirstImportIntoEmptyStore: a grids sheet and --township bring a whole township into an
// empty store; without them the import says what it needs.
func TestFirstImportIntoEmptyStore(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	grids := "新村代码,新村,网格代码,网格,包村领导\nDL,东岭新村,DL01,1网格,刘书记\nDL,东岭新村,DL02,前岭网格,刘书记\n"
	p := parse(t, st, store.System(), []byte(grids), "网格.csv")
	if len(p.Problems) > 0 || len(p.Roster.Villages) != 1 || len(p.Roster.Grids) != 2 {
		t.Fatalf("%v %+v", FormatProblems(p.Problems, "en", 0), p.Roster)
	}
	if _, err := st.ImportRoster(t.Context(), store.System(), p.Roster, store.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "--township") {
		t.Fatalf("no township name: %v", err)
	}
	p.Roster.Township = "青石镇"
	rep, err := st.ImportRoster(t.Context(), store.System(), p.Roster, store.ImportOptions{})
	if err != nil || rep.Villages.Added != 1 || rep.Grids.Added != 2 {
		t.Fatalf("%v %+v", err, rep)
	}
	if tw, _ := st.Township(t.Context()); tw.Name != "青石镇" {
		t.Fatalf("township %+v", tw)
	}
	// Now residents can come in, their grids found by name.
	p = parse(t, st, store.System(), []byte("网格,户号,姓名,与户主关系\n前岭网格,1,张三,户主\n"), "人口.csv")
	if rep, err := st.ImportRoster(t.Context(), store.System(), p.Roster, store.ImportOptions{}); err != nil || rep.Households.Added != 1 {
		t.Fatalf("%v %+v", err, rep)
	}
	// A village user may send the grids sheet back unchanged, but not change it.
	village := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	if p := parse(t, st, village, []byte(grids), "网格.csv"); len(p.Problems) > 0 || len(p.Roster.Grids) > 0 {
		t.Fatalf("unchanged grids sheet: %v", FormatProblems(p.Problems, "en", 0))
	}
	p = parse(t, st, village, []byte(strings.Replace(grids, "前岭网格", "后岭网格", 1)), "网格.csv")
	if got := FormatProblems(p.Problems, "en", 0); len(got) != 1 || got[0] != `sheet "网格" row 3 column C (网格代码): only township users add or change villages and grids` {
		t.Fatalf("%v", got)
	}
}

// TestFactSheetRoundTrip: the fact sheet exported as CSV imports back unchanged, and an edited
// one replaces the village's page.
func TestFactSheetRoundTrip(t *testing.T) {
	st := smallStore(t)
	village := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	csv := "栏目,内容\n村情,东岭新村由东岭、前岭两村合并而成。\n产业,大棚蔬菜\n产业,苹果\n服务,代办医保社保\n远景,建成宜居宜业和美乡村\n任务,修通生产路\n"
	p := parse(t, st, village, []byte(csv), "明白纸.csv")
	if len(p.Problems) > 0 || len(p.Roster.FactSheets) != 1 {
		t.Fatalf("%v %+v", FormatProblems(p.Problems, "en", 0), p.Roster)
	}
	if rep, err := st.ImportRoster(t.Context(), village, p.Roster, store.ImportOptions{}); err != nil || rep.FactSheets.Added != 1 {
		t.Fatalf("%v %+v", err, rep)
	}
	fs, _ := st.FactSheet(t.Context(), village, "DL")
	if fs.Profile != "东岭新村由东岭、前岭两村合并而成。" || !slices.Equal(fs.Industries, []string{"大棚蔬菜", "苹果"}) || fs.UpdatedBy != "陈静" {
		t.Fatalf("%+v", fs)
	}
	out := export(t, st, village, "factsheet", "csv", "")
	p = parse(t, st, village, out, "factsheet.csv")
	if rep, err := st.ImportRoster(t.Context(), village, p.Roster, store.ImportOptions{}); err != nil || !rep.Empty() {
		t.Fatalf("round trip: %v %+v", err, rep.Changes)
	}
	txt := string(export(t, st, village, "factsheet", "txt", ""))
	for _, want := range []string{"东岭新村明白纸", "一、村情", "主导产业：大棚蔬菜、苹果。", "1. 代办医保社保", "重点任务：", "1. 修通生产路"} {
		if !strings.Contains(txt, want) {
			t.Fatalf("text lacks %q:\n%s", want, txt)
		}
	}
	p = parse(t, st, village, []byte("栏目,内容\n口号,三百\n"), "明白纸.csv")
	if got := FormatProblems(p.Problems, "zh", 0); len(got) != 1 || !strings.Contains(got[0], "栏目“口号”不认识") {
		t.Fatalf("%v", got)
	}
}

// TestFactSheetImportBySection (issue 17, finding 5): a fact-sheet file that lists one section
// replaces that section only; the others stay as they were, and the change names the section.
// A section listed with nothing in it is cleared.
func TestFactSheetImportBySection(t *testing.T) {
	st := smallStore(t)
	village := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	full := store.FactSheet{Village: "DL", Profile: "东岭新村由东岭、前岭两村合并而成。", Industries: []string{"大棚蔬菜", "苹果"},
		Services: []string{"代办医保社保"}, Vision: "建成宜居宜业和美乡村", Tasks: []string{"修通生产路"}}
	if _, err := st.SetFactSheet(t.Context(), village, full); err != nil {
		t.Fatal(err)
	}
	p := parse(t, st, village, []byte("栏目,内容\n服务,代办医保社保\n服务,\"便民服务：周一;周三\"\n"), "明白纸.csv")
	if len(p.Problems) > 0 {
		t.Fatal(FormatProblems(p.Problems, "en", 5))
	}
	rep, err := st.ImportRoster(t.Context(), village, p.Roster, store.ImportOptions{DryRun: true})
	if err != nil || len(rep.Changes) != 1 || !slices.Equal(rep.Changes[0].Fields, []string{"services"}) {
		t.Fatalf("dry run: %v %+v", err, rep.Changes)
	}
	if _, err := st.ImportRoster(t.Context(), village, p.Roster, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := st.FactSheet(t.Context(), village, "DL")
	want := full
	want.Services = []string{"代办医保社保", "便民服务：周一;周三"}
	if got.Profile != want.Profile || !slices.Equal(got.Industries, want.Industries) || !slices.Equal(got.Services, want.Services) ||
		got.Vision != want.Vision || !slices.Equal(got.Tasks, want.Tasks) {
		t.Fatalf("after importing the services only:\n got %+v\nwant %+v", got, want)
	}
	// 任务 listed with no content clears the tasks, and only them.
	p = parse(t, st, village, []byte("栏目,内容\n任务,\n"), "明白纸.csv")
	rep, err = st.ImportRoster(t.Context(), village, p.Roster, store.ImportOptions{})
	if err != nil || len(rep.Changes) != 1 || !slices.Equal(rep.Changes[0].Fields, []string{"tasks"}) {
		t.Fatalf("clearing the tasks: %v %+v", err, rep.Changes)
	}
	if got, _ := st.FactSheet(t.Context(), village, "DL"); len(got.Tasks) != 0 || got.Vision != full.Vision || len(got.Services) != 2 {
		t.Fatalf("%+v", got)
	}
}
