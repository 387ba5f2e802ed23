package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"sanbai/clean"
	"sanbai/keys"
	"sanbai/query"
	"sanbai/store"
	"sanbai/views"
)

// Minimum window size the panes are laid out for; below it a message asks for more room.
const (
	minWidth  = 40
	minHeight = 10
)

// Largest window drawn: every frame pads each line to the width, so a client announcing
// 10000×10000 would make each frame 100 MB; past these sizes the rest stays blank. (The SSH
// server clamps too, before the renderer allocates its buffers.)
const (
	maxDrawWidth  = 320
	maxDrawHeight = 128
)

// Options configure a session's model.
type Options struct {
	// Context is the session's: the store calls of its commands stop when it ends. nil means
	// context.Background (tests).
	Context context.Context
	Store   store.Engine
	// Ledger is the server's shared ledger view (query.NewLedger); nil makes one for this
	// session alone, as a test may.
	Ledger *query.Ledger
	// Finder is the server's household finder (query.NewFinder); nil makes one for this
	// session alone.
	Finder *query.Finder
	// Shared is the server's shared read models of the panes (NewShared); nil makes them for
	// this session alone.
	Shared *query.Shared
	User   store.User
	// Demo admits the session as a township demo user.
	Demo bool
	// Registered is true when User comes from the store.
	Registered bool
	// Lang is the starting language ("zh" or "en").
	Lang string
	// ASCII draws rules and bars in plain ASCII.
	ASCII bool
	// Lean starts in the lean display for slow links (views.NewStyles); B switches it.
	Lean bool
	// Width and Height are the initial window size, if known.
	Width, Height int
	// Presence is the server's registry of what each user shows, for follow mode.
	Presence *Presence
	// Follow names the user whose screen this session follows, read-only; empty for a
	// normal session.
	Follow string
	// Trace, when set, is told each key as it arrives ("recv"), waits ("held") and is
	// applied ("key", or "answer" to a question), and each message and question the session
	// shows ("say", "ask").
	Trace func(event string)
}

// paneID names a pane. Panes are known by ID, never by position on the bar; paneDefs is
// the one table to add a pane to.
type paneID int

// The panes, in the order of the pane bar.
const (
	paneRoutes paneID = iota
	paneVisits
	paneQueue
	paneRevisit
	paneOverview
	paneCount
	// paneGlobal owns the layers shown over every pane (the fact sheet).
	paneGlobal paneID = -1
)

// paneDef is a pane's entry in the table: its key on the bar and how to build it.
type paneDef struct {
	binding func(*keys.KeyMap) key.Binding
	make    func(*Common, *focus) Pane
}

// paneDefs is the table of panes, indexed by paneID.
func paneDefs() [paneCount]paneDef {
	return [paneCount]paneDef{
		paneRoutes:   {func(k *keys.KeyMap) key.Binding { return k.Pane1 }, func(c *Common, f *focus) Pane { return newRoutes(c, f) }},
		paneVisits:   {func(k *keys.KeyMap) key.Binding { return k.Pane2 }, func(c *Common, f *focus) Pane { return newVisits(c, f) }},
		paneQueue:    {func(k *keys.KeyMap) key.Binding { return k.Pane3 }, func(c *Common, f *focus) Pane { return newQueue(c, f) }},
		paneRevisit:  {func(k *keys.KeyMap) key.Binding { return k.Pane4 }, func(c *Common, f *focus) Pane { return newRevisit(c, f) }},
		paneOverview: {func(k *keys.KeyMap) key.Binding { return k.Pane5 }, func(c *Common, f *focus) Pane { return newOverview(c, f) }},
	}
}

// presenter is the pane that follow mode mirrors (the queue): what it shows, and showing
// what a presenter shows.
type presenter interface {
	presence() View
	follow(v View) tea.Cmd
}

// Model is the root model of one session: header, pane bar, the focused pane or the top of
// the focus stack, and the footer. It owns the focus stack: keys go only to its top (or to
// the pane when nothing is open over it), and wait while their receiver is mid-change.
type Model struct {
	c *Common
	// frame is the last frame drawn, good while frameOK. A change in the store that the
	// pane on screen does not show (a triage, for fifty sessions resting on other panes)
	// leaves it good: drawing it again for every session was most of what such a change cost.
	frame   string
	frameOK bool
	// unseen is set by a message that changed nothing drawn (see ChangedMsg in message).
	unseen bool
	defs   [paneCount]paneDef
	panes  [paneCount]Pane
	fs     *focus
	facts  *factSheet // the village fact sheet, a layer over every pane while open
	// sizes are the sizes last given to the panes (they give up lines to open prompts).
	sizes  [paneCount][2]int
	active paneID
	// started marks the panes whose data has been asked for: a pane loads when first shown,
	// so an idle session holds only what it shows (see Init).
	started [paneCount]bool
	// missed holds the changes a loaded pane was not shown when they came: a hidden pane
	// applies them when next shown, so a change costs the sessions' work only in the panes
	// on screen (on a county store fifty sessions re-reading four hidden panes each after
	// every triage took a minute of CPU).
	missed   [paneCount][]store.Change
	showHelp bool
	help     help.Model
	width    int
	height   int
	township string
	context  string
	presence *Presence
	follow   string
	online   bool
	// phase is the campaign phase now and the days to its deadline, for the header.
	phase     string
	phaseDays int
}

// New builds the root model for one session.
func New(o Options) *Model {
	lang := o.Lang
	if lang != "en" {
		lang = "zh"
	}
	if o.Ledger == nil {
		o.Ledger = query.NewLedger(o.Store, nil)
	}
	if o.Finder == nil {
		o.Finder = query.NewFinder(o.Store)
	}
	if o.Shared == nil {
		o.Shared = NewShared(o.Store)
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	c := &Common{
		Ctx:        o.Context,
		Store:      o.Store,
		Ledger:     o.Ledger,
		Finder:     o.Finder,
		Shared:     o.Shared,
		Actor:      store.ActorFor(o.User),
		Lang:       lang,
		Styles:     views.NewStyles(o.ASCII, o.Lean),
		Keys:       keys.New(lang),
		Demo:       o.Demo,
		Registered: o.Registered,
		Presence:   o.Presence,
	}
	m := &Model{c: c, defs: paneDefs(), fs: newFocus(o.Trace), help: help.New(), width: min(o.Width, maxDrawWidth),
		height: min(o.Height, maxDrawHeight), presence: o.Presence, follow: o.Follow}
	for id, d := range m.defs {
		m.panes[id] = d.make(c, m.fs)
	}
	m.facts = newFactSheet(c, m.fs)
	m.resize()
	return m
}

// Close lets go of what the session holds in the server's registries (the drafts its forms
// are typing in); the server calls it when the session ends.
func (m *Model) Close() {
	for _, release := range m.fs.holds {
		release()
	}
}

// contextMsg carries the header's context: the township and the user's village or grid.
type contextMsg struct {
	township string
	scope    string
	phase    string // the campaign phase now, and its days left
	days     int
	err      error
}

// loadContext reads the names for the header.
func (m *Model) loadContext() tea.Cmd {
	c := m.c
	return func() tea.Msg {
		t, err := c.Store.Township(c.Ctx)
		if err != nil {
			return contextMsg{err: err}
		}
		scope := ""
		if c.Actor.Village != "" {
			vs, err := c.Store.Villages(c.Ctx, c.Actor)
			if err == nil && len(vs) == 1 {
				scope = vs[0].Name
			}
			if c.Actor.Grid != "" {
				gs, _ := c.Store.Grids(c.Ctx, c.Actor)
				for _, g := range gs {
					if g.Code == c.Actor.Grid {
						scope += " " + g.Name
					}
				}
			}
		}
		msg := contextMsg{township: t.Name, scope: scope}
		if cal, err := c.Store.Calendar(c.Ctx); err == nil {
			msg.phase, msg.days = cal.Current(c.Actor.Village, c.Today())
		}
		return msg
	}
}

// Init loads the header and the first pane's data. The other panes load when first shown:
// a township session that loaded all five up front held about 12 MiB, one that loads the pane
// it shows about 3 (docs/BENCHMARKS.md). A pane that keeps a form's draft checks for one
// now, so a form cut off by a dropped link still comes back at once.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.loadContext(), m.start(m.active)}
	for i, p := range m.panes {
		if d, ok := p.(interface{ hasDraft() bool }); ok && !m.started[i] {
			cmds = append(cmds, func() tea.Msg {
				if d.hasDraft() {
					return resumeMsg{pane: paneID(i)}
				}
				return nil
			})
		}
	}
	return tea.Batch(cmds...)
}

// resumeMsg asks the root to load a pane now: its user left an unsaved draft there.
type resumeMsg struct{ pane paneID }

// start loads pane i's data the first time it is needed.
func (m *Model) start(i paneID) tea.Cmd {
	if m.started[i] {
		return nil
	}
	m.started[i] = true
	return own(i, 0, m.panes[i].Init())
}

// show makes pane i the one on screen (closing the fact sheet), loading it if need be.
func (m *Model) show(i paneID) tea.Cmd {
	m.active = i
	m.fs.closeOwned(paneGlobal)
	if !m.started[i] {
		return m.start(i)
	}
	return m.catchUp(i)
}

// catchUp hands pane i the changes that came while it was hidden.
func (m *Model) catchUp(i paneID) tea.Cmd {
	if len(m.missed[i]) == 0 {
		return nil
	}
	msg := ChangedMsg{Changes: m.missed[i]}
	m.missed[i] = nil
	return tea.Batch(own(i, 0, m.panes[i].Update(msg)), m.syncAll())
}

// miss keeps changes for hidden pane i; past a few hundred it reads everything again instead,
// as the hub does for a slow session.
func (m *Model) miss(i paneID, changes []store.Change) {
	if len(m.missed[i])+len(changes) > 256 {
		m.missed[i] = append(m.missed[i][:0], store.Change{Kind: "all"})
		return
	}
	m.missed[i] = append(m.missed[i], changes...)
}

// refresh reads the header, every pane loaded so far and the fact sheet if open, again.
func (m *Model) refresh() tea.Cmd {
	cmds := []tea.Cmd{m.loadContext()}
	if m.fs.open(m.facts) {
		cmds = append(cmds, m.ownLayer(m.facts, m.facts.Init()))
	}
	for _, l := range m.fs.layers {
		if r, ok := l.comp.(interface{ reread() tea.Cmd }); ok {
			cmds = append(cmds, own(l.owner, l.id, r.reread()))
		}
	}
	for i, p := range m.panes {
		if m.started[i] {
			cmds = append(cmds, own(paneID(i), 0, p.Init()))
		}
	}
	return tea.Batch(cmds...)
}

// ownLayer addresses a component's command to its layer.
func (m *Model) ownLayer(c component, cmd tea.Cmd) tea.Cmd {
	if l := m.fs.find(c); l != nil {
		return own(l.owner, l.id, cmd)
	}
	return cmd
}

// bodyHeight is the lines between the header and the footer.
func (m *Model) bodyHeight() int { return max(m.height-2, 0) }

// resize hands the panes and the layers their share of the window: one line of header, one
// of footer.
func (m *Model) resize() {
	m.help.SetWidth(m.width)
	m.fs.resize(m.width, m.bodyHeight())
	m.layout()
}

// visible is the stack over pane p, bottom first: its own layers and the global ones.
func (m *Model) visible(p paneID) []*layer {
	var out []*layer
	for _, l := range m.fs.layers {
		if l.owner == p || l.owner == paneGlobal {
			out = append(out, l)
		}
	}
	return out
}

// tailsOver returns the tails drawn under the sheet at vis[i] (i = -1: the pane): the
// tailers above it, up to the next sheet.
func tailsOver(vis []*layer, i int) []*layer {
	var out []*layer
	for _, l := range vis[i+1:] {
		if _, ok := l.comp.(tailer); !ok {
			break
		}
		out = append(out, l)
	}
	return out
}

// tailHeight is the lines tails take with a rule above each.
func tailHeight(tails []*layer) int {
	n := 0
	for _, l := range tails {
		n += l.comp.(tailer).Lines() + 1
	}
	return n
}

// layout gives each pane and sheet the lines its open prompts leave it, telling a pane only
// when that changed.
func (m *Model) layout() {
	body := m.bodyHeight()
	order := make([]paneID, 0, paneCount)
	for i := range paneCount {
		if i != m.active {
			order = append(order, i)
		}
	}
	// The active pane last, so the global layers are sized for what is on screen.
	order = append(order, m.active)
	for _, id := range order {
		vis := m.visible(id)
		size := [2]int{m.width, max(body-tailHeight(tailsOver(vis, -1)), 0)}
		if size != m.sizes[id] {
			m.sizes[id] = size
			m.panes[id].SetSize(size[0], size[1])
		}
		for i, l := range vis {
			if _, ok := l.comp.(tailer); !ok {
				l.comp.SetSize(m.width, max(body-tailHeight(tailsOver(vis, i)), 0))
			}
		}
	}
}

// Update handles a message and then tells followers what the screen shows now.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch k := msg.(type) {
	case tea.KeyPressMsg:
		m.fs.log("recv", k.String())
	case tea.PasteMsg:
		m.fs.log("recv", fmt.Sprintf("paste %d", len(k.Content)))
	}
	if m.follow != "" {
		m.frameOK = false
		return m, m.followerUpdate(msg)
	}
	m.unseen = false
	cmd := m.update(msg)
	if !m.unseen {
		m.frameOK = false
	}
	m.layout()
	if m.presence != nil {
		for _, p := range m.panes {
			if pr, ok := p.(presenter); ok {
				v := pr.presence()
				v.Pane = m.active
				m.presence.publish(m.c.Actor.Name, v)
			}
		}
	}
	return m, cmd
}

// followerUpdate is Update for a follower: the presenter's view decides the pane and the
// selection; the follower's own keys only quit, show help or switch language.
func (m *Model) followerUpdate(msg tea.Msg) tea.Cmd {
	k := m.c.Keys
	switch msg := msg.(type) {
	case FollowMsg:
		m.online = msg.View.Online
		if !m.online {
			return nil
		}
		cmds := []tea.Cmd{m.show(msg.View.Pane)}
		for i, p := range m.panes {
			if pr, ok := p.(presenter); ok {
				cmds = append(cmds, m.start(paneID(i)), own(paneID(i), 0, pr.follow(msg.View)))
			}
		}
		m.layout()
		return tea.Batch(cmds...)
	case tea.KeyPressMsg:
		m.fs.status = statusMsg{}
		if m.showHelp {
			m.showHelp = false
			return nil
		}
		switch {
		case key.Matches(msg, k.Quit):
			return tea.Quit
		case key.Matches(msg, k.Help):
			m.showHelp = true
		case key.Matches(msg, k.Lang):
			return m.toggleLang()
		case key.Matches(msg, k.Lean):
			return m.toggleLean()
		default:
			m.fs.say(fmt.Sprintf(m.c.T("follow.readonly"), m.follow), false)
		}
		return nil
	case tea.PasteMsg:
		return nil
	}
	cmd := m.update(msg)
	m.layout()
	return cmd
}

// update routes messages: resizes and store changes to everyone, keys to the top of the
// focus stack (or the pane), and every command's result to the pane or component that
// asked for it. Keys that wait for their receiver are taken after each message.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
		return m.input(msg)
	case tea.WindowSizeMsg:
		m.width, m.height = min(msg.Width, maxDrawWidth), min(msg.Height, maxDrawHeight)
		m.resize()
		return nil
	case contextMsg:
		if msg.err == nil {
			m.township, m.context = msg.township, msg.scope
			m.phase, m.phaseDays = msg.phase, msg.days
		}
		return nil
	}
	cmd := m.message(msg)
	return tea.Batch(cmd, m.drain())
}

// message handles everything but input.
func (m *Model) message(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case routed:
		if rm, ok := msg.msg.(rootMsg); ok {
			return m.message(rm)
		}
		return m.deliver(msg)
	case statusMsg:
		m.fs.say(msg.text, msg.err)
		return nil
	case markConcernsMsg:
		// The overview proposes a lead project: the queue marks its concerns.
		start := m.show(paneQueue)
		m.fs.say(fmt.Sprintf(m.c.T("ov.marked"), len(msg.ids)), false)
		return tea.Batch(start, m.deliver(routed{pane: paneQueue, msg: msg}))
	case focusPaneMsg:
		return m.show(msg.pane)
	case resumeMsg:
		return m.start(msg.pane)
	case openVisitMsg:
		// The Visits pane shows now and opens the form (once its data is in: keys typed
		// meanwhile wait for it).
		return tea.Batch(m.show(paneVisits), m.deliver(routed{pane: paneVisits, msg: msg}))
	case showConcernMsg:
		// The queue hears first, so its first load (if this starts it) asks for the rows
		// around the concern.
		deliver := m.deliver(routed{pane: paneQueue, msg: msg})
		return tea.Batch(deliver, m.show(paneQueue))
	case revisitHouseholdMsg:
		return tea.Batch(m.show(paneRevisit), m.deliver(routed{pane: paneRevisit, msg: msg}))
	case ChangedMsg:
		var cmds []tea.Cmd
		if msg.touches("calendar", "village") {
			cmds = append(cmds, m.loadContext())
		}
		// Nothing drawn changes when no layer is open and no held key is let go (update's
		// drain): a pane only starts a load on a change, and what the load brings is drawn
		// when it comes. Drawing the same frame again as the load set out was half of what a
		// meeting's triage cost the sessions resting on the queue, checklist and overview.
		unseen := len(cmds) == 0 && len(m.fs.layers) == 0 && len(m.fs.held) == 0
		for i, p := range m.panes {
			if !m.started[i] {
				continue // it reads everything fresh when first shown
			}
			if paneID(i) != m.active {
				m.miss(paneID(i), msg.Changes)
				continue
			}
			cmds = append(cmds, own(paneID(i), 0, p.Update(msg)))
		}
		m.unseen = unseen
		for _, l := range slices.Clone(m.fs.layers) {
			if m.fs.find(l.comp) != nil {
				cmds = append(cmds, own(l.owner, l.id, l.comp.Update(msg)))
			}
		}
		return tea.Batch(append(cmds, m.syncAll())...)
	}
	// Anything else (the runtime's own reports) concerns no pane.
	return nil
}

// deliver hands a routed result to its component, or to its pane when the component has
// closed (a form put aside still gets its late replies), then brings the pane's pickers up
// to date.
func (m *Model) deliver(r routed) tea.Cmd {
	var cmd tea.Cmd
	if r.layer != 0 {
		if l := m.fs.byID(r.layer); l != nil {
			if t, ok := l.comp.(taker); ok && t.takes(r.msg) {
				cmd = own(l.owner, l.id, l.comp.Update(r.msg))
				return tea.Batch(cmd, m.syncAll())
			}
		}
	}
	if r.pane == paneGlobal {
		cmd = m.ownLayer(m.facts, m.facts.Update(r.msg))
	} else {
		cmd = own(r.pane, 0, m.panes[r.pane].Update(r.msg))
	}
	return tea.Batch(cmd, m.syncAll())
}

// syncAll brings every picker on the stack up to date with its pane's data.
func (m *Model) syncAll() tea.Cmd {
	var cmds []tea.Cmd
	for _, l := range slices.Clone(m.fs.layers) {
		if s, ok := l.comp.(syncer); ok && m.fs.find(l.comp) != nil {
			cmds = append(cmds, own(l.owner, l.id, s.sync()))
		}
	}
	return tea.Batch(cmds...)
}

// receiver is what takes the next key: the top layer over the active pane, else the pane.
func (m *Model) receiver() (*layer, Pane) {
	if l := m.fs.top(m.active); l != nil {
		return l, nil
	}
	return nil, m.panes[m.active]
}

// settling reports that the next key's receiver is mid-change.
func (m *Model) settling() bool {
	l, p := m.receiver()
	var s settler
	var ok bool
	if l != nil {
		s, ok = l.comp.(settler)
	} else {
		s, ok = p.(settler)
	}
	return ok && s.settling()
}

// blocked reports that held key h may not go to the top layer: it appeared after h was typed,
// because of a message (a conflict question), so h was meant for what lies beneath.
func (m *Model) blocked(h heldKey) bool {
	l := m.fs.top(m.active)
	return l != nil && l.async && l.id >= h.stamp
}

// input takes a key or a paste: it waits behind earlier keys, or while its receiver is
// mid-change, else it is handled now.
func (m *Model) input(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		// Over a laggy link an esc and the next key can arrive in one read, which the
		// terminal protocol cannot tell from alt+key. Nothing here is bound to alt, so such
		// a key is taken as what the person typed: esc, then the key — esc twice too (esc on
		// a card, esc on the finder under it).
		if k.Mod&tea.ModAlt != 0 {
			plain := k
			plain.Mod &^= tea.ModAlt
			return tea.Batch(m.input(tea.KeyPressMsg{Code: tea.KeyEscape}), m.input(plain))
		}
		if k.String() == "ctrl+c" {
			return m.quit()
		}
	}
	h := heldKey{msg: msg, stamp: m.fs.nextID}
	// A key typed after a question appeared answers it, whatever waits beneath.
	forTop, beneath := false, false
	if l := m.fs.top(m.active); l != nil && l.async {
		if q, ok := l.comp.(*question); ok && !q.answers(keyName(msg)) {
			// A question that came with a message (a conflict) can appear between two keys
			// of one burst: a key that does not answer it was typed for what lies beneath,
			// before the question was seen, so it waits beneath it, not eaten as a wrong
			// answer.
			h.stamp, beneath = l.id, true
		} else {
			forTop = len(m.fs.held) > 0 && m.blocked(m.fs.held[len(m.fs.held)-1])
		}
	}
	if beneath || (!forTop && len(m.fs.held) > 0) || m.settling() {
		m.fs.held = append(m.fs.held, h)
		m.fs.log("held", keyName(msg))
		return nil
	}
	cmd := m.key(msg)
	return tea.Batch(cmd, m.drain())
}

// drain hands the waiting keys, in order, to their receiver as long as it is not mid-change.
// Keys for what lies under a question wait until it is answered; keys typed after it
// appeared go to it.
func (m *Model) drain() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.fs.held) > 0 {
		if m.settling() {
			break
		}
		i := 0
		if m.blocked(m.fs.held[0]) {
			// Only keys typed after the question appeared may go to it.
			i = slices.IndexFunc(m.fs.held, func(h heldKey) bool { return !m.blocked(h) })
			if i < 0 {
				break
			}
		}
		h := m.fs.held[i]
		m.fs.held = slices.Delete(m.fs.held, i, i+1)
		cmds = append(cmds, m.key(h.msg))
		m.layout()
	}
	return tea.Batch(cmds...)
}

// isQuestion reports whether c is a question (its keys are answers, in the trace).
func isQuestion(c component) bool { _, ok := c.(*question); return ok }

// keyName is how the trace names a key or a paste.
func keyName(msg tea.Msg) string {
	switch k := msg.(type) {
	case tea.KeyPressMsg:
		return k.String()
	case tea.PasteMsg:
		return fmt.Sprintf("paste %d", len(k.Content))
	}
	return ""
}

// quit saves whatever is half typed, then ends the session.
func (m *Model) quit() tea.Cmd {
	var flush []tea.Cmd
	for i, p := range m.panes {
		if f, ok := p.(interface{ Flush() tea.Cmd }); ok {
			flush = append(flush, own(paneID(i), 0, f.Flush()))
		}
	}
	for _, l := range m.fs.layers {
		if f, ok := l.comp.(interface{ Flush() tea.Cmd }); ok {
			flush = append(flush, own(l.owner, l.id, f.Flush()))
		}
	}
	return tea.Sequence(append(flush, tea.Quit)...)
}

// key handles one key or paste now: help first, then the global keys unless the receiver
// takes every key, then the receiver.
func (m *Model) key(msg tea.Msg) tea.Cmd {
	if l, _ := m.receiver(); l != nil && isQuestion(l.comp) {
		m.fs.log("answer", keyName(msg))
	} else {
		m.fs.log("key", keyName(msg))
	}
	m.fs.inKey = true
	defer func() { m.fs.inKey = false }()
	km, isKey := msg.(tea.KeyPressMsg)
	if isKey {
		m.fs.status = statusMsg{}
		if m.showHelp {
			m.showHelp = false
			return nil
		}
	}
	l, p := m.receiver()
	capturing := false
	if l != nil {
		capturing = l.comp.Capturing()
	} else {
		capturing = p.Capturing()
	}
	if isKey && !capturing {
		if cmd, ok := m.global(km); ok {
			return cmd
		}
	}
	if l != nil {
		cmd := own(l.owner, l.id, l.comp.Update(msg))
		return tea.Batch(cmd, m.navigate(l.comp), m.syncAll())
	}
	cmd := own(m.active, 0, p.Update(msg))
	return tea.Batch(cmd, m.navigate(p), m.syncAll())
}

// navigate carries out, now, where the key just handled asked to go (see navigator).
func (m *Model) navigate(x any) tea.Cmd {
	if n, ok := x.(navigator); ok {
		if msg := n.navigation(); msg != nil {
			return m.message(msg)
		}
	}
	return nil
}

// searches reports whether what has the keyboard searches its own list with /.
func (m *Model) searches() bool {
	s, ok := m.front().(searcher)
	return ok && s.searches()
}

// openFinder opens the household finder over the pane; on a card opened from a finder, it
// goes back to that finder's list.
func (m *Model) openFinder() tea.Cmd {
	for _, l := range m.fs.layers {
		if f, ok := l.comp.(*finder); ok {
			f.back()
			return nil
		}
	}
	m.fs.push(paneGlobal, newFinder(m.c, m.fs))
	return nil
}

// global handles the keys that work everywhere: panes, help, quit, language, refresh and the
// fact sheet.
func (m *Model) global(km tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.c.Keys
	for i, d := range m.defs {
		if key.Matches(km, d.binding(k)) {
			return m.show(paneID(i)), true
		}
	}
	switch {
	case key.Matches(km, k.Quit):
		return m.quit(), true
	case key.Matches(km, k.Help):
		m.showHelp = true
		return nil, true
	case key.Matches(km, k.NextPane):
		return m.show((m.active + 1) % paneCount), true
	case key.Matches(km, k.PrevPane):
		return m.show((m.active + paneCount - 1) % paneCount), true
	case key.Matches(km, k.Find), key.Matches(km, k.Search) && !m.searches():
		return m.openFinder(), true
	case key.Matches(km, k.Facts) && !m.fs.open(m.facts):
		m.fs.push(paneGlobal, m.facts)
		return m.ownLayer(m.facts, m.facts.show()), true
	case key.Matches(km, k.Lang):
		return m.toggleLang(), true
	case key.Matches(km, k.Lean):
		return m.toggleLean(), true
	case key.Matches(km, k.Refresh):
		return m.refresh(), true
	}
	return nil, false
}

// toggleLang switches between Chinese and English, and remembers the choice for a
// registered user. Common is never changed in place (commands running now hold the old one):
// the session gets a new one, handed to every pane and layer.
func (m *Model) toggleLang() tea.Cmd {
	lang := "zh"
	if m.c.Lang == "zh" {
		lang = "en"
	}
	c := m.c.withLang(lang)
	m.setCommon(c)
	m.fs.say(c.T("lang.set"), false)
	return m.remember(func(c *Common) error { return c.Store.SetLang(c.Ctx, c.Actor, lang) })
}

// toggleLean switches the lean display for slow links, remembered like the language.
func (m *Model) toggleLean() tea.Cmd {
	on := !m.c.Styles.Lean
	n := *m.c
	n.Styles = views.NewStyles(m.c.Styles.ASCII, on)
	m.setCommon(&n)
	m.fs.say(n.T(map[bool]string{true: "lean.on", false: "lean.off"}[on]), false)
	return m.remember(func(c *Common) error { return c.Store.SetLean(c.Ctx, c.Actor, on) })
}

// setCommon hands the session a new Common: to every pane and layer.
func (m *Model) setCommon(c *Common) {
	m.c = c
	for _, p := range m.panes {
		if x, ok := p.(commoner); ok {
			x.setCommon(c)
		}
	}
	m.facts.setCommon(c)
	for _, l := range m.fs.layers {
		if x, ok := l.comp.(commoner); ok {
			x.setCommon(c)
		}
	}
}

// remember saves a setting of a registered user, in a command.
func (m *Model) remember(save func(c *Common) error) tea.Cmd {
	c := m.c
	if !c.Registered {
		return nil
	}
	return func() tea.Msg {
		if err := save(c); err != nil {
			return statusMsg{text: c.errText(err), err: true}
		}
		return nil
	}
}

// View draws the whole screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "sanbai"
	return v
}

func (m *Model) render() string {
	if !m.frameOK {
		m.frame, m.frameOK = m.draw(), true
	}
	return m.frame
}

// draw makes the frame.
func (m *Model) draw() string {
	w, h := m.width, m.height
	if w == 0 || h == 0 {
		return ""
	}
	if w < minWidth || h < minHeight {
		return views.Cut(fmt.Sprintf(m.c.T("toosmall"), minWidth, minHeight), w)
	}
	var b strings.Builder
	// About the last frame's size: growing the frame from nothing copied it ten times over.
	b.Grow(len(m.frame) + 2*w)
	b.WriteString(m.header())
	b.WriteByte('\n')
	var lines []string
	if m.showHelp {
		lines = strings.Split(m.helpView(h-2), "\n")
	} else {
		lines = m.body()
	}
	for i := 0; i < h-2; i++ {
		if i < len(lines) {
			b.WriteString(views.Pad(lines[i], w))
		}
		b.WriteByte('\n')
	}
	b.WriteString(m.footer())
	return b.String()
}

// front is what has the keyboard: the top layer over the active pane, else the pane.
func (m *Model) front() interface {
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	Capturing() bool
} {
	l, p := m.receiver()
	if l != nil {
		return l.comp
	}
	return p
}

// body draws the active pane, or the topmost sheet over it, with the tails over that (a
// prompt, a picker, a question), each under a rule.
func (m *Model) body() []string {
	vis := m.visible(m.active)
	base := -1
	for i, l := range vis {
		if _, ok := l.comp.(tailer); !ok {
			base = i
		}
	}
	var view string
	if base < 0 {
		view = m.panes[m.active].View()
	} else {
		view = vis[base].comp.View()
	}
	tails := tailsOver(vis, base)
	keep := max(m.bodyHeight()-tailHeight(tails), 0)
	lines := strings.Split(view, "\n")
	if len(lines) > keep {
		lines = lines[:keep]
	}
	for len(lines) < keep {
		lines = append(lines, "")
	}
	for _, t := range tails {
		// One rule between the body and a tail: a body that ends with its own keeps it.
		if n := len(lines); n == 0 || !isRule(lines[n-1]) {
			lines = append(lines, m.c.Styles.HRule(m.width))
		} else {
			lines = append(lines[:n-1], "", m.c.Styles.HRule(m.width))
		}
		lines = append(lines, fitLines(t.comp.View(), t.comp.(tailer).Lines())...)
	}
	return lines
}

// isRule reports whether a drawn line is a horizontal rule.
func isRule(line string) bool {
	s := strings.TrimSpace(ansi.Strip(line))
	return s != "" && strings.Trim(s, "─-") == ""
}

// fitLines cuts or pads a view to exactly n lines.
func fitLines(view string, n int) []string {
	lines := strings.Split(view, "\n")
	if len(lines) > n {
		return lines[:n]
	}
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

// header draws the pane bar and the user's context: township or village, user (role), date.
func (m *Model) header() string {
	st := m.c.Styles
	var bar strings.Builder
	for i := range m.panes {
		// Five panes and the context share 80 columns: one space between labels, the
		// active one in brackets (and reverse video), so it shows without colour too.
		label := fmt.Sprintf("%d %s", i+1, m.c.T(fmt.Sprintf("pane.%d", i+1)))
		if paneID(i) == m.active {
			if i > 0 {
				bar.WriteString(" ")
			}
			bar.WriteString(st.PaneActive.Render("[" + label + "]"))
		} else {
			bar.WriteString(st.PaneInactive.Render(" " + label))
		}
	}
	place := m.township
	if m.context != "" {
		place = m.context
	}
	who := clean.Line(m.c.Actor.Name)
	if m.c.Demo && !m.c.Registered {
		who = m.c.T("demo.user")
	}
	if m.follow != "" {
		state := m.c.T("follow.offline")
		if m.online {
			state = ""
		}
		place = fmt.Sprintf(m.c.T("follow.header"), clean.Line(m.follow)) + state
	}
	role := m.c.T("role." + string(m.c.Actor.Role))
	date := shortDate(m.c.Today())
	phase := ""
	if m.phase != "" {
		phase = fmt.Sprintf(m.c.T("ph.header"), m.c.T("phs."+m.phase), m.phaseDays)
	}
	left := bar.String()
	room := max(m.width-views.Width(left)-1, 0)
	// The context gives way when the window is narrow: the date goes first (the user's own
	// machine shows it), then the phase, then the place; who is logged in stays longest.
	user := fmt.Sprintf("%s(%s)", who, role)
	var ctx string
	for _, parts := range [][]string{{place, user, phase, date}, {place, user, phase}, {place, user}, {user}} {
		var keep []string
		for _, p := range parts {
			if p != "" {
				keep = append(keep, p)
			}
		}
		ctx = strings.Join(keep, " · ")
		if m.c.Demo {
			ctx = st.Banner.Render("["+m.c.T("demo")+"]") + " " + ctx
		}
		if views.Width(ctx) <= room {
			break
		}
	}
	ctx = views.Cut(ctx, room)
	gap := max(m.width-views.Width(left)-views.Width(ctx), 0)
	return views.Cut(left+strings.Repeat(" ", gap)+st.Context.Render(ctx), m.width)
}

// footer shows a recent status message, or the focused pane's key hints.
func (m *Model) footer() string {
	st := m.c.Styles
	if status := m.fs.status; status.text != "" {
		s := st.OK
		if status.err {
			s = st.Error
		}
		return s.Render(views.Cut(status.text, m.width))
	}
	render := func(bs []key.Binding) []string {
		var out []string
		for _, b := range bs {
			if h := b.Help(); h.Key != "" {
				out = append(out, st.HelpKey.Render(h.Key)+" "+st.HelpDesc.Render(h.Desc))
			}
		}
		return out
	}
	parts := render(m.front().ShortHelp())
	var tail []string
	if !m.front().Capturing() {
		// While a field has the keyboard, ? and q are typed, not commands.
		tail = render([]key.Binding{m.c.Keys.Help, m.c.Keys.Quit})
	}
	// Keys that do not fit are left to the full help (?), whole: the line never ends in a
	// word cut short, and always with ? and q.
	for len(parts) > 1 && views.Width(strings.Join(append(slices.Clone(parts), tail...), "  ")) > m.width {
		parts = parts[:len(parts)-1]
	}
	return views.Cut(strings.Join(append(parts, tail...), "  "), m.width)
}

// helpView renders the full help of the focused pane and the global keys: each group of keys
// is a column, and columns wrap onto further rows when the window is narrow.
func (m *Model) helpView(h int) string {
	k := m.c.Keys
	groups := append(m.front().FullHelp(),
		[]key.Binding{k.Pane1, k.Pane2, k.Pane3, k.Pane4, k.Pane5, k.NextPane, k.PrevPane},
		[]key.Binding{k.Find, k.Facts, k.Help, k.Lang, k.Lean, k.Refresh, k.Quit})
	lines := []string{m.c.Styles.Title.Render(m.c.T("help.title")), ""}
	var row []string
	rowWidth := 0
	flush := func() {
		if len(row) == 0 {
			return
		}
		block := lipgloss.JoinHorizontal(lipgloss.Top, row...)
		lines = append(lines, strings.Split(block, "\n")...)
		lines = append(lines, "")
		row, rowWidth = nil, 0
	}
	for _, g := range groups {
		col := m.help.FullHelpView([][]key.Binding{g})
		w := lipgloss.Width(col) + 3
		if rowWidth+w > m.width && len(row) > 0 {
			flush()
		}
		row = append(row, lipgloss.NewStyle().PaddingRight(3).Render(col))
		rowWidth += w
	}
	flush()
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}
