package ledgerio

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"sanbai/store"
)

// factSheetLines lays a village's fact sheet out as the page members carry to every door,
// the four things told (四讲) in order: profile, cadres, services, vision. Each line is a
// section heading (level 1), a paragraph (level 0), or a cadre's row (level 2, with fields).
type factLine struct {
	level  int
	text   string
	fields []string
}

// cadreHeader heads the cadres' table of a fact sheet.
var cadreHeader = []string{"职务", "姓名", "分工", "值班安排", "联系电话"}

func factSheetLines(f store.VillageFacts) []factLine {
	var out []factLine
	para := func(s string) { out = append(out, factLine{text: s}) }
	head := func(s string) { out = append(out, factLine{level: 1, text: s}) }
	var grids []string
	for _, g := range f.Grids {
		grids = append(grids, g.Name)
	}
	head("一、村情")
	para(fmt.Sprintf("%s辖 %d 个网格：%s。", f.Village.Name, len(f.Grids), strings.Join(grids, "、")))
	para(fmt.Sprintf("全村 %d 户、%d 人，党员 %d 名。", f.Households, f.Residents, f.Members))
	for _, p := range strings.Split(f.Sheet.Profile, "\n") {
		if p != "" {
			para(p)
		}
	}
	if len(f.Sheet.Industries) > 0 {
		para("主导产业：" + strings.Join(f.Sheet.Industries, "、") + "。")
	}
	head("二、干部（有事找谁）")
	out = append(out, factLine{level: 2, fields: cadreHeader})
	for _, c := range f.Cadres {
		p := c.Post
		for _, g := range f.Grids {
			if c.Grid != "" && g.Code == c.Grid {
				p += "（" + g.Name + "）"
			}
		}
		out = append(out, factLine{level: 2, fields: []string{p, c.Name, c.Duties, c.Duty, c.Phone}})
	}
	head("三、服务清单（新村党群服务中心）")
	if len(f.Sheet.Services) == 0 {
		para("（尚未填写）")
	}
	for i, s := range f.Sheet.Services {
		para(fmt.Sprintf("%d. %s", i+1, s))
	}
	head("四、五年远景")
	for _, p := range strings.Split(f.Sheet.Vision, "\n") {
		if p != "" {
			para(p)
		}
	}
	if len(f.Sheet.Tasks) > 0 {
		para("重点任务：")
		for i, t := range f.Sheet.Tasks {
			para(fmt.Sprintf("%d. %s", i+1, t))
		}
	}
	if f.Sheet.Vision == "" && len(f.Sheet.Tasks) == 0 {
		para("（尚未填写）")
	}
	return out
}

// factTitle is the heading of a village's page.
func factTitle(f store.VillageFacts) string { return f.Village.Name + "明白纸" }

// FactSheetText renders fact sheets as plain text for printing, one page per village
// separated by a form feed.
func FactSheetText(facts []store.VillageFacts) string {
	var b strings.Builder
	for i, f := range facts {
		if i > 0 {
			b.WriteString("\f\n")
		}
		fmt.Fprintf(&b, "%s\n%s\n", factTitle(f), f.Township.Name)
		if !f.Sheet.UpdatedAt.IsZero() {
			fmt.Fprintf(&b, "（%s 更新）\n", f.Sheet.UpdatedAt.Format("2006-01-02"))
		}
		for _, l := range FactSheetBody(f) {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// FactSheetBody is the text of one village's page below its title, line by line: a blank
// line before each section's heading, paragraphs indented by two spaces, and each cadre on
// two lines (post, name, phone and duty rota; then the duties under the name) so the page
// reads on an 80-column screen as well as on paper. The printed page and the screen (tui)
// read the same lines.
func FactSheetBody(f store.VillageFacts) []string {
	lines := factSheetLines(f)
	postWidth := 0
	for _, l := range lines {
		if l.level == 2 {
			postWidth = max(postWidth, displayWidth(l.fields[0]))
		}
	}
	pad := func(s string, w int) string { return s + strings.Repeat(" ", max(w-displayWidth(s), 0)) }
	var out []string
	for _, l := range lines {
		switch {
		case l.level == 1:
			out = append(out, "", l.text)
		case l.level == 2 && l.fields[0] == cadreHeader[0]:
			// The spreadsheet's column heads; the text names each field instead.
		case l.level == 2:
			post, name, duties, duty, phone := l.fields[0], l.fields[1], l.fields[2], l.fields[3], l.fields[4]
			if phone == "" {
				phone = "—"
			}
			first := "  " + pad(post, postWidth) + "  " + pad(name, 6) + "  " + phone
			if duty != "" {
				first += "  值班：" + duty
			}
			out = append(out, first)
			if duties != "" {
				out = append(out, strings.Repeat(" ", postWidth+4)+"分工："+duties)
			}
		default:
			out = append(out, "  "+l.text)
		}
	}
	return out
}

// writeFactSheetXLSX writes one printable sheet per village: the title, the four sections,
// and the cadres as a small table.
func writeFactSheetXLSX(w io.Writer, r Report) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	section, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "黑体", Size: 13, Bold: true}})
	if err != nil {
		return err
	}
	para, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "宋体", Size: 11},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	if len(r.Facts) == 0 {
		return writeXLSX(w, r.Tables)
	}
	widths := []float64{20, 10, 36, 16, 16}
	for i, fact := range r.Facts {
		name := sheetName(fact.Village.Name)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		for c, wd := range widths {
			col, _ := excelize.ColumnNumberToName(c + 1)
			if err := f.SetColWidth(name, col, col, wd); err != nil {
				return err
			}
		}
		row := 1
		put := func(text string, style int, height float64) error {
			a, b := fmt.Sprintf("A%d", row), fmt.Sprintf("E%d", row)
			if err := f.SetCellValue(name, a, text); err != nil {
				return err
			}
			if err := f.MergeCell(name, a, b); err != nil {
				return err
			}
			if err := f.SetCellStyle(name, a, b, style); err != nil {
				return err
			}
			if height > 0 {
				if err := f.SetRowHeight(name, row, height); err != nil {
					return err
				}
			}
			row++
			return nil
		}
		if err := put(factTitle(fact), st.title, 32); err != nil {
			return err
		}
		if err := put(fact.Township.Name, para, 0); err != nil {
			return err
		}
		for _, l := range factSheetLines(fact) {
			switch l.level {
			case 1:
				row++
				err = put(l.text, section, 20)
			case 2:
				style := st.text
				if l.fields[0] == cadreHeader[0] {
					style = st.header
				}
				for c, v := range l.fields {
					ref, _ := excelize.CoordinatesToCellName(c+1, row)
					if err := f.SetCellValue(name, ref, v); err != nil {
						return err
					}
					if err := f.SetCellStyle(name, ref, ref, style); err != nil {
						return err
					}
				}
				row++
			default:
				// Long paragraphs wrap across the merged row: give them room.
				lines := displayWidth(l.text)/96 + 1 // the five columns are about 98 units wide
				err = put(l.text, para, float64(16*lines))
			}
			if err != nil {
				return err
			}
		}
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}
