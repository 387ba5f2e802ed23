package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"sanbai/store"
)

// TestVisitDateAsTyped: the visit date is read as people write it — 12-04 is this year's —
// and a day in the future is refused at the date, in words, with nothing saved.
func TestVisitDateAsTyped(t *testing.T) {
	st := seeded(t)
	u := store.User{Name: "东岭书记", Role: store.RoleVillage, Village: "DL"}
	m := New(Options{Store: st, User: u, Width: 100, Height: 30})
	drive(m, m.Init())
	press(m, "2", "a")
	v := m.panes[paneVisits].(*visits)
	f := v.body
	hhs, _ := st.Households(t.Context(), store.ActorFor(u))
	h := store.CurrentHouseholds(hhs)[0]
	f.chooseHousehold(h.ID)
	f.d.Present = []string{h.Residents[0].ID}
	before, _ := st.Visits(t.Context(), store.ActorFor(u))

	save := func() {
		_, cmd := m.Update(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
		drive(m, cmd)
	}
	today := st.Now()
	future := today.AddDate(0, 0, 1).Format("01-02")
	f.leave()
	f.setText(slotDate, future)
	save()
	if s := screen(m); f.focus != slotDate || !strings.Contains(s, "! ") {
		t.Fatalf("a future day should be refused at the date:\n%s", s)
	}
	if vs, _ := st.Visits(t.Context(), store.ActorFor(u)); len(vs) != len(before) {
		t.Fatal("a visit dated tomorrow was saved")
	}
	yesterday := today.AddDate(0, 0, -1)
	f.leave()
	f.setText(slotDate, yesterday.Format("01-02"))
	f.input.SetValue(yesterday.Format("01-02"))
	save()
	vs, _ := st.Visits(t.Context(), store.ActorFor(u))
	if len(vs) != len(before)+1 {
		t.Fatalf("the visit was not saved:\n%s", screen(m))
	}
	seen := map[string]bool{}
	for _, x := range before {
		seen[x.ID] = true
	}
	for _, x := range vs {
		if !seen[x.ID] && (x.Household != h.ID || x.Date != yesterday.Format("2006-01-02")) {
			t.Fatalf("saved %s for %s dated %s, want %s dated %s", x.ID, x.Household, x.Date, h.ID, yesterday.Format("2006-01-02"))
		}
	}
}

// TestTwoSessionsTwoDrafts: two sessions of one person each type a visit form; each keeps its
// own draft, and neither writes over the other's.
func TestTwoSessionsTwoDrafts(t *testing.T) {
	st := seeded(t)
	u := store.User{Name: "东岭书记", Role: store.RoleVillage, Village: "DL"}
	a := store.ActorFor(u)
	var notes []string
	presence := NewPresence() // the server's: it knows which drafts live sessions hold
	for i, note := range []string{"第一个会话", "第二个会话"} {
		m := New(Options{Store: st, User: u, Width: 100, Height: 30, Presence: presence})
		drive(m, m.Init())
		press(m, "2", "a")
		v := m.panes[paneVisits].(*visits)
		v.body.leave()
		v.body.d.Notes = note
		drive(m, v.form.writeDraft())
		notes = append(notes, note)
		ds, err := st.Drafts(t.Context(), a, store.DraftVisit)
		if err != nil || len(ds) != i+1 {
			t.Fatalf("after session %d: %d drafts (%v)", i+1, len(ds), err)
		}
	}
	ds, _ := st.Drafts(t.Context(), a, store.DraftVisit)
	var got []string
	for _, d := range ds {
		var vd store.VisitDraft
		if err := d.Decode(&vd); err != nil {
			t.Fatal(err)
		}
		got = append(got, vd.Notes)
	}
	if !strings.Contains(strings.Join(got, ","), notes[0]) || !strings.Contains(strings.Join(got, ","), notes[1]) {
		t.Fatalf("drafts hold %v, want both %v", got, notes)
	}
}

// TestGroupFormDraft: a group half built is kept as a draft as it is typed; a new session
// (the link dropped) brings the form back as it was, and saving it drops the draft.
func TestGroupFormDraft(t *testing.T) {
	st := seeded(t)
	u := store.User{Name: "东岭书记", Role: store.RoleVillage, Village: "DL"}
	m := New(Options{Store: st, User: u, Width: 100, Height: 30})
	drive(m, m.Init())
	press(m, "1", "e") // edit the first group
	l := m.fs.top(paneRoutes)
	if l == nil {
		t.Fatalf("e should open the group form:\n%s", screen(m))
	}
	fr := l.comp.(*form)
	g := fr.body.(*groupForm)
	name := g.g.Name + "（改）"
	for _, r := range "（改）" {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		drive(m, cmd) // the draft tick too: the draft is written
	}
	if ds, _ := st.Drafts(t.Context(), store.ActorFor(u), store.DraftGroup); len(ds) != 1 {
		t.Fatalf("%d group drafts after typing, want 1", len(ds))
	}
	m2 := New(Options{Store: st, User: u, Width: 100, Height: 30})
	drive(m2, m2.Init())
	if s := screen(m2); !strings.Contains(s, name) || !strings.Contains(s, "已恢复上次未保存的小组表") {
		t.Fatalf("the group form should come back with %q:\n%s", name, s)
	}
	_, cmd := m2.Update(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	drive(m2, cmd)
	if ds, _ := st.Drafts(t.Context(), store.ActorFor(u), store.DraftGroup); len(ds) != 0 {
		t.Fatalf("%d group drafts after saving, want none\n%s", len(ds), screen(m2))
	}
}
