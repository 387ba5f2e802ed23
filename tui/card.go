package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"sanbai/query"
	"sanbai/store"
	"sanbai/views"
)

// The household card (户情卡): ctrl+f from any pane (and / on a pane with nothing else to
// search) opens the finder over the households in the user's scope; enter shows the card of
// the one under the cursor, a page with everything known about it. From the card, a starts a
// visit, enter on a concern shows it in the ledger, and r fills its revisit form when one is
// due. The store finds, scopes and masks (query.Finder, store.HouseholdCard): the
// panes never see a number in full.

// findLimit is how many households a search lists: enough to scroll through, few enough to
// read in one message over a slow link.
const findLimit = 200

// searcher is a pane or sheet that searches its own list with /: there, / is not the finder.
type searcher interface{ searches() bool }

// navigator is a pane or component whose key takes the person elsewhere (a visit form, a
// concern in the ledger, a revisit form). The root takes the request in the same update as
// the key, so the keys typed next already go where the person is taken.
type navigator interface {
	// navigation returns the request made by the last key, once, or nil.
	navigation() tea.Msg
}

// showConcernMsg asks the root to show a concern in the ledger (3 台账) with its detail open.
type showConcernMsg struct {
	id string
	// done says the concern is resolved or closed, so the ledger lists done concerns too.
	done bool
}

// revisitHouseholdMsg asks the revisit pane (4 回头看) to open the revisit form of a household.
type revisitHouseholdMsg struct{ household string }

func (showConcernMsg) forRoot()      {}
func (revisitHouseholdMsg) forRoot() {}

// found is the answer to one search of the finder.
type found struct {
	seq      int
	hits     []query.HouseholdHit
	total    int
	grids    map[string]string // grid code → name, read with the first search
	villages map[string]string // village code → name
	err      error
}

// cardLoaded is a household card read for the sheet that asked.
type cardLoaded struct {
	for_ *cardSheet
	card store.Card
	err  error
}

// finder is the household finder: a line to type in, and the households found in the user's
// scope as it is typed. Each change of the line asks the store once; keys typed before its
// answer wait for it (settling), so an enter or a move lands on the list the person would
// have seen had they waited.
type finder struct {
	c     *Common
	fs    *focus
	in    textinput.Model
	hits  []query.HouseholdHit
	total int
	cur   views.Cursor
	// asked counts the searches asked; shown is the one whose answer is on screen.
	asked, shown int
	grids        map[string]string
	villages     map[string]string
	err          error
	card         *cardSheet // the card opened from here, while open
	w, h         int
}

func newFinder(c *Common, fs *focus) *finder {
	in := newInput(60)
	in.Focus()
	return &finder{c: c, fs: fs, in: in}
}

func (f *finder) setCommon(c *Common) { f.c = c }
func (f *finder) SetSize(w, h int)    { f.w, f.h = w, h }

// Capturing: the line takes every key.
func (f *finder) Capturing() bool { return true }

// settling is true while the answer to what was typed is not in.
func (f *finder) settling() bool { return f.asked != f.shown }

// takes: its searches' answers, and the card's (opened from here, so its first load is
// issued here and comes back here).
func (f *finder) takes(msg tea.Msg) bool {
	switch msg.(type) {
	case found, cardLoaded:
		return true
	}
	return false
}

// search asks the store for the households matching the line now.
func (f *finder) search() tea.Cmd {
	f.asked++
	seq, q, c := f.asked, f.in.Value(), f.c
	needNames := f.grids == nil
	return func() tea.Msg {
		out := found{seq: seq}
		if needNames {
			out.grids, out.villages = map[string]string{}, map[string]string{}
			gs, err := c.Store.Grids(c.Ctx, c.Actor)
			if err != nil {
				return found{seq: seq, err: err}
			}
			for _, g := range gs {
				out.grids[g.Code] = g.Name
			}
			vs, err := c.Store.Villages(c.Ctx, c.Actor)
			if err != nil {
				return found{seq: seq, err: err}
			}
			for _, v := range vs {
				out.villages[v.Code] = v.Name
			}
		}
		out.hits, out.total, out.err = c.Finder.Find(c.Ctx, c.Actor, q, findLimit)
		return out
	}
}

func (f *finder) listHeight() int { return max(f.h-5, 1) }

func (f *finder) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case found:
		if msg.seq != f.asked {
			return nil // a newer search is on its way
		}
		f.shown, f.err = msg.seq, msg.err
		if msg.grids != nil {
			f.grids, f.villages = msg.grids, msg.villages
		}
		if msg.err == nil {
			f.hits, f.total = msg.hits, msg.total
			f.cur = views.Cursor{}
			f.cur.SetLen(len(f.hits))
		}
		return nil
	case cardLoaded:
		if f.card != nil && msg.for_ == f.card {
			return f.card.Update(msg)
		}
		return nil
	case ChangedMsg:
		if msg.touches("household", "roster") && f.in.Value() != "" {
			return f.search()
		}
		return nil
	case tea.KeyPressMsg:
		k := f.c.Keys
		switch msg.String() {
		case "esc":
			f.fs.close(f)
			return nil
		case "enter":
			return f.open()
		case "up", "ctrl+p":
			f.cur.Move(-1, f.listHeight())
			return nil
		case "down", "ctrl+n":
			f.cur.Move(1, f.listHeight())
			return nil
		}
		if key.Matches(msg, k.PageUp) {
			f.cur.Move(-f.listHeight(), f.listHeight())
			return nil
		}
		if key.Matches(msg, k.PageDown) {
			f.cur.Move(f.listHeight(), f.listHeight())
			return nil
		}
	}
	m, ok := cleanInput(msg)
	if !ok {
		return nil
	}
	before := f.in.Value()
	var cmd tea.Cmd
	f.in, cmd = f.in.Update(m)
	if f.in.Value() == before {
		return cmd
	}
	if strings.TrimSpace(f.in.Value()) == "" {
		// Nothing to look for: the list empties at once, without asking.
		f.asked++
		f.shown, f.hits, f.total, f.err = f.asked, nil, 0, nil
		f.cur.SetLen(0)
		return cmd
	}
	return tea.Batch(cmd, f.search())
}

// open shows the card of the household under the cursor.
func (f *finder) open() tea.Cmd {
	if f.cur.Pos >= len(f.hits) {
		if f.in.Value() != "" {
			f.fs.say(f.c.T("card.none"), true)
		}
		return nil
	}
	h := f.hits[f.cur.Pos].Household
	f.card = newCardSheet(f.c, f.fs, h.Village, h.ID)
	f.fs.push(paneGlobal, f.card)
	return f.card.load()
}

// back closes the card opened from here: ctrl+f on a card goes back to the list.
func (f *finder) back() {
	if f.card != nil {
		f.fs.close(f.card)
		f.card = nil
	}
}

func (f *finder) View() string {
	st := f.c.Styles
	lines := []string{
		st.Title.Render(views.Cut(" "+f.c.T("card.find.title"), f.w)),
		views.Cut(" "+st.Accent.Render(f.c.T("card.find.ask"))+" "+f.inputView(), f.w),
		st.HRule(f.w),
	}
	switch {
	case f.err != nil:
		return strings.Join(append(lines, st.Error.Render(views.Cut(" "+f.c.errText(f.err), f.w))), "\n")
	case f.in.Value() == "":
		for _, l := range views.Wrap(" "+f.c.T("card.find.hint"), f.w) {
			lines = append(lines, st.Muted.Render(l))
		}
		return strings.Join(lines, "\n")
	}
	t := views.Table{Columns: []views.Column{
		{Title: f.c.T("q.grid"), Width: 12},
		{Title: f.c.T("card.no"), Width: 9, HideBelow: 70},
		{Title: f.c.T("card.address")},
		{Title: f.c.T("card.head"), Width: 6},
		{Title: f.c.T("card.who"), Width: 24, HideBelow: 60},
	}}
	for _, hit := range f.hits {
		h := hit.Household
		grid := f.grids[h.Grid]
		if len(f.villages) > 1 {
			grid = strings.TrimSuffix(f.villages[h.Village], "新村") + " " + shortGrid(grid)
		}
		who := ""
		for _, r := range h.Residents {
			if r.ID == hit.Matched {
				who = r.Name
				if r.Relation != "" {
					who += "(" + r.Relation + ")"
				}
				if r.Phone != "" {
					who += " " + r.Phone
				}
			}
		}
		t.Rows = append(t.Rows, views.Row{Cells: []views.Cell{views.T(grid), views.T(h.ID), views.T(h.Address),
			views.T(h.Head().Name), views.T(who)}})
	}
	lines = append(lines, t.Header(st, f.w))
	from, to := f.cur.Window(f.listHeight())
	if len(f.hits) == 0 && !f.settling() {
		lines = append(lines, " "+f.c.T("card.none"))
	}
	lines = append(lines, t.Lines(st, f.w, from, to, f.cur.Pos)...)
	for len(lines) < f.h-1 {
		lines = append(lines, "")
	}
	count := fmt.Sprintf(f.c.T("card.count"), f.total)
	if f.total > len(f.hits) {
		count += fmt.Sprintf(f.c.T("card.first"), len(f.hits))
	}
	if f.settling() {
		count = f.c.T("card.searching")
	}
	lines = append(lines[:f.h-1], st.Muted.Render(views.Cut(" "+count, f.w)))
	return strings.Join(lines, "\n")
}

// inputView draws the line with room for what is typed.
func (f *finder) inputView() string {
	f.in.SetWidth(max(f.w-views.Width(f.c.T("card.find.ask"))-4, 4))
	return f.in.View()
}

func (f *finder) ShortHelp() []key.Binding {
	k := f.c.Keys
	pick := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", f.c.T("ask.pick")))
	open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", f.c.T("card.open")))
	back := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", k.Back.Help().Desc))
	return []key.Binding{pick, open, back}
}

func (f *finder) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }

// cardSheet is one household's card: its people with their presence at each visit, its
// visits, concerns and revisits, and the group responsible for it.
type cardSheet struct {
	c         *Common
	fs        *focus
	reload    reloader
	village   string
	household string
	card      *store.Card
	err       error
	loaded    bool
	// lines is the card drawn for the width; items are the lines of its concerns, which the
	// cursor moves between; top is the first line on screen.
	lines []string
	items []int
	width int
	cur   int
	top   int
	w, h  int
	nav   tea.Msg
}

func newCardSheet(c *Common, fs *focus, village, household string) *cardSheet {
	return &cardSheet{c: c, fs: fs, village: village, household: household}
}

func (s *cardSheet) setCommon(c *Common) {
	s.c = c
	s.width = 0 // drawn again in the new language
}

func (s *cardSheet) SetSize(w, h int) { s.w, s.h = w, h }
func (s *cardSheet) Capturing() bool  { return false }

// settling is true until the card is read: a key typed on it waits for what it acts on.
func (s *cardSheet) settling() bool { return !s.loaded }

// takes: its own reads.
func (s *cardSheet) takes(msg tea.Msg) bool {
	m, ok := msg.(cardLoaded)
	return ok && m.for_ == s
}

func (s *cardSheet) navigation() tea.Msg {
	n := s.nav
	s.nav = nil
	return n
}

// load reads the card; one read at a time, changes meanwhile read it once more after.
func (s *cardSheet) load() tea.Cmd {
	return s.reload.want(func() tea.Cmd {
		c, village, id := s.c, s.village, s.household
		return func() tea.Msg {
			card, err := c.Store.HouseholdCard(c.Ctx, c.Actor, village, id)
			return cardLoaded{for_: s, card: card, err: err}
		}
	})
}

// reread reads the card again (ctrl+r).
func (s *cardSheet) reread() tea.Cmd { return s.load() }

func (s *cardSheet) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case cardLoaded:
		if msg.for_ != s {
			return nil
		}
		after := s.reload.done(s.load)
		s.loaded, s.err = true, msg.err
		if msg.err == nil {
			s.card = &msg.card
			s.width = 0
		}
		return after
	case ChangedMsg:
		if msg.touches("household", "visit", "concern", "revisit", "reach", "group", "route", "roster") {
			return s.load()
		}
		return nil
	case tea.KeyPressMsg:
		return s.key(msg)
	}
	return nil
}

func (s *cardSheet) key(km tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	s.draw()
	page := max(s.h-1, 1)
	switch {
	case key.Matches(km, k.Back):
		s.fs.close(s)
	case key.Matches(km, k.Up):
		if s.cur > 0 && len(s.items) > 0 {
			s.cur--
			s.show(s.items[s.cur] - 1)
		} else {
			s.scroll(-1)
		}
	case key.Matches(km, k.Down):
		if s.cur < len(s.items)-1 {
			s.cur++
			s.show(s.items[s.cur] - 1)
		} else {
			s.scroll(1)
		}
	case key.Matches(km, k.PageUp):
		s.scroll(-page)
	case key.Matches(km, k.PageDown):
		s.scroll(page)
	case key.Matches(km, k.Top):
		s.top, s.cur = 0, 0
	case key.Matches(km, k.Bottom):
		s.scroll(len(s.lines))
	case key.Matches(km, k.Open):
		return s.openConcern()
	case key.Matches(km, k.New):
		return s.visit()
	case key.Matches(km, k.Revisit):
		return s.revisit()
	}
	return nil
}

// scroll moves the page (the lines under the title) by n lines.
func (s *cardSheet) scroll(n int) {
	s.top = max(0, min(s.top+n, len(s.lines)-1-max(s.h-1, 1)))
}

// show scrolls so line i of the page (under the title) is on screen.
func (s *cardSheet) show(i int) {
	h := max(s.h-1, 1)
	if i < s.top {
		s.top = i
	}
	if i >= s.top+h {
		s.top = i - h + 1
	}
}

// openConcern shows the concern under the cursor in the ledger.
func (s *cardSheet) openConcern() tea.Cmd {
	if s.card == nil || len(s.card.Concerns) == 0 {
		s.fs.say(s.c.T("card.noconcern"), false)
		return nil
	}
	c := s.card.Concerns[min(s.cur, len(s.card.Concerns)-1)]
	s.nav = showConcernMsg{id: c.ID, done: !c.Status.Open()}
	return nil
}

// visit starts a new visit of the household, for the group responsible for it.
func (s *cardSheet) visit() tea.Cmd {
	if s.card == nil {
		return nil
	}
	switch {
	case s.c.Actor.Role == store.RoleInspector:
		s.fs.say(s.c.T("err.readonly"), true)
		return nil
	case s.card.Household.MovedOut != "":
		s.fs.say(fmt.Sprintf(s.c.T("card.movedout"), s.card.Household.MovedOut), true)
		return nil
	}
	group := ""
	if len(s.card.Groups) > 0 {
		group = s.card.Groups[0].ID
	}
	s.nav = openVisitMsg{household: s.household, group: group}
	return nil
}

// due lists the household's concerns resolved and waiting for their revisit.
func (s *cardSheet) due() []store.Concern {
	var out []store.Concern
	if s.card != nil {
		for _, c := range s.card.Concerns {
			if c.Status == store.StatusResolved {
				out = append(out, c)
			}
		}
	}
	return out
}

// revisit opens the revisit form when a concern of the household waits for its revisit.
func (s *cardSheet) revisit() tea.Cmd {
	if s.card == nil {
		return nil
	}
	if s.c.Actor.Role == store.RoleInspector {
		s.fs.say(s.c.T("err.readonly"), true)
		return nil
	}
	if len(s.due()) == 0 {
		s.fs.say(s.c.T("card.norevisit"), false)
		return nil
	}
	s.nav = revisitHouseholdMsg{household: s.household}
	return nil
}

func (s *cardSheet) View() string {
	st := s.c.Styles
	switch {
	case !s.loaded:
		return " " + s.c.T("loading")
	case s.err != nil:
		return " " + st.Error.Render(s.c.errText(s.err))
	}
	s.draw()
	h := max(s.h-1, 1)
	s.top = max(0, min(s.top, len(s.lines)-1-h))
	out := []string{s.lines[0]}
	body := s.lines[1:]
	from := min(s.top, len(body))
	to := min(from+h, len(body))
	for i := from; i < to; i++ {
		l := body[i]
		if len(s.items) > 0 && s.items[s.cur] == i+1 {
			mark := "▸ "
			if st.ASCII {
				mark = "> "
			}
			l = st.Selected.Render(views.Pad(mark+strings.TrimPrefix(l, "  "), s.w))
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// draw lays the card out for the width, when it or the card changed.
func (s *cardSheet) draw() {
	if s.card == nil || s.width == s.w {
		return
	}
	s.width = s.w
	s.lines, s.items = s.layout(), nil
	for i, l := range s.lines {
		if strings.HasPrefix(l, itemMark) {
			s.lines[i] = "  " + strings.TrimPrefix(l, itemMark)
			s.items = append(s.items, i)
		}
	}
	s.cur = min(s.cur, max(len(s.items)-1, 0))
}

// itemMark starts the lines the cursor can rest on (the concerns) while the card is laid out.
const itemMark = "\x00"

// layout draws the whole card, one string per line, w cells wide.
func (s *cardSheet) layout() []string {
	c, st, w := s.c, s.c.Styles, s.w
	card := s.card
	h := card.Household
	today := c.Today()
	colon := c.T("card.colon")
	var lines []string
	add := func(l string) { lines = append(lines, views.Cut(l, w)) }
	wrap := func(indent, text string) { lines = append(lines, views.Wrap(indent+text, w)...) }
	heading := func(key string, n int) {
		add(st.Heading.Render(fmt.Sprintf(" "+c.T(key), n)))
	}
	grid := card.Grid.Name
	if grid == "" {
		grid = h.Grid
	}
	add(st.Title.Render(fmt.Sprintf(" %s  %s  %s %s  %s", c.T("card.title"), h.ID, card.Village.Name, grid, h.Address)))
	head := h.Head()
	current, _ := h.Current()
	facts := []string{fmt.Sprintf("%s %s", c.T("card.head"), head.Name), fmt.Sprintf(c.T("card.people"), len(current.Residents))}
	if len(h.Special) > 0 {
		facts = append(facts, strings.Join(h.Special, " "))
	}
	if h.MovedOut != "" {
		facts = append(facts, st.Warn.Render(fmt.Sprintf(c.T("card.movedout.on"), h.MovedOut)))
	}
	add(" " + strings.Join(facts, " · "))
	if len(card.Groups) == 0 {
		add(" " + c.T("card.group") + " " + st.Warn.Render(c.T("card.nogroup")))
	}
	for _, g := range card.Groups {
		lead := ""
		if n := card.Names[g.Leader]; n != "" {
			lead = fmt.Sprintf(" (%s %s", c.T("r.leader"), n)
			if d := card.Names[g.Deputy]; d != "" {
				lead += fmt.Sprintf(" · %s %s", c.T("r.deputy"), d)
			}
			lead += ")"
		}
		add(" " + c.T("card.group") + " " + g.Name + lead)
	}
	if due := s.due(); len(due) > 0 {
		add(" " + st.Warn.Render(fmt.Sprintf(c.T("card.due"), len(due))))
	}
	lines = append(lines, st.HRule(w))

	// The people, each with when they were met or away, and why.
	heading("card.residents", len(h.Residents))
	presence := map[string][]string{}
	for i := len(card.Visits) - 1; i >= 0; i-- { // oldest first
		v := card.Visits[i]
		for _, id := range v.Present {
			presence[id] = append(presence[id], c.T("card.met")+" "+c.day(v.Date))
		}
		for _, id := range sortedIDs(v.Away) {
			presence[id] = append(presence[id], fmt.Sprintf("%s %s(%s)", c.T("card.away"), c.day(v.Date), v.Away[id]))
		}
	}
	for _, x := range card.Reaches {
		presence[x.Resident] = append(presence[x.Resident], fmt.Sprintf("%s %s %s", x.How, c.T("card.reached"), c.day(x.At.Format("2006-01-02"))))
	}
	// One line a person: name, relation, gender and age in columns, then the phone, special
	// groups and when they were met or away — wrapped under the name when long.
	nameW := 4
	for _, r := range h.Residents {
		nameW = max(nameW, views.Width(r.Name))
	}
	for _, r := range h.Residents {
		a := ""
		if n := age(r.Born, today); n >= 0 {
			a = fmt.Sprintf(c.T("card.age"), n)
		}
		cols := "   " + views.Fit(r.Name, nameW) + " " + views.Fit(r.Relation, 6) + " " + views.Fit(c.gender(r.Gender), 2) + " " + views.FitRight(a, 5)
		var rest []string
		if r.Phone != "" {
			rest = append(rest, r.Phone)
		}
		if len(r.Special) > 0 {
			rest = append(rest, strings.Join(r.Special, " "))
		}
		if r.MovedOut != "" {
			rest = append(rest, fmt.Sprintf(c.T("card.movedout.on"), r.MovedOut))
		}
		seen := presence[r.ID]
		if len(seen) == 0 && len(card.Visits) > 0 {
			seen = []string{c.T("card.notmet")}
		}
		rest = append(rest, strings.Join(seen, " · "))
		text := strings.TrimSpace(strings.Join(rest, "  "))
		if text == "" {
			add(cols)
			continue
		}
		// The rest starts beside the columns and wraps under its own start; in a narrow
		// window it goes under the name.
		if indent := strings.Repeat(" ", views.Width(cols)+2); views.Width(indent) <= w/2 {
			wrapped := views.Wrap(indent+text, w)
			add(cols + "  " + strings.TrimLeft(wrapped[0], " "))
			lines = append(lines, wrapped[1:]...)
		} else {
			add(cols)
			wrap("      ", text)
		}
	}

	// The visits, newest first: who went, who was met, and what was said.
	heading("card.visits", len(card.Visits))
	if len(card.Visits) == 0 {
		add("   " + st.Warn.Render(c.T("card.novisit")))
	}
	groupName := map[string]string{}
	for _, g := range card.Groups {
		groupName[g.ID] = g.Name
	}
	for _, v := range card.Visits {
		var who []string
		for _, id := range v.Members {
			who = append(who, card.Names[id])
		}
		g := groupName[v.Group]
		if g == "" {
			g = v.Group
		}
		l := fmt.Sprintf("   %s %s  %s", c.day(v.Date), g, strings.Join(who, " "))
		if v.Officer != "" {
			l += "  " + c.T("card.officer") + " " + card.Names[v.Officer]
		}
		l += "  " + fmt.Sprintf(c.T("card.metcount"), len(v.Present), len(v.Present)+len(v.Away))
		add(l)
		if len(v.Topics) > 0 {
			wrap("      ", c.T("v.topics")+" "+strings.Join(v.Topics, " "))
		}
		for _, f := range v.Findings {
			text := f.Text
			if f.Category != "" {
				text = f.Category + colon + text
			}
			wrap("      ", c.T("f."+f.Kind)+colon+text)
		}
		if v.Notes != "" {
			wrap("      ", c.T("v.notes")+colon+v.Notes)
		}
	}

	// The concerns, with where each stands; the cursor rests on them.
	heading("card.concerns", len(card.Concerns))
	for _, x := range card.Concerns {
		due := ""
		switch {
		case x.Overdue(today):
			due = st.Overdue.Render(fmt.Sprintf(c.T("overdue.days"), daysBetween(x.Plan.Deadline, today)))
		case x.Status.Open() && x.Plan.Deadline != "":
			due = c.T("q.deadline") + " " + c.day(x.Plan.Deadline)
		}
		l := fmt.Sprintf("%s %s %s %s", x.ID, c.T("tier."+string(x.Tier)), c.T("tag."+string(x.Tag)), c.T("st."+string(x.Status)))
		if due != "" {
			l += " " + due
		}
		if x.Plan.Owner != "" {
			l += " " + x.Plan.OwnerLabel()
		}
		l += "  " + x.Description
		lines = append(lines, itemMark+views.Cut(l, w-2))
	}
	// The revisits, newest first: solved or not, and how satisfied.
	heading("card.revisits", len(card.Revisits))
	for _, r := range card.Revisits {
		l := fmt.Sprintf("   %s %s %s %s", c.day(r.Date), r.Concern, c.T("rf."+r.Solved), r.Satisfaction)
		if r.Comment != "" {
			l += "  " + r.Comment
		}
		wrap("", l)
	}
	return lines
}

// labelWidth is the width of the labels down the left of a detail (事项, 办结情况): eight cells
// hold every Chinese label, ten the English ones ("Resolution", "supervised").
func (c *Common) labelWidth() int {
	if c.Lang == "en" {
		return 10
	}
	return 8
}

// gender shows a resident's gender in the session's language.
func (c *Common) gender(g string) string {
	if c.Lang != "en" {
		return g
	}
	switch g {
	case "男":
		return "M"
	case "女":
		return "F"
	}
	return g
}

// age is the age in whole years on today of someone born in the month born (YYYY-MM); -1 when
// unknown.
func age(born, today string) int {
	if len(born) < 7 || len(today) < 7 {
		return -1
	}
	by, err1 := strconv.Atoi(born[:4])
	bm, err2 := strconv.Atoi(born[5:7])
	ty, err3 := strconv.Atoi(today[:4])
	tm, err4 := strconv.Atoi(today[5:7])
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return -1
	}
	a := ty - by
	if tm < bm {
		a--
	}
	return max(a, 0)
}

func (s *cardSheet) ShortHelp() []key.Binding {
	k := s.c.Keys
	open := key.NewBinding(key.WithKeys(k.Open.Keys()...), key.WithHelp(k.Open.Help().Key, s.c.T("card.k.concern")))
	visit := key.NewBinding(key.WithKeys(k.New.Keys()...), key.WithHelp(k.New.Help().Key, s.c.T("card.k.visit")))
	out := []key.Binding{k.Up, k.Down, open, visit}
	if len(s.due()) > 0 {
		out = append(out, k.Revisit)
	}
	return append(out, k.Back)
}

func (s *cardSheet) FullHelp() [][]key.Binding {
	k := s.c.Keys
	sh := s.ShortHelp()
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, sh[2:]}
}
