package e2e

import (
	"slices"
	"testing"

	"sanbai/store"
)

// TestFactSheetOverSSH: a village user opens the fact sheet with i, adds an industry and
// saves; the store has it. An edit cut off by a dropped connection is back on the next login.
func TestFactSheetOverSSH(t *testing.T) {
	s := startServer(t, false)
	key := s.addUser(t, "陈静", store.RoleVillage, "DL")
	tm := s.open(t, key, 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("i")
	tm.waitText("东岭新村明白纸", "一、村情", "全村")
	tm.send("e")
	tm.waitText("编辑明白纸", "▸ 村情")
	// The industries field, cursor at its end: a new line is a new item.
	tm.send("tab", "enter", "蜂蜜加工")
	tm.waitText("蜂蜜加工")
	tm.send("ctrl+s")
	tm.waitText("明白纸已保存")
	fs, err := s.st.FactSheet(t.Context(), store.System(), "DL")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(fs.Industries, "蜂蜜加工") || fs.UpdatedBy != "陈静" {
		t.Fatalf("saved sheet %+v; want 蜂蜜加工 among the industries, by 陈静", fs)
	}

	tm.send("e", "tab", "tab", "tab", "enter", "建设村史馆")
	tm.waitText("草稿已存")
	tm.close()
	tm = s.open(t, key, 80, 24, nil)
	tm.waitText("覆盖  户")
	tm.send("i")
	tm.waitText("已恢复上次未保存的明白纸草稿", "▸ 五年远景", "建设村史馆")
}
