package bench

import (
	"fmt"
	"strings"
	"testing"
)

// ScrolledUp tells the tour's moves at the page edge from those inside it: a list that moved
// up by a row under a fixed header and over a footer scrolled; a mark that moved, a detail
// line that changed, or nothing at all did not.
func TestScrolledUp(t *testing.T) {
	screen := func(first, cursor int, footer string) string {
		lines := []string{"台账 青石镇", "编号 事项"}
		for i := first; i < first+6; i++ {
			mark := "  "
			if i == cursor {
				mark = "▸ "
			}
			lines = append(lines, fmt.Sprintf("%sWX%04d 路灯不亮", mark, i))
		}
		return strings.Join(append(lines, "────", footer), "\n")
	}
	for _, c := range []struct {
		name          string
		before, after string
		want          bool
	}{
		{"the list scrolled by a row", screen(0, 5, "r 挂红牌"), screen(1, 6, "r 挂红牌"), true},
		{"the cursor moved inside the page", screen(0, 2, "r 挂红牌"), screen(0, 3, "r 挂红牌"), false},
		{"the footer changed too", screen(0, 2, "r 挂红牌"), screen(0, 3, "已挂红牌"), false},
		{"nothing changed", screen(0, 2, ""), screen(0, 2, ""), false},
		{"a page", screen(0, 5, ""), screen(6, 6, ""), false},
	} {
		if got := ScrolledUp(c.before, c.after); got != c.want {
			t.Errorf("%s: ScrolledUp = %v, want %v", c.name, got, c.want)
		}
	}
}
