package storetest

import (
	"fmt"
	"testing"
	"time"

	"sanbai/store"
)

// The fixture: a township of two villages, 东岭 (DL) and 西河 (XH), of two grids each, with
// people, groups, visits, concerns, revisits and every other kind of row in each grid, and the
// four roles asking: a township user, an inspector, a village user of DL and a grid user of
// DL01. Every row that belongs to one grid carries that grid's marker (格标DL01) in its text,
// and every row that belongs to a village as a whole its village's marker (村标DL); the scope
// test looks for the markers of the places an actor may not see in everything each read
// returns. Every resident has a full ID number and phone and every member a phone: none of
// them may come out of a read but through Reveal and PersonalData.

// day is the fixture's today: 2026-11-26, 09:00 in China.
var day = time.Date(2026, 11, 26, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// today is day as the store writes days.
const today = "2026-11-26"

// place is a village and a grid of the fixture.
type place struct{ village, grid string }

// places are the fixture's four grids.
var places = []place{{"DL", "DL01"}, {"DL", "DL02"}, {"XH", "XH01"}, {"XH", "XH02"}}

// villageCodes are the fixture's villages.
var villageCodes = []string{"DL", "XH"}

// The four roles.
var (
	townshipUser = store.Actor{Name: "镇甲", Role: store.RoleTownship}
	inspector    = store.Actor{Name: "督查乙", Role: store.RoleInspector}
	villageUser  = store.Actor{Name: "村丙", Role: store.RoleVillage, Village: "DL"}
	gridUser     = store.Actor{Name: "格丁", Role: store.RoleGrid, Village: "DL", Grid: "DL01"}
	roles        = []store.Actor{townshipUser, inspector, villageUser, gridUser}
)

// villageMark and gridMark are the markers rows of a village and of a grid carry.
func villageMark(v string) string { return "村标" + v }
func gridMark(g string) string    { return "格标" + g }

// fixture is what was seeded, for the tests to name rows by.
type fixture struct {
	// full lists every full ID number and phone of a resident or member.
	full []string
	// phoneOf is each resident's full phone, by resident ID.
	phoneOf map[string]string
	// households are the IDs of each grid's households, in order.
	households map[string][]string
	// openConcern and doneConcern are a grid's open concern at the grid tier and its
	// concern resolved on site, by grid code.
	openConcern, doneConcern map[string]string
	// visit is a grid's visit (edited once, so it has a version), by grid code.
	visit map[string]string
	// groupOf is the group visiting a grid, by grid code.
	groupOf map[string]string
	// livesIn is each member's grid, by member ID.
	livesIn map[string]string
}

// seed fills an empty engine with the fixture and returns what it holds.
func seed(t *testing.T, e store.Engine) *fixture {
	t.Helper()
	f := &fixture{phoneOf: map[string]string{}, households: map[string][]string{}, openConcern: map[string]string{},
		doneConcern: map[string]string{}, visit: map[string]string{}, groupOf: map[string]string{}, livesIn: map[string]string{}}
	d := store.Dataset{Township: store.Township{Name: "青石镇", Office: "青石镇党建办"},
		Officials: []store.Official{{ID: "T01", Name: "刘镇长", Post: "镇长", Phone: "0531-80000001"},
			{ID: "T02", Name: "周书记", Post: "镇党委书记", Phone: "0531-80000002"}}}
	at := day.Add(-72 * time.Hour)
	n := 0
	for vi, v := range villageCodes {
		d.Villages = append(d.Villages, store.Village{Code: v, Name: villageMark(v) + "新村", Leader: "刘镇长"})
		member := 0
		var secretaries [2]string
		for gi := 1; gi <= 2; gi++ {
			g := fmt.Sprintf("%s%02d", v, gi)
			grid := store.Grid{Code: g, Village: v, No: gi, Name: fmt.Sprintf("%s第%d网格", villageMark(v), gi)}
			for h := 1; h <= 3; h++ {
				n++
				hid := fmt.Sprintf("%s-%04d", g, h)
				hh := store.Household{ID: hid, Village: v, Grid: g, Address: fmt.Sprintf("%s前街%d号", gridMark(g), h)}
				for r := 1; r <= 2; r++ {
					res := store.Resident{ID: fmt.Sprintf("%s-%d", hid, r), Name: fmt.Sprintf("居民%d%d", n, r), Relation: "配偶",
						Gender: "女", Born: "1970-01", IDNumber: fmt.Sprintf("3701021970%02d%02d%03d%d", vi, gi, h, r),
						Phone: fmt.Sprintf("139%02d%02d%02d%02d", vi+10, gi+10, h+10, r+10)}
					if r == 1 {
						res.Relation, res.Gender, res.Political = store.RelationHead, "男", store.PoliticalMember
					}
					f.full = append(f.full, res.IDNumber, res.Phone)
					f.phoneOf[res.ID] = res.Phone
					hh.Residents = append(hh.Residents, res)
					if r == 1 {
						member++
						m := store.Member{ID: fmt.Sprintf("%s-M%03d", v, member), Village: v, Grid: g, Name: villageMark(v) + "党员" + res.Name,
							Resident: res.ID, Phone: fmt.Sprintf("137%02d%02d%02d00", vi+10, gi+10, h+10)}
						f.full = append(f.full, m.Phone)
						f.livesIn[m.ID] = g
						d.Members = append(d.Members, m)
						if h == 1 {
							grid.Secretary, secretaries[gi-1] = m.ID, m.ID
						}
					}
				}
				f.households[g] = append(f.households[g], hid)
				d.Households = append(d.Households, hh)
			}
			d.Grids = append(d.Grids, grid)
			d.Cadres = append(d.Cadres, store.Cadre{ID: fmt.Sprintf("%s-C%02d", v, 3+gi), Village: v, Name: "网格书记" + g,
				Post: store.PostGridSecretary, Grid: g, Member: grid.Secretary, Duties: villageMark(v) + "网格工作", Phone: "0531-8100000" + fmt.Sprint(gi)})
		}
		d.Cadres = append(d.Cadres,
			store.Cadre{ID: v + "-C01", Village: v, Name: "书记" + v, Post: store.PostSecretary, Duties: villageMark(v) + "全面工作", Phone: "0531-82000001"},
			store.Cadre{ID: v + "-C02", Village: v, Name: "第一书记" + v, Post: store.PostFirstSecretary, Duties: villageMark(v) + "帮扶", Phone: "0531-82000002"},
			store.Cadre{ID: v + "-C03", Village: v, Name: "指导员" + v, Post: store.PostGuide, Duties: villageMark(v) + "指导", Phone: "0531-82000003"})
		d.Teams = append(d.Teams, store.Team{Village: v, Captain: v + "-C01", Officers: []string{v + "-C02", v + "-C03"}})
		// The groups, built across grid lines: the group visiting grid 1 is led by grid 2's
		// secretary, with a deputy of grid 1 and a member of grid 2; and the other way round.
		m := func(i int) string { return fmt.Sprintf("%s-M%03d", v, i) }
		g1, g2 := v+"01", v+"02"
		d.Groups = append(d.Groups,
			store.Group{ID: v + "-G1", Village: v, Name: gridMark(g1) + "组", Grids: []string{g1}, Leader: secretaries[1], Deputy: m(2), Members: []string{m(5)}},
			store.Group{ID: v + "-G2", Village: v, Name: gridMark(g2) + "组", Grids: []string{g2}, Leader: secretaries[0], Deputy: m(6), Members: []string{m(3)}})
		f.groupOf[g1], f.groupOf[g2] = v+"-G1", v+"-G2"
		d.Routes = append(d.Routes, store.Route{Group: v + "-G1", Village: v, Households: f.households[g1]},
			store.Route{Group: v + "-G2", Village: v, Households: f.households[g2]})
		d.Projects = append(d.Projects, store.Project{ID: v + "-P01", Village: v, Title: villageMark(v) + "头雁", Owner: "书记" + v,
			CreatedAt: at, CreatedBy: "system"})
		concern := 0
		for gi := 1; gi <= 2; gi++ {
			g := fmt.Sprintf("%s%02d", v, gi)
			hid := f.households[g][0]
			vid := fmt.Sprintf("%s-V%04d", v, gi)
			visit := store.Visit{ID: vid, Village: v, Grid: g, Household: hid, Group: f.groupOf[g], Date: "2026-11-23",
				Present: []string{hid + "-1"}, Away: map[string]string{hid + "-2": "外出务工"}, Notes: gridMark(g) + "走访", By: "system", At: at}
			for _, onSite := range []bool{false, true} {
				concern++
				c := store.Concern{ID: store.ConcernID(v, uint64(concern)), Village: v, Grid: g, Household: hid, Visit: vid,
					Group: f.groupOf[g], Category: "基础设施", Description: fmt.Sprintf("%s诉求%d", gridMark(g), concern), Tag: store.TagGreen,
					Tier: store.TierGrid, Status: store.StatusNew, CreatedAt: at, CreatedBy: "system", Plan: store.Plan{Deadline: "2026-12-05"}}
				if onSite {
					c.Tier, c.Status, c.Resolution, c.ResolvedBy, c.ResolvedAt = store.TierOnSite, store.StatusResolved, gridMark(g)+"已解决", "system", at
					f.doneConcern[g] = c.ID
				} else {
					f.openConcern[g] = c.ID
				}
				visit.Concerns = append(visit.Concerns, c.ID)
				d.Concerns = append(d.Concerns, c)
			}
			f.visit[g] = vid
			d.Visits = append(d.Visits, visit)
		}
	}
	if err := e.Seed(t.Context(), store.System(), d); err != nil {
		t.Fatal(err)
	}
	sys := store.System()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range places {
		hid := f.households[p.grid][1]
		_, err := e.RecordReach(t.Context(), sys, p.village, hid, hid+"-2", "电话", gridMark(p.grid)+"联系")
		must(err)
		// A revisit of the concern solved on site, and an edit of the visit (a version).
		_, err = e.SaveRevisits(t.Context(), sys, store.RevisitDraft{Village: p.village, Household: f.households[p.grid][0], Date: today,
			Answers: []store.RevisitAnswer{{Concern: f.doneConcern[p.grid], Solved: store.SolvedYes, Satisfaction: store.SatGood, Comment: gridMark(p.grid) + "回访"}}})
		must(err)
		hid = f.households[p.grid][0]
		_, _, err = e.SaveVisit(t.Context(), sys, store.VisitDraft{Editing: f.visit[p.grid], Village: p.village, Household: hid, Group: f.groupOf[p.grid],
			Date: "2026-11-23", Present: []string{hid + "-1"}, Notes: gridMark(p.grid) + "补记"})
		must(err)
		_, err = e.RecordMeeting(t.Context(), sys, store.Meeting{Level: "grid", Village: p.village, Grid: p.grid, Date: today, Led: gridMark(p.grid) + "组长"})
		must(err)
	}
	_, err := e.RecordMeeting(t.Context(), sys, store.Meeting{Level: "township", Date: today, Led: "周书记"})
	must(err)
	for _, v := range villageCodes {
		_, err := e.SetFactSheet(t.Context(), sys, store.FactSheet{Village: v, Profile: villageMark(v) + "村情"})
		must(err)
		_, err = e.FileReport(t.Context(), sys, v, "summary", "xlsx", []byte(villageMark(v)+"汇总表"))
		must(err)
		_, err = e.RecordFinding(t.Context(), sys, store.Inspection{Village: v, Checked: "台账", Problems: villageMark(v) + "问题"})
		must(err)
		_, err = e.RecordMeeting(t.Context(), sys, store.Meeting{Level: "village", Village: v, Date: today, Led: villageMark(v) + "书记"})
		must(err)
		must(e.SetRevisitDeadline(t.Context(), sys, v, "2026-12-20"))
	}
	for i, a := range roles {
		u := store.User{Name: a.Name, Role: a.Role, Keys: []string{fmt.Sprintf("ssh-ed25519 AAAAfixture%d", i)},
			Fingerprints: []string{fmt.Sprintf("SHA256:fixture-fingerprint-%d", i)}}
		scope := a.Grid
		if scope == "" {
			scope = a.Village
		}
		_, err := e.AddUser(t.Context(), sys, u, scope)
		must(err)
	}
	must(e.SaveDraft(t.Context(), villageUser, store.DraftVisit, "s1", store.VisitDraft{Village: "DL", Household: f.households["DL02"][0], Date: today}))
	must(e.SaveDraft(t.Context(), gridUser, store.DraftVisit, "s1", store.VisitDraft{Village: "DL", Household: f.households["DL01"][0], Date: today}))
	return f
}
