package ledgerio

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"sanbai/store"
)

// Reports lists the reports Build makes, in the order the help shows them.
var Reports = []string{"ledger", "summary", "groups", "visits", "revisits", "residents", "factsheet"}

// ColKind is how a column's cells are written.
type ColKind int

// Column kinds.
const (
	ColText    ColKind = iota
	ColNumber          // an int
	ColPercent         // a float64 ratio (0.5 = 50%); nil when there is nothing to divide
	ColDate            // a YYYY-MM-DD string, written as a real date cell
	ColMonth           // a YYYY-MM string, written as a date cell showing the month
	ColTag             // 红, 黄 or 绿, written with the tag's fill
)

// Column is one column of a table.
type Column struct {
	Header string
	Kind   ColKind
}

// Table is one sheet of a report: a title row, a header row and the data rows. A cell is a
// string, an int or a float64 (or nil), as its column's kind says.
type Table struct {
	Sheet   string
	Title   string
	Columns []Column
	Rows    [][]any
}

// Report is a report ready to write: its tables, and for the fact sheet the pages.
type Report struct {
	Name   string
	Tables []Table
	// Facts are the fact sheets, for the fact sheet's printable layouts.
	Facts []store.VillageFacts
}

// Data is everything the reports read, as one actor sees it, optionally narrowed to one
// village.
type Data struct {
	Actor      store.Actor
	Township   store.Township
	Today      string
	Village    string // the village the reports are narrowed to, or ""
	Villages   []store.Village
	Grids      []store.Grid
	Households []store.Household
	Members    []store.Member
	Cadres     []store.Cadre
	Officials  []store.Official
	Groups     []store.Group
	// Teams are the villages' visit teams (走访小队): captain and guiding officers.
	Teams    []store.Team
	Visits   []store.Visit
	Concerns []store.Concern
	Revisits []store.Revisit
	Facts    []store.VillageFacts
	// Limits and Now are what the rates are counted with (store.CountFigures).
	Limits store.Limits
	Now    time.Time
	// unmasked is set by Unmask.
	unmasked bool
}

// ErrUnknownReport is returned by Build for a report name it does not know.
var ErrUnknownReport = errors.New("unknown report")

// Load reads what the reports need through the actor's scoped store calls; village narrows
// it to one village, which must be in the actor's scope.
func Load(ctx context.Context, st store.Engine, a store.Actor, village string) (*Data, error) {
	d := &Data{Actor: a, Today: st.Today(), Village: village, Now: st.Now()}
	var err error
	if d.Limits, err = st.Limits(ctx); err != nil {
		return nil, err
	}
	if d.Township, err = st.Township(ctx); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if d.Villages, err = st.Villages(ctx, a); err != nil {
		return nil, err
	}
	if village != "" {
		i := slices.IndexFunc(d.Villages, func(v store.Village) bool { return v.Code == village })
		if i < 0 {
			return nil, fmt.Errorf("%w: no village %q in your scope", store.ErrScope, village)
		}
		d.Villages = d.Villages[i : i+1]
	}
	in := func(v string) bool { return village == "" || v == village }
	if d.Grids, err = st.Grids(ctx, a); err != nil {
		return nil, err
	}
	d.Grids = slices.DeleteFunc(d.Grids, func(g store.Grid) bool { return !in(g.Village) })
	if d.Households, err = st.Households(ctx, a); err != nil {
		return nil, err
	}
	d.Households = slices.DeleteFunc(d.Households, func(h store.Household) bool { return !in(h.Village) })
	if d.Members, err = st.Members(ctx, a); err != nil {
		return nil, err
	}
	d.Members = slices.DeleteFunc(d.Members, func(m store.Member) bool { return !in(m.Village) })
	if d.Cadres, err = st.Cadres(ctx, a); err != nil {
		return nil, err
	}
	d.Cadres = slices.DeleteFunc(d.Cadres, func(c store.Cadre) bool { return !in(c.Village) })
	if d.Officials, err = st.Officials(ctx, a); err != nil {
		return nil, err
	}
	if d.Groups, err = st.Groups(ctx, a); err != nil {
		return nil, err
	}
	d.Groups = slices.DeleteFunc(d.Groups, func(g store.Group) bool { return !in(g.Village) })
	if d.Teams, err = st.Teams(ctx, a); err != nil {
		return nil, err
	}
	d.Teams = slices.DeleteFunc(d.Teams, func(t store.Team) bool { return !in(t.Village) })
	if d.Visits, err = st.Visits(ctx, a); err != nil {
		return nil, err
	}
	d.Visits = slices.DeleteFunc(d.Visits, func(v store.Visit) bool { return !in(v.Village) })
	if d.Concerns, err = st.Concerns(ctx, a); err != nil {
		return nil, err
	}
	d.Concerns = slices.DeleteFunc(d.Concerns, func(c store.Concern) bool { return !in(c.Village) })
	if d.Revisits, err = st.Revisits(ctx, a); err != nil {
		return nil, err
	}
	d.Revisits = slices.DeleteFunc(d.Revisits, func(r store.Revisit) bool { return !in(r.Village) })
	for _, v := range d.Villages {
		f, err := st.Facts(ctx, a, v.Code)
		if err != nil {
			return nil, err
		}
		d.Facts = append(d.Facts, f)
	}
	return d, nil
}

// Build makes the named report from the data.
func Build(d *Data, name string) (Report, error) {
	r := Report{Name: name}
	switch name {
	case "ledger":
		r.Tables = []Table{d.ledger()}
	case "summary":
		r.Tables = []Table{d.summary()}
	case "groups":
		r.Tables = []Table{d.groups()}
	case "visits":
		r.Tables = []Table{d.visits()}
	case "revisits":
		r.Tables = []Table{d.revisits()}
	case "residents":
		r.Tables = d.residents()
	case "factsheet":
		r.Tables = []Table{d.factSheetTable()}
		r.Facts = d.Facts
	default:
		return r, fmt.Errorf("%w %q (one of %s)", ErrUnknownReport, name, strings.Join(Reports, ", "))
	}
	return r, nil
}

// title is a report's title row: township, village (or the whole township), report, date.
func (d *Data) title(report string) string {
	where := "全镇"
	if (d.Village != "" || d.Actor.Role == store.RoleVillage || d.Actor.Role == store.RoleGrid) && len(d.Villages) == 1 {
		where = d.Villages[0].Name
	}
	if d.Actor.Role == store.RoleGrid {
		where += " " + d.gridName(d.Actor.Grid)
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s %s（%s）", d.Township.Name, where, report, d.Today))
}

// Lookups.

func (d *Data) villageName(code string) string {
	for _, v := range d.Villages {
		if v.Code == code {
			return v.Name
		}
	}
	return code
}

func (d *Data) gridName(code string) string {
	for _, g := range d.Grids {
		if g.Code == code {
			return g.Name
		}
	}
	return code
}

func (d *Data) householdIndex() map[string]store.Household {
	m := make(map[string]store.Household, len(d.Households))
	for _, h := range d.Households {
		m[h.ID] = h
	}
	return m
}

func (d *Data) cadreIndex() map[string]store.Cadre {
	m := make(map[string]store.Cadre, len(d.Cadres))
	for _, x := range d.Cadres {
		m[x.ID] = x
	}
	return m
}

func (d *Data) memberIndex() map[string]store.Member {
	m := make(map[string]store.Member, len(d.Members))
	for _, x := range d.Members {
		m[x.ID] = x
	}
	return m
}

// latestRevisits returns each concern's latest revisit answer.
func (d *Data) latestRevisits() map[string]store.Revisit {
	latest := map[string]store.Revisit{}
	for _, rv := range d.Revisits {
		if old, ok := latest[rv.Concern]; !ok || rv.At.After(old.At) {
			latest[rv.Concern] = rv
		}
	}
	return latest
}

// Unmasked reports whether the data holds ID numbers and phones in full: only after Unmask,
// for a township or village user. The store hands out every number masked otherwise.
func (d *Data) Unmasked() bool { return d.unmasked }

// Personal reports whether a report carries personal numbers (ID numbers, phones), and so
// needs Unmask to have them in full.
func Personal(report string) bool { return report == "residents" || report == "groups" }

// Unmask fills in the full ID numbers and phones of the data's residents and party members
// for an export of personal data named what ("residents.xlsx"), through the store's audited
// PersonalData: the export is in the audit trail before any number is handed out. Only
// township and village users may (store.Actor.CanExportPersonal); for the others it is an
// error and the data stays masked.
func (d *Data) Unmask(ctx context.Context, st store.Engine, what string) error {
	p, err := st.PersonalData(ctx, d.Actor, what, d.Village)
	if err != nil {
		return err
	}
	hhs := make([]store.Household, len(d.Households))
	for i, h := range d.Households {
		h.Residents = slices.Clone(h.Residents) // the store's rows are shared: edit a copy
		for j := range h.Residents {
			if c, ok := p.Residents[h.Residents[j].ID]; ok {
				h.Residents[j].IDNumber, h.Residents[j].Phone = c.IDNumber, c.Phone
			}
		}
		hhs[i] = h
	}
	d.Households = hhs
	for i := range d.Members {
		if c, ok := p.Members[d.Members[i].ID]; ok {
			d.Members[i].Phone = c.Phone
		}
	}
	d.unmasked = true
	return nil
}

func (d *Data) phone(s string) string {
	if d.Unmasked() || s == "" {
		return s
	}
	return store.MaskPhone(s)
}

// Chinese words for the ledger's codes, as the filed forms write them.
var (
	tierNames   = map[store.Tier]string{store.TierOnSite: "现场解", store.TierGrid: "网格领题解", store.TierVillage: "新村统筹解", store.TierTownship: "镇托底解"}
	tagNames    = map[store.Tag]string{store.TagRed: "红", store.TagYellow: "黄", store.TagGreen: "绿"}
	statusNames = map[store.Status]string{store.StatusNew: "新提交", store.StatusPlanned: "已计划", store.StatusInProgress: "办理中",
		store.StatusResolved: "已办结", store.StatusClosed: "已销号", store.StatusReopened: "重新打开"}
	solvedNames  = map[string]string{"solved": "已解决", "partly": "部分解决", "not": "未解决"}
	findingKinds = []string{"suggestion", "need", "nightschool", "hardship", "hazard"}
)

// daysBetween counts the days from a to b (YYYY-MM-DD).
func daysBetween(a, b string) int {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// revisitResult words a revisit answer: 已解决，满意.
func revisitResult(rv store.Revisit) string {
	s := solvedNames[rv.Solved]
	if s == "" {
		s = rv.Solved
	}
	if rv.Satisfaction != "" {
		s += "，" + rv.Satisfaction
	}
	return s
}

// ledger is the master ledger (总台账): one row per concern.
func (d *Data) ledger() Table {
	t := Table{Sheet: "总台账", Title: d.title("总台账"), Columns: []Column{
		{"编号", ColText}, {"新村", ColText}, {"网格", ColText}, {"户号", ColText}, {"户主", ColText}, {"类别", ColText},
		{"诉求内容", ColText}, {"层级", ColText}, {"挂牌", ColTag}, {"责任人", ColText}, {"解决方案", ColText},
		{"办结时限", ColDate}, {"延期次数", ColNumber}, {"状态", ColText}, {"超期天数", ColNumber}, {"回访结果", ColText},
		{"挂牌督办", ColText},
	}}
	hh := d.householdIndex()
	latest := d.latestRevisits()
	for _, c := range d.Concerns {
		overdue := any(nil)
		if c.Overdue(d.Today) {
			overdue = daysBetween(c.Plan.Deadline, d.Today)
		}
		result := ""
		if rv, ok := latest[c.ID]; ok {
			result = revisitResult(rv)
		}
		t.Rows = append(t.Rows, []any{c.ID, d.villageName(c.Village), d.gridName(c.Grid), c.Household, hh[c.Household].Head().Name,
			c.Category, c.Description, tierNames[c.Tier], tagNames[c.Tag], c.Plan.OwnerLabel(), c.Plan.Solution, c.Plan.Deadline,
			c.Extensions, statusNames[c.Status], overdue, result, c.Supervisor})
	}
	return t
}

// summary is the summary table (汇总表): per village a row per grid and a subtotal, and a
// township total when there are several villages. Every figure is store.CountFigures' and
// every rate store.Percent's (a whole percent, rounded half up), as on every pane:
// households and residents of the current roster, households visited and residents met,
// concerns by category and tier, resolved (at least once), resolved on time, overdue,
// revisited, satisfied, the four rates and the deadline extensions (延期).
func (d *Data) summary() Table {
	byGrid := store.CountFigures(store.FigureData{Households: store.Refs(d.Households), Visits: d.Visits, Concerns: d.Concerns,
		Revisits: d.Revisits, Limits: d.Limits, Now: d.Now})
	// Categories with the most concerns first.
	total := store.Sum(byGrid, func(g string) bool { return d.shown(g) })
	var cats []string
	for c := range total.ByCategory {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		if a, b := total.ByCategory[cats[i]], total.ByCategory[cats[j]]; a != b {
			return a > b
		}
		return cats[i] < cats[j]
	})
	t := Table{Sheet: "汇总表", Title: d.title("汇总表"), Columns: []Column{
		{"新村", ColText}, {"网格", ColText}, {"户数", ColNumber}, {"人数", ColNumber}, {"已走访户数", ColNumber},
		{"户覆盖率", ColPercent}, {"已见面人数", ColNumber}, {"人覆盖率", ColPercent}, {"诉求总数", ColNumber},
	}}
	for _, c := range cats {
		t.Columns = append(t.Columns, Column{c, ColNumber})
	}
	for _, tier := range store.Tiers() {
		t.Columns = append(t.Columns, Column{tierNames[tier], ColNumber})
	}
	t.Columns = append(t.Columns, Column{"已办结", ColNumber}, Column{"按期办结", ColNumber}, Column{"超期", ColNumber},
		Column{"已回访", ColNumber}, Column{"满意", ColNumber}, Column{"响应率", ColPercent}, Column{"按时办结率", ColPercent},
		Column{"回访率", ColPercent}, Column{"满意率", ColPercent}, Column{"延期次数", ColNumber})
	row := func(village, grid string, x store.Figures) []any {
		r := []any{village, grid, x.Households, x.Residents, x.Visited, percent(x.Visited, x.Households), x.Met,
			percent(x.Met, x.Residents), x.Concerns}
		for _, c := range cats {
			r = append(r, x.ByCategory[c])
		}
		for _, tier := range store.Tiers() {
			r = append(r, x.ByTier[tier])
		}
		return append(r, x.Resolved, x.OnTime, x.Overdue, x.Revisited, x.Satisfied, percent(x.Responded, x.Concerns),
			percent(x.OnTime, x.Due), percent(x.Revisited, x.Resolved), percent(x.Satisfied, x.Revisited), x.Extensions)
	}
	for _, v := range d.Villages {
		var grids []store.Grid
		for _, g := range d.Grids {
			if g.Village == v.Code && d.Actor.CanSee(g.Village, g.Code) {
				grids = append(grids, g)
				t.Rows = append(t.Rows, row(v.Name, g.Name, byGrid[g.Code]))
			}
		}
		sub := store.Sum(byGrid, func(code string) bool {
			return slices.ContainsFunc(grids, func(g store.Grid) bool { return g.Code == code })
		})
		t.Rows = append(t.Rows, row(v.Name, "小计", sub))
	}
	if len(d.Villages) > 1 {
		t.Rows = append(t.Rows, row("合计", "", total))
	}
	return t
}

// shown reports whether a grid's figures are in the report: a grid of the report's villages
// the actor sees.
func (d *Data) shown(grid string) bool {
	for _, g := range d.Grids {
		if g.Code == grid {
			return d.Actor.CanSee(g.Village, g.Code)
		}
	}
	return false
}

// percent is a rate for a ColPercent cell: the whole percent store.Percent rounds (half up),
// as a ratio; nil when there is nothing to divide.
func percent(n, d int) any {
	p, ok := store.Percent(n, d)
	if !ok {
		return nil
	}
	return float64(p) / 100
}

// groups is the visit group list (走访小组名单): each village's visit team — its captain and
// guiding officers — then its groups, one row per person, each with their own grid.
func (d *Data) groups() Table {
	t := Table{Sheet: "走访小组名单", Title: d.title("走访小组名单"), Columns: []Column{
		{"新村", ColText}, {"小组", ColText}, {"走访网格", ColText}, {"职务", ColText}, {"姓名", ColText},
		{"所在网格", ColText}, {"联系电话", ColText},
	}}
	ms, cs := d.memberIndex(), d.cadreIndex()
	teams := map[string]store.Team{}
	for _, tm := range d.Teams {
		teams[tm.Village] = tm
	}
	for _, v := range d.Villages {
		cadre := func(role, id string) {
			c, ok := cs[id]
			if !ok {
				return
			}
			if c.Post != "" {
				role += "（" + c.Post + "）"
			}
			t.Rows = append(t.Rows, []any{v.Name, "走访小队", "", role, c.Name, d.gridName(c.Grid), d.phone(c.Phone)})
		}
		tm := teams[v.Code]
		cadre("队长", tm.Captain)
		for _, id := range tm.Officers {
			cadre("指导员", id)
		}
		for _, g := range d.Groups {
			if g.Village != v.Code {
				continue
			}
			var grids []string
			for _, c := range g.Grids {
				grids = append(grids, d.gridName(c))
			}
			add := func(role, id string) {
				m, ok := ms[id]
				if !ok {
					return
				}
				t.Rows = append(t.Rows, []any{d.villageName(g.Village), g.Name, strings.Join(grids, "、"), role, m.Name,
					d.gridName(m.Grid), d.phone(m.Phone)})
			}
			add("组长", g.Leader)
			add("副组长", g.Deputy)
			for _, id := range g.Members {
				add("组员", id)
			}
		}
	}
	return t
}

// visits is the registration forms (调研登记表), one row per visit.
func (d *Data) visits() Table {
	t := Table{Sheet: "调研登记表", Title: d.title("调研登记表"), Columns: []Column{
		{"编号", ColText}, {"新村", ColText}, {"网格", ColText}, {"户号", ColText}, {"户主", ColText}, {"门牌地址", ColText},
		{"走访日期", ColDate}, {"走访小组", ColText}, {"走访党员", ColText}, {"指导员", ColText}, {"见面人员", ColText}, {"不在家人员", ColText},
		{"四讲", ColText}, {"发展建议", ColText}, {"服务需求", ColText}, {"乡村夜校", ColText}, {"群众冷暖", ColText},
		{"矛盾隐患", ColText}, {"诉求编号", ColText}, {"备注", ColText}, {"登记人", ColText},
	}}
	hh, ms, cs := d.householdIndex(), d.memberIndex(), d.cadreIndex()
	groupName := map[string]string{}
	for _, g := range d.Groups {
		groupName[g.ID] = g.Name
	}
	sorted := slices.Clone(d.Visits)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Date != sorted[j].Date {
			return sorted[i].Date < sorted[j].Date
		}
		return sorted[i].ID < sorted[j].ID
	})
	for _, v := range sorted {
		h := hh[v.Household]
		names := map[string]string{}
		for _, r := range h.Residents {
			names[r.ID] = r.Name
		}
		var members, present, away []string
		for _, id := range v.Members {
			members = append(members, ms[id].Name)
		}
		for _, id := range v.Present {
			present = append(present, names[id])
		}
		awayIDs := make([]string, 0, len(v.Away))
		for id := range v.Away {
			awayIDs = append(awayIDs, id)
		}
		sort.Strings(awayIDs)
		for _, id := range awayIDs {
			away = append(away, names[id]+"（"+v.Away[id]+"）")
		}
		findings := map[string][]string{}
		for _, f := range v.Findings {
			s := f.Text
			if f.Category != "" {
				s = f.Category + "：" + s
			}
			findings[f.Kind] = append(findings[f.Kind], s)
		}
		g := groupName[v.Group]
		if g == "" {
			g = v.Group
		}
		row := []any{v.ID, d.villageName(v.Village), d.gridName(v.Grid), v.Household, h.Head().Name, h.Address, v.Date, g,
			strings.Join(members, "、"), cs[v.Officer].Name, strings.Join(present, "、"), strings.Join(away, "、"), strings.Join(v.Topics, "、")}
		for _, k := range findingKinds {
			row = append(row, strings.Join(findings[k], "；"))
		}
		row = append(row, strings.Join(v.Concerns, "、"), v.Notes, v.By)
		t.Rows = append(t.Rows, row)
	}
	return t
}

// revisits is the revisit forms (入户回访表), one row per answer.
func (d *Data) revisits() Table {
	t := Table{Sheet: "入户回访表", Title: d.title("入户回访表"), Columns: []Column{
		{"编号", ColText}, {"新村", ColText}, {"网格", ColText}, {"诉求编号", ColText}, {"类别", ColText}, {"诉求内容", ColText},
		{"户号", ColText}, {"户主", ColText}, {"回访日期", ColDate}, {"回访小组", ColText}, {"见面人员", ColText},
		{"解决情况", ColText}, {"满意度", ColText}, {"意见建议", ColText}, {"登记人", ColText},
	}}
	hh := d.householdIndex()
	concerns := map[string]store.Concern{}
	for _, c := range d.Concerns {
		concerns[c.ID] = c
	}
	groupName := map[string]string{}
	for _, g := range d.Groups {
		groupName[g.ID] = g.Name
	}
	sorted := slices.Clone(d.Revisits)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Date != sorted[j].Date {
			return sorted[i].Date < sorted[j].Date
		}
		return sorted[i].ID < sorted[j].ID
	})
	for _, rv := range sorted {
		c := concerns[rv.Concern]
		h := hh[rv.Household]
		names := map[string]string{}
		for _, r := range h.Residents {
			names[r.ID] = r.Name
		}
		var met []string
		for _, id := range rv.Met {
			met = append(met, names[id])
		}
		solved := solvedNames[rv.Solved]
		if solved == "" {
			solved = rv.Solved
		}
		t.Rows = append(t.Rows, []any{rv.ID, d.villageName(rv.Village), d.gridName(c.Grid), rv.Concern, c.Category, c.Description,
			rv.Household, h.Head().Name, rv.Date, groupName[rv.Group], strings.Join(met, "、"), solved, rv.Satisfaction,
			rv.Comment, rv.By})
	}
	return t
}

// Residents sheet columns, in the import format.
var (
	residentColumns = []Column{{"新村", ColText}, {"网格", ColText}, {"户号", ColText}, {"门牌地址", ColText}, {"姓名", ColText},
		{"与户主关系", ColText}, {"性别", ColText}, {"出生年月", ColMonth}, {"身份证号", ColText}, {"联系电话", ColText},
		{"政治面貌", ColText}, {"特殊群体", ColText}}
	cadreColumns = []Column{{"新村", ColText}, {"姓名", ColText}, {"职务", ColText}, {"网格", ColText}, {"分工", ColText},
		{"联系电话", ColText}, {"值班安排", ColText}}
	gridColumns = []Column{{"新村代码", ColText}, {"新村", ColText}, {"网格代码", ColText}, {"网格", ColText}, {"包村领导", ColText}}
)

// residents is the roster itself in the import format: residents (人口), cadres (干部) and the
// grids (网格), so that exporting and importing again changes nothing. People who moved out
// are left out, as they are of a current roster.
func (d *Data) residents() []Table {
	people := Table{Sheet: "人口", Title: d.title("人口花名册"), Columns: residentColumns}
	for _, h := range store.CurrentHouseholds(d.Households) {
		first := true
		for _, r := range h.Residents {
			var sp []string
			if r.Relation == store.RelationHead && first {
				// The household's own groups ride on its head's row.
				sp = append(sp, h.Special...)
				first = false
			}
			sp = append(sp, r.Special...)
			id, phone := r.IDNumber, r.Phone
			if !d.Unmasked() {
				if id != "" {
					id = store.MaskID(id)
				}
				phone = d.phone(phone)
			}
			people.Rows = append(people.Rows, []any{d.villageName(h.Village), h.Grid, h.ID, h.Address, r.Name, r.Relation,
				r.Gender, r.Born, id, phone, r.Political, strings.Join(sp, "、")})
		}
	}
	cadres := Table{Sheet: "干部", Title: d.title("干部名单"), Columns: cadreColumns}
	for _, c := range d.Cadres {
		cadres.Rows = append(cadres.Rows, []any{d.villageName(c.Village), c.Name, c.Post, c.Grid, c.Duties, c.Phone, c.Duty})
	}
	// The township's own leaders and staff, under the township's name, for township users
	// (who alone import them back).
	if d.Actor.Role == store.RoleTownship {
		for _, o := range d.Officials {
			cadres.Rows = append(cadres.Rows, []any{d.Township.Name, o.Name, o.Post, "", o.Duties, o.Phone, ""})
		}
	}
	grids := Table{Sheet: "网格", Title: d.title("新村网格"), Columns: gridColumns}
	for _, g := range d.Grids {
		grids.Rows = append(grids.Rows, []any{g.Village, d.villageName(g.Village), g.Code, g.Name, d.leader(g.Village)})
	}
	return []Table{people, cadres, grids}
}

func (d *Data) leader(village string) string {
	for _, v := range d.Villages {
		if v.Code == village {
			return v.Leader
		}
	}
	return ""
}

// factSheetTable is the editable part of the fact sheets as a table to import back: village,
// section, content; one row per paragraph or list item.
func (d *Data) factSheetTable() Table {
	t := Table{Sheet: "明白纸", Title: d.title("明白纸"), Columns: []Column{{"新村", ColText}, {"栏目", ColText}, {"内容", ColText}}}
	for _, f := range d.Facts {
		v := f.Village.Name
		add := func(sec string, items ...string) {
			for _, it := range items {
				if it != "" {
					t.Rows = append(t.Rows, []any{v, SectionNames[sec], it})
				}
			}
		}
		add("profile", strings.Split(f.Sheet.Profile, "\n")...)
		add("industries", f.Sheet.Industries...)
		add("services", f.Sheet.Services...)
		add("vision", strings.Split(f.Sheet.Vision, "\n")...)
		add("tasks", f.Sheet.Tasks...)
	}
	return t
}
