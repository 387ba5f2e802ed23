// Package tui is the Bubble Tea interface: one program per SSH session, a root model that
// routes messages, and one model per pane (routes, visits, queue, revisit).
package tui

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/keys"
	"sanbai/query"
	"sanbai/store"
	"sanbai/views"
)

// Common is what every pane of one session shares: the store, who is using it, the language,
// the theme and the key map. It is built per session and never global, and never changed once
// built: commands read it on their own goroutines, so a new language is a new Common
// (withLang) handed to the panes.
type Common struct {
	// Ctx is the session's context: every store call a command makes takes it, so the loads
	// of a session that has ended stop instead of running on.
	Ctx   context.Context
	Store store.Engine
	// Ledger is the server's one shared ledger view, which the queue and the loads ask for
	// concerns instead of each decoding every one itself.
	Ledger *query.Ledger
	// Finder is the server's one household finder (the household card's search).
	Finder *query.Finder
	// Shared keeps the panes' read models one per scope and store version for the whole
	// server (NewShared), so sessions of one scope share one copy, built once per change.
	Shared *query.Shared
	Actor  store.Actor
	Lang   string // "zh" or "en"
	Styles views.Styles
	Keys   *keys.KeyMap
	// Demo marks a demo session (anyone admitted as a township user).
	Demo bool
	// Registered is true when the user came from the store (so settings can be saved).
	Registered bool
	// Presence is the server's registry of live sessions: which drafts they are typing in.
	Presence *Presence
}

// withLang is a copy of c in another language, with that language's key help.
func (c *Common) withLang(lang string) *Common {
	n := *c
	n.Lang, n.Keys = lang, keys.New(lang)
	return &n
}

// T returns the text for key in the session's language.
func (c *Common) T(key string) string { return tr(c.Lang, key) }

// Today is the store's date, YYYY-MM-DD.
func (c *Common) Today() string { return c.Store.Today() }

// Pane is a numbered pane: a component (one contract for panes and the layers over them)
// that loads its own data. The root hands it keys when nothing is open over it, the results
// of its own commands, store changes and its size.
type Pane interface {
	component
	// Init returns the command that loads the pane's data.
	Init() tea.Cmd
}

// ChangedMsg carries change events from the store's hub into a session.
type ChangedMsg struct{ Changes []store.Change }

// touches reports whether any change is of one of the kinds (or "all").
func (m ChangedMsg) touches(kinds ...string) bool {
	for _, c := range m.Changes {
		if c.Kind == "all" {
			return true
		}
		for _, k := range kinds {
			if c.Kind == k {
				return true
			}
		}
	}
	return false
}

// statusMsg shows a short message in the footer.
type statusMsg struct {
	text string
	err  bool
}

// errText turns an error into a message in the user's language, never a stack trace.
func (c *Common) errText(err error) string { return c.storeWords(err) }

// shortDate turns YYYY-MM-DD into MM-DD.
func shortDate(d string) string {
	if len(d) == 10 {
		return d[5:]
	}
	return d
}

// daysBetween counts days from a to b (both YYYY-MM-DD); 0 when either is malformed.
func daysBetween(a, b string) int {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// shortGrid shortens a grid name for tight columns: "后塘网格" → "后塘"; "1网格" stays.
func shortGrid(name string) string {
	base := strings.TrimSuffix(name, "网格")
	if base == "" || strings.Trim(base, "0123456789") == "" {
		return name
	}
	return base
}

// moveKeys moves a list cursor for the list keys (up, down, page, top, bottom) and reports
// whether the key was one of them; h is the number of rows the list shows.
func moveKeys(k *keys.KeyMap, msg tea.KeyPressMsg, c *views.Cursor, h int) bool {
	switch {
	case key.Matches(msg, k.Up):
		c.Move(-1, h)
	case key.Matches(msg, k.Down):
		c.Move(1, h)
	case key.Matches(msg, k.PageUp):
		c.Move(-h, h)
	case key.Matches(msg, k.PageDown):
		c.Move(h, h)
	case key.Matches(msg, k.Top):
		c.Move(-c.N, h)
	case key.Matches(msg, k.Bottom):
		c.Move(c.N, h)
	default:
		return false
	}
	return true
}

// scrollTo shows h of a form's lines, scrolled so that line at is on screen (half way down
// once the form is taller than the window).
func scrollTo(lines []string, at, h int) string {
	from := 0
	if at >= h-2 {
		from = at - h/2
	}
	from = max(0, min(from, len(lines)-h))
	return strings.Join(lines[from:min(len(lines), from+h)], "\n")
}

// reloader keeps a pane to one data load at a time: changes that arrive while a load is
// running ask for one more load when it is done, instead of starting another. A session whose
// link has stalled therefore holds at most one load per pane, however many changes it misses.
type reloader struct{ busy, again bool }

// want starts load unless one is running, in which case it asks for another afterwards.
func (r *reloader) want(load func() tea.Cmd) tea.Cmd {
	if r.busy {
		r.again = true
		return nil
	}
	r.busy = true
	return load()
}

// done marks the running load finished and starts the one asked for meanwhile, if any.
func (r *reloader) done(load func() tea.Cmd) tea.Cmd {
	r.busy = false
	if r.again {
		r.again = false
		return r.want(load)
	}
	return nil
}

// newDraftID names a new form's draft (store.SaveDraft): each form of each session has its
// own, so two sessions of one person never write over each other's draft.
func newDraftID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// draftFinder finds the draft a form comes back to, read into v, and the ID the form goes on
// saving it under; false when there is none.
type draftFinder func(kind store.DraftKind, v any) (string, bool)

// drafts finds this session's user's newest draft of a kind that no live session of theirs
// is typing in: two sessions of one person never write over each other's draft. (A draft
// whose session lost its link is free again as soon as the server notices; the pane looks
// again for a while after login, see draftRecheck.)
func (c *Common) drafts() draftFinder {
	return func(kind store.DraftKind, v any) (string, bool) {
		ds, err := c.Store.Drafts(c.Ctx, c.Actor, kind)
		if err != nil {
			return "", false
		}
		for _, d := range ds {
			if !c.Presence.holding(c.Actor.Name, kind, d.ID) && d.Decode(v) == nil {
				return d.ID, true
			}
		}
		return "", false
	}
}

// hasDrafts reports whether the user left a draft of a kind of form (held open by another
// session or not).
func (c *Common) hasDrafts(kind store.DraftKind) bool {
	ds, err := c.Store.Drafts(c.Ctx, c.Actor, kind)
	return err == nil && len(ds) > 0
}

// draftRecheck asks a pane, a little after login, to look again for a draft that was held by
// a session the server had not yet seen end (a dropped link): tries counts down the looks.
type draftRecheck struct{ tries int }

// recheckDrafts looks again in two seconds.
func recheckDrafts(tries int) tea.Cmd {
	return tea.Tick(2*time.Second, func(time.Time) tea.Msg { return draftRecheck{tries: tries} })
}

// drafts keeps a form's draft saved as it is typed: changed starts a pause, a tick that finds
// no newer change saves, and an older save never lands after a newer one (saves run on their
// own goroutines). Each form has its own; ticks and replies name it, so a form never takes
// another's (a form put aside still gets its late replies).
type drafts struct {
	seq   int
	saved time.Time // when the last save landed, for the form's title
	w     *draftWriter
}

// draftWriter orders a form's draft saves.
type draftWriter struct {
	mu   sync.Mutex
	last int
}

func newDrafts() *drafts { return &drafts{w: &draftWriter{}} }

// draftTick fires after typing pauses; the draft is saved if nothing changed since.
type draftTick struct {
	d   *drafts
	seq int
}

// draftSaved reports a draft save.
type draftSaved struct {
	d   *drafts
	at  time.Time
	err error
}

// changed schedules a save for when typing pauses.
func (d *drafts) changed() tea.Cmd {
	d.seq++
	seq := d.seq
	return tea.Tick(400*time.Millisecond, func(time.Time) tea.Msg { return draftTick{d: d, seq: seq} })
}

// save runs write (which stores a copy of the form taken by the caller) unless a newer save
// already ran.
func (d *drafts) save(now func() time.Time, write func() error) tea.Cmd {
	w, seq := d.w, d.seq
	return func() tea.Msg {
		w.mu.Lock()
		defer w.mu.Unlock()
		if seq < w.last {
			return nil
		}
		w.last = seq
		err := write()
		return draftSaved{d: d, at: now(), err: err}
	}
}

// note is the form title's "draft saved at" mark, muted; empty before the first save.
func (d *drafts) note(c *Common) string {
	if d.saved.IsZero() {
		return ""
	}
	return c.Styles.Muted.Render(fmt.Sprintf(c.T("vf.saved"), d.saved.Format("15:04:05")))
}

// take handles the drafts' own messages: mine says msg was one of this form's, due that the
// pause is over and the form should save now.
func (d *drafts) take(msg tea.Msg) (mine, due bool) {
	switch m := msg.(type) {
	case draftTick:
		return m.d == d, m.d == d && m.seq == d.seq
	case draftSaved:
		if m.d != d {
			return false, false
		}
		if m.err == nil {
			d.saved = m.at
		}
		return true, false
	}
	return false, false
}

// window is list[from:to] cut to the list: the rows a table draws, as only the rows on screen
// are built (a county's lists run to tens of thousands, and every frame built them all).
func window[T any](list []T, from, to int) []T {
	to = min(to, len(list))
	return list[min(from, to):to]
}
