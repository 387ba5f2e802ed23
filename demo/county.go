package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"sanbai/store"
)

// CountySize is how big a generated county is.
type CountySize struct {
	Villages   int
	Households int // three residents each
	Concerns   int
	Audit      int // audit events, the concerns' own included
}

// FullCounty is the size issue #8 measures at: 100,000 households, 300,000 residents,
// 200,000 concerns and 1,000,000 audit events in 230 merged villages.
func FullCounty() CountySize {
	return CountySize{Villages: 230, Households: 100_000, Concerns: 200_000, Audit: 1_000_000}
}

// Scaled returns the size divided by n (at least one village), for tests of the same shape.
func (s CountySize) Scaled(n int) CountySize {
	return CountySize{Villages: max(s.Villages/n, 1), Households: s.Households / n, Concerns: s.Concerns / n, Audit: s.Audit / n}
}

// countyGrids is how many grids each generated village has.
const countyGrids = 10

// County writes a county-size ledger into the empty store st, village by village through a
// bulk loader (a county never sits in memory whole): villages of ten grids, households of
// three residents with ID numbers and party members among them, cadres, concerns at every
// tier and stage dated over the last three months, and a history of audit events. It has no
// visit groups, routes or visits: it exists to measure the ledger, the roster and the store
// at scale. The same seed, size and day give the same county.
func County(ctx context.Context, st *store.Store, seed uint64, size CountySize, today time.Time, progress func(done, total int)) error {
	if size.Villages < 1 {
		return fmt.Errorf("a county needs at least one village")
	}
	b, err := st.NewBulkLoader(ctx, store.System())
	if err != nil {
		return err
	}
	defer b.Cancel()
	g := &gen{
		rng:    rand.New(rand.NewPCG(seed, seed^0xc0c0)),
		loc:    today.Location(),
		ids:    map[string]bool{},
		phones: map[string]bool{},
	}
	g.today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, g.loc)
	weights := make([]int, len(issues))
	for i, is := range issues {
		weights[i] = is.weight
	}
	for vi := range size.Villages {
		// Each village takes its share; the last takes what division left over.
		share := func(total int) int {
			if vi == size.Villages-1 {
				return total - total/size.Villages*(size.Villages-1)
			}
			return total / size.Villages
		}
		cv := g.countyVillage(vi, share(size.Households))
		g.countyConcerns(cv, share(size.Concerns), weights)
		if err := b.Add(ctx, cv.d); err != nil {
			return err
		}
		// The audit trail: each concern's creation with the row as written, then its history
		// and later small edits (tag, owner, deadline) up to the village's share of events.
		want := share(size.Audit)
		n := 0
		for i := range cv.d.Concerns {
			if n >= want {
				break
			}
			c := &cv.d.Concerns[i]
			raw, _ := json.Marshal(c)
			if err := b.AddAudit(ctx, store.AuditEvent{At: c.CreatedAt, Who: c.CreatedBy, Action: "concern.create",
				Key: "concern/" + c.Village + "/" + c.ID, After: raw}); err != nil {
				return err
			}
			n++
		}
		for i := 0; n < want && len(cv.d.Concerns) > 0; i++ {
			c := &cv.d.Concerns[i%len(cv.d.Concerns)]
			before, after := g.pick(tagNames), g.pick(tagNames)
			if err := b.AddAudit(ctx, store.AuditEvent{At: c.CreatedAt.Add(time.Duration(i/len(cv.d.Concerns)+1) * time.Hour),
				Who: c.Plan.Owner, Action: "concern.tag", Key: "concern/" + c.Village + "/" + c.ID,
				Before: []byte(`{"tag":"` + before + `"}`), After: []byte(`{"tag":"` + after + `"}`)}); err != nil {
				return err
			}
			n++
		}
		if progress != nil {
			progress(vi+1, size.Villages)
		}
	}
	return b.Finish(ctx, store.Township{Name: "青山县（县域规模测试）", Office: "县委组织部"})
}

var tagNames = []string{"red", "yellow", "green"}

// countyVillage is one generated village: its rows, and the people concerns are handed to.
type countyVillage struct {
	d      store.Dataset
	hamlet []string // hamlet name per grid
	owners []string // cadre names
	leader string
}

// countyCode names the i-th village with two letters: AA, AB, … ZZ, then three.
func countyCode(i int) string {
	const L = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	if i < 26*26 {
		return string([]byte{L[i/26], L[i%26]})
	}
	i -= 26 * 26
	return string([]byte{L[i/676%26], L[i/26%26], L[i%26]})
}

// countySyllables make up place names: two of them and a suffix read as a village's name.
const countySyllables = "东西南北前后上下大小石河山岭桥庄集店屯营沟峪湾坡洼塘泉林柳杨李王张刘陈高马"

// place returns a two-character place name.
func (g *gen) place() string { return g.pickRune(countySyllables) + g.pickRune(countySyllables) }

func (g *gen) countyVillage(i, households int) *countyVillage {
	code := countyCode(i)
	name := g.place()
	cv := &countyVillage{leader: g.pickRune(surnames) + "副镇长"}
	cv.d.Villages = []store.Village{{Code: code, Name: name + "新村", Leader: cv.leader}}
	streets := []string{"前街", "中街", "后街", "东街", "西街", "幸福路", "和平路"}
	Y := g.today.Year()
	members := 0
	for gi := range countyGrids {
		hamlet := g.place()
		cv.hamlet = append(cv.hamlet, hamlet)
		gr := store.Grid{Code: fmt.Sprintf("%s%02d", code, gi+1), Village: code, No: gi + 1, Name: hamlet + "网格"}
		n := households / countyGrids
		if gi < households%countyGrids {
			n++
		}
		sur := g.pickRune(surnames)
		var secretary string
		for hi := range n {
			h := store.Household{ID: fmt.Sprintf("%s-%04d", gr.Code, hi+1), Village: code, Grid: gr.Code,
				Address: fmt.Sprintf("%s村%s%d号", hamlet, streets[hi%len(streets)], hi/len(streets)+1)}
			family := sur
			if g.chance(0.3) {
				family = g.pickRune(surnames)
			}
			hy := g.between(Y-78, Y-30)
			wife := g.pickRune(surnames)
			people := []struct {
				rel, sur, gender string
				year             int
			}{
				{store.RelationHead, family, male, hy},
				{"配偶", wife, female, hy + g.between(-2, 4)},
			}
			if hy < Y-60 {
				people = append(people, struct {
					rel, sur, gender string
					year             int
				}{"子", family, male, hy + g.between(22, 30)})
			} else {
				gender, rel := male, "子"
				if g.chance(0.5) {
					gender, rel = female, "女"
				}
				people = append(people, struct {
					rel, sur, gender string
					year             int
				}{rel, family, gender, min(hy+g.between(22, 32), Y-1)})
			}
			for j, p := range people {
				month := g.between(1, 12)
				r := store.Resident{ID: fmt.Sprintf("%s-%d", h.ID, j+1), Name: p.sur + g.givenCounty(p.gender, p.year),
					Relation: p.rel, Gender: p.gender, Born: fmt.Sprintf("%04d-%02d", p.year, month),
					IDNumber: g.idNumber(homeRegion, p.year, month, p.gender == male), Political: polMasses}
				if j == 0 {
					r.Phone = g.phone()
				}
				if age := Y - p.year; age >= 25 && age <= 70 && g.chance(0.07) {
					r.Political = polMember
					if r.Phone == "" {
						r.Phone = g.phone()
					}
					members++
					m := store.Member{ID: fmt.Sprintf("%s-M%04d", code, members), Village: code, Grid: gr.Code,
						Name: r.Name, Resident: r.ID, Phone: r.Phone}
					cv.d.Members = append(cv.d.Members, m)
					if secretary == "" {
						secretary = m.ID
						cv.d.Cadres = append(cv.d.Cadres, store.Cadre{ID: fmt.Sprintf("%s-C%02d", code, len(cv.d.Cadres)+1), Village: code,
							Name: m.Name, Post: store.PostGridSecretary, Grid: gr.Code, Member: m.ID, Phone: m.Phone})
					}
				}
				h.Residents = append(h.Residents, r)
			}
			if g.chance(0.04) {
				h.Special = []string{g.pick([]string{specialHardship, specialLiveAlone, specialLeftBehind})}
			}
			cv.d.Households = append(cv.d.Households, h)
		}
		gr.Secretary = secretary
		cv.d.Grids = append(cv.d.Grids, gr)
	}
	cv.d.Cadres = append(cv.d.Cadres,
		store.Cadre{ID: fmt.Sprintf("%s-C%02d", code, len(cv.d.Cadres)+1), Village: code, Name: g.pickRune(surnames) + g.pick(maleMid), Post: store.PostSecretary},
		store.Cadre{ID: fmt.Sprintf("%s-C%02d", code, len(cv.d.Cadres)+2), Village: code, Name: g.pickRune(surnames) + g.pick(femaleMid), Post: store.PostCommittee})
	for _, c := range cv.d.Cadres {
		cv.owners = append(cv.owners, c.Name)
	}
	return cv
}

// givenCounty draws a given name of the person's era.
func (g *gen) givenCounty(gender string, year int) string { return g.pick(nameList(gender, year)) }

// countyConcerns raises n concerns in the village's households, each at a tier, colour and
// stage drawn as the demo draws them, with the history that got it there.
func (g *gen) countyConcerns(cv *countyVillage, n int, weights []int) {
	code := cv.d.Villages[0].Code
	hs := cv.d.Households
	if len(hs) == 0 {
		return
	}
	for k := range n {
		h := hs[g.rng.IntN(len(hs))]
		is := &issues[g.weighted(weights...)]
		created := g.officeTime(g.day(-g.between(1, 90)))
		c := store.Concern{ID: store.ConcernID(code, uint64(k+1)), Village: code, Grid: h.Grid, Household: h.ID,
			Residents: []string{h.Residents[0].ID}, Category: is.category, Description: g.pick(is.texts),
			Tag: store.Tags()[g.weighted(is.tags[:]...)], Tier: store.TierOnSite, Status: store.StatusNew,
			CreatedAt: created, CreatedBy: cv.owners[g.rng.IntN(len(cv.owners))]}
		if g.chance(0.3) {
			c.Description = cv.hamlet[g.rng.IntN(len(cv.hamlet))] + "：" + c.Description
		}
		at := created
		move := func(action, from, to, reason string) {
			at = at.Add(time.Duration(g.between(2, 72)) * time.Hour)
			c.Moves = append(c.Moves, store.Move{At: at, By: c.CreatedBy, Action: action, From: from, To: to, Reason: reason})
			c.Rev++
		}
		target := store.Tiers()[g.weighted(is.tiers[:]...)]
		for c.Tier != target {
			next := c.Tier.Next()
			move("escalate", string(c.Tier), string(next), "本级无法解决，报上级统筹")
			c.Tier, c.HandedAt = next, at
		}
		c.Plan.Owner = cv.owners[g.rng.IntN(len(cv.owners))]
		c.Plan.Solution = is.solution
		if c.Plan.Solution == "" {
			c.Plan.Solution = is.onsite
		}
		if c.Tier == store.TierTownship && is.township != "" {
			c.Plan.Solution = is.township
		}
		move("owner", "", c.Plan.Owner, "")
		from := c.HandedAt
		if from.IsZero() {
			from = c.CreatedAt
		}
		c.Plan.Deadline = from.AddDate(0, 0, tagDays(c.Tag)).Format(time.DateOnly)
		c.Status = store.StatusPlanned
		switch x := g.rng.Float64(); {
		case x < 0.35 && at.Before(g.today):
			c.Status, c.Resolution, c.ResolvedBy, c.ResolvedAt = store.StatusResolved, is.resolution, c.Plan.Owner, at.Add(48*time.Hour)
			move("resolve", string(store.StatusPlanned), string(store.StatusResolved), is.resolution)
		case x < 0.6 && at.Before(g.today):
			c.Status, c.Resolution, c.ResolvedBy, c.ResolvedAt = store.StatusClosed, is.resolution, c.Plan.Owner, at.Add(48*time.Hour)
			move("resolve", string(store.StatusPlanned), string(store.StatusResolved), is.resolution)
		case x < 0.75:
			c.Status = store.StatusInProgress
		}
		if c.Status.Open() && c.Tier == store.TierTownship && g.chance(0.2) {
			c.Supervisor = cv.leader
		}
		cv.d.Concerns = append(cv.d.Concerns, c)
	}
}
