package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/store"
	"sanbai/views"
)

// concernSheet is the detail of the concern under the queue's cursor (enter): what, where,
// the plan, the clocks and the whole history. It takes the list's keys too — moving shows the
// next concern, triage keys act on the one shown — and esc or enter closes it.
type concernSheet struct {
	sized
	q *queue
	// hist is the history of the concern shown. The ledger view keeps only a summary of each
	// concern's moves (store.Concern.Lean), so the sheet reads the concern from the store
	// when it shows another one, or a new revision of it.
	hist sheetHistory
}

// sheetHistory is the moves of one revision of a concern, once read.
type sheetHistory struct {
	id    string
	rev   int
	moves []store.Move
	ready bool
	err   error
}

// historyMsg is the moves of a concern read for its history.
type historyMsg struct {
	id    string
	rev   int
	moves []store.Move
	err   error
}

func (s *concernSheet) settling() bool { return s.q.settling() }

// sync reads the history of the concern shown when it is not the one read last.
func (s *concernSheet) sync() tea.Cmd {
	c, ok := s.q.current()
	if !ok || (s.hist.id == c.ID && s.hist.rev == c.Rev) {
		return nil
	}
	s.hist = sheetHistory{id: c.ID, rev: c.Rev}
	cc, id, rev := s.q.c, c.ID, c.Rev
	return func() tea.Msg {
		got, err := cc.Store.Concern(cc.Ctx, cc.Actor, id)
		return historyMsg{id: id, rev: rev, moves: got.Moves, err: err}
	}
}

func (s *concernSheet) takes(msg tea.Msg) bool {
	_, ok := msg.(historyMsg)
	return ok
}

func (s *concernSheet) Update(msg tea.Msg) tea.Cmd {
	if h, ok := msg.(historyMsg); ok {
		// A read for a concern or revision no longer shown is dropped: sync has asked again.
		if h.id == s.hist.id && h.rev == s.hist.rev {
			s.hist.moves, s.hist.err, s.hist.ready = h.moves, h.err, true
		}
		return nil
	}
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if key.Matches(km, s.q.c.Keys.Back, s.q.c.Keys.Open) {
		s.q.fs.close(s)
		return nil
	}
	return s.q.listKey(km)
}

// searches: / searches the ledger, as on the list.
func (s *concernSheet) searches() bool { return true }

func (s *concernSheet) View() string {
	c, ok := s.q.current()
	if s.q.settling() && s.q.selected != "" && c.ID != s.q.selected {
		// Asked to show a concern whose row is not in yet (from a household card).
		return " " + s.q.c.T("loading")
	}
	if ok {
		return s.q.detailView(c, s.history(c), s.w, s.h)
	}
	return " " + s.q.c.T("empty")
}

// history is the history lines of c: its moves once read, else a line saying they are on the
// way (or why they are not).
func (s *concernSheet) history(c store.Concern) []string {
	switch {
	case s.hist.id != c.ID || s.hist.rev != c.Rev || !s.hist.ready:
		return []string{"…"}
	case s.hist.err != nil:
		return []string{s.q.c.errText(s.hist.err)}
	}
	out := make([]string, len(s.hist.moves))
	for i, mv := range s.hist.moves {
		out[i] = s.q.c.historyLine(mv)
	}
	return out
}

func (s *concernSheet) ShortHelp() []key.Binding {
	k := s.q.c.Keys
	return []key.Binding{k.Back, k.Up, k.Down, k.TagRed, k.TagYellow, k.TagGreen, k.Owner, k.Deadline, k.Escalate, k.Resolve, k.Undo}
}

func (s *concernSheet) FullHelp() [][]key.Binding { return s.q.FullHelp() }

// projectSheet lists the lead projects with their concerns' progress (P with fewer than two
// rows marked); x resolves the one under the cursor.
type projectSheet struct {
	sized
	q   *queue
	cur views.Cursor
}

func (s *projectSheet) Update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	q, k := s.q, s.q.c.Keys
	if moveKeys(k, km, &s.cur, max(s.h-2, 1)) {
		return nil
	}
	switch {
	case key.Matches(km, k.Back, k.Project):
		q.fs.close(s)
	case key.Matches(km, k.Resolve):
		if q.c.Actor.Role == store.RoleInspector {
			q.fs.say(q.c.T("err.readonly"), true)
			return nil
		}
		if s.cur.Pos >= len(q.projects) {
			return nil
		}
		id := q.projects[s.cur.Pos].ID
		q.fs.push(paneQueue, askFor(q.c, q.fs, q.c.T("q.ask.resolve"), "", nil, func(val string) (tea.Cmd, string) {
			if strings.TrimSpace(val) == "" {
				return nil, q.c.T("q.need.text")
			}
			c := q.c
			return func() tea.Msg {
				p, err := c.Store.ResolveProject(c.Ctx, c.Actor, id, val)
				if err != nil {
					return statusMsg{text: c.errText(err), err: true}
				}
				return statusMsg{text: fmt.Sprintf(c.T("q.project.done"), p.ID)}
			}, ""
		}))
	}
	return nil
}

func (s *projectSheet) View() string { return s.q.projectView(s.cur.Pos, s.w, s.h) }

func (s *projectSheet) ShortHelp() []key.Binding {
	k := s.q.c.Keys
	return []key.Binding{k.Up, k.Down, k.Resolve, k.Back}
}

func (s *projectSheet) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }
