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
	// Shown is each cell as a person sees it (the number format applied).
	Shown [][]string
	// Raw is each cell's stored value: for a number, its digits before any number format
	// (an ID number shown as 3.70102E+17 may still have all its digits here). For CSV it is
	// the same as Shown.
	Raw [][]string
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

// MaxFileBytes bounds the size of a file read for import: a 100,000-resident roster is about
// 10 MB as CSV.
const MaxFileBytes = 64 << 20

// ErrTooBig is returned for a file larger than MaxFileBytes.
var ErrTooBig = fmt.Errorf("the file is larger than %d MB", MaxFileBytes>>20)

// ReadAll reads a whole file from r, refusing one larger than MaxFileBytes.
func ReadAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileBytes {
		return nil, ErrTooBig
	}
	return b, nil
}

// ErrOldExcel is returned for a legacy binary .xls file.
var ErrOldExcel = errors.New("this is an old Excel .xls file; save it as an Excel workbook (.xlsx) or CSV first / 这是旧版 Excel（.xls）文件，请先另存为 .xlsx 或 CSV")

// ReadWorkbook reads an .xlsx or CSV file from its bytes; which one is told by the content,
// not the name (a file sent over SSH has none). name is used for a CSV's sheet name.
func ReadWorkbook(data []byte, name string) (*Workbook, error) {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return readXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, ErrOldExcel
	}
	return readCSV(data, name)
}

// readXLSX reads every sheet of a workbook. Merged cells are filled with their value in every
// cell they cover: rosters merge a household's number and address down its rows.
func readXLSX(data []byte) (*Workbook, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a readable Excel workbook (the file may be cut short): %w", err)
	}
	defer f.Close()
	wb := &Workbook{Format: "xlsx"}
	for _, name := range f.GetSheetList() {
		shown, err := f.GetRows(name)
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", name, err)
		}
		raw, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", name, err)
		}
		merged, err := f.GetMergeCells(name)
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", name, err)
		}
		for _, m := range merged {
			c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
			c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
			if err1 != nil || err2 != nil || r2-r1 > 10000 || c2-c1 > 200 {
				continue
			}
			v, rv := cell(shown, r1, c1), cell(raw, r1, c1)
			for r := r1; r <= r2; r++ {
				for c := c1; c <= c2; c++ {
					shown = setCell(shown, r, c, v)
					raw = setCell(raw, r, c, rv)
				}
			}
		}
		wb.Sheets = append(wb.Sheets, Sheet{Name: name, Shown: shown, Raw: raw})
	}
	return wb, nil
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
func readCSV(data []byte, name string) (*Workbook, error) {
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
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sniffSeparator(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("CSV: %w", err)
		}
		rows = append(rows, rec)
	}
	sheet := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	if name == "" || sheet == "" || sheet == "-" {
		sheet = "CSV"
	}
	wb.Sheets = []Sheet{{Name: sheet, Shown: rows, Raw: rows}}
	return wb, nil
}

// sniffSeparator picks the separator that splits the first lines most: comma, tab or
// semicolon.
func sniffSeparator(text string) rune {
	lines := strings.SplitN(text, "\n", 12)
	best, bestN := ',', 0
	for _, sep := range []rune{',', '\t', ';'} {
		n := 0
		for _, l := range lines {
			n = max(n, strings.Count(l, string(sep)))
		}
		if n > bestN {
			best, bestN = sep, n
		}
	}
	return best
}
