package ledgerio

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Label is a name in both interface languages, such as a column's.
type Label struct{ Zh, En string }

// In returns the label in lang ("zh" or "en").
func (l Label) In(lang string) string {
	if lang == "en" {
		return l.En
	}
	return l.Zh
}

// Msg is a message in both languages: a key of the catalogue and its arguments. Arguments
// that are a Label are put in the message's language.
type Msg struct {
	Key  string
	Args []any
}

// In renders the message in lang.
func (m Msg) In(lang string) string {
	t, ok := catalogue[m.Key]
	if !ok {
		return m.Key
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if l, ok := a.(Label); ok {
			a = l.In(lang)
		}
		args[i] = a
	}
	if lang == "en" {
		return fmt.Sprintf(t[1], args...)
	}
	return fmt.Sprintf(t[0], args...)
}

func msg(key string, args ...any) Msg { return Msg{Key: key, Args: args} }

// catalogue holds every message of an import, in Chinese and English.
var catalogue = map[string][2]string{
	"no_roster": {"文件里没有可导入的表：应有“人口”“干部”“明白纸”或“网格”表，或者有姓名、户号、与户主关系等列的表",
		"nothing to import: no sheet is a roster (人口 residents, 干部 cadres, 明白纸 fact sheet or 网格 grids, or a sheet with columns such as 姓名 name, 户号 household, 与户主关系 relation)"},
	"no_header":      {"找不到表头行（应有%s等列名）", "no header row found (expected column names such as %s)"},
	"missing_column": {"缺少必填列“%s”", "missing required column %s"},
	"empty_name":     {"姓名为空", "the name is empty"},
	"no_household":   {"户号为空", "the household number is empty"},
	"bad_household":  {"户号“%s”里不能有“/”", "household number %q may not contain '/'"},
	"no_relation":    {"与户主关系为空", "the relation to the head is empty"},
	"no_village":     {"新村为空", "the village is empty"},
	"no_grid":        {"网格为空", "the grid is empty"},
	"unknown_village": {"没有“%s”这个新村",
		"no village %q"},
	"village_scope": {"新村“%s”不在您的范围内（您只能导入%s）",
		"village %q is outside your scope (you import for %s only)"},
	"unknown_grid":       {"%s没有“%s”这个网格", "%s has no grid %q"},
	"unknown_grid_any":   {"没有“%s”这个网格", "no grid %q"},
	"ambiguous_grid":     {"“%s”在几个新村都有，请填写新村列", "grid %q is in more than one village: fill in the 新村 (village) column"},
	"grid_other_village": {"网格%s属于%s，不属于%s", "grid %s belongs to %s, not %s"},
	"no_head":            {"户%s没有户主（与户主关系要有一人填“户主”）", "household %s has no head (one person's relation must be 户主)"},
	"two_heads":          {"户%s有两个户主（另一个在第 %d 行）", "household %s has two heads (the other is on row %d)"},
	"household_grid":     {"户%[1]s在第 %[3]d 行是网格%[2]s，这里却是%[4]s", "household %[1]s is in grid %[2]s on row %[3]d but in %[4]s here"},
	"household_address":  {"户%[1]s的地址与第 %[2]d 行不同（“%[3]s”）", "household %[1]s has another address on row %[2]d (%[3]q)"},
	"dup_id":             {"身份证号与第 %d 行（%s）重复", "same ID number as row %d (%s)"},
	"id_sci": {"身份证号显示成了科学计数法（%s），后 %d 位已经丢失：请把这一列设成文本格式，重新录入",
		"the ID number is in scientific notation (%s): its last %d digits were lost; format the column as text and type the numbers again"},
	"id_length": {"身份证号应为 18 位，这里是 %d 位", "an ID number has 18 characters, this one has %d"},
	"id_old15":  {"这是 15 位的旧身份证号，请填写 18 位的", "this is an old 15-digit ID number; give the 18-digit one"},
	"id_chars":  {"身份证号只能是数字，最后一位可以是 X", "an ID number is digits, with X allowed last"},
	"id_date":   {"身份证号里的出生日期（%s）不对", "the birth date in the ID number (%s) is not a date"},
	"id_check":  {"身份证号校验位不对（按前 17 位应为 %s）", "wrong check digit (the first 17 digits give %s)"},
	"id_check_lost": {"身份证号校验位不对，且末尾是 000：多半是 Excel 按数字存储，只保留了 15 位，后 3 位已经丢失；请把这一列设成文本格式，重新录入",
		"wrong check digit, and it ends in 000: Excel probably stored it as a number and kept only 15 digits, so the last 3 were lost; format the column as text and type the numbers again"},
	"phone_bad": {"电话号码“%s”格式不对（手机号是 1 开头的 11 位数字，座机如 0531-88886666）",
		"malformed phone number %q (a mobile number has 11 digits starting with 1; a landline looks like 0531-88886666)"},
	"phone_sci": {"电话号码显示成了科学计数法（%s），有数字已经丢失：请把这一列设成文本格式，重新录入",
		"the phone number is in scientific notation (%s): digits were lost; format the column as text and type the numbers again"},
	"gender_bad":      {"性别“%s”应为男或女", "gender %q should be 男 or 女"},
	"born_bad":        {"出生年月“%s”看不懂（应写成 1965-05 或 1965年5月）", "cannot read the birth month %q (write it like 1965-05)"},
	"no_post":         {"职务为空", "the post is empty"},
	"secretary_grid":  {"网格书记要填所在的网格", "a grid secretary needs the 网格 (grid) column"},
	"two_secretaries": {"%s已经有党委书记（第 %d 行）", "%s already has a party secretary (row %d)"},
	"two_grid_secs":   {"网格%s已经有网格书记（第 %d 行）", "grid %s already has a grid secretary (row %d)"},
	"dup_row":         {"与第 %d 行重复", "same as row %d"},
	"township_scope":  {"镇领导和镇干部只能由镇里的账号导入", "only township users list the township's leaders and staff"},
	"township_grid":   {"镇领导和镇干部不属于网格：网格一栏应为空", "township leaders and staff belong to no grid: leave the grid empty"},
	"unknown_section": {"栏目“%s”不认识（可填：村情、产业、服务、远景、任务）",
		"unknown section %q (use 村情 profile, 产业 industries, 服务 services, 远景 vision, 任务 tasks)"},
	"township_only":    {"只有镇级账号才能新增或修改新村和网格", "only township users add or change villages and grids"},
	"bad_code":         {"代码“%s”只能用字母和数字", "code %q: letters and digits only"},
	"grid_code_prefix": {"网格代码%s应以新村代码%s开头", "grid code %s should start with the village code %s"},
	"village_conflict": {"新村%s的名称与第 %d 行不同", "village %s has another name on row %d"},
	"dup_grid":         {"网格%s与第 %d 行重复", "grid %s is listed on row %d too"},
	"grid_moved":       {"网格%s已属于%s，不能改到%s", "grid %s belongs to %s and cannot move to %s"},

	// Notes: what was read and passed over.
	"note_ignored_sheet":   {"没有导入工作表“%s”（认不出表头）", "sheet %q not imported (no roster header)"},
	"note_ignored_columns": {"工作表“%s”没有导入这些列：%s", "sheet %q: these columns were not imported: %s"},
	"note_skipped":         {"工作表“%s”跳过 %d 行（合计行、重复的表头、签名等）", "sheet %q: skipped %d rows (totals, repeated headers, signatures)"},
	"note_encoding":        {"CSV 文件编码：%s", "CSV encoding: %s"},
	"note_sheet":           {"工作表“%[1]s”（%[2]s）：表头在第 %[3]d 行，读了 %[4]d 行", "sheet %[1]q (%[2]s): header on row %[3]d, %[4]d rows read"},
}

// Problem is one thing wrong with a file, where it is: sheet, row and column (from 1; 0 when
// the problem is about the whole sheet or row).
type Problem struct {
	Sheet  string
	Row    int
	Col    int
	Header string // the column's header as the file writes it
	Msg    Msg
}

// colName returns a column's letters: 1 → A, 27 → AA.
func colName(c int) string {
	s := ""
	for c > 0 {
		c--
		s = string(rune('A'+c%26)) + s
		c /= 26
	}
	return s
}

// FormatProblems renders problems one per line in lang, sorted by sheet, row and column.
// Consecutive rows with the same problem in the same column share a line ("rows 5–9, 12"),
// so a column wrong from top to bottom is one line, not thousands; at most limit lines are
// returned (0: no limit), then a line saying how many more there were.
func FormatProblems(ps []Problem, lang string, limit int) []string {
	ps = append([]Problem(nil), ps...)
	order := map[string]int{}
	for _, p := range ps {
		if _, ok := order[p.Sheet]; !ok {
			order[p.Sheet] = len(order)
		}
	}
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Sheet != b.Sheet {
			return order[a.Sheet] < order[b.Sheet]
		}
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return a.Col < b.Col
	})
	type group struct {
		p    Problem
		rows []int
		text string
	}
	var groups []*group
	index := map[string]*group{}
	for _, p := range ps {
		text := p.Msg.In(lang)
		k := fmt.Sprintf("%s\x00%d\x00%s", p.Sheet, p.Col, text)
		if g, ok := index[k]; ok && p.Row > 0 {
			g.rows = append(g.rows, p.Row)
			continue
		}
		g := &group{p: p, rows: []int{p.Row}, text: text}
		groups = append(groups, g)
		if p.Row > 0 {
			index[k] = g
		}
	}
	var out []string
	for _, g := range groups {
		if limit > 0 && len(out) == limit {
			out = append(out, moreLine(len(groups)-limit, lang))
			break
		}
		out = append(out, where(g.p, g.rows, lang)+g.text)
	}
	return out
}

// moreLine says how many problem lines were left out.
func moreLine(n int, lang string) string {
	if lang == "en" {
		return fmt.Sprintf("… and %d more problems", n)
	}
	return fmt.Sprintf("……另有 %d 处问题", n)
}

// where says where a problem is: sheet, rows and column.
func where(p Problem, rows []int, lang string) string {
	var b strings.Builder
	if lang == "en" {
		fmt.Fprintf(&b, "sheet %q", p.Sheet)
		if p.Row > 0 {
			if len(rows) > 1 {
				b.WriteString(" rows ")
			} else {
				b.WriteString(" row ")
			}
			b.WriteString(rowRanges(rows, ", "))
		}
		if p.Col > 0 {
			fmt.Fprintf(&b, " column %s (%s)", colName(p.Col), p.Header)
		}
		b.WriteString(": ")
		return b.String()
	}
	fmt.Fprintf(&b, "工作表“%s”", p.Sheet)
	if p.Row > 0 {
		fmt.Fprintf(&b, "第 %s 行", rowRanges(rows, "、"))
	}
	if p.Col > 0 {
		fmt.Fprintf(&b, " %s 列（%s）", colName(p.Col), p.Header)
	}
	b.WriteString("：")
	return b.String()
}

// rowRanges writes sorted row numbers as ranges: 5–9, 12.
func rowRanges(rows []int, sep string) string {
	var parts []string
	for i := 0; i < len(rows); {
		j := i
		for j+1 < len(rows) && rows[j+1] == rows[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, strconv.Itoa(rows[i])+"–"+strconv.Itoa(rows[j]))
		} else {
			parts = append(parts, strconv.Itoa(rows[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, sep)
}
