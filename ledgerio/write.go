package ledgerio

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"
)

// Formats lists the output formats: xlsx for filing, csv for other programs, txt for the
// printable fact sheet.
var Formats = []string{"xlsx", "csv", "txt"}

// Write writes a report in a format. A CSV holds one table, the report's first (for the
// residents report, the people: the cadres and grids sheets need xlsx); txt is for the fact
// sheet only.
func Write(w io.Writer, r Report, format string) error {
	switch format {
	case "xlsx":
		if r.Name == "factsheet" {
			return writeFactSheetXLSX(w, r)
		}
		return writeXLSX(w, r.Tables)
	case "csv":
		if len(r.Tables) == 0 {
			return nil
		}
		return writeCSV(w, r.Tables[0])
	case "txt", "text":
		if r.Name != "factsheet" {
			return fmt.Errorf("plain text is for the fact sheet; use --format xlsx or csv for %s", r.Name)
		}
		_, err := io.WriteString(w, FactSheetText(r.Facts))
		return err
	}
	return fmt.Errorf("unknown format %q (xlsx, csv or txt)", format)
}

// displayWidth counts a string's width in Excel column units: a Chinese character takes two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// styles are the cell styles of a workbook.
type styles struct {
	title, header, text, number, percent, date, month int
	tags                                              map[string]int
}

func newStyles(f *excelize.File) (*styles, error) {
	border := []excelize.Border{{Type: "left", Color: "A0A0A0", Style: 1}, {Type: "right", Color: "A0A0A0", Style: 1},
		{Type: "top", Color: "A0A0A0", Style: 1}, {Type: "bottom", Color: "A0A0A0", Style: 1}}
	font := &excelize.Font{Family: "宋体", Size: 11}
	st := &styles{tags: map[string]int{}}
	var errs []error
	mk := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		errs = append(errs, err)
		return id
	}
	st.title = mk(&excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 16, Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	st.header = mk(&excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 11, Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	st.text = mk(&excelize.Style{Font: font, Border: border, Alignment: &excelize.Alignment{Vertical: "center"}})
	st.number = mk(&excelize.Style{Font: font, Border: border, NumFmt: 1})
	// Rates are whole percents (store.Percent rounds them half up): shown as such.
	pct, ymd, ym := "0%", "yyyy-mm-dd", "yyyy-mm"
	st.percent = mk(&excelize.Style{Font: font, Border: border, CustomNumFmt: &pct})
	st.date = mk(&excelize.Style{Font: font, Border: border, CustomNumFmt: &ymd, Alignment: &excelize.Alignment{Horizontal: "center"}})
	st.month = mk(&excelize.Style{Font: font, Border: border, CustomNumFmt: &ym, Alignment: &excelize.Alignment{Horizontal: "center"}})
	for tag, colour := range map[string]string{"红": "FF4D4F", "黄": "FFD666", "绿": "73D13D"} {
		st.tags[tag] = mk(&excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 11, Bold: true}, Border: border,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}},
			Alignment: &excelize.Alignment{Horizontal: "center"}})
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}

// writeXLSX writes tables as sheets: a merged title row, a bold frozen header row, column
// widths that fit Chinese text, real date cells and the tag column filled red, yellow or
// green. Rows are streamed, so a 100,000-row roster takes little memory.
func writeXLSX(w io.Writer, tables []Table) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	for i, t := range tables {
		name := sheetName(t.Sheet)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := writeTable(f, st, name, t); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	// The first sheet is the active one already; SetActiveSheet would read every streamed
	// sheet back into memory.
	_, err = f.WriteTo(w)
	return err
}

// sheetName makes a valid sheet name: at most 31 characters, none of []:*?/\.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if s == "" {
		s = "Sheet1"
	}
	return s
}

func writeTable(f *excelize.File, st *styles, sheet string, t Table) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	n := len(t.Columns)
	widths := make([]int, n)
	for i, c := range t.Columns {
		widths[i] = displayWidth(c.Header)
	}
	for _, row := range t.Rows {
		for i := 0; i < n && i < len(row); i++ {
			widths[i] = max(widths[i], displayWidth(cellText(row[i], t.Columns[i].Kind)))
		}
	}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, float64(min(max(wd+2, 6), 60))); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(max(n, 1), 1)
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: t.Title}}, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	if n > 1 {
		if err := sw.MergeCell("A1", last); err != nil {
			return err
		}
	}
	head := make([]any, n)
	for i, c := range t.Columns {
		head[i] = excelize.Cell{StyleID: st.header, Value: c.Header}
	}
	if err := sw.SetRow("A2", head, excelize.RowOpts{Height: 22}); err != nil {
		return err
	}
	for r, row := range t.Rows {
		cells := make([]any, n)
		for i := 0; i < n; i++ {
			var v any
			if i < len(row) {
				v = row[i]
			}
			cells[i] = xlsxCell(st, t.Columns[i].Kind, v)
		}
		ref, _ := excelize.CoordinatesToCellName(1, r+3)
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// xlsxCell turns a value into a styled cell: dates become real date cells (a day count with a
// date format), so Excel sorts and filters them as dates.
func xlsxCell(st *styles, k ColKind, v any) excelize.Cell {
	switch k {
	case ColNumber:
		if v == nil {
			return excelize.Cell{StyleID: st.number}
		}
		return excelize.Cell{StyleID: st.number, Value: v}
	case ColPercent:
		return excelize.Cell{StyleID: st.percent, Value: v}
	case ColDate, ColMonth:
		s, _ := v.(string)
		layout, style := time.DateOnly, st.date
		if k == ColMonth {
			layout, style = "2006-01", st.month
		}
		if t, err := time.Parse(layout, s); err == nil {
			return excelize.Cell{StyleID: style, Value: t}
		}
		return excelize.Cell{StyleID: st.text, Value: s}
	case ColTag:
		s, _ := v.(string)
		if id, ok := st.tags[s]; ok {
			return excelize.Cell{StyleID: id, Value: s}
		}
		return excelize.Cell{StyleID: st.text, Value: s}
	}
	if v == nil {
		v = ""
	}
	return excelize.Cell{StyleID: st.text, Value: v}
}

// cellText writes a value as text, as CSV has it.
func cellText(v any, k ColKind) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case float64:
		if k == ColPercent {
			return strconv.Itoa(int(math.Round(x*100))) + "%"
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// writeCSV writes one table as UTF-8 CSV with a byte-order mark (so that Excel opens the
// Chinese correctly): the header row and the data, without the title row. Every cell is
// neutralised: none can start a formula in the program that opens the file.
func writeCSV(w io.Writer, t Table) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = neutralise(c.Header)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, row := range t.Rows {
		rec := make([]string, len(t.Columns))
		for i := range rec {
			if i < len(row) {
				rec[i] = neutralise(cellText(row[i], t.Columns[i].Kind))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// formulaLeads are the characters a spreadsheet program takes a CSV cell starting with as a
// formula (OWASP, "CSV injection"): a resident's name typed as =HYPERLINK("http://…"&C2)
// would, in the township's all-village export, send the ID number beside it away on a click.
const formulaLeads = "=+-@\t\r"

// plainNumberRE is a number and nothing else: -12, +3.5. A spreadsheet reads it as a number,
// which runs nothing, so it is written as it is.
var plainNumberRE = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// neutralise makes a CSV cell safe to open in a spreadsheet program, as OWASP advises: a cell
// that starts like a formula gets a leading apostrophe, so it is read as text. A cell that
// already starts with an apostrophe before such a character (or before another apostrophe)
// gets one more, so that restoreNeutralised, which the CSV reader applies to every cell, gives
// back exactly what was exported: restoreNeutralised(neutralise(s)) == s for every s.
func neutralise(s string) string {
	if s == "" {
		return s
	}
	switch {
	case strings.IndexByte(formulaLeads, s[0]) >= 0:
		if plainNumberRE.MatchString(s) {
			return s
		}
		return "'" + s
	case s[0] == '\'' && len(s) > 1 && strings.IndexByte(formulaLeads+"'", s[1]) >= 0:
		return "'" + s
	}
	return s
}

// restoreNeutralised undoes neutralise: an apostrophe before a formula's first character or
// before another apostrophe is dropped. An apostrophe before anything else (the '370102… a
// person types to keep an ID number as text) stays for the field's own reader.
func restoreNeutralised(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte(formulaLeads+"'", s[1]) >= 0 {
		return s[1:]
	}
	return s
}
