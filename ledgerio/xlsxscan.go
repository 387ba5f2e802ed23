package ledgerio

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"
)

// xlsxScan is what the checks before excelize learnt of a workbook: each sheet's merged
// ranges, read straight from the worksheet XML (excelize would parse a whole worksheet into
// memory to answer, seconds and gigabytes for a big one).
type xlsxScan struct {
	merges map[string][]mergeRange // by sheet name
}

// mergeRange is a merged range, rows and columns from 1.
type mergeRange struct{ r1, c1, r2, c2 int }

// Largest merged range that is filled in: a household's rows, a title across the columns.
// Bigger ranges (a whole-sheet merge) are left as excelize reads them: the top-left cell only.
const (
	maxMergeRows = 10_000
	maxMergeCols = 200
)

// sharedStringsPart is where excelize reads the shared-strings table from, whatever the case
// of the name in the zip.
const sharedStringsPart = "xl/sharedstrings.xml"

// errNotWorkbook wraps what made a zip unreadable as a workbook.
func errNotWorkbook(err error) error {
	return fmt.Errorf("not a readable Excel workbook (the file may be cut short): %w", err)
}

// scanXLSX checks a workbook against lim before excelize opens it, cheapest checks first:
// the number of parts; each part's size and all of them together, as the zip declares them
// (archive/zip refuses to inflate a part past its declared size, so a lie only makes the file
// unreadable); then one pass over each worksheet's XML, and the shared-strings table's,
// counting rows, cells, strings and merged cells without keeping them, through a reader
// limited to the part's size. It finds each sheet's part as excelize does (_rels/.rels → the
// workbook → its relationships), so the sheets counted are the sheets read.
func scanXLSX(data []byte, lim Limits) (*xlsxScan, error) {
	// Each part has a central-directory record that starts with this signature: counting
	// them bounds what zip.NewReader allocates before it is called.
	if n := bytes.Count(data, []byte("PK\x01\x02")); n > lim.Parts {
		return nil, &LimitError{Limit: "parts", Max: int64(lim.Parts), Got: int64(n)}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errNotWorkbook(err)
	}
	// excelize keys parts by name with backslashes turned to slashes; a later duplicate wins.
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[strings.ReplaceAll(f.Name, `\`, "/")] = f
	}
	var total int64
	for _, f := range zr.File {
		sz := declared(f)
		if sz > lim.PartBytes {
			return nil, &LimitError{Limit: "part", Part: f.Name, Max: lim.PartBytes, Got: sz}
		}
		total = satAdd(total, sz)
	}
	if total > lim.InflatedBytes {
		return nil, &LimitError{Limit: "inflated", Max: lim.InflatedBytes, Got: total}
	}

	// The workbook's index parts are small; they are read whole, each through a limited reader.
	readSmall := func(name string) ([]byte, bool, error) {
		f, ok := parts[name]
		if !ok {
			return nil, false, nil
		}
		if declared(f) > lim.OtherBytes {
			return nil, false, &LimitError{Limit: "other", Part: f.Name, Max: lim.OtherBytes, Got: declared(f)}
		}
		rc, err := f.Open()
		if err != nil {
			return nil, false, errNotWorkbook(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, lim.OtherBytes+1))
		if err != nil {
			return nil, false, errNotWorkbook(err)
		}
		return b, true, nil
	}
	type rel struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	}
	var rels struct {
		Rels []rel `xml:"Relationship"`
	}
	sheetParts := map[string][]string{} // part name → the sheets (names) it holds
	var order []string                  // part names in the workbook's sheet order
	b, ok, err := readSmall("_rels/.rels")
	if err != nil {
		return nil, err
	}
	wbPath := ""
	if ok && xml.Unmarshal(b, &rels) == nil {
		for _, r := range rels.Rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wbPath = strings.TrimPrefix(r.Target, "/")
				break
			}
		}
	}
	if wbPath != "" {
		var book struct {
			Sheets []struct {
				Name string `xml:"name,attr"`
				// r:id, in the transitional or the strict namespace.
				RID string `xml:"id,attr"`
			} `xml:"sheets>sheet"`
		}
		b, okBook, err := readSmall(wbPath)
		if err != nil {
			return nil, err
		}
		relsPath := "_rels/" + path.Base(wbPath) + ".rels"
		if dir := path.Dir(wbPath); dir != "." {
			relsPath = strings.TrimPrefix(dir+"/_rels/"+path.Base(wbPath)+".rels", "/")
		}
		rb, okRels, err := readSmall(relsPath)
		if err != nil {
			return nil, err
		}
		rels.Rels = nil
		if okBook && okRels && xml.Unmarshal(b, &book) == nil && xml.Unmarshal(rb, &rels) == nil {
			for _, sh := range book.Sheets {
				for _, r := range rels.Rels {
					if r.ID != sh.RID {
						continue
					}
					p := worksheetPath(wbPath, r.Target)
					if _, ok := parts[p]; !ok {
						continue
					}
					if _, seen := sheetParts[p]; !seen {
						order = append(order, p)
					}
					sheetParts[p] = append(sheetParts[p], sh.Name)
				}
			}
		}
	}

	// Everything but the worksheets and the shared strings is kept in memory by excelize.
	var other int64
	var sst *zip.File
	for name, f := range parts {
		switch {
		case strings.EqualFold(name, sharedStringsPart):
			sst = f
			continue
		case sheetParts[name] != nil:
			continue
		}
		if other = satAdd(other, declared(f)); other > lim.OtherBytes {
			return nil, &LimitError{Limit: "other", Part: f.Name, Max: lim.OtherBytes, Got: other, AtLeast: true}
		}
	}

	maxRun := int64(lim.CellChars)*10 + 4096 // a cell's text, every character an entity
	sc := &xlsxScan{merges: map[string][]mergeRange{}}
	if sst != nil {
		strs := 0
		err := scanPart(sst, lim, maxRun, "", func(name []byte, _ *bufio.Reader) error {
			if string(name) == "si" {
				strs++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if strs > lim.Strings {
			return nil, &LimitError{Limit: "strings", Part: sst.Name, Max: int64(lim.Strings), Got: int64(strs)}
		}
	}
	cells, mergedArea := 0, 0
	for _, p := range order {
		sheet := sheetParts[p][0]
		rows := 0
		var merges []mergeRange
		err := scanPart(parts[p], lim, maxRun, sheet, func(name []byte, br *bufio.Reader) error {
			switch string(name) {
			case "row":
				rows++
			case "c":
				cells++
			case "mergeCell":
				tag, err := br.ReadSlice('>')
				if err != nil {
					return nil // a tag longer than the reader's buffer is no merged range
				}
				m, ok := mergeRef(tag)
				if !ok || m.r2 > lim.Rows || m.c2 > lim.Columns || (m.r1 == m.r2 && m.c1 == m.c2) {
					return nil
				}
				if mergedArea += (m.r2 - m.r1 + 1) * (m.c2 - m.c1 + 1); mergedArea > lim.Cells {
					return &LimitError{Limit: "merged", Sheet: sheet, Max: int64(lim.Cells), Got: int64(mergedArea), AtLeast: true}
				}
				merges = append(merges, m)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if rows > lim.Rows {
			return nil, &LimitError{Limit: "rows", Sheet: sheet, Max: int64(lim.Rows), Got: int64(rows)}
		}
		if cells > lim.Cells {
			return nil, &LimitError{Limit: "cells", Sheet: sheet, Max: int64(lim.Cells), Got: int64(cells)}
		}
		for _, name := range sheetParts[p] {
			sc.merges[name] = merges
		}
	}
	return sc, nil
}

// worksheetPath resolves a relationship's target against the workbook's folder, as excelize
// does: xl/workbook.xml + worksheets/sheet1.xml → xl/worksheets/sheet1.xml.
func worksheetPath(wbPath, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(path.Dir(wbPath)+"/"+target), "/")
}

// declared is a part's inflated size as the zip declares it.
func declared(f *zip.File) int64 {
	if f.UncompressedSize64 > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(f.UncompressedSize64)
}

// satAdd adds two sizes, stopping at the largest int64.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// scanPart makes one pass over a part's XML through a reader limited to the part's size,
// calling tag with the local name of every start tag (prefix dropped) and the reader just
// past the name. It allocates nothing per tag: a 200 MB worksheet is read in a second or
// two. A run of more than maxRun bytes without a tag is refused: no cell holds that much,
// and excelize would hold it in memory whole (twice) to find out.
func scanPart(f *zip.File, lim Limits, maxRun int64, sheet string, tag func(name []byte, br *bufio.Reader) error) error {
	rc, err := f.Open()
	if err != nil {
		return errNotWorkbook(err)
	}
	defer rc.Close()
	lr := &io.LimitedReader{R: rc, N: lim.PartBytes + 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	var run int64
	for {
		chunk, err := br.ReadSlice('<')
		run += int64(len(chunk))
		if run > maxRun+1 {
			return &LimitError{Limit: "text", Sheet: sheet, Part: f.Name, Max: maxRun, Got: run, AtLeast: true}
		}
		switch {
		case err == nil:
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if lr.N <= 0 {
				return &LimitError{Limit: "part", Part: f.Name, Max: lim.PartBytes, Got: lim.PartBytes + 1, AtLeast: true}
			}
			return nil
		default:
			return errNotWorkbook(err)
		}
		run = 0
		p, _ := br.Peek(48)
		if len(p) == 0 || p[0] == '/' || p[0] == '?' || p[0] == '!' {
			continue
		}
		end := -1
		for i, c := range p {
			if c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r' {
				end = i
				break
			}
		}
		if end < 0 {
			continue // a name longer than any counted
		}
		name := p[:end]
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if err := tag(name, br); err != nil {
			return err
		}
	}
}

// mergeRef reads the ref="A1:B3" of a mergeCell tag.
func mergeRef(tag []byte) (mergeRange, bool) {
	i := bytes.Index(tag, []byte(`ref="`))
	if i < 0 {
		return mergeRange{}, false
	}
	s := tag[i+5:]
	j := bytes.IndexByte(s, '"')
	if j < 0 {
		return mergeRange{}, false
	}
	a, b, ok := bytes.Cut(s[:j], []byte(":"))
	if !ok {
		return mergeRange{}, false
	}
	c1, r1, ok1 := cellRef(a)
	c2, r2, ok2 := cellRef(b)
	if !ok1 || !ok2 || r2 < r1 || c2 < c1 || r2-r1 > maxMergeRows || c2-c1 > maxMergeCols {
		return mergeRange{}, false
	}
	return mergeRange{r1: r1, c1: c1, r2: r2, c2: c2}, true
}

// cellRef reads a cell name such as AB12 into its column and row (from 1).
func cellRef(s []byte) (col, row int, ok bool) {
	i := 0
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		if col = col*26 + int(s[i]-'A') + 1; col > 16384 {
			return 0, 0, false
		}
		i++
	}
	if i == 0 || i == len(s) {
		return 0, 0, false
	}
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, false
		}
		if row = row*10 + int(s[i]-'0'); row > 1_048_576 {
			return 0, 0, false
		}
	}
	return col, row, row > 0
}
