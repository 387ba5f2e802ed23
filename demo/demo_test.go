package demo

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sanbai/store"
)

// TestSeed seeds a real store, reads everything back through the store's own reads and checks
// the township as a user of the store would see it.
func TestSeed(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := Seed(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	if err := Seed(t.Context(), st); !errors.Is(err, store.ErrNotEmpty) {
		t.Fatalf("second Seed: got %v, want ErrNotEmpty", err)
	}
	a := store.System()
	var d store.Dataset
	var errs []error
	collect := func(err error) { errs = append(errs, err) }
	var e error
	d.Township, e = st.Township(t.Context())
	collect(e)
	d.Villages, e = st.Villages(t.Context(), a)
	collect(e)
	d.Grids, e = st.Grids(t.Context(), a)
	collect(e)
	d.Households, e = st.Households(t.Context(), a)
	collect(e)
	d.Members, e = st.Members(t.Context(), a)
	collect(e)
	d.Cadres, e = st.Cadres(t.Context(), a)
	collect(e)
	d.Officials, e = st.Officials(t.Context(), a)
	collect(e)
	d.Projects, e = st.Projects(t.Context(), a)
	collect(e)
	d.Teams, e = st.Teams(t.Context(), a)
	collect(e)
	d.Groups, e = st.Groups(t.Context(), a)
	collect(e)
	d.Routes, e = st.Routes(t.Context(), a)
	collect(e)
	d.Visits, e = st.Visits(t.Context(), a)
	collect(e)
	d.Concerns, e = st.Concerns(t.Context(), a)
	collect(e)
	d.Revisits, e = st.Revisits(t.Context(), a)
	collect(e)
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// Reads mask personal numbers; the generated ones are checked in full.
	full, err := st.PersonalData(t.Context(), a, "test", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Households {
		d.Households[i].Residents = slices.Clone(d.Households[i].Residents) // the store's rows are shared
		for j := range d.Households[i].Residents {
			r := &d.Households[i].Residents[j]
			r.IDNumber, r.Phone = full.Residents[r.ID].IDNumber, full.Residents[r.ID].Phone
		}
	}
	for i := range d.Members {
		d.Members[i].Phone = full.Members[d.Members[i].ID].Phone
	}
	if d.Township.Name != townshipName || d.Township.Office != officeName {
		t.Errorf("township = %+v", d.Township)
	}
	want := Generate(DefaultSeed, st.Now())
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"villages", len(d.Villages), len(want.Villages)},
		{"grids", len(d.Grids), len(want.Grids)},
		{"households", len(d.Households), len(want.Households)},
		{"members", len(d.Members), len(want.Members)},
		{"cadres", len(d.Cadres), len(want.Cadres)},
		{"officials", len(d.Officials), len(want.Officials)},
		{"lead projects", len(d.Projects), len(want.Projects)},
		{"teams", len(d.Teams), len(want.Teams)},
		{"groups", len(d.Groups), len(want.Groups)},
		{"routes", len(d.Routes), len(want.Routes)},
		{"visits", len(d.Visits), len(want.Visits)},
		{"concerns", len(d.Concerns), len(want.Concerns)},
		{"revisits", len(d.Revisits), len(want.Revisits)},
	} {
		if c.got != c.want {
			t.Errorf("stored %s: %d, generated %d", c.what, c.got, c.want)
		}
	}
	check(t, d, st.Today())
	t.Log(summary(d, st.Today()))
}

// TestGenerate checks the rules on several seeds, at a fixed day in a zone far from UTC.
func TestGenerate(t *testing.T) {
	today := time.Date(2026, 11, 26, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	for _, seed := range []uint64{DefaultSeed, 1, 2, 42} {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			check(t, Generate(seed, today), date(today))
		})
	}
}

// TestDeterministic checks that Generate is pure: same seed and day, same township.
func TestDeterministic(t *testing.T) {
	today := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	a, b := Generate(7, today), Generate(7, today)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Generate(7) differs between two runs")
	}
	// The hour does not matter: everything is dated before the day starts.
	if c := Generate(7, today.Add(-10*time.Hour)); !reflect.DeepEqual(a, c) {
		t.Error("Generate depends on the time of day")
	}
	if c := Generate(8, today); reflect.DeepEqual(a.Households, c.Households) {
		t.Error("seeds 7 and 8 give the same households")
	}
}

// TestCheckDigit checks the GB 11643 check digit against published examples.
func TestCheckDigit(t *testing.T) {
	for _, id := range []string{"11010519491231002X", "440524188001010014"} {
		if got := checkDigit(id[:17]); got != id[17] {
			t.Errorf("checkDigit(%s) = %c, want %c", id[:17], got, id[17])
		}
	}
}

var (
	mobileRe = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	idRe     = regexp.MustCompile(`^[0-9]{17}[0-9X]$`)
)

// generation places a relation in the family tree: parents of the head 0, head and spouse
// 1, children and their spouses 2, grandchildren 3.
var generation = map[string]int{"父亲": 0, "母亲": 0, "户主": 1, "配偶": 1, "子": 2, "女": 2, "儿媳": 2, "女婿": 2, "孙子": 3, "孙女": 3}

// check asserts everything the demo promises about a township generated before today.
func check(t *testing.T, d store.Dataset, today string) {
	t.Helper()
	notAfter := func(what string, tm time.Time) {
		t.Helper()
		if date(tm) > today {
			t.Errorf("%s at %s is after today %s", what, tm, today)
		}
	}
	year, _ := strconv.Atoi(today[:4])

	// Villages and grids.
	if len(d.Villages) != 4 {
		t.Errorf("%d villages, want 4", len(d.Villages))
	}
	// The township's officials are people in the store; each village's leader in charge
	// is one of them, whose duties say so.
	officials := map[string]store.Official{}
	for _, o := range d.Officials {
		officials[o.ID] = o
		if o.Name == "" || o.Post == "" || o.Duties == "" || !mobileRe.MatchString(o.Phone) || !strings.HasPrefix(o.ID, "T") {
			t.Errorf("official %+v", o)
		}
	}
	leaders := map[string]string{}
	for _, v := range d.Villages {
		leaders[v.Code] = v.Leader
		i := slices.IndexFunc(d.Officials, func(o store.Official) bool { return o.Name == v.Leader })
		if i < 0 || !strings.Contains(d.Officials[i].Duties, "包"+v.Name) {
			t.Errorf("village %s leader %q is not the official in charge of it", v.Code, v.Leader)
		}
	}
	grids := map[string]store.Grid{}
	gridsOf := map[string]int{}
	for _, g := range d.Grids {
		grids[g.Code] = g
		gridsOf[g.Village]++
		if g.Code != fmt.Sprintf("%s%02d", g.Village, g.No) || g.Name == "" {
			t.Errorf("grid %+v", g)
		}
	}
	for _, v := range d.Villages {
		if n := gridsOf[v.Code]; n < 4 || n > 6 {
			t.Errorf("village %s has %d grids", v.Code, n)
		}
	}

	// Households and residents.
	households := map[string]store.Household{}
	residents := map[string]store.Resident{}
	relations, specials := map[string]int{}, map[string]int{}
	adults, party, partyAll, hardship := 0, 0, 0, 0
	for _, h := range d.Households {
		households[h.ID] = h
		if !strings.HasPrefix(h.ID, h.Grid+"-") || len(h.ID) != len(h.Grid)+5 || grids[h.Grid].Village != h.Village {
			t.Errorf("household %s in grid %s village %s", h.ID, h.Grid, h.Village)
		}
		if h.Address == "" || h.Head().Relation != store.RelationHead {
			t.Errorf("household %s: address %q, head %+v", h.ID, h.Address, h.Head())
		}
		for _, s := range h.Special {
			specials[s]++
			if s == specialHardship {
				hardship++
			}
		}
		oldest, youngest := map[int]int{}, map[int]int{}
		for i, r := range h.Residents {
			residents[r.ID] = r
			relations[r.Relation]++
			if r.ID != fmt.Sprintf("%s-%d", h.ID, i+1) {
				t.Errorf("resident ID %s at %d of %s", r.ID, i, h.ID)
			}
			checkIDNumber(t, r)
			if r.Phone != "" && !mobileRe.MatchString(r.Phone) {
				t.Errorf("%s phone %q", r.ID, r.Phone)
			}
			y, _ := strconv.Atoi(r.Born[:4])
			age := year - y
			if isMember(r.Political) {
				partyAll++
			}
			if age >= 18 {
				adults++
				if isMember(r.Political) {
					party++
				}
				if age < 80 && r.Phone == "" {
					t.Errorf("adult %s has no phone", r.ID)
				}
			}
			for _, s := range r.Special {
				specials[s]++
				switch s {
				case specialAlone, specialLiveAlone:
					if len(h.Residents) != 1 || age < 60 {
						t.Errorf("%s is %s but lives with %d at age %d", r.ID, s, len(h.Residents), age)
					}
				case specialLeftBehind:
					if age >= 16 {
						t.Errorf("%s is %s at age %d", r.ID, s, age)
					}
				}
			}
			lvl, ok := generation[r.Relation]
			if !ok {
				t.Errorf("%s relation %q", r.ID, r.Relation)
			}
			if o, ok := oldest[lvl]; !ok || y < o {
				oldest[lvl] = y
			}
			if o, ok := youngest[lvl]; !ok || y > o {
				youngest[lvl] = y
			}
		}
		// Each generation is born at least 18 years after its parents; grandchildren after
		// their parents, the son's wife or the daughter's husband.
		for lvl := range 2 {
			if y, ok := youngest[lvl]; ok {
				if o, ok := oldest[lvl+1]; ok && o-y < 18 {
					t.Errorf("household %s: generation %d born %d, next generation born %d", h.ID, lvl, y, o)
				}
			}
		}
		if o, ok := oldest[3]; ok {
			for _, r := range h.Residents {
				if y, _ := strconv.Atoi(r.Born[:4]); (r.Relation == "儿媳" || r.Relation == "女婿") && o-y < 18 {
					t.Errorf("household %s: %s born %d, grandchild born %d", h.ID, r.Relation, y, o)
				}
			}
		}
	}
	if len(d.Households) < 1600 || len(residents) < 4200 {
		t.Errorf("%d households, %d residents; want ≥1600 and ≥4200", len(d.Households), len(residents))
	}
	for rel := range generation {
		if relations[rel] == 0 {
			t.Errorf("no resident is %s", rel)
		}
	}
	for _, s := range []string{specialHardship, specialDibao, specialAlone, specialLiveAlone, specialLeftBehind, specialDisabled} {
		if specials[s] == 0 {
			t.Errorf("no one is %s", s)
		}
	}
	if share := float64(party) / float64(adults); share < 0.06 || share > 0.10 {
		t.Errorf("party members are %.1f%% of adults", 100*share)
	}
	if share := float64(hardship) / float64(len(d.Households)); share < 0.02 || share > 0.07 {
		t.Errorf("困难家庭 are %.1f%% of households", 100*share)
	}

	// Members.
	members := map[string]store.Member{}
	perGrid := map[string]int{}
	for _, m := range d.Members {
		members[m.ID] = m
		perGrid[m.Grid]++
		r, ok := residents[m.Resident]
		if !ok || !strings.HasPrefix(m.Resident, m.Grid+"-") || !strings.HasPrefix(m.ID, m.Village+"-M") {
			t.Errorf("member %+v", m)
			continue
		}
		if r.Name != m.Name || r.Phone != m.Phone || m.Phone == "" || (r.Political == polProbationary) != m.Probationary || !isMember(r.Political) {
			t.Errorf("member %+v of resident %+v", m, r)
		}
	}
	if len(d.Members) != partyAll {
		t.Errorf("%d members for %d party residents", len(d.Members), partyAll)
	}
	for code := range grids {
		if perGrid[code] < 6 {
			t.Errorf("grid %s has %d members", code, perGrid[code])
		}
	}

	// Cadres and teams.
	cadres := map[string]store.Cadre{}
	posts := map[string]map[string]int{}
	officers := map[string][]string{}
	for _, c := range d.Cadres {
		cadres[c.ID] = c
		if posts[c.Village] == nil {
			posts[c.Village] = map[string]int{}
		}
		posts[c.Village][c.Post]++
		if !strings.HasPrefix(c.ID, c.Village+"-C") || c.Name == "" || c.Duties == "" || c.Duty == "" || !mobileRe.MatchString(c.Phone) {
			t.Errorf("cadre %+v", c)
		}
		switch c.Post {
		case store.PostGridSecretary:
			if grids[c.Grid].Secretary != c.Member || members[c.Member].Grid != c.Grid {
				t.Errorf("grid secretary %+v of grid %+v", c, grids[c.Grid])
			}
		case store.PostFirstSecretary, store.PostGuide:
			officers[c.Village] = append(officers[c.Village], c.Name)
		}
	}
	for _, v := range d.Villages {
		p := posts[v.Code]
		if p[store.PostSecretary] != 1 || p[store.PostFirstSecretary] != 1 || p[store.PostGuide] != 1 ||
			p[store.PostGridSecretary] != gridsOf[v.Code] || p[store.PostCommittee] < 3 || p[store.PostCommittee] > 4 || p[store.PostSupervisor] != 2 {
			t.Errorf("village %s posts %v", v.Code, p)
		}
	}
	teamOf := map[string]store.Team{}
	for _, tm := range d.Teams {
		teamOf[tm.Village] = tm
		if cadres[tm.Captain].Post != store.PostSecretary || len(tm.Officers) != 2 ||
			cadres[tm.Officers[0]].Post != store.PostFirstSecretary || cadres[tm.Officers[1]].Post != store.PostGuide {
			t.Errorf("team %+v", tm)
		}
	}

	// Groups: the cross-grid rules.
	groups := map[string]store.Group{}
	inGroup := map[string]string{}
	for _, g := range d.Groups {
		groups[g.ID] = g
		if len(g.Grids) != 1 || !strings.HasPrefix(g.ID, g.Village+"-G") || !strings.HasPrefix(g.Name, "第") {
			t.Errorf("group %+v", g)
			continue
		}
		visited := g.Grids[0]
		leader := members[g.Leader]
		if leader.Grid == visited || grids[leader.Grid].Secretary != g.Leader {
			t.Errorf("group %s: leader %s is not the secretary of another grid", g.ID, g.Leader)
		}
		if d := members[g.Deputy]; d.Grid != visited || grids[visited].Secretary == g.Deputy {
			t.Errorf("group %s: deputy %s is not a member of the visited grid %s", g.ID, g.Deputy, visited)
		}
		if len(g.Members) < 2 || len(g.Members) > 3 {
			t.Errorf("group %s has %d other members", g.ID, len(g.Members))
		}
		for _, id := range g.Members {
			if m, ok := members[id]; !ok || m.Grid == visited || m.Village != g.Village {
				t.Errorf("group %s: member %s is of the visited grid %s", g.ID, id, visited)
			}
		}
		for _, id := range append([]string{g.Leader, g.Deputy}, g.Members...) {
			if other, ok := inGroup[id]; ok {
				t.Errorf("member %s is in groups %s and %s", id, other, g.ID)
			}
			inGroup[id] = g.ID
		}
	}
	if len(d.Groups) != len(d.Grids) {
		t.Errorf("%d groups for %d grids", len(d.Groups), len(d.Grids))
	}

	// Routes.
	routeDay := map[string]string{} // household → planned date
	for _, r := range d.Routes {
		g := groups[r.Group]
		var want []store.Household
		for _, h := range d.Households {
			if h.Grid == g.Grids[0] {
				want = append(want, h)
			}
		}
		slices.SortFunc(want, func(a, b store.Household) int { return strings.Compare(a.Address, b.Address) })
		if len(want) != len(r.Households) {
			t.Errorf("route %s has %d households, grid has %d", r.Group, len(r.Households), len(want))
			continue
		}
		for i, id := range r.Households {
			if want[i].Address != households[id].Address {
				t.Errorf("route %s is not in address order at %d", r.Group, i)
				break
			}
		}
		for i, day := range r.Days {
			end := len(r.Households)
			if i+1 < len(r.Days) {
				end = r.Days[i+1].Start
				if day.Date >= r.Days[i+1].Date {
					t.Errorf("route %s days out of order", r.Group)
				}
			}
			if size := end - day.Start; size < 9 || size > 18 {
				t.Errorf("route %s day %d has %d households", r.Group, i, size)
			}
			for _, id := range r.Households[day.Start:end] {
				routeDay[id] = day.Date
			}
		}
		if r.Days[0].Start != 0 {
			t.Errorf("route %s starts at %d", r.Group, r.Days[0].Start)
		}
	}

	// Visits.
	visits := map[string]store.Visit{}
	visitedBy := map[string]int{}
	withConcerns := 0
	reasons := []string{awayWork, awaySchool, awayMedical, awayOther}
	for _, v := range d.Visits {
		visits[v.ID] = v
		visitedBy[v.Group]++
		notAfter("visit "+v.ID, v.At)
		if !strings.HasPrefix(v.ID, v.Village+"-V") || v.Date != date(v.At) || v.Date < routeDay[v.Household] || !slices.Contains(officers[v.Village], v.By) {
			t.Errorf("visit %+v", v)
		}
		g := groups[v.Group]
		if households[v.Household].Grid != g.Grids[0] || len(v.Members) < 3 || v.Members[0] != g.Leader || v.Members[1] != g.Deputy {
			t.Errorf("visit %s by %v of group %+v", v.ID, v.Members, g)
		}
		h := households[v.Household]
		if len(v.Present) == 0 || len(v.Present)+len(v.Away) != len(h.Residents) {
			t.Errorf("visit %s: %d present, %d away of %d", v.ID, len(v.Present), len(v.Away), len(h.Residents))
		}
		for id, why := range v.Away {
			if !slices.Contains(reasons, why) || slices.Contains(v.Present, id) {
				t.Errorf("visit %s: %s away for %q", v.ID, id, why)
			}
		}
		if len(v.Topics) < 2 {
			t.Errorf("visit %s topics %v", v.ID, v.Topics)
		}
		for _, f := range v.Findings {
			if !slices.Contains([]string{kindSuggestion, kindNeed, kindNightSchool, kindHardship, kindHazard}, f.Kind) || f.Text == "" {
				t.Errorf("visit %s finding %+v", v.ID, f)
			}
		}
		if len(v.Concerns) > 0 {
			withConcerns++
		}
	}
	for _, g := range d.Groups {
		n := 0
		for _, h := range d.Households {
			if h.Grid == g.Grids[0] {
				n++
			}
		}
		if p := float64(visitedBy[g.ID]) / float64(n); p < 0.2 || p > 0.96 {
			t.Errorf("group %s visited %.0f%% of its route", g.ID, 100*p)
		}
	}
	if share := float64(withConcerns) / float64(len(d.Visits)); share < 0.10 || share > 0.22 {
		t.Errorf("%.1f%% of visits raised a concern", 100*share)
	}

	// Concerns.
	revisitsOf := map[string][]store.Revisit{}
	for _, r := range d.Revisits {
		revisitsOf[r.Concern] = append(revisitsOf[r.Concern], r)
		notAfter("revisit "+r.ID, r.At)
		if !strings.HasPrefix(r.ID, r.Village+"-R") || r.Date != date(r.At) || !slices.Contains(officers[r.Village], r.By) ||
			!slices.Contains([]string{"solved", "partly", "not"}, r.Solved) ||
			!slices.Contains([]string{store.SatVeryGood, store.SatGood, store.SatFair, store.SatPoor, store.SatVeryPoor}, r.Satisfaction) {
			t.Errorf("revisit %+v", r)
		}
	}
	tiers, tags, statuses := map[store.Tier]int{}, map[store.Tag]int{}, map[store.Status]int{}
	overdue, closedSatisfied, supervised, problems, bounced := 0, 0, 0, 0, 0
	next := map[string]int{}
	projects := map[string]store.Project{}
	for _, p := range d.Projects {
		projects[p.ID] = p
		if len(p.Concerns) < 2 || p.Owner != cadres[teamOf[p.Village].Captain].Name || p.Title == "" {
			t.Errorf("lead project %+v", p)
		}
	}
	for _, c := range d.Concerns {
		// The owner is someone the store lets own the concern at its tier: the township's
		// officials, the village's cadres, the grid's cadres and members.
		if c.Plan.OwnerID != "" {
			ok := false
			switch c.Tier {
			case store.TierTownship:
				ok = officials[c.Plan.OwnerID].Name == c.Plan.Owner
			case store.TierVillage:
				ok = cadres[c.Plan.OwnerID].Name == c.Plan.Owner && cadres[c.Plan.OwnerID].Village == c.Village
			default:
				cd, m := cadres[c.Plan.OwnerID], members[c.Plan.OwnerID]
				ok = cd.Name == c.Plan.Owner && cd.Grid == c.Grid || m.Name == c.Plan.Owner && m.Grid == c.Grid
			}
			if !ok {
				t.Errorf("concern %s at tier %s owned by %s (%s)", c.ID, c.Tier, c.Plan.Owner, c.Plan.OwnerID)
			}
		} else if c.Plan.Owner != "" {
			t.Errorf("concern %s owned by %s, who is nobody in the store", c.ID, c.Plan.Owner)
		}
		if c.Project != "" && !slices.Contains(projects[c.Project].Concerns, c.ID) {
			t.Errorf("concern %s names lead project %s, which does not list it", c.ID, c.Project)
		}
		// A generated history is the seed: changes made in the store count from 0.
		if c.Rev != 0 || c.Moves[len(c.Moves)-1].Rev != 0 {
			t.Errorf("concern %s: rev %d", c.ID, c.Rev)
		}
		if c.ProblemCase() {
			problems++
		}
		if b := c.Bounces(); b > 0 && b < store.ProblemThreshold {
			bounced++
		}
		// Forward escalation is never a bounce: a concern that only climbed has none.
		down := slices.ContainsFunc(c.Moves, func(m store.Move) bool {
			return m.Action == "return" || m.Action == "reopen" || m.Action == "owner"
		})
		if !down && c.Bounces() != 0 {
			t.Errorf("concern %s only escalated, yet bounced %d times", c.ID, c.Bounces())
		}
		tiers[c.Tier]++
		tags[c.Tag]++
		statuses[c.Status]++
		if store.ConcernVillage(c.ID) != c.Village || !slices.Contains(store.Tiers(), c.Tier) || !slices.Contains(store.Tags(), c.Tag) ||
			!slices.Contains([]store.Status{store.StatusNew, store.StatusPlanned, store.StatusInProgress, store.StatusResolved, store.StatusClosed, store.StatusReopened}, c.Status) {
			t.Errorf("concern %s: village %s tier %s tag %s status %s", c.ID, c.Village, c.Tier, c.Tag, c.Status)
		}
		next[c.Village]++
		if c.ID != store.ConcernID(c.Village, uint64(next[c.Village])) {
			t.Errorf("concern %s out of sequence (want number %d)", c.ID, next[c.Village])
		}
		v, ok := visits[c.Visit]
		if !ok || !slices.Contains(v.Concerns, c.ID) || v.Household != c.Household || v.Group != c.Group || c.CreatedBy != v.By || len(c.Residents) == 0 {
			t.Errorf("concern %s of visit %s", c.ID, c.Visit)
		}
		notAfter("concern "+c.ID, c.CreatedAt)
		for i, m := range c.Moves {
			notAfter("move of "+c.ID, m.At)
			if i > 0 && m.At.Before(c.Moves[i-1].At) {
				t.Errorf("concern %s: moves out of order", c.ID)
			}
		}
		if c.Overdue(today) {
			overdue++
		}
		if c.Tier != store.TierOnSite && c.Plan.Deadline == "" {
			t.Errorf("concern %s at tier %s has no deadline", c.ID, c.Tier)
		}
		if c.Tier != store.TierOnSite && c.Status != store.StatusNew && (c.Plan.Owner == "" || c.Plan.Solution == "") {
			t.Errorf("concern %s has no plan: %+v", c.ID, c.Plan)
		}
		if c.Status != store.StatusReopened && c.Tier != store.TierOnSite {
			if want := date(c.CreatedAt.AddDate(0, 0, tagDays(c.Tag))); c.Plan.Deadline != want {
				t.Errorf("concern %s tagged %s created %s: deadline %s", c.ID, c.Tag, date(c.CreatedAt), c.Plan.Deadline)
			}
		}
		switch c.Status {
		case store.StatusResolved, store.StatusClosed:
			if c.Resolution == "" || c.ResolvedBy == "" || c.ResolvedAt.IsZero() {
				t.Errorf("concern %s %s without resolution", c.ID, c.Status)
			}
			notAfter("resolution of "+c.ID, c.ResolvedAt)
		}
		if c.Tier == store.TierOnSite && c.Status != store.StatusResolved && c.Status != store.StatusClosed {
			t.Errorf("on-site concern %s is %s", c.ID, c.Status)
		}
		rs := revisitsOf[c.ID]
		switch c.Status {
		case store.StatusClosed:
			if len(rs) == 0 || !rs[len(rs)-1].Satisfied() {
				t.Errorf("concern %s closed without a satisfied revisit", c.ID)
			}
			closedSatisfied++
		case store.StatusReopened:
			if len(rs) == 0 || rs[len(rs)-1].Satisfied() || c.Supervisor != leaders[c.Village] {
				t.Errorf("concern %s reopened: revisits %v, supervisor %q", c.ID, rs, c.Supervisor)
			}
			supervised++
		}
	}
	for _, tr := range store.Tiers() {
		if tiers[tr] == 0 {
			t.Errorf("no concern at tier %s", tr)
		}
	}
	for _, tg := range store.Tags() {
		if tags[tg] == 0 {
			t.Errorf("no concern tagged %s", tg)
		}
	}
	if overdue == 0 || closedSatisfied == 0 || supervised < 2 {
		t.Errorf("%d overdue, %d closed after a satisfied revisit, %d supervised", overdue, closedSatisfied, supervised)
	}
	// The township has problem cases to chase, and concerns on their way to becoming one.
	if problems < 2 || bounced < 1 || len(d.Projects) == 0 {
		t.Errorf("%d problem cases, %d concerns bounced once or twice, %d lead projects", problems, bounced, len(d.Projects))
	}
	if tiers[store.TierOnSite]+tiers[store.TierGrid] <= tiers[store.TierVillage] || tiers[store.TierVillage] <= tiers[store.TierTownship] {
		t.Errorf("tiers %v: want most on site and at grid, fewer at village, a few at township", tiers)
	}
}

// checkIDNumber checks a resident's ID number: 18 characters, the check digit, the birth
// date matching Born and the sex digit matching Gender.
func checkIDNumber(t *testing.T, r store.Resident) {
	t.Helper()
	id := r.IDNumber
	if !idRe.MatchString(id) || checkDigit(id[:17]) != id[17] {
		t.Errorf("%s ID number %q has a bad check digit", r.ID, id)
		return
	}
	if id[6:10]+"-"+id[10:12] != r.Born {
		t.Errorf("%s ID number %s does not match born %s", r.ID, id, r.Born)
	}
	if (int(id[16]-'0')%2 == 1) != (r.Gender == male) {
		t.Errorf("%s ID number %s does not match gender %s", r.ID, id, r.Gender)
	}
	if _, err := time.Parse("20060102", id[6:14]); err != nil {
		t.Errorf("%s ID number %s: %v", r.ID, id, err)
	}
}

// summary describes a township in one paragraph, for the test log.
func summary(d store.Dataset, today string) string {
	residents := 0
	for _, h := range d.Households {
		residents += len(h.Residents)
	}
	tiers, tags, statuses := map[store.Tier]int{}, map[store.Tag]int{}, map[store.Status]int{}
	overdue := 0
	for _, c := range d.Concerns {
		tiers[c.Tier]++
		tags[c.Tag]++
		statuses[c.Status]++
		if c.Overdue(today) {
			overdue++
		}
	}
	return fmt.Sprintf("%d villages, %d grids, %d households, %d residents, %d members, %d cadres, %d groups, %d visits, %d concerns (tiers %v, tags %v, statuses %v, %d overdue), %d revisits",
		len(d.Villages), len(d.Grids), len(d.Households), residents, len(d.Members), len(d.Cadres), len(d.Groups), len(d.Visits),
		len(d.Concerns), tiers, tags, statuses, overdue, len(d.Revisits))
}
