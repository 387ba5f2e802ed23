package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/query"
	"sanbai/search"
	"sanbai/store"
	"sanbai/views"
)

// queue is the 3 台账 pane: the master ledger, counted per tier and colour, overdue and red
// first, filtered and searched, and triaged by keys on the selected (or marked) rows.
//
// Its parts: the window of rows it holds of the shared ledger view (queue_window.go), the
// runner that writes its actions one at a time (queue_run.go), the screens it opens over the
// list — a concern's detail and the lead projects (queue_screens.go) — and its drawing
// (queue_view.go). Prompts, pickers and the conflict question are components on the focus
// stack.
type queue struct {
	c      *Common
	fs     *focus
	reload reloader
	w, h   int
	loaded bool
	err    error

	// The rows come from the store's shared ledger view, a window at a time: rows holds the
	// matching concerns [base, base+len(rows)) of total, in the chosen order.
	rows    []store.Concern
	ownRows bool // rows is this session's copy (else a kept page shared with others: see setRow)
	base    int
	total   int
	hdr     query.LedgerCounts
	known   map[string]store.Concern // marked and lead-project concerns, wherever they are
	mine    map[string]store.Concern // this session's own edits, until the view has them
	page    reloader                 // one window query at a time
	recount bool                     // the next window query also counts the header
	// waitRows is true from a key that changed what the list shows (filter, order, a move
	// past the rows held, an action's result) until the view's answer is in: keys typed
	// meanwhile wait for it, so they act on the rows the person would have seen.
	waitRows bool
	waits    int               // keys that made the list change, counted (see queuePage.seq)
	grids    map[string]string // grid code → name
	// owners are the owner picker's options, by concern, once read.
	owners map[string][]option
	// facetsIn says the filter picker's options have arrived.
	facetsIn bool
	limits   store.Limits

	f        queueFilter
	order    query.LedgerOrder
	shown    queueFilter       // the filter and order of the rows on screen
	shownBy  query.LedgerOrder // (f and order may be newer while a query runs)
	facets   query.LedgerFacets
	cur      views.Cursor
	selected string
	marked   map[string]bool
	meeting  bool

	run      runner
	detail   *concernSheet
	projects []store.Project
	projList *projectSheet
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

// queueLoaded is the pane's own data (grids, people, limits, projects) and a first window.
type queueLoaded struct {
	page     queuePage
	grids    map[string]string
	limits   store.Limits
	projects []store.Project
	err      error
}

// queueFacets are the villages, grids and categories the filter picker offers.
type queueFacets struct {
	f   query.LedgerFacets
	err error
}

// queueOwners are the people a concern may be given to, for the owner picker.
type queueOwners struct {
	id   string
	opts []option
	err  error
}

func newQueue(c *Common, fs *focus) *queue {
	q := &queue{c: c, fs: fs, marked: map[string]bool{}, known: map[string]store.Concern{}, mine: map[string]store.Concern{}}
	q.detail = &concernSheet{q: q}
	q.projList = &projectSheet{q: q}
	return q
}

func (q *queue) setCommon(c *Common) { q.c = c }

func (q *queue) Init() tea.Cmd {
	// The filter picker's facets are read now, so that a quick "f DL enter" finds them (a
	// picker opened before they come waits for them, as the owner picker waits for its
	// concern's owners).
	return tea.Batch(q.reload.want(func() tea.Cmd { return q.load() }), q.loadFacets())
}

func (q *queue) load() tea.Cmd {
	c := q.c
	query := q.query(true)
	f, order, seq := q.f, q.order, q.waits
	return func() tea.Msg {
		m := queueLoaded{grids: map[string]string{}, page: queuePage{f: f, order: order, seq: seq}}
		gs, err := c.Store.Grids(c.Ctx, c.Actor)
		if err != nil {
			return queueLoaded{err: err}
		}
		for _, g := range gs {
			m.grids[g.Code] = g.Name
		}
		if m.limits, err = c.Store.Limits(c.Ctx); err != nil {
			return queueLoaded{err: err}
		}
		if m.projects, err = c.Store.Projects(c.Ctx, c.Actor); err != nil {
			return queueLoaded{err: err}
		}
		// The lead projects' concerns come too, for their progress.
		for _, p := range m.projects {
			query.IDs = append(query.IDs, p.Concerns...)
		}
		m.page.asked, m.page.around = query.IDs, query.Around
		m.page.p, m.page.err = c.Ledger.Query(c.Ctx, c.Actor, query)
		m.err = m.page.err
		return m
	}
}

// loadOwners reads the people the concern may be given to, by its tier (the township's
// officials, the village's cadres, the grid's cadres and members), each told apart from
// another of the same name.
func (q *queue) loadOwners(id string) tea.Cmd {
	c := q.c
	return func() tea.Msg {
		owners, err := c.Store.Owners(c.Ctx, c.Actor, id)
		if err != nil {
			return queueOwners{id: id, err: err}
		}
		keyer := search.NewKeyer() // one per load: it remembers each character's pinyin
		opts := make([]option, 0, len(owners))
		for _, o := range owners {
			opts = append(opts, option{label: o.Label(), value: o.ID, key: keyer.Key(o.Name, o.Detail)})
		}
		return queueOwners{id: id, opts: opts}
	}
}

// loadFacets reads the villages, grids and categories the filter picker offers.
func (q *queue) loadFacets() tea.Cmd {
	c := q.c
	return func() tea.Msg {
		f, err := c.Ledger.Facets(c.Ctx, c.Actor)
		return queueFacets{f: f, err: err}
	}
}

func (q *queue) SetSize(w, h int) { q.w, q.h = w, h }

// Capturing: the list itself takes no text; its prompts are layers of their own.
func (q *queue) Capturing() bool { return false }

// settling is true while the pane is mid-change because of the person's own keys: its first
// load, an action being written, or rows asked for and not yet in.
func (q *queue) settling() bool {
	return !q.loaded || q.run.busy() || q.waitRows
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
	return tea.Batch(q.update(msg), after)
}

func (q *queue) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case queueLoaded:
		q.loaded, q.err = true, msg.err
		if msg.err != nil {
			q.waitRows = false
			return nil
		}
		q.grids, q.limits, q.projects = msg.grids, msg.limits, msg.projects
		cmd := q.applyPage(msg.page, true)
		q.projList.cur.SetLen(len(q.projects))
		return cmd
	case queuePage:
		if msg.err != nil {
			q.err, q.waitRows = msg.err, false
			return nil
		}
		return q.applyPage(msg, msg.p.Counts.Tiers != nil)
	case queueOwners:
		if msg.err != nil {
			q.fs.say(q.c.errText(msg.err), true)
		}
		if q.owners == nil {
			q.owners = map[string][]option{}
		}
		q.owners[msg.id] = msg.opts
		return nil
	case queueFacets:
		if msg.err == nil {
			q.facets, q.facetsIn = msg.f, true
		}
		return nil
	case markConcernsMsg:
		return q.markOnly(msg.ids)
	case showConcernMsg:
		return q.showOnly(msg)
	case ChangedMsg:
		// The pane's own lists (people, limits, projects) change rarely; the ledger's rows
		// come from the shared view, which re-reads only the concerns that changed.
		if msg.touches("grid", "cadre", "member", "official", "roster") {
			q.owners = nil // read again when the picker next opens
		}
		if msg.touches("project", "settings", "grid") {
			return q.reload.want(func() tea.Cmd { return q.load() })
		}
		if msg.touches("concern", "revisit") {
			q.recount = true
			return q.fetch()
		}
		return nil
	case triaged:
		return q.afterTriage(msg)
	case tea.KeyPressMsg:
		return q.listKey(msg)
	}
	return nil
}

// listKey handles a key on the list (or on the detail screen, which shows the row under the
// cursor and takes the same keys).
func (q *queue) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := q.c.Keys
	h := q.listHeight()
	if moveKeys(k, msg, &q.cur, h) {
		q.remember()
		return q.ensureWindow()
	}
	switch {
	case key.Matches(msg, k.Open):
		if len(q.rows) > 0 && !q.fs.open(q.detail) {
			q.fs.push(paneQueue, q.detail)
		}
	case key.Matches(msg, k.Back):
		if len(q.marked) > 0 {
			q.marked = map[string]bool{}
		} else if q.f.active() {
			q.f = queueFilter{all: q.f.all}
			return q.refilter()
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
			q.remember()
			return q.ensureWindow()
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
		return q.undo()
	case key.Matches(msg, k.Search):
		q.openSearch()
	case key.Matches(msg, k.TierFilter):
		q.f.tier = cycle(q.f.tier, append([]store.Tier{""}, store.Tiers()...))
		return q.refilter()
	case key.Matches(msg, k.TagFilter):
		q.f.tag = cycle(q.f.tag, append([]store.Tag{""}, store.Tags()...))
		return q.refilter()
	case key.Matches(msg, k.Mine):
		q.f.mine = !q.f.mine
		return q.refilter()
	case key.Matches(msg, k.All):
		q.f.all = !q.f.all
		return q.refilter()
	case key.Matches(msg, k.ClearFilter):
		q.f = queueFilter{}
		return q.refilter()
	case key.Matches(msg, k.Filter):
		return q.openFilter()
	case key.Matches(msg, k.Sort):
		q.order = q.order.Next()
		return q.refilter()
	case key.Matches(msg, k.Meeting):
		q.meeting = !q.meeting
		q.cur.Move(0, q.listHeight())
		q.remember()
		return q.ensureWindow()
	case key.Matches(msg, k.Limits):
		if q.c.Actor.Role != store.RoleTownship {
			q.fs.say(q.c.T("q.limits.township"), true)
			return nil
		}
		l := q.limits
		q.fs.push(paneQueue, askFor(q.c, q.fs, q.c.T("q.ask.limits"), fmt.Sprintf("%d %d %d", l.Red, l.Yellow, l.Green), nil, q.setLimits))
	case key.Matches(msg, k.Project):
		if len(q.marked) >= 2 {
			return q.ask(store.Op{Kind: "project"}, "q.ask.project")
		}
		q.fs.push(paneQueue, q.projList)
	}
	q.remember()
	return nil
}

// openSearch opens the search prompt: the list follows what is typed, esc clears it.
func (q *queue) openSearch() {
	a := askFor(q.c, q.fs, q.c.T("q.ask.search"), q.f.text, nil, func(val string) (tea.Cmd, string) {
		q.f.text = val
		return q.refilter(), ""
	})
	a.change = func(val string) tea.Cmd {
		q.f.text = val
		return q.refilter()
	}
	a.cancel = func() tea.Cmd {
		q.f.text = ""
		return q.refilter()
	}
	q.fs.push(paneQueue, a)
}

// openFilter opens the filter picker over the villages, grids and categories present; they
// are read again now, and what was typed meanwhile picks from them when they come.
func (q *queue) openFilter() tea.Cmd {
	source := func() ([]option, bool) { return q.filterOptions(q.facets), q.facetsIn }
	q.fs.push(paneQueue, askFor(q.c, q.fs, q.c.T("q.ask.filter"), "", source, func(val string) (tea.Cmd, string) {
		k, v, _ := strings.Cut(val, ":")
		switch k {
		case "v":
			q.f.village = v
		case "g":
			q.f.grid = v
		case "c":
			q.f.category = v
		}
		return q.refilter(), ""
	}))
	return q.loadFacets()
}

// setLimits takes the limits prompt's answer.
func (q *queue) setLimits(val string) (tea.Cmd, string) {
	var l store.Limits
	if n, _ := fmt.Sscanf(val, "%d %d %d", &l.Red, &l.Yellow, &l.Green); n != 3 {
		return nil, q.c.T("q.bad.limits")
	}
	c := q.c
	return func() tea.Msg {
		if err := c.Store.SetLimits(c.Ctx, c.Actor, l); err != nil {
			return statusMsg{text: c.errText(err), err: true}
		}
		return statusMsg{text: fmt.Sprintf(c.T("q.limits.set"), l.Red, l.Yellow, l.Green)}
	}, ""
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
	q.fs.closeOwned(paneQueue)
	q.recount = true
	return q.fetch()
}

// showOnly shows one concern with its detail open (from a household card): the filters are
// cleared (done concerns listed too when it is done), and keys typed next wait for its row.
func (q *queue) showOnly(msg showConcernMsg) tea.Cmd {
	q.f = queueFilter{all: msg.done}
	q.selected = msg.id
	q.fs.closeOwned(paneQueue)
	q.fs.push(paneQueue, q.detail)
	q.recount = true
	q.wait()
	return q.fetch()
}

// searches: / searches the ledger here, not the households.
func (q *queue) searches() bool { return true }

// presence is what a follower of this session needs to show the same.
func (q *queue) presence() View {
	return View{Online: true, Selected: q.selected, Filter: q.f, Meeting: q.meeting, Detail: q.fs.open(q.detail)}
}

// follow shows what a presenter shows: their filter, selection, detail and meeting mode.
func (q *queue) follow(v View) tea.Cmd {
	q.f, q.selected, q.meeting = v.Filter, v.Selected, v.Meeting
	q.fs.closeOwned(paneQueue)
	if v.Detail {
		q.fs.push(paneQueue, q.detail)
	}
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
func (q *queue) filterOptions(f query.LedgerFacets) []option {
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

// status returns a command that shows a footer message (for a result that arrives later).
func status(text string, isErr bool) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, err: isErr} }
}

func (q *queue) ShortHelp() []key.Binding {
	k := q.c.Keys
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
