package bench

import (
	"os"
	"strings"
	"testing"
)

// A pane counts as shown once its tab is marked, its own text is below the tab bar and
// nothing still loads: the tab bar and footer change at the key, before the pane's data is in.
func TestPaneShown(t *testing.T) {
	o := CountyOptions{Panes: []CountyPane{{Key: "1", Text: "覆盖"}, {Key: "2", Text: "次走访"}}, Loading: "正在读取…"}
	screen := func(lines ...string) string { return strings.Join(lines, "\n") }
	for _, c := range []struct {
		name   string
		screen string
		pane   int
		want   bool
	}{
		{"loaded", screen("[1 线路] 2 走访", " 覆盖  户 0/100000", "m 未覆盖"), 0, true},
		{"still loading", screen("[1 线路] 2 走访", " 正在读取…", "m 未覆盖"), 0, false},
		{"another pane's tab", screen(" 1 线路 [2 走访]", " 覆盖  户 0/100000", "a 新走访"), 0, false},
		{"the tab marked, the old pane's body", screen(" 1 线路 [2 走访]", " 覆盖  户 0/100000", "a 新走访"), 1, false},
		{"the second pane loaded", screen(" 1 线路 [2 走访]", " 共 0 次走访", "a 新走访"), 1, true},
	} {
		if got := o.paneShown(c.screen, c.pane); got != c.want {
			t.Errorf("%s: paneShown = %v, want %v", c.name, got, c.want)
		}
	}
}

// The selection is the row marked ▸ at its start; a screen without one has none.
func TestSelectedRow(t *testing.T) {
	if got := SelectedRow("tabs\n  AB-1 红\n▸ AB-2 黄\n  AB-3 绿"); got != 2 {
		t.Errorf("SelectedRow = %d, want 2", got)
	}
	if got := SelectedRow("tabs\n 覆盖 ▸ not at the start"); got != -1 {
		t.Errorf("SelectedRow without a mark = %d, want -1", got)
	}
}

// PeakRSS reads VmHWM from the process's status. (It is not compared with smaps_rollup's RSS:
// the kernel keeps the two counts apart and they may differ by a few pages.)
func TestPeakRSS(t *testing.T) {
	if peak := PeakRSS(os.Getpid()); peak <= 0 {
		t.Fatalf("PeakRSS = %d", peak)
	}
	if peak := PeakRSS(-1); peak != 0 {
		t.Errorf("PeakRSS of no process = %d, want 0", peak)
	}
}
