package tui

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/search"
	"sanbai/store"
	"sanbai/views"
)

// visits is the 2 走访 pane: the visits logged so far, filtered by village, grid, group or
// date, and the registration form for typing in a new one or editing a saved one.
type visits struct {
	c      *Common
	fs     *focus
	reload reloader
	w, h   int
	loaded bool
	err    error
	data   *visitsData
	rows   []visitRow // after the filter
	cur    views.Cursor
	// form is the registration form (a layer while open), and body its fields; kept is a
	// form put aside with its draft (esc, k), which a brings back.
	form   *form
	body   *visitForm
	kept   bool
	detail *visitSheet
	filter string // "v:DL", "g:DL03", "p:DL-G1", "d:2026-11-25" or ""
	// rechecks counts the looks left for a draft held by a session the server has not yet
	// seen end.
	rechecks int
	// pendingOpen is a household the Routes pane asked to visit before the data arrived.
	pendingOpen *openVisitMsg
}

// visitsData is everything the pane and its form need, read off the UI goroutine.
type visitsData struct {
	rows []visitRow
	// households point into the store's shared rows (Store.HouseholdRefs), or at a current
	// copy where someone moved out: never changed.
	households map[string]*store.Household
	// picker is the household picker's options, made when first asked for (pickerOptions).
	picker  func() []option
	groups  []store.Group
	members map[string]store.Member
	grids   map[string]string
	// concerns are those the visits raised (raised, raisedSet), the session's own lookup in
	// the ledger view.
	concerns map[string]store.Concern
	// concernsPending: the ledger view was not read yet when the data was made; concerns
	// follow (visitsConcerns).
	concernsPending bool
	raised          []string
	raisedSet       map[string]bool
	// shared is the scope's shared model this session's data was made over.
	shared *visitsData
	draft  *store.VisitDraft
	// heldDraft: the user has a draft, but another live session holds it open.
	heldDraft bool
	routes    map[string]store.Route
	// officers are each village team's guiding officers (cadre IDs), cadres their names.
	officers map[string][]string
	cadres   map[string]string
}

// pickerOptions are the household picker's options for the households on the roster, each
// with its search key.
func pickerOptions(hhs []*store.Household, grids map[string]string) []option {
	// One keyer for them all: it remembers each character's pinyin, which go-pinyin works
	// out with regular expressions; keying 100,000 households one by one was a quarter of a
	// county server's warm-up.
	keyer := search.NewKeyer()
	opts := make([]option, 0, len(hhs))
	for _, h := range hhs {
		head := h.Head()
		opts = append(opts, option{
			label: fmt.Sprintf("%s %s  %s (%d)", grids[h.Grid], h.Address, head.Name, len(h.Residents)),
			value: h.ID,
			key:   keyer.Key(h.Address, head.Name, grids[h.Grid], h.ID),
		})
	}
	return opts
}

// pickerOptions are the household picker's options, made on first asking, once for every
// session sharing the data: the picker is only the form's, and keying a county's 100,000
// households was most of pane 2's wait right after a start.
func (d *visitsData) pickerOptions() []option {
	if d.picker == nil {
		return nil
	}
	return d.picker()
}

// visitRow is a visit with the names the list shows.
type visitRow struct {
	v       store.Visit
	group   string
	grid    string
	address string
	head    string
	people  int
}

type visitsLoaded struct {
	data *visitsData
	err  error
}

// openVisitMsg asks the Visits pane to open the form for a household (from the Routes pane's
// "next household").
type openVisitMsg struct {
	household string
	group     string
}

// focusPaneMsg asks the root to show a pane.
type focusPaneMsg struct{ pane paneID }

func newVisits(c *Common, fs *focus) *visits {
	v := &visits{c: c, fs: fs, rechecks: 5}
	v.detail = &visitSheet{v: v}
	return v
}

func (v *visits) setCommon(c *Common) {
	v.c = c
	if v.form != nil && !v.fs.open(v.form) {
		v.form.setCommon(c) // a kept form; an open one is a layer and gets it from the root
	}
}

// settling is true until the first load is in: keys typed before wait for the list.
func (v *visits) settling() bool { return !v.loaded }

func (v *visits) Init() tea.Cmd { return v.reload.want(func() tea.Cmd { return v.load(true) }) }

// hasDraft reports (reading the store) that the user left an unsaved visit form.
func (v *visits) hasDraft() bool {
	return v.c.hasDrafts(store.DraftVisit)
}

// load reads the pane's data; withDraft also looks for a draft to bring back.
func (v *visits) load(withDraft bool) tea.Cmd {
	c := v.c
	// A form open, or one to open, filters the picker as the data comes in: its options are
	// made here, not on the UI's goroutine (a county's take a quarter of a second).
	picking := v.form != nil || v.pendingOpen != nil
	return func() tea.Msg {
		var find draftFinder
		if withDraft {
			find = c.drafts()
		}
		// The visits, households and the household picker are one per scope and store
		// version for the whole server; the session keeps its own header over them, with the
		// concerns its visits raised and its draft.
		sh, err := sharedVisitsOf(c.Ctx, c.Shared, c.Store, c.Actor)
		if err != nil {
			return visitsLoaded{err: err}
		}
		d := *sh
		d.shared = sh
		// Right after a start the ledger view may still be reading a county's concerns
		// (seconds): the visits show at once, their concerns' states when the view is in.
		if d.concernsPending = !c.Ledger.Loaded(); !d.concernsPending {
			if d.concerns, err = c.Ledger.Get(c.Ctx, c.Actor, d.raised); err != nil {
				return visitsLoaded{err: err}
			}
		}
		if find != nil && c.Actor.Role != store.RoleInspector {
			var dr store.VisitDraft
			if id, ok := find(store.DraftVisit, &dr); ok {
				dr.DraftID = id
				d.draft = &dr
			}
		}
		if withDraft && d.draft == nil && c.Actor.Role != store.RoleInspector {
			d.heldDraft = c.hasDrafts(store.DraftVisit)
		}
		if picking || d.draft != nil { // a draft brought back opens its form
			sh.pickerOptions()
		}
		return visitsLoaded{data: &d}
	}
}

// visitsConcerns carries the concerns the pane's visits raised, read again from the ledger
// view after some of them changed.
type visitsConcerns struct {
	shared   *visitsData // the shared model they were read for
	concerns map[string]store.Concern
	err      error
}

// loadConcerns reads the concerns the visits raised again: a change of concerns costs the
// pane a lookup of its own few, not a new model.
func (v *visits) loadConcerns() tea.Cmd {
	c, d := v.c, v.data
	return func() tea.Msg {
		cs, err := c.Ledger.Get(c.Ctx, c.Actor, d.raised)
		return visitsConcerns{shared: d.shared, concerns: cs, err: err}
	}
}

// raisedChanged reports whether a change is of a concern one of the pane's visits raised.
func (v *visits) raisedChanged(msg ChangedMsg) bool {
	if v.data == nil {
		return false
	}
	for _, c := range msg.Changes {
		if c.Kind == "concern" && (c.ID == "" || v.data.raisedSet[c.ID]) {
			return true
		}
	}
	return false
}

// loadVisits reads what every session of the actor's scope shares: the visits, households,
// groups, members, teams and routes (the household picker's options are made when first
// asked for: visitsData.pickerOptions).
func loadVisits(ctx context.Context, st store.Engine, a store.Actor) (*visitsData, error) {
	d := &visitsData{households: map[string]*store.Household{}, members: map[string]store.Member{},
		grids: map[string]string{}, routes: map[string]store.Route{}}
	vs, err := st.Visits(ctx, a)
	if err != nil {
		return nil, err
	}
	grids, err := st.Grids(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, g := range grids {
		d.grids[g.Code] = g.Name
	}
	hhs, err := st.HouseholdRefs(ctx, a)
	if err != nil {
		return nil, err
	}
	d.households = make(map[string]*store.Household, len(hhs))
	picks := make([]*store.Household, 0, len(hhs))
	for _, h := range hhs {
		// A household that moved out keeps its row for the visits already made, but is not
		// offered for new ones; people who moved out are not listed in the form.
		cur := h.CurrentRef()
		if cur == nil {
			d.households[h.ID] = h
			continue
		}
		d.households[cur.ID] = cur
		picks = append(picks, cur)
	}
	gridNames := d.grids
	d.picker = sync.OnceValue(func() []option { return pickerOptions(picks, gridNames) })
	if d.groups, err = st.Groups(ctx, a); err != nil {
		return nil, err
	}
	gname := map[string]string{}
	for _, g := range d.groups {
		gname[g.ID] = g.Name
	}
	members, err := st.Members(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		d.members[m.ID] = m
	}
	// The pane shows a concern only as part of the visit that raised it: it looks those up,
	// not the whole ledger (200,000 rows on a county store).
	d.raisedSet = map[string]bool{}
	for _, x := range vs {
		d.raised = append(d.raised, x.Concerns...)
		for _, id := range x.Concerns {
			d.raisedSet[id] = true
		}
	}
	teams, err := st.Teams(ctx, a)
	if err != nil {
		return nil, err
	}
	d.officers, d.cadres = map[string][]string{}, map[string]string{}
	for _, t := range teams {
		d.officers[t.Village] = t.Officers
	}
	cadres, err := st.Cadres(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, c := range cadres {
		d.cadres[c.ID] = c.Name
	}
	rts, err := st.Routes(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, r := range rts {
		d.routes[r.Group] = r
	}
	for _, x := range vs {
		h := d.household(x.Household)
		d.rows = append(d.rows, visitRow{v: x, group: gname[x.Group], grid: d.grids[x.Grid], address: h.Address,
			head: h.Head().Name, people: len(h.Residents)})
	}
	sort.SliceStable(d.rows, func(i, j int) bool {
		if d.rows[i].v.Date != d.rows[j].v.Date {
			return d.rows[i].v.Date > d.rows[j].v.Date
		}
		return d.rows[i].v.At.After(d.rows[j].v.At)
	})
	return d, nil
}

// household is the household of that ID, or none (a visit to a household since deleted).
func (d *visitsData) household(id string) store.Household {
	if h := d.households[id]; h != nil {
		return *h
	}
	return store.Household{}
}

func (v *visits) SetSize(w, h int) { v.w, v.h = w, h }

// Capturing: the list takes no text; the form and the filter are layers of their own.
func (v *visits) Capturing() bool { return false }

func (v *visits) listHeight() int { return max(v.h-4, 1) }

// refilter applies the filter to the rows.
func (v *visits) refilter() {
	v.rows = v.rows[:0]
	if v.data == nil { // a key (esc, 0) before the data has loaded
		return
	}
	for _, r := range v.data.rows {
		k, val, _ := strings.Cut(v.filter, ":")
		switch {
		case k == "v" && r.v.Village != val:
		case k == "g" && r.v.Grid != val:
		case k == "p" && r.v.Group != val:
		case k == "d" && r.v.Date != val:
		default:
			v.rows = append(v.rows, r)
		}
	}
	v.cur.SetLen(len(v.rows))
}

// Update handles a message; a finished load lets the next one asked for start.
func (v *visits) Update(msg tea.Msg) tea.Cmd {
	var after tea.Cmd
	if _, ok := msg.(visitsLoaded); ok {
		after = v.reload.done(func() tea.Cmd { return v.load(false) })
	}
	return tea.Batch(v.update(msg), after)
}

func (v *visits) update(msg tea.Msg) tea.Cmd {
	k := v.c.Keys
	switch msg := msg.(type) {
	case visitsLoaded:
		v.loaded, v.err = true, msg.err
		if msg.err != nil {
			return nil
		}
		v.data = msg.data
		if v.body != nil {
			v.body.refresh(v.data)
		}
		v.refilter()
		// The picker's options are made after the pane is drawn, off the UI's goroutine
		// (or by the load, when a form was to show them at once).
		data := msg.data
		fill := ahead(v.c, func() { data.pickerOptions() })
		if msg.data.concernsPending {
			fill = tea.Batch(fill, v.loadConcerns())
		}
		if v.pendingOpen != nil {
			o := *v.pendingOpen
			v.pendingOpen = nil
			return tea.Batch(fill, v.openFor(o))
		}
		if msg.data.draft != nil && v.form == nil {
			// A form cut off by a dropped link comes back as it was, on this pane.
			v.openForm(*msg.data.draft, msg.data.draft.SavedAt)
			v.fs.say(v.c.T("vf.restored"), false)
			return tea.Batch(fill, func() tea.Msg { return focusPaneMsg{pane: paneVisits} })
		}
		if msg.data.heldDraft && v.form == nil && v.rechecks > 0 {
			v.rechecks--
			return tea.Batch(fill, recheckDrafts(v.rechecks))
		}
		return fill
	case draftRecheck:
		if v.form == nil {
			return v.load(true)
		}
		return nil
	case ChangedMsg:
		if msg.touches("visit", "household", "group", "route") {
			return v.reload.want(func() tea.Cmd { return v.load(false) })
		}
		if v.raisedChanged(msg) {
			return v.loadConcerns()
		}
		return nil
	case visitsConcerns:
		// Kept only if no new data came meanwhile (it has its own concerns).
		if msg.err == nil && v.data != nil && msg.shared == v.data.shared {
			d := *v.data
			d.concerns, d.concernsPending = msg.concerns, false
			v.data = &d
			if v.body != nil {
				v.body.refresh(v.data)
			}
		}
		return nil
	case openVisitMsg:
		if !v.loaded {
			v.pendingOpen = &msg
			return nil
		}
		return v.openFor(msg)
	case tea.KeyPressMsg:
		if moveKeys(k, msg, &v.cur, v.listHeight()) {
			return nil
		}
		switch {
		case key.Matches(msg, k.Open):
			if len(v.rows) > 0 {
				v.fs.push(paneVisits, v.detail)
			}
		case key.Matches(msg, k.New):
			return v.newVisit("", "")
		case key.Matches(msg, k.Filter):
			if v.data == nil {
				return nil
			}
			v.fs.push(paneVisits, askFor(v.c, v.fs, v.c.T("v.ask.filter"), "", fixed(v.filterOptions()), func(val string) (tea.Cmd, string) {
				v.filter = val
				v.refilter()
				return nil, ""
			}))
		case key.Matches(msg, k.ClearFilter), key.Matches(msg, k.Back):
			v.filter = ""
			v.refilter()
		}
	}
	return nil
}

// openForm puts the registration form over the pane, from a draft (saved at; zero for a new
// form).
func (v *visits) openForm(d store.VisitDraft, saved time.Time) *visitForm {
	body := newVisitForm(v.c, d, v.data)
	fr := newForm(v.c, v.fs, paneVisits, body)
	body.frame = fr
	fr.fromDraft(saved)
	fr.saved = func(result any) tea.Cmd {
		v.form, v.body, v.kept = nil, nil, false
		if v.data != nil {
			v.data.draft = nil
		}
		return v.load(false)
	}
	fr.left = func(kept bool) {
		v.kept = kept
		if !kept {
			v.form, v.body = nil, nil
		}
	}
	fr.hold(store.DraftVisit, body.d.DraftID)
	v.form, v.body, v.kept = fr, body, false
	v.fs.push(paneVisits, fr)
	return body
}

// filterOptions lists villages, grids, groups and dates with how many visits each has.
func (v *visits) filterOptions() []option {
	count := map[string]int{}
	label := map[string]string{}
	for _, r := range v.data.rows {
		for _, kv := range [][2]string{
			{"v:" + r.v.Village, v.c.T("r.village") + " " + r.v.Village},
			{"g:" + r.v.Grid, v.c.T("q.grid") + " " + ConcernVillageOf(r.v.Grid) + " " + r.grid},
			{"p:" + r.v.Group, v.c.T("v.group") + " " + ConcernVillageOf(r.v.Grid) + " " + r.group},
			{"d:" + r.v.Date, v.c.T("v.date") + " " + r.v.Date},
		} {
			count[kv[0]]++
			label[kv[0]] = kv[1]
		}
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return strings.Index("vgpd", keys[i][:1]) < strings.Index("vgpd", keys[j][:1])
		}
		if keys[i][0] == 'd' {
			return keys[i] > keys[j]
		}
		return keys[i] < keys[j]
	})
	var out []option
	if v.c.Actor.Village != "" {
		keys = filterOut(keys, "v:")
	}
	for _, k := range keys {
		l := fmt.Sprintf("%s  (%d)", label[k], count[k])
		out = append(out, option{label: l, value: k, key: searchKey(label[k])})
	}
	return out
}

func filterOut(keys []string, prefix string) []string {
	out := keys[:0]
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

// lastVisit is the newest visit this user saved: its date, group and members carry over.
func (v *visits) lastVisit() (store.Visit, bool) {
	var best store.Visit
	found := false
	for _, r := range v.data.rows {
		if r.v.By == v.c.Actor.Name && (!found || r.v.At.After(best.At)) {
			best, found = r.v, true
		}
	}
	return best, found
}

// newVisit opens an empty form, with the date, group and members of the previous visit.
func (v *visits) newVisit(household, group string) tea.Cmd {
	if v.c.Actor.Role == store.RoleInspector {
		return status(v.c.T("err.readonly"), true)
	}
	if v.data == nil {
		// Still loading: open the form as soon as the data is here.
		v.pendingOpen = &openVisitMsg{household: household, group: group}
		return nil
	}
	if v.kept && household == "" {
		// a brings back the form put aside rather than a blank one.
		v.kept = false
		v.fs.push(paneVisits, v.form)
		return nil
	}
	if v.kept {
		v.fs.say(v.c.T("vf.busy"), true)
		return nil
	}
	// 四讲 starts unticked, as presence does: * ticks them all.
	d := store.VisitDraft{Date: v.c.Today()}
	if last, ok := v.lastVisit(); ok {
		d.Date, d.Group, d.Members = last.Date, last.Group, append([]string(nil), last.Members...)
	}
	f := v.openForm(d, time.Time{})
	if group != "" {
		for _, g := range v.data.groups {
			if g.ID == group {
				f.setGroup(g)
			}
		}
	}
	if household != "" {
		f.chooseHousehold(household)
		f.focus = slotPresent
		f.enter()
	}
	return nil
}

// openFor opens the form for a household asked for by the Routes pane.
func (v *visits) openFor(o openVisitMsg) tea.Cmd {
	if v.form != nil {
		v.fs.say(v.c.T("vf.busy"), true)
		return nil
	}
	return tea.Batch(v.newVisit(o.household, o.group), func() tea.Msg { return focusPaneMsg{pane: paneVisits} })
}

// edit opens a saved visit in the form.
func (v *visits) edit() tea.Cmd {
	if v.c.Actor.Role == store.RoleInspector {
		v.fs.say(v.c.T("err.readonly"), true)
		return nil
	}
	if v.form != nil {
		v.fs.say(v.c.T("vf.busy"), true)
		return nil
	}
	if v.cur.Pos >= len(v.rows) {
		return nil
	}
	x := v.rows[v.cur.Pos].v
	d := store.VisitDraft{Editing: x.ID, Village: x.Village, Household: x.Household, Date: x.Date, Group: x.Group,
		Members: x.Members, Present: x.Present, Away: x.Away, Topics: x.Topics, Notes: x.Notes,
		Findings: map[string]string{}, Category: map[string]string{}}
	for _, f := range x.Findings {
		d.Findings[f.Kind] = f.Text
		d.Category[f.Kind] = f.Category
	}
	if h, ok := v.data.households[x.Household]; ok {
		d.Special = slices.Clone(h.Special) // the row is shared: the form edits its own copy
	}
	v.fs.close(v.detail)
	f := v.openForm(d, time.Time{})
	f.focus = slotPresent
	f.enter()
	return nil
}

// summary counts visits in all, today and in the last seven days.
func (v *visits) summary() string {
	today := v.c.Today()
	t, _ := time.Parse(time.DateOnly, today)
	weekStart := t.AddDate(0, 0, -6).Format(time.DateOnly)
	nToday, nWeek := 0, 0
	for _, r := range v.rows {
		if r.v.Date == today {
			nToday++
		}
		if r.v.Date >= weekStart {
			nWeek++
		}
	}
	s := " " + fmt.Sprintf(v.c.T("v.count"), len(v.rows), nToday, nWeek)
	if v.filter != "" {
		s += "  " + v.c.Styles.Accent.Render("["+v.filter[2:]+"]")
	}
	if v.kept {
		s += "  " + v.c.Styles.Warn.Render(v.c.T("vf.hasdraft"))
	}
	return s
}

func (v *visits) View() string {
	st := v.c.Styles
	switch {
	case !v.loaded:
		return " " + v.c.T("loading")
	case v.err != nil:
		return " " + st.Error.Render(v.c.errText(v.err))
	}
	lines := []string{v.summary(), st.HRule(v.w)}
	t := views.Table{Columns: []views.Column{
		{Title: v.c.T("v.date"), Width: 5},
		{Title: v.c.T("v.group"), Width: 6, HideBelow: 64},
		{Title: v.c.T("v.grid"), Width: 8},
		{Title: v.c.T("v.household")},
		{Title: v.c.T("v.present"), Width: 5, Right: true},
		{Title: v.c.T("v.concerns"), Width: 4, Right: true},
	}}
	// Only the rows on screen are built (window).
	from, to := v.cur.Window(v.listHeight())
	for _, r := range window(v.rows, from, to) {
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{
			views.T(shortDate(r.v.Date)), views.T(r.group), views.T(r.grid),
			views.T(r.address + "  " + r.head),
			views.T(fmt.Sprintf("%d/%d", len(r.v.Present), r.people)),
			views.T(countOrBlank(len(r.v.Concerns))),
		}})
	}
	lines = append(lines, t.Header(st, v.w))
	if len(v.rows) == 0 {
		lines = append(lines, " "+v.c.T("empty"))
	}
	lines = append(lines, t.Lines(st, v.w, 0, len(t.Rows), v.cur.Pos-from)...)
	return strings.Join(lines, "\n")
}

func countOrBlank(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// visitSheet is the registration form of the visit under the cursor, as saved, and where its
// concerns are now (enter); e edits it, esc closes it.
type visitSheet struct {
	sized
	v *visits
}

func (s *visitSheet) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *visitSheet) ShortHelp() []key.Binding {
	k := s.v.c.Keys
	return []key.Binding{k.Edit, k.Back}
}

func (s *visitSheet) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := s.v.c.Keys
	switch {
	case key.Matches(km, k.Back, k.Open):
		s.v.fs.close(s)
	case key.Matches(km, k.Edit):
		return s.v.edit()
	}
	return nil
}

func (s *visitSheet) View() string {
	if s.v.cur.Pos >= len(s.v.rows) {
		return " " + s.v.c.T("empty")
	}
	return s.v.detailView(s.w, s.h)
}

// detailView shows the registration form of the selected visit and where its concerns are now.
func (v *visits) detailView(w, height int) string {
	st := v.c.Styles
	r := v.rows[v.cur.Pos]
	h := v.data.household(r.v.Household)
	names := map[string]string{}
	for _, p := range h.Residents {
		names[p.ID] = p.Name
	}
	var lines []string
	add := func(label, value string) {
		lines = append(lines, " "+st.Heading.Render(views.Fit(label, 8))+" "+views.Cut(value, max(w-10, 1)))
	}
	lines = append(lines, " "+st.Title.Render(fmt.Sprintf("%s  %s %s  %s", r.v.ID, r.grid, r.address, r.head)), st.HRule(w))
	add(v.c.T("v.date"), r.v.Date+"  "+r.group+"  "+r.v.By)
	var ns []string
	for _, id := range r.v.Members {
		ns = append(ns, v.data.members[id].Name)
	}
	add(v.c.T("v.members"), strings.Join(ns, " "))
	ns = ns[:0]
	for _, id := range r.v.Present {
		ns = append(ns, names[id])
	}
	add(v.c.T("v.present"), strings.Join(ns, " "))
	ns = ns[:0]
	for _, id := range sortedIDs(r.v.Away) {
		ns = append(ns, names[id]+"("+r.v.Away[id]+")")
	}
	if len(ns) > 0 {
		add(v.c.T("v.away"), strings.Join(ns, " "))
	}
	add(v.c.T("v.topics"), strings.Join(r.v.Topics, " "))
	for _, f := range r.v.Findings {
		text := f.Text
		if f.Category != "" {
			text = f.Category + "  " + text
		}
		add(v.c.T("f."+f.Kind), text)
	}
	if r.v.Notes != "" {
		add(v.c.T("v.notes"), r.v.Notes)
	}
	for _, id := range r.v.Concerns {
		c, ok := v.data.concerns[id]
		if !ok {
			if v.data.concernsPending {
				add(id, "…") // its state comes with the ledger view
			}
			continue
		}
		add(id, fmt.Sprintf("%s · %s · %s  %s", v.c.T("tier."+string(c.Tier)), v.c.T("tagname."+string(c.Tag)),
			v.c.T("st."+string(c.Status)), c.Description))
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	return strings.Join(lines, "\n")
}

func sortedIDs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (v *visits) ShortHelp() []key.Binding {
	k := v.c.Keys
	return []key.Binding{k.New, k.Up, k.Down, k.Open, k.Filter}
}

func (v *visits) FullHelp() [][]key.Binding {
	k := v.c.Keys
	return [][]key.Binding{{k.New, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Open, k.Edit, k.Filter, k.ClearFilter, k.Back}}
}
