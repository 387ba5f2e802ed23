// Package ledgerio reads the roster files township offices keep — Excel workbooks (.xlsx) and
// CSV files in UTF-8 or in GB18030/GBK, which Chinese Excel writes by default — and writes the
// tables they file with the party-building office, as XLSX, CSV or plain text. File formats
// live here and never in store: this package turns files into store values and back.
package ledgerio

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
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
//
// Cells are read as stored, without their number format (one pass, and the format is what
// hides an ID number's lost digits): a number is its digits, a date cell its day count,
// which the birth-month column reads as a date.
func readXLSX(data []byte) (*Workbook, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a readable Excel workbook (the file may be cut short): %w", err)
	}
	defer f.Close()
	merges, mergesOK := mergedRanges(data)
	wb := &Workbook{Format: "xlsx"}
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("sheet %q: %w", name, err)
		}
		ranges, ok := merges[name]
		if !mergesOK {
			// The workbook's parts are not where they usually are: let excelize find them.
			ms, err := f.GetMergeCells(name)
			if err != nil {
				return nil, fmt.Errorf("sheet %q: %w", name, err)
			}
			for _, m := range ms {
				ranges = append(ranges, [2]string{m.GetStartAxis(), m.GetEndAxis()})
			}
		} else if !ok {
			ranges = nil
		}
		for _, m := range ranges {
			c1, r1, err1 := excelize.CellNameToCoordinates(m[0])
			c2, r2, err2 := excelize.CellNameToCoordinates(m[1])
			if err1 != nil || err2 != nil || r2 < r1 || c2 < c1 || r2-r1 > 10000 || c2-c1 > 200 {
				continue
			}
			v := cell(rows, r1, c1)
			for r := r1; r <= r2; r++ {
				for c := c1; c <= c2; c++ {
					rows = setCell(rows, r, c, v)
				}
			}
		}
		wb.Sheets = append(wb.Sheets, Sheet{Name: name, Rows: rows})
	}
	return wb, nil
}

// mergeRE finds a merged range in a worksheet's XML.
var mergeRE = regexp.MustCompile(`<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"`)

// mergedRanges lists each sheet's merged ranges straight from the workbook's XML: excelize
// would parse a whole worksheet into memory to answer, seconds for a 100,000-row roster. ok is
// false when the workbook's parts cannot be found this way.
func mergedRanges(data []byte) (map[string][][2]string, bool) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, false
	}
	read := func(name string) ([]byte, bool) {
		for _, f := range zr.File {
			if strings.EqualFold(f.Name, name) {
				rc, err := f.Open()
				if err != nil {
					return nil, false
				}
				defer rc.Close()
				b, err := io.ReadAll(rc)
				return b, err == nil
			}
		}
		return nil, false
	}
	var book struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	b, ok := read("xl/workbook.xml")
	if !ok || xml.Unmarshal(b, &book) != nil {
		return nil, false
	}
	b, ok = read("xl/_rels/workbook.xml.rels")
	if !ok || xml.Unmarshal(b, &rels) != nil {
		return nil, false
	}
	out := map[string][][2]string{}
	for _, sh := range book.Sheets {
		target := ""
		for _, r := range rels.Rels {
			if r.ID == sh.RID {
				target = r.Target
			}
		}
		if target == "" {
			return nil, false
		}
		path := "xl/" + target
		if strings.HasPrefix(target, "/") {
			path = target[1:]
		}
		x, ok := read(path)
		if !ok {
			return nil, false
		}
		i := bytes.Index(x, []byte("mergeCells"))
		if i < 0 {
			continue
		}
		for _, m := range mergeRE.FindAllSubmatch(x[i:], -1) {
			out[sh.Name] = append(out[sh.Name], [2]string{string(m[1]), string(m[2])})
		}
	}
	return out, true
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
	wb.Sheets = []Sheet{{Name: sheet, Rows: rows}}
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
