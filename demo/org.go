package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"sanbai/store"
)

// group is a visit group with its route while it is generated.
type group struct {
	g      store.Group
	grid   *grid // the grid it visits
	leader *member
	deputy *member
	others []*member
	route  store.Route
	houses []*house    // route order
	days   []time.Time // planned day of each route day
	// progress is the share of its route the group has set out to have walked by now.
	progress float64
}

// cadres appoints the village's cadres and forms its visit team.
func (g *gen) cadres(v *village) {
	used := map[*member]bool{}
	// choose appoints a member of pool, preferring full members in the age range who live
	// at home; small pools fall back to anyone not yet appointed.
	choose := func(pool []*member, lo, hi int) *member {
		tiers := []func(*member) bool{
			func(m *member) bool { return m.able && !m.m.Probationary && m.age >= lo && m.age <= hi },
			func(m *member) bool { return m.able && !m.m.Probationary },
			func(m *member) bool { return true },
		}
		for _, ok := range tiers {
			var c []*member
			for _, m := range pool {
				if !used[m] && ok(m) {
					c = append(c, m)
				}
			}
			if len(c) > 0 {
				m := c[g.rng.IntN(len(c))]
				used[m] = true
				return m
			}
		}
		return nil
	}
	// Grid secretaries first: each must come from its own grid, the scarcest pool.
	for _, gr := range v.grids {
		gr.secretary = choose(gr.members, 35, 62)
		gr.g.Secretary = gr.secretary.m.ID
	}
	v.captain = choose(v.members, 40, 60)
	var committee, supervisors []*member
	for range 3 + g.weighted(30, 70) {
		committee = append(committee, choose(v.members, 30, 60))
	}
	for range 2 {
		supervisors = append(supervisors, choose(v.members, 35, 68))
	}

	rota := g.rng.IntN(7)
	duty := func(part string) string {
		rota++
		return weekdays[rota%7] + " " + part
	}
	add := func(c store.Cadre) store.Cadre {
		c.ID = fmt.Sprintf("%s-C%02d", v.spec.code, len(v.cadres)+1)
		c.Village = v.spec.code
		v.cadres = append(v.cadres, c)
		return c
	}
	fromMember := func(m *member, post, duties, part string) store.Cadre {
		return add(store.Cadre{Name: m.m.Name, Post: post, Member: m.m.ID, Duties: duties, Phone: m.m.Phone, Duty: duty(part)})
	}
	captain := fromMember(v.captain, store.PostSecretary, "全面工作、头雁工程", "全天")
	// The first secretary is posted from a county office and the guiding officer from the
	// township: neither lives in the village.
	first := add(store.Cadre{Name: g.outsider(), Post: store.PostFirstSecretary,
		Duties: g.pick(countyOffices) + "选派；抓党建促振兴、项目争取", Phone: g.phone(), Duty: duty("全天")})
	guide := add(store.Cadre{Name: g.outsider(), Post: store.PostGuide,
		Duties: g.pick(townshipOffices) + "下沉；指导督导、走访台账", Phone: g.phone(), Duty: duty("全天")})
	for _, gr := range v.grids {
		m := gr.secretary
		add(store.Cadre{Name: m.m.Name, Post: store.PostGridSecretary, Grid: gr.g.Code, Member: m.m.ID,
			Duties: gr.g.Name + "党建、入户走访、矛盾调解", Phone: m.m.Phone, Duty: duty(g.pick([]string{"上午", "下午"}))})
	}
	// The first three portfolios are always held; a fourth member takes one of the rest.
	duties := slices.Clone(committeeDuties[:3])
	duties = append(duties, committeeDuties[3+g.rng.IntN(len(committeeDuties)-3)])
	for i, m := range committee {
		v.committee = append(v.committee, fromMember(m, store.PostCommittee, duties[i], "全天"))
	}
	for i, m := range supervisors {
		fromMember(m, store.PostSupervisor, supervisorDuties[i], "上午")
	}
	v.officers = []string{first.Name, guide.Name}
	v.team = store.Team{Village: v.spec.code, Captain: captain.ID, Officers: []string{first.ID, guide.ID}}
}

// outsider returns the name of someone posted to the village from outside it.
func (g *gen) outsider() string {
	gender := male
	if g.chance(0.3) {
		gender = female
	}
	return g.pickRune(surnames) + g.pick(nameList(gender, g.today.Year()-g.between(28, 45)))
}

// owner returns the committee member whose portfolio covers word, or the village party
// secretary (the first cadre appointed) when no one's does.
func (v *village) owner(word string) store.Cadre {
	for _, c := range v.committee {
		if strings.Contains(c.Duties, word) {
			return c
		}
	}
	return v.cadres[0]
}

// gridSecretary returns the cadre row of a grid's secretary.
func (v *village) gridSecretary(grid string) store.Cadre {
	for _, c := range v.cadres {
		if c.Grid == grid && c.Post == store.PostGridSecretary {
			return c
		}
	}
	return store.Cadre{}
}

// projectID is the ID of the village's lead project (头雁工程), its first.
func (v *village) projectID() string { return v.spec.code + "-P01" }

// officialFor returns the name and ID of the township official whose office owns a matter
// (by its portfolio word), or the township's party secretary when no office does.
func officialFor(word string) (name, id string) {
	for i, o := range townshipOfficials {
		if word != "" && o.word == word {
			return o.name, store.OfficialID(i + 1)
		}
	}
	return townshipOfficials[0].name, store.OfficialID(1)
}

// groups forms one visit group per grid across grid lines, and plans each group's route.
func (g *gen) groups(v *village) {
	n := len(v.grids)
	// Leaders rotate: group i is led by the secretary of grid i+shift, never its own.
	shift := g.between(1, n-1)
	used := map[*member]bool{v.captain: true}
	for _, gr := range v.grids {
		used[gr.secretary] = true
	}
	pickFrom := func(ok func(*member) bool) *member {
		var c []*member
		for _, m := range v.members {
			if !used[m] && ok(m) {
				c = append(c, m)
			}
		}
		if len(c) == 0 {
			return nil
		}
		m := c[g.rng.IntN(len(c))]
		used[m] = true
		return m
	}
	for i, gr := range v.grids {
		gp := &group{grid: gr, leader: v.grids[(i+shift)%n].secretary}
		// Deputies before anyone else: each grid must keep one of its own for its group.
		gp.deputy = pickFrom(func(m *member) bool { return m.m.Grid == gr.g.Code && m.able })
		if gp.deputy == nil {
			gp.deputy = pickFrom(func(m *member) bool { return m.m.Grid == gr.g.Code })
		}
		v.groups = append(v.groups, gp)
	}
	for i, gp := range v.groups {
		code := gp.grid.g.Code
		for range g.between(2, 3) {
			if m := pickFrom(func(m *member) bool { return m.m.Grid != code && m.able }); m != nil {
				gp.others = append(gp.others, m)
			}
		}
		gp.g = store.Group{
			ID: fmt.Sprintf("%s-G%d", v.spec.code, i+1), Village: v.spec.code, Name: "第" + groupNumbers[i] + "组",
			Grids: []string{code}, Leader: gp.leader.m.ID, Deputy: gp.deputy.m.ID,
		}
		for _, m := range gp.others {
			gp.g.Members = append(gp.g.Members, m.m.ID)
		}
		g.route(gp)
	}
}

// route orders the visited grid's households by address and cuts them into days of about
// 12–18 households, the first about twenty days ago and then every two to five days.
func (g *gen) route(gp *group) {
	gp.houses = slices.Clone(gp.grid.houses)
	slices.SortStableFunc(gp.houses, func(a, b *house) int { return strings.Compare(a.h.Address, b.h.Address) })
	gp.route = store.Route{Group: gp.g.ID, Village: gp.g.Village}
	for _, h := range gp.houses {
		gp.route.Households = append(gp.route.Households, h.h.ID)
	}
	day := g.day(-g.between(19, 22))
	for start, n := 0, len(gp.houses); start < n; {
		size, rest := 0, n-start
		switch {
		case rest <= 18:
			size = rest
		case rest < 24: // two short days rather than a long one and a stub
			size = rest / 2
		default:
			size = g.between(12, 18)
			if rest-size < 12 {
				size = rest - 12
			}
		}
		gp.route.Days = append(gp.route.Days, store.RouteDay{Date: date(day), Start: start})
		gp.days = append(gp.days, day)
		start += size
		day = day.AddDate(0, 0, g.between(2, 5))
	}
	gp.progress = g.frac(0.30, 0.95)
}

// noteOwners gives each owner of the village's concerns the note the store gives a name two
// candidates share (store.Candidates), so that rows tell them apart as they do for owners
// given in the store.
func noteOwners(cs []store.Concern, v *village, officials []store.Official) {
	gridNames := map[string]string{}
	for _, gr := range v.grids {
		gridNames[gr.g.Code] = gr.g.Name
	}
	members := make([]store.Member, 0, len(v.members))
	for _, m := range v.members {
		members = append(members, m.m)
	}
	candidates := map[string][]store.Owner{} // by tier and grid
	for i := range cs {
		c := &cs[i]
		if c.Village != v.spec.code || c.Plan.OwnerID == "" {
			continue
		}
		k := string(c.Tier) + "/" + c.Grid
		if _, ok := candidates[k]; !ok {
			candidates[k] = store.Candidates(c.Tier, c.Grid, officials, v.cadres, members, gridNames)
		}
		for _, o := range candidates[k] {
			if o.ID == c.Plan.OwnerID {
				c.Plan.OwnerNote = o.Note
			}
		}
	}
}
