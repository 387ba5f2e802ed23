package tui

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"sanbai/store"
	"sanbai/views"
)

// groupForm builds or edits a visit group, checking the plan's rules as it is filled in and
// explaining every breach in words.
type groupForm struct {
	c     *Common
	fs    *focus
	g     store.Group
	ctx   store.GroupContext
	grids []store.Grid // the village's grids, by code
	focus int
	item  int
	input textinput.Model
	// frame is the form around the body: a change made by a picker tells it.
	frame *form
	// draftID is this form's draft: its own, or the one it was opened from.
	draftID string
}

// Group form slots.
const (
	gSlotName = iota
	gSlotGrids
	gSlotLeader
	gSlotDeputy
	gSlotMembers
	gSlots
)

func newGroupForm(c *Common, fs *focus, g store.Group, ctx store.GroupContext) *groupForm {
	// The form edits its own copy: the group's lists come from the read model every session
	// of the scope shares (query.Shared), which nobody may change in place.
	g.Grids, g.Members, g.Exceptions = slices.Clone(g.Grids), slices.Clone(g.Members), maps.Clone(g.Exceptions)
	f := &groupForm{c: c, fs: fs, g: g, ctx: ctx}
	if f.g.Exceptions == nil {
		f.g.Exceptions = map[string]string{}
	}
	for _, gr := range ctx.Grids {
		f.grids = append(f.grids, gr)
	}
	sort.Slice(f.grids, func(i, j int) bool { return f.grids[i].Code < f.grids[j].Code })
	f.input = newInput(40)
	f.input.SetValue(g.Name)
	f.input.Focus()
	return f
}

// memberOptions lists the village's party members for a picker: grid secretaries first when
// choosing a leader.
func (f *groupForm) memberOptions(secretariesFirst bool) []option {
	secretary := map[string]string{}
	for _, g := range f.ctx.Grids {
		secretary[g.Secretary] = g.Name
	}
	var ms []store.Member
	for _, m := range f.ctx.Members {
		if m.MovedOut == "" {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool {
		si, sj := secretary[ms[i].ID] != "", secretary[ms[j].ID] != ""
		if secretariesFirst && si != sj {
			return si
		}
		if ms[i].Grid != ms[j].Grid {
			return ms[i].Grid < ms[j].Grid
		}
		return ms[i].ID < ms[j].ID
	})
	var out []option
	for _, m := range ms {
		l := m.Name + "  " + f.ctx.Grids[m.Grid].Name
		if s := secretary[m.ID]; s != "" {
			l += " " + f.c.T("gf.secretary")
		}
		if o := f.inGroup(m.ID); o != "" {
			l += "  (" + o + ")"
		}
		out = append(out, option{label: l, value: m.ID, key: searchKey(m.Name, f.ctx.Grids[m.Grid].Name)})
	}
	return out
}

// inGroup names another group the member is in.
func (f *groupForm) inGroup(id string) string {
	for _, o := range f.ctx.Groups {
		if o.ID != f.g.ID && (o.Leader == id || o.Deputy == id || slices.Contains(o.Members, id)) {
			return o.Name
		}
	}
	return ""
}

// name returns a member's name with their grid.
func (f *groupForm) name(id string) string {
	m, ok := f.ctx.Members[id]
	if !ok {
		return id
	}
	return m.Name + "(" + shortGrid(f.ctx.Grids[m.Grid].Name) + ")"
}

// explain turns a rule issue into a sentence for a guiding officer.
func explain(c *Common, i store.RuleIssue, name func(string) string, reason string) string {
	switch i.Code {
	case "member.samegrid":
		if i.Warning {
			return fmt.Sprintf(c.T("gr.member.samegrid.ok"), name(i.Member), reason)
		}
	case "member.twogroups":
		return fmt.Sprintf(c.T("gr.member.twogroups"), name(i.Member), i.Other)
	}
	if i.Member != "" {
		return fmt.Sprintf(c.T("gr."+i.Code), name(i.Member))
	}
	return c.T("gr." + i.Code)
}

func (f *groupForm) issues() []store.RuleIssue { return store.CheckGroup(f.g, f.ctx) }

// groupFormFor is the group form on the focus stack, in its frame, keeping its draft under
// draftID ("" for a new draft of its own).
func groupFormFor(c *Common, fs *focus, g store.Group, ctx store.GroupContext, draftID string) *form {
	b := newGroupForm(c, fs, g, ctx)
	b.draftID = draftID
	if b.draftID == "" {
		b.draftID = newDraftID()
	}
	b.frame = newForm(c, fs, paneRoutes, b)
	b.frame.hold(store.DraftGroup, b.draftID)
	return b.frame
}

func (f *groupForm) setCommon(c *Common) { f.c = c }
func (f *groupForm) keys() []key.Binding { return []key.Binding{f.c.Keys.FormToggle} }
func (f *groupForm) stuck() string       { return "" }

// draft writes the draft as the form is now: a half-built group survives a dropped link.
func (f *groupForm) draft() func() error {
	g := f.g
	g.Members, g.Grids = slices.Clone(g.Members), slices.Clone(g.Grids)
	g.Exceptions = maps.Clone(g.Exceptions)
	d := store.GroupDraft{Group: g, Focus: f.focus}
	c, id := f.c, f.draftID
	return func() error { return c.Store.SaveDraft(c.Ctx, c.Actor, store.DraftGroup, id, d) }
}

// discard drops the draft.
func (f *groupForm) discard() func() error {
	c, id := f.c, f.draftID
	return func() error { return c.Store.DiscardDraft(c.Ctx, c.Actor, store.DraftGroup, id) }
}
func (f *groupForm) refused(err error) string {
	return f.c.errText(err)
}

func (f *groupForm) title() string {
	if f.g.ID != "" {
		return fmt.Sprintf(f.c.T("gf.edit"), f.g.ID)
	}
	return f.c.T("gf.new")
}

// move steps the focus through the slots.
func (f *groupForm) move(delta int) {
	f.focus = (f.focus + delta + gSlots) % gSlots
	f.item = 0
}

// pick opens the member picker for the focused slot.
func (f *groupForm) pick(label string, secretariesFirst bool) {
	slot := f.focus
	f.fs.push(paneRoutes, askFor(f.c, f.fs, label, "", fixed(f.memberOptions(secretariesFirst)), func(val string) (tea.Cmd, string) {
		switch slot {
		case gSlotLeader:
			f.g.Leader = val
		case gSlotDeputy:
			f.g.Deputy = val
		case gSlotMembers:
			if !slices.Contains(f.g.Members, val) {
				f.g.Members = append(f.g.Members, val)
				f.item = len(f.g.Members) - 1
			}
		}
		return f.frame.touched(), ""
	}))
}

// update takes a key or a paste for the fields.
func (f *groupForm) update(msg tea.Msg) (tea.Cmd, bool) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if p, ok := msg.(tea.PasteMsg); ok && f.focus == gSlotName {
			cp, ok := cleanInput(p)
			if !ok {
				return nil, false
			}
			var cmd tea.Cmd
			f.input, cmd = f.input.Update(cp)
			f.g.Name = f.input.Value()
			return cmd, true
		}
		return nil, false
	}
	s := km.String()
	switch s {
	case "down":
		f.move(1)
		return nil, false
	case "up":
		f.move(-1)
		return nil, false
	}
	switch f.focus {
	case gSlotName:
		if s == "enter" {
			f.focus++
			return nil, false
		}
		ck, ok := cleanInput(km)
		if !ok {
			return nil, false
		}
		before := f.g.Name
		var cmd tea.Cmd
		f.input, cmd = f.input.Update(ck)
		f.g.Name = f.input.Value()
		return cmd, f.g.Name != before
	case gSlotGrids:
		switch s {
		case "left", "h":
			f.item = max(f.item-1, 0)
		case "right", "l":
			f.item = min(f.item+1, len(f.grids)-1)
		case "space", "enter":
			if f.item < len(f.grids) {
				code := f.grids[f.item].Code
				if i := slices.Index(f.g.Grids, code); i >= 0 {
					f.g.Grids = slices.Delete(f.g.Grids, i, i+1)
				} else {
					f.g.Grids = append(f.g.Grids, code)
					slices.Sort(f.g.Grids)
				}
				return nil, true
			}
		}
	case gSlotLeader, gSlotDeputy:
		if s == "enter" || s == "space" {
			label := f.c.T("gf.pick.leader")
			if f.focus == gSlotDeputy {
				label = f.c.T("gf.pick.deputy")
			}
			f.pick(label, f.focus == gSlotLeader)
		}
	case gSlotMembers:
		switch s {
		case "enter", "a":
			f.pick(f.c.T("gf.pick.member"), false)
		case "left", "h":
			f.item = max(f.item-1, 0)
		case "right", "l":
			f.item = min(f.item+1, max(len(f.g.Members)-1, 0))
		case "x", "delete", "backspace":
			if f.item < len(f.g.Members) {
				delete(f.g.Exceptions, f.g.Members[f.item])
				f.g.Members = slices.Delete(f.g.Members, f.item, f.item+1)
				f.item = max(min(f.item, len(f.g.Members)-1), 0)
				return nil, true
			}
		case "r":
			if f.item < len(f.g.Members) {
				id := f.g.Members[f.item]
				f.fs.push(paneRoutes, askFor(f.c, f.fs, fmt.Sprintf(f.c.T("gf.reason"), f.name(id)), f.g.Exceptions[id], nil, func(val string) (tea.Cmd, string) {
					if strings.TrimSpace(val) == "" {
						delete(f.g.Exceptions, id)
					} else {
						f.g.Exceptions[id] = val
					}
					return f.frame.touched(), ""
				}))
			}
		}
	}
	return nil, false
}

func (f *groupForm) save() tea.Cmd {
	g, c := f.g, f.c
	g.Members = slices.Clone(g.Members)
	id := f.draftID
	return func() tea.Msg {
		saved, _, err := c.Store.SaveGroup(c.Ctx, c.Actor, g)
		if err == nil {
			c.Store.DiscardDraft(c.Ctx, c.Actor, store.DraftGroup, id) // saved: the draft has served
		}
		return formSaved{text: fmt.Sprintf(c.T("gf.saved"), saved.Name), result: saved, err: err}
	}
}

// view renders the form with the rules' verdict under it.
func (f *groupForm) view(w, h int) string {
	st := f.c.Styles
	var out []string
	label := func(slot int, name string) string {
		l := views.Fit(name, 8)
		if slot == f.focus {
			return st.Selected.Render(l)
		}
		return st.Heading.Render(l)
	}
	name := f.g.Name
	if f.focus == gSlotName {
		f.input.SetWidth(max(w-12, 4))
		name = f.input.View()
	}
	out = append(out, " "+label(gSlotName, f.c.T("gf.name"))+" "+name)
	var gs []string
	for i, g := range f.grids {
		box := "[ ]"
		if slices.Contains(f.g.Grids, g.Code) {
			box = "[x]"
		}
		it := box + g.Name
		if f.focus == gSlotGrids && i == f.item {
			it = st.Selected.Render(it)
		}
		gs = append(gs, it)
	}
	out = append(out, views.Cut(" "+label(gSlotGrids, f.c.T("r.grids"))+" "+strings.Join(gs, " "), w))
	pick := func(id string) string {
		if id == "" {
			return st.Muted.Render(f.c.T("gf.enter"))
		}
		return f.name(id)
	}
	out = append(out, " "+label(gSlotLeader, f.c.T("r.leader"))+" "+pick(f.g.Leader))
	out = append(out, " "+label(gSlotDeputy, f.c.T("r.deputy"))+" "+pick(f.g.Deputy))
	var ms []string
	for i, id := range f.g.Members {
		it := f.name(id)
		if f.g.Exceptions[id] != "" {
			it += "*"
		}
		if f.focus == gSlotMembers && i == f.item {
			it = st.Selected.Render(it)
		}
		ms = append(ms, it)
	}
	if len(ms) == 0 {
		ms = []string{st.Muted.Render(f.c.T("gf.enter"))}
	}
	out = append(out, views.Cut(" "+label(gSlotMembers, f.c.T("gf.members"))+" "+strings.Join(ms, " "), w))
	out = append(out, st.HRule(w))
	issues := f.issues()
	if len(issues) == 0 {
		out = append(out, " "+st.OK.Render(f.c.T("gf.ok")))
	}
	for _, i := range issues {
		mark, s := "✗ ", st.Error
		if i.Warning {
			mark, s = "⚠ ", st.Warn
		}
		if st.ASCII {
			mark = map[bool]string{true: "! ", false: "x "}[i.Warning]
		}
		out = append(out, s.Render(views.Cut(" "+mark+explain(f.c, i, f.name, f.g.Exceptions[i.Member]), w)))
	}
	if len(out) > h {
		out = out[:h]
	}
	return strings.Join(out, "\n")
}
