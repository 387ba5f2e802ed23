package ledgerio

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sanbai/clean"
	"sanbai/store"
)

// Reference is what a roster is checked against: the township's villages and grids (all of
// them, so a row of another village is named as outside the importer's scope rather than
// unknown), and who imports (a village user's rows must all be their village's).
type Reference struct {
	Actor    store.Actor
	Villages []store.Village
	Grids    []store.Grid
	// Today dates the check that nobody is born in the future.
	Today time.Time
}

// SheetSummary says how a sheet was read.
type SheetSummary struct {
	Name      string
	Kind      Label
	HeaderRow int
	Rows      int // data rows read
}

// Parsed is a roster file read and checked. Roster is only to be imported when Problems is
// empty: every problem of the file is found in one run.
type Parsed struct {
	Roster   store.Roster
	Problems []Problem
	Notes    []Msg
	Sheets   []SheetSummary
}

// ParseRoster reads every roster sheet of a workbook — residents (人口), cadres (干部), fact
// sheets (明白纸) and grids (网格) — finding each sheet's header row by its column names,
// passing over title rows, blank rows, repeated headers, totals and signatures, and checking
// every row against ref.
func ParseRoster(wb *Workbook, ref Reference) Parsed {
	if ref.Today.IsZero() {
		ref.Today = time.Now()
	}
	p := &parser{ref: ref, places: newPlaces(ref.Villages, ref.Grids), ids: map[string]seen{},
		households: map[string]*hhAcc{}}
	if wb.Format == "csv" {
		p.out.Notes = append(p.out.Notes, msg("note_encoding", wb.Encoding))
	}
	type job struct {
		s *Sheet
		h header
	}
	var jobs []job
	for i := range wb.Sheets {
		s := &wb.Sheets[i]
		k, h := classify(*s)
		if k == kindNone && i == 0 {
			// The first sheet is the residents sheet unless something says otherwise.
			k = kindResidents
			h, _ = findHeader(s.Rows, k)
			h.kind = k
		}
		if k == kindNone {
			if len(s.Rows) > 0 {
				p.out.Notes = append(p.out.Notes, msg("note_ignored_sheet", s.Name))
			}
			continue
		}
		if h.row == 0 {
			names := []string{}
			for _, f := range required[k] {
				names = append(names, fieldLabels[f].Zh)
			}
			p.problem(s.Name, 0, 0, "", msg("no_header", strings.Join(names, "、")))
			continue
		}
		missing := false
		for _, f := range p.required(k) {
			if _, ok := h.col[f]; !ok {
				p.problem(s.Name, h.row, 0, "", msg("missing_column", fieldLabels[f]))
				missing = true
			}
		}
		if missing {
			continue
		}
		if len(h.ignore) > 0 {
			p.out.Notes = append(p.out.Notes, msg("note_ignored_columns", s.Name, strings.Join(h.ignore, "、")))
		}
		jobs = append(jobs, job{s, h})
	}
	if len(jobs) == 0 && len(p.out.Problems) == 0 {
		p.problem(firstName(wb), 0, 0, "", msg("no_roster"))
	}
	// Grids first: a file may bring the grids its residents live in.
	for _, k := range []kind{kindGrids, kindResidents, kindCadres, kindFactSheet} {
		for _, j := range jobs {
			if j.h.kind == k {
				p.sheet(j.s, j.h)
			}
		}
	}
	p.finishHouseholds()
	return p.out
}

func firstName(wb *Workbook) string {
	if len(wb.Sheets) > 0 {
		return wb.Sheets[0].Name
	}
	return "?"
}

// required returns the columns a sheet of kind k needs from this importer.
func (p *parser) required(k kind) []field {
	req := required[k]
	if p.ref.Actor.Role != store.RoleVillage && (k == kindCadres || k == kindFactSheet) {
		req = append([]field{fVillage}, req...)
	}
	return req
}

// seen is where an ID number was first met.
type seen struct {
	sheet string
	row   int
	name  string
}

// hhAcc gathers a household's rows.
type hhAcc struct {
	h        store.Household
	label    string // the household number as the file writes it, for messages
	sheet    string
	firstRow int
	gridRow  int
	addrRow  int
	heads    []int
	relCol   int
	relName  string
}

// parser holds one ParseRoster run.
type parser struct {
	ref    Reference
	places *places
	out    Parsed

	ids        map[string]seen
	households map[string]*hhAcc
	hhOrder    []string
}

// problem records a problem at a sheet, row and column (0 for none).
func (p *parser) problem(sheet string, row, col int, header string, m Msg) {
	p.out.Problems = append(p.out.Problems, Problem{Sheet: sheet, Row: row, Col: col, Header: header, Msg: m})
}

// row is one data row being read.
type row struct {
	p     *parser
	s     *Sheet
	h     header
	i     int // index into s.Rows
	cells []string
}

func (r row) has(f field) bool { _, ok := r.h.col[f]; return ok }

// shown returns a field's cell.
func (r row) shown(f field) string {
	c, ok := r.h.col[f]
	if !ok || c > len(r.cells) {
		return ""
	}
	return r.cells[c-1]
}

// bad records a problem with a field of this row.
func (r row) bad(f field, m Msg) {
	c := r.h.col[f]
	r.p.problem(r.s.Name, r.i+1, c, r.h.names[c], m)
}

// sheet reads the data rows of one sheet.
func (p *parser) sheet(s *Sheet, h header) {
	sum := SheetSummary{Name: s.Name, Kind: kindLabels[h.kind], HeaderRow: h.row}
	skipped := 0
	st := &sheetState{}
	for i := h.row; i < len(s.Rows); i++ {
		cells := s.Rows[i]
		switch skip(cells, h) {
		case skipBlank:
			continue
		case skipOther:
			skipped++
			continue
		}
		r := row{p: p, s: s, h: h, i: i, cells: cells}
		sum.Rows++
		switch h.kind {
		case kindResidents:
			p.resident(r, st)
		case kindCadres:
			p.cadre(r, st)
		case kindFactSheet:
			p.factSheetRow(r, st)
		case kindGrids:
			p.gridRow(r, st)
		}
	}
	st.finish(p)
	if skipped > 0 {
		p.out.Notes = append(p.out.Notes, msg("note_skipped", s.Name, skipped))
	}
	p.out.Sheets = append(p.out.Sheets, sum)
}

type skipKind int

const (
	skipNo skipKind = iota
	skipBlank
	skipOther
)

// footerWords start the signature and note lines under a table.
var footerWords = []string{"填表人", "制表人", "审核人", "填报人", "负责人", "填报单位", "制表单位", "填表单位", "制表日期", "填表日期", "填报日期", "注：", "注:", "说明", "备注：", "联系人："}

// skip tells rows that hold no record: blank rows, the header repeated (at a page break),
// totals (合计, 总计, 小计) and the signature lines under a table, and rows with nothing but
// a serial number.
func skip(cells []string, h header) skipKind {
	var nonEmpty []int
	for c, v := range cells {
		if compact(v) != "" {
			nonEmpty = append(nonEmpty, c+1)
		}
	}
	if len(nonEmpty) == 0 {
		return skipBlank
	}
	same := 0
	for c, name := range h.names {
		if c <= len(cells) && headerKey(cells[c-1]) == headerKey(name) {
			same++
		}
	}
	if same >= 2 {
		return skipOther
	}
	for _, c := range nonEmpty {
		v := compact(cells[c-1])
		for _, w := range []string{"合计", "总计", "小计"} {
			if strings.HasPrefix(v, w) {
				return skipOther
			}
		}
		if l := strings.ToLower(v); l == "total" || l == "sum" {
			return skipOther
		}
	}
	first := compact(cells[nonEmpty[0]-1])
	nameCol := h.col[fName]
	if nameCol == 0 || nameCol > len(cells) || compact(cells[nameCol-1]) == "" || nameCol == nonEmpty[0] {
		for _, w := range footerWords {
			if strings.HasPrefix(first, w) {
				return skipOther
			}
		}
	}
	skipOnly := true
	for _, c := range nonEmpty {
		f := fieldAt(h, c)
		if f != fSkip {
			skipOnly = false
		}
	}
	if skipOnly {
		return skipOther
	}
	// A row that holds only what merged cells or carried-down columns fill in (the village,
	// a grid) is no record: rosters merge the village down past the last person.
	for _, c := range nonEmpty {
		if contains(substantive[h.kind], fieldAt(h, c)) {
			return skipNo
		}
	}
	return skipBlank
}

// substantive lists, per kind of sheet, the fields that make a row a record.
var substantive = map[kind][]field{
	kindResidents: {fName, fRelation, fIDNumber, fPhone, fGender, fBorn, fHousehold, fAddress, fPolitical, fSpecial},
	kindCadres:    {fName, fPost, fDuties, fPhone, fDuty},
	kindFactSheet: {fSection, fContent},
	kindGrids:     {fVillageCode, fGridCode, fGrid},
}

// fieldAt returns the field of column c.
func fieldAt(h header, c int) field {
	for f, col := range h.col {
		if col == c {
			return f
		}
	}
	return fNone
}

// sheetState carries values down a sheet: rosters write a village, grid or household once
// and leave the cells below blank (or merge them) until it changes.
type sheetState struct {
	village, grid string // codes
	hh            string // household key of the previous row
	cadres        map[string]int
	secretaries   map[string]int
	gridSecs      map[string]int
	sheets        map[string]*store.FactSheet
	sheetOrder    []string
	sections      map[string]map[string]bool // per village, the fact-sheet sections listed
	gridRows      map[string]int
	villageRows   map[string]int
	villageNames  map[string]string
	township      bool // the cadres sheet's previous row was the township's own
}

func (st *sheetState) finish(p *parser) {
	ro := &p.out.Roster
	for _, v := range st.sheetOrder {
		ro.FactSheets = append(ro.FactSheets, *st.sheets[v])
		if ro.FactSections == nil {
			ro.FactSections = map[string][]string{}
		}
		for _, sec := range store.FactSections() {
			if st.sections[v][sec] {
				ro.FactSections[v] = append(ro.FactSections[v], sec)
			}
		}
	}
}

// villageOf resolves the village column of a row (blank: the row above's), or the actor's
// village when the sheet has none. ok is false when a problem was recorded.
func (p *parser) villageOf(r row, st *sheetState) (string, bool) {
	if !r.has(fVillage) {
		if p.ref.Actor.Role == store.RoleVillage {
			return p.ref.Actor.Village, true
		}
		return "", true
	}
	v := text(r.shown(fVillage))
	if v == "" {
		if st.village != "" {
			return st.village, true
		}
		r.bad(fVillage, msg("no_village"))
		return "", false
	}
	code, ok := p.places.village(v)
	if !ok {
		r.bad(fVillage, msg("unknown_village", v))
		return "", false
	}
	if a := p.ref.Actor; a.Role == store.RoleVillage && code != a.Village {
		r.bad(fVillage, msg("village_scope", v, a.Village))
		return "", false
	}
	st.village = code
	return code, true
}

// gridOf resolves the grid column of a row within village (blank village: any village).
func (p *parser) gridOf(r row, st *sheetState, village string, carry bool) (store.Grid, bool) {
	v := text(r.shown(fGrid))
	if v == "" {
		if carry && st.grid != "" {
			if g, ok := p.places.byCode[st.grid]; ok && (village == "" || g.Village == village) {
				return g, true
			}
		}
		r.bad(fGrid, msg("no_grid"))
		return store.Grid{}, false
	}
	g, m := p.places.grid(v, village)
	if m != nil {
		r.bad(fGrid, *m)
		return store.Grid{}, false
	}
	if a := p.ref.Actor; a.Role == store.RoleVillage && g.Village != a.Village {
		r.bad(fGrid, msg("village_scope", p.places.name(g.Village), a.Village))
		return store.Grid{}, false
	}
	st.grid = g.Code
	return g, true
}

// resident reads one row of a residents sheet.
func (p *parser) resident(r row, st *sheetState) {
	village, vok := p.villageOf(r, st)
	var g store.Grid
	gok := false
	if vok {
		g, gok = p.gridOf(r, st, village, true)
	}
	rel := relation(r.shown(fRelation))
	name := personName(r.shown(fName))
	if name == "" {
		r.bad(fName, msg("empty_name"))
	}
	if rel == "" {
		r.bad(fRelation, msg("no_relation"))
	}

	// The household: its number, or for a member below the head the household above.
	hv := compact(r.shown(fHousehold))
	label := hv
	var key string
	switch {
	case hv == "" && rel != store.RelationHead && st.hh != "":
		key = st.hh
	case hv == "":
		r.bad(fHousehold, msg("no_household"))
	case strings.Contains(hv, "/"):
		r.bad(fHousehold, msg("bad_household", hv))
	case gok:
		if d, _, ok := expandNumber(hv); ok && len(d) <= 6 {
			n, _ := strconv.Atoi(d)
			hv = fmt.Sprintf("%s-%04d", g.Code, n)
		}
		key = g.Village + "/" + hv
	}

	res := store.Resident{Name: name, Relation: rel}
	var m *Msg
	if res.IDNumber, m = parseIDNumber(r.shown(fIDNumber)); m != nil {
		r.bad(fIDNumber, *m)
	}
	if res.Gender, m = parseGender(r.shown(fGender)); m != nil {
		r.bad(fGender, *m)
	}
	if res.Born, m = parseBorn(r.shown(fBorn), p.ref.Today.Year()); m != nil {
		r.bad(fBorn, *m)
	}
	if born, gender := bornFromID(res.IDNumber); born != "" {
		if res.Born == "" && compact(r.shown(fBorn)) == "" {
			res.Born = born
		}
		if res.Gender == "" && compact(r.shown(fGender)) == "" {
			res.Gender = gender
		}
	}
	if res.Phone, m = parsePhone(r.shown(fPhone)); m != nil {
		r.bad(fPhone, *m)
	}
	res.Political = political(r.shown(fPolitical))
	hhSpecial, personSpecial := specials(r.shown(fSpecial))
	res.Special = personSpecial

	if res.IDNumber != "" {
		if first, dup := p.ids[res.IDNumber]; dup {
			row := first.row
			r.bad(fIDNumber, msg("dup_id", row, first.name))
		} else {
			p.ids[res.IDNumber] = seen{sheet: r.s.Name, row: r.i + 1, name: name}
		}
	}
	f := &p.out.Roster.Fields
	f.Address, f.Gender, f.Born = f.Address || r.has(fAddress), f.Gender || r.has(fGender), f.Born || r.has(fBorn)
	f.IDNumber, f.Phone = f.IDNumber || r.has(fIDNumber), f.Phone || r.has(fPhone)
	f.Political, f.Special = f.Political || r.has(fPolitical), f.Special || r.has(fSpecial)
	if key == "" {
		return
	}
	st.hh = key
	acc, ok := p.households[key]
	address := text(r.shown(fAddress))
	if !ok {
		id := key[strings.IndexByte(key, '/')+1:]
		acc = &hhAcc{h: store.Household{ID: id, Village: g.Village, Grid: g.Code, Address: address}, label: label,
			sheet: r.s.Name, firstRow: r.i + 1, gridRow: r.i + 1, addrRow: r.i + 1,
			relCol: r.h.col[fRelation], relName: r.h.names[r.h.col[fRelation]]}
		p.households[key] = acc
		p.hhOrder = append(p.hhOrder, key)
	} else {
		if gok && g.Code != acc.h.Grid && compact(r.shown(fGrid)) != "" {
			r.bad(fGrid, msg("household_grid", acc.label, acc.h.Grid, acc.gridRow, g.Code))
		}
		switch {
		case address == "":
		case acc.h.Address == "":
			acc.h.Address, acc.addrRow = address, r.i+1
		case address != acc.h.Address:
			r.bad(fAddress, msg("household_address", acc.label, acc.addrRow, acc.h.Address))
		}
	}
	if rel == store.RelationHead {
		acc.heads = append(acc.heads, r.i+1)
	}
	for _, s := range hhSpecial {
		acc.h.Special = appendNew(acc.h.Special, s)
	}
	acc.h.Residents = append(acc.h.Residents, res)
}

// finishHouseholds checks every household has exactly one head and hands the households to
// the roster in the order the file lists them.
func (p *parser) finishHouseholds() {
	for _, key := range p.hhOrder {
		acc := p.households[key]
		switch len(acc.heads) {
		case 0:
			p.problem(acc.sheet, acc.firstRow, acc.relCol, acc.relName, msg("no_head", acc.label))
		case 1:
		default:
			for _, row := range acc.heads[1:] {
				p.problem(acc.sheet, row, acc.relCol, acc.relName, msg("two_heads", acc.label, acc.heads[0]))
			}
		}
		p.out.Roster.Households = append(p.out.Roster.Households, acc.h)
	}
}

// townshipWords are what a cadres sheet's village column says on the township's own rows
// (its leaders and staff): the township's name, or one of these.
var townshipWords = []string{"镇", "镇机关", "镇直", "镇直机关", "镇党委", "镇政府", "镇领导", "镇干部", "township"}

// isTownship reports whether a village cell names the township rather than a village: one
// of townshipWords, or a name ending in 镇 that is no village's.
func (p *parser) isTownship(v string) bool {
	if contains(townshipWords, strings.ToLower(v)) {
		return true
	}
	_, village := p.places.village(v)
	return !village && strings.HasSuffix(v, "镇")
}

// official reads a row of a cadres sheet about the township's own leaders and staff: a name,
// a post, no grid. Only township users list them.
func (p *parser) official(r row, st *sheetState) {
	name := personName(r.shown(fName))
	if name == "" {
		r.bad(fName, msg("empty_name"))
	}
	ps := text(r.shown(fPost))
	if ps == "" {
		r.bad(fPost, msg("no_post"))
	}
	o := store.Official{Name: name, Post: ps, Duties: text(r.shown(fDuties))}
	var m *Msg
	if o.Phone, m = parsePhone(r.shown(fPhone)); m != nil {
		r.bad(fPhone, *m)
	}
	if p.ref.Actor.Role != store.RoleTownship {
		r.bad(fVillage, msg("township_scope"))
		return
	}
	if compact(r.shown(fGrid)) != "" {
		r.bad(fGrid, msg("township_grid"))
		return
	}
	if name == "" || ps == "" {
		return
	}
	k := "\x00镇\x00" + name + "\x00" + ps
	if first, dup := st.cadres[k]; dup {
		r.bad(fName, msg("dup_row", first))
		return
	}
	st.cadres[k] = r.i + 1
	ro := &p.out.Roster
	ro.Officials = append(ro.Officials, o)
	ro.OfficialsGiven = true
	ro.Fields.CadreDuties = ro.Fields.CadreDuties || r.has(fDuties)
	ro.Fields.CadrePhone = ro.Fields.CadrePhone || r.has(fPhone)
}

// cadre reads one row of a cadres sheet: a village's cadre, or the township's own (official).
func (p *parser) cadre(r row, st *sheetState) {
	if st.cadres == nil {
		st.cadres, st.secretaries, st.gridSecs = map[string]int{}, map[string]int{}, map[string]int{}
	}
	// A village cell left blank below a township row stays with the township.
	if v := text(r.shown(fVillage)); r.has(fVillage) && (p.isTownship(v) || v == "" && st.township) {
		st.township = true
		p.official(r, st)
		return
	}
	st.township = false
	village, vok := p.villageOf(r, st)
	name := personName(r.shown(fName))
	if name == "" {
		r.bad(fName, msg("empty_name"))
	}
	ps := post(r.shown(fPost))
	if ps == "" {
		r.bad(fPost, msg("no_post"))
	}
	c := store.Cadre{Village: village, Name: name, Post: ps, Duties: text(r.shown(fDuties)), Duty: text(r.shown(fDuty))}
	var m *Msg
	if c.Phone, m = parsePhone(r.shown(fPhone)); m != nil {
		r.bad(fPhone, *m)
	}
	if !vok {
		return
	}
	if compact(r.shown(fGrid)) != "" || ps == store.PostGridSecretary {
		if !r.has(fGrid) || compact(r.shown(fGrid)) == "" {
			if r.has(fGrid) {
				r.bad(fGrid, msg("secretary_grid"))
			} else {
				r.bad(fPost, msg("secretary_grid"))
			}
			return
		}
		g, ok := p.gridOf(r, st, village, false)
		if !ok {
			return
		}
		c.Grid = g.Code
	}
	if name == "" || ps == "" {
		return
	}
	k := village + "\x00" + name + "\x00" + ps + "\x00" + c.Grid
	if first, dup := st.cadres[k]; dup {
		r.bad(fName, msg("dup_row", first))
		return
	}
	st.cadres[k] = r.i + 1
	switch ps {
	case store.PostSecretary:
		if first, dup := st.secretaries[village]; dup {
			r.bad(fPost, msg("two_secretaries", p.places.name(village), first))
			return
		}
		st.secretaries[village] = r.i + 1
	case store.PostGridSecretary:
		if first, dup := st.gridSecs[c.Grid]; dup {
			r.bad(fPost, msg("two_grid_secs", c.Grid, first))
			return
		}
		st.gridSecs[c.Grid] = r.i + 1
	}
	ro := &p.out.Roster
	ro.Cadres = append(ro.Cadres, c)
	if !contains(ro.CadreVillages, village) {
		ro.CadreVillages = append(ro.CadreVillages, village)
	}
	ro.Fields.CadreDuties = ro.Fields.CadreDuties || r.has(fDuties)
	ro.Fields.CadrePhone = ro.Fields.CadrePhone || r.has(fPhone)
	ro.Fields.CadreDuty = ro.Fields.CadreDuty || r.has(fDuty)
}

// Sections of a fact sheet file, by the names people give them.
var sections = map[string]string{
	"村情": "profile", "村情概况": "profile", "概况": "profile", "简介": "profile", "profile": "profile",
	"产业": "industries", "主导产业": "industries", "特色产业": "industries", "industries": "industries",
	"服务": "services", "服务清单": "services", "功能": "services", "便民服务": "services", "services": "services",
	"远景": "vision", "五年远景": "vision", "发展远景": "vision", "vision": "vision",
	"任务": "tasks", "重点任务": "tasks", "tasks": "tasks",
}

// SectionNames are the names a fact-sheet file gives each section, as the export writes them.
var SectionNames = map[string]string{"profile": "村情", "industries": "产业", "services": "服务", "vision": "远景", "tasks": "任务"}

// factSheetRow reads one row of a fact sheet sheet. The sections a village's rows name are
// the ones its import replaces; a section named only with an empty content clears it.
func (p *parser) factSheetRow(r row, st *sheetState) {
	if st.sheets == nil {
		st.sheets, st.sections = map[string]*store.FactSheet{}, map[string]map[string]bool{}
	}
	village, ok := p.villageOf(r, st)
	sec, known := sections[strings.ToLower(compact(r.shown(fSection)))]
	if !known {
		r.bad(fSection, msg("unknown_section", text(r.shown(fSection))))
	}
	if !ok || !known || village == "" {
		return
	}
	fs, have := st.sheets[village]
	if !have {
		fs = &store.FactSheet{Village: village}
		st.sheets[village] = fs
		st.sheetOrder = append(st.sheetOrder, village)
		st.sections[village] = map[string]bool{}
	}
	st.sections[village][sec] = true
	content := r.shown(fContent)
	switch sec {
	case "profile":
		fs.Profile = joinText(fs.Profile, content)
	case "vision":
		fs.Vision = joinText(fs.Vision, content)
	case "industries":
		fs.Industries = appendItem(fs.Industries, content)
	case "services":
		fs.Services = appendItem(fs.Services, content)
	case "tasks":
		fs.Tasks = appendItem(fs.Tasks, content)
	}
}

func joinText(have, more string) string {
	more = clean.Text(fold(more))
	switch {
	case more == "":
		return have
	case have == "":
		return more
	}
	return have + "\n" + more
}

func appendItem(items []string, s string) []string {
	if s = text(s); s != "" {
		items = append(items, s)
	}
	return items
}

// codeRE is a village or grid code: letters and digits.
var codeRE = regexp.MustCompile(`^[A-Z0-9]{1,12}$`)

// gridRow reads one row of a grids sheet: a village and one of its grids.
func (p *parser) gridRow(r row, st *sheetState) {
	if st.gridRows == nil {
		st.gridRows, st.villageRows, st.villageNames = map[string]int{}, map[string]int{}, map[string]string{}
	}
	vc := strings.ToUpper(compact(r.shown(fVillageCode)))
	vn := text(r.shown(fVillage))
	gc := strings.ToUpper(compact(r.shown(fGridCode)))
	gn := text(r.shown(fGrid))
	leader := personName(r.shown(fLeader))
	ok := true
	if !codeRE.MatchString(vc) {
		r.bad(fVillageCode, msg("bad_code", vc))
		ok = false
	}
	if !codeRE.MatchString(gc) {
		r.bad(fGridCode, msg("bad_code", gc))
		ok = false
	} else if ok && !strings.HasPrefix(gc, vc) {
		r.bad(fGridCode, msg("grid_code_prefix", gc, vc))
		ok = false
	}
	if vn == "" {
		r.bad(fVillage, msg("no_village"))
		ok = false
	}
	if gn == "" {
		r.bad(fGrid, msg("no_grid"))
		ok = false
	}
	if t := text(r.shown(fTownship)); t != "" && p.out.Roster.Township == "" {
		p.out.Roster.Township = t
	}
	if !ok {
		return
	}
	if first, dup := st.gridRows[gc]; dup {
		r.bad(fGridCode, msg("dup_grid", gc, first))
		return
	}
	st.gridRows[gc] = r.i + 1
	if name, dup := st.villageNames[vc]; dup && name != vn {
		r.bad(fVillage, msg("village_conflict", vc, st.villageRows[vc]))
		return
	}
	if old, exists := p.places.byCode[gc]; exists && old.Village != vc {
		r.bad(fGridCode, msg("grid_moved", gc, old.Village, vc))
		return
	}
	v := store.Village{Code: vc, Name: vn, Leader: leader}
	g := store.Grid{Code: gc, Village: vc, Name: gn}
	if p.ref.Actor.Role != store.RoleTownship {
		// Others may send the grids sheet of their own export back, unchanged.
		oldV, vok := p.places.villages[vc]
		oldG, gok := p.places.byCode[gc]
		if !vok || !gok || oldV.Name != vn || (r.has(fLeader) && oldV.Leader != leader) || oldG.Name != gn {
			r.bad(fGridCode, msg("township_only"))
		}
		return
	}
	if _, dup := st.villageNames[vc]; !dup {
		st.villageNames[vc], st.villageRows[vc] = vn, r.i+1
		p.out.Roster.Villages = append(p.out.Roster.Villages, v)
	}
	p.out.Roster.Grids = append(p.out.Roster.Grids, g)
	p.out.Roster.Fields.Leader = r.has(fLeader)
	p.places.add(v, g)
}

// places resolves villages and grids by code or by name.
type places struct {
	villages map[string]store.Village
	order    []string
	byCode   map[string]store.Grid
	grids    []store.Grid
}

func newPlaces(vs []store.Village, gs []store.Grid) *places {
	p := &places{villages: map[string]store.Village{}, byCode: map[string]store.Grid{}}
	for _, v := range vs {
		p.villages[v.Code] = v
		p.order = append(p.order, v.Code)
	}
	for _, g := range gs {
		p.byCode[g.Code] = g
		p.grids = append(p.grids, g)
	}
	return p
}

// add adds or renames a village and a grid (from a grids sheet).
func (p *places) add(v store.Village, g store.Grid) {
	if _, ok := p.villages[v.Code]; !ok {
		p.order = append(p.order, v.Code)
	}
	p.villages[v.Code] = v
	if _, ok := p.byCode[g.Code]; !ok {
		p.grids = append(p.grids, g)
	} else {
		for i := range p.grids {
			if p.grids[i].Code == g.Code {
				p.grids[i] = g
			}
		}
	}
	p.byCode[g.Code] = g
}

// name returns a village's name for messages.
func (p *places) name(code string) string {
	if v, ok := p.villages[code]; ok {
		return v.Name
	}
	return code
}

// village finds a village by code (DL), name (东岭新村) or short name (东岭).
func (p *places) village(s string) (string, bool) {
	if v, ok := p.villages[strings.ToUpper(compact(s))]; ok {
		return v.Code, true
	}
	c := compact(s)
	for _, code := range p.order {
		v := p.villages[code]
		n := compact(v.Name)
		if c == n || c+"新村" == n || c == strings.TrimSuffix(n, "新村") || c+"村" == n {
			return v.Code, true
		}
	}
	return "", false
}

// chineseNumbers reads 一 to 二十 in grid names such as 第三网格.
var chineseNumbers = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
	"十一": 11, "十二": 12, "十三": 13, "十四": 14, "十五": 15, "十六": 16, "十七": 17, "十八": 18, "十九": 19, "二十": 20}

// grid finds a grid by code (DL03), name (前岭网格 or 前岭) or number within the village
// (3, 03, 3网格, 第三网格). With no village, a name must be unique in the township.
func (p *places) grid(s, village string) (store.Grid, *Msg) {
	if g, ok := p.byCode[strings.ToUpper(compact(s))]; ok {
		if village != "" && g.Village != village {
			m := msg("grid_other_village", g.Code, p.name(g.Village), p.name(village))
			return store.Grid{}, &m
		}
		return g, nil
	}
	c := compact(s)
	num := strings.TrimSuffix(strings.TrimPrefix(c, "第"), "网格")
	n, err := strconv.Atoi(num)
	if err != nil {
		n = chineseNumbers[num]
	}
	var hits []store.Grid
	for _, g := range p.grids {
		if village != "" && g.Village != village {
			continue
		}
		gn := compact(g.Name)
		if c == gn || c+"网格" == gn || c == strings.TrimSuffix(gn, "网格") || (n > 0 && village != "" && g.No == n) {
			hits = append(hits, g)
		}
	}
	switch {
	case len(hits) == 1:
		return hits[0], nil
	case len(hits) > 1:
		m := msg("ambiguous_grid", text(s))
		return store.Grid{}, &m
	case village != "":
		m := msg("unknown_grid", p.name(village), text(s))
		return store.Grid{}, &m
	}
	m := msg("unknown_grid_any", text(s))
	return store.Grid{}, &m
}
