package tui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"sanbai/store"
	"sanbai/views"
)

// revisitForm is the revisit form (入户回访表) for one household: who was met, and one answer
// per concern — solved?, how satisfied, the resident's words. Slots: the date, who was met,
// then three per concern.
type revisitForm struct {
	c        *Common
	d        store.RevisitDraft
	hh       store.Household
	concerns map[string]store.Concern
	focus    int
	item     int
	input    textinput.Model
	err      map[int]string
	frame    *form
}

const (
	rSlotDate = iota
	rSlotMet
	rFixed
)

// solvedChoices are the answers to "solved?", in the form's order.
var solvedChoices = []string{store.SolvedYes, store.SolvedPartly, store.SolvedNo}

func newRevisitForm(c *Common, d store.RevisitDraft, hh store.Household, concerns map[string]store.Concern) *revisitForm {
	cleanRevisitDraft(&d)
	if d.DraftID == "" {
		d.DraftID = newDraftID() // a form of its own, not another session's
	}
	f := &revisitForm{c: c, d: d, hh: hh, concerns: concerns, err: map[int]string{}}
	f.input = newInput(maxInput)
	f.focus = min(max(d.Focus, 0), f.slots()-1)
	f.enter()
	return f
}

func (f *revisitForm) slots() int { return rFixed + 3*len(f.d.Answers) }

func (f *revisitForm) isText(slot int) bool {
	return slot == rSlotDate || (slot >= rFixed && (slot-rFixed)%3 == 2)
}

func (f *revisitForm) getText(slot int) string {
	if slot == rSlotDate {
		return f.d.Date
	}
	return f.d.Answers[(slot-rFixed)/3].Comment
}

func (f *revisitForm) setText(slot int, v string) {
	if slot == rSlotDate {
		f.d.Date = v
		return
	}
	f.d.Answers[(slot-rFixed)/3].Comment = v
}

func (f *revisitForm) enter() {
	f.item = 0
	if f.isText(f.focus) {
		f.input.SetValue(f.getText(f.focus))
		f.input.CursorEnd()
		f.input.Focus()
	} else {
		f.input.Blur()
	}
}

func (f *revisitForm) leave() {
	if f.isText(f.focus) {
		f.setText(f.focus, f.input.Value())
	}
}

func (f *revisitForm) move(delta int) {
	f.leave()
	n := f.slots()
	f.focus = (f.focus + delta + n) % n
	f.enter()
}

// choose steps a choice slot.
func (f *revisitForm) choose(dir int) {
	if f.focus < rFixed {
		return
	}
	a := &f.d.Answers[(f.focus-rFixed)/3]
	step := func(vals []string, cur string) string {
		i := slices.Index(vals, cur)
		if i < 0 {
			if dir > 0 {
				return vals[0]
			}
			return vals[len(vals)-1]
		}
		return vals[((i+dir)%len(vals)+len(vals))%len(vals)]
	}
	switch (f.focus - rFixed) % 3 {
	case 0:
		a.Solved = step(solvedChoices, a.Solved)
	case 1:
		a.Satisfaction = step(store.Satisfactions(), a.Satisfaction)
	}
}

// draft writes the draft as the form is now.
func (f *revisitForm) draft() func() error {
	f.leave()
	d := f.d
	d.Focus = f.focus
	d.Met = slices.Clone(d.Met)
	d.Answers = slices.Clone(d.Answers)
	c := f.c
	return func() error { return c.Store.SaveDraft(c.Ctx, c.Actor, store.DraftRevisit, d.DraftID, d) }
}

// discard drops the draft.
func (f *revisitForm) discard() func() error {
	c, id := f.c, f.d.DraftID
	return func() error { return c.Store.DiscardDraft(c.Ctx, c.Actor, store.DraftRevisit, id) }
}

func (f *revisitForm) setCommon(c *Common) { f.c = c }
func (f *revisitForm) keys() []key.Binding {
	k := f.c.Keys
	return []key.Binding{k.FormChoice, k.FormToggle}
}

func (f *revisitForm) title() string {
	return f.c.T("rf.title") + " · " + f.hh.Address + " " + f.hh.Head().Name
}

// stuck says why the draft can no longer be saved: every concern it answers was closed
// meanwhile (a revisit saved from another session), or the household moved out.
func (f *revisitForm) stuck() string {
	if _, current := f.hh.Current(); !current {
		return fmt.Sprintf(f.c.T("vf.stuck.moved"), f.hh.Address)
	}
	open := 0
	for _, a := range f.d.Answers {
		if c, ok := f.concerns[a.Concern]; ok && c.Status == store.StatusResolved {
			open++
		}
	}
	if len(f.d.Answers) > 0 && open == 0 {
		return f.c.T("rf.stuck.done")
	}
	return ""
}

// save saves the revisit: a satisfied answer closes its concern, any other reopens it.
func (f *revisitForm) save() tea.Cmd {
	f.leave()
	d, c := f.d, f.c
	return func() tea.Msg {
		rs, err := c.Store.SaveRevisits(c.Ctx, c.Actor, d)
		if err != nil {
			return formSaved{err: err}
		}
		closed, reopened := 0, 0
		for _, x := range rs {
			if x.Satisfied() {
				closed++
			} else {
				reopened++
			}
		}
		text := fmt.Sprintf(c.T("rf.saved"), len(rs), closed, reopened)
		if reopened > 0 {
			// The supervision deadline is a deadline change: said when it happens.
			due := c.Store.Now().AddDate(0, 0, store.SupervisionDays).Format(time.DateOnly)
			text += fmt.Sprintf(c.T("rf.saved.due"), c.day(due))
		}
		return formSaved{text: text, result: rs}
	}
}

// refused shows a refused save at the answer it names.
func (f *revisitForm) refused(err error) string {
	fe, ok := store.IsFormError(err)
	if !ok {
		return f.c.errText(err)
	}
	slot := slotOfRevisitField(fe.Field)
	f.err[slot] = f.c.T("fe." + fe.Code)
	f.leave()
	f.focus = slot
	f.enter()
	return f.err[slot]
}

// slotOfRevisitField maps a store.FormError field to its slot.
func slotOfRevisitField(field string) int {
	var i int
	var what string
	if _, err := fmt.Sscanf(strings.ReplaceAll(strings.TrimPrefix(field, "answer."), ".", " "), "%d %s", &i, &what); err == nil {
		if what == "satisfaction" {
			return rFixed + 3*i + 1
		}
		return rFixed + 3*i
	}
	return rSlotDate
}

// update takes a key or a paste for the fields, and reports whether the content changed.
func (f *revisitForm) update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if cm, ok := cleanInput(msg); ok && f.isText(f.focus) {
			var cmd tea.Cmd
			f.input, cmd = f.input.Update(cm)
			return cmd, true
		}
	case tea.KeyPressMsg:
		return f.key(msg)
	}
	return nil, false
}

// key handles a key in the form; moving between fields changes nothing to save.
func (f *revisitForm) key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	delete(f.err, f.focus)
	s := msg.String()
	switch s {
	case "down", "enter":
		f.move(1)
		return nil, false
	case "up":
		f.move(-1)
		return nil, false
	}
	if f.isText(f.focus) {
		cm, ok := cleanInput(msg)
		if !ok {
			return nil, false
		}
		before := f.input.Value()
		var cmd tea.Cmd
		f.input, cmd = f.input.Update(cm)
		return cmd, f.input.Value() != before
	}
	if f.focus == rSlotMet {
		switch s {
		case "left", "h":
			f.item = max(f.item-1, 0)
		case "right", "l":
			f.item = min(f.item+1, max(len(f.hh.Residents)-1, 0))
		case "space":
			if f.item < len(f.hh.Residents) {
				id := f.hh.Residents[f.item].ID
				if i := slices.Index(f.d.Met, id); i >= 0 {
					f.d.Met = slices.Delete(f.d.Met, i, i+1)
				} else {
					f.d.Met = append(f.d.Met, id)
				}
			}
		default:
			return nil, false
		}
		return nil, true
	}
	switch s {
	case "left", "h":
		f.choose(-1)
	case "right", "l", "space":
		f.choose(1)
	case "1", "2", "3", "4", "5":
		// Digits pick directly: 1 = the first choice.
		n := int(s[0] - '1')
		a := &f.d.Answers[(f.focus-rFixed)/3]
		if (f.focus-rFixed)%3 == 0 && n < len(solvedChoices) {
			a.Solved = solvedChoices[n]
		} else if (f.focus-rFixed)%3 == 1 {
			a.Satisfaction = store.Satisfactions()[n]
		}
	default:
		return nil, false
	}
	return nil, true
}

// view renders the form.
func (f *revisitForm) view(w, h int) string {
	st := f.c.Styles
	type line struct {
		slot int
		text string
	}
	var ls []line
	label := func(slot int, name string) string {
		l := views.Fit(name, 8)
		if slot == f.focus {
			return st.Selected.Render(l)
		}
		return st.Heading.Render(l)
	}
	choice := func(slot int, v string) string {
		if v == "" {
			v = "—"
		}
		s := "‹ " + v + " ›"
		if st.ASCII {
			s = "< " + v + " >"
		}
		if slot == f.focus {
			return st.Selected.Render(s)
		}
		return s
	}
	text := func(slot int) string {
		if slot == f.focus {
			f.input.SetWidth(max(w-12, 4))
			return f.input.View()
		}
		return views.Cut(f.getText(slot), max(w-11, 1))
	}
	add := func(slot int, s string) { ls = append(ls, line{slot, views.Cut(s, w)}) }
	add(rSlotDate, " "+label(rSlotDate, f.c.T("v.date"))+" "+text(rSlotDate))
	if e := f.err[rSlotDate]; e != "" {
		add(rSlotDate, "          "+st.Error.Render("! "+e))
	}
	var met []string
	for i, r := range f.hh.Residents {
		box := "[ ]"
		if slices.Contains(f.d.Met, r.ID) {
			box = "[x]"
		}
		it := box + r.Name
		if f.focus == rSlotMet && i == f.item {
			it = st.Selected.Render(it)
		}
		met = append(met, it)
	}
	add(rSlotMet, " "+label(rSlotMet, f.c.T("rf.met"))+" "+strings.Join(met, " "))
	for i, a := range f.d.Answers {
		base := rFixed + 3*i
		c := f.concerns[a.Concern]
		add(-1, " "+st.Muted.Render(strings.Repeat("─", 2))+" "+c.ID+"  "+views.Cut(c.Description, max(w-14, 1)))
		add(-1, "          "+st.Muted.Render(c.Resolution))
		add(base, " "+label(base, f.c.T("rf.solvedq"))+" "+choice(base, f.c.T("rf."+a.Solved))+"   "+
			label(base+1, f.c.T("rf.sat"))+" "+choice(base+1, a.Satisfaction))
		for _, s := range []int{base, base + 1} {
			if e := f.err[s]; e != "" {
				add(s, "          "+st.Error.Render("! "+e))
			}
		}
		add(base+2, " "+label(base+2, f.c.T("rf.comment"))+" "+text(base+2))
	}
	want := f.focus
	if want >= rFixed && (want-rFixed)%3 == 1 {
		want--
	}
	at := 0
	texts := make([]string, len(ls))
	for i, l := range ls {
		texts[i] = l.text
		if l.slot == want && at == 0 {
			at = i
		}
	}
	return scrollTo(texts, at, h)
}
