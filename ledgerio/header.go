package ledgerio

import (
	"strings"
)

// field is a column a roster sheet may have.
type field int

const (
	fNone field = iota
	fVillage
	fGrid
	fHousehold
	fAddress
	fName
	fRelation
	fGender
	fBorn
	fIDNumber
	fPhone
	fPolitical
	fSpecial
	fPost
	fDuties
	fDuty
	fSection
	fContent
	fVillageCode
	fGridCode
	fLeader
	fTownship
	fSkip // 序号, 备注: known, read and passed over
)

// fieldLabels name each field in both languages, as messages name missing columns.
var fieldLabels = map[field]Label{
	fVillage: {"新村", "新村/village"}, fGrid: {"网格", "网格/grid"}, fHousehold: {"户号", "户号/household"},
	fAddress: {"门牌地址", "门牌地址/address"}, fName: {"姓名", "姓名/name"}, fRelation: {"与户主关系", "与户主关系/relation"},
	fGender: {"性别", "性别/gender"}, fBorn: {"出生年月", "出生年月/born"}, fIDNumber: {"身份证号", "身份证号/id_number"},
	fPhone: {"联系电话", "联系电话/phone"}, fPolitical: {"政治面貌", "政治面貌/political"}, fSpecial: {"特殊群体", "特殊群体/special"},
	fPost: {"职务", "职务/post"}, fDuties: {"分工", "分工/duties"}, fDuty: {"值班安排", "值班安排/duty"},
	fSection: {"栏目", "栏目/section"}, fContent: {"内容", "内容/content"}, fVillageCode: {"新村代码", "新村代码/village_code"},
	fGridCode: {"网格代码", "网格代码/grid_code"}, fLeader: {"包村领导", "包村领导/leader"}, fTownship: {"镇", "镇/township"},
}

// kind is what a sheet holds.
type kind int

const (
	kindNone kind = iota
	kindResidents
	kindCadres
	kindFactSheet
	kindGrids
)

var kindLabels = map[kind]Label{
	kindResidents: {"人口", "residents"}, kindCadres: {"干部", "cadres"},
	kindFactSheet: {"明白纸", "fact sheet"}, kindGrids: {"网格", "grids"},
}

// sheetKinds names the sheets by kind, as township offices and sanbai's own export name them.
var sheetKinds = map[string]kind{
	"人口": kindResidents, "人口信息": kindResidents, "户籍人口": kindResidents, "花名册": kindResidents, "人口花名册": kindResidents,
	"residents": kindResidents,
	"干部":        kindCadres, "村干部": kindCadres, "干部名单": kindCadres, "cadres": kindCadres,
	"明白纸": kindFactSheet, "factsheet": kindFactSheet, "fact sheet": kindFactSheet,
	"网格": kindGrids, "新村网格": kindGrids, "grids": kindGrids,
}

// columns lists, per kind of sheet, the header names of each field (normalised by
// headerKey): Chinese as offices write them and English as the docs name them.
var columns = map[kind]map[string]field{
	kindResidents: aliases(map[field][]string{
		fVillage:   {"新村", "新村名称", "所属新村", "村", "村名", "村庄", "行政村", "village"},
		fGrid:      {"网格", "网格名称", "所属网格", "网格编号", "网格代码", "grid"},
		fHousehold: {"户号", "户编号", "家庭户号", "户籍编号", "household", "household_id", "householdid"},
		fAddress:   {"门牌地址", "门牌号", "地址", "住址", "家庭住址", "现住址", "居住地址", "address"},
		fName:      {"姓名", "名字", "name"},
		fRelation:  {"与户主关系", "与户主的关系", "关系", "家庭关系", "relation", "relationship"},
		fGender:    {"性别", "gender", "sex"},
		fBorn:      {"出生年月", "出生日期", "出生年月日", "生日", "born", "birth", "birthdate", "date_of_birth"},
		fIDNumber:  {"身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "id_number", "idnumber", "id_no"},
		fPhone:     {"联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "phone", "mobile", "tel"},
		fPolitical: {"政治面貌", "political", "political_status"},
		fSpecial:   {"特殊群体", "特殊人群", "人员类别", "特殊身份", "special", "special_groups"},
		fSkip:      {"序号", "no", "no.", "备注", "note", "notes", "remarks"},
	}),
	kindCadres: aliases(map[field][]string{
		fVillage: {"新村", "新村名称", "所属新村", "村", "村名", "village"},
		fName:    {"姓名", "名字", "name"},
		fPost:    {"职务", "职位", "岗位", "post", "position"},
		fGrid:    {"网格", "分包网格", "所在网格", "grid"},
		fDuties:  {"分工", "工作分工", "职责", "负责工作", "duties"},
		fPhone:   {"联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "phone", "mobile", "tel"},
		fDuty:    {"值班安排", "值班", "值班时间", "duty", "duty_rota"},
		fSkip:    {"序号", "no", "no.", "备注", "note", "notes", "remarks"},
	}),
	kindFactSheet: aliases(map[field][]string{
		fVillage: {"新村", "新村名称", "村", "village"},
		fSection: {"栏目", "项目", "类别", "section"},
		fContent: {"内容", "content"},
		fSkip:    {"序号", "no", "no.", "备注", "note"},
	}),
	kindGrids: aliases(map[field][]string{
		fVillageCode: {"新村代码", "新村编码", "village_code"},
		fVillage:     {"新村", "新村名称", "village", "village_name"},
		fGridCode:    {"网格代码", "网格编码", "grid_code"},
		fGrid:        {"网格", "网格名称", "grid", "grid_name"},
		fLeader:      {"包村领导", "包新村镇领导", "包村镇领导", "leader"},
		fTownship:    {"镇", "乡镇", "township"},
		fSkip:        {"序号", "no", "no.", "备注", "note"},
	}),
}

// required lists the columns a sheet of each kind cannot do without. The village column is
// required of cadres and fact sheets only for township users (a village user's rows are
// their own village's); residents find their village from the grid.
var required = map[kind][]field{
	kindResidents: {fGrid, fHousehold, fName, fRelation},
	kindCadres:    {fName, fPost},
	kindFactSheet: {fSection, fContent},
	kindGrids:     {fVillageCode, fVillage, fGridCode, fGrid},
}

// distinctive lists, per kind, the columns that tell an unnamed sheet is of that kind.
var distinctive = map[kind][]field{
	kindResidents: {fHousehold, fRelation},
	kindCadres:    {fPost},
	kindFactSheet: {fSection},
	kindGrids:     {fVillageCode, fGridCode},
}

func aliases(m map[field][]string) map[string]field {
	out := map[string]field{}
	for f, names := range m {
		for _, n := range names {
			out[headerKey(n)] = f
		}
	}
	return out
}

// headerKey normalises a header cell: width folded, lower case, no spaces or line breaks,
// no marks of a required column (*, （必填）) and no trailing colon.
func headerKey(s string) string {
	s = strings.ToLower(compact(s))
	if strings.ContainsAny(s, "*＊(（") {
		s = headerMarks.Replace(s)
	}
	return strings.TrimRight(s, ":：")
}

// headerMarks are the marks headers carry for required or optional columns.
var headerMarks = strings.NewReplacer("*", "", "＊", "", "（必填）", "", "(必填)", "", "（选填）", "", "(选填)", "")

// header is a sheet's header row and the column of each field.
type header struct {
	kind   kind
	row    int           // from 1
	col    map[field]int // from 1
	names  map[int]string
	ignore []string // header cells that are no known column
}

// findHeader finds the header row of a sheet for kind k: of the first 30 rows, the one
// whose cells name the most known columns (at least two).
func findHeader(rows [][]string, k kind) (header, int) {
	best, bestN := header{}, 0
	for r := 0; r < len(rows) && r < 30; r++ {
		h := header{kind: k, row: r + 1, col: map[field]int{}, names: map[int]string{}}
		n := 0
		for c, v := range rows[r] {
			key := headerKey(v)
			if key == "" {
				continue
			}
			f, ok := columns[k][key]
			if !ok {
				h.ignore = append(h.ignore, text(v))
				continue
			}
			if _, dup := h.col[f]; dup {
				continue
			}
			h.col[f], h.names[c+1] = c+1, text(v)
			if f != fSkip {
				n++
			}
		}
		if n > bestN {
			best, bestN = h, n
		}
	}
	if bestN < 2 {
		return header{}, 0
	}
	return best, bestN
}

// classify decides what a sheet holds: by its name, else by its header's distinctive columns.
func classify(s Sheet) (kind, header) {
	if k, ok := sheetKinds[strings.ToLower(strings.TrimSpace(s.Name))]; ok {
		h, _ := findHeader(s.Rows, k)
		h.kind = k
		return k, h
	}
	var best header
	bestN := 0
	for _, k := range []kind{kindResidents, kindCadres, kindFactSheet, kindGrids} {
		h, n := findHeader(s.Rows, k)
		if n == 0 {
			continue
		}
		has := false
		for _, f := range distinctive[k] {
			if _, ok := h.col[f]; ok {
				has = true
			}
		}
		if has && n > bestN {
			best, bestN = h, n
		}
	}
	return best.kind, best
}
