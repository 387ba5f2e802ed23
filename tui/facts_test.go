package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"sanbai/store"
)

// screen renders the model as plain text.
func screen(m *Model) string { return ansi.Strip(m.render()) }

// TestFactSheetReadAndEdit: i opens the village's fact sheet from any pane with its profile
// counts, cadres and written pages; a village user edits it, saves with ctrl+s, and the page
// shows the new text; a grid user of the same village reads it but may not edit.
func TestFactSheetReadAndEdit(t *testing.T) {
	st := seeded(t)
	village := store.User{Name: "东岭书记", Role: store.RoleVillage, Village: "DL"}
	m := New(Options{Store: st, User: village, Width: 80, Height: 24})
	drive(m, m.Init())
	press(m, "3", "i")
	s := screen(m)
	for _, want := range []string{"东岭新村明白纸", "一、村情", "东岭新村辖 5 个网格", "依山傍水"} {
		if !strings.Contains(s, want) {
			t.Fatalf("fact sheet lacks %q:\n%s", want, s)
		}
	}
	// Page down reaches the cadres, the services and the vision.
	press(m, "end")
	if s := screen(m); !strings.Contains(s, "重点任务") {
		t.Fatalf("end of the sheet lacks the key tasks:\n%s", s)
	}
	press(m, "e")
	if s := screen(m); !strings.Contains(s, "编辑明白纸") || !strings.Contains(s, "▸ 村情") {
		t.Fatalf("editor not open:\n%s", s)
	}
	press(m, "tab") // to the industries: one per line
	_, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnd, Mod: tea.ModCtrl})
	drive(m, cmd)
	for _, r := range "\n蜂蜜加工" {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		if r == '\n' {
			_, cmd = m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
		}
		drive(m, cmd)
	}
	_, cmd = m.Update(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	drive(m, cmd)
	fs, err := st.FactSheet(t.Context(), store.System(), "DL")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fs.Industries); n != 4 || fs.Industries[3] != "蜂蜜加工" || fs.UpdatedBy != "东岭书记" {
		t.Fatalf("saved industries %q by %q; want the three demo ones and 蜂蜜加工 by 东岭书记", fs.Industries, fs.UpdatedBy)
	}
	press(m, "home")
	if s := screen(m); !strings.Contains(s, "蜂蜜加工") || strings.Contains(s, "编辑明白纸") {
		t.Fatalf("after save the page should show the new industry:\n%s", s)
	}

	grid := store.User{Name: "网格员", Role: store.RoleGrid, Village: "DL", Grid: "DL01"}
	g := New(Options{Store: st, User: grid, Width: 80, Height: 24})
	drive(g, g.Init())
	press(g, "i", "e")
	if s := screen(g); !strings.Contains(s, "网格和督查只读") || !strings.Contains(s, "东岭新村明白纸") {
		t.Fatalf("a grid user should read but not edit:\n%s", s)
	}
}

// TestFactSheetEditSurvivesAndConflicts: an edit is kept as a draft while typing, so a new
// session resumes it; when someone saved the sheet meanwhile, saving asks before overwriting.
func TestFactSheetEditSurvivesAndConflicts(t *testing.T) {
	st := seeded(t)
	u := store.User{Name: "北塘书记", Role: store.RoleVillage, Village: "BT"}
	m := New(Options{Store: st, User: u, Width: 80, Height: 24})
	drive(m, m.Init())
	press(m, "i")
	if s := screen(m); !strings.Contains(s, "尚未填写") {
		t.Fatalf("北塘 has no written page yet:\n%s", s)
	}
	press(m, "e")
	for _, r := range "北塘新村临海" {
		_, cmd := m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		drive(m, cmd) // drives the draft tick too: the draft is written
	}
	// The connection drops; another officer saves the page meanwhile.
	if _, err := st.SetFactSheet(t.Context(), store.ActorFor(store.User{Name: "镇党建办", Role: store.RoleTownship}), store.FactSheet{Village: "BT", Profile: "镇里写的村情"}); err != nil {
		t.Fatal(err)
	}
	m2 := New(Options{Store: st, User: u, Width: 80, Height: 24})
	drive(m2, m2.Init())
	press(m2, "i")
	if s := screen(m2); !strings.Contains(s, "北塘新村临海") || !strings.Contains(s, "编辑明白纸") {
		t.Fatalf("the draft should be resumed in the editor:\n%s", s)
	}
	// A resumed draft is unsaved work: esc asks — keep it as a draft, discard it, or go on
	// editing — and takes no other key as an answer.
	press(m2, "esc")
	if s := screen(m2); !strings.Contains(s, "还有没保存的内容") || !strings.Contains(s, "k 存为草稿") {
		t.Fatalf("esc on a resumed draft should ask:\n%s", s)
	}
	press(m2, "x")
	if s := screen(m2); !strings.Contains(s, "还有没保存的内容") {
		t.Fatalf("a key that is no answer closed the question:\n%s", s)
	}
	press(m2, "esc")
	if s := screen(m2); !strings.Contains(s, "北塘新村临海") || !strings.Contains(s, "编辑明白纸") || strings.Contains(s, "还有没保存的内容") {
		t.Fatalf("esc again should go on editing:\n%s", s)
	}
	_, cmd := m2.Update(tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	drive(m2, cmd)
	if s := screen(m2); !strings.Contains(s, "镇党建办 在") {
		t.Fatalf("saving over a newer page should ask first:\n%s", s)
	}
	if fs, _ := st.FactSheet(t.Context(), store.System(), "BT"); fs.Profile != "镇里写的村情" {
		t.Fatalf("nothing should be written before the answer; profile %q", fs.Profile)
	}
	press(m2, "y")
	if fs, _ := st.FactSheet(t.Context(), store.System(), "BT"); fs.Profile != "北塘新村临海" || fs.UpdatedBy != "北塘书记" {
		t.Fatalf("after y the edit should be saved; got %q by %q", fs.Profile, fs.UpdatedBy)
	}
	if ds, _ := st.Drafts(t.Context(), store.ActorFor(u), store.DraftFactSheet); len(ds) > 0 {
		t.Fatal("the draft should be gone once saved")
	}
}

// TestRevisitDraftComesBack: a revisit form left half filled (the connection dropped) opens
// again at the next login, on the Revisit pane, with its household and concerns, though that
// pane is not the one a session starts on.
func TestRevisitDraftComesBack(t *testing.T) {
	st := seeded(t)
	u := store.User{Name: "东岭书记", Role: store.RoleVillage, Village: "DL"}
	m := New(Options{Store: st, User: u, Width: 100, Height: 30})
	drive(m, m.Init())
	press(m, "4", "v", "f")
	r := m.panes[paneRevisit].(*revisit)
	if r.body == nil {
		t.Fatalf("f on the checklist should open the form:\n%s", screen(m))
	}
	hh, first := r.body.hh, r.body.d.Answers[0].Concern
	r.body.d.Answers[0].Comment = "路灯修好了"
	drive(m, r.form.writeDraft())

	m2 := New(Options{Store: st, User: u, Width: 100, Height: 30})
	drive(m2, m2.Init())
	s := screen(m2)
	if !strings.Contains(s, "[4 回头看]") || !strings.Contains(s, "已恢复上次未保存的回访表") {
		t.Fatalf("the revisit draft should come back on the Revisit pane:\n%s", s)
	}
	f := m2.panes[paneRevisit].(*revisit).body
	if f == nil || f.hh.ID != hh.ID || f.concerns[first].ID != first || !strings.Contains(s, hh.Address) {
		t.Fatalf("the form should be back for %s (%s) with concern %s:\n%s", hh.ID, hh.Address, first, s)
	}
}
