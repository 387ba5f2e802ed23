package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"sanbai/clean"
	"sanbai/keys"
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
	Store *store.Store
	User  store.User
	// Demo admits the session as a township demo user.
	Demo bool
	// Registered is true when User comes from the store.
	Registered bool
	// Lang is the starting language ("zh" or "en").
	Lang string
	// ASCII draws rules and bars in plain ASCII.
	ASCII bool
	// Width and Height are the initial window size, if known.
	Width, Height int
	// Presence is the server's registry of what each user shows, for follow mode.
	Presence *Presence
	// Follow names the user whose screen this session follows, read-only; empty for a
	// normal session.
	Follow string
}

// Model is the root model of one session: header, pane bar, the focused pane and the footer.
type Model struct {
	c      *Common
	panes  [5]Pane
	facts  *factSheet // the village fact sheet, over the active pane while open
	active int
	// started marks the panes whose data has been asked for: a pane loads when first shown,
	// so an idle session holds only what it shows (see Init).
	started  [5]bool
	showHelp bool
	help     help.Model
	width    int
	height   int
	township string
	context  string
	status   statusMsg
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
	c := &Common{
		Store:      o.Store,
		Actor:      store.ActorFor(o.User),
		Lang:       lang,
		Styles:     views.NewStyles(o.ASCII),
		Keys:       keys.New(lang),
		Demo:       o.Demo,
		Registered: o.Registered,
	}
	m := &Model{c: c, help: help.New(), width: min(o.Width, maxDrawWidth), height: min(o.Height, maxDrawHeight), presence: o.Presence, follow: o.Follow}
	m.panes = [5]Pane{newRoutes(c), newVisits(c), newQueue(c), newRevisit(c), newOverview(c)}
	m.facts = newFactSheet(c)
	m.resize()
	return m
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
		t, err := c.Store.Township()
		if err != nil {
			return contextMsg{err: err}
		}
		scope := ""
		if c.Actor.Village != "" {
			vs, err := c.Store.Villages(c.Actor)
			if err == nil && len(vs) == 1 {
				scope = vs[0].Name
			}
			if c.Actor.Grid != "" {
				gs, _ := c.Store.Grids(c.Actor)
				for _, g := range gs {
					if g.Code == c.Actor.Grid {
						scope += " " + g.Name
					}
				}
			}
		}
		msg := contextMsg{township: t.Name, scope: scope}
		if cal, err := c.Store.Calendar(); err == nil {
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
					return resumeMsg{pane: i}
				}
				return nil
			})
		}
	}
	return tea.Batch(cmds...)
}

// resumeMsg asks the root to load a pane now: its user left an unsaved draft there.
type resumeMsg struct{ pane int }

// start loads pane i's data the first time it is needed.
func (m *Model) start(i int) tea.Cmd {
	if m.started[i] {
		return nil
	}
	m.started[i] = true
	return m.panes[i].Init()
}

// show makes pane i the one on screen (closing the fact sheet), loading it if need be.
func (m *Model) show(i int) tea.Cmd {
	m.active, m.facts.open = i, false
	return m.start(i)
}

// refresh reads the header, every pane loaded so far and the fact sheet if open, again.
func (m *Model) refresh() tea.Cmd {
	cmds := []tea.Cmd{m.loadContext(), m.facts.Init()}
	for i, p := range m.panes {
		if m.started[i] {
			cmds = append(cmds, p.Init())
		}
	}
	return tea.Batch(cmds...)
}

// resize hands every pane its share of the window: one line of header, one of footer.
func (m *Model) resize() {
	w, h := m.width, m.height
	m.help.SetWidth(w)
	for _, p := range m.panes {
		p.SetSize(w, max(h-2, 0))
	}
	m.facts.SetSize(w, max(h-2, 0))
}

// front is what has the keyboard and the body: the fact sheet while open, else the pane.
func (m *Model) front() Pane {
	if m.facts.open {
		return m.facts
	}
	return m.panes[m.active]
}

// setStatus shows a message in the footer until the next key.
func (m *Model) setStatus(s statusMsg) { m.status = s }

// Update handles a message and then tells followers what the screen shows now.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.follow != "" {
		return m, m.followerUpdate(msg)
	}
	_, cmd := m.update(msg)
	if m.presence != nil {
		q := m.panes[2].(*queue)
		m.presence.publish(m.c.Actor.Name, View{Online: true, Pane: m.active, Selected: q.selected,
			Filter: q.f, Meeting: q.meeting, Detail: q.detail})
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
		if m.online {
			return tea.Batch(m.show(msg.View.Pane), m.start(2), m.panes[2].(*queue).follow(msg.View))
		}
		return nil
	case tea.KeyPressMsg:
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
		default:
			m.setStatus(statusMsg{text: fmt.Sprintf(m.c.T("follow.readonly"), m.follow)})
		}
		return nil
	}
	_, cmd := m.update(msg)
	return cmd
}

// update routes messages: resizes to all panes, keys to the focused one (after the global
// keys, unless it is capturing text), data and change messages to all.
func (m *Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k := m.c.Keys
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = min(msg.Width, maxDrawWidth), min(msg.Height, maxDrawHeight)
		m.resize()
		return m, nil
	case contextMsg:
		if msg.err == nil {
			m.township, m.context = msg.township, msg.scope
			m.phase, m.phaseDays = msg.phase, msg.days
		}
		return m, nil
	case markConcernsMsg:
		start := m.show(2)
		cmd := m.panes[2].(*queue).markOnly(msg.ids)
		m.setStatus(statusMsg{text: fmt.Sprintf(m.c.T("ov.marked"), len(msg.ids))})
		return m, tea.Batch(start, cmd)
	case statusMsg:
		m.setStatus(msg)
		return m, nil
	case focusPaneMsg:
		return m, m.show(msg.pane)
	case resumeMsg:
		return m, m.start(msg.pane)
	case openVisitMsg:
		// The Visits pane opens the form once its data is in.
		return m, tea.Batch(m.start(1), m.panes[1].Update(msg))
	case tea.KeyPressMsg:
		// Over a laggy link an esc and the next key can arrive in one read, which the
		// terminal protocol cannot tell from alt+key. Nothing here is bound to alt, so such
		// a key is taken as what the person typed: esc, then the key.
		if msg.Mod&tea.ModAlt != 0 && msg.Code != tea.KeyEscape {
			_, c1 := m.update(tea.KeyPressMsg{Code: tea.KeyEscape})
			plain := msg
			plain.Mod &^= tea.ModAlt
			_, c2 := m.update(plain)
			return m, tea.Batch(c1, c2)
		}
		m.status = statusMsg{}
		if m.showHelp {
			m.showHelp = false
			return m, nil
		}
		p := m.front()
		if msg.String() == "ctrl+c" {
			// Whatever is half typed is saved before the session ends.
			var flush []tea.Cmd
			for _, pane := range append(m.panes[:], m.facts) {
				if f, ok := pane.(interface{ Flush() tea.Cmd }); ok {
					flush = append(flush, f.Flush())
				}
			}
			return m, tea.Sequence(append(flush, tea.Quit)...)
		}
		if p.Capturing() {
			return m, p.Update(msg)
		}
		for i, b := range []key.Binding{k.Pane1, k.Pane2, k.Pane3, k.Pane4, k.Pane5} {
			if key.Matches(msg, b) {
				return m, m.show(i)
			}
		}
		switch {
		case key.Matches(msg, k.Quit):
			return m, tea.Quit
		case key.Matches(msg, k.Help):
			m.showHelp = true
			return m, nil
		case key.Matches(msg, k.NextPane):
			return m, m.show((m.active + 1) % len(m.panes))
		case key.Matches(msg, k.PrevPane):
			return m, m.show((m.active + len(m.panes) - 1) % len(m.panes))
		case key.Matches(msg, k.Facts) && !m.facts.open:
			return m, m.facts.show()
		case key.Matches(msg, k.Lang):
			return m, m.toggleLang()
		case key.Matches(msg, k.Refresh):
			return m, m.refresh()
		}
		return m, p.Update(msg)
	case tea.PasteMsg:
		return m, m.front().Update(msg)
	}
	var cmds []tea.Cmd
	if ch, ok := msg.(ChangedMsg); ok && ch.touches("calendar", "village") {
		cmds = append(cmds, m.loadContext())
	}
	_, changed := msg.(ChangedMsg)
	for i, p := range m.panes {
		if changed && !m.started[i] {
			continue // it reads everything fresh when first shown
		}
		cmds = append(cmds, p.Update(msg))
	}
	cmds = append(cmds, m.facts.Update(msg))
	return m, tea.Batch(cmds...)
}

// toggleLang switches between Chinese and English, and remembers the choice for a
// registered user.
func (m *Model) toggleLang() tea.Cmd {
	if m.c.Lang == "zh" {
		m.c.Lang = "en"
	} else {
		m.c.Lang = "zh"
	}
	m.c.Keys = keys.New(m.c.Lang)
	m.setStatus(statusMsg{text: m.c.T("lang.set")})
	if !m.c.Registered {
		return nil
	}
	c, lang := m.c, m.c.Lang
	return func() tea.Msg {
		if err := c.Store.SetLang(c.Actor, lang); err != nil {
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
	w, h := m.width, m.height
	if w == 0 || h == 0 {
		return ""
	}
	if w < minWidth || h < minHeight {
		return views.Cut(fmt.Sprintf(m.c.T("toosmall"), minWidth, minHeight), w)
	}
	var b strings.Builder
	b.WriteString(m.header())
	b.WriteByte('\n')
	var body string
	if m.showHelp {
		body = m.helpView(h - 2)
	} else {
		body = m.front().View()
	}
	lines := strings.Split(body, "\n")
	for i := 0; i < h-2; i++ {
		if i < len(lines) {
			b.WriteString(views.Pad(lines[i], w))
		}
		b.WriteByte('\n')
	}
	b.WriteString(m.footer())
	return b.String()
}

// header draws the pane bar and the user's context: township or village, user (role), date.
func (m *Model) header() string {
	st := m.c.Styles
	var bar strings.Builder
	for i := range m.panes {
		// Five panes and the context share 80 columns: one space between labels, the
		// active one in brackets (and reverse video), so it shows without colour too.
		label := fmt.Sprintf("%d %s", i+1, m.c.T(fmt.Sprintf("pane.%d", i+1)))
		if i == m.active {
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
	if m.status.text != "" {
		s := st.OK
		if m.status.err {
			s = st.Error
		}
		return s.Render(views.Cut(m.status.text, m.width))
	}
	bindings := m.front().ShortHelp()
	if !m.front().Capturing() {
		// While a field has the keyboard, ? and q are typed, not commands.
		bindings = append(bindings, m.c.Keys.Help, m.c.Keys.Quit)
	}
	var parts []string
	for _, b := range bindings {
		h := b.Help()
		if h.Key == "" {
			continue
		}
		parts = append(parts, st.HelpKey.Render(h.Key)+" "+st.HelpDesc.Render(h.Desc))
	}
	return views.Cut(strings.Join(parts, "  "), m.width)
}

// helpView renders the full help of the focused pane and the global keys: each group of keys
// is a column, and columns wrap onto further rows when the window is narrow.
func (m *Model) helpView(h int) string {
	k := m.c.Keys
	groups := append(m.front().FullHelp(),
		[]key.Binding{k.Pane1, k.Pane2, k.Pane3, k.Pane4, k.Pane5, k.NextPane, k.PrevPane},
		[]key.Binding{k.Facts, k.Help, k.Lang, k.Refresh, k.Quit})
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
