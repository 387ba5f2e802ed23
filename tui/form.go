package tui

import (
	"strings"
	"time"

	"sanbai/store"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"sanbai/views"
)

// formBody is what one form is on its own — its fields, how they take keys and how they draw.
// The form around it (form) does what every form does the same way: tab and shift+tab through
// the fields, the draft saved as it is typed, ctrl+s to save, a refusal shown at the field it
// names, and esc's question: keep the draft, discard it, or go on editing.
type formBody interface {
	// title names the form and what it is about.
	title() string
	// update takes a key or a paste for the fields, and reports whether the content changed.
	update(msg tea.Msg) (cmd tea.Cmd, changed bool)
	// move moves the focus by delta fields, in the form's order.
	move(delta int)
	// view draws the fields into w×h.
	view(w, h int) string
	// draft returns what writes the draft as the form is now (a copy taken now), or nil when
	// the form keeps no draft.
	draft() func() error
	// discard returns what drops the draft, for every session of the user.
	discard() func() error
	// save returns the command that saves the form; its answer is a formSaved.
	save() tea.Cmd
	// refused takes a save's refusal: the focus goes to the field it names, and the words
	// say why.
	refused(err error) string
	// stuck says why the form can no longer be saved (its household moved out, its concern
	// was closed meanwhile), or "".
	stuck() string
	// keys are the form's own keys for the footer and help.
	keys() []key.Binding
}

// formSaved is a save's answer: what to say, and the pane's own record of it.
type formSaved struct {
	f      *form
	text   string
	result any
	err    error
}

// form is a form on the focus stack, around its body.
type form struct {
	c      *Common
	fs     *focus
	owner  paneID
	body   formBody
	drafts *drafts
	// dirty is true once the form holds what is not saved: a change typed, or a draft it
	// was opened from.
	dirty bool
	err   string // the last save's refusal
	w, h  int
	// saved is the pane's hook after a save (a reload, the form's kept copy dropped).
	saved func(result any) tea.Cmd
	// left is the pane's hook when the form is put away with its draft kept (k) or dropped.
	left func(kept bool)
	// release lets go of the form's draft in the server's registry (see hold).
	release func()
}

// hold marks the form's draft as open in this session, so another session of the same person
// does not bring it back to type in at the same time; saving, discarding or the session's end
// lets it go.
func (f *form) hold(kind store.DraftKind, id string) {
	f.release = f.c.Presence.hold(f.c.Actor.Name, kind, id)
	f.fs.holds = append(f.fs.holds, f.release)
}

// letGo releases the form's draft, if it holds one.
func (f *form) letGo() {
	if f.release != nil {
		f.release()
	}
}

// newForm builds a form; the caller pushes it.
func newForm(c *Common, fs *focus, owner paneID, body formBody) *form {
	return &form{c: c, fs: fs, owner: owner, body: body, drafts: newDrafts()}
}

// fromDraft marks a form opened from a draft saved at (zero: a new form): it holds unsaved
// work, and its title says when the draft was saved.
func (f *form) fromDraft(saved time.Time) {
	f.dirty, f.drafts.saved = !saved.IsZero(), saved
}

func (f *form) setCommon(c *Common) {
	f.c = c
	if x, ok := f.body.(commoner); ok {
		x.setCommon(c)
	}
}

func (f *form) SetSize(w, h int) { f.w, f.h = w, h }
func (f *form) Capturing() bool  { return true }

// takes: the form's own answers — its draft's ticks and saves, and its save.
func (f *form) takes(msg tea.Msg) bool {
	switch m := msg.(type) {
	case draftTick:
		return m.d == f.drafts
	case draftSaved:
		return m.d == f.drafts
	case formSaved:
		return m.f == f
	}
	return false
}

// Flush writes the draft now (the session is ending).
func (f *form) Flush() tea.Cmd {
	if !f.dirty {
		return nil
	}
	return f.writeDraft()
}

// touched is what a body calls when something outside its update changed it (a picker's
// answer): the form is dirty and its draft will be saved.
func (f *form) touched() tea.Cmd {
	f.dirty, f.err = true, ""
	return f.drafts.changed()
}

// writeDraft saves the draft as the form is now.
func (f *form) writeDraft() tea.Cmd {
	w := f.body.draft()
	if w == nil {
		return nil
	}
	return f.drafts.save(f.c.Store.Now, w)
}

func (f *form) Update(msg tea.Msg) tea.Cmd {
	if mine, due := f.drafts.take(msg); mine {
		if due {
			return f.writeDraft()
		}
		return nil
	}
	k := f.c.Keys
	switch msg := msg.(type) {
	case formSaved:
		if msg.err != nil {
			f.err = f.body.refused(msg.err)
			f.fs.say(f.err, true)
			return nil
		}
		f.fs.close(f)
		f.letGo()
		f.fs.say(msg.text, false)
		if f.saved != nil {
			return f.saved(msg.result)
		}
		return nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Back):
			return f.leave()
		case key.Matches(msg, k.FormSave):
			f.err = ""
			return f.save()
		case key.Matches(msg, k.FormNext):
			f.body.move(1)
			return nil
		case key.Matches(msg, k.FormPrev):
			f.body.move(-1)
			return nil
		}
	}
	cmd, changed := f.body.update(msg)
	if changed {
		f.dirty, f.err = true, ""
		return tea.Batch(cmd, f.drafts.changed())
	}
	return cmd
}

// save asks the store to save the form.
func (f *form) save() tea.Cmd { return f.wrap(f.body.save()) }

// wrap addresses a save command's answer to this form.
func (f *form) wrap(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		if s, ok := msg.(formSaved); ok {
			s.f = f
			return s
		}
		return msg
	}
}

// leave is esc: a form with nothing unsaved closes; otherwise the question — keep the draft
// (it comes back when the form is opened again, here or in another session), discard it
// (gone everywhere), or go on editing.
func (f *form) leave() tea.Cmd {
	if !f.dirty {
		f.fs.close(f)
		if f.left != nil {
			f.left(false)
		}
		return nil
	}
	text := f.c.T("form.leave")
	if why := f.body.stuck(); why != "" {
		text = why + " " + f.c.T("form.leave.stuck")
	}
	choices := []choice{}
	if f.body.draft() != nil && f.body.stuck() == "" {
		choices = append(choices, choice{keys: []string{"k"}, label: f.c.T("form.keep"), do: func() tea.Cmd {
			f.fs.close(f)
			if f.left != nil {
				f.left(true)
			}
			f.fs.say(f.c.T("form.kept"), false)
			return f.writeDraft()
		}})
	}
	discard := f.c.T("form.discard")
	choices = append(choices,
		choice{keys: []string{"d"}, label: discard, do: func() tea.Cmd {
			f.fs.close(f)
			f.letGo()
			if f.left != nil {
				f.left(false)
			}
			f.fs.say(f.c.T("form.discarded"), false)
			drop := f.body.discard()
			if drop == nil {
				return nil
			}
			// A draft save already on its way must not land after the discard.
			w := f.drafts.w
			c := f.c
			return func() tea.Msg {
				w.mu.Lock()
				defer w.mu.Unlock()
				w.last = int(^uint(0) >> 1)
				if err := drop(); err != nil {
					return statusMsg{text: c.errText(err), err: true}
				}
				return nil
			}
		}},
		choice{keys: []string{"esc", "e"}, label: f.c.T("form.edit"), do: func() tea.Cmd { return nil }},
	)
	f.fs.push(f.owner, choose(f.c, f.fs, text, choices...))
	return nil
}

func (f *form) View() string {
	st := f.c.Styles
	title := st.Title.Render(" " + f.body.title())
	if n := f.drafts.note(f.c); n != "" {
		title += "  " + n
	}
	lines := []string{views.Cut(title, f.w), st.HRule(f.w)}
	bodyH := f.h - 2
	var tail []string
	if why := f.body.stuck(); why != "" {
		tail = append(tail, st.Warn.Render(views.Cut(" "+why+" "+f.c.T("form.stuck.hint"), f.w)))
	}
	if f.err != "" {
		tail = append(tail, st.Error.Render(views.Cut(" "+f.err, f.w)))
	}
	bodyH -= len(tail)
	lines = append(lines, fitLines(f.body.view(f.w, max(bodyH, 1)), max(bodyH, 0))...)
	lines = append(lines, tail...)
	return strings.Join(lines, "\n")
}

func (f *form) ShortHelp() []key.Binding {
	k := f.c.Keys
	return append([]key.Binding{k.FormNext, k.FormSave}, append(f.body.keys(), k.Back)...)
}

func (f *form) FullHelp() [][]key.Binding {
	k := f.c.Keys
	return [][]key.Binding{{k.FormNext, k.FormPrev, k.FormSave, k.Back}, f.body.keys()}
}
