package tui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/parallel"
	"sanbai/query"
	"sanbai/store"
	"sanbai/views"
)

// revisit is the 4 回头看 pane: the four rates, the checklist of resolved concerns waiting for
// their revisit (per village and group), the revisit form, the notice list and the supervised
// list.
type revisit struct {
	c      *Common
	fs     *focus
	reload reloader
	w, h   int
	loaded bool
	err    error
	d      *revisitData
	view   int // 0 summary, 1 checklist, 2 notices, 3 supervised, 4 rates
	cur    [5]views.Cursor
	// form is the revisit form (a layer while open), and body its fields; kept is a form put
	// aside with its draft (esc, k), which f brings back.
	form *form
	body *revisitForm
	kept bool
	// rechecks counts the looks left for a draft held by a session the server has not yet
	// seen end.
	rechecks int
	// pendingFill is a household whose revisit form a card asked for before the data was in.
	pendingFill string
}

// The pane's views, cycled with v.
const (
	rvSummary = iota
	rvChecklist
	rvNotices
	rvSupervised
	rvRates
	rvViews
)

// revisitData is what the pane shows, computed off the UI goroutine.
type revisitData struct {
	units   []revisitUnit
	pending []*pendingHousehold
	// notices and supervised point into the concerns the load read (a township's, into its
	// parts'): assembling a county's lists after every triage copied thousands of concerns.
	notices    []*store.Concern
	supervised []*store.Concern
	rates      []unitRates
	total      store.Rates
	// concerns and households are those the checklist and form show (look them up with
	// concern and household: a township's data keeps them in its parts, one per village).
	// The concerns are the part's own copies of only the concerns its lists show: the
	// village's whole ledger, kept alive by a pointer into it, was a third of what a county
	// server kept live, and every collection marked it again.
	concerns   map[string]*store.Concern
	households map[string]store.Household
	parts      []*revisitData
	groups     map[string]store.Group
	villages   map[string]store.Village
	grids      map[string]string
	deadlines  map[string]string
	draft      *store.RevisitDraft
	// heldDraft: the user has a draft, but another live session holds it open.
	heldDraft bool
	today     string
}

// revisitUnit is a summary row: a village, or a group for village and grid users.
type revisitUnit struct {
	code, name                   string
	due, done, pending, overdue  int
	satisfied, fair, unsatisfied int
	supervised                   int
}

// pendingHousehold is one household with the resolved concerns its group must go back about.
type pendingHousehold struct {
	hh       store.Household
	group    string
	concerns []*store.Concern // into the data's kept concerns
	overdue  bool
}

// unitRates are the rates of one grid or village.
type unitRates struct {
	name  string
	rates store.Rates
}

type revisitLoaded struct {
	d   *revisitData
	err error
}

func newRevisit(c *Common, fs *focus) *revisit { return &revisit{c: c, fs: fs, rechecks: 5} }

func (r *revisit) setCommon(c *Common) {
	r.c = c
	if r.form != nil && !r.fs.open(r.form) {
		r.form.setCommon(c) // a kept form; an open one is a layer and gets it from the root
	}
}

// settling is true until the first load is in: keys typed before wait for the lists.
func (r *revisit) settling() bool { return !r.loaded }

func (r *revisit) Init() tea.Cmd { return r.reload.want(func() tea.Cmd { return r.load(true) }) }

// hasDraft reports (reading the store) that the user left an unsaved revisit form.
func (r *revisit) hasDraft() bool {
	return r.c.hasDrafts(store.DraftRevisit)
}

func (r *revisit) load(withDraft bool) tea.Cmd {
	c := r.c
	return func() tea.Msg {
		var find draftFinder
		if withDraft {
			find = c.drafts()
		}
		// The checklist and rates are one per scope and store version for the whole server;
		// the session keeps its own header over them, with its draft.
		sh, err := sharedRevisitOf(c.Ctx, c.Shared, c.Store, c.Ledger, c.Actor)
		if err != nil {
			return revisitLoaded{err: err}
		}
		d := *sh
		if find != nil && c.Actor.Role != store.RoleInspector {
			err = d.withDraft(c.Ctx, c.Store, c.Ledger, c.Actor, find)
		}
		if err == nil && withDraft && d.draft == nil && c.Actor.Role != store.RoleInspector {
			d.heldDraft = c.hasDrafts(store.DraftRevisit)
		}
		return revisitLoaded{d: &d, err: err}
	}
}

// withDraft adds the user's draft to the session's data, with its household and concerns
// whatever became of them since (in small maps of the session's own, over the shared data).
func (d *revisitData) withDraft(ctx context.Context, st store.Engine, l *query.Ledger, a store.Actor, find draftFinder) error {
	var dr store.RevisitDraft
	id, ok := find(store.DraftRevisit, &dr)
	if !ok {
		return nil
	}
	dr.DraftID = id
	d.draft = &dr
	shared := *d
	d.parts = []*revisitData{&shared}
	d.concerns, d.households = map[string]*store.Concern{}, map[string]store.Household{}
	if hh, err := st.Household(ctx, a, dr.Village, dr.Household); err == nil {
		d.households[hh.ID] = hh
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var ids []string
	for _, ans := range dr.Answers {
		ids = append(ids, ans.Concern)
	}
	cs, err := l.Get(ctx, a, ids)
	if err != nil {
		return err
	}
	for id, c := range cs {
		d.concerns[id] = &c
	}
	return nil
}

// concern looks a concern of the checklist (or the draft) up by ID.
func (d *revisitData) concern(id string) (store.Concern, bool) {
	if c, ok := d.concerns[id]; ok {
		return *c, true
	}
	for _, p := range d.parts {
		if c, ok := p.concern(id); ok {
			return c, true
		}
	}
	return store.Concern{}, false
}

// household looks a household of the checklist (or the draft) up by ID.
func (d *revisitData) household(id string) (store.Household, bool) {
	if h, ok := d.households[id]; ok {
		return h, true
	}
	for _, p := range d.parts {
		if h, ok := p.household(id); ok {
			return h, true
		}
	}
	return store.Household{}, false
}

// concernsOf are the concerns a revisit form's answers are about, for the form.
func (d *revisitData) concernsOf(dr store.RevisitDraft) map[string]store.Concern {
	out := make(map[string]store.Concern, len(dr.Answers))
	for _, a := range dr.Answers {
		if c, ok := d.concern(a.Concern); ok {
			out[a.Concern] = c
		}
	}
	return out
}

// loadRevisitShared is the checklist and counts of the actor's scope. A township user's (or
// an inspector's) is made of one part per village, each kept in sh until a change in that
// village: after a triage one village's part is counted again, not the county's 200,000
// concerns.
func loadRevisitShared(ctx context.Context, sh *query.Shared, st store.Engine, l *query.Ledger, a store.Actor) (*revisitData, error) {
	if a.Role != store.RoleTownship && a.Role != store.RoleInspector {
		return loadRevisit(ctx, st, l, a, false)
	}
	vs, err := st.Villages(ctx, a)
	if err != nil {
		return nil, err
	}
	parts, err := parallel.Parts(len(vs), func(i int) (*revisitData, error) {
		va := store.Actor{Name: a.Name, Role: store.RoleVillage, Village: vs[i].Code}
		return query.GetShared(ctx, sh, sharedRevisitPart, va, func() (*revisitData, error) {
			return loadRevisit(ctx, st, l, va, true)
		})
	})
	if err != nil {
		return nil, err
	}
	// The lists and maps are sized first: growing them part by part copied them over and over.
	var units, pending, notices, supervised, rates, groups, grids, deadlines int
	for _, p := range parts {
		units, pending, notices, supervised, rates = units+len(p.units), pending+len(p.pending),
			notices+len(p.notices), supervised+len(p.supervised), rates+len(p.rates)
		groups, grids, deadlines = groups+len(p.groups), grids+len(p.grids), deadlines+len(p.deadlines)
	}
	d := &revisitData{groups: make(map[string]store.Group, groups), villages: make(map[string]store.Village, len(vs)),
		grids: make(map[string]string, grids), deadlines: make(map[string]string, deadlines), today: st.Today()}
	d.units, d.pending = make([]revisitUnit, 0, units), make([]*pendingHousehold, 0, pending)
	d.notices, d.supervised = make([]*store.Concern, 0, notices), make([]*store.Concern, 0, supervised)
	d.rates = make([]unitRates, 0, rates)
	var runs listRuns
	for _, p := range parts {
		runs.note(d)
		d.parts = append(d.parts, p)
		d.units = append(d.units, p.units...)
		d.pending = append(d.pending, p.pending...)
		d.notices = append(d.notices, p.notices...)
		d.supervised = append(d.supervised, p.supervised...)
		d.rates = append(d.rates, p.rates...)
		d.total = d.total.Add(p.total)
		maps.Copy(d.groups, p.groups)
		maps.Copy(d.villages, p.villages)
		maps.Copy(d.grids, p.grids)
		maps.Copy(d.deadlines, p.deadlines)
	}
	d.sortLists(&runs)
	return d, nil
}

// listRuns are where each village's part starts in a township's lists: the parts are sorted
// already, so the lists are in order unless two parts meet out of order.
type listRuns struct{ units, pending, notices, supervised []int }

// note marks where the next part starts: at the lists' present ends.
func (r *listRuns) note(d *revisitData) {
	r.units, r.pending = append(r.units, len(d.units)), append(r.pending, len(d.pending))
	r.notices, r.supervised = append(r.notices, len(d.notices)), append(r.supervised, len(d.supervised))
}

// loadRevisit gathers the checklist and counts. Township users and inspectors see a row per
// village; village and grid users a row per group.
func loadRevisit(ctx context.Context, st store.Engine, l *query.Ledger, a store.Actor, byVillage bool) (*revisitData, error) {
	d := &revisitData{concerns: map[string]*store.Concern{}, households: map[string]store.Household{},
		groups: map[string]store.Group{}, villages: map[string]store.Village{}, grids: map[string]string{}, today: st.Today()}
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
	if d.deadlines, err = st.RevisitDeadlines(ctx, a); err != nil {
		return nil, err
	}
	vs, err := st.Villages(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		d.villages[v.Code] = v
	}
	gs, err := st.Grids(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, g := range gs {
		d.grids[g.Code] = g.Name
	}
	groups, err := st.Groups(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		d.groups[g.ID] = g
	}
	// The store's shared rows, by pointer: only those kept below are copied.
	hhs, err := st.HouseholdRefs(ctx, a)
	if err != nil {
		return nil, err
	}
	// The pane keeps only the households and concerns its checklist and form show: on a
	// county store a township session holding every one of them held hundreds of MB.
	hhAt := make(map[string]*store.Household, len(hhs))
	for _, h := range hhs {
		hhAt[h.ID] = h
	}
	keepHousehold := func(id string) store.Household {
		if h, ok := hhAt[id]; ok {
			d.households[id] = *h
			return *h
		}
		return store.Household{}
	}
	latest := map[string]store.Revisit{}
	for _, rv := range rs {
		if old, ok := latest[rv.Concern]; !ok || rv.At.After(old.At) {
			latest[rv.Concern] = rv
		}
	}
	units := map[string]*revisitUnit{}
	unit := func(c *store.Concern) *revisitUnit {
		code, name := c.Village, d.villages[c.Village].Name
		if !byVillage {
			g := d.groups[c.RevisitGroupOf()]
			code, name = g.ID, g.Name
			if name == "" {
				code, name = "-", "—"
			}
		}
		if units[code] == nil {
			units[code] = &revisitUnit{code: code, name: name}
		}
		return units[code]
	}
	// What each concern is on: the supervised list, the notice list, the checklist (waiting
	// for its revisit, or revisited). Those on none are only counted. The rates come from the
	// one count every pane and export uses (store.CountFigures), in the same pass.
	type listing struct {
		sup, note, checklist bool
	}
	var (
		on   []listing
		kept []*store.Concern
	)
	figures := store.CountFigures(store.FigureData{Revisits: rs, Limits: limits, Now: st.Now(),
		EachConcern: func(fn func(c *store.Concern)) {
			each(func(c *store.Concern) {
				fn(c)
				rv, revisited := latest[c.ID]
				l := listing{sup: c.Supervisor != "" && c.Status != store.StatusClosed,
					// Put there by a failed revisit and not closed since.
					note:      c.Status != store.StatusClosed && (!c.NoticeAt.IsZero() || (c.Status == store.StatusReopened && revisited && !rv.Satisfied())),
					checklist: c.Status == store.StatusResolved || revisited}
				if l.sup || l.note || l.checklist {
					// Each its own copy: an array of them grown by appending was copied over
					// and over, for a county's resolved concerns by the ten thousand.
					k := new(store.Concern)
					*k = *c
					on, kept = append(on, l), append(kept, k)
				} else {
					unit(c)
				}
			})
		}})
	gridRates := map[string]store.Rates{}
	villageRates := map[string]store.Rates{}
	for g, f := range figures {
		gridRates[g] = f.Rates
		v := store.GridVillage(g)
		villageRates[v] = villageRates[v].Add(f.Rates)
		d.total = d.total.Add(f.Rates)
	}
	pend := map[string]*pendingHousehold{}
	for k, l := range on {
		c := kept[k]
		u := unit(c)
		if l.sup {
			u.supervised++
			d.supervised = append(d.supervised, c)
		}
		if l.note {
			d.notices = append(d.notices, c)
		}
		if !l.checklist {
			continue
		}
		rv, revisited := latest[c.ID]
		waiting := c.Status == store.StatusResolved
		d.concerns[c.ID] = c
		u.due++
		if revisited {
			u.done++
			switch rv.Satisfaction {
			case store.SatVeryGood, store.SatGood:
				u.satisfied++
			case store.SatFair:
				u.fair++
			default:
				u.unsatisfied++
			}
		}
		if waiting {
			u.pending++
			overdue := d.deadlines[c.Village] != "" && d.deadlines[c.Village] < d.today
			if overdue {
				u.overdue++
			}
			p := pend[c.Household]
			if p == nil {
				p = &pendingHousehold{hh: keepHousehold(c.Household), group: c.RevisitGroupOf()}
				pend[c.Household] = p
			}
			p.concerns = append(p.concerns, c)
			p.overdue = p.overdue || overdue
		}
	}
	for _, u := range units {
		d.units = append(d.units, *u)
	}
	for _, p := range pend {
		if p.hh.ID == "" {
			continue
		}
		d.pending = append(d.pending, p)
	}
	d.sortLists(nil)
	// Rates per village, then per grid within it.
	var vcodes []string
	for v := range villageRates {
		vcodes = append(vcodes, v)
	}
	sort.Strings(vcodes)
	for _, v := range vcodes {
		d.rates = append(d.rates, unitRates{name: d.villages[v].Name, rates: villageRates[v]})
		var gcodes []string
		for g := range gridRates {
			if ConcernVillageOf(g) == v {
				gcodes = append(gcodes, g)
			}
		}
		sort.Strings(gcodes)
		for _, g := range gcodes {
			d.rates = append(d.rates, unitRates{name: "  " + d.grids[g], rates: gridRates[g]})
		}
	}
	return d, nil
}

// lessSwap is a sort.Interface of functions.
type lessSwap struct {
	n    int
	less func(i, j int) bool
	swap func(i, j int)
}

func (x lessSwap) Len() int           { return x.n }
func (x lessSwap) Less(i, j int) bool { return x.less(i, j) }
func (x lessSwap) Swap(i, j int)      { x.swap(i, j) }

// sortLists puts the summary, the checklist and the two concern lists in the order the pane
// shows them. runs, when not nil, says where the sorted runs a township's lists are made of
// start (its villages' parts).
func (d *revisitData) sortLists(runs *listRuns) {
	// A township's lists are its villages' sorted lists end to end, most often already in
	// order: checking where two parts meet is one look per village, while sorting thousands of
	// rows again (or even checking every row) after every triage was not.
	var r listRuns
	if runs != nil {
		r = *runs
	}
	sortIf := func(n int, starts []int, less func(i, j int) bool, swap func(i, j int)) {
		ordered := func(i int) bool { return i <= 0 || i >= n || !less(i, i-1) }
		if runs == nil {
			for i := 1; i < n; i++ {
				if !ordered(i) {
					sort.Sort(lessSwap{n, less, swap})
					return
				}
			}
			return
		}
		for _, i := range starts {
			if !ordered(i) {
				sort.Sort(lessSwap{n, less, swap})
				return
			}
		}
	}
	sortIf(len(d.units), r.units, func(i, j int) bool { return d.units[i].code < d.units[j].code }, func(i, j int) {
		d.units[i], d.units[j] = d.units[j], d.units[i]
	})
	sortIf(len(d.pending), r.pending, func(i, j int) bool {
		a, b := d.pending[i], d.pending[j]
		// By village first: a township's list is its villages' lists end to end.
		if a.hh.Village != b.hh.Village {
			return a.hh.Village < b.hh.Village
		}
		if a.group != b.group {
			return a.group < b.group
		}
		return a.hh.Address < b.hh.Address
	}, func(i, j int) { d.pending[i], d.pending[j] = d.pending[j], d.pending[i] })
	byID := func(list []*store.Concern, starts []int) {
		sortIf(len(list), starts, func(i, j int) bool { return list[i].ID < list[j].ID }, func(i, j int) { list[i], list[j] = list[j], list[i] })
	}
	byID(d.notices, r.notices)
	byID(d.supervised, r.supervised)
}

func (r *revisit) SetSize(w, h int) { r.w, r.h = w, h }

// Capturing: the lists take no text; the form and prompts are layers of their own.
func (r *revisit) Capturing() bool { return false }

func (r *revisit) rows() int {
	switch r.view {
	case rvSummary:
		return len(r.d.units)
	case rvChecklist:
		return len(r.d.pending)
	case rvNotices:
		return len(r.d.notices)
	case rvSupervised:
		return len(r.d.supervised)
	}
	return len(r.d.rates)
}

func (r *revisit) listHeight() int { return max(r.h-5, 1) }

// Update handles a message; a finished load lets the next one asked for start.
func (r *revisit) Update(msg tea.Msg) tea.Cmd {
	var after tea.Cmd
	switch m := msg.(type) {
	case revisitLoaded:
		after = r.reload.done(func() tea.Cmd { return r.load(false) })
		if h := r.pendingFill; h != "" {
			r.pendingFill = ""
			if m.err == nil {
				return tea.Batch(r.update(msg), r.fillFor(h), after)
			}
		}
	case revisitHouseholdMsg:
		// From a household card: keys typed meanwhile wait (settling) until the data is in.
		if !r.loaded {
			r.pendingFill = m.household
			return nil
		}
		return r.fillFor(m.household)
	}
	return tea.Batch(r.update(msg), after)
}

// fillFor opens the revisit form of a household of the checklist (asked for from its card).
func (r *revisit) fillFor(household string) tea.Cmd {
	if r.d == nil {
		return nil
	}
	if r.form != nil {
		if r.kept && r.body != nil && r.body.hh.ID == household {
			return r.fill() // the form put aside is this household's: it comes back
		}
		return status(r.c.T("rf.busy"), true)
	}
	for i, p := range r.d.pending {
		if p.hh.ID == household {
			r.view = rvChecklist
			r.cur[rvChecklist].SetLen(len(r.d.pending))
			r.cur[rvChecklist].Pos = i
			r.cur[rvChecklist].Move(0, r.listHeight())
			return r.fill()
		}
	}
	return status(r.c.T("card.norevisit"), true)
}

func (r *revisit) update(msg tea.Msg) tea.Cmd {
	k := r.c.Keys
	switch msg := msg.(type) {
	case revisitLoaded:
		r.loaded, r.err = true, msg.err
		if msg.err != nil {
			return nil
		}
		r.d = msg.d
		for v := range r.cur {
			r.view, v = v, r.view
			r.cur[r.view].SetLen(r.rows())
			r.view = v
		}
		if r.body != nil {
			r.body.concerns = r.d.concernsOf(r.body.d)
			if hh, ok := r.d.household(r.body.hh.ID); ok {
				r.body.hh = hh
			}
		}
		if msg.d.draft != nil && r.form == nil {
			if hh, ok := r.d.household(msg.d.draft.Household); ok {
				// A form cut off by a dropped link comes back as it was, on this pane.
				r.openForm(*msg.d.draft, hh, msg.d.draft.SavedAt)
				r.fs.say(r.c.T("rf.restored"), false)
				return func() tea.Msg { return focusPaneMsg{pane: paneRevisit} }
			}
		}
		if msg.d.heldDraft && r.form == nil && r.rechecks > 0 {
			r.rechecks--
			return recheckDrafts(r.rechecks)
		}
		return nil
	case draftRecheck:
		if r.form == nil {
			return r.load(true)
		}
		return nil
	case ChangedMsg:
		if msg.touches("concern", "revisit", "village", "settings", "group", "household") {
			return r.reload.want(func() tea.Cmd { return r.load(false) })
		}
		return nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	// The view can be chosen before the data is in; the cursors are sized when it arrives.
	if key.Matches(km, k.RevisitView) && r.d == nil {
		r.view = (r.view + 1) % rvViews
		return nil
	}
	if r.d == nil {
		return nil
	}
	if moveKeys(k, km, &r.cur[r.view], r.listHeight()) {
		return nil
	}
	switch {
	case key.Matches(km, k.RevisitView):
		r.view = (r.view + 1) % rvViews
		r.cur[r.view].SetLen(r.rows())
	case key.Matches(km, k.Back):
		r.view = rvSummary
	case key.Matches(km, k.Fill):
		return r.fill()
	case key.Matches(km, k.Reassign):
		return r.askReassign()
	case key.Matches(km, k.RevisitDue):
		return r.askTownship("deadline", "rf.ask.deadline")
	case key.Matches(km, k.Leader):
		return r.askTownship("leader", "rf.ask.leader")
	}
	return nil
}

// fill opens the revisit form for the selected household of the checklist.
func (r *revisit) fill() tea.Cmd {
	if r.c.Actor.Role == store.RoleInspector {
		return status(r.c.T("err.readonly"), true)
	}
	if r.kept {
		// f brings back the form put aside.
		r.kept = false
		r.fs.push(paneRevisit, r.form)
		return nil
	}
	if r.view != rvChecklist {
		r.view = rvChecklist
		r.cur[r.view].SetLen(r.rows())
		return status(r.c.T("rf.pick"), false)
	}
	i := r.cur[rvChecklist].Pos
	if i >= len(r.d.pending) {
		return nil
	}
	p := r.d.pending[i]
	d := store.RevisitDraft{Village: p.hh.Village, Household: p.hh.ID, Date: r.c.Today()}
	for _, c := range p.concerns {
		d.Answers = append(d.Answers, store.RevisitAnswer{Concern: c.ID})
	}
	if len(p.hh.Residents) > 0 {
		d.Met = []string{p.hh.Head().ID}
	}
	r.openForm(d, p.hh, time.Time{})
	return nil
}

// openForm puts the revisit form over the pane, from a draft (saved at; zero for a new one).
func (r *revisit) openForm(d store.RevisitDraft, hh store.Household, saved time.Time) {
	body := newRevisitForm(r.c, d, hh, r.d.concernsOf(d))
	fr := newForm(r.c, r.fs, paneRevisit, body)
	body.frame = fr
	fr.fromDraft(saved)
	fr.saved = func(any) tea.Cmd {
		r.form, r.body, r.kept = nil, nil, false
		return r.load(false)
	}
	fr.left = func(kept bool) {
		r.kept = kept
		if !kept {
			r.form, r.body = nil, nil
		}
	}
	fr.hold(store.DraftRevisit, body.d.DraftID)
	r.form, r.body, r.kept = fr, body, false
	r.fs.push(paneRevisit, fr)
}

// askReassign picks another group of the village for the selected household's revisit.
func (r *revisit) askReassign() tea.Cmd {
	if r.view != rvChecklist || r.cur[rvChecklist].Pos >= len(r.d.pending) {
		return nil
	}
	p := r.d.pending[r.cur[rvChecklist].Pos]
	var opts []option
	for _, g := range r.d.groups {
		if g.Village == p.hh.Village {
			opts = append(opts, option{label: g.Name, value: g.ID, key: searchKey(g.Name, g.ID)})
		}
	}
	sort.Slice(opts, func(i, j int) bool { return opts[i].value < opts[j].value })
	r.fs.push(paneRevisit, askFor(r.c, r.fs, r.c.T("rf.ask.group"), "", fixed(opts), func(val string) (tea.Cmd, string) {
		return r.answer("reassign", val)
	}))
	return nil
}

// askTownship asks a township user for the selected village's revisit deadline or leader.
func (r *revisit) askTownship(kind, label string) tea.Cmd {
	if r.c.Actor.Role != store.RoleTownship {
		return status(r.c.T("rf.township"), true)
	}
	if r.view != rvSummary || r.cur[rvSummary].Pos >= len(r.d.units) {
		return status(r.c.T("rf.pickvillage"), false)
	}
	u := r.d.units[r.cur[rvSummary].Pos]
	initial := r.d.deadlines[u.code]
	if kind == "leader" {
		initial = r.d.villages[u.code].Leader
	}
	r.fs.push(paneRevisit, askFor(r.c, r.fs, fmt.Sprintf(r.c.T(label), u.name), initial, nil, func(val string) (tea.Cmd, string) {
		return r.answer(kind, val)
	}))
	return nil
}

// answer carries out what a prompt was for; a refusal keeps the prompt open.
func (r *revisit) answer(kind, val string) (tea.Cmd, string) {
	c := r.c
	switch kind {
	case "reassign":
		p := r.d.pending[r.cur[rvChecklist].Pos]
		return func() tea.Msg {
			for _, x := range p.concerns {
				if _, err := c.Store.AssignRevisit(c.Ctx, c.Actor, x.ID, val); err != nil {
					return statusMsg{text: c.storeWords(err), err: true}
				}
			}
			return statusMsg{text: c.T("rf.reassigned")}
		}, ""
	case "deadline":
		u := r.d.units[r.cur[rvSummary].Pos]
		d, err := parseDeadline(val, c.Store.Now())
		if err != nil {
			return nil, c.storeWords(err)
		}
		return func() tea.Msg {
			if err := c.Store.SetRevisitDeadline(c.Ctx, c.Actor, u.code, d); err != nil {
				return statusMsg{text: c.storeWords(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("rf.deadline.set"), u.name, d)}
		}, ""
	case "leader":
		u := r.d.units[r.cur[rvSummary].Pos]
		return func() tea.Msg {
			if err := c.Store.SetVillageLeader(c.Ctx, c.Actor, u.code, val); err != nil {
				return statusMsg{text: c.storeWords(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("rf.leader.set"), u.name, val)}
		}, ""
	}
	return nil, ""
}

// rate formats one rate as a whole percent rounded half up (store.PercentText, as every pane
// and export does), "–" when there is nothing to measure.
func rate(n, d int) string { return store.PercentText(n, d) }

func (r *revisit) View() string {
	st := r.c.Styles
	switch {
	case !r.loaded:
		return " " + r.c.T("loading")
	case r.err != nil:
		return " " + st.Error.Render(r.c.storeWords(r.err))
	}
	t := r.d.total
	head := " " + fmt.Sprintf(r.c.T("rv.rates4"), rate(t.Responded, t.Concerns), rate(t.OnTime, t.Due),
		rate(t.Revisited, t.Resolved), rate(t.Satisfied, t.Revisited)) + "  " +
		st.Warn.Render(fmt.Sprintf(r.c.T("rv.notices"), len(r.d.notices), len(r.d.supervised)))
	var tabs []string
	for i := range rvViews {
		l := r.c.T(fmt.Sprintf("rv.view.%d", i))
		if i == r.view {
			l = st.PaneActive.Render("[" + l + "]")
		}
		tabs = append(tabs, l)
	}
	lines := []string{head, " " + strings.Join(tabs, " ") + st.Muted.Render("  (v)"), st.HRule(r.w)}
	cur := &r.cur[r.view]
	from, to := cur.Window(r.listHeight())
	tb := r.table(from, to)
	lines = append(lines, tb.Header(st, r.w))
	if r.rows() == 0 {
		lines = append(lines, " "+r.c.T("empty"))
	}
	lines = append(lines, tb.Lines(st, r.w, 0, len(tb.Rows), cur.Pos-from)...)
	if len(lines) > r.h {
		lines = lines[:r.h]
	}
	return strings.Join(lines, "\n")
}

// table builds the table of the current view, with its rows [from, to) only (window).
func (r *revisit) table(from, to int) views.Table {
	st := r.c.Styles
	n := func(x int) views.Cell { return views.T(fmt.Sprint(x)) }
	var t views.Table
	switch r.view {
	case rvSummary:
		t.Columns = []views.Column{{Title: r.c.T("rv.unit")}, {Title: r.c.T("rv.due"), Width: 6, Right: true},
			{Title: r.c.T("rv.done"), Width: 6, Right: true}, {Title: r.c.T("rv.pending"), Width: 6, Right: true},
			{Title: r.c.T("rv.late"), Width: 4, Right: true}, {Title: r.c.T("rv.satisfied"), Width: 4, Right: true},
			{Title: r.c.T("rv.fair"), Width: 8, Right: true, HideBelow: 64}, {Title: r.c.T("rv.unsatisfied"), Width: 6, Right: true},
			{Title: r.c.T("rv.supervised"), Width: 4, Right: true, HideBelow: 56}}
		for _, u := range window(r.d.units, from, to) {
			name := u.name
			if dl := r.d.deadlines[u.code]; dl != "" {
				name += " (" + r.c.day(dl) + ")"
			}
			od := n(u.overdue)
			if u.overdue > 0 {
				od = views.S(fmt.Sprint(u.overdue)+"!", st.Overdue)
			}
			t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(name), n(u.due), n(u.done), n(u.pending), od,
				n(u.satisfied), n(u.fair), n(u.unsatisfied), n(u.supervised)}})
		}
	case rvChecklist:
		t.Columns = []views.Column{{Title: r.c.T("v.group"), Width: 6}, {Title: r.c.T("v.household")},
			{Title: r.c.T("v.concerns"), Width: 16, HideBelow: 60}, {Title: r.c.T("rv.resolved"), Width: 6}}
		for _, p := range window(r.d.pending, from, to) {
			var ids []string
			last := ""
			for _, c := range p.concerns {
				ids = append(ids, c.ID)
				if d := c.ResolvedAt.Format("01-02"); d > last {
					last = d
				}
			}
			mark := ""
			if p.overdue {
				mark = "!"
			}
			t.Rows = append(t.Rows, views.Row{Mark: mark, Cells: []views.Cell{views.T(r.d.groups[p.group].Name),
				views.T(r.d.grids[p.hh.Grid] + " " + p.hh.Address + "  " + p.hh.Head().Name),
				views.T(strings.Join(ids, " ")), views.T(last)}})
		}
	case rvNotices, rvSupervised:
		list := r.d.notices
		if r.view == rvSupervised {
			list = r.d.supervised
		}
		var dues []string
		for _, c := range list {
			dues = append(dues, c.Plan.Deadline)
		}
		t.Columns = []views.Column{{Title: r.c.T("q.id"), Width: 8}, {Title: r.c.T("q.grid"), Width: 12, HideBelow: 64},
			{Title: r.c.T("q.desc")}, {Title: r.c.T("rv.leader"), Width: 8}, {Title: r.c.T("q.deadline"), Width: max(r.c.dayWidth(dues...), 8)},
			{Title: r.c.T("q.status"), Width: 8}}
		for _, c := range window(list, from, to) {
			due := views.T(r.c.day(c.Plan.Deadline))
			if c.Overdue(r.d.today) {
				due = views.S(fmt.Sprintf(r.c.T("overdue.days"), daysBetween(c.Plan.Deadline, r.d.today)), st.Overdue)
			}
			t.Rows = append(t.Rows, views.Row{Mark: "!", Cells: []views.Cell{views.T(c.ID),
				views.T(strings.TrimSuffix(r.d.villages[c.Village].Name, "新村") + " " + r.d.grids[c.Grid]),
				views.T(c.Description), views.T(c.Supervisor), due, views.T(r.c.T("st." + string(c.Status)))}})
		}
	case rvRates:
		t.Columns = []views.Column{{Title: r.c.T("rv.unit")}, {Title: "响应率", Width: 8, Right: true},
			{Title: "按时办结率", Width: 10, Right: true}, {Title: "回访率", Width: 8, Right: true}, {Title: "满意率", Width: 8, Right: true}}
		if r.c.Lang == "en" {
			for i, l := range []string{"Response", "On time", "Revisit", "Satisfied"} {
				t.Columns[i+1].Title = l
			}
		}
		for _, u := range window(r.d.rates, from, to) {
			x := u.rates
			t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(u.name), views.T(rate(x.Responded, x.Concerns)),
				views.T(rate(x.OnTime, x.Due)), views.T(rate(x.Revisited, x.Resolved)), views.T(rate(x.Satisfied, x.Revisited))}})
		}
	}
	return t
}

func (r *revisit) ShortHelp() []key.Binding {
	k := r.c.Keys
	return []key.Binding{k.RevisitView, k.Up, k.Down, k.Fill, k.Reassign}
}

func (r *revisit) FullHelp() [][]key.Binding {
	k := r.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.RevisitView, k.Back},
		{k.Fill, k.Reassign, k.RevisitDue, k.Leader}, {k.RateResponse, k.RateOnTime, k.RateRevisit, k.RateSatisfied, k.RateRounding}}
}
