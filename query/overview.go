package query

import (
	"container/heap"
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"sanbai/parallel"
	"sanbai/store"
)

// OverviewSource is what pane 5's read model reads.
type OverviewSource interface {
	store.Clock
	Villages(ctx context.Context, a store.Actor) ([]store.Village, error)
	Grids(ctx context.Context, a store.Actor) ([]store.Grid, error)
	Members(ctx context.Context, a store.Actor) ([]store.Member, error)
	HouseholdRefs(ctx context.Context, a store.Actor) ([]*store.Household, error)
	Visits(ctx context.Context, a store.Actor) ([]store.Visit, error)
	Revisits(ctx context.Context, a store.Actor) ([]store.Revisit, error)
	Limits(ctx context.Context) (store.Limits, error)
	Calendar(ctx context.Context) (store.Calendar, error)
	FilingsOf(ctx context.Context, a store.Actor) ([]store.Filing, error)
	Inspections(ctx context.Context, a store.Actor) ([]store.Inspection, error)
	ScoreWeights(ctx context.Context) (store.Weights, error)
	Meetings(ctx context.Context, a store.Actor) ([]store.Meeting, error)
}

// Overview is pane 5's read model, as one actor sees it.
type Overview struct {
	Today    string
	Villages []store.Village
	Cal      store.Calendar
	Filings  []FilingRow
	History  map[string][]store.Filing // village/kind → versions, oldest first
	Findings []store.Inspection
	Sheets   []store.ScoreSheet // ranked, best first
	Weights  store.Weights
	Figures  map[string]store.Figures // per village
	Total    store.Figures            // the actor's whole scope
	Coverage []BarRow                 // per village for several, per grid for one
	Tiers    map[store.Tier]int       // open concerns by tier
	Tags     map[store.Tag]int        // and by colour
	Raised   []int                    // concerns raised per day, the last 14 days
	Resolved []int                    // and resolved
	Courses  []CountRow               // night-school courses asked for, by households
	Common   *CommonList
	Meetings []store.Meeting
	// Unmobilized names the grids with no grid-level meeting ("DL 前岭网格").
	Unmobilized []string
	// Missing are the records passed phases of the calendar lack (store.MissingRecords).
	Missing  []store.Missing
	GridName map[string]string
	Members  map[string][]store.Member // current members, per village
}

// FilingRow is a village's required filing: the latest version, or none yet.
type FilingRow struct {
	Village, Kind string
	Due           string
	Latest        *store.Filing
	Versions      int
}

// BarRow is one coverage bar: households visited of all.
type BarRow struct {
	Name      string
	Done, All int
}

// CountRow is a name and how many.
type CountRow struct {
	Name string
	N    int
}

// CommonIssue is a group of open concerns of one category with similar words, in several
// households: a candidate lead project.
type CommonIssue struct {
	Category, Text string
	IDs            []string
	Households     int
}

// OverviewCounts are the counts pane 5 makes from the households, visits, concerns and
// revisits of one scope: a village's, or a village or grid user's. They add up: a township's
// are the sum of its villages', so a server keeps them per village and counts again only the
// village a change was in (LoadOverviewWith).
type OverviewCounts struct {
	Figures  map[string]store.Figures // per grid
	Villages map[string]store.Figures // per village, its grids' summed
	Tiers    map[store.Tier]int       // open concerns by tier
	Tags     map[store.Tag]int        // and by colour
	Raised   []int                    // concerns raised per day, the last 14 days
	Resolved []int                    // and resolved
	Courses  map[string]int           // night-school courses asked for, by households
	// Common are the candidate common issues (their households are of one village).
	Common  []CommonIssue
	Members map[string][]store.Member // current members, per village
}

// LoadOverview reads pane 5's read model for the actor: the calendar and what its passed
// phases lack, filings, inspection findings, meetings, the figures (counted once, by
// store.CountFigures), coverage bars, the concerns' counts and trend, candidate common issues,
// night-school courses asked for, and the villages' score sheets, ranked. The concerns come
// from the shared ledger view.
func LoadOverview(ctx context.Context, st OverviewSource, l *Ledger, a store.Actor) (*Overview, error) {
	return LoadOverviewWith(ctx, st, a, func(a store.Actor) (*OverviewCounts, error) { return CountOverview(ctx, st, l, a) })
}

// LoadOverviewWith is LoadOverview with the counts read through counts: for a township user
// (or an inspector) one call per village, as a village's user (read as RoleVillage), summed;
// for others one call for their own scope; the villages' calls run on every core at once
// (parallel.Parts). The counts are not changed.
func LoadOverviewWith(ctx context.Context, st OverviewSource, a store.Actor, counts func(store.Actor) (*OverviewCounts, error)) (*Overview, error) {
	b, err := LoadOverviewBase(ctx, st, a)
	if err != nil {
		return nil, err
	}
	return SumOverview(b, a, counts)
}

// OverviewBase is what pane 5 reads besides the counts: villages, calendar, filings,
// inspections, weights, meetings and grids, and what the calendar's passed phases lack. None of
// it changes with a concern, a visit or a household, so a server keeps it across the
// meeting's triage (OverviewBaseKinds) and only sums the counts again. Read only.
type OverviewBase struct {
	Today       string
	Villages    []store.Village
	Cal         store.Calendar
	History     map[string][]store.Filing
	Findings    []store.Inspection
	Weights     store.Weights
	Meetings    []store.Meeting
	Unmobilized []string
	Missing     []store.Missing
	GridName    map[string]string
}

// OverviewBaseKinds are the kinds of change after which an OverviewBase is read again.
var OverviewBaseKinds = []string{"village", "calendar", "filing", "inspect", "settings", "grid", "township"}

// LoadOverviewBase reads the part of pane 5's read model that is not counted.
func LoadOverviewBase(ctx context.Context, st OverviewSource, a store.Actor) (*OverviewBase, error) {
	d := &OverviewBase{Today: st.Today(), History: map[string][]store.Filing{}}
	var err error
	if d.Villages, err = st.Villages(ctx, a); err != nil {
		return nil, err
	}
	if d.Cal, err = st.Calendar(ctx); err != nil {
		return nil, err
	}
	fs, err := st.FilingsOf(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		k := f.Village + "/" + f.Kind
		d.History[k] = append(d.History[k], f)
	}
	if d.Findings, err = st.Inspections(ctx, a); err != nil {
		return nil, err
	}
	if d.Weights, err = st.ScoreWeights(ctx); err != nil {
		return nil, err
	}
	if d.Meetings, err = st.Meetings(ctx, a); err != nil {
		return nil, err
	}
	grids, err := st.Grids(ctx, a)
	if err != nil {
		return nil, err
	}
	gridName := map[string]string{}
	for _, g := range grids {
		gridName[g.Code] = g.Name
	}
	var seen []store.Grid
	for _, g := range grids {
		if a.CanSee(g.Village, g.Code) {
			seen = append(seen, g)
		}
	}
	for _, code := range store.Unmobilized(seen, d.Meetings) {
		d.Unmobilized = append(d.Unmobilized, store.GridVillage(code)+" "+gridName[code])
	}
	d.GridName = gridName
	d.Missing = store.MissingRecords(d.Cal, d.Today, d.Villages, seen, d.Meetings, fs)
	return d, nil
}

// SumOverview makes pane 5's read model from its base and the counts, read through counts as
// LoadOverviewWith says. Neither the base nor the counts are changed.
func SumOverview(b *OverviewBase, a store.Actor, counts func(store.Actor) (*OverviewCounts, error)) (*Overview, error) {
	d := &Overview{Today: b.Today, Villages: b.Villages, Cal: b.Cal, History: b.History, Findings: b.Findings,
		Weights: b.Weights, Meetings: b.Meetings, Unmobilized: b.Unmobilized, Missing: b.Missing, GridName: b.GridName,
		Tiers: map[store.Tier]int{}, Tags: map[store.Tag]int{}, Raised: make([]int, 14), Resolved: make([]int, 14),
		Members: map[string][]store.Member{}}
	gridName := b.GridName
	// The counts: the scope's own, or each village's summed.
	var parts []*OverviewCounts
	if a.Village == "" && (a.Role == store.RoleTownship || a.Role == store.RoleInspector) {
		var err error
		parts, err = parallel.Parts(len(d.Villages), func(i int) (*OverviewCounts, error) {
			return counts(store.Actor{Name: a.Name, Role: store.RoleVillage, Village: d.Villages[i].Code})
		})
		if err != nil {
			return nil, err
		}
	} else {
		p, err := counts(a)
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	courses := map[string]int{}
	d.Figures = map[string]store.Figures{}
	// Each part's common issues are in order already (CountOverview): they are merged as
	// far as a screen asks.
	common := make([][]CommonIssue, 0, len(parts))
	for _, p := range parts {
		common = append(common, p.Common)
	}
	d.Common = NewCommonList(common...)
	for _, p := range parts {
		for v, f := range p.Villages {
			if _, ok := d.Figures[v]; ok {
				f = d.Figures[v].Add(f)
			}
			d.Figures[v] = f
		}
		for t, n := range p.Tiers {
			d.Tiers[t] += n
		}
		for t, n := range p.Tags {
			d.Tags[t] += n
		}
		for i := range d.Raised {
			d.Raised[i] += p.Raised[i]
			d.Resolved[i] += p.Resolved[i]
		}
		for name, n := range p.Courses {
			courses[name] += n
		}
		for v, ms := range p.Members {
			// A village's members are one part's, shared rather than copied after every
			// change; capped, so that appending copies and never writes into the part.
			if have, ok := d.Members[v]; ok {
				d.Members[v] = append(have, ms...)
			} else {
				d.Members[v] = ms[:len(ms):len(ms)]
			}
		}
	}
	for name, n := range courses {
		d.Courses = append(d.Courses, CountRow{Name: name, N: n})
	}
	sort.Slice(d.Courses, func(i, j int) bool {
		if d.Courses[i].N != d.Courses[j].N {
			return d.Courses[i].N > d.Courses[j].N
		}
		return d.Courses[i].Name < d.Courses[j].Name
	})
	for _, f := range d.Figures {
		d.Total.AddIn(f)
	}
	// Coverage bars: per village for the township, per grid for one village.
	if len(d.Villages) == 1 {
		figures := map[string]store.Figures{}
		for _, p := range parts {
			maps.Copy(figures, p.Figures)
		}
		var codes []string
		for g := range figures {
			if figures[g].Households > 0 {
				codes = append(codes, g)
			}
		}
		sort.Strings(codes)
		for _, g := range codes {
			d.Coverage = append(d.Coverage, BarRow{Name: gridName[g], Done: figures[g].Visited, All: figures[g].Households})
		}
	} else {
		for _, v := range d.Villages {
			if f := d.Figures[v.Code]; f.Households > 0 {
				d.Coverage = append(d.Coverage, BarRow{Name: v.Name, Done: f.Visited, All: f.Households})
			}
		}
	}
	// Filings and their lateness, then the score sheets.
	for _, v := range d.Villages {
		x := &store.ScoreInputs{Figures: d.Figures[v.Code]}
		for _, kind := range store.FilingKinds() {
			row := FilingRow{Village: v.Code, Kind: kind, Due: d.Cal.Deadline(v.Code, store.Filings()[kind])}
			if h := d.History[v.Code+"/"+kind]; len(h) > 0 {
				row.Latest, row.Versions = &h[len(h)-1], len(h)
			}
			d.Filings = append(d.Filings, row)
			if row.Due != "" && row.Due < d.Today {
				x.FilingsDue++
				// On time: the first filing came by the deadline.
				if h := d.History[v.Code+"/"+kind]; len(h) > 0 && !h[0].Late {
					x.FiledOnTime++
				}
			}
		}
		for _, f := range d.Findings {
			if f.Village == v.Code && f.Open() {
				x.OpenFindings++
			}
		}
		d.Sheets = append(d.Sheets, store.Assess(v.Code, *x, d.Weights))
	}
	store.Rank(d.Sheets)
	return d, nil
}

// CountOverview makes pane 5's counts for the actor's scope: the figures of its grids (by
// store.CountFigures, the one count every pane and export uses), the open concerns by tier and
// colour, the daily trend, candidate common issues, night-school courses and the current
// members.
func CountOverview(ctx context.Context, st OverviewSource, l *Ledger, a store.Actor) (*OverviewCounts, error) {
	d := &OverviewCounts{Tiers: map[store.Tier]int{}, Tags: map[store.Tag]int{}, Courses: map[string]int{},
		Members: map[string][]store.Member{}}
	today := st.Today()
	ms, err := st.Members(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, m := range store.CurrentMembers(ms) {
		d.Members[m.Village] = append(d.Members[m.Village], m)
	}
	// Coverage counts the current roster (a household that moved out is owed no visit):
	// CountFigures leaves out who moved out of the store's shared rows, read by pointer.
	hhs, err := st.HouseholdRefs(ctx, a)
	if err != nil {
		return nil, err
	}
	visits, err := st.Visits(ctx, a)
	if err != nil {
		return nil, err
	}
	each, err := l.EachConcern(ctx, a)
	if err != nil {
		return nil, err
	}
	rs, err := st.Revisits(ctx, a)
	if err != nil {
		return nil, err
	}
	limits, err := st.Limits(ctx)
	if err != nil {
		return nil, err
	}
	courses := map[string]map[string]bool{}
	for _, v := range visits {
		for _, f := range v.Findings {
			if f.Kind == "nightschool" {
				name := f.Category
				if name == "" {
					name = f.Text
				}
				if courses[name] == nil {
					courses[name] = map[string]bool{}
				}
				courses[name][v.Household] = true
			}
		}
	}
	for name, hh := range courses {
		d.Courses[name] = len(hh)
	}
	// Every figure — coverage, the rates, open, overdue, supervised, extensions — comes from
	// the one count the other panes, the assessment and the exports use.
	now := st.Now()
	// Concerns: counts by tier and colour, the daily trend and the common-issue finder,
	// counted as the figures are, in the same pass over them.
	day0 := now.AddDate(0, 0, -13).Format(time.DateOnly)
	d.Raised, d.Resolved = make([]int, 14), make([]int, 14)
	// A time more than a day outside the fortnight is outside it in any zone: most concerns
	// are, and formatting each one's day cost a county's overview tens of milliseconds.
	early, late := now.AddDate(0, 0, -15), now.AddDate(0, 0, 2)
	dayIndex := func(t time.Time) int {
		if t.Before(early) || t.After(late) {
			return -1
		}
		ds := t.Format(time.DateOnly)
		if ds < day0 || ds > today {
			return -1
		}
		return daysBetween(day0, ds)
	}
	similar := map[string]*CommonIssue{}
	households := map[string]map[string]bool{}
	concern := func(c *store.Concern) {
		if c.Status.Open() {
			d.Tiers[c.Tier]++
			d.Tags[c.Tag]++
			if c.Project == "" {
				// Similar: same category and the same first words.
				key := c.Village + "|" + c.Category + "|" + firstRunes(c.Description, 6)
				if similar[key] == nil {
					similar[key] = &CommonIssue{Category: c.Category, Text: c.Description}
					households[key] = map[string]bool{}
				}
				similar[key].IDs = append(similar[key].IDs, c.ID)
				households[key][c.Household] = true
			}
		}
		if i := dayIndex(c.CreatedAt); i >= 0 {
			d.Raised[i]++
		}
		if !c.ResolvedAt.IsZero() {
			if i := dayIndex(c.ResolvedAt); i >= 0 {
				d.Resolved[i]++
			}
		}
	}
	d.Figures = store.CountFigures(store.FigureData{Households: hhs, Visits: visits, Revisits: rs, Limits: limits, Now: now,
		EachConcern: func(fn func(c *store.Concern)) {
			each(func(c *store.Concern) {
				fn(c)
				concern(c)
			})
		}})
	// Summed per village here, once per change in the village, not by every township sum.
	d.Villages = map[string]store.Figures{}
	for g, f := range d.Figures {
		v := store.GridVillage(g)
		d.Villages[v] = d.Villages[v].Add(f)
	}
	for k, ci := range similar {
		ci.Households = len(households[k])
		if ci.Households >= 2 {
			d.Common = append(d.Common, *ci)
		}
	}
	slices.SortFunc(d.Common, commonOrder)
	return d, nil
}

// commonOrder puts the common issues of more households first, then by their first concern.
func commonOrder(a, b CommonIssue) int {
	if a.Households != b.Households {
		return b.Households - a.Households
	}
	return strings.Compare(a.IDs[0], b.IDs[0])
}

// CommonList is a scope's common issues in commonOrder, merged out of its villages' lists
// (each in that order already) only as far as a screen asks. A county township sums 230
// villages' lists of thousands after every change; sorting them all again was a tenth of a
// change's CPU, and every session shows only the first screenful. Safe for concurrent use;
// the lists it merges are read only.
type CommonList struct {
	mu  sync.Mutex
	n   int
	h   commonHeap
	out []CommonIssue
}

// NewCommonList merges lists, each in commonOrder.
func NewCommonList(lists ...[]CommonIssue) *CommonList {
	c := &CommonList{}
	for _, l := range lists {
		if len(l) > 0 {
			c.h.runs = append(c.h.runs, l)
			c.n += len(l)
		}
	}
	heap.Init(&c.h)
	return c
}

// Len is how many issues the list holds.
func (c *CommonList) Len() int {
	if c == nil {
		return 0
	}
	return c.n
}

// Window returns issues [from, to) (cut to the list), merging as far as to. The slice is
// read only.
func (c *CommonList) Window(from, to int) []CommonIssue {
	if c == nil {
		return nil
	}
	to = min(to, c.n)
	from = min(max(from, 0), to)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.out == nil {
		// A screen's worth and some: most lists are only ever asked for their first page.
		// A window handed out is capped, so a later append that moves the list leaves it be.
		c.out = make([]CommonIssue, 0, min(c.n, max(to, 64)))
	}
	for len(c.out) < to {
		run := c.h.runs[0]
		c.out = append(c.out, run[0])
		if len(run) == 1 {
			heap.Pop(&c.h)
			continue
		}
		c.h.runs[0] = run[1:]
		heap.Fix(&c.h, 0)
	}
	return c.out[from:to:to]
}

// commonHeap is the lists a CommonList merges, by their first issue.
type commonHeap struct{ runs [][]CommonIssue }

func (h *commonHeap) Len() int           { return len(h.runs) }
func (h *commonHeap) Less(i, j int) bool { return commonOrder(h.runs[i][0], h.runs[j][0]) < 0 }
func (h *commonHeap) Swap(i, j int)      { h.runs[i], h.runs[j] = h.runs[j], h.runs[i] }
func (h *commonHeap) Push(x any)         { h.runs = append(h.runs, x.([]CommonIssue)) }
func (h *commonHeap) Pop() any {
	x := h.runs[len(h.runs)-1]
	h.runs = h.runs[:len(h.runs)-1]
	return x
}

// firstRunes is s's first n characters.
func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}
