package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/search"
	"sanbai/store"
	"sanbai/views"
)

// queue is the 3 台账 pane: the master ledger, counted per tier and colour, overdue and red
// first, filtered and searched, and triaged by keys on the selected (or marked) rows.
type queue struct {
	c      *Common
	reload reloader
	w, h   int
	loaded bool
	err    error

	// The rows come from the store's shared ledger view, a window at a time: rows holds the
	// matching concerns [base, base+len(rows)) of total, in the chosen order.
	rows    []store.Concern
	base    int
	total   int
	hdr     store.LedgerCounts
	known   map[string]store.Concern // marked and lead-project concerns, wherever they are
	mine    map[string]store.Concern // this session's own edits, until the view has them
	page    reloader                 // one window query at a time
	recount bool                     // the next window query also counts the header
	grids   map[string]string        // grid code → name
	people  map[string][]option
	limits  store.Limits

	f        queueFilter
	order    store.LedgerOrder
	shown    queueFilter       // the filter and order of the rows on screen
	shownBy  store.LedgerOrder // (f and order may be newer while a query runs)
	facets   store.LedgerFacets
	cur      views.Cursor
	selected string
	marked   map[string]bool
	refetch  bool // the filter or order changed: ask the view again after this message
	detail   bool
	meeting  bool

	prompt *prompt
	// pending is the action a prompt is collecting text for, or a stale edit awaiting a yes.
	pending *pendingOp
	undo    []undoEntry
	// busy is true while an action is being written; actions keyed meanwhile wait in backlog
	// and run, in order, against the revision the first one left, so two quick keys on one
	// row are never reported as a conflict with one's own change.
	busy    bool
	backlog []queuedOp

	projects    []store.Project
	showProject bool
	pcur        views.Cursor
}

// queueFilter is what the list shows.
type queueFilter struct {
	tier     store.Tier
	tag      store.Tag
	mine     bool
	all      bool // include resolved and closed
	village  string
	grid     string
	category string
	text     string
}

func (f queueFilter) active() bool {
	return f.tier != "" || f.tag != "" || f.mine || f.village != "" || f.grid != "" || f.category != "" || f.text != ""
}

// pendingOp is an action on some concerns, waiting for its text or for a yes after a
// conflict.
type pendingOp struct {
	op    store.Op
	ids   []string
	revs  map[string]int
	stale *store.StaleError
}

// undoEntry is how to put back what one action changed.
type undoEntry struct {
	label string
	items []undoItem
}

type undoItem struct {
	id     string
	before store.Snapshot
	rev    int // the concern's Rev right after the action
}

// queueLoaded is the pane's own data (grids, people, limits, projects) and a first window.
type queueLoaded struct {
	page     queuePage
	grids    map[string]string
	limits   store.Limits
	projects []store.Project
	err      error
}

// triaged is the outcome of an action on one or more concerns.
type triaged struct {
	label  string
	undo   bool
	done   []store.Concern
	before map[string]store.Snapshot
	failed []string
	stale  *pendingOp
	same   []string // concerns the action found already so (nothing written)
}

// queuedOp is an action keyed while another was being written: which, and on which concerns.
type queuedOp struct {
	op   store.Op
	ids  []string
	undo bool // the undo key, not an action
}

// queuePage is a window of the ledger view's answer to the pane's query, with the filter
// and order it was asked for: an answer to a filter since changed is not shown.
type queuePage struct {
	p     store.LedgerPage
	err   error
	f     queueFilter
	order store.LedgerOrder
	asked []string // the concerns asked for by ID
	// around is the concern the cursor was on when asked; the answer moves the cursor to
	// it only if the person has not moved on since.
	around string
}

// queueFacets opens the filter picker once the villages, grids and categories are known.
type queueFacets struct {
	f   store.LedgerFacets
	err error
}

func newQueue(c *Common) *queue {
	return &queue{c: c, marked: map[string]bool{}, known: map[string]store.Concern{}, mine: map[string]store.Concern{}}
}

func (q *queue) Init() tea.Cmd {
	// The filter picker's villages, grids and categories are read now, so that f opens with
	// them and a quick "f DL enter" picks DL (the picker reads them again when it opens).
	return tea.Batch(q.reload.want(func() tea.Cmd { return q.load() }), q.loadPeople(), q.loadFacets())
}

func (q *queue) load() tea.Cmd {
	c := q.c
	query := q.query(true)
	f, order := q.f, q.order
	return func() tea.Msg {
		m := queueLoaded{grids: map[string]string{}, page: queuePage{f: f, order: order}}
		gs, err := c.Store.Grids(c.Actor)
		if err != nil {
			return queueLoaded{err: err}
		}
		for _, g := range gs {
			m.grids[g.Code] = g.Name
		}
		if m.limits, err = c.Store.Limits(); err != nil {
			return queueLoaded{err: err}
		}
		if m.projects, err = c.Store.Projects(c.Actor); err != nil {
			return queueLoaded{err: err}
		}
		// The lead projects' concerns come too, for their progress.
		for _, p := range m.projects {
			query.IDs = append(query.IDs, p.Concerns...)
		}
		m.page.asked, m.page.around = query.IDs, query.Around
		m.page.p, m.page.err = c.Store.Ledger().Query(c.Actor, query)
		m.err = m.page.err
		return m
	}
}

// loadPeople reads the owners a concern can be given, the village's cadres and party
// members, apart from the first window: a county's township user has tens of thousands.
func (q *queue) loadPeople() tea.Cmd {
	c := q.c
	return func() tea.Msg {
		gs, err := c.Store.Grids(c.Actor)
		if err != nil {
			return queuePeople{err: err}
		}
		grids := map[string]string{}
		for _, g := range gs {
			grids[g.Code] = g.Name
		}
		people := map[string][]option{}
		keyer := search.NewKeyer() // one per load: it remembers each character's pinyin
		cadres, err := c.Store.Cadres(c.Actor)
		if err != nil {
			return queuePeople{err: err}
		}
		seen := map[string]bool{}
		for _, cd := range cadres {
			people[cd.Village] = append(people[cd.Village], option{label: cd.Name + "  " + cd.Post, value: cd.Name, key: keyer.Key(cd.Name, cd.Post)})
			seen[cd.Village+cd.Name] = true
		}
		members, err := c.Store.Members(c.Actor)
		if err != nil {
			return queuePeople{err: err}
		}
		for _, mb := range members {
			if !seen[mb.Village+mb.Name] {
				people[mb.Village] = append(people[mb.Village], option{label: mb.Name + "  " + grids[mb.Grid] + "党员", value: mb.Name, key: keyer.Key(mb.Name, grids[mb.Grid])})
				seen[mb.Village+mb.Name] = true
			}
		}
		return queuePeople{people: people}
	}
}

// loadFacets reads the villages, grids and categories the filter picker offers.
func (q *queue) loadFacets() tea.Cmd {
	c := q.c
	return func() tea.Msg {
		f, err := c.Store.Ledger().Facets(c.Actor)
		return queueFacets{f: f, err: err}
	}
}

// queuePeople are the owners to choose from, by village.
type queuePeople struct {
	people map[string][]option
	err    error
}

// query is the ledger query for what the pane shows now: its filter and order, a window of
// three screens around the cursor that keeps the selected concern in it, the marked and
// lead-project concerns, and the header's counts when asked.
func (q *queue) query(counts bool) store.LedgerQuery {
	f := q.f
	lq := store.LedgerQuery{Order: q.order, All: f.all, Tier: f.tier, Tag: f.tag, Village: f.village, Grid: f.grid,
		Category: f.category, Text: f.text, Around: q.selected, Counts: counts}
	if f.mine {
		lq.Owner = q.c.Actor.Name
	}
	h := q.listHeight()
	lq.Offset, lq.Limit = max(q.cur.Offset-h, 0), 3*h+2
	for id := range q.marked {
		lq.IDs = append(lq.IDs, id)
	}
	for _, p := range q.projects {
		lq.IDs = append(lq.IDs, p.Concerns...)
	}
	return lq
}

// fetch asks the ledger view for the window; a query running already is followed by one
// more with whatever the pane shows by then.
func (q *queue) fetch() tea.Cmd { return q.page.want(q.pageCmd) }

// pageCmd is the window query itself, built from what the pane shows when it starts.
func (q *queue) pageCmd() tea.Cmd {
	c, query, f, order := q.c, q.query(q.recount), q.f, q.order
	q.recount = false
	return func() tea.Msg {
		p, err := c.Store.Ledger().Query(c.Actor, query)
		return queuePage{p: p, err: err, f: f, order: order, asked: query.IDs, around: query.Around}
	}
}

// applyPage takes a window in: the cursor stays on the selected concern when it is still
// listed, the marked and lead-project concerns are refreshed, and none of this session's own
// edits is replaced by an older version of the row.
func (q *queue) applyPage(msg queuePage, counted bool) {
	p := msg.p
	if counted {
		q.hdr = p.Counts
	}
	if msg.f != q.f || msg.order != q.order {
		// Asked before the filter or order changed: ask again rather than show rows that
		// do not match the filter line.
		q.recount = q.recount || counted
		q.refilter()
		return
	}
	q.shown, q.shownBy = msg.f, msg.order
	for i, c := range p.Rows {
		if m, ok := q.mine[c.ID]; ok {
			if m.Rev > c.Rev {
				p.Rows[i] = m
			} else {
				delete(q.mine, c.ID)
			}
		}
	}
	q.rows, q.base, q.total = p.Rows, p.Offset, p.Total
	for id, c := range p.Found {
		q.known[id] = c
	}
	// A mark on a concern the view no longer has for this user (gone, or moved out of
	// scope) goes; marks made after the query was asked stay.
	for _, id := range msg.asked {
		if _, ok := p.Found[id]; !ok {
			delete(q.marked, id)
		}
	}
	q.cur.SetLen(p.Total)
	if p.Pos >= 0 && msg.around == q.selected {
		q.cur.Pos = p.Pos
	}
	q.cur.Move(0, q.listHeight())
	q.remember()
}

// ensureWindow asks for another window when the cursor has moved near the edge of the one
// held (or past it).
func (q *queue) ensureWindow() tea.Cmd {
	h := q.listHeight()
	from, to := q.cur.Window(h)
	end := q.base + len(q.rows)
	if (from < q.base) || (to > end) || (from-q.base < h/2 && q.base > 0) || (end-to < h/2 && end < q.total) {
		return q.fetch()
	}
	return nil
}

// refilter asks the ledger view for the rows the filter and order let through; the cursor
// stays on the same concern (see applyPage).
func (q *queue) refilter() { q.refetch = true }

func (q *queue) SetSize(w, h int) { q.w, q.h = w, h }

// listHeight is the rows the table shows: the pane less the counts line, the filter line, a
// rule, the column header, a closing rule and the prompt.
func (q *queue) listHeight() int {
	h := q.h - 5
	if q.prompt != nil {
		h -= len(q.prompt.options[:min(len(q.prompt.options), 8)]) + 1
	}
	if q.meeting {
		h = (h - 4) / 2
	}
	return max(h, 1)
}

// Capturing is true while a prompt has the keyboard.
func (q *queue) Capturing() bool {
	return q.prompt != nil || (q.pending != nil && q.pending.stale != nil)
}

// Update handles a message; a finished load lets the next one asked for start.
func (q *queue) Update(msg tea.Msg) tea.Cmd {
	var after tea.Cmd
	switch msg.(type) {
	case queueLoaded:
		after = q.reload.done(func() tea.Cmd { return q.load() })
	case queuePage:
		after = q.page.done(q.pageCmd)
	}
	cmd := q.update(msg)
	if q.refetch {
		q.refetch = false
		after = tea.Batch(after, q.fetch())
	}
	return tea.Batch(cmd, after)
}

func (q *queue) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case queueLoaded:
		q.loaded, q.err = true, msg.err
		if msg.err != nil {
			return nil
		}
		q.grids, q.limits, q.projects = msg.grids, msg.limits, msg.projects
		q.applyPage(msg.page, true)
		q.pcur.SetLen(len(q.projects))
		return nil
	case queuePage:
		if msg.err != nil {
			q.err = msg.err
			return nil
		}
		q.applyPage(msg, msg.p.Counts.Tiers != nil)
		return nil
	case queuePeople:
		if msg.err == nil {
			q.people = msg.people
		}
		return nil
	case queueFacets:
		if msg.err != nil {
			return nil
		}
		q.facets = msg.f
		if q.prompt != nil && q.prompt.kind == "filter" {
			q.prompt.options = q.filterOptions(msg.f)
		}
		return nil
	case ChangedMsg:
		// The pane's own lists (people, limits, projects) change rarely; the ledger's rows
		// come from the shared view, which re-reads only the concerns that changed.
		var people tea.Cmd
		if msg.touches("grid", "cadre", "member") {
			people = q.loadPeople()
		}
		if msg.touches("project", "settings", "grid") {
			return tea.Batch(q.reload.want(func() tea.Cmd { return q.load() }), people)
		}
		if msg.touches("concern", "revisit") {
			q.recount = true
			return q.fetch()
		}
		return nil
	case triaged:
		return q.afterTriage(msg)
	case tea.PasteMsg:
		if q.prompt != nil {
			_, _, cmd := q.prompt.update(msg)
			return cmd
		}
		return nil
	case tea.KeyPressMsg:
		return q.key(msg)
	}
	if q.prompt != nil {
		_, _, cmd := q.prompt.update(msg)
		return cmd
	}
	return nil
}

// key handles a key press: the prompt or conflict question first, then the open view, then
// the list.
func (q *queue) key(msg tea.KeyPressMsg) tea.Cmd {
	k := q.c.Keys
	if q.pending != nil && q.pending.stale != nil {
		p := q.pending
		q.pending = nil
		if msg.String() == "y" {
			c := p.stale.Concern
			return q.run(p.op, []string{c.ID}, map[string]int{c.ID: c.Rev})
		}
		return status(q.c.T("q.cancelled"), false)
	}
	if q.prompt != nil {
		res, val, cmd := q.prompt.update(msg)
		switch res {
		case promptCancel:
			if q.prompt.kind == "search" {
				q.f.text = ""
				q.refilter()
			}
			q.prompt, q.pending = nil, nil
		case promptDone:
			return q.answer(val)
		default:
			if q.prompt.kind == "search" {
				q.f.text = q.prompt.input.Value()
				q.refilter()
			}
		}
		return cmd
	}
	if q.showProject {
		return q.projectKey(msg)
	}
	if q.detail && key.Matches(msg, k.Back, k.Open) {
		q.detail = false
		return nil
	}
	h := q.listHeight()
	if moveKeys(k, msg, &q.cur, h) {
		q.remember()
		return q.ensureWindow()
	}
	switch {
	case key.Matches(msg, k.Open):
		q.detail = len(q.rows) > 0
	case key.Matches(msg, k.Back):
		if len(q.marked) > 0 {
			q.marked = map[string]bool{}
		} else if q.f.active() {
			q.f = queueFilter{all: q.f.all}
			q.refilter()
		}
	case key.Matches(msg, k.Mark):
		if c, ok := q.current(); ok {
			if q.marked[c.ID] {
				delete(q.marked, c.ID)
			} else {
				q.marked[c.ID] = true
				q.known[c.ID] = c // kept while the window moves on
			}
			q.cur.Move(1, h)
		}
	case key.Matches(msg, k.TagRed):
		return q.act(store.Op{Kind: store.OpTag, Tag: store.TagRed})
	case key.Matches(msg, k.TagYellow):
		return q.act(store.Op{Kind: store.OpTag, Tag: store.TagYellow})
	case key.Matches(msg, k.TagGreen):
		return q.act(store.Op{Kind: store.OpTag, Tag: store.TagGreen})
	case key.Matches(msg, k.Owner):
		return q.ask(store.Op{Kind: store.OpOwner}, "q.ask.owner")
	case key.Matches(msg, k.Deadline):
		return q.ask(store.Op{Kind: store.OpDeadline}, "q.ask.deadline")
	case key.Matches(msg, k.Plan):
		return q.ask(store.Op{Kind: store.OpSolution}, "q.ask.plan")
	case key.Matches(msg, k.Escalate):
		return q.ask(store.Op{Kind: store.OpEscalate}, "q.ask.escalate")
	case key.Matches(msg, k.Return):
		return q.ask(store.Op{Kind: store.OpReturn}, "q.ask.return")
	case key.Matches(msg, k.Resolve):
		return q.ask(store.Op{Kind: store.OpResolve}, "q.ask.resolve")
	case key.Matches(msg, k.Undo):
		return q.doUndo()
	case key.Matches(msg, k.Search):
		q.prompt = newPrompt("search", q.c.T("q.ask.search"), q.f.text, nil)
	case key.Matches(msg, k.TierFilter):
		q.f.tier = cycle(q.f.tier, append([]store.Tier{""}, store.Tiers[:]...))
		q.refilter()
	case key.Matches(msg, k.TagFilter):
		q.f.tag = cycle(q.f.tag, append([]store.Tag{""}, store.Tags[:]...))
		q.refilter()
	case key.Matches(msg, k.Mine):
		q.f.mine = !q.f.mine
		q.refilter()
	case key.Matches(msg, k.All):
		q.f.all = !q.f.all
		q.refilter()
	case key.Matches(msg, k.ClearFilter):
		q.f = queueFilter{}
		q.refilter()
	case key.Matches(msg, k.Filter):
		// The picker opens at once with what the pane knows, and is brought up to date
		// when the view answers.
		q.prompt = newPrompt("filter", q.c.T("q.ask.filter"), "", q.filterOptions(q.facets))
		return q.loadFacets()
	case key.Matches(msg, k.Sort):
		q.order = q.order.Next()
		q.refilter()
	case key.Matches(msg, k.Meeting):
		q.meeting = !q.meeting
		q.cur.Move(0, q.listHeight())
		q.remember()
		return q.ensureWindow()
	case key.Matches(msg, k.Limits):
		if q.c.Actor.Role != store.RoleTownship {
			return status(q.c.T("q.limits.township"), true)
		}
		l := q.limits
		q.prompt = newPrompt("limits", q.c.T("q.ask.limits"), fmt.Sprintf("%d %d %d", l.Red, l.Yellow, l.Green), nil)
	case key.Matches(msg, k.Project):
		if len(q.marked) >= 2 {
			return q.ask(store.Op{Kind: "project"}, "q.ask.project")
		}
		q.showProject = true
	}
	q.remember()
	return nil
}

// markOnly marks exactly these concerns (a lead project proposed by the overview) and shows
// them, so P makes the project.
func (q *queue) markOnly(ids []string) tea.Cmd {
	q.marked = map[string]bool{}
	for _, id := range ids {
		q.marked[id] = true
	}
	q.f = queueFilter{}
	if len(ids) > 0 {
		q.selected = ids[0]
	}
	q.detail, q.showProject = false, false
	q.recount = true
	return q.fetch()
}

// follow shows what a presenter shows: their filter, selection, detail and meeting mode.
func (q *queue) follow(v View) tea.Cmd {
	q.f, q.selected, q.meeting, q.detail = v.Filter, v.Selected, v.Meeting, v.Detail
	q.prompt, q.pending, q.showProject = nil, nil, false
	// The window query moves the cursor to the presenter's concern when this follower
	// sees it.
	return q.fetch()
}

// cycle steps to the value after cur in vals, wrapping around.
func cycle[T comparable](cur T, vals []T) T {
	for i, v := range vals {
		if v == cur {
			return vals[(i+1)%len(vals)]
		}
	}
	return vals[0]
}

// filterOptions lists the villages, grids and categories present, as a picker.
func (q *queue) filterOptions(f store.LedgerFacets) []option {
	seen := map[string]bool{}
	var out []option
	add := func(label, value string) {
		if !seen[value] {
			seen[value] = true
			out = append(out, option{label: label, value: value, key: searchKey(label)})
		}
	}
	if q.c.Actor.Village == "" {
		for _, v := range f.Villages {
			add(q.c.T("r.village")+" "+v, "v:"+v)
		}
	}
	for _, g := range f.Grids {
		add(q.c.T("q.grid")+" "+ConcernVillageOf(g)+" "+q.grids[g], "g:"+g)
	}
	for _, c := range f.Categories {
		add(q.c.T("d.category")+" "+c, "c:"+c)
	}
	return out
}

// ConcernVillageOf returns the village code of a grid code such as DL03 (its letters).
func ConcernVillageOf(grid string) string { return strings.TrimRight(grid, "0123456789") }

// targets are the concerns an action applies to: the marked rows, or the selected one.
func (q *queue) targets() ([]string, map[string]int) {
	revs := map[string]int{}
	var ids []string
	for _, c := range q.rows {
		if q.marked[c.ID] {
			ids = append(ids, c.ID)
			revs[c.ID] = c.Rev
		}
	}
	// Marked rows outside the window, in ID order, as the view last gave them.
	var rest []string
	for id := range q.marked {
		if _, ok := revs[id]; !ok {
			if _, ok := q.known[id]; ok {
				rest = append(rest, id)
			}
		}
	}
	slices.Sort(rest)
	for _, id := range rest {
		ids = append(ids, id)
		revs[id] = q.latest(id).Rev
	}
	if len(ids) == 0 {
		if c, ok := q.current(); ok {
			ids, revs[c.ID] = []string{c.ID}, c.Rev
		}
	}
	return ids, revs
}

// act runs an action that needs no text on the targets.
func (q *queue) act(op store.Op) tea.Cmd {
	ids, revs := q.targets()
	if len(ids) == 0 {
		return nil
	}
	if q.c.Actor.Role == store.RoleInspector {
		return status(q.c.T("err.readonly"), true)
	}
	return q.run(op, ids, revs)
}

// ask opens the prompt that collects an action's text.
func (q *queue) ask(op store.Op, label string) tea.Cmd {
	ids, revs := q.targets()
	if len(ids) == 0 {
		return nil
	}
	if q.c.Actor.Role == store.RoleInspector {
		return status(q.c.T("err.readonly"), true)
	}
	q.pending = &pendingOp{op: op, ids: ids, revs: revs}
	text := q.c.T(label)
	if len(ids) > 1 {
		text = fmt.Sprintf(q.c.T("q.marked.n"), len(ids)) + " " + text
	}
	var opts []option
	initial := ""
	if op.Kind == store.OpOwner {
		opts = q.people[store.ConcernVillage(ids[0])]
		if opts == nil {
			opts = []option{}
		}
	}
	if cur, ok := q.current(); ok && len(ids) == 1 {
		switch op.Kind {
		case store.OpSolution:
			initial = cur.Plan.Solution
		}
	}
	q.prompt = newPrompt(string(op.Kind), text, initial, opts)
	return nil
}

// answer takes the prompt's text and runs what it was for.
func (q *queue) answer(val string) tea.Cmd {
	kind := q.prompt.kind
	switch kind {
	case "search":
		q.prompt = nil
		q.f.text = val
		q.refilter()
		return nil
	case "filter":
		q.prompt = nil
		k, v, _ := strings.Cut(val, ":")
		switch k {
		case "v":
			q.f.village = v
		case "g":
			q.f.grid = v
		case "c":
			q.f.category = v
		}
		q.refilter()
		return nil
	case "project":
		if strings.TrimSpace(val) == "" {
			return nil
		}
		q.prompt = nil
		ids := q.pending.ids
		q.pending = nil
		c := q.c
		return func() tea.Msg {
			p, err := c.Store.CreateProject(c.Actor, val, ids)
			if err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("q.project.made"), p.ID, len(p.Concerns), p.Owner)}
		}
	case "limits":
		var l store.Limits
		if n, _ := fmt.Sscanf(val, "%d %d %d", &l.Red, &l.Yellow, &l.Green); n != 3 {
			q.prompt.err = q.c.T("q.bad.limits")
			return nil
		}
		q.prompt = nil
		c := q.c
		return func() tea.Msg {
			if err := c.Store.SetLimits(c.Actor, l); err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("q.limits.set"), l.Red, l.Yellow, l.Green)}
		}
	case "project.resolve":
		if strings.TrimSpace(val) == "" {
			return nil
		}
		q.prompt = nil
		id := q.projects[q.pcur.Pos].ID
		c := q.c
		return func() tea.Msg {
			p, err := c.Store.ResolveProject(c.Actor, id, val)
			if err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("q.project.done"), p.ID)}
		}
	}
	p := q.pending
	if p == nil {
		q.prompt = nil
		return nil
	}
	op := p.op
	switch op.Kind {
	case store.OpDeadline:
		d, err := parseDeadline(val, q.c.Store.Now())
		if err != nil {
			q.prompt.err = q.c.T("q.bad.deadline")
			return nil
		}
		op.Text = d
	case store.OpEscalate, store.OpReturn:
		if strings.TrimSpace(val) == "" {
			q.prompt.err = q.c.T("q.need.reason")
			return nil
		}
		op.Reason = val
	default:
		if strings.TrimSpace(val) == "" {
			q.prompt.err = q.c.T("q.need.text")
			return nil
		}
		op.Text = val
	}
	q.prompt, q.pending = nil, nil
	return q.run(op, p.ids, p.revs)
}

// run applies op to each concern against the Rev its row showed, off the UI goroutine.
func (q *queue) run(op store.Op, ids []string, revs map[string]int) tea.Cmd {
	if q.busy {
		q.backlog = append(q.backlog, queuedOp{op: op, ids: ids})
		return nil
	}
	q.busy = true
	c := q.c
	label := q.opLabel(op)
	before := map[string]store.Snapshot{}
	for id := range revs {
		if x, ok := q.lookup(id); ok {
			before[id] = x.Snap()
		}
	}
	return func() tea.Msg {
		out := triaged{label: label, before: before}
		for _, id := range ids {
			got, err := c.Store.Triage(c.Actor, id, revs[id], op)
			var stale *store.StaleError
			switch {
			case errors.As(err, &stale) && len(ids) == 1:
				out.stale = &pendingOp{op: op, ids: ids, revs: revs, stale: stale}
			case errors.As(err, &stale):
				out.failed = append(out.failed, id+" "+c.T("q.stale.short"))
			case err != nil:
				out.failed = append(out.failed, id+" "+c.errText(err))
			case got.Rev == revs[id]:
				// Nothing to change (a red tag on a red concern): say so, and keep no undo.
				out.same = append(out.same, id)
			default:
				if b, ok := before[id]; ok && got.Snap() != b {
					out.before[id] = b
				}
				out.done = append(out.done, got)
			}
		}
		return out
	}
}

// opLabel names an action for messages.
func (q *queue) opLabel(op store.Op) string {
	switch op.Kind {
	case store.OpTag:
		return q.c.T("q.op.tag") + q.c.T("tagname."+string(op.Tag))
	case store.OpRestore:
		return q.c.T("q.op.undo")
	}
	return q.c.T("q.op." + string(op.Kind))
}

// afterTriage takes the outcome into the list, records how to undo it, and says what
// happened.
func (q *queue) afterTriage(t triaged) tea.Cmd {
	q.busy = false
	for _, c := range t.done {
		for i := range q.rows {
			if q.rows[i].ID == c.ID {
				q.rows[i] = c
			}
		}
		if _, ok := q.known[c.ID]; ok {
			q.known[c.ID] = c
		}
		q.mine[c.ID] = c
	}
	q.recount = true
	q.refilter()
	if t.stale != nil {
		// Someone else changed the concern: the question comes first, and what was keyed
		// after the action is dropped rather than applied to a row the person has not seen.
		q.pending, q.backlog = t.stale, nil
		return status(q.staleText(t.stale.stale), true)
	}
	next := q.nextQueued()
	if !t.undo && len(t.done) > 0 {
		e := undoEntry{label: t.label}
		for _, c := range t.done {
			if b, ok := t.before[c.ID]; ok {
				e.items = append(e.items, undoItem{id: c.ID, before: b, rev: c.Rev})
			}
		}
		if len(e.items) > 0 {
			q.undo = append(q.undo, e)
		}
	}
	if len(t.done) > 0 {
		q.marked = map[string]bool{}
	}
	var ids []string
	for _, c := range t.done {
		ids = append(ids, c.ID)
	}
	text := fmt.Sprintf(q.c.T("q.done"), t.label, strings.Join(ids, " "))
	if len(ids) > 3 {
		text = fmt.Sprintf(q.c.T("q.done.n"), t.label, len(ids))
	}
	if len(t.same) > 0 {
		same := fmt.Sprintf(q.c.T("q.same"), strings.Join(t.same, " "), t.label)
		if len(ids) == 0 {
			text = same
		} else {
			text += "  " + same
		}
	}
	if len(t.failed) > 0 {
		return tea.Batch(next, status(text+"  "+q.c.T("q.failed")+" "+strings.Join(t.failed, "; "), true))
	}
	if len(ids) == 0 && len(t.same) == 0 {
		return next
	}
	return tea.Batch(next, status(text, false))
}

// nextQueued starts the oldest action keyed while the last one was written, against the
// concerns' revisions as that one left them.
func (q *queue) nextQueued() tea.Cmd {
	if len(q.backlog) == 0 {
		return nil
	}
	n := q.backlog[0]
	q.backlog = q.backlog[1:]
	if n.undo {
		return q.doUndo()
	}
	revs := map[string]int{}
	for _, id := range n.ids {
		revs[id] = q.latest(id).Rev
	}
	return q.run(n.op, n.ids, revs)
}

// staleText tells what others changed, and asks whether to apply the action anyway.
func (q *queue) staleText(e *store.StaleError) string {
	var parts []string
	for _, m := range e.Moves {
		s := m.By + " " + q.c.T("mv."+m.Action)
		if m.From != "" || m.To != "" {
			s += " " + q.c.value(m.From) + "→" + q.c.value(m.To)
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf(q.c.T("q.stale"), e.Concern.ID, strings.Join(parts, ", "))
}

// doUndo puts back what the session's last action changed.
func (q *queue) doUndo() tea.Cmd {
	if q.busy {
		q.backlog = append(q.backlog, queuedOp{undo: true})
		return nil
	}
	if len(q.undo) == 0 {
		return status(q.c.T("q.undo.none"), false)
	}
	q.busy = true
	e := q.undo[len(q.undo)-1]
	q.undo = q.undo[:len(q.undo)-1]
	c := q.c
	return func() tea.Msg {
		out := triaged{label: c.T("q.op.undo") + " " + e.label, undo: true}
		for _, it := range e.items {
			snap := it.before
			got, err := c.Store.Triage(c.Actor, it.id, it.rev, store.Op{Kind: store.OpRestore, Restore: &snap, Reason: c.T("q.op.undo") + " " + e.label})
			if err != nil {
				var stale *store.StaleError
				if errors.As(err, &stale) {
					out.failed = append(out.failed, it.id+" "+c.T("q.undo.stale"))
				} else {
					out.failed = append(out.failed, it.id+" "+c.errText(err))
				}
				continue
			}
			out.done = append(out.done, got)
		}
		return out
	}
}

// remember notes which concern is under the cursor (none while its row is not yet fetched).
func (q *queue) remember() {
	if c, ok := q.current(); ok {
		q.selected = c.ID
	} else if q.total > 0 {
		q.selected = ""
	}
}

func (q *queue) current() (store.Concern, bool) {
	i := q.cur.Pos - q.base
	if i < 0 || i >= len(q.rows) || q.cur.Pos >= q.total {
		return store.Concern{}, false
	}
	return q.rows[i], true
}

// lookup finds a concern the pane holds: in the window or among the known ones.
func (q *queue) lookup(id string) (store.Concern, bool) {
	for _, c := range q.rows {
		if c.ID == id {
			return c, true
		}
	}
	c, ok := q.known[id]
	return c, ok
}

// latest is lookup without the flag.
func (q *queue) latest(id string) store.Concern { c, _ := q.lookup(id); return c }

// status returns a command that shows a footer message.
func status(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, err: isErr} }
}

// counts renders the header line: open concerns per tier and colour, overdue, supervised and
// problem cases.
func (q *queue) counts() string {
	st := q.c.Styles
	tiers, tags := q.hdr.Tiers, q.hdr.Tags
	overdue, supervised, problems := q.hdr.Overdue, q.hdr.Supervised, q.hdr.Problems
	var parts []string
	for _, t := range store.Tiers {
		parts = append(parts, fmt.Sprintf("%s %d", q.c.T("tier."+string(t)), tiers[t]))
	}
	// One space inside an item and one between items keeps the line within 80 cells in
	// both languages.
	sep := st.Muted.Render(" │ ")
	if st.ASCII {
		sep = " | "
	}
	tagPart := []string{
		st.Red.Render(fmt.Sprintf("%s %d", q.c.T("tag.red"), tags[store.TagRed])),
		st.Yellow.Render(fmt.Sprintf("%s %d", q.c.T("tag.yellow"), tags[store.TagYellow])),
		st.Green.Render(fmt.Sprintf("%s %d", q.c.T("tag.green"), tags[store.TagGreen])),
	}
	last := st.Overdue.Render(fmt.Sprintf("%s %d", q.c.T("overdue"), overdue)) + " " +
		fmt.Sprintf("%s %d %s %d", q.c.T("supervised"), supervised, q.c.T("q.problem.short"), problems)
	return " " + strings.Join(parts, " ") + sep + strings.Join(tagPart, " ") + sep + last
}

// filterLine says what the list shows: the filters in force, the count and the marks.
func (q *queue) filterLine() string {
	var parts []string
	f := q.shown
	if f.all {
		parts = append(parts, q.c.T("q.f.all"))
	} else {
		parts = append(parts, q.c.T("q.f.open"))
	}
	if f.tier != "" {
		parts = append(parts, q.c.T("tier."+string(f.tier)))
	}
	if f.tag != "" {
		parts = append(parts, q.c.T("tagname."+string(f.tag)))
	}
	if f.mine {
		parts = append(parts, q.c.T("q.f.mine"))
	}
	if f.village != "" {
		parts = append(parts, f.village)
	}
	if f.grid != "" {
		parts = append(parts, q.grids[f.grid])
	}
	if f.category != "" {
		parts = append(parts, f.category)
	}
	if f.text != "" {
		parts = append(parts, "/"+f.text)
	}
	if q.shownBy != store.OrderMeeting {
		parts = append(parts, q.c.T("q.sort."+q.shownBy.String()))
	}
	s := " " + strings.Join(parts, " · ") + "  " + fmt.Sprintf(q.c.T("q.f.count"), q.total)
	if len(q.marked) > 0 {
		s += "  " + q.c.Styles.Accent.Render(fmt.Sprintf(q.c.T("q.marked.n"), len(q.marked)))
	}
	if q.meeting {
		s += "  " + q.c.Styles.Accent.Render(q.c.T("q.meeting"))
	}
	return s
}

// tagCell renders a tag as a word (红/黄/绿) in its colour, so it reads without colour too.
func (q *queue) tagCell(t store.Tag) views.Cell {
	st := q.c.Styles
	s := map[store.Tag]views.Style{store.TagRed: st.Red, store.TagYellow: st.Yellow, store.TagGreen: st.Green}[t]
	return views.S(q.c.T("tag."+string(t)), s)
}

// dueCell renders the deadline: MM-DD, "today", "soon" (within two days) or days overdue
// with a "!", so near-due and overdue rows stand out without colour.
func (q *queue) dueCell(c store.Concern) views.Cell {
	today := q.c.Today()
	switch {
	case c.Plan.Deadline == "":
		return views.T("")
	case c.Overdue(today):
		return views.S(fmt.Sprintf(q.c.T("overdue.days"), daysBetween(c.Plan.Deadline, today)), q.c.Styles.Overdue)
	case c.Status.Open() && c.Plan.Deadline == today:
		return views.S(q.c.T("due.today"), q.c.Styles.Warn)
	case c.Status.Open() && daysBetween(today, c.Plan.Deadline) <= 2:
		return views.S(shortDate(c.Plan.Deadline)+"*", q.c.Styles.Warn)
	}
	return views.T(shortDate(c.Plan.Deadline))
}

// mark is the one-cell sign before a row: marked, supervised, or a problem case.
func (q *queue) mark(c store.Concern) string {
	switch {
	case q.marked[c.ID]:
		if q.c.Styles.ASCII {
			return "*"
		}
		return "•"
	case c.Supervisor != "":
		return "!"
	case c.ProblemCase():
		return "?"
	}
	return ""
}

func (q *queue) table() views.Table {
	var t views.Table
	if q.meeting {
		t.Columns = []views.Column{
			{Title: q.c.T("q.id"), Width: 8},
			{Title: q.c.T("q.tag"), Width: 3},
			{Title: q.c.T("q.desc")},
			{Title: q.c.T("q.owner"), Width: 6},
			{Title: q.c.T("q.deadline"), Width: 8},
		}
	} else {
		t.Columns = []views.Column{
			{Title: q.c.T("q.id"), Width: 8},
			{Title: q.c.T("q.tier"), Width: 4},
			{Title: q.c.T("q.tag"), Width: 3},
			{Title: q.c.T("q.grid"), Width: 8, HideBelow: 72},
			{Title: q.c.T("q.desc")},
			{Title: q.c.T("q.owner"), Width: 6, HideBelow: 64},
			{Title: q.c.T("q.deadline"), Width: 8},
			{Title: q.c.T("q.status"), Width: 8},
		}
	}
	for _, c := range q.rows {
		desc := c.Description
		if c.Supervisor != "" {
			desc = "[" + q.c.T("supervised") + "] " + desc
		}
		if c.Project != "" {
			desc = "[" + c.Project + "] " + desc
		}
		if c.ProblemCase() {
			desc = "[" + q.c.T("q.problem") + "] " + desc
		}
		var cells []views.Cell
		if q.meeting {
			cells = []views.Cell{views.T(c.ID), q.tagCell(c.Tag), views.T(desc), views.T(c.Plan.Owner), q.dueCell(c)}
		} else {
			cells = []views.Cell{
				views.T(c.ID),
				views.T(q.c.T("tier." + string(c.Tier))),
				q.tagCell(c.Tag),
				views.T(q.grids[c.Grid]),
				views.T(desc),
				views.T(c.Plan.Owner),
				q.dueCell(c),
				views.T(q.c.T("st." + string(c.Status))),
			}
		}
		t.Rows = append(t.Rows, views.Row{Mark: q.mark(c), Cells: cells})
	}
	return t
}

func (q *queue) View() string {
	st := q.c.Styles
	switch {
	case !q.loaded:
		return " " + q.c.T("loading")
	case q.err != nil:
		return " " + st.Error.Render(q.c.errText(q.err))
	case q.showProject:
		return q.projectView()
	case q.detail:
		if c, ok := q.current(); ok {
			return q.detailView(c)
		}
	}
	lines := []string{q.counts(), q.filterLine(), st.HRule(q.w)}
	t := q.table()
	lines = append(lines, t.Header(st, q.w))
	from, to := q.cur.Window(q.listHeight())
	// The table holds the window's rows only: positions are relative to its first.
	cursor := q.cur.Pos - q.base
	from, to = max(from-q.base, 0), max(min(to-q.base, len(q.rows)), 0)
	if q.total == 0 {
		lines = append(lines, " "+q.c.T("empty"))
	} else if q.meeting {
		// Meeting mode: a blank line between rows for a projector, and the selected
		// concern's plan under the list.
		for i, l := range t.Lines(st, q.w, from, to, cursor) {
			if from+i == cursor {
				l = st.Title.Render(l)
			}
			lines = append(lines, l, "")
		}
	} else {
		lines = append(lines, t.Lines(st, q.w, from, to, cursor)...)
	}
	var tail []string
	if q.prompt != nil {
		tail = q.prompt.lines(st, q.w, 9)
	} else if q.meeting {
		if c, ok := q.current(); ok {
			tail = q.planLines(c)
		}
	}
	for len(lines) < q.h-len(tail)-1 {
		lines = append(lines, "")
	}
	lines = append(lines[:min(len(lines), max(q.h-len(tail)-1, 0))], st.HRule(q.w))
	lines = append(lines, tail...)
	if len(lines) > q.h {
		lines = lines[len(lines)-q.h:]
	}
	return strings.Join(lines, "\n")
}

// planLines shows the selected concern's plan (meeting mode).
func (q *queue) planLines(c store.Concern) []string {
	st := q.c.Styles
	out := []string{" " + st.Title.Render(c.ID) + "  " + q.c.T("tier."+string(c.Tier)) + " · " + q.c.T("st."+string(c.Status))}
	add := func(label, v string) {
		if v != "" {
			out = append(out, " "+st.Heading.Render(views.Fit(label, 8))+" "+views.Cut(v, max(q.w-10, 1)))
		}
	}
	add(q.c.T("d.solution"), c.Plan.Solution)
	add(q.c.T("q.owner"), c.Plan.Owner+"  "+c.Plan.Deadline)
	return out
}

// detailView shows one concern: what, where, the plan, the clocks and the whole history.
func (q *queue) detailView(c store.Concern) string {
	st := q.c.Styles
	var lines []string
	add := func(label, value string) {
		if value == "" {
			return
		}
		lines = append(lines, " "+st.Heading.Render(views.Fit(label, 8))+" "+views.Cut(value, max(q.w-10, 1)))
	}
	title := fmt.Sprintf("%s  %s · %s · %s", c.ID, q.c.T("tier."+string(c.Tier)), q.c.T("tagname."+string(c.Tag)), q.c.T("st."+string(c.Status)))
	if c.ProblemCase() {
		title += " · " + q.c.T("q.problem")
	}
	lines = append(lines, " "+st.Title.Render(title), st.HRule(q.w))
	add(q.c.T("q.grid"), q.grids[c.Grid]+" "+c.Household)
	add(q.c.T("d.category"), c.Category)
	for _, l := range strings.Split(c.Description, "\n") {
		add(q.c.T("q.desc"), l)
	}
	add(q.c.T("d.solution"), c.Plan.Solution)
	add(q.c.T("q.owner"), c.Plan.Owner)
	add(q.c.T("q.deadline"), c.Plan.Deadline)
	add(q.c.T("d.resolution"), c.Resolution)
	add(q.c.T("supervised"), c.Supervisor)
	add(q.c.T("d.project"), c.Project)
	created, handed := c.Clock(q.c.Store.Now())
	add(q.c.T("d.created"), c.CreatedAt.Format("2006-01-02 15:04")+" "+c.CreatedBy+"  "+fmt.Sprintf(q.c.T("d.clock"), created, handed))
	lines = append(lines, " "+st.Heading.Render(q.c.T("d.history")))
	hist := []string{}
	for _, mv := range c.Moves {
		s := fmt.Sprintf("  %s %s %s", mv.At.Format("01-02 15:04"), mv.By, q.c.T("mv."+mv.Action))
		if mv.From != "" || mv.To != "" {
			s += " " + q.c.value(mv.From) + "→" + q.c.value(mv.To)
		}
		if mv.Reason != "" {
			s += " " + mv.Reason
		}
		hist = append(hist, views.Cut(s, q.w))
	}
	// The newest history shows when there is not room for all of it.
	if room := q.h - len(lines); len(hist) > room && room > 0 {
		hist = hist[len(hist)-room:]
	}
	lines = append(lines, hist...)
	if len(lines) > q.h {
		lines = lines[:q.h]
	}
	return strings.Join(lines, "\n")
}

// projectKey handles keys in the lead-project list.
func (q *queue) projectKey(msg tea.KeyPressMsg) tea.Cmd {
	k := q.c.Keys
	switch {
	case key.Matches(msg, k.Back, k.Project):
		q.showProject = false
	case key.Matches(msg, k.Up):
		q.pcur.Move(-1, q.h)
	case key.Matches(msg, k.Down):
		q.pcur.Move(1, q.h)
	case key.Matches(msg, k.Resolve):
		if q.c.Actor.Role == store.RoleInspector {
			return status(q.c.T("err.readonly"), true)
		}
		if q.pcur.Pos < len(q.projects) {
			q.prompt = newPrompt("project.resolve", q.c.T("q.ask.resolve"), "", nil)
		}
	}
	return nil
}

// projectView lists the lead projects with their concerns' progress.
func (q *queue) projectView() string {
	st := q.c.Styles
	lines := []string{" " + st.Title.Render(q.c.T("q.projects")), st.HRule(q.w)}
	if len(q.projects) == 0 {
		lines = append(lines, " "+q.c.T("q.projects.none"))
	}
	t := views.Table{Columns: []views.Column{{Width: 6}, {}, {Width: 6}, {Width: 12}}}
	for _, p := range q.projects {
		done := 0
		for _, id := range p.Concerns {
			if c, ok := q.lookup(id); ok && !c.Status.Open() {
				done++
			}
		}
		state := fmt.Sprintf("%d/%d", done, len(p.Concerns))
		if p.Resolved {
			state += " " + q.c.T("st.resolved")
		}
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(p.ID), views.T(p.Title + "  " + strings.Join(p.Concerns, " ")), views.T(p.Owner), views.T(state)}})
	}
	lines = append(lines, t.Lines(st, q.w, 0, len(t.Rows), q.pcur.Pos)...)
	if q.prompt != nil {
		lines = append(lines, st.HRule(q.w))
		lines = append(lines, q.prompt.lines(st, q.w, 3)...)
	}
	if len(lines) > q.h {
		lines = lines[:q.h]
	}
	return strings.Join(lines, "\n")
}

func (q *queue) ShortHelp() []key.Binding {
	k := q.c.Keys
	switch {
	case q.prompt != nil:
		return []key.Binding{k.Open, k.Back}
	case q.showProject:
		return []key.Binding{k.Up, k.Down, k.Resolve, k.Back}
	case q.detail:
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.TagRed, k.TagYellow, k.TagGreen, k.Owner, k.Deadline, k.Escalate, k.Return, k.Resolve, k.Mark, k.Undo, k.Search}
}

func (q *queue) FullHelp() [][]key.Binding {
	k := q.c.Keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Back},
		{k.TagRed, k.TagYellow, k.TagGreen, k.Owner, k.Deadline, k.Plan},
		{k.Escalate, k.Return, k.Resolve, k.Mark, k.Undo, k.Project},
		{k.Search, k.TierFilter, k.TagFilter, k.Mine, k.Filter, k.ClearFilter, k.All, k.Sort, k.Meeting, k.Limits},
	}
}
