package ledgerio

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"sanbai/clean"
	"sanbai/store"
)

// FuzzParseRoster reads arbitrary bytes as a roster file (CSV, or .xlsx when they start like a
// zip) for a village user: never a panic; every household of a roster with no problems lies in
// the user's village and a grid the reference knows; every text that could reach a screen is
// clean (no escape sequence, control or bidi override); ID numbers and phones hold no spaces.
func FuzzParseRoster(f *testing.F) {
	f.Add([]byte("村,网格,户号,地址,姓名,与户主关系,性别,身份证号,联系电话\n东岭新村,2网格,1,东岭后街1排1号,孙大,户主,男,370102194001011234,13812345678\n"))
	f.Add([]byte("姓名,身份证号,出生年月,电话\n王\x1b[31m建国,37010219650512123X,1965-05,+86 138 1234 5678\n\u202e李四,,１９７０年１月,\n"))
	f.Add([]byte("网格,户号,姓名\n\"1网格\",\"0001\",\"a\"\"b\"\n合计,,\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Add([]byte("\xef\xbb\xbf\xff\xfe\x00姓名\r\n"))
	ref := Reference{
		Actor:    store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"},
		Villages: []store.Village{{Code: "DL", Name: "东岭新村"}, {Code: "XH", Name: "西河新村"}},
		Grids: []store.Grid{{Code: "DL01", Village: "DL", No: 1, Name: "1网格"}, {Code: "DL02", Village: "DL", No: 2, Name: "2网格"},
			{Code: "XH01", Village: "XH", No: 1, Name: "1网格"}},
		Today: time.Date(2026, 11, 25, 0, 0, 0, 0, time.Local),
	}
	grids := map[string]string{}
	for _, g := range ref.Grids {
		grids[g.Code] = g.Village
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		wb, err := ReadWorkbook(data, "roster.csv")
		if err != nil {
			return
		}
		p := ParseRoster(wb, ref)
		for _, msg := range FormatProblems(p.Problems, "zh", 0) {
			if !clean.IsClean(msg) {
				t.Fatalf("a problem message carries control text: %q", msg)
			}
		}
		if len(p.Problems) > 0 {
			return
		}
		for _, h := range p.Roster.Households {
			if h.Village != "DL" || (h.Grid != "" && grids[h.Grid] != "DL") {
				t.Fatalf("household %s of %s/%s in a DL user's roster", h.ID, h.Village, h.Grid)
			}
			if !clean.IsClean(h.Address) {
				t.Fatalf("address %q", h.Address)
			}
			for _, r := range h.Residents {
				for _, s := range []string{r.Name, r.Relation, r.Gender, r.Political, r.IDNumber, r.Phone} {
					if !clean.IsClean(s) {
						t.Fatalf("resident field %q", s)
					}
				}
			}
		}
	})
}

// within fails the test when a workbook read within lim holds more than lim allows.
func within(t *testing.T, wb *Workbook, lim Limits) {
	t.Helper()
	cells := 0
	for _, s := range wb.Sheets {
		if len(s.Rows) > lim.Rows {
			t.Fatalf("sheet %q: %d rows within a limit of %d", s.Name, len(s.Rows), lim.Rows)
		}
		for r, row := range s.Rows {
			if len(row) > lim.Columns {
				t.Fatalf("sheet %q row %d: %d columns within a limit of %d", s.Name, r+1, len(row), lim.Columns)
			}
			cells += len(row)
			for _, c := range row {
				if n := utf8.RuneCountInString(c); n > lim.CellChars {
					t.Fatalf("sheet %q row %d: a cell of %d characters within a limit of %d", s.Name, r+1, n, lim.CellChars)
				}
			}
		}
	}
	if cells > lim.Cells {
		t.Fatalf("%d cells within a limit of %d", cells, lim.Cells)
	}
}

// FuzzReadXLSX reads workbooks built around a fuzzed worksheet and shared-strings table (so the
// inputs get past the zip and reach the XML), within small limits: never a panic, never more
// than the limits let through, and a refusal is a *LimitError or an unreadable workbook.
// `make test` runs it for a few seconds, `make test-crash` for minutes.
func FuzzReadXLSX(f *testing.F) {
	f.Add([]byte(sheetHead+`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>王五</t></is></c></row>`+
		`<row r="3"><c r="C3"><v>3.70102E+17</v></c></row>`+sheetTail),
		[]byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>姓名</t></si><si><r><t>a</t></r><r><t>b</t></r></si></sst>`))
	f.Add([]byte(sheetHead+`<row r="1"><c r="A1" t="inlineStr"><is><t>户号</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>`+
		`</sheetData><mergeCells count="2"><mergeCell ref="A2:A9"/><mergeCell ref="B1:E1"/></mergeCells></worksheet>`), []byte(nil))
	f.Add([]byte(sheetHead+`<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>`+sheetTail), []byte(nil))
	f.Add([]byte(`<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData><x:row><x:c t="str"><x:v>=1+1</x:v></x:c></x:row></x:sheetData></x:worksheet>`), []byte(nil))
	lim := smallLimits()
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		var s *deflated
		if len(sst) > 0 {
			s = ptr(plainPart(string(sst)))
		}
		wb, err := ReadWorkbookLimits(workbookZip(t, plainPart(string(sheet)), s, nil), "", lim)
		if err != nil {
			var le *LimitError
			if !errors.As(err, &le) && !strings.Contains(err.Error(), "sheet") && !strings.Contains(err.Error(), "workbook") {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		within(t, wb, lim)
	})
}

// FuzzReadCSV reads arbitrary bytes as a file (CSV in whatever encoding, or a workbook when
// they start like a zip) within small limits: never a panic, never more than the limits let
// through. `make test` runs it for a few seconds, `make test-crash` for minutes.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"姓名,户号\n王五,1\n", "a;b;\"c;d\"\n1;2;3\n", "\xef\xbb\xbf'=1+1,''x\r\n", "\xff\xfe\x41\x00,\x00",
		"\"open\n,,,,,,,,\n", "\xd5\xc5\xc8\xfd,1\n"} {
		f.Add([]byte(s))
	}
	lim := smallLimits()
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := ReadWorkbookLimits(data, "x.csv", lim)
		if err != nil {
			return
		}
		within(t, wb, lim)
	})
}
