package ledgerio

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"
)

// Parts of a minimal workbook of one sheet, 人口, as Excel would write them.
const (
	ctXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
	rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	bookXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="人口" sheetId="1" r:id="rId1"/></sheets></workbook>`
	bookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	sheetTail = `</sheetData></worksheet>`
)

// deflated is a part's content compressed, with what the zip's headers need to know of it.
type deflated struct {
	data []byte
	crc  uint32
	size uint64
}

// deflater compresses a part as it is written, block by block.
type deflater struct {
	buf  bytes.Buffer
	w    *flate.Writer
	crc  uint32
	size uint64
}

func newDeflater(level int) *deflater {
	d := &deflater{}
	d.w, _ = flate.NewWriter(&d.buf, level)
	return d
}

func (d *deflater) Write(p []byte) (int, error) {
	d.crc = crc32.Update(d.crc, crc32.IEEETable, p)
	d.size += uint64(len(p))
	return d.w.Write(p)
}

func (d *deflater) done() deflated {
	d.w.Close()
	return deflated{data: d.buf.Bytes(), crc: d.crc, size: d.size}
}

// flushed compresses p alone into blocks that end on a byte boundary and are not the last
// block of a stream, so that copies of it can be strung together into one deflate stream.
func flushed(p []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(p)
	w.Flush()
	return b.Bytes()
}

// bombSheet is a worksheet of n MiB of spaces between its head and tail, compressed about a
// thousandfold the way a zip bomb is: one MiB of spaces compressed once and repeated.
func bombSheet(n int) deflated {
	mib := bytes.Repeat([]byte(" "), 1<<20)
	var out bytes.Buffer
	out.Write(flushed([]byte(sheetHead)))
	chunk := flushed(mib)
	crc := crc32.ChecksumIEEE([]byte(sheetHead))
	for range n {
		out.Write(chunk)
		crc = crc32.Update(crc, crc32.IEEETable, mib)
	}
	tail := newDeflater(flate.BestCompression)
	tail.w.Write([]byte(sheetTail))
	out.Write(tail.done().data)
	crc = crc32.Update(crc, crc32.IEEETable, []byte(sheetTail))
	return deflated{data: out.Bytes(), crc: crc, size: uint64(len(sheetHead)) + uint64(n)<<20 + uint64(len(sheetTail))}
}

// rowsSheet is a worksheet of n rows, each a number in column A and a name in column B.
// The rows are repeated blocks of 1,000 compressed once (rows need not carry their number,
// as some writers do): generating a million is quick even under the race detector.
func rowsSheet(n int) deflated {
	rows := func(k int) []byte {
		var b bytes.Buffer
		for r := range k {
			fmt.Fprintf(&b, `<row><c><v>%d</v></c><c t="inlineStr"><is><t>王%d</t></is></c></row>`, r, r%100)
		}
		return b.Bytes()
	}
	var out bytes.Buffer
	crc, size := uint32(0), uint64(0)
	add := func(plain, packed []byte) {
		out.Write(packed)
		crc = crc32.Update(crc, crc32.IEEETable, plain)
		size += uint64(len(plain))
	}
	add([]byte(sheetHead), flushed([]byte(sheetHead)))
	block := rows(1000)
	packed := flushed(block)
	for range n / 1000 {
		add(block, packed)
	}
	if rest := rows(n % 1000); len(rest) > 0 {
		add(rest, flushed(rest))
	}
	tail := newDeflater(flate.BestCompression)
	tail.w.Write([]byte(sheetTail))
	out.Write(tail.done().data)
	crc = crc32.Update(crc, crc32.IEEETable, []byte(sheetTail))
	return deflated{data: out.Bytes(), crc: crc, size: size + uint64(len(sheetTail))}
}

// plainPart compresses a whole part.
func plainPart(s string) deflated {
	d := newDeflater(flate.DefaultCompression)
	io.WriteString(d, s)
	return d.done()
}

// workbookZip zips the minimal workbook around a worksheet (and a shared-strings table, when
// sst is not nil), adding extra parts as they are.
func workbookZip(t testing.TB, sheet deflated, sst *deflated, extra map[string]deflated) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add := func(name string, d deflated) {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: d.crc,
			CompressedSize64: uint64(len(d.data)), UncompressedSize64: d.size})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(d.data); err != nil {
			t.Fatal(err)
		}
	}
	add("[Content_Types].xml", plainPart(ctXML))
	add("_rels/.rels", plainPart(rootRels))
	add("xl/workbook.xml", plainPart(bookXML))
	add("xl/_rels/workbook.xml.rels", plainPart(bookRels))
	add("xl/worksheets/sheet1.xml", sheet)
	if sst != nil {
		add("xl/sharedStrings.xml", *sst)
	}
	for name, d := range extra {
		add(name, d)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sheetOf is a worksheet of the given rows' XML.
func sheetOf(rows ...string) deflated {
	return plainPart(sheetHead + strings.Join(rows, "") + sheetTail)
}

// smallLimits are limits a test can pass in a few rows.
func smallLimits() Limits {
	return Limits{FileBytes: 1 << 20, Parts: 20, PartBytes: 64 << 10, OtherBytes: 16 << 10, InflatedBytes: 128 << 10,
		Rows: 10, Columns: 5, Cells: 30, Strings: 20, CellChars: 100}
}
