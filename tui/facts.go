package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"sanbai/clean"
	"sanbai/ledgerio"
	"sanbai/store"
	"sanbai/views"
)

// factSheet is the village fact sheet (明白纸), opened from any pane with i: the page every
// member of a village's team carries to the doors, readable by all of them (grid users
// included) and edited by the village's users and the township. It follows the Pane contract
// but is not one of the numbered panes: it lies over whichever pane is open.
type factSheet struct {
	c        *Common
	fs       *focus
	reload   reloader
	villages []store.Village
	village  string
	facts    store.VillageFacts
	loaded   bool
	err      error
	// page is the sheet's text wrapped to the window, made when the sheet or the width
	// changes; top.Pos is its first line on screen (top.N the lines it can start at).
	page []string
	top  views.Cursor
	w, h int
	form *factForm
	// resume asks the next load to bring back the user's draft (the sheet was just opened).
	resume bool
}

type factsLoaded struct {
	villages []store.Village
	village  string
	facts    store.VillageFacts
	draft    *store.FactSheetDraft
	err      error
}

type factSaved struct {
	sheet store.FactSheet
	err   error
}

func newFactSheet(c *Common, fs *focus) *factSheet { return &factSheet{c: c, fs: fs} }

// takes: the sheet's own results come to it (it is its own pane).
func (f *factSheet) takes(tea.Msg) bool { return true }

func (f *factSheet) setCommon(c *Common) {
	f.c = c
	if f.form != nil {
		f.form.c = c
	}
}

// Init reads the sheet again while it is open (ctrl+r); closed, it is read when opened.
func (f *factSheet) Init() tea.Cmd {
	if !f.fs.open(f) {
		return nil
	}
	return f.reload.want(f.load)
}

// show reads the sheet just opened; a draft left by a dropped connection is resumed.
func (f *factSheet) show() tea.Cmd {
	f.resume, f.top.Pos = true, 0
	return f.reload.want(f.load)
}

// load reads the village's page (the user's own village, or the one last shown), and the
// user's draft when the sheet was just opened.
func (f *factSheet) load() tea.Cmd {
	c, want, withDraft := f.c, f.village, f.resume
	f.resume = false
	return func() tea.Msg {
		vs, err := c.Store.Villages(c.Actor)
		if err != nil {
			return factsLoaded{err: err}
		}
		if len(vs) == 0 {
			return factsLoaded{err: store.ErrNotFound}
		}
		var draft *store.FactSheetDraft
		if withDraft {
			if d := (store.FactSheetDraft{}); loadDraft(c.Store, c.Actor, store.DraftFactSheet, &d) {
				draft, want = &d, d.Sheet.Village
			}
		}
		if !slices.ContainsFunc(vs, func(v store.Village) bool { return v.Code == want }) {
			want = vs[0].Code
			if c.Actor.Village != "" {
				want = c.Actor.Village
			}
		}
		facts, err := c.Store.Facts(c.Actor, want)
		return factsLoaded{villages: vs, village: want, facts: facts, draft: draft, err: err}
	}
}

// SetSize gives the sheet the pane area.
func (f *factSheet) SetSize(w, h int) {
	rewrap := w != f.w
	f.w, f.h = w, h
	if f.form != nil {
		f.form.setSize(w, h)
	}
	if rewrap {
		f.wrap()
	} else {
		f.top.SetLen(max(len(f.page)-f.listHeight(), 0) + 1)
	}
}

// wrap lays the sheet out for the window: the printed page's lines, wrapped.
func (f *factSheet) wrap() {
	f.page = f.page[:0]
	if f.loaded && f.err == nil {
		for _, l := range ledgerio.FactSheetBody(f.facts) {
			f.page = append(f.page, views.Wrap(l, max(f.w-1, 1))...)
		}
	}
	if len(f.page) > 0 && f.page[0] == "" {
		f.page = f.page[1:]
	}
	f.top.SetLen(max(len(f.page)-f.listHeight(), 0) + 1)
}

// Capturing is true while the editor has the keyboard.
func (f *factSheet) Capturing() bool { return f.form != nil }

// Flush saves a half-typed edit before the session ends.
func (f *factSheet) Flush() tea.Cmd {
	if f.form == nil || !f.form.dirty {
		return nil
	}
	return f.form.saveDraft()
}

// Update handles the sheet's messages; keys come here only while it is open.
func (f *factSheet) Update(msg tea.Msg) tea.Cmd {
	var after tea.Cmd
	if _, ok := msg.(factsLoaded); ok {
		after = f.reload.done(f.load)
	}
	return tea.Batch(f.update(msg), after)
}

func (f *factSheet) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case factsLoaded:
		f.loaded, f.err = true, msg.err
		if msg.err != nil {
			return nil
		}
		f.villages, f.village, f.facts = msg.villages, msg.village, msg.facts
		f.wrap()
		if msg.draft != nil && f.form == nil {
			f.form = newFactForm(f.c, *msg.draft, f.w, f.h)
			f.form.name = f.facts.Village.Name
			f.form.dirty = true // a draft is an unsaved edit: esc asks before dropping it
			f.form.drafts.saved = msg.draft.SavedAt
			return status(f.c.T("fs.resumed"), false)
		}
		return nil
	case ChangedMsg:
		if f.fs.open(f) && msg.touches("factsheet", "household", "member", "cadre", "village", "grid", "roster") {
			return f.reload.want(f.load)
		}
		return nil
	case draftTick, draftSaved:
		if f.form != nil {
			return f.form.update(msg)
		}
		return nil
	case factSaved:
		return f.saved(msg)
	case tea.KeyPressMsg:
		return f.key(msg)
	case tea.PasteMsg:
		if f.form != nil {
			return f.form.update(msg)
		}
	}
	return nil
}

// saved closes the editor after a save, or asks what to do when someone saved first.
func (f *factSheet) saved(msg factSaved) tea.Cmd {
	var stale *store.StaleSheetError
	switch {
	case errors.As(msg.err, &stale):
		// Someone saved the sheet since the edit began: the question names who and when.
		q := confirm(f.c, f.fs, fmt.Sprintf(f.c.T("fs.ask.stale"), clean.Line(stale.By), stale.At.Format("01-02 15:04")), func() tea.Cmd {
			if f.form == nil {
				return nil
			}
			return f.form.save(stale.At)
		})
		q.no = func() tea.Cmd { f.fs.say(f.c.T("fs.kept"), false); return nil }
		f.fs.push(paneGlobal, q)
		return nil
	case msg.err != nil:
		return status(f.c.errText(msg.err), true)
	}
	// The store dropped the draft with the save, and its change reloads the page.
	f.form = nil
	f.facts.Sheet = msg.sheet
	f.wrap()
	return status(f.c.T("fs.saved"), false)
}

// key handles a key: the question first, then the editor, then the reader.
func (f *factSheet) key(msg tea.KeyPressMsg) tea.Cmd {
	k := f.c.Keys
	if f.form != nil {
		switch {
		case key.Matches(msg, k.FormSave):
			return f.form.save(f.form.d.Base)
		case key.Matches(msg, k.Back):
			if f.form.dirty {
				q := confirm(f.c, f.fs, f.c.T("fs.ask.discard"), func() tea.Cmd {
					f.form = nil
					f.fs.say(f.c.T("fs.discarded"), false)
					c := f.c
					return func() tea.Msg {
						c.Store.DiscardDraft(c.Actor, store.DraftFactSheet, formDraft)
						return nil
					}
				})
				q.no = func() tea.Cmd { f.fs.say(f.c.T("fs.kept"), false); return nil }
				f.fs.push(paneGlobal, q)
				return nil
			}
			f.form = nil
			return nil
		}
		return f.form.update(msg)
	}
	if moveKeys(k, msg, &f.top, f.listHeight()) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Back), key.Matches(msg, k.Facts):
		f.fs.close(f)
	case key.Matches(msg, k.Left), key.Matches(msg, k.Right):
		return f.step(key.Matches(msg, k.Right))
	case key.Matches(msg, k.Edit):
		return f.edit()
	}
	return nil
}

// step shows the next or previous village's page (township users see every village).
func (f *factSheet) step(next bool) tea.Cmd {
	i := slices.IndexFunc(f.villages, func(v store.Village) bool { return v.Code == f.village })
	if i < 0 || len(f.villages) < 2 {
		return nil
	}
	if next {
		i = (i + 1) % len(f.villages)
	} else {
		i = (i + len(f.villages) - 1) % len(f.villages)
	}
	f.village, f.top.Pos = f.villages[i].Code, 0
	return f.reload.want(f.load)
}

// edit opens the editor on the page shown, for those who may change it.
func (f *factSheet) edit() tea.Cmd {
	if !f.loaded || f.err != nil {
		return nil
	}
	if err := f.c.Actor.CanChange(f.village, ""); err != nil {
		return status(f.c.T("fs.readonly"), true)
	}
	f.form = newFactForm(f.c, store.FactSheetDraft{Sheet: f.facts.Sheet, Base: f.facts.Sheet.UpdatedAt}, f.w, f.h)
	f.form.name = f.facts.Village.Name
	return nil
}

// listHeight is the rows the page shows: the pane less the title, its rule and the question.
func (f *factSheet) listHeight() int { return max(f.h-3, 1) }

// View draws the page, or the editor.
func (f *factSheet) View() string {
	st := f.c.Styles
	switch {
	case f.form != nil:
		return strings.Join(f.form.view(f.h, nil), "\n")
	case !f.loaded:
		return " " + f.c.T("loading")
	case f.err != nil:
		return st.Error.Render(views.Cut(" "+f.c.errText(f.err), f.w))
	}
	title := st.Title.Render(fmt.Sprintf(" %s%s", f.facts.Village.Name, f.c.T("fs.title")))
	if len(f.villages) > 1 {
		i := slices.IndexFunc(f.villages, func(v store.Village) bool { return v.Code == f.village })
		title += st.Muted.Render(fmt.Sprintf("  %d/%d ←→", i+1, len(f.villages)))
	}
	right := ""
	if s := f.facts.Sheet; !s.UpdatedAt.IsZero() {
		right = fmt.Sprintf(f.c.T("fs.updated"), clean.Line(s.UpdatedBy), s.UpdatedAt.Format("2006-01-02"))
	} else {
		right = f.c.T("fs.unwritten")
	}
	gap := max(f.w-views.Width(title)-views.Width(right)-1, 1)
	out := []string{views.Cut(title+strings.Repeat(" ", gap)+st.Muted.Render(right), f.w), st.HRule(f.w)}
	lines, top := f.page, f.top.Pos
	h := f.listHeight()
	end := min(top+h, len(lines))
	for _, l := range lines[min(top, end):end] {
		if l != "" && !strings.HasPrefix(l, " ") {
			l = st.Title.Render(l) // a section heading
		}
		out = append(out, l)
	}
	if len(lines) > h {
		for len(out) < h+2 {
			out = append(out, "")
		}
		out = append(out, st.Muted.Render(fmt.Sprintf(f.c.T("fs.more"), top+1, end, len(lines))))
	}
	return strings.Join(out, "\n")
}

// ShortHelp is the footer's keys.
func (f *factSheet) ShortHelp() []key.Binding {
	k := f.c.Keys
	if f.form != nil {
		return []key.Binding{f.nextField(), k.FormSave, k.Back}
	}
	b := []key.Binding{k.Down, k.PageDown}
	if len(f.villages) > 1 {
		b = append(b, f.stepVillage())
	}
	if f.c.Actor.CanChange(f.village, "") == nil {
		b = append(b, k.Edit)
	}
	return append(b, k.Back)
}

// FullHelp is the sheet's help.
func (f *factSheet) FullHelp() [][]key.Binding {
	k := f.c.Keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{f.stepVillage(), k.Edit, k.Facts, k.Back},
		{f.nextField(), k.FormSave},
	}
}

// stepVillage is ←/→ (as rebound) with what they do here: another village's page.
func (f *factSheet) stepVillage() key.Binding {
	k := f.c.Keys
	return key.NewBinding(key.WithKeys(append(k.Left.Keys(), k.Right.Keys()...)...),
		key.WithHelp(k.Left.Help().Key+" "+k.Right.Help().Key, f.c.T("fs.villages")))
}

// nextField is tab and shift+tab in the editor: in a text area ↓ and enter move and break
// lines, so only tab leaves a field.
func (f *factSheet) nextField() key.Binding {
	k := f.c.Keys
	return key.NewBinding(key.WithKeys(append(k.FormNext.Keys(), k.FormPrev.Keys()...)...),
		key.WithHelp(strings.Join(append(k.FormNext.Keys(), k.FormPrev.Keys()...), "/"), f.c.T("fs.nextfield")))
}

// factForm edits the written part of a fact sheet: five fields, each a text area; lists
// take one item per line.
type factForm struct {
	c      *Common
	d      store.FactSheetDraft
	name   string // the village's name, for the title
	areas  [factFields]textarea.Model
	dirty  bool
	drafts *drafts
	w, h   int
}

// The editor's fields, in the order of the printed page.
const (
	fieldProfile = iota
	fieldIndustries
	fieldServices
	fieldVision
	fieldTasks
	factFields
)

// maxFactField bounds one field, so a huge paste cannot grow the page without end.
const maxFactField = 4000

func newFactForm(c *Common, d store.FactSheetDraft, w, h int) *factForm {
	f := &factForm{c: c, d: d, drafts: newDrafts()}
	s := d.Sheet
	values := [factFields]string{s.Profile, strings.Join(s.Industries, "\n"), strings.Join(s.Services, "\n"), s.Vision, strings.Join(s.Tasks, "\n")}
	for i := range f.areas {
		a := textarea.New()
		a.ShowLineNumbers = false
		a.Prompt = ""
		a.CharLimit = maxFactField
		a.MaxHeight = 0
		st := textarea.DefaultStyles(true)
		// A blinking cursor sends bytes twice a second to an idle screen.
		st.Cursor.Blink = false
		a.SetStyles(st)
		a.SetValue(clean.Text(values[i]))
		f.areas[i] = a
	}
	f.d.Focus = min(max(d.Focus, 0), factFields-1)
	f.areas[f.d.Focus].Focus()
	f.setSize(w, h)
	return f
}

// setSize gives the focused field the room the others leave: they show one line each.
func (f *factForm) setSize(w, h int) {
	f.w, f.h = w, h
	for i := range f.areas {
		f.areas[i].SetWidth(max(w-4, 10))
		f.areas[i].SetHeight(max(h-2-factFields-2, 2))
	}
}

// sheet is the form's content as a fact sheet.
func (f *factForm) sheet() store.FactSheet {
	s := f.d.Sheet
	items := func(i int) []string {
		var out []string
		for _, l := range strings.Split(f.areas[i].Value(), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	s.Profile, s.Vision = f.areas[fieldProfile].Value(), f.areas[fieldVision].Value()
	s.Industries, s.Services, s.Tasks = items(fieldIndustries), items(fieldServices), items(fieldTasks)
	return s
}

func (f *factForm) update(msg tea.Msg) tea.Cmd {
	k := f.c.Keys
	if mine, due := f.drafts.take(msg); mine {
		if due {
			return f.saveDraft()
		}
		return nil
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.FormNext), key.Matches(msg, k.FormPrev):
			step := 1
			if key.Matches(msg, k.FormPrev) {
				step = factFields - 1
			}
			f.areas[f.d.Focus].Blur()
			f.d.Focus = (f.d.Focus + step) % factFields
			f.areas[f.d.Focus].Focus()
			return nil
		}
	}
	msg, ok := cleanInputText(msg)
	if !ok {
		return nil
	}
	before := f.areas[f.d.Focus].Value()
	var cmd tea.Cmd
	f.areas[f.d.Focus], cmd = f.areas[f.d.Focus].Update(msg)
	if f.areas[f.d.Focus].Value() != before {
		f.dirty = true
		return tea.Batch(cmd, f.drafts.changed())
	}
	return cmd
}

// saveDraft writes the draft.
func (f *factForm) saveDraft() tea.Cmd {
	d := f.d
	d.Sheet = f.sheet()
	c := f.c
	return f.drafts.save(c.Store.Now, func() error { return c.Store.SaveDraft(c.Actor, store.DraftFactSheet, formDraft, d) })
}

// save stores the sheet if it is still at base.
func (f *factForm) save(base time.Time) tea.Cmd {
	s, c := f.sheet(), f.c
	return func() tea.Msg {
		out, err := c.Store.EditFactSheet(c.Actor, s, base, formDraft)
		return factSaved{sheet: out, err: err}
	}
}

// view draws the fields: the focused one open, the others on one line each.
func (f *factForm) view(h int, tail []string) []string {
	st := f.c.Styles
	title := st.Title.Render(fmt.Sprintf(" %s · %s", f.c.T("fs.editing"), f.name))
	if n := f.drafts.note(f.c); n != "" {
		title += "  " + n
	}
	out := []string{views.Cut(title, f.w), st.HRule(f.w)}
	for i := range f.areas {
		label := f.c.T(fmt.Sprintf("fs.field.%d", i))
		if i == f.d.Focus {
			out = append(out, st.Title.Render(views.Cut("▸ "+label, f.w)))
			for _, l := range strings.Split(f.areas[i].View(), "\n") {
				out = append(out, "  "+l)
			}
			continue
		}
		summary := strings.ReplaceAll(strings.TrimSpace(f.areas[i].Value()), "\n", " / ")
		if summary == "" {
			summary = st.Muted.Render(f.c.T("fs.empty"))
		}
		out = append(out, views.Cut("  "+label+"  "+summary, f.w))
	}
	return withTail(st, f.w, h, out, tail)
}
