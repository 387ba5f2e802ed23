package e2e

import (
	"strings"
	"testing"
	"time"

	"sanbai/store"
)

// TestDiscardedDraftIsGone (issue 16, item 3): esc on a form with something typed asks; d
// discards it, and the draft is gone from the store and from the user's next session.
func TestDiscardedDraftIsGone(t *testing.T) {
	s := startServer(t, false)
	key := s.addUser(t, "陈静", store.RoleVillage, "DL")
	actor := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	tm := s.open(t, key, 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("2", "a")
	tm.waitText("输入地址")
	tm.send("enter") // the first household offered
	tm.waitText("调研登记表 · ")
	tm.send("tab", "tab", "tab", "tab", "*")
	tm.waitText("草稿已存")
	if len(draftsOf(t, s, actor, store.DraftVisit)) == 0 {
		t.Fatal("no draft while typing")
	}
	tm.send("esc")
	tm.waitText("还有没保存的内容", "d 放弃")
	tm.send("d")
	tm.waitText("已放弃，草稿已删除")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if len(draftsOf(t, s, actor, store.DraftVisit)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the draft is still in the store after d")
		}
		time.Sleep(20 * time.Millisecond)
	}
	tm.close()
	tm = s.open(t, key, 80, 24, nil)
	tm.waitText("覆盖  户")
	time.Sleep(300 * time.Millisecond) // a draft would come back with the first screens
	if scr := tm.screen(); strings.Contains(scr, "已恢复") || strings.Contains(scr, "调研登记表") {
		t.Fatalf("a discarded draft came back:\n%s", scr)
	}
}

// TestStuckDraftOffersDiscard (issue 16, item 3): a revisit form left as a draft whose concerns
// were then revisited from elsewhere comes back saying it can no longer be saved, and esc
// offers only to discard it: the user is never trapped in the form.
func TestStuckDraftOffersDiscard(t *testing.T) {
	s := startServer(t, false)
	key := s.addUser(t, "陈静", store.RoleVillage, "DL")
	actor := store.Actor{Name: "陈静", Role: store.RoleVillage, Village: "DL"}
	tm := s.open(t, key, 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("4")
	tm.waitText("[4 回头看]", "[汇总]")
	tm.send("v")
	tm.waitText("[待回访]")
	tm.send("f")
	tm.waitText("入户回访表")
	tm.send("tab", "tab", "2", "tab", "3", "tab", "群众说还在修")
	tm.waitText("草稿已存")
	time.Sleep(600 * time.Millisecond) // the last words' save
	var d store.RevisitDraft
	ds := draftsOf(t, s, actor, store.DraftRevisit)
	if len(ds) != 1 {
		t.Fatalf("%d revisit drafts, want 1", len(ds))
	}
	if err := ds[0].Decode(&d); err != nil {
		t.Fatal(err)
	}
	tm.close()
	// Meanwhile someone revisits the same household's concerns and saves.
	other := d
	for i := range other.Answers {
		other.Answers[i].Solved, other.Answers[i].Satisfaction, other.Answers[i].Comment = store.SolvedYes, store.Satisfactions()[0], "修好了"
	}
	if _, err := s.st.SaveRevisits(t.Context(), store.Actor{Name: "王强", Role: store.RoleVillage, Village: "DL"}, other); err != nil {
		t.Fatal(err)
	}
	tm = s.open(t, key, 80, 24, nil)
	tm.waitText("入户回访表", "不能再保存")
	tm.send("esc")
	scr := tm.waitText("只能放弃", "d 放弃")
	if strings.Contains(scr, "k 存为草稿") {
		t.Fatalf("a draft that cannot be saved offered to be kept:\n%s", scr)
	}
	tm.send("d")
	tm.waitText("已放弃")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if len(draftsOf(t, s, actor, store.DraftRevisit)) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the stuck draft is still in the store after d")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// draftsOf lists a user's drafts of a kind of form, from every session.
func draftsOf(t *testing.T, s *server, a store.Actor, kind store.DraftKind) []store.Draft {
	t.Helper()
	ds, err := s.st.Drafts(t.Context(), a, kind)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}
