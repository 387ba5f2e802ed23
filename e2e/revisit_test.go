package e2e

import (
	"strings"
	"testing"

	"sanbai/store"
)

// TestRevisitOutcomes fills revisit forms by keys with each kind of outcome and checks that a
// satisfied answer closes the concern, and that the others reopen it onto the notice list
// under the supervision of the village's township leader — in the store and on screen.
func TestRevisitOutcomes(t *testing.T) {
	s := startServer(t, false)
	// The leader in charge is one of the township's officials (the demo's 镇长).
	if err := s.st.SetVillageLeader(t.Context(), store.System(), "DL", "王志刚"); err != nil {
		t.Fatal(err)
	}
	tm := s.open(t, s.addUser(t, "陈静", store.RoleVillage, "DL"), 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("4")
	tm.waitText("[4 回头看]", "[汇总]")
	tm.send("v")
	tm.waitText("[待回访]")

	cases := []struct {
		name        string
		solved, sat string // digits picking the choice: 1 = 解决, 2 = 部分解决, 3 = 未解决; 1..5 = 非常满意..非常不满意
		want        store.Status
	}{
		{"solved and fairly satisfied", "1", "3", store.StatusClosed},
		{"partly solved", "2", "2", store.StatusReopened},
		{"solved but not satisfied", "1", "4", store.StatusReopened},
	}
	for _, c := range cases {
		scr := tm.screen()
		ids := idRE.FindAllString(line(scr, "▸"), -1)
		if len(ids) == 0 {
			t.Fatalf("%s: no household selected:\n%s", c.name, scr)
		}
		id := ids[0]
		tm.send("f")
		tm.waitText("入户回访表", id)
		// Date, who was met, then each concern: solved?, satisfaction, comment.
		tm.send("tab", "tab")
		for range ids {
			tm.send(c.solved, "tab", c.sat, "tab", "群众说："+c.name, "tab")
		}
		tm.send("ctrl+s")
		tm.waitText("已保存回访")
		got, err := s.st.Concern(t.Context(), store.System(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != c.want {
			t.Fatalf("%s: %s is %s, want %s", c.name, id, got.Status, c.want)
		}
		if c.want == store.StatusReopened {
			if got.Supervisor != "王志刚" || got.NoticeAt.IsZero() || !got.Plan.DeadlineSet {
				t.Fatalf("%s: not under supervision: %+v", c.name, got)
			}
			tm.send("v") // 通报
			tm.waitFor(id+" on the notice list", func(s string) bool { return strings.Contains(s, "[通报]") && strings.Contains(s, id) })
			tm.send("v") // 督办
			tm.waitFor(id+" supervised by 王志刚", func(s string) bool {
				return strings.Contains(s, "[督办]") && strings.Contains(line(s, id), "王志刚")
			})
			tm.send("v", "v", "v") // back round to 待回访
			tm.waitText("[待回访]")
		} else if got.Supervisor != "" {
			t.Fatalf("%s: a closed concern is supervised", c.name)
		}
		tm.waitFor(id+" gone from the checklist", func(s string) bool { return !strings.Contains(s, id) || !strings.Contains(s, "[待回访]") })
	}
	// Supervised concerns carry their mark in the ledger too.
	tm.send("3", "/", "督办", "enter")
	tm.waitText("[督办]")
}
