// Package ledgerio reads the roster files township offices keep — Excel workbooks (.xlsx) and
// CSV files in UTF-8 or in GB18030/GBK, which Chinese Excel writes by default — and writes the
// tables they file with the party-building office, as XLSX, CSV or plain text. File formats
// live here and never in store: this package turns files into store values and back.
package ledgerio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Sheet is one table of a file, as text, row by row (rows and cells from 1 in messages).
type Sheet struct {
	Name string
	// Rows holds each cell's text as the file stores it: for CSV what the person saw; for
	// .xlsx the value without its number format, a number as its digits (an ID number Excel
	// shows as 3.70102E+17 may still have all its digits) and a date as its day count.
	Rows [][]string
}

// Workbook is a file read into sheets.
type Workbook struct {
	// Format is "xlsx" or "csv".
	Format string
	// Encoding is the text encoding a CSV file was found in: UTF-8, UTF-8 BOM, UTF-16 or
	// GB18030 (which reads GBK and GB2312 too).
	Encoding string
	Sheets   []Sheet
}

// ReadAll reads a whole file from r, refusing one larger than MaxFileBytes with a
// *LimitError before reading more than one byte past the limit.
func ReadAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileBytes {
		return nil, &LimitError{Limit: "file", Max: MaxFileBytes, Got: int64(len(b)), AtLeast: true}
	}
	return b, nil
}

// ErrOldExcel is returned for a legacy binary .xls file.
var ErrOldExcel = errors.New("this is an old Excel .xls file; save it as an Excel workbook (.xlsx) or CSV first / 这是旧版 Excel（.xls）文件，请先另存为 .xlsx 或 CSV")

// ReadWorkbook reads an .xlsx or CSV file from its bytes within DefaultLimits; which one is
// told by the content, not the name (a file sent over SSH has none). name is used for a CSV's
// sheet name.
func ReadWorkbook(data []byte, name string) (*Workbook, error) {
	return ReadWorkbookLimits(data, name, DefaultLimits())
}

// ReadWorkbookLimits is ReadWorkbook within lim: a file past one of them is refused with a
// *LimitError, having cost no more than the limits allow.
func ReadWorkbookLimits(data []byte, name string, lim Limits) (*Workbook, error) {
	if int64(len(data)) > lim.FileBytes {
		return nil, &LimitError{Limit: "file", Max: lim.FileBytes, Got: int64(len(data))}
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data, lim)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, ErrOldExcel
	}
	return readCSV(data, name, lim)
}

// excelizeXMLInMemory is the largest worksheet or shared-strings part excelize keeps in
// memory; bigger ones it inflates to a temporary file and streams (its own default).
const excelizeXMLInMemory = 16 << 20

// readXLSX reads every sheet of a workbook. Merged cells are filled with their value in every
// cell they cover: rosters merge a household's number and address down its rows.
//
// Cells are read as stored, without their number format (one pass, and the format is what
// hides an ID number's lost digits): a number is its digits, a date cell its day count,
// which the birth-month column reads as a date.
//
// The workbook is checked against lim by scanXLSX before excelize opens it; excelize then
// runs with the same bound on what it inflates, and the rows are streamed one by one and
// counted as they come (a sheet's row numbers may jump: a tiny file can name row 1,000,000).
func readXLSX(data []byte, lim Limits) (*Workbook, error) {
	sc, err := scanXLSX(data, lim)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: lim.InflatedBytes, UnzipXMLSizeLimit: min(excelizeXMLInMemory, lim.InflatedBytes)})
	if err != nil {
		return nil, errNotWorkbook(err)
	}
	defer f.Close()
	wb := &Workbook{Format: "xlsx"}
	cells := 0
	for _, name := range f.GetSheetList() {
		rows, err := readSheet(f, name, lim, &cells)
		if err != nil {
			return nil, err
		}
		if ms := sc.merges[name]; len(ms) > 0 {
			before := countCells(rows)
			for _, m := range ms {
				v := cell(rows, m.r1, m.c1)
				for r := m.r1; r <= m.r2; r++ {
					for c := m.c1; c <= m.c2; c++ {
						rows = setCell(rows, r, c, v)
					}
				}
			}
			if cells += countCells(rows) - before; cells > lim.Cells {
				return nil, &LimitError{Limit: "cells", Sheet: name, Max: int64(lim.Cells), Got: int64(cells), AtLeast: true}
			}
		}
		wb.Sheets = append(wb.Sheets, Sheet{Name: name, Rows: rows})
	}
	return wb, nil
}

// readSheet streams one sheet's rows, refusing it as soon as it passes a limit; cells counts
// the cells of the file so far.
func readSheet(f *excelize.File, name string, lim Limits, cells *int) ([][]string, error) {
	it, err := f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", name, err)
	}
	defer it.Close()
	var rows [][]string
	n := 0
	for it.Next() {
		if n++; n > lim.Rows {
			return nil, &LimitError{Limit: "rows", Sheet: name, Max: int64(lim.Rows), Got: int64(n), AtLeast: true}
		}
		cols, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("sheet %q row %d: %w", name, n, err)
		}
		if len(cols) > lim.Columns {
			return nil, &LimitError{Limit: "columns", Sheet: name, Row: n, Max: int64(lim.Columns), Got: int64(len(cols))}
		}
		if *cells += len(cols); *cells > lim.Cells {
			return nil, &LimitError{Limit: "cells", Sheet: name, Max: int64(lim.Cells), Got: int64(*cells), AtLeast: true}
		}
		for c, v := range cols {
			if err := checkCell(v, lim, name, n, c+1); err != nil {
				return nil, err
			}
		}
		if len(cols) == 0 {
			cols = nil
		}
		rows = append(rows, cols)
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("sheet %q: %w", name, err)
	}
	for len(rows) > 0 && len(rows[len(rows)-1]) == 0 {
		rows = rows[:len(rows)-1]
	}
	return rows, nil
}

// checkCell refuses a cell longer than lim.CellChars characters.
func checkCell(v string, lim Limits, sheet string, row, col int) error {
	if len(v) <= lim.CellChars {
		return nil
	}
	if n := utf8.RuneCountInString(v); n > lim.CellChars {
		return &LimitError{Limit: "cell", Sheet: sheet, Row: row, Col: col, Max: int64(lim.CellChars), Got: int64(n)}
	}
	return nil
}

// countCells counts the cells of rows.
func countCells(rows [][]string) int {
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	return n
}

// cell returns the text at row r, column c (from 1), or "".
func cell(rows [][]string, r, c int) string {
	if r < 1 || r > len(rows) || c < 1 || c > len(rows[r-1]) {
		return ""
	}
	return rows[r-1][c-1]
}

// setCell sets the text at row r, column c (from 1), growing rows as needed.
func setCell(rows [][]string, r, c int, v string) [][]string {
	for len(rows) < r {
		rows = append(rows, nil)
	}
	for len(rows[r-1]) < c {
		rows[r-1] = append(rows[r-1], "")
	}
	rows[r-1][c-1] = v
	return rows
}

// readCSV decodes a CSV file: UTF-8 (with or without a byte-order mark), UTF-16 with a
// byte-order mark (Excel's "Unicode text"), or else GB18030, what Chinese Excel writes by
// default and a superset of GBK. Text that is valid UTF-8 is taken as UTF-8: GBK Chinese is
// almost never valid UTF-8. Commas, tabs and semicolons are all found as separators.
//
// The file's shape (records, fields in each, fields in all) is counted against lim before
// encoding/csv builds a single record: one line of 30 million commas would otherwise be half a
// gigabyte of empty fields. A cell the CSV export neutralised as a formula ('=…) is read back
// as it was (see neutralise).
func readCSV(data []byte, name string, lim Limits) (*Workbook, error) {
	wb := &Workbook{Format: "csv"}
	var text string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		wb.Encoding, text = "UTF-8 BOM", string(data[3:])
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		b, _, err := transform.Bytes(dec, data)
		if err != nil {
			return nil, fmt.Errorf("reading UTF-16 text: %w", err)
		}
		wb.Encoding, text = "UTF-16", string(b)
	case utf8.Valid(data):
		wb.Encoding, text = "UTF-8", string(data)
	default:
		b, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
		if err != nil {
			return nil, fmt.Errorf("reading GB18030 text: %w", err)
		}
		wb.Encoding, text = "GB18030", string(b)
	}
	if strings.ContainsRune(text, 0) {
		return nil, errors.New("not a CSV or Excel file (it holds binary data) / 不是 CSV 或 Excel 文件")
	}
	sheet := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if name == "" || sheet == "" || sheet == "-" {
		sheet = "CSV"
	}
	sep := sniffSeparator(text)
	records, err := checkCSVShape(text, sep, lim, sheet)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	rows := make([][]string, 0, records)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("CSV: %w", err)
		}
		for i, v := range rec {
			if err := checkCell(v, lim, sheet, len(rows)+1, i+1); err != nil {
				return nil, err
			}
			rec[i] = restoreNeutralised(v)
		}
		rows = append(rows, rec)
	}
	wb.Sheets = []Sheet{{Name: sheet, Rows: rows}}
	return wb, nil
}

// checkCSVShape counts the records of text and the fields of each as encoding/csv will read
// them, refusing the file past lim; it returns the number of records.
func checkCSVShape(text string, sep rune, lim Limits, sheet string) (int, error) {
	records, cells := 0, 0
	var err error
	csvRecords(text, sep, func(fields int) bool {
		records++
		cells += fields
		if fields > lim.Columns {
			err = &LimitError{Limit: "columns", Sheet: sheet, Row: records, Max: int64(lim.Columns), Got: int64(fields)}
			return false
		}
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case records > lim.Rows:
		return 0, &LimitError{Limit: "rows", Sheet: sheet, Max: int64(lim.Rows), Got: int64(records)}
	case cells > lim.Cells:
		return 0, &LimitError{Limit: "cells", Sheet: sheet, Max: int64(lim.Cells), Got: int64(cells)}
	}
	return records, nil
}

// csvRecords calls each with the number of fields of every record of text, as encoding/csv
// reads them with LazyQuotes and the separator sep (empty lines skipped, "\r\n" read as
// "\n", a quoted field running over lines), until each returns false. It allocates nothing:
// it is how a file's shape is known before csv.Reader builds its records. FuzzCSVRecords
// holds it to encoding/csv.
func csvRecords(text string, sep rune, each func(fields int) bool) {
	sepLen := utf8.RuneLen(sep)
	pos := 0
	// line returns the next line without its line break, and whether it had one.
	line := func() (l string, nl, ok bool) {
		if pos >= len(text) {
			return "", false, false
		}
		rest := text[pos:]
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			pos = len(text)
			return strings.TrimSuffix(rest, "\r"), false, true
		}
		pos += i + 1
		return strings.TrimSuffix(rest[:i], "\r"), true, true
	}
	for {
		var l string
		var nl, ok bool
		for {
			if l, nl, ok = line(); !ok {
				return
			}
			if l != "" {
				break
			}
		}
		fields := 0
	field:
		for {
			if l == "" || l[0] != '"' {
				fields++
				i := strings.IndexRune(l, sep)
				if i < 0 {
					break field
				}
				l = l[i+sepLen:]
				continue
			}
			l = l[1:]
			for {
				if i := strings.IndexByte(l, '"'); i >= 0 {
					l = l[i+1:]
					r, _ := utf8.DecodeRuneInString(l)
					switch {
					case l != "" && r == '"':
						l = l[1:] // "" is a quote
					case l != "" && r == sep:
						l = l[sepLen:]
						fields++
						continue field
					case l == "":
						fields++
						break field
					}
					continue // a bare quote, kept as it is
				}
				if l == "" && !nl {
					fields++ // the text ends inside the quotes
					break field
				}
				if l, nl, ok = line(); !ok {
					l, nl = "", false
				}
			}
		}
		if !each(fields) {
			return
		}
	}
}

// sniffSeparator picks the separator that splits the first records most: comma, tab or
// semicolon (a tie goes to the earlier). Separators inside double quotes are not counted, so
// a comma-separated file whose cells say "周一;周三" stays comma-separated.
func sniffSeparator(text string) rune {
	seps := [3]rune{',', '\t', ';'}
	var cur, best [3]int
	quoted := false
	records := 0
	end := func() {
		for k := range cur {
			best[k] = max(best[k], cur[k])
			cur[k] = 0
		}
		records++
	}
	for i := 0; i < len(text) && records < 12; i++ {
		switch c := text[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			end()
		case c == ',':
			cur[0]++
		case c == '\t':
			cur[1]++
		case c == ';':
			cur[2]++
		}
	}
	end()
	pickSep, n := seps[0], best[0]
	for k := 1; k < len(seps); k++ {
		if best[k] > n {
			pickSep, n = seps[k], best[k]
		}
	}
	return pickSep
}
