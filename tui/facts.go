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
	// editor is the edit form while it is open (a layer over the sheet).
	editor *form
	// resume asks the next load to bring back the user's draft (the sheet was just opened).
	resume bool
}

type factsLoaded struct {
	villages []store.Village
	village  string
	facts    store.VillageFacts
	draft    *store.FactSheetDraft
	draftID  string
	err      error
}

func newFactSheet(c *Common, fs *focus) *factSheet { return &factSheet{c: c, fs: fs} }

// takes: the sheet's own results come to it (it is its own pane).
func (f *factSheet) takes(tea.Msg) bool { return true }

func (f *factSheet) setCommon(c *Common) {
	f.c = c
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
		vs, err := c.Store.Villages(c.Ctx, c.Actor)
		if err != nil {
			return factsLoaded{err: err}
		}
		if len(vs) == 0 {
			return factsLoaded{err: store.ErrNotFound}
		}
		var draft *store.FactSheetDraft
		var draftID string
		if withDraft {
			var d store.FactSheetDraft
			if id, ok := c.drafts()(store.DraftFactSheet, &d); ok {
				draft, draftID, want = &d, id, d.Sheet.Village
			}
		}
		if !slices.ContainsFunc(vs, func(v store.Village) bool { return v.Code == want }) {
			want = vs[0].Code
			if c.Actor.Village != "" {
				want = c.Actor.Village
			}
		}
		facts, err := c.Store.Facts(c.Ctx, c.Actor, want)
		return factsLoaded{villages: vs, village: want, facts: facts, draft: draft, draftID: draftID, err: err}
	}
}

// SetSize gives the sheet the pane area.
func (f *factSheet) SetSize(w, h int) {
	rewrap := w != f.w
	f.w, f.h = w, h
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

// Capturing: the sheet is read with the list keys; its editor is a layer of its own.
func (f *factSheet) Capturing() bool { return false }

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
		if msg.draft != nil && !f.editing() {
			// A draft is an unsaved edit: it opens as it was, and esc asks before dropping it.
			f.openEditor(*msg.draft, msg.draft.SavedAt, msg.draftID)
			f.fs.say(f.c.T("fs.resumed"), false)
		}
		return nil
	case ChangedMsg:
		if f.fs.open(f) && msg.touches("factsheet", "household", "member", "cadre", "village", "grid", "roster") {
			return f.reload.want(f.load)
		}
		return nil
	case tea.KeyPressMsg:
		return f.key(msg)
	}
	return nil
}

// editing reports whether the editor is open.
func (f *factSheet) editing() bool { return f.editor != nil && f.fs.open(f.editor) }

// openEditor puts the edit form over the sheet, from a draft (saved at, zero for a new edit).
func (f *factSheet) openEditor(d store.FactSheetDraft, saved time.Time, draftID string) {
	body := newFactForm(f.c, d, f.w, f.h)
	if draftID != "" {
		body.draftID = draftID
	}
	body.name = f.facts.Village.Name
	fr := newForm(f.c, f.fs, paneGlobal, body)
	body.frame = fr
	fr.fromDraft(saved)
	fr.saved = func(result any) tea.Cmd {
		// The store dropped the draft with the save, and its change reloads the page.
		f.facts.Sheet = result.(store.FactSheet)
		f.wrap()
		return nil
	}
	fr.hold(store.DraftFactSheet, body.draftID)
	f.editor = fr
	f.fs.push(paneGlobal, fr)
}

// key handles a key on the page.
func (f *factSheet) key(msg tea.KeyPressMsg) tea.Cmd {
	k := f.c.Keys
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
	f.openEditor(store.FactSheetDraft{Sheet: f.facts.Sheet, Base: f.facts.Sheet.UpdatedAt}, time.Time{}, "")
	return nil
}

// listHeight is the rows the page shows: the pane less the title, its rule and the question.
func (f *factSheet) listHeight() int { return max(f.h-3, 1) }

// View draws the page, or the editor.
func (f *factSheet) View() string {
	st := f.c.Styles
	switch {
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
	}
}

// stepVillage is ←/→ (as rebound) with what they do here: another village's page.
func (f *factSheet) stepVillage() key.Binding {
	k := f.c.Keys
	return key.NewBinding(key.WithKeys(append(k.Left.Keys(), k.Right.Keys()...)...),
		key.WithHelp(k.Left.Help().Key+" "+k.Right.Help().Key, f.c.T("fs.villages")))
}

// factForm edits the written part of a fact sheet: five fields, each a text area; lists
// take one item per line.
type factForm struct {
	c    *Common
	d    store.FactSheetDraft
	name string // the village's name, for the title
	// draftID is this form's draft: its own, or the one it was opened from.
	draftID string
	areas   [factFields]textarea.Model
	w, h    int
	frame   *form
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
	f := &factForm{c: c, d: d, draftID: newDraftID()}
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

func (f *factForm) setCommon(c *Common) { f.c = c }
func (f *factForm) title() string       { return f.c.T("fs.editing") + " · " + f.name }
func (f *factForm) stuck() string       { return "" }
func (f *factForm) keys() []key.Binding { return nil }

// move steps to another field: in a text area ↓ and enter move and break lines, so only tab
// and shift+tab leave a field.
func (f *factForm) move(delta int) {
	f.areas[f.d.Focus].Blur()
	f.d.Focus = (f.d.Focus + delta + factFields) % factFields
	f.areas[f.d.Focus].Focus()
}

// update types into the focused field.
func (f *factForm) update(msg tea.Msg) (tea.Cmd, bool) {
	msg, ok := cleanInputText(msg)
	if !ok {
		return nil, false
	}
	before := f.areas[f.d.Focus].Value()
	var cmd tea.Cmd
	f.areas[f.d.Focus], cmd = f.areas[f.d.Focus].Update(msg)
	return cmd, f.areas[f.d.Focus].Value() != before
}

// draft writes the draft as the form is now.
func (f *factForm) draft() func() error {
	d := f.d
	d.Sheet = f.sheet()
	c, id := f.c, f.draftID
	return func() error { return c.Store.SaveDraft(c.Ctx, c.Actor, store.DraftFactSheet, id, d) }
}

// discard drops the draft.
func (f *factForm) discard() func() error {
	c, id := f.c, f.draftID
	return func() error { return c.Store.DiscardDraft(c.Ctx, c.Actor, store.DraftFactSheet, id) }
}

// save stores the sheet if nobody saved it since the edit began.
func (f *factForm) save() tea.Cmd { return f.saveAt(f.d.Base) }

// saveAt stores the sheet if it is still as it was at base.
func (f *factForm) saveAt(base time.Time) tea.Cmd {
	s, c, id := f.sheet(), f.c, f.draftID
	return func() tea.Msg {
		out, err := c.Store.EditFactSheet(c.Ctx, c.Actor, s, base, id)
		return formSaved{text: c.T("fs.saved"), result: out, err: err}
	}
}

// refused words a refused save; when someone saved the sheet since the edit began, it asks
// whether to save over theirs (the draft stays either way).
func (f *factForm) refused(err error) string {
	var stale *store.StaleSheetError
	if !errors.As(err, &stale) {
		return f.c.errText(err)
	}
	q := confirm(f.c, f.frame.fs, fmt.Sprintf(f.c.T("fs.ask.stale"), clean.Line(stale.By), stale.At.Format("01-02 15:04")), func() tea.Cmd {
		return f.frame.wrap(f.saveAt(stale.At))
	})
	q.no = func() tea.Cmd { f.frame.fs.say(f.c.T("fs.kept"), false); return nil }
	f.frame.fs.push(paneGlobal, q)
	return fmt.Sprintf(f.c.T("fs.stale.short"), clean.Line(stale.By))
}

// view draws the fields: the focused one open, the others on one line each.
func (f *factForm) view(w, h int) string {
	st := f.c.Styles
	if w != f.w || h+2 != f.h {
		f.setSize(w, h+2)
	}
	var out []string
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
	return strings.Join(out, "\n")
}
