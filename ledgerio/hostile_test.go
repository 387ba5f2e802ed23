package ledgerio

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"sanbai/store"
)

// limitErr asserts err is a *LimitError for limit and returns it.
func limitErr(t *testing.T, err error, limit string) *LimitError {
	t.Helper()
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("want a %s limit error, got %v", limit, err)
	}
	if le.Limit != limit {
		t.Fatalf("want the %s limit, got %s: %s", limit, le.Limit, le.In("en"))
	}
	return le
}

// TestZipBombRefused (issue 17, finding 1): a 1 MB workbook whose worksheet inflates to 1 GiB is
// refused from the zip's own part sizes, before anything is inflated, with a message naming the
// part, its size and the limit.
func TestZipBombRefused(t *testing.T) {
	bomb := workbookZip(t, bombSheet(1024), nil, nil)
	if len(bomb) > 2<<20 {
		t.Fatalf("the bomb is %d bytes; it should be about 1 MB", len(bomb))
	}
	_, err := ReadWorkbook(bomb, "")
	le := limitErr(t, err, "part")
	if le.Part != "xl/worksheets/sheet1.xml" || le.Got < 1<<30 || le.Max != DefaultLimits().PartBytes {
		t.Fatalf("%+v", le)
	}
	for lang, want := range map[string]string{
		"zh": "工作簿的部件 xl/worksheets/sheet1.xml 解压后有 1.0 GB，一张工作表（或共享字符串表）解压后最多 512 MB",
		"en": "part xl/worksheets/sheet1.xml of the workbook inflates to 1.0 GB; a worksheet (or the shared-strings table) may inflate to 512 MB at most",
	} {
		if msg := le.In(lang); !strings.Contains(msg, want) {
			t.Errorf("%s: %s", lang, msg)
		}
	}
	// A bomb that stays under the part size but is nothing but spaces is refused after a
	// megabyte of them: no cell holds that much.
	small := limitErr(t, func() error { _, err := ReadWorkbook(workbookZip(t, bombSheet(8), nil, nil), ""); return err }(), "text")
	if small.Got > 1<<20 {
		t.Fatalf("read %d bytes of spaces before refusing", small.Got)
	}
}

// TestMillionRowsRefused (issue 17, finding 2): a 1,000,000-row workbook and a 1,000,000-row
// CSV are refused for the rows limit, with the file's count, by the pass that counts rows
// before any is kept.
func TestMillionRowsRefused(t *testing.T) {
	const n = 1_000_000
	xlsx := workbookZip(t, rowsSheet(n), nil, nil)
	_, err := ReadWorkbook(xlsx, "")
	if le := limitErr(t, err, "rows"); le.Got != n || le.AtLeast || le.Sheet != "人口" {
		t.Fatalf("%+v", le)
	} else if msg := le.In("zh"); !strings.Contains(msg, "工作表“人口”有 1,000,000 行，每张表最多 500,000 行") {
		t.Fatal(msg)
	}
	csv := []byte("姓名,户号\n")
	for i := range n - 1 {
		csv = append(csv, "王五,"...)
		csv = strconv.AppendInt(csv, int64(i), 10)
		csv = append(csv, '\n')
	}
	_, err = ReadWorkbook(csv, "big.csv")
	if le := limitErr(t, err, "rows"); le.Got != n || le.Sheet != "big" {
		t.Fatalf("%+v", le)
	}
}

// TestLimitsWhileReading: every limit refuses the file that passes it, whichever reader sees
// it first, and names the file's figure; a file just within them all is read.
func TestLimitsWhileReading(t *testing.T) {
	lim := smallLimits()
	row := func(r int, cells ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<row r="%d">`, r)
		for i, v := range cells {
			fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, colName(i+1), r, v)
		}
		return b.String() + "</row>"
	}
	var ten []string
	for r := 1; r <= 10; r++ {
		ten = append(ten, row(r, "a", "b", "c"))
	}
	wb, err := ReadWorkbookLimits(workbookZip(t, sheetOf(ten...), nil, nil), "", lim)
	if err != nil || len(wb.Sheets) != 1 || len(wb.Sheets[0].Rows) != 10 || wb.Sheets[0].Rows[9][2] != "c" {
		t.Fatalf("a file within the limits: %v %+v", err, wb)
	}
	cases := []struct {
		name, limit string
		file        []byte
		got         int64
		atLeast     bool
	}{
		{"eleven rows", "rows", workbookZip(t, sheetOf(append(ten, row(11, "x"))...), nil, nil), 11, false},
		// One row numbered 1,000,000: the count sees one row, the reader sees the jump.
		{"a row far down", "rows", workbookZip(t, sheetOf(row(1_000_000, "x")), nil, nil), 11, true},
		{"a wide row", "columns", workbookZip(t, sheetOf(`<row r="1"><c r="XFD1"><v>1</v></c></row>`), nil, nil), 16384, false},
		{"31 cells", "cells", workbookZip(t, sheetOf(append(ten[:9], row(10, "a", "b", "c", "d"))...), nil, nil), 31, false},
		{"a long cell", "cell", workbookZip(t, sheetOf(row(1, strings.Repeat("字", 101))), nil, nil), 101, false},
		{"a long run of text", "text", workbookZip(t, sheetOf(row(1, strings.Repeat("x", 6_000))), nil, nil), 0, true},
		{"a merged area", "merged", workbookZip(t, plainPart(sheetHead+row(1, "a")+sheetTail+
			`<mergeCells><mergeCell ref="A1:E10"/></mergeCells>`), nil, nil), 50, true},
		{"a big shared-strings table", "strings", workbookZip(t, sheetOf(row(1, "a")),
			ptr(plainPart(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+strings.Repeat("<si><t>x</t></si>", 21)+`</sst>`)), nil), 21, false},
		{"too many parts", "parts", workbookZip(t, sheetOf(), nil, manyParts(16)), 21, false},
		{"big other parts", "other", workbookZip(t, sheetOf(), nil, map[string]deflated{"xl/media/a.bin": plainPart(strings.Repeat("0", 20<<10))}), 0, true},
		{"a big worksheet", "part", workbookZip(t, plainPart(sheetHead+strings.Repeat("<x/>", 20<<10)+sheetTail), nil, nil), 0, false},
		{"a big file", "file", make([]byte, 1<<20+1), 1<<20 + 1, false},
		{"CSV rows", "rows", []byte(strings.Repeat("a,b\n", 11)), 11, false},
		{"CSV columns", "columns", []byte("a,b\n1,2,3,4,5,6\n"), 6, false},
		{"CSV cells", "cells", []byte(strings.Repeat("a,b,c,d\n", 8)), 32, false},
		{"a long CSV cell", "cell", []byte("姓名\n" + strings.Repeat("字", 101) + "\n"), 101, false},
	}
	for _, c := range cases {
		_, err := ReadWorkbookLimits(c.file, "x.csv", lim)
		le := limitErr(t, err, c.limit)
		if (c.got != 0 && le.Got != c.got) || le.AtLeast != c.atLeast {
			t.Errorf("%s: %+v", c.name, le)
		}
		for _, lang := range []string{"zh", "en"} {
			if msg := le.In(lang); !strings.Contains(msg, count(le.Max)) && !strings.Contains(msg, size(le.Max)) {
				t.Errorf("%s: the %s message does not name the limit: %s", c.name, lang, msg)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// manyParts is n small extra parts.
func manyParts(n int) map[string]deflated {
	m := map[string]deflated{}
	for i := range n {
		m[fmt.Sprintf("docProps/custom%d.xml", i)] = plainPart("<x/>")
	}
	return m
}

// TestDefaultLimitsFitCounty: the roster of a county (300,000 residents, as sanbai exports it)
// fits every default limit with half as much again to spare, measured on a 3,000-resident
// export and scaled: rows, cells, the worksheet's inflated size and the file's size.
func TestDefaultLimitsFitCounty(t *testing.T) {
	const sample, county = 3_000, 300_000
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Seed(t.Context(), store.System(), bigTownship(sample)); err != nil {
		t.Fatal(err)
	}
	lim := DefaultLimits()
	room := func(what string, sampled, limit int64) {
		t.Helper()
		scaled := sampled * county / sample
		t.Logf("%s: %d for %d residents, %d for a county; the limit is %d", what, sampled, sample, scaled, limit)
		if scaled*3/2 > limit {
			t.Errorf("%s: a county's roster (%d) leaves less than half again below the limit (%d)", what, scaled, limit)
		}
	}
	for _, format := range []string{"xlsx", "csv"} {
		file := export(t, st, store.System(), "residents", format, "")
		wb, err := ReadWorkbook(file, "roster."+format)
		if err != nil {
			t.Fatal(err)
		}
		people := wb.Sheets[0]
		room(format+" rows", int64(len(people.Rows)), int64(lim.Rows))
		room(format+" cells", int64(countCells(people.Rows)), int64(lim.Cells))
		room(format+" file", int64(len(file)), lim.FileBytes)
		if format == "xlsx" {
			zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for _, f := range zr.File {
				total += int64(f.UncompressedSize64)
				if f.Name == "xl/worksheets/sheet1.xml" {
					room("worksheet bytes", int64(f.UncompressedSize64), lim.PartBytes)
				}
			}
			room("inflated bytes", total, lim.InflatedBytes)
		}
	}
}
