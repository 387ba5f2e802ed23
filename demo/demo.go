// Package demo generates the demo township: four merged villages of a Shandong township in the
// middle of its "三百" campaign, with households, party members, cadres, visit groups and
// routes, visits at different progress, a ledger of concerns at all four tiers, and revisits.
//
// Everything is drawn from one seeded generator and dated relative to a given day, so a demo
// is reproducible (the same seed and day give the same township) yet always looks current.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"sanbai/store"
)

// DefaultSeed is the seed `sanbai demo` and `serve --demo` use.
const DefaultSeed = 20261126

// Generate builds the demo township from seed, with dates relative to today (pure: same seed
// and today → identical Dataset). Everything that happened is dated before today's date:
// the forms of a day are typed in that evening, so the ledger stands as of last night.
// Deadlines and planned route days may lie ahead.
func Generate(seed uint64, today time.Time) store.Dataset {
	g := &gen{
		rng:    rand.New(rand.NewPCG(seed, seed^0x5a5a)),
		loc:    today.Location(),
		ids:    map[string]bool{},
		phones: map[string]bool{},
	}
	g.today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, g.loc)
	return g.run()
}

// Seed generates the demo township with DefaultSeed and today's date from st.Now() and writes
// it with st.Seed(store.System, …); it returns store.ErrNotEmpty if st holds a township.
func Seed(ctx context.Context, st *store.Store) error {
	now := st.Now()
	d := Generate(DefaultSeed, now)
	if err := st.Seed(ctx, store.System(), d); err != nil {
		return err
	}
	// The campaign calendar: mobilized and grouped a few weeks ago, visits due within the
	// week, the look-back after it.
	for _, p := range []struct {
		phase string
		days  int
	}{{"mob.township", -28}, {"mob.village", -25}, {"mob.grid", -22}, {"groups.filed", -20}, {"visits.done", 5}, {"revisits.done", 20}} {
		if err := st.SetPhaseDeadline(ctx, store.System(), "", p.phase, now.AddDate(0, 0, p.days).Format(time.DateOnly)); err != nil {
			return err
		}
	}
	// Each page is written by its village's party secretary, as the plan has it.
	secretary := map[string]string{}
	for _, c := range d.Cadres {
		if c.Post == store.PostSecretary {
			secretary[c.Village] = c.Name
		}
	}
	for _, fs := range factSheets() {
		a := store.Actor{Name: secretary[fs.Village], Role: store.RoleVillage, Village: fs.Village}
		if _, err := st.SetFactSheet(ctx, a, fs); err != nil {
			return err
		}
	}
	return nil
}

// gen holds one generation's state; it is never shared, so Generate is safe to call from
// several goroutines at once.
type gen struct {
	rng *rand.Rand
	loc *time.Location
	// today is midnight at the start of today: every event lies strictly before it.
	today  time.Time
	ids    map[string]bool // ID numbers handed out, so no two people share one
	phones map[string]bool // phone numbers handed out

	villages []*village
}

// run generates the villages one part at a time, each part reading what the previous made.
func (g *gen) run() store.Dataset {
	d := store.Dataset{Township: store.Township{Name: townshipName, Office: officeName}}
	for _, spec := range villageSpecs {
		v := g.village(spec)
		g.cadres(v)
		g.groups(v)
		g.visits(v)
		g.villages = append(g.villages, v)
	}
	g.concerns()
	g.revisits()
	// The township's officials come last, so their phone numbers draw nothing the villages
	// would otherwise have drawn.
	for i, o := range townshipOfficials {
		d.Officials = append(d.Officials, store.Official{ID: store.OfficialID(i + 1), Name: o.name, Post: o.post,
			Duties: o.duties, Phone: g.phone()})
	}
	for _, v := range g.villages {
		d.Villages = append(d.Villages, v.v)
		d.Teams = append(d.Teams, v.team)
		d.Cadres = append(d.Cadres, v.cadres...)
		for _, gr := range v.grids {
			d.Grids = append(d.Grids, gr.g)
			for _, h := range gr.houses {
				d.Households = append(d.Households, h.h)
			}
		}
		for _, m := range v.members {
			d.Members = append(d.Members, m.m)
		}
		for _, gp := range v.groups {
			d.Groups = append(d.Groups, gp.g)
			d.Routes = append(d.Routes, gp.route)
		}
		for _, r := range v.visits {
			d.Visits = append(d.Visits, r.v)
		}
		// A lead project links two concerns or more (as the store requires): a village with
		// one concern of its project's kind so far has not made one yet.
		linked := 0
		for _, cr := range v.concerns {
			if cr.c.Project != "" {
				linked++
			}
		}
		var project *store.Project
		for _, cr := range v.concerns {
			c := cr.c
			if c.Project != "" && linked < 2 {
				c.Project = ""
				c.Moves = slices.DeleteFunc(slices.Clone(c.Moves), func(m store.Move) bool { return m.Action == "project" })
			}
			d.Concerns = append(d.Concerns, c)
			if c.Project == "" {
				continue
			}
			// The project was made when its first concern was linked to it.
			m := c.Moves[slices.IndexFunc(c.Moves, func(m store.Move) bool { return m.Action == "project" })]
			if project == nil {
				project = &store.Project{ID: c.Project, Village: v.spec.code, Title: v.spec.projectName, Owner: v.cadres[0].Name,
					CreatedAt: m.At, CreatedBy: m.By, Resolved: true, Resolution: cr.issue.resolution}
			}
			if m.At.Before(project.CreatedAt) {
				project.CreatedAt, project.CreatedBy = m.At, m.By
			}
			project.Concerns = append(project.Concerns, c.ID)
			project.Resolved = project.Resolved && !c.Status.Open()
		}
		if project != nil {
			if !project.Resolved {
				project.Resolution = ""
			}
			d.Projects = append(d.Projects, *project)
		}
		noteOwners(d.Concerns, v, d.Officials)
		d.Revisits = append(d.Revisits, v.revisits...)
	}
	return d
}

// Random helpers: all draws go through g.rng, so a seed fixes the whole township.

func (g *gen) between(lo, hi int) int      { return lo + g.rng.IntN(hi-lo+1) }
func (g *gen) chance(p float64) bool       { return g.rng.Float64() < p }
func (g *gen) pick(ss []string) string     { return ss[g.rng.IntN(len(ss))] }
func (g *gen) pickRune(s string) string    { rs := []rune(s); return string(rs[g.rng.IntN(len(rs))]) }
func (g *gen) frac(lo, hi float64) float64 { return lo + (hi-lo)*g.rng.Float64() }
func (g *gen) pickNote(ns []note) note     { return ns[g.rng.IntN(len(ns))] }
func (g *gen) day(offset int) time.Time    { return g.today.AddDate(0, 0, offset) }
func (g *gen) clock(d time.Time, h, m int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, g.loc)
}

// weighted returns an index drawn with the given weights.
func (g *gen) weighted(w ...int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := g.rng.IntN(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

// officeTime returns a time in office hours on day d, minutes in steps of five as people
// write them.
func (g *gen) officeTime(d time.Time) time.Time {
	return g.clock(d, g.between(8, 17), 5*g.rng.IntN(12))
}

// dayOf returns midnight of t's day.
func (g *gen) dayOf(t time.Time) time.Time { return g.clock(t, 0, 0) }

// date formats a day as YYYY-MM-DD.
func date(t time.Time) string { return t.Format(time.DateOnly) }

// phone returns a new mobile number no one else in the township has.
func (g *gen) phone() string {
	for {
		p := fmt.Sprintf("%s%08d", g.pick(mobilePrefixes), g.rng.IntN(100_000_000))
		if !g.phones[p] {
			g.phones[p] = true
			return p
		}
	}
}
