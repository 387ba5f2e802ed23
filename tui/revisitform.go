package tui

import (
	"fmt"
	"slices"
	"strings"

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
	drafts   *drafts
	done     bool
}

const (
	rSlotDate = iota
	rSlotMet
	rFixed
)

// solvedChoices are the answers to "solved?", in the form's order.
var solvedChoices = []string{store.SolvedYes, store.SolvedPartly, store.SolvedNo}

type revisitsSaved struct {
	rs  []store.Revisit
	err error
}

func newRevisitForm(c *Common, d store.RevisitDraft, hh store.Household, concerns map[string]store.Concern) *revisitForm {
	cleanRevisitDraft(&d)
	f := &revisitForm{c: c, d: d, hh: hh, concerns: concerns, err: map[int]string{}, drafts: newDrafts()}
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

func (f *revisitForm) changed() tea.Cmd { return f.drafts.changed() }

func (f *revisitForm) saveDraft() tea.Cmd {
	f.leave()
	d := f.d
	d.Focus = f.focus
	d.Met = slices.Clone(d.Met)
	d.Answers = slices.Clone(d.Answers)
	c := f.c
	return f.drafts.save(c.Store.Now, func() error { return c.Store.SaveDraft(c.Actor, store.DraftRevisit, formDraft, d) })
}

func (f *revisitForm) save() tea.Cmd {
	f.leave()
	d, c := f.d, f.c
	d.DraftID = formDraft
	return func() tea.Msg {
		rs, err := c.Store.SaveRevisits(c.Actor, d)
		return revisitsSaved{rs: rs, err: err}
	}
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

func (f *revisitForm) update(msg tea.Msg) tea.Cmd {
	if mine, due := f.drafts.take(msg); mine {
		if due {
			return f.saveDraft()
		}
		return nil
	}
	switch msg := msg.(type) {
	case revisitsSaved:
		if msg.err != nil {
			if fe, ok := store.IsFormError(msg.err); ok {
				slot := slotOfRevisitField(fe.Field)
				f.err[slot] = f.c.T("fe." + fe.Code)
				f.leave()
				f.focus = slot
				f.enter()
				return status(f.err[slot], true)
			}
			return status(f.c.errText(msg.err), true)
		}
		f.done = true
	case tea.PasteMsg:
		if cm, ok := cleanInput(msg); ok && f.isText(f.focus) {
			var cmd tea.Cmd
			f.input, cmd = f.input.Update(cm)
			return tea.Batch(cmd, f.changed())
		}
	case tea.KeyPressMsg:
		return f.key(msg)
	}
	return nil
}

func (f *revisitForm) key(msg tea.KeyPressMsg) tea.Cmd {
	delete(f.err, f.focus)
	s := msg.String()
	switch s {
	case "tab", "down", "enter":
		f.move(1)
		return f.changed()
	case "shift+tab", "up":
		f.move(-1)
		return f.changed()
	case "ctrl+s":
		return f.save()
	}
	if f.isText(f.focus) {
		cm, ok := cleanInput(msg)
		if !ok {
			return nil
		}
		var cmd tea.Cmd
		f.input, cmd = f.input.Update(cm)
		return tea.Batch(cmd, f.changed())
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
			return nil
		}
		return f.changed()
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
		return nil
	}
	return f.changed()
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
	saved := f.drafts.note(f.c)
	head := " " + st.Title.Render(f.c.T("rf.title")) + "  " + f.hh.Address + "  " + f.hh.Head().Name
	add(-1, head+strings.Repeat(" ", max(w-views.Width(head)-views.Width(saved), 1))+saved)
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
