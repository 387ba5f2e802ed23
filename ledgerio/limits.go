package ledgerio

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits bound what reading one file may cost, whatever the file holds: a workbook is a zip
// of XML parts, and a 1 MB upload can inflate to gigabytes or hold a million rows. Every
// limit is checked while the file is read — the zip's own part sizes first, then a pass over
// each worksheet's XML that counts rows and cells without keeping them, then the rows as
// excelize streams them — so a file past a limit is refused before it costs much, with a
// message naming the limit and the file's own figure.
//
// DefaultLimits are sized from a county (demo.CountyFixture: 230 villages, 100,000
// households, 300,000 residents), the largest store sanbai is measured at: its whole roster,
// as sanbai's own export writes it, fits in every limit with room to spare.
type Limits struct {
	// FileBytes bounds the file as it arrives (for .xlsx, compressed).
	FileBytes int64
	// Parts bounds the number of parts (zip entries) of a workbook.
	Parts int
	// PartBytes bounds one worksheet, or the shared-strings table, inflated.
	PartBytes int64
	// OtherBytes bounds every other part of a workbook together (styles, themes, pictures,
	// the workbook's own index), inflated: excelize keeps them all in memory.
	OtherBytes int64
	// InflatedBytes bounds all the parts of a workbook together, inflated.
	InflatedBytes int64
	// Rows bounds the rows of one sheet, blank rows between others included.
	Rows int
	// Columns bounds the cells of one row, blank cells before the last included.
	Columns int
	// Cells bounds the cells of all sheets together, as they are kept (blank cells before
	// the last of a row included), and the cells merged ranges fill in.
	Cells int
	// Strings bounds the entries of a workbook's shared-strings table.
	Strings int
	// CellChars bounds the text of one cell, in characters: Excel's own limit.
	CellChars int
}

// DefaultLimits returns the limits every import reads with.
//
// The county's roster, exported by sanbai as .xlsx, is one 300,000-row sheet of 12 columns:
// 3.6 million cells, about 16 MB compressed and 225 MB of worksheet XML (sanbai's writer
// gives every cell a style; Excel itself writes about a third of that). Each limit leaves it
// room: 500,000 rows, 8 million cells, a 512 MB worksheet.
func DefaultLimits() Limits {
	return Limits{
		FileBytes:     64 << 20,
		Parts:         10_000,
		PartBytes:     512 << 20,
		OtherBytes:    32 << 20,
		InflatedBytes: 1 << 30,
		Rows:          500_000,
		Columns:       256,
		Cells:         8_000_000,
		Strings:       4_000_000,
		CellChars:     32_767,
	}
}

// MaxFileBytes bounds the size of a file read for import (DefaultLimits().FileBytes): a
// 100,000-resident roster is about 10 MB as CSV.
const MaxFileBytes = 64 << 20

// LimitError is a file refused for passing one of its Limits.
type LimitError struct {
	// Limit names the limit: file, parts, part, other, inflated, rows, columns, cells,
	// strings, cell, text or merged.
	Limit string
	// Sheet is the sheet the figure is about; Part, the workbook part.
	Sheet, Part string
	// Row and Col place a figure about one row or cell (from 1).
	Row, Col int
	// Max is the limit; Got is the file's figure, or as far as it was read when AtLeast.
	Max, Got int64
	AtLeast  bool
}

// Error says what was refused, in English.
func (e *LimitError) Error() string { return e.In("en") }

// In says in lang ("zh" or "en") which limit the file passed, where, and by how much.
func (e *LimitError) In(lang string) string {
	zh := lang != "en"
	got := count(e.Got)
	max := count(e.Max)
	if e.Limit == "file" || e.Limit == "part" || e.Limit == "other" || e.Limit == "inflated" || e.Limit == "text" {
		got, max = size(e.Got), size(e.Max)
	}
	// has is the Chinese verb before a figure: 有, or 至少有 when reading stopped at the limit.
	has := "有"
	if e.AtLeast {
		has = "至少有"
		if !zh {
			got = "at least " + got
		}
	}
	sheet, cellRef := e.Sheet, ""
	if e.Row > 0 && e.Col > 0 {
		cellRef = colName(e.Col) + strconv.Itoa(e.Row)
	}
	var what string
	switch e.Limit {
	case "file":
		what = pick(zh, fmt.Sprintf("文件有 %s，上限是 %s", got, max), fmt.Sprintf("the file is %s; the limit is %s", got, max))
		if e.AtLeast { // reading stopped one byte past the limit
			what = pick(zh, fmt.Sprintf("文件超过了 %s 的上限", max), fmt.Sprintf("the file is larger than the %s limit", max))
		}
	case "parts":
		what = pick(zh, fmt.Sprintf("工作簿%s %s 个部件，上限是 %s 个", has, got, max),
			fmt.Sprintf("the workbook has %s parts; the limit is %s", got, max))
	case "part":
		what = pick(zh, fmt.Sprintf("工作簿的部件 %s 解压后%s %s，一张工作表（或共享字符串表）解压后最多 %s", e.Part, has, got, max),
			fmt.Sprintf("part %s of the workbook inflates to %s; a worksheet (or the shared-strings table) may inflate to %s at most", e.Part, got, max))
	case "other":
		what = pick(zh, fmt.Sprintf("工作簿里工作表以外的部件（样式、图片等）解压后共%s %s（到 %s 为止），上限是 %s", has, got, e.Part, max),
			fmt.Sprintf("the workbook's parts other than worksheets (styles, pictures, …) inflate to %s (up to %s); the limit is %s", got, e.Part, max))
	case "inflated":
		what = pick(zh, fmt.Sprintf("工作簿解压后共%s %s，上限是 %s", has, got, max),
			fmt.Sprintf("the workbook inflates to %s in all; the limit is %s", got, max))
	case "rows":
		what = pick(zh, fmt.Sprintf("工作表“%s”%s %s 行，每张表最多 %s 行", sheet, has, got, max),
			fmt.Sprintf("sheet %q has %s rows; a sheet may have %s at most", sheet, got, max))
	case "columns":
		what = pick(zh, fmt.Sprintf("工作表“%s”第 %d 行%s %s 列，每行最多 %s 列", sheet, e.Row, has, got, max),
			fmt.Sprintf("sheet %q row %d has %s columns; a row may have %s at most", sheet, e.Row, got, max))
	case "cells":
		what = pick(zh, fmt.Sprintf("文件共%s %s 个单元格（读到工作表“%s”为止），上限是 %s 个", has, got, sheet, max),
			fmt.Sprintf("the file has %s cells (counting up to sheet %q); the limit is %s", got, sheet, max))
	case "merged":
		what = pick(zh, fmt.Sprintf("工作表“%s”的合并单元格要填%s %s 个单元格，全部文件上限是 %s 个", sheet, strings.TrimSuffix(has, "有"), got, max),
			fmt.Sprintf("the merged ranges of sheet %q fill %s cells; the limit for the file is %s", sheet, got, max))
	case "strings":
		what = pick(zh, fmt.Sprintf("工作簿的共享字符串表%s %s 项，上限是 %s 项", has, got, max),
			fmt.Sprintf("the workbook's shared-strings table holds %s strings; the limit is %s", got, max))
	case "cell":
		what = pick(zh, fmt.Sprintf("工作表“%s”的单元格 %s %s %s 个字符，一个单元格最多 %s 个（Excel 本身的上限）", sheet, cellRef, has, got, max),
			fmt.Sprintf("cell %s of sheet %q holds %s characters; a cell holds %s at most (Excel's own limit)", cellRef, sheet, got, max))
	case "text":
		where := pick(zh, "工作表“"+sheet+"”", "sheet "+strconv.Quote(sheet))
		if sheet == "" {
			where = e.Part
		}
		what = pick(zh, fmt.Sprintf("%s里有一段%s %s 的文字中间没有任何标记，而一个单元格最多 32,767 个字符（约 %s）", where, strings.TrimSuffix(has, "有"), got, max),
			fmt.Sprintf("%s holds a run of %s of text with no markup in it, where a cell holds 32,767 characters (about %s) at most", where, got, max))
	default:
		what = e.Limit
	}
	return pick(zh, "文件超出导入上限，没有读入："+what+"。请把文件拆开（例如按新村）分几次导入；上限见 README。",
		"the file is past an import limit and was not read: "+what+". Split it (by village, say) and import the parts; the limits are in the README.")
}

func pick(zh bool, a, b string) string {
	if zh {
		return a
	}
	return b
}

// count writes a figure with thousands separators: 1,000,000.
func count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// size writes a byte count as people read it: 512 MB, 64.8 MB, 1.0 GB, 64 KB, 900 B. A figure
// just past a limit never reads the same as the limit.
func size(n int64) string {
	unit := func(u int64, name string) string {
		if n%u == 0 {
			return strconv.FormatInt(n/u, 10) + " " + name
		}
		return strconv.FormatFloat(float64(n)/float64(u), 'f', 1, 64) + " " + name
	}
	switch {
	case n >= 1<<30:
		return unit(1<<30, "GB")
	case n >= 1<<20:
		return unit(1<<20, "MB")
	case n >= 1<<10:
		return unit(1<<10, "KB")
	}
	return strconv.FormatInt(n, 10) + " B"
}
