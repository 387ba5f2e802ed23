package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"sanbai/query"
	"sanbai/store"
)

// TestQueueSortKey: s steps through the orders, the filter line names the one in force, the
// rows follow it, and the cursor stays on the concern it was on.
func TestQueueSortKey(t *testing.T) {
	st := seeded(t)
	m := New(Options{Store: st, User: store.User{Name: "李明", Role: store.RoleTownship}, Width: 80, Height: 24})
	drive(m, m.Init())
	press(m, "3", "j", "j")
	q := m.panes[2].(*queue)
	was := q.selected
	press(m, "s")
	v := ansi.Strip(m.View().Content)
	if !strings.Contains(v, "按时限") {
		t.Fatalf("the filter line does not name the order:\n%s", v)
	}
	if q.selected != was {
		t.Fatalf("cursor moved from %s to %s", was, q.selected)
	}
	for i := 1; i < len(q.rows); i++ {
		a, b := q.rows[i-1].Plan.Deadline, q.rows[i].Plan.Deadline
		if b != "" && (a == "" || a > b) {
			t.Fatalf("by deadline, %s (%q) comes before %s (%q)", q.rows[i-1].ID, a, q.rows[i].ID, b)
		}
	}
	press(m, "s")
	for i := 1; i < len(q.rows); i++ {
		if q.rows[i-1].CreatedAt.Before(q.rows[i].CreatedAt) {
			t.Fatalf("newest first: %s before %s", q.rows[i-1].ID, q.rows[i].ID)
		}
	}
	press(m, "s", "s")
	if v := ansi.Strip(m.View().Content); strings.Contains(v, "按时限") || strings.Contains(v, "按新村网格") || q.order != query.OrderMeeting {
		t.Fatalf("four presses are back to the meeting order:\n%s", v)
	}
	press(m, "?")
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "排序") {
		t.Fatalf("the help does not list the sort key:\n%s", v)
	}
}
