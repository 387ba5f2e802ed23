package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"sanbai/store"
)

// TestVisitFormCleansInputAndDrafts (issue 17, finding 7): a bidi override (U+202E) typed or
// pasted into a visit-form field never reaches the field, the screen or the saved draft; and
// a draft saved with one before this (or escape sequences) comes back clean at the next login.
func TestVisitFormCleansInputAndDrafts(t *testing.T) {
	st := seeded(t)
	u := store.User{Name: "东岭书记", Role: store.RoleVillage, Village: "DL"}
	actor := store.ActorFor(u)
	m := New(Options{Store: st, User: u, Width: 100, Height: 30})
	drive(m, m.Init())
	press(m, "2", "a")
	v := m.panes[paneVisits].(*visits)
	if v.body == nil {
		t.Fatalf("a on the visits pane should open the form:\n%s", screen(m))
	}
	f := v.body
	f.leave()
	f.focus = slotSuggestion
	f.enter()
	for _, msg := range []tea.Msg{
		tea.PasteMsg{Content: "修\u202e路\x1b[2J"},
		tea.KeyPressMsg{Code: 0x202E, Text: "\u202e"},
		keyMsg("灯"),
		tea.PasteMsg{Content: "\u2066亮\u2069"},
	} {
		_, cmd := m.Update(msg)
		drive(m, cmd)
	}
	if got := f.input.Value(); got != "修路灯亮" {
		t.Fatalf("the field holds %q", got)
	}
	if s := screen(m); strings.ContainsAny(s, "\u202e\u2066\u2069") || !strings.Contains(s, "修路灯亮") {
		t.Fatalf("the screen:\n%q", s)
	}
	drive(m, v.form.writeDraft())
	var d store.VisitDraft
	id, ok := m.c.drafts()(store.DraftVisit, &d)
	if !ok || d.Findings["suggestion"] != "修路灯亮" {
		t.Fatalf("the saved draft: %q", d.Findings["suggestion"])
	}

	// A draft saved with a bidi override and an escape sequence in it, as one was before.
	d.Findings["suggestion"] = "路灯\u202e坏了"
	d.Notes = "\x1b]0;pwned\x07备注"
	d.Concerns = []store.DraftConcern{{Description: "\u202e漏水", Tag: store.TagGreen}}
	if err := st.SaveDraft(t.Context(), actor, store.DraftVisit, id, d); err != nil {
		t.Fatal(err)
	}
	m2 := New(Options{Store: st, User: u, Width: 100, Height: 30})
	drive(m2, m2.Init())
	s := screen(m2)
	f2 := m2.panes[paneVisits].(*visits).body
	if f2 == nil || !strings.Contains(s, "已恢复上次未保存的走访草稿") {
		t.Fatalf("the draft should come back:\n%s", s)
	}
	for _, text := range []string{f2.d.Findings["suggestion"], f2.d.Notes, f2.d.Concerns[0].Description, f2.input.Value(), s} {
		if strings.ContainsAny(text, "\u202e\x1b\x07") {
			t.Fatalf("a restored draft still holds control text: %q", text)
		}
	}
	if f2.d.Findings["suggestion"] != "路灯坏了" || f2.d.Notes != "备注" || f2.d.Concerns[0].Description != "漏水" {
		t.Fatalf("restored: %q %q %q", f2.d.Findings["suggestion"], f2.d.Notes, f2.d.Concerns[0].Description)
	}
}

// TestCleanInput: what every text field's update path does to a key or a paste.
func TestCleanInput(t *testing.T) {
	cases := []struct {
		in   tea.Msg
		want tea.Msg
		ok   bool
	}{
		{keyMsg("王"), keyMsg("王"), true},
		{tea.KeyPressMsg{Code: ' ', Text: " "}, tea.KeyPressMsg{Code: ' ', Text: " "}, true},
		{tea.KeyPressMsg{Code: 0x202E, Text: "\u202e"}, nil, false},
		{tea.KeyPressMsg{Code: tea.KeyEnter}, tea.KeyPressMsg{Code: tea.KeyEnter}, true},
		{tea.PasteMsg{Content: " a\u202eb\nc "}, tea.PasteMsg{Content: " ab c "}, true},
		{tea.PasteMsg{Content: "\x1b[31m"}, nil, false},
	}
	for _, c := range cases {
		got, ok := cleanInput(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("cleanInput(%#v) = %#v, %v", c.in, got, ok)
		}
	}
	if got, _ := cleanInputText(tea.PasteMsg{Content: "第一行\r\n第\u202e二行"}); got != (tea.PasteMsg{Content: "第一行\n第二行"}) {
		t.Errorf("a multi-line paste: %#v", got)
	}
}
