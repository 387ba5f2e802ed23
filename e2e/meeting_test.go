package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sanbai/store"
)

var overdueRE = regexp.MustCompile(`超期 (\d+)`)

// overdueOn reads the queue's "超期 N" from the screen.
func overdueOn(t *testing.T, screen string) int {
	t.Helper()
	m := overdueRE.FindStringSubmatch(screen)
	if m == nil {
		t.Fatalf("no overdue count on screen:\n%s", screen)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestMeetingKeepsDeadlinesHonest (issue 15): a meeting works one concern by keys — owner
// change, tag change, return, escalate three times, then an extension — and every deadline
// and the overdue count are exactly as the rules say: nothing but the extension moves a
// deadline set by hand, the overdue count does not fall while nothing is solved, each change
// is one line of the concern's history, and the extension's line says 时限 from → to (why).
func TestMeetingKeepsDeadlinesHonest(t *testing.T) {
	s := startServer(t, false)
	tm := s.open(t, s.addUser(t, "李明", store.RoleTownship, ""), 100, 30, nil)
	lead := store.Actor{Name: "李明", Role: store.RoleTownship}
	// An open grid-tier concern nobody supervises, outside any lead project, overdue: the
	// meeting chases it. Its deadline came from its colour; being past, a more urgent colour
	// cannot bring it earlier (never into the past), and nothing else may move it.
	all, _ := s.st.Concerns(store.System)
	var c store.Concern
	for _, x := range all {
		if x.Status.Open() && x.Tier == store.TierGrid && x.Supervisor == "" && x.Project == "" && x.Overdue(s.st.Today()) && x.Tag != store.TagRed {
			c = x
			break
		}
	}
	if c.ID == "" {
		t.Fatal("the demo has no overdue grid-tier concern to chase")
	}
	deadline, rev := c.Plan.Deadline, c.Rev
	tm.waitText("覆盖  户")
	tm.send("3")
	tm.waitSelected()
	tm.send("/", c.ID, "enter")
	scr := tm.waitFor(c.ID+" selected", func(s string) bool { return selected(s) == c.ID && strings.Contains(s, "/"+c.ID) })
	overdue := overdueOn(t, scr)

	step := func(what string, keys []string, wait ...string) store.Concern {
		t.Helper()
		tm.send(keys...)
		// This change's answer, not the same words left by the step before (escalating
		// twice says 已上报 twice): the concern has moved on, and the screen says so.
		tm.waitFor(what, func(scr string) bool {
			now, _ := s.st.Concern(store.System, c.ID)
			for _, w := range wait {
				if !strings.Contains(scr, w) {
					return false
				}
			}
			return now.Rev > rev
		})
		got, _ := s.st.Concern(store.System, c.ID)
		if got.Plan.Deadline != deadline {
			t.Fatalf("%s moved the deadline %s → %s", what, deadline, got.Plan.Deadline)
		}
		if got.Rev != rev+1 {
			t.Fatalf("%s: rev %d, want %d (one change); moves %+v\n%s", what, got.Rev, rev+1, got.Moves, tm.screen())
		}
		rev = got.Rev
		scr := tm.waitFor("the overdue count after "+what, func(s string) bool { return overdueRE.MatchString(s) })
		if n := overdueOn(t, scr); n < overdue {
			t.Fatalf("%s: overdue %d → %d while nothing was solved", what, overdue, n)
		}
		return got
	}
	// Owner: the first person the picker offers for this tier who is not the owner now.
	owners, err := s.st.Owners(lead, c.ID)
	if err != nil || len(owners) == 0 {
		t.Fatalf("owners of %s: %v %v", c.ID, owners, err)
	}
	keys := []string{"o"}
	for _, o := range owners {
		if o.ID != c.Plan.OwnerID && o.Name != c.Plan.Owner {
			break
		}
		keys = append(keys, "down")
	}
	step("an owner change", append(keys, "enter"), "已指定责任人："+c.ID)
	// Tag: more urgent (an automatic deadline could only come earlier; this one was set).
	step("a tag change", []string{"r"}, "已挂红牌："+c.ID)
	step("a return", []string{"<", "属现场可解", "enter"}, "已退回："+c.ID)
	for i := range 3 {
		got := step("an escalation", []string{">", "需上级统筹", "enter"}, "已上报："+c.ID)
		if want := store.Tiers[i+1]; got.Tier != want {
			t.Fatalf("escalation %d: tier %s, want %s", i+1, got.Tier, want)
		}
	}
	// The extension: a later deadline, with its reason — the only move of the deadline.
	tm.send("d", "+10d", "enter")
	tm.waitText("延期理由")
	tm.send("等县里资金下达", "enter")
	tm.waitText("已设定时限", "时限")
	got, _ := s.st.Concern(store.System, c.ID)
	want := s.st.Now().AddDate(0, 0, 10).Format("2006-01-02")
	if got.Plan.Deadline != want || got.Extensions != 1 || got.Overdue(s.st.Today()) {
		t.Fatalf("after the extension: deadline %s (%d extensions, overdue %v), want %s once", got.Plan.Deadline, got.Extensions, got.Overdue(s.st.Today()), want)
	}
	// The overdue count falls by exactly this concern, and only now.
	tm.waitFor("the overdue count after the extension", func(s string) bool {
		return overdueRE.MatchString(s) && overdueOn(t, s) == overdue-1
	})
	// Every change is one line of the history; the extension's says what moved and why.
	tm.send("enter")
	scr = tm.waitText("经过", "等县里资金下达")
	hist := scr[strings.Index(scr, "经过"):]
	if n := strings.Count(hist, " 李明 "); n < 7 {
		t.Fatalf("the history shows %d of this meeting's 7 changes:\n%s", n, scr)
	}
	ext := line(hist, "等县里资金下达")
	if !strings.Contains(ext, "时限") || !strings.Contains(ext, "→") {
		t.Fatalf("the extension's history line: %q", ext)
	}
}
