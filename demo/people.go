package demo

import (
	"fmt"
	"slices"
	"strings"

	"sanbai/store"
)

// Special groups (特殊群体) as the township writes them. 困难家庭 and 低保户 describe a
// household; the others describe a person.
const (
	specialHardship   = "困难家庭"
	specialDibao      = "低保户"
	specialAlone      = "孤寡老人"
	specialLiveAlone  = "独居老人"
	specialLeftBehind = "留守儿童"
	specialDisabled   = "残疾人"
)

// Political status (政治面貌).
const (
	polMember       = "中共党员"
	polProbationary = "中共预备党员"
	polLeague       = "共青团员"
	polMasses       = "群众"
)

// Reasons a resident is away from home at a visit (Visit.Away).
const (
	awayWork    = "外出务工"
	awaySchool  = "在校就读"
	awayMedical = "外出就医"
	awayOther   = "其他"
)

const (
	male   = "男"
	female = "女"
)

// village is one village while it is generated; the store rows are filled in as it grows.
type village struct {
	spec    villageSpec
	v       store.Village
	grids   []*grid
	members []*member
	byID    map[string]*member

	cadres    []store.Cadre
	committee []store.Cadre
	team      store.Team
	captain   *member // the village party secretary, as a member
	// officers are the names of the first secretary and the village guiding officer, who
	// type in the forms.
	officers []string

	groups   []*group
	visits   []*visitRec
	concerns []*concernRec
	revisits []store.Revisit
}

// grid is one grid while it is generated.
type grid struct {
	spec      gridSpec
	g         store.Grid
	houses    []*house // by household ID
	members   []*member
	secretary *member
}

// house is a household with what the store does not keep about its people.
type house struct {
	h    store.Household
	info []person // parallel to h.Residents
	grid *grid
}

// person is what the generator knows about a resident beyond the store row.
type person struct {
	// level is the generation: 0 the head's parents, 1 the head and spouse, 2 children,
	// 3 grandchildren. Each level is born at least 20 years after the one above.
	level   int
	year    int
	away    string // usual absence: working away or at college; "" when living at home
	parents []int  // indexes of the resident's parents in the same household
}

// member is a party member with the resident behind it.
type member struct {
	m   store.Member
	age int
	// able marks members who can walk a route: living at home and of working age.
	able bool
}

// village builds a village's grids, households and party members.
func (g *gen) village(spec villageSpec) *village {
	v := &village{spec: spec, v: store.Village{Code: spec.code, Name: spec.name, Leader: spec.leader}, byID: map[string]*member{}}
	for i, gs := range spec.grids {
		gr := &grid{spec: gs, g: store.Grid{Code: fmt.Sprintf("%s%02d", spec.code, i+1), Village: spec.code, No: i + 1, Name: gs.name}}
		if gs.name == "" {
			gr.g.Name = fmt.Sprintf("%d网格", i+1)
		}
		g.households(gr)
		g.topUpMembers(gr)
		v.grids = append(v.grids, gr)
	}
	g.members(v)
	return v
}

// households fills a grid with 80–96 households along its streets.
func (g *gen) households(gr *grid) {
	addrs := g.addresses(gr.spec, g.between(80, 96))
	// Household numbers were handed out by the registry over the years, not along the
	// street, so the route (by address) and the register (by ID) differ as they do in life.
	order := g.rng.Perm(len(addrs))
	gr.houses = make([]*house, len(addrs))
	for i, a := range addrs {
		h := &house{grid: gr, h: store.Household{ID: fmt.Sprintf("%s-%04d", gr.g.Code, order[i]+1), Village: gr.g.Village, Grid: gr.g.Code, Address: a}}
		g.family(h)
		g.traits(h)
		gr.houses[order[i]] = h
	}
}

// addresses returns n addresses along the grid's streets in walking order. Numbers keep one
// width per street (rows and houses 1–9, street numbers 10–99), so sorting addresses as
// text walks each street from one end to the other.
func (g *gen) addresses(spec gridSpec, n int) []string {
	out := make([]string, 0, n)
	k := len(spec.streets)
	for s, street := range spec.streets {
		count := n / k
		if s < n%k {
			count++
		}
		if spec.rows {
			row, no, perRow := 1, 0, g.between(6, 9)
			for range count {
				if no++; no > perRow {
					row, no, perRow = row+1, 1, g.between(6, 9)
				}
				out = append(out, fmt.Sprintf("%s%s%d排%d号", spec.hamlet, street, row, no))
			}
			continue
		}
		num := g.between(10, 12)
		for range count {
			out = append(out, fmt.Sprintf("%s %s%d号", spec.hamlet, street, num))
			num++
			if g.chance(0.3) { // an empty plot or a house pulled down
				num++
			}
		}
	}
	return out
}

// family fills a household with one of the shapes rural households take.
func (g *gen) family(h *house) {
	Y := g.today.Year()
	sur := g.clanSurname(h.grid.spec)
	wife := g.otherSurname(sur)
	roll := g.rng.IntN(100)
	switch {
	case roll < 10: // an old person living alone
		if g.chance(0.65) {
			g.add(h, wife, store.RelationHead, female, Y-g.between(70, 92), 1, g.marriedInRegion(), nil)
		} else {
			g.add(h, sur, store.RelationHead, male, Y-g.between(70, 90), 1, homeRegion, nil)
		}
	case roll < 38: // an old couple whose children have households of their own
		hy := Y - g.between(58, 86)
		g.add(h, sur, store.RelationHead, male, hy, 1, homeRegion, nil)
		g.add(h, wife, "配偶", female, hy+g.between(-1, 5), 1, g.marriedInRegion(), nil)
	case roll < 63: // a couple and their children
		hy, sy := g.couple(h, sur, wife, Y-g.between(27, 52))
		g.children(h, sur, "子", "女", hy, sy, g.weighted(0, 40, 50, 10), 2, []int{0, 1})
		if Y-hy <= 50 && g.chance(0.25) {
			h.info[0].away = awayWork
		}
	case roll < 83: // three generations: the old couple, their son's family
		hy := Y - g.between(52, 78)
		sy := hy
		var parents []int
		if g.chance(0.12) { // the old man has died; his widow heads the household
			g.add(h, wife, store.RelationHead, female, hy, 1, g.marriedInRegion(), nil)
			parents = []int{0}
		} else {
			hy, sy = g.couple(h, sur, wife, hy)
			parents = []int{0, 1}
		}
		older, younger := min(hy, sy), max(hy, sy)
		son := g.between(younger+21, min(older+38, Y-20))
		si := g.add(h, sur, "子", male, son, 2, homeRegion, parents)
		dil := min(max(son+g.between(-2, 4), younger+20), Y-20)
		di := g.add(h, g.otherSurname(sur), "儿媳", female, dil, 2, g.marriedInRegion(), nil)
		g.children(h, sur, "孙子", "孙女", son, dil, g.weighted(0, 55, 40, 5), 3, []int{si, di})
		if lo, hi := younger+21, min(older+42, Y-16); lo <= hi && g.chance(0.15) {
			g.add(h, sur, "女", female, g.between(lo, hi), 2, homeRegion, parents)
		}
		if Y-son <= 50 && g.chance(0.55) {
			h.info[si].away = awayWork
			if g.chance(0.5) {
				h.info[di].away = awayWork
			}
		}
	case roll < 90: // a couple and a grown son not yet married
		hy, sy := g.couple(h, sur, wife, Y-g.between(45, 66))
		if lo, hi := max(hy, sy)+21, min(min(hy, sy)+40, Y-18); lo <= hi {
			si := g.add(h, sur, "子", male, g.between(lo, hi), 2, homeRegion, []int{0, 1})
			if age := Y - h.info[si].year; age > 22 && age <= 40 && g.chance(0.5) {
				h.info[si].away = awayWork
			}
		}
	case roll < 97: // a young couple, their children and the head's parents
		hy, sy := g.couple(h, sur, wife, Y-g.between(28, 48))
		kids := g.children(h, sur, "子", "女", hy, sy, g.weighted(20, 45, 35), 2, []int{0, 1})
		fy := hy - g.between(22, 35)
		hasFather := g.chance(0.7)
		if hasFather {
			g.add(h, sur, "父亲", male, fy, 0, homeRegion, nil)
		}
		if !hasFather || g.chance(0.85) {
			g.add(h, g.otherSurname(sur), "母亲", female, min(fy+g.between(-1, 4), hy-20), 0, g.marriedInRegion(), nil)
		}
		if kids > 0 && g.chance(0.2) { // both parents work away; the grandparents raise the children
			h.info[0].away, h.info[1].away = awayWork, awayWork
		}
	default: // a daughter who stayed home with her husband (上门女婿)
		hy, sy := g.couple(h, sur, wife, Y-g.between(50, 70))
		older, younger := min(hy, sy), max(hy, sy)
		dy := g.between(younger+21, min(older+36, Y-22))
		di := g.add(h, sur, "女", female, dy, 2, homeRegion, []int{0, 1})
		sil := min(max(dy+g.between(-1, 4), younger+20), Y-22)
		si := g.add(h, g.otherSurname(sur), "女婿", male, sil, 2, g.marriedInRegion(), nil)
		// The children carry the family's surname: that is the point of 上门.
		g.children(h, sur, "孙子", "孙女", dy, sil, g.weighted(0, 60, 40), 3, []int{di, si})
		if g.chance(0.4) {
			h.info[si].away = awayWork
		}
	}
}

// couple adds a male head born in hy and his wife, and returns both birth years.
func (g *gen) couple(h *house, sur, wife string, hy int) (int, int) {
	sy := hy + g.between(-1, 4)
	g.add(h, sur, store.RelationHead, male, hy, 1, homeRegion, nil)
	g.add(h, wife, "配偶", female, sy, 1, g.marriedInRegion(), nil)
	return hy, sy
}

// children adds up to n children of parents born in py1 and py2 and returns how many it
// added: none when the parents are too young or too old to have had them.
func (g *gen) children(h *house, sur, boy, girl string, py1, py2, n, level int, parents []int) int {
	lo, hi := max(py1, py2)+21, min(min(py1, py2)+40, g.today.Year()-1)
	if lo > hi {
		return 0
	}
	for range n {
		if g.chance(0.5) {
			g.add(h, sur, boy, male, g.between(lo, hi), level, homeRegion, parents)
		} else {
			g.add(h, sur, girl, female, g.between(lo, hi), level, homeRegion, parents)
		}
	}
	return n
}

// add appends a resident and returns its index.
func (g *gen) add(h *house, surname, relation, gender string, year, level int, region string, parents []int) int {
	month := g.between(1, 12)
	r := store.Resident{
		ID:       fmt.Sprintf("%s-%d", h.h.ID, len(h.h.Residents)+1),
		Name:     surname + g.givenName(gender, year, h),
		Relation: relation,
		Gender:   gender,
		Born:     fmt.Sprintf("%04d-%02d", year, month),
		IDNumber: g.idNumber(region, year, month, gender == male),
	}
	h.h.Residents = append(h.h.Residents, r)
	h.info = append(h.info, person{level: level, year: year, parents: parents})
	return len(h.h.Residents) - 1
}

// givenName draws a given name of the person's era that no one else in the household has.
func (g *gen) givenName(gender string, year int, h *house) string {
	list := nameList(gender, year)
	for range 8 {
		n := g.pick(list)
		if !slices.ContainsFunc(h.h.Residents, func(r store.Resident) bool { return strings.HasSuffix(r.Name, n) }) {
			return n
		}
	}
	return g.pick(list)
}

// nameList returns the given names fashionable when someone of this gender was born.
func nameList(gender string, year int) []string {
	switch {
	case year <= 1965 && gender == male:
		return maleOld
	case year <= 1965:
		return femaleOld
	case year <= 1990 && gender == male:
		return maleMid
	case year <= 1990:
		return femaleMid
	case gender == male:
		return maleYoung
	}
	return femaleYoung
}

// clanSurname draws a surname for a family of this grid: mostly one of the grid's clans.
func (g *gen) clanSurname(spec gridSpec) string {
	if g.chance(0.85) {
		return g.pickRune(spec.surnames)
	}
	return g.pickRune(surnames)
}

// otherSurname draws the surname of someone who married in: custom avoids the same surname.
func (g *gen) otherSurname(not string) string {
	for {
		if s := g.pickRune(surnames); s != not {
			return s
		}
	}
}

// marriedInRegion returns where someone who married in was born: often a nearby county.
func (g *gen) marriedInRegion() string {
	if g.chance(0.4) {
		return g.pick(nearRegions)
	}
	return homeRegion
}

// idNumber returns a new resident ID number (GB 11643): region, birth date, a sequence
// number whose last digit is odd for men and even for women, and the check digit.
func (g *gen) idNumber(region string, year, month int, isMale bool) string {
	for {
		seq := g.rng.IntN(500) * 2
		if isMale {
			seq++
		}
		base := fmt.Sprintf("%s%04d%02d%02d%03d", region, year, month, g.between(1, 28), seq)
		id := base + string(checkDigit(base))
		if !g.ids[id] {
			g.ids[id] = true
			return id
		}
	}
}

// checkDigit computes the GB 11643 check character of the first 17 digits of an ID number.
func checkDigit(first17 string) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return "10X98765432"[sum%11]
}

// traits gives a household's people their political status, phones, disabilities and
// special groups, once the whole household is known.
func (g *gen) traits(h *house) {
	Y := g.today.Year()
	disabled := false
	for i := range h.h.Residents {
		r, p := &h.h.Residents[i], &h.info[i]
		age := Y - p.year
		if p.level >= 2 && age >= 18 && age <= 22 && p.away == "" && g.chance(0.7) {
			p.away = awaySchool
		}
		r.Political = g.political(age, r.Gender)
		if (age >= 18 && (age <= 80 || g.chance(0.4))) || (age >= 16 && g.chance(0.3)) {
			r.Phone = g.phone()
		}
		rate := 0.008
		switch {
		case age < 18:
			rate = 0.003
		case age >= 60:
			rate = 0.025
		}
		if g.chance(rate) {
			r.Special = append(r.Special, specialDisabled)
			disabled = true
		}
	}
	alone := len(h.h.Residents) == 1
	if alone {
		// 孤寡: no children at all; 独居: children living elsewhere.
		if g.chance(0.35) {
			h.h.Residents[0].Special = append(h.h.Residents[0].Special, specialAlone)
		} else {
			h.h.Residents[0].Special = append(h.h.Residents[0].Special, specialLiveAlone)
		}
	}
	for i := range h.h.Residents {
		p := h.info[i]
		if Y-p.year < 16 && len(p.parents) > 0 && !slices.ContainsFunc(p.parents, func(j int) bool { return h.info[j].away != awayWork }) {
			h.h.Residents[i].Special = append(h.h.Residents[i].Special, specialLeftBehind)
		}
	}
	hardship := 0.035
	if disabled {
		hardship += 0.12
	}
	if alone {
		hardship += 0.04
	}
	poor := g.chance(hardship)
	if poor {
		h.h.Special = append(h.h.Special, specialHardship)
	}
	if (poor && g.chance(0.5)) || g.chance(0.006) {
		h.h.Special = append(h.h.Special, specialDibao)
	}
}

// political draws a political status: party members are mostly older men, as in the
// countryside; the Youth League takes many of the young.
func (g *gen) political(age int, gender string) string {
	if age < 14 {
		return ""
	}
	if age >= 18 {
		p := 0.05
		switch {
		case age < 25:
			p = 0.02
		case gender == male:
			p = 0.115
		}
		if g.chance(p) {
			if age <= 45 && g.chance(0.08) {
				return polProbationary
			}
			return polMember
		}
	}
	if age <= 28 && g.chance(0.45) {
		return polLeague
	}
	return polMasses
}

// isMember reports whether a political status is party membership, full or probationary.
func isMember(political string) bool { return political == polMember || political == polProbationary }

// topUpMembers makes sure a grid has at least six party members able to walk a route, so
// every grid has a secretary, a deputy for its own group and members to lend to others.
func (g *gen) topUpMembers(gr *grid) {
	Y := g.today.Year()
	members, able := 0, 0
	var candidates []*store.Resident
	for _, h := range gr.houses {
		for i := range h.h.Residents {
			r, p := &h.h.Residents[i], h.info[i]
			age := Y - p.year
			canWalk := p.away == "" && age >= 25 && age <= 68
			switch {
			case isMember(r.Political):
				members++
				if canWalk {
					able++
				}
			case canWalk && age >= 28 && age <= 65:
				candidates = append(candidates, r)
			}
		}
	}
	for (members < 6 || able < 6) && len(candidates) > 0 {
		i := g.rng.IntN(len(candidates))
		candidates[i].Political = polMember
		candidates = slices.Delete(candidates, i, i+1)
		members++
		able++
	}
}

// members registers every party member of the village, grid by grid.
func (g *gen) members(v *village) {
	Y := g.today.Year()
	for _, gr := range v.grids {
		for _, h := range gr.houses {
			for i := range h.h.Residents {
				r, p := &h.h.Residents[i], h.info[i]
				if !isMember(r.Political) {
					continue
				}
				if r.Phone == "" { // the branch keeps every member's number
					r.Phone = g.phone()
				}
				age := Y - p.year
				m := &member{
					m: store.Member{ID: fmt.Sprintf("%s-M%03d", v.spec.code, len(v.members)+1), Village: v.spec.code, Grid: gr.g.Code,
						Name: r.Name, Resident: r.ID, Phone: r.Phone, Probationary: r.Political == polProbationary},
					age:  age,
					able: p.away == "" && age >= 25 && age <= 68,
				}
				v.members = append(v.members, m)
				v.byID[m.m.ID] = m
				gr.members = append(gr.members, m)
			}
		}
	}
}

// specials returns every special group a household or its people belong to.
func (h *house) specials() []string {
	out := slices.Clone(h.h.Special)
	for _, r := range h.h.Residents {
		for _, s := range r.Special {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}
