package demo

import (
	"fmt"
	"math"
	"slices"
	"time"

	"sanbai/store"
)

// issue is a kind of concern households raise, with how it tends to be handled.
type issue struct {
	kind, category string
	weight         int // how often it comes up
	texts          []string
	tiers          [4]int // weights of onsite, grid, village, township
	tags           [3]int // weights of red, yellow, green
	// owner is a word of the committee portfolio that owns it at village tier.
	owner string
	// onsite is what a visitor does on the spot; solution the plan at grid and village
	// tier; township the plan when the township backs it up; resolution what was done.
	onsite, solution, township, resolution string
	// needs limits the issue to households with one of these special groups; prefers
	// makes it likelier there.
	needs, prefers []string
}

// issues are the concerns of the demo ledger.
var issues = []issue{
	{kind: kindNeed, category: "医保社保", weight: 12, texts: []string{"咨询城乡居民医保缴费标准和手机缴费方式", "老人不会用手机缴医保，想请人帮忙代缴"},
		tiers: [4]int{8, 2, 0, 0}, tags: [3]int{0, 1, 9}, owner: "民政",
		onsite: "现场讲解缴费标准，用手机帮助完成缴费并截图留存", solution: "网格书记上门帮助办理医保缴费", resolution: "已帮助完成医保缴费，缴费凭证交给本人"},
	{kind: kindNeed, category: "养老保险", weight: 6, texts: []string{"咨询城乡居民养老保险领取条件和每年认证方式", "想给家里老人补缴养老保险，不知道怎么办"},
		tiers: [4]int{8, 2, 0, 0}, tags: [3]int{0, 1, 9}, owner: "民政",
		onsite: "现场讲解领取条件，指导在手机上完成刷脸认证", solution: "网格书记联系镇社保所，上门讲解并协助办理", resolution: "已协助办理完毕"},
	{kind: kindHardship, category: "低保申请", weight: 4, texts: []string{"家中老人常年患病，收入低，咨询低保申请条件和程序", "夫妻一方大病后丧失劳动能力，想申请低保"},
		tiers: [4]int{1, 5, 3, 0}, tags: [3]int{1, 5, 4}, owner: "民政",
		onsite: "现场讲解低保申请条件和所需材料，留下民政专干电话", solution: "网格书记帮助准备家庭收入、病历等材料，报新村民政专干入户核查",
		resolution: "材料已报审，经公示纳入低保", prefers: []string{specialHardship, specialDisabled}},
	{kind: kindHardship, category: "房屋安全", weight: 5, texts: []string{"房顶漏雨，下雨时西屋进水，老人无力修缮", "老屋后墙裂缝变宽，雨季担心倒塌"},
		tiers: [4]int{0, 5, 3, 2}, tags: [3]int{5, 4, 1}, owner: "民政",
		solution: "组织网格党员帮助修补，材料费由新村爱心基金承担", township: "报镇村建办鉴定，符合条件的纳入农村危房改造",
		resolution: "已组织修缮，屋面和墙体隐患消除", prefers: []string{specialLiveAlone, specialAlone, specialHardship}},
	{kind: kindNeed, category: "饮水", weight: 6, texts: []string{"自来水管道老化，入户管多次漏水", "夏天用水高峰水压低，二楼上不去水"},
		tiers: [4]int{0, 4, 5, 1}, tags: [3]int{2, 5, 3}, owner: "财务",
		solution: "先行抢修入户管段，新村统一更换老化主管道", township: "镇水务站纳入农村供水管网改造项目", resolution: "已更换老化管段，水压恢复正常"},
	{kind: kindNeed, category: "路灯照明", weight: 6, texts: []string{"巷口路灯坏了一个多月，晚上出行不便", "后街没有路灯，老人晚上不敢出门"},
		tiers: [4]int{1, 7, 2, 0}, tags: [3]int{1, 4, 5}, owner: "安全",
		onsite: "现场联系电工，当天换好灯头", solution: "网格书记联系电工更换灯头，缺灯路段由新村统一补装", resolution: "已更换灯头并补装太阳能路灯"},
	{kind: kindNeed, category: "道路", weight: 5, texts: []string{"通往果园的生产路坑洼，雨后三轮车进不去", "胡同是土路，下雨满是泥"},
		tiers: [4]int{0, 3, 5, 2}, tags: [3]int{1, 4, 5}, owner: "财务",
		solution: "列入新村道路硬化计划，先用石子垫平", township: "申请镇级一事一议项目资金硬化道路", resolution: "坑洼路段已垫平压实，三轮车可以通行"},
	{kind: kindHazard, category: "宅基地纠纷", weight: 3, texts: []string{"与邻居宅基地边界有争议，多次协商未果", "邻居翻建房屋占了自家滴水檐，双方有矛盾"},
		tiers: [4]int{0, 3, 4, 3}, tags: [3]int{4, 5, 1}, owner: "综治",
		solution: "新村调委会组织双方现场丈量，对照确权资料调解", township: "镇司法所、自然资源所联合现场调处", resolution: "双方认可丈量结果，签订调解协议"},
	{kind: kindHazard, category: "邻里纠纷", weight: 5, texts: []string{"邻居家排水沟流向自家院墙，双方有口角", "两家因门前堆放柴草发生争执"},
		tiers: [4]int{6, 3, 1, 0}, tags: [3]int{1, 4, 5}, owner: "综治",
		onsite: "现场协调两户，当场约定疏通排水、挪走柴草", solution: "网格书记约双方到网格党群服务站调解", resolution: "双方达成一致，矛盾化解"},
	{kind: kindHazard, category: "用电安全", weight: 6, texts: []string{"院内电线老化，私拉乱接，存在火灾隐患", "电动车在屋里充电，电线从窗户拉进来"},
		tiers: [4]int{5, 4, 1, 0}, tags: [3]int{5, 4, 1}, owner: "安全",
		onsite: "现场讲解用电安全，帮助拆除私拉电线、把电动车挪到院内充电", solution: "联系供电所电工上门检查，更换老化线路", resolution: "已更换老化线路，加装漏电保护器"},
	{kind: kindHazard, category: "消防安全", weight: 5, texts: []string{"柴草堆在院墙边，离灶房太近", "液化气罐胶管老化开裂"},
		tiers: [4]int{8, 2, 0, 0}, tags: [3]int{4, 4, 2}, owner: "安全",
		onsite: "现场帮助整改隐患，讲解防火常识", solution: "网格党员上门帮助清理整改", resolution: "隐患已整改到位"},
	{kind: kindNeed, category: "环境卫生", weight: 6, texts: []string{"村西头垃圾桶满溢，清运不及时，夏天有异味", "房后沟渠堆满垃圾，清理后又有人倒"},
		tiers: [4]int{1, 5, 3, 0}, tags: [3]int{1, 5, 4}, owner: "安全",
		onsite: "现场联系保洁员当天清运", solution: "调整保洁员清运频次，增设垃圾桶并立警示牌", resolution: "已增设垃圾桶，清运改为每天一次"},
	{kind: kindNightSchool, category: "乡村夜校", weight: 6, texts: []string{"希望夜校开设电商直播课程，学习在网上卖桃", "想学果树修剪和病虫害防治技术", "希望开设智能手机使用课，教老人视频通话、缴费", "希望请律师讲讲土地流转、继承方面的法律知识"},
		tiers: [4]int{2, 4, 4, 0}, tags: [3]int{0, 2, 8}, owner: "党建",
		onsite: "现场登记课程意向，告知夜校开课安排", solution: "纳入下期乡村夜校课程，邀请县里讲师授课", resolution: "已在乡村夜校开课，通知本户参加"},
	{kind: kindHardship, category: "残疾人服务", weight: 3, texts: []string{"残疾证到期需要换证，本人行动不便去不了县里", "想申请轮椅等辅助器具"},
		tiers: [4]int{1, 5, 3, 0}, tags: [3]int{1, 5, 4}, owner: "民政",
		onsite: "现场讲解办理流程，帮助线上预约", solution: "联系县残联上门评残、换证，申请辅助器具", resolution: "县残联已上门办理", needs: []string{specialDisabled}},
	{kind: kindHardship, category: "留守儿童", weight: 3, texts: []string{"孩子父母在外务工，爷爷奶奶辅导作业困难", "孩子放学后无人看管，常去河边玩耍"},
		tiers: [4]int{1, 6, 3, 0}, tags: [3]int{2, 5, 3}, owner: "妇联",
		onsite: "现场叮嘱防溺水安全，留下网格书记电话", solution: "安排团员志愿者每周两次上门辅导作业，纳入关爱台账", resolution: "已结对志愿者定期上门辅导", needs: []string{specialLeftBehind}},
	{kind: kindHardship, category: "老人关爱", weight: 4, texts: []string{"老人独自生活，冬季取暖有困难", "老人腿脚不便，买药不方便"},
		tiers: [4]int{1, 6, 2, 0}, tags: [3]int{3, 5, 2}, owner: "民政",
		onsite: "现场帮助联系卫生室送药上门", solution: "网格党员结对帮扶，每周上门探望，协调送药、送煤", resolution: "已落实结对党员每周探望，取暖煤已送到", needs: []string{specialAlone, specialLiveAlone}},
	{kind: kindNeed, category: "就业", weight: 4, texts: []string{"家中有富余劳动力，希望在附近找活干", "想了解合作社用工情况"},
		tiers: [4]int{2, 4, 3, 1}, tags: [3]int{0, 3, 7}, owner: "财务",
		onsite: "现场介绍合作社用工情况，留下联系方式", solution: "推荐到新村果品合作社和镇工业园务工", township: "镇人社所组织专场招聘会", resolution: "已推荐上岗"},
	{kind: kindHazard, category: "信访", weight: 2, texts: []string{"反映土地流转租金拖欠半年未付", "对调地结果有意见，有上访想法"},
		tiers: [4]int{0, 1, 3, 4}, tags: [3]int{5, 4, 1}, owner: "综治",
		solution: "新村党委约流转方核对合同，限期支付", township: "镇经管站牵头核实合同，督促流转方支付", resolution: "问题已处理到位，当事人表示不再上访"},
	{kind: kindNeed, category: "排水", weight: 4, texts: []string{"雨季街道积水，排水沟堵塞", "门前排水沟盖板破损，老人孩子容易绊倒"},
		tiers: [4]int{1, 5, 3, 1}, tags: [3]int{2, 5, 3}, owner: "安全",
		onsite: "现场组织党员清理堵塞的沟口", solution: "组织清淤疏通排水沟，更换破损盖板", township: "纳入镇雨污分流项目", resolution: "排水沟已清淤，盖板已更换"},
	{kind: kindNeed, category: "证件办理", weight: 3, texts: []string{"老人身份证过期，行动不便去不了派出所", "户口本丢了，孩子上学要用"},
		tiers: [4]int{4, 5, 0, 0}, tags: [3]int{1, 4, 5}, owner: "民政",
		onsite: "现场帮助线上预约补办，约定派出所上门采集", solution: "网格书记联系派出所上门办理", resolution: "派出所已上门办理"},
	{kind: kindSuggestion, category: "公共设施", weight: 3, texts: []string{"希望在村口空地建个小广场，晚上能跳舞健身", "建议在学校门口路段加装减速带"},
		tiers: [4]int{0, 3, 5, 2}, tags: [3]int{0, 3, 7}, owner: "财务",
		solution: "纳入新村公共设施建设计划，由两委研究选址", township: "申请镇美丽乡村项目资金", resolution: "已完成施工，群众已在使用"},
}

// tagDays is the time allowed to settle a concern by its tag (办结时限).
func tagDays(t store.Tag) int {
	switch t {
	case store.TagRed:
		return 3
	case store.TagYellow:
		return 7
	}
	return 15
}

// tierRank orders the tiers from on site (0) to township (3).
func tierRank(t store.Tier) int { return slices.Index(store.Tiers(), t) }

// concernRec is a concern with what it was built from, so it can be built again with a
// different tier, tag or outcome when the ledger lacks one.
type concernRec struct {
	id        string
	c         store.Concern
	village   *village
	rec       *visitRec
	issue     *issue
	text      string
	residents []string
	tier      store.Tier // the tier it is meant to reach
	tag       store.Tag
	open      bool // kept open on purpose: its owner has not finished
	// bounces is how many times the concern is to bounce at the village tier (退回, 推诿):
	// returned to its grid once, then handed from owner to owner. Three make it a problem
	// case; only a few early village-tier concerns are given any (see ensureLedger).
	bounces int
	offset  time.Duration
}

// concerns raises concerns at about one visit in six (a few raise two), numbered per
// village in the order they were raised, and builds each one's history to today.
func (g *gen) concerns() {
	for _, v := range g.villages {
		for _, r := range v.visits {
			k := 0
			if g.chance(0.16) {
				k = 1
				if g.chance(0.2) {
					k = 2
				}
			}
			var taken []*issue
			for j := range k {
				is := g.chooseIssue(r.house, taken)
				taken = append(taken, is)
				cr := &concernRec{
					village: v, rec: r, issue: is, text: g.pick(is.texts), residents: g.raiser(r, is),
					tier: store.Tiers()[g.weighted(is.tiers[:]...)], tag: store.Tags()[g.weighted(is.tags[:]...)],
					offset: time.Duration(3*j) * time.Minute,
				}
				cr.id = store.ConcernID(v.spec.code, uint64(len(v.concerns)+1))
				cr.c = g.buildConcern(cr)
				r.v.Concerns = append(r.v.Concerns, cr.c.ID)
				r.v.Findings = append(r.v.Findings, store.Finding{Kind: is.kind, Category: is.category, Text: cr.text})
				v.concerns = append(v.concerns, cr)
			}
		}
	}
	g.ensureLedger()
}

// chooseIssue picks what a household raises: often something about its special groups.
func (g *gen) chooseIssue(h *house, taken []*issue) *issue {
	sp := h.specials()
	fits := func(is *issue) bool {
		return len(is.needs) == 0 || slices.ContainsFunc(is.needs, func(s string) bool { return slices.Contains(sp, s) })
	}
	special := func(is *issue) bool {
		return slices.ContainsFunc(append(slices.Clone(is.needs), is.prefers...), func(s string) bool { return slices.Contains(sp, s) })
	}
	var general, fitting []*issue
	var gw, fw []int
	for i := range issues {
		is := &issues[i]
		if slices.Contains(taken, is) || !fits(is) {
			continue
		}
		general, gw = append(general, is), append(gw, is.weight)
		if special(is) {
			fitting, fw = append(fitting, is), append(fw, is.weight)
		}
	}
	if len(fitting) > 0 && g.chance(0.6) {
		return fitting[g.weighted(fw...)]
	}
	return general[g.weighted(gw...)]
}

// raiser returns who a concern is about: the person in the special group it concerns, or
// whoever of the household spoke to the visitors, the head if at home.
func (g *gen) raiser(r *visitRec, is *issue) []string {
	for _, res := range r.house.h.Residents {
		if slices.ContainsFunc(res.Special, func(s string) bool { return slices.Contains(is.needs, s) }) {
			return []string{res.ID}
		}
	}
	head := r.house.h.Head().ID
	if slices.Contains(r.v.Present, head) {
		return []string{head}
	}
	return []string{r.v.Present[0]}
}

// buildConcern builds a concern's state and history from its visit to today: claimed on
// site, or sent up to the grid that evening, up a tier every day or two while it must
// climb, planned within a few days, worked on, and settled some time around its deadline.
// The owner is one of the people the store lets own it at its tier: the grid's secretary,
// a village cadre whose portfolio covers it, or the township official whose office does.
// A concern meant to bounce is returned from the village to its grid and sent up again, and
// then passed from owner to owner, each move a day apart.
// Whatever would happen today or later has not happened yet, so the newest concerns are
// still new (with the deadline their tag sets, but no plan) or only planned.
func (g *gen) buildConcern(cr *concernRec) store.Concern {
	v, r, is := cr.village, cr.rec, cr.issue
	created := r.v.At.Add(cr.offset)
	by := r.v.By
	c := store.Concern{
		ID: cr.id, Village: v.spec.code, Grid: r.v.Grid, Household: r.v.Household, Residents: slices.Clone(cr.residents),
		Visit: r.v.ID, Group: r.v.Group, Category: is.category, Description: cr.text, Tag: cr.tag,
		Tier: store.TierOnSite, Status: store.StatusNew, CreatedAt: created, CreatedBy: by,
		Moves: []store.Move{
			{At: created, By: by, Action: "create", To: string(store.TierOnSite)},
			{At: created, By: by, Action: "tag", To: string(cr.tag)},
		},
	}
	mv := func(at time.Time, by, action, from, to, reason string) {
		c.Moves = append(c.Moves, store.Move{At: at, By: by, Action: action, From: from, To: to, Reason: reason})
	}
	if cr.tier == store.TierOnSite {
		at := created.Add(time.Duration(g.between(2, 8)*5) * time.Minute)
		who := v.byID[g.pick(r.v.Members)].m.Name
		c.Status, c.Resolution, c.ResolvedBy, c.ResolvedAt = store.StatusResolved, is.onsite, who, at
		mv(at, who, "resolve", string(store.StatusNew), string(store.StatusResolved), is.onsite)
		return c
	}
	at := created.Add(time.Duration(g.between(4, 18)*5) * time.Minute)
	mv(at, by, "tier", string(store.TierOnSite), string(store.TierGrid), "现场无法解决，由走访小组汇总报被走访网格党组织")
	c.Tier = store.TierGrid
	c.Plan.Deadline = date(g.dayOf(created).AddDate(0, 0, tagDays(cr.tag)))
	gridSec := r.group.grid.secretary.m.Name
	// later returns a time in office hours a day or two after at, and whether it is still
	// before today (what has not happened yet is not written).
	later := func() (time.Time, bool) {
		next := g.officeTime(g.dayOf(at).AddDate(0, 0, g.between(1, 2)))
		return next, next.Before(g.today)
	}
	for _, step := range []struct {
		tier       store.Tier
		by, reason string
	}{
		{store.TierVillage, gridSec, "网格党组织难以化解，提报新村党委统筹解决"},
		{store.TierTownship, v.captain.m.Name, "涉及资金和部门协调，超出新村能力，报镇党委托底解决"},
	} {
		if tierRank(cr.tier) < tierRank(step.tier) {
			break
		}
		next, ok := later()
		if !ok {
			return c
		}
		mv(next, step.by, "tier", string(c.Tier), string(step.tier), step.reason)
		c.Tier, at = step.tier, next
		if step.tier == store.TierVillage && cr.bounces > 0 {
			// Sent back down to the grid, which sends it up again: a bounce, then the
			// plan's path again (no bounce).
			if at, ok = later(); !ok {
				return c
			}
			mv(at, v.captain.m.Name, "return", string(store.TierVillage), string(store.TierGrid), "经核实属网格职责，退回网格办理")
			c.Tier = store.TierGrid
			if at, ok = later(); !ok {
				return c
			}
			mv(at, gridSec, "tier", string(store.TierGrid), string(store.TierVillage), "网格无力协调资金和施工，再次提报新村党委")
			c.Tier = store.TierVillage
		}
	}
	// The grid secretary or the committee meets on it within a few days.
	planAt := g.officeTime(g.dayOf(at).AddDate(0, 0, g.between(1, 3)))
	if !planAt.Before(g.today) {
		return c
	}
	var decider, owner, ownerID string
	solution := is.solution
	switch c.Tier {
	case store.TierGrid:
		sec := v.gridSecretary(c.Grid)
		owner, ownerID, decider = sec.Name, sec.ID, gridSec
	case store.TierVillage:
		decider = v.captain.m.Name
		o := v.owner(is.owner)
		if is.category == v.spec.project { // a common issue: the secretary leads it in person
			o, c.Project = v.cadres[0], v.projectID()
		}
		owner, ownerID = o.Name, o.ID
	case store.TierTownship:
		decider = v.spec.leader
		owner, ownerID = officialFor(is.owner)
		if is.township != "" {
			solution = is.township
		}
	}
	c.Plan.Solution, c.Plan.Owner, c.Plan.OwnerID, c.Status = solution, owner, ownerID, store.StatusPlanned
	mv(planAt, decider, "plan", "", owner, solution)
	if c.Project != "" {
		mv(planAt, decider, "project", "", c.Project, v.spec.projectName)
	}
	at = planAt
	// Passed on within the village: each a bounce (推诿).
	for i := 1; i < cr.bounces && c.Tier == store.TierVillage && c.Project == ""; i++ {
		next, ok := later()
		if !ok {
			return c
		}
		o := v.committee[(slices.IndexFunc(v.committee, func(x store.Cadre) bool { return x.ID == c.Plan.OwnerID })+1)%len(v.committee)]
		mv(next, decider, "owner", c.Plan.Owner, o.Name, "原责任人称不属分管范围，改由"+o.Name+"负责")
		c.Plan.Owner, c.Plan.OwnerID, owner, at, planAt = o.Name, o.ID, o.Name, next, next
	}
	workAt := g.officeTime(g.dayOf(planAt).AddDate(0, 0, g.between(0, 3)))
	if !workAt.After(planAt) {
		workAt = planAt.Add(2 * time.Hour)
	}
	if !workAt.Before(g.today) {
		return c
	}
	c.Status = store.StatusInProgress
	mv(workAt, owner, "status", string(store.StatusPlanned), string(store.StatusInProgress), "")
	// Most are settled within their time; some run over, and those still open are overdue.
	lo, hi := 0.4, 1.5
	switch c.Tier {
	case store.TierVillage:
		lo, hi = 0.5, 1.8
	case store.TierTownship:
		lo, hi = 0.7, 2.2
	}
	days := int(math.Ceil(float64(tagDays(cr.tag)) * g.frac(lo, hi)))
	doneAt := g.officeTime(g.dayOf(created).AddDate(0, 0, days))
	if !doneAt.After(workAt) {
		doneAt = workAt.Add(time.Duration(g.between(1, 3)) * time.Hour)
	}
	if cr.open || !doneAt.Before(g.today) {
		return c
	}
	c.Status, c.Resolution, c.ResolvedBy, c.ResolvedAt = store.StatusResolved, is.resolution, owner, doneAt
	mv(doneAt, owner, "resolve", string(store.StatusInProgress), string(store.StatusResolved), is.resolution)
	return c
}

// ensureLedger rebuilds a few early concerns if chance left the ledger without a tier, a
// tag or an overdue item: the demo must show every part of the ledger. Early concerns have
// had the time to climb to any tier. It also makes the problem cases the township chases:
// in the first villages, an early village-tier concern bounces three times (two of them)
// or twice (one), and is still open.
func (g *gen) ensureLedger() {
	var all []*concernRec
	for _, v := range g.villages {
		all = append(all, v.concerns...)
	}
	if len(all) == 0 {
		return
	}
	for i, v := range g.villages[:min(3, len(g.villages))] {
		if cr := first(v.concerns, func(cr *concernRec) bool {
			return cr.tier == store.TierVillage && cr.issue.category != v.spec.project
		}); cr != nil {
			cr.bounces, cr.open = []int{3, 3, 2}[i], true
			cr.c = g.buildConcern(cr)
		}
	}
	today := date(g.today)
	for range 10 {
		tiers, tags := map[store.Tier]int{}, map[store.Tag]int{}
		overdue := false
		for _, cr := range all {
			tiers[cr.c.Tier]++
			tags[cr.c.Tag]++
			overdue = overdue || cr.c.Overdue(today)
		}
		changed := false
		for i, t := range store.Tiers() {
			if tiers[t] > 0 {
				continue
			}
			if cr := first(all, func(cr *concernRec) bool { return cr.tier != t && cr.issue.tiers[i] > 0 && tiers[cr.c.Tier] > 1 }); cr != nil {
				cr.tier, changed = t, true
				cr.c = g.buildConcern(cr)
			}
		}
		for i, t := range store.Tags() {
			if tags[t] > 0 {
				continue
			}
			if cr := first(all, func(cr *concernRec) bool { return cr.issue.tags[i] > 0 && tags[cr.c.Tag] > 1 }); cr != nil {
				cr.tag, changed = t, true
				cr.c = g.buildConcern(cr)
			}
		}
		if !overdue {
			if cr := first(all, func(cr *concernRec) bool {
				return !cr.open && (cr.c.Tier == store.TierGrid || cr.c.Tier == store.TierVillage) && tiers[cr.c.Tier] > 1
			}); cr != nil {
				cr.open, changed = true, true
				cr.c = g.buildConcern(cr)
			}
		}
		if !changed {
			return
		}
	}
}

// first returns the first element of s for which ok holds, or nil.
func first[T any](s []*T, ok func(*T) bool) *T {
	for _, x := range s {
		if ok(x) {
			return x
		}
	}
	return nil
}

// revisitPlan is a revisit about to be made, decided before any is written so the township
// can be given a couple of failures to follow up and no more.
type revisitPlan struct {
	cr   *concernRec
	at   time.Time
	good bool
}

// revisits goes back to households a few days after their concerns were settled, and after
// the deadline (回头看). Most are satisfied and their concerns closed; a couple are not, and
// those are reopened and supervised by the township leader in charge of the village.
func (g *gen) revisits() {
	var plans []*revisitPlan
	for _, v := range g.villages {
		for _, cr := range v.concerns {
			c := &cr.c
			if c.Status != store.StatusResolved {
				continue
			}
			day := g.dayOf(c.ResolvedAt).AddDate(0, 0, g.between(1, 4))
			if c.Plan.Deadline != "" {
				dl, _ := time.ParseInLocation(time.DateOnly, c.Plan.Deadline, g.loc)
				if after := dl.AddDate(0, 0, 1); day.Before(after) {
					day = after
				}
			}
			at := g.officeTime(day)
			if !at.Before(g.today) || !g.chance(0.6) {
				continue
			}
			plans = append(plans, &revisitPlan{cr: cr, at: at, good: c.Tier == store.TierOnSite || !g.chance(0.06)})
		}
	}
	// count returns the plans of this outcome that may fail: on-site answers are settled
	// with the household there and then.
	count := func(good bool) []*revisitPlan {
		var out []*revisitPlan
		for _, p := range plans {
			if p.good == good && p.cr.c.Tier != store.TierOnSite {
				out = append(out, p)
			}
		}
		return out
	}
	for bad := count(false); len(bad) < 2; bad = count(false) {
		good := count(true)
		if len(good) == 0 {
			break
		}
		good[g.rng.IntN(len(good))].good = false
	}
	for bad := count(false); len(bad) > 4; bad = count(false) {
		bad[g.rng.IntN(len(bad))].good = true
	}
	for _, v := range g.villages {
		var mine []*revisitPlan
		for _, p := range plans {
			if p.cr.village == v {
				mine = append(mine, p)
			}
		}
		slices.SortStableFunc(mine, func(a, b *revisitPlan) int { return a.at.Compare(b.at) })
		for i, p := range mine {
			v.revisits = append(v.revisits, g.revisit(p, fmt.Sprintf("%s-R%03d", v.spec.code, i+1)))
		}
	}
}

// revisit writes one revisit form and what it does to its concern.
func (g *gen) revisit(p *revisitPlan, id string) store.Revisit {
	v, c := p.cr.village, &p.cr.c
	by := g.pick(v.officers)
	rv := store.Revisit{ID: id, Village: v.spec.code, Concern: c.ID, Household: c.Household, Group: c.Group,
		Date: date(p.at), Met: slices.Clone(c.Residents), By: by, At: p.at}
	mv := func(at time.Time, by, action, from, to, reason string) {
		c.Moves = append(c.Moves, store.Move{At: at, By: by, Action: action, From: from, To: to, Reason: reason})
	}
	if p.good {
		rv.Solved = "solved"
		rv.Satisfaction = []string{store.SatVeryGood, store.SatGood, store.SatFair}[g.weighted(45, 40, 15)]
		rv.Comment = g.pick(goodComments)
		mv(p.at, by, "revisit", "", rv.ID, rv.Satisfaction+"："+rv.Comment)
		mv(p.at.Add(10*time.Minute), by, "close", string(store.StatusResolved), string(store.StatusClosed), "回访满意，销号")
		c.Status = store.StatusClosed
		return rv
	}
	if g.chance(0.5) {
		rv.Solved, rv.Satisfaction, rv.Comment = "partly", g.pick([]string{store.SatFair, store.SatPoor}), g.pick(partlyComments)
	} else {
		rv.Solved, rv.Satisfaction, rv.Comment = "not", g.pick([]string{store.SatPoor, store.SatVeryPoor}), g.pick(notComments)
	}
	leader := v.spec.leader
	// Reopened (a bounce) and supervised, with the supervision deadline the store gives.
	due := date(g.dayOf(p.at).AddDate(0, 0, store.SupervisionDays))
	mv(p.at, by, "revisit", "", rv.ID, rv.Satisfaction+"："+rv.Comment)
	mv(p.at.Add(30*time.Minute), by, "reopen", string(store.StatusResolved), string(store.StatusReopened), "回访发现解决不到位")
	mv(p.at.Add(90*time.Minute), "镇党委", "supervise", "", leader, "镇党委通报，包新村镇领导挂牌督办")
	mv(p.at.Add(90*time.Minute), "镇党委", "due", c.Plan.Deadline, due, "supervise")
	mv(p.at.Add(2*time.Hour), leader, "plan", "", c.Plan.Owner, "限期重新办理，时限"+due)
	c.Plan.Deadline, c.Plan.DeadlineSet = due, true
	c.Status, c.Supervisor = store.StatusReopened, leader
	// The old resolution did not hold; it stays in the history, not on the concern.
	c.Resolution, c.ResolvedBy, c.ResolvedAt = "", "", time.Time{}
	return rv
}
