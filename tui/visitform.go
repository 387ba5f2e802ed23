package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"sanbai/dates"
	"sanbai/store"
	"sanbai/views"
)

// The slots of the registration form, in Tab order. Concerns add five slots each after the
// fixed ones.
const (
	slotHousehold = iota
	slotDate
	slotGroup
	slotMembers
	slotOfficer
	slotPresent
	slotTopics
	slotSuggestion
	slotNeed
	slotNight
	slotSpecial
	slotHardship
	slotHazardCat
	slotHazard
	slotNotes
	fixedSlots
)

// Per concern: description, tag, tier, category, what was done.
const (
	cDesc = iota
	cTag
	cTier
	cCat
	cDone
	concernSlots
)

// Choices the form offers.
var (
	specialGroups    = []string{"困难家庭", "孤寡老人", "留守儿童", "独居老人", "残疾人", "低保户"}
	hazardCategories = []string{"", "疫情防控", "安全生产", "环境整治", "信访矛盾", "村民纠纷", "其他"}
	concernCats      = []string{"基础设施", "用电安全", "安全生产", "环境整治", "医保社保", "低保救助", "养老服务", "村民纠纷", "信访矛盾", "便民服务", "就业", "夜校课程", "其他"}
	allTopics        = []string{store.TopicProfile, store.TopicCadres, store.TopicService, store.TopicVision}
)

// visitForm is the registration form (调研登记表) being typed in.
type visitForm struct {
	c       *Common
	d       store.VisitDraft
	focus   int
	item    int // the item within a checklist slot
	input   textinput.Model
	hh      map[string]*store.Household
	hhOpts  func() []option // the picker's options, made when first asked for
	filter  []option
	hcur    int
	groups  []store.Group
	members map[string]store.Member
	grids   map[string]string
	err     map[int]string
	frame   *form
	// visits are the pane's visits, newest first: a household visited before says so.
	visits []visitRow
	// officers are each village team's guiding officers (cadre IDs), cadres their names.
	officers map[string][]string
	cadres   map[string]string
}

// visitSaved reports a saved visit.
type visitSaved struct {
	v        store.Visit
	concerns []store.Concern
}

// newVisitForm opens the form over a draft.
func newVisitForm(c *Common, d store.VisitDraft, data *visitsData) *visitForm {
	cleanVisitDraft(&d)
	if d.DraftID == "" {
		d.DraftID = newDraftID() // a form of its own, not another session's
	}
	f := &visitForm{c: c, d: d, hh: data.households, hhOpts: data.pickerOptions, groups: data.groups,
		members: data.members, grids: data.grids, err: map[int]string{}, visits: data.rows,
		officers: data.officers, cadres: data.cadres}
	if f.d.Findings == nil {
		f.d.Findings = map[string]string{}
	}
	if f.d.Category == nil {
		f.d.Category = map[string]string{}
	}
	if f.d.Away == nil {
		f.d.Away = map[string]string{}
	}
	f.input = newInput(maxInput)
	f.focus = min(max(d.Focus, 0), f.slots()-1)
	f.enter()
	return f
}

// refresh points the form at the pane's newly loaded data (a household that moved out since
// the form opened shows as such).
func (f *visitForm) refresh(data *visitsData) {
	f.hh, f.hhOpts, f.groups, f.members, f.grids = data.households, data.pickerOptions, data.groups, data.members, data.grids
	f.visits, f.officers, f.cadres = data.rows, data.officers, data.cadres
	if f.focus == slotHousehold {
		f.refilter()
	}
}

// slots counts the form's slots.
func (f *visitForm) slots() int { return fixedSlots + concernSlots*len(f.d.Concerns) }

// concernAt returns which concern and which of its slots a slot index is.
func concernAt(slot int) (int, int) {
	return (slot - fixedSlots) / concernSlots, (slot - fixedSlots) % concernSlots
}

// findingKind maps the findings' text slots to their kind.
var findingKind = map[int]string{slotSuggestion: "suggestion", slotNeed: "need", slotNight: "nightschool",
	slotHardship: "hardship", slotHazard: "hazard"}

// isText reports whether a slot is typed into.
func (f *visitForm) isText(slot int) bool {
	switch slot {
	case slotHousehold, slotDate, slotNotes:
		return true
	}
	if _, ok := findingKind[slot]; ok {
		return true
	}
	if slot >= fixedSlots {
		_, k := concernAt(slot)
		return k == cDesc || k == cDone
	}
	return false
}

// getText returns the text of a text slot.
func (f *visitForm) getText(slot int) string {
	switch slot {
	case slotHousehold:
		return ""
	case slotDate:
		return f.d.Date
	case slotNotes:
		return f.d.Notes
	}
	if k, ok := findingKind[slot]; ok {
		return f.d.Findings[k]
	}
	if slot >= fixedSlots {
		i, k := concernAt(slot)
		if k == cDesc {
			return f.d.Concerns[i].Description
		}
		return f.d.Concerns[i].Done
	}
	return ""
}

// setText stores the text of a text slot.
func (f *visitForm) setText(slot int, v string) {
	switch slot {
	case slotHousehold:
		return
	case slotDate:
		f.d.Date = v
		return
	case slotNotes:
		f.d.Notes = v
		return
	}
	if k, ok := findingKind[slot]; ok {
		f.d.Findings[k] = v
		return
	}
	if slot >= fixedSlots {
		i, k := concernAt(slot)
		if k == cDesc {
			f.d.Concerns[i].Description = v
		} else if k == cDone {
			f.d.Concerns[i].Done = v
		}
	}
}

// enter puts the focused slot's text into the input.
func (f *visitForm) enter() {
	f.item = 0
	f.input.Placeholder = ""
	if f.focus == slotHousehold {
		f.input.Placeholder = f.c.T("vf.pick")
	}
	if f.isText(f.focus) {
		f.input.SetValue(f.getText(f.focus))
		f.input.CursorEnd()
		f.input.Focus()
		if f.focus == slotHousehold {
			f.refilter()
		}
	} else {
		f.input.Blur()
	}
}

// leave writes the input back into the draft.
func (f *visitForm) leave() {
	if f.isText(f.focus) {
		f.setText(f.focus, f.input.Value())
	}
}

// move changes focus by delta slots, skipping "what was done" for concerns passed on.
func (f *visitForm) move(delta int) {
	f.leave()
	n := f.slots()
	next := f.focus
	for range n {
		next = (next + delta + n) % n
		if next == slotOfficer && len(f.officers[f.d.Village]) == 0 && f.d.Officer == "" {
			continue // the village's team has no guiding officer to name
		}
		if next >= fixedSlots {
			i, k := concernAt(next)
			if k == cDone && !f.d.Concerns[i].OnSite {
				continue
			}
		}
		break
	}
	f.focus = next
	f.enter()
}

// refilter narrows the household picker to what was typed.
func (f *visitForm) refilter() {
	q := f.input.Value()
	f.filter = f.filter[:0]
	for _, o := range f.hhOpts() {
		if matches(o.key, q) {
			f.filter = append(f.filter, o)
			if len(f.filter) >= 200 {
				break
			}
		}
	}
	f.hcur = min(f.hcur, max(len(f.filter)-1, 0))
}

// lastVisit is the household's previous visit (not the one being corrected), if any.
func (f *visitForm) lastVisit() (store.Visit, bool) {
	for _, r := range f.visits {
		if r.v.Household == f.d.Household && r.v.ID != f.d.Editing {
			return r.v, true
		}
	}
	return store.Visit{}, false
}

// residents are the household's people in the order the form lists them: those the last
// visit missed first, as the ones to look for.
func (f *visitForm) residents() []store.Resident {
	h, ok := f.household()
	if !ok {
		return nil
	}
	last, ok := f.lastVisit()
	if !ok {
		return h.Residents
	}
	out := make([]store.Resident, 0, len(h.Residents))
	for _, r := range h.Residents {
		if !slices.Contains(last.Present, r.ID) {
			out = append(out, r)
		}
	}
	for _, r := range h.Residents {
		if slices.Contains(last.Present, r.ID) {
			out = append(out, r)
		}
	}
	return out
}

// markAll marks everyone at home (on the presence slot) or every topic told (on 四讲).
func (f *visitForm) markAll() bool {
	switch f.focus {
	case slotPresent:
		f.d.Present, f.d.Away = nil, map[string]string{}
		for _, r := range f.residents() {
			f.d.Present = append(f.d.Present, r.ID)
		}
	case slotTopics:
		f.d.Topics = append([]string(nil), allTopics...)
	default:
		return false
	}
	return true
}

// household returns the chosen household.
func (f *visitForm) household() (store.Household, bool) {
	if h, ok := f.hh[f.d.Household]; ok {
		return *h, true
	}
	return store.Household{}, false
}

// chooseHousehold sets the household and what follows from it: everyone present, its special
// groups, and a group that visits its grid if none is chosen.
func (f *visitForm) chooseHousehold(id string) {
	h, ok := f.hh[id]
	if !ok {
		return
	}
	f.d.Household, f.d.Village = id, h.Village
	// Nobody is marked at home or away until the person filling the form says so: a
	// household counted as fully met must have been seen to be.
	f.d.Present = nil
	f.d.Away = map[string]string{}
	f.d.Special = slices.Clone(h.Special)
	if g := f.group(); g == nil || !slices.Contains(g.Grids, h.Grid) {
		for _, gr := range f.groups {
			if gr.Village == h.Village && slices.Contains(gr.Grids, h.Grid) {
				f.setGroup(gr)
				break
			}
		}
	}
}

// group returns the chosen group.
func (f *visitForm) group() *store.Group {
	for i := range f.groups {
		if f.groups[i].ID == f.d.Group {
			return &f.groups[i]
		}
	}
	return nil
}

// setGroup chooses a group and ticks its members as present at the visit.
func (f *visitForm) setGroup(g store.Group) {
	f.d.Group = g.ID
	f.d.Members = append([]string{g.Leader, g.Deputy}, g.Members...)
}

// groupChoices are the groups of the household's village (or all, before a household).
func (f *visitForm) groupChoices() []store.Group {
	h, ok := f.household()
	var out []store.Group
	for _, g := range f.groups {
		if !ok || g.Village == h.Village {
			out = append(out, g)
		}
	}
	return out
}

// checkItems lists a checklist slot's items: label, whether ticked.
func (f *visitForm) checkItems(slot int) (labels []string, on []bool) {
	switch slot {
	case slotMembers:
		g := f.group()
		if g == nil {
			return nil, nil
		}
		for _, id := range append([]string{g.Leader, g.Deputy}, g.Members...) {
			labels = append(labels, f.members[id].Name)
			on = append(on, slices.Contains(f.d.Members, id))
		}
	case slotPresent:
		for _, r := range f.residents() {
			here := slices.Contains(f.d.Present, r.ID)
			l := r.Name
			if reason, away := f.d.Away[r.ID]; away && !here {
				// [-] away, with why; [ ] not marked yet.
				l = "\x00" + l + "(" + reason + ")"
			}
			labels = append(labels, l)
			on = append(on, here)
		}
	case slotTopics:
		for _, t := range allTopics {
			labels = append(labels, t)
			on = append(on, slices.Contains(f.d.Topics, t))
		}
	case slotSpecial:
		for _, s := range specialGroups {
			labels = append(labels, s)
			on = append(on, slices.Contains(f.d.Special, s))
		}
	}
	return labels, on
}

// toggle flips the current item of a checklist slot.
func (f *visitForm) toggle() {
	flip := func(list []string, v string) []string {
		if i := slices.Index(list, v); i >= 0 {
			return slices.Delete(list, i, i+1)
		}
		return append(list, v)
	}
	switch f.focus {
	case slotMembers:
		if g := f.group(); g != nil {
			ids := append([]string{g.Leader, g.Deputy}, g.Members...)
			if f.item < len(ids) {
				f.d.Members = flip(f.d.Members, ids[f.item])
			}
		}
	case slotPresent:
		// Space: at home, or not marked again; r marks away (see cycleReason).
		if rs := f.residents(); f.item < len(rs) {
			id := rs[f.item].ID
			delete(f.d.Away, id)
			f.d.Present = flip(f.d.Present, id)
		}
	case slotTopics:
		f.d.Topics = flip(f.d.Topics, allTopics[f.item])
	case slotSpecial:
		f.d.Special = flip(f.d.Special, specialGroups[f.item])
	}
}

// cycleReason steps the away reason of the current resident (and marks them away).
func (f *visitForm) cycleReason() {
	rs := f.residents()
	if f.item >= len(rs) {
		return
	}
	id := rs[f.item].ID
	if i := slices.Index(f.d.Present, id); i >= 0 {
		f.d.Present = slices.Delete(f.d.Present, i, i+1)
	}
	if _, away := f.d.Away[id]; !away {
		f.d.Away[id] = store.AwayReasons()[0]
		return
	}
	f.d.Away[id] = cycle(f.d.Away[id], store.AwayReasons())
}

// choose steps a choice slot forwards (dir 1) or back (-1).
func (f *visitForm) choose(dir int) {
	step := func(vals []string, cur string) string {
		i := slices.Index(vals, cur)
		return vals[((i+dir)%len(vals)+len(vals))%len(vals)]
	}
	switch f.focus {
	case slotGroup:
		gs := f.groupChoices()
		if len(gs) == 0 {
			return
		}
		var ids []string
		for _, g := range gs {
			ids = append(ids, g.ID)
		}
		id := step(ids, f.d.Group)
		for _, g := range gs {
			if g.ID == id {
				f.setGroup(g)
			}
		}
	case slotHazardCat:
		f.d.Category["hazard"] = step(hazardCategories, f.d.Category["hazard"])
	case slotOfficer:
		// None, or one of the village team's guiding officers.
		f.d.Officer = step(append([]string{""}, f.officers[f.d.Village]...), f.d.Officer)
	default:
		if f.focus < fixedSlots {
			return
		}
		i, k := concernAt(f.focus)
		c := &f.d.Concerns[i]
		switch k {
		case cTag:
			c.Tag = store.Tag(step([]string{"red", "yellow", "green"}, string(c.Tag)))
		case cTier:
			c.OnSite = !c.OnSite
		case cCat:
			c.Category = step(concernCats, c.Category)
		}
	}
}

// addConcern appends a concern passed on to the grid and focuses its description.
func (f *visitForm) addConcern() {
	f.leave()
	cat := concernCats[len(concernCats)-1]
	if f.d.Category["hazard"] != "" && f.d.Findings["hazard"] != "" {
		cat = f.d.Category["hazard"]
		if !slices.Contains(concernCats, cat) {
			cat = concernCats[len(concernCats)-1]
		}
	}
	f.d.Concerns = append(f.d.Concerns, store.DraftConcern{Tag: store.TagGreen, Category: cat})
	f.focus = fixedSlots + concernSlots*(len(f.d.Concerns)-1)
	f.enter()
}

// removeConcern deletes the focused concern.
func (f *visitForm) removeConcern() {
	if f.focus < fixedSlots {
		return
	}
	i, _ := concernAt(f.focus)
	f.d.Concerns = slices.Delete(f.d.Concerns, i, i+1)
	f.focus = min(f.focus, f.slots()-1)
	if f.focus >= fixedSlots {
		f.focus = fixedSlots + concernSlots*((f.focus-fixedSlots)/concernSlots)
	}
	f.enter()
}

// draft writes the draft as the form is now.
func (f *visitForm) draft() func() error {
	f.leave()
	d := f.d
	d.Focus = f.focus
	d.Present, d.Members, d.Topics, d.Special = slices.Clone(d.Present), slices.Clone(d.Members), slices.Clone(d.Topics), slices.Clone(d.Special)
	d.Concerns = slices.Clone(d.Concerns)
	d.Findings, d.Category, d.Away = cloneMap(d.Findings), cloneMap(d.Category), cloneMap(d.Away)
	c := f.c
	return func() error { return c.Store.SaveDraft(c.Ctx, c.Actor, store.DraftVisit, d.DraftID, d) }
}

// discard drops the draft.
func (f *visitForm) discard() func() error {
	c, id := f.c, f.d.DraftID
	return func() error { return c.Store.DiscardDraft(c.Ctx, c.Actor, store.DraftVisit, id) }
}

func (f *visitForm) setCommon(c *Common) { f.c = c }

// title names the form: a new registration form, or the visit being corrected.
func (f *visitForm) title() string {
	t := f.c.T("vf.title")
	if f.d.Editing != "" {
		t = fmt.Sprintf(f.c.T("vf.title.edit"), f.d.Editing)
	}
	// The household stays in sight however far down the form is scrolled.
	if h, ok := f.household(); ok {
		t += " · " + h.Address + " " + h.Head().Name
	}
	return t
}

// stuck says why the draft can no longer be saved: its household has moved out.
func (f *visitForm) stuck() string {
	if f.d.Household == "" {
		return ""
	}
	if h, ok := f.hh[f.d.Household]; ok {
		if _, current := h.Current(); !current {
			return fmt.Sprintf(f.c.T("vf.stuck.moved"), h.Address)
		}
	}
	return ""
}

func (f *visitForm) keys() []key.Binding {
	k := f.c.Keys
	return []key.Binding{k.FormConcern, k.FormToggle}
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// save validates and saves the visit.
func (f *visitForm) save() tea.Cmd {
	f.leave()
	d := f.d
	c := f.c
	return func() tea.Msg {
		// The date as people write it (12-05, 昨天, 2026-12-05): a day without its year is
		// this year's, never a day in the future nor before the campaign began.
		start, _ := c.Store.CampaignStart(c.Ctx, c.Actor)
		day, err := dates.Past(d.Date, c.Store.Now(), start)
		if err != nil {
			return formSaved{err: err}
		}
		d.Date = day
		v, cs, err := c.Store.SaveVisit(c.Ctx, c.Actor, d)
		return formSaved{text: fmt.Sprintf(c.T("vf.saved.ok"), v.ID, len(cs)), result: visitSaved{v: v, concerns: cs}, err: err}
	}
}

// refused shows a refused save at the field it names.
func (f *visitForm) refused(err error) string {
	var de *dates.Error
	if errors.As(err, &de) {
		f.leave()
		f.focus = slotDate
		f.enter()
		f.err[slotDate] = f.c.errText(err)
		return f.err[slotDate]
	}
	fe, ok := store.IsFormError(err)
	if !ok {
		return f.c.errText(err)
	}
	slot := slotOfField(fe.Field)
	f.err[slot] = f.c.T("fe." + fe.Code)
	if fe.Code == "date.before" {
		if parts := strings.SplitN(fe.Msg, "(", 2); len(parts) == 2 {
			f.err[slot] += " (" + strings.TrimSuffix(parts[1], ")") + ")"
		}
	}
	f.leave()
	f.focus = slot
	f.enter()
	return f.err[slot]
}

// slotOfField maps a store.FormError field to the slot that shows it.
func slotOfField(field string) int {
	switch {
	case field == "household":
		return slotHousehold
	case field == "date":
		return slotDate
	case field == "present":
		return slotPresent
	case strings.HasPrefix(field, "concern."):
		var i int
		var what string
		fmt.Sscanf(strings.ReplaceAll(strings.TrimPrefix(field, "concern."), ".", " "), "%d %s", &i, &what)
		if what == "done" {
			return fixedSlots + concernSlots*i + cDone
		}
		return fixedSlots + concernSlots*i + cDesc
	}
	return slotHousehold
}

// update takes a key or a paste for the fields, and reports whether the content changed.
func (f *visitForm) update(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if cm, ok := cleanInput(msg); ok && f.isText(f.focus) {
			var cmd tea.Cmd
			f.input, cmd = f.input.Update(cm)
			if f.focus == slotHousehold {
				f.refilter()
			}
			return cmd, true
		}
	case tea.KeyPressMsg:
		return f.key(msg)
	}
	return nil, false
}

// key handles a key in the form.
// key handles a key in the form; moving between fields changes nothing to save.
func (f *visitForm) key(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	delete(f.err, f.focus)
	s := msg.String()
	switch s {
	case "down":
		if f.focus == slotHousehold && len(f.filter) > 0 {
			f.hcur = min(f.hcur+1, len(f.filter)-1)
			return nil, false
		}
		f.move(1)
		return nil, false
	case "up":
		if f.focus == slotHousehold && f.hcur > 0 {
			f.hcur--
			return nil, false
		}
		f.move(-1)
		return nil, false
	case "ctrl+n":
		f.addConcern()
		return nil, true
	case "ctrl+d":
		f.removeConcern()
		return nil, true
	case "enter":
		if f.focus == slotHousehold {
			if len(f.filter) > 0 {
				f.chooseHousehold(f.filter[f.hcur].value)
				f.input.SetValue("")
				f.move(1)
				return nil, true
			}
			return nil, false
		}
		f.move(1)
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
		if f.focus == slotHousehold {
			f.hcur = 0
			f.refilter()
		}
		// Typing in the household slot searches; choosing one is the change.
		return cmd, f.focus != slotHousehold && f.input.Value() != before
	}
	labels, _ := f.checkItems(f.focus)
	switch s {
	case "left", "h":
		if labels != nil {
			f.item = max(f.item-1, 0)
		} else {
			f.choose(-1)
		}
	case "right", "l":
		if labels != nil {
			f.item = min(f.item+1, max(len(labels)-1, 0))
		} else {
			f.choose(1)
		}
	case "space":
		if labels != nil {
			f.toggle()
		} else {
			f.choose(1)
		}
	case "*":
		if !f.markAll() {
			return nil, false
		}
	case "r", "y", "g":
		if f.focus >= fixedSlots {
			if i, k := concernAt(f.focus); k == cTag {
				f.d.Concerns[i].Tag = map[string]store.Tag{"r": store.TagRed, "y": store.TagYellow, "g": store.TagGreen}[s]
			}
		}
		if s == "r" && f.focus == slotPresent {
			f.cycleReason()
		}
	case "o", "w":
		if f.focus >= fixedSlots {
			if i, k := concernAt(f.focus); k == cTier {
				f.d.Concerns[i].OnSite = s == "o"
			}
		}
	default:
		return nil, false
	}
	return nil, true
}

// formLine is one line of the form and the slot it belongs to (-1 for none).
type formLine struct {
	slot int
	text string
}

// lines renders the form w cells wide.
func (f *visitForm) lines(w int) []formLine {
	st := f.c.Styles
	var out []formLine
	label := func(slot int, name string) string {
		l := views.Fit(name, 8)
		if slot == f.focus {
			return st.Selected.Render(l)
		}
		return st.Heading.Render(l)
	}
	// value renders a text slot whose text starts after indent cells.
	value := func(slot, indent int) string {
		if slot == f.focus && f.isText(slot) {
			f.input.SetWidth(max(w-indent-2, 4))
			return f.input.View()
		}
		return views.Cut(strings.ReplaceAll(f.getText(slot), "\n", " "), max(w-indent-1, 1))
	}
	add := func(slot int, s string) { out = append(out, formLine{slot, views.Cut(s, w)}) }
	errLine := func(slot int) {
		if e := f.err[slot]; e != "" {
			add(slot, "          "+st.Error.Render("! "+e))
		}
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
	checks := func(slot int, name string) {
		labels, on := f.checkItems(slot)
		var items []string
		for i, l := range labels {
			box := "[ ]"
			if on[i] {
				box = "[x]"
			} else if strings.HasPrefix(l, "\x00") {
				box, l = "[-]", l[1:] // away
			}
			it := box + l
			if slot == f.focus && i == f.item {
				it = st.Selected.Render(it)
			}
			items = append(items, it)
		}
		if len(items) == 0 {
			items = []string{st.Muted.Render("—")}
		}
		// Wrap the items under the label when they do not fit one line.
		line, first := "", true
		for _, it := range items {
			if line != "" && views.Width(line)+1+views.Width(it) > w-10 {
				if first {
					add(slot, " "+label(slot, name)+" "+line)
				} else {
					add(slot, "          "+line)
				}
				line, first = "", false
			}
			if line != "" {
				line += " "
			}
			line += it
		}
		if first {
			add(slot, " "+label(slot, name)+" "+line)
		} else {
			add(slot, "          "+line)
		}
	}

	// Household, with the picker open beneath it while it has focus.
	hhText := st.Muted.Render(f.c.T("vf.pick"))
	if h, ok := f.household(); ok {
		hhText = fmt.Sprintf("%s %s  %s (%d%s)", f.grids[h.Grid], h.Address, h.Head().Name, len(h.Residents), f.c.T("r.people"))
	}
	saved := ""
	if f.focus == slotHousehold {
		f.input.SetWidth(max(w-13, 4))
		hhText = f.input.View()
		if h, ok := f.household(); ok && f.input.Value() == "" {
			hhText += st.Muted.Render(" " + h.Address + " " + h.Head().Name)
		}
	}
	head := " " + label(slotHousehold, f.c.T("d.household")) + " " + hhText
	gap := max(w-views.Width(head)-views.Width(saved), 1)
	add(slotHousehold, head+strings.Repeat(" ", gap)+saved)
	errLine(slotHousehold)
	if last, ok := f.lastVisit(); ok {
		// Visited before: when, and whom that visit missed (they are listed first below).
		var missed []string
		for _, r := range f.residents() {
			if !slices.Contains(last.Present, r.ID) {
				missed = append(missed, r.Name)
			}
		}
		note := fmt.Sprintf(f.c.T("vf.last"), f.c.day(last.Date))
		if len(missed) > 0 {
			note += fmt.Sprintf(f.c.T("vf.last.missed"), strings.Join(missed, "、"))
		} else {
			note += f.c.T("vf.last.all")
		}
		add(slotHousehold, "          "+st.Warn.Render(note))
	}
	if f.focus == slotHousehold {
		n := min(len(f.filter), 6)
		from := max(0, min(f.hcur-n+1, len(f.filter)-n))
		for i := from; i < from+n; i++ {
			l := "   " + views.Fit(f.filter[i].label, w-4)
			if i == f.hcur {
				l = "  " + st.Selected.Render(views.Fit("▸"+f.filter[i].label, w-3))
			}
			add(slotHousehold, l)
		}
		if len(f.filter) == 0 {
			add(slotHousehold, "   "+st.Muted.Render(f.c.T("vf.nomatch")))
		}
	}
	add(slotDate, " "+label(slotDate, f.c.T("v.date"))+" "+value(slotDate, 10))
	errLine(slotDate)
	gname := ""
	if g := f.group(); g != nil {
		var grids []string
		for _, gc := range g.Grids {
			grids = append(grids, f.grids[gc])
		}
		gname = g.Name + " (" + strings.Join(grids, ",") + ")"
	}
	add(slotGroup, " "+label(slotGroup, f.c.T("v.group"))+" "+choice(slotGroup, gname))
	checks(slotMembers, f.c.T("v.members"))
	officer := ""
	if f.d.Officer != "" {
		officer = f.cadres[f.d.Officer]
	}
	if len(f.officers[f.d.Village]) > 0 || officer != "" {
		add(slotOfficer, " "+label(slotOfficer, f.c.T("vf.officer"))+" "+choice(slotOfficer, officer))
	}
	checks(slotPresent, f.c.T("v.present"))
	checks(slotTopics, f.c.T("v.topics"))
	add(-1, " "+st.Muted.Render("─ "+f.c.T("v.findings")+" "+strings.Repeat("─", max(w-12, 0))))
	add(slotSuggestion, " "+label(slotSuggestion, f.c.T("f.suggestion"))+" "+value(slotSuggestion, 10))
	add(slotNeed, " "+label(slotNeed, f.c.T("f.need"))+" "+value(slotNeed, 10))
	add(slotNight, " "+label(slotNight, f.c.T("f.nightschool"))+" "+value(slotNight, 10))
	checks(slotSpecial, f.c.T("f.hardship"))
	add(slotHardship, " "+label(slotHardship, f.c.T("vf.hardship.text"))+" "+value(slotHardship, 10))
	add(slotHazardCat, " "+label(slotHazardCat, f.c.T("vf.hazard.cat"))+" "+choice(slotHazardCat, f.d.Category["hazard"]))
	add(slotHazard, " "+label(slotHazard, f.c.T("f.hazard"))+" "+value(slotHazard, 10))
	add(slotNotes, " "+label(slotNotes, f.c.T("v.notes"))+" "+value(slotNotes, 10))
	add(-1, " "+st.Muted.Render("─ "+f.c.T("v.concerns")+" (ctrl+n) "+strings.Repeat("─", max(w-20, 0))))
	for i, c := range f.d.Concerns {
		base := fixedSlots + concernSlots*i
		add(base+cDesc, " "+label(base+cDesc, fmt.Sprintf("%s%d", f.c.T("v.concerns"), i+1))+" "+value(base+cDesc, 10))
		errLine(base + cDesc)
		tier := f.c.T("vf.grid")
		if c.OnSite {
			tier = f.c.T("vf.onsite")
		}
		add(base+cTag, "          "+f.c.T("q.tag")+" "+choice(base+cTag, f.c.T("tag."+string(c.Tag)))+"  "+
			choice(base+cTier, tier)+"  "+choice(base+cCat, c.Category))
		if c.OnSite {
			add(base+cDone, "          "+label(base+cDone, f.c.T("vf.done"))+" "+value(base+cDone, 19))
			errLine(base + cDone)
		}
	}
	if len(f.d.Concerns) == 0 {
		add(-1, "          "+st.Muted.Render(f.c.T("vf.noconcern")))
	}
	return out
}

// view renders the form in w×h, scrolled so the focused slot shows.
func (f *visitForm) view(w, h int) string {
	ls := f.lines(w)
	want := f.focus
	if want >= fixedSlots {
		// A concern's tag, tier and category share one line.
		if i, k := concernAt(want); k == cTier || k == cCat {
			want = fixedSlots + concernSlots*i + cTag
		}
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
