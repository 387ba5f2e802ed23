package demo

import (
	"fmt"
	"math"
	"slices"
	"time"

	"sanbai/store"
)

// Finding kinds (四知) as the registration form records them.
const (
	kindSuggestion  = "suggestion"
	kindNeed        = "need"
	kindNightSchool = "nightschool"
	kindHardship    = "hardship"
	kindHazard      = "hazard"
)

// visitRec is a visit with the household and group behind it.
type visitRec struct {
	v     store.Visit
	house *house
	group *group
}

// visits walks every group's route as far as it has got, then numbers the village's visits
// in the order they happened, as forms typed in day by day would be.
func (g *gen) visits(v *village) {
	var recs []*visitRec
	for _, gp := range v.groups {
		recs = append(recs, g.walk(v, gp)...)
	}
	slices.SortStableFunc(recs, func(a, b *visitRec) int { return a.v.At.Compare(b.v.At) })
	for i, r := range recs {
		r.v.ID = fmt.Sprintf("%s-V%04d", v.spec.code, i+1)
	}
	v.visits = recs
}

// walk visits a group's route in order, at the group's own pace: its outings are spread
// from the first planned day to the last day or two, so every group is still at work and
// the slower ones are behind their plan. No household is visited before its planned day.
func (g *gen) walk(v *village, gp *group) []*visitRec {
	var out []*visitRec
	n := len(gp.houses)
	target := int(math.Round(gp.progress * float64(n)))
	last := g.day(-1 - g.rng.IntN(3))
	window := int(math.Round(last.Sub(gp.days[0]).Hours()/24)) + 1
	perDay := max(g.between(8, 16), (target+window-1)/window)
	outings := (target + perDay - 1) / perDay
	var next time.Time // the earliest the next outing may start: the day after the last
	idx := 0
	for o := range outings {
		day := gp.days[0]
		if outings > 1 {
			day = day.AddDate(0, 0, o*(window-1)/(outings-1))
		}
		t := g.clock(day, 8, 30+5*g.rng.IntN(6))
		if t.Before(next) {
			t = next
		}
		members, by := g.turnout(gp), g.pick(v.officers)
		for end := min(idx+perDay, target); idx < end; idx++ {
			if planned := gp.plannedDay(idx); t.Before(planned) {
				t = g.clock(planned, 8, 30)
			}
			if !t.Before(g.today) {
				return out
			}
			out = append(out, g.visit(v, gp, gp.houses[idx], t, members, by))
			t = g.nextSlot(t.Add(time.Duration(g.between(4, 8)*5) * time.Minute))
		}
		next = g.clock(g.dayOf(t).AddDate(0, 0, 1), 8, 30)
	}
	return out
}

// plannedDay returns the day the household at route index idx is planned for.
func (gp *group) plannedDay(idx int) time.Time {
	d := 0
	for i, day := range gp.route.Days {
		if day.Start <= idx {
			d = i
		}
	}
	return gp.days[d]
}

// nextSlot moves a time out of meal breaks and the night: people are visited in the
// morning, the afternoon and after supper.
func (g *gen) nextSlot(t time.Time) time.Time {
	hm := t.Hour()*60 + t.Minute()
	switch {
	case hm < 8*60+30:
		return g.clock(t, 8, 30)
	case hm >= 11*60+40 && hm < 14*60+30:
		return g.clock(t, 14, 30)
	case hm >= 17*60+40 && hm < 19*60:
		return g.clock(t, 19, 0)
	case hm >= 20*60+50:
		return g.clock(g.dayOf(t).AddDate(0, 0, 1), 8, 30)
	}
	return t
}

// turnout returns who of the group walks on a day: the leader, the deputy and most of the
// others.
func (g *gen) turnout(gp *group) []string {
	ids := []string{gp.leader.m.ID, gp.deputy.m.ID}
	var some []string
	for _, m := range gp.others {
		if g.chance(0.75) {
			some = append(some, m.m.ID)
		}
	}
	if len(some) == 0 && len(gp.others) > 0 {
		some = append(some, g.pick(gp.g.Members))
	}
	return append(ids, some...)
}

// visit fills in one registration form.
func (g *gen) visit(v *village, gp *group, h *house, t time.Time, members []string, by string) *visitRec {
	vis := store.Visit{
		Village: v.spec.code, Grid: h.h.Grid, Household: h.h.ID, Group: gp.g.ID, Date: date(t),
		Members: slices.Clone(members), By: by, At: t,
	}
	g.presence(&vis, h, t)
	// A guiding officer joins about one visit in five: picked from the household's number,
	// not the random stream, so the rest of the township stays as it was generated before.
	if n := h.h.ID[len(h.h.ID)-1]; len(v.team.Officers) > 0 && (n == '0' || n == '5') {
		vis.Officer = v.team.Officers[int(h.h.ID[len(h.h.ID)-2])%len(v.team.Officers)]
	}
	vis.Topics = []string{store.TopicProfile, store.TopicCadres, store.TopicService, store.TopicVision}
	if g.chance(0.12) { // cut short: the profile is always told, one or two of the rest
		i := 1 + g.rng.IntN(3)
		vis.Topics = slices.Delete(vis.Topics, i, i+min(g.between(1, 2), len(vis.Topics)-i))
	}
	if sp := h.specials(); len(sp) > 0 && g.chance(0.85) {
		s := g.pick(sp)
		var texts []string
		for _, n := range hardshipNotes {
			if n.category == s {
				texts = append(texts, n.text)
			}
		}
		vis.Findings = append(vis.Findings, store.Finding{Kind: kindHardship, Category: s, Text: g.pick(texts)})
	}
	for _, f := range []struct {
		kind  string
		p     float64
		notes []note
	}{
		{kindSuggestion, 0.2, suggestionNotes},
		{kindNeed, 0.15, needNotes},
		{kindNightSchool, 0.12, nightSchoolNotes},
		{kindHazard, 0.06, hazardNotes},
	} {
		if g.chance(f.p) {
			n := g.pickNote(f.notes)
			vis.Findings = append(vis.Findings, store.Finding{Kind: f.kind, Category: n.category, Text: n.text})
		}
	}
	if g.chance(0.2) {
		vis.Notes = g.pick(visitNotes)
	}
	return &visitRec{v: vis, house: h, group: gp}
}

// presence records who was met and why the others were away: migrant workers and college
// students are always away, schoolchildren on weekday daytimes, and now and then someone
// is at the hospital or out on an errand. Someone always opens the door.
func (g *gen) presence(vis *store.Visit, h *house, t time.Time) {
	Y := g.today.Year()
	weekday := t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
	for i, r := range h.h.Residents {
		p := h.info[i]
		age := Y - p.year
		reason := p.away
		if reason == "" {
			switch {
			case age >= 6 && age <= 17 && weekday && t.Hour() < 17:
				reason = awaySchool
			case age >= 65 && g.chance(0.03):
				reason = awayMedical
			case age >= 18 && g.chance(0.05):
				reason = awayOther
			}
		}
		if reason == "" {
			vis.Present = append(vis.Present, r.ID)
			continue
		}
		if vis.Away == nil {
			vis.Away = map[string]string{}
		}
		vis.Away[r.ID] = reason
	}
	if len(vis.Present) > 0 {
		return
	}
	home := 0
	for i, p := range h.info {
		if p.away == "" {
			home = i
			break
		}
	}
	id := h.h.Residents[home].ID
	delete(vis.Away, id)
	vis.Present = []string{id}
	if len(vis.Away) == 0 {
		vis.Away = nil
	}
}
