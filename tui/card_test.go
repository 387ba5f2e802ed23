package tui

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"sanbai/query"
	"sanbai/store"
)

var ctrlF = tea.KeyPressMsg{Code: 'f', Mod: tea.ModCtrl}

// typeMsgs turns key names into key messages, ctrl+f included.
func typeMsgs(keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		if k == "ctrl+f" {
			out = append(out, ctrlF)
			continue
		}
		out = append(out, keyMsg(k))
	}
	return out
}

// burstMsgs is rig.burst for key messages: the held answers that match arrive at the given
// moment, then everything settles.
func (r *rig) burstMsgs(when string, match func(tea.Msg) bool, msgs ...tea.Msg) {
	at := map[string]int{"before": 0, "after-first": 1, "before-last": len(msgs) - 1, "after-last": len(msgs)}[when]
	for i, m := range msgs {
		if i == at || when == "each" {
			r.deliver(match)
		}
		r.send(m)
	}
	if at == len(msgs) {
		r.deliver(match)
	}
	r.settle()
}

// topCard is the household card on top of the stack, if any.
func topCard(r *rig) *cardSheet {
	if l := r.m.fs.top(r.m.active); l != nil {
		if c, ok := l.comp.(*cardSheet); ok {
			return c
		}
	}
	return nil
}

// TestFinderBurst: ctrl+f, a person's initials, down and enter, typed as one burst, open the
// card of the second household the store finds for those initials — whenever the search's
// answers arrive.
func TestFinderBurst(t *testing.T) {
	st := seeded(t)
	u := townshipUser()
	hits, _, err := query.NewFinder(st).Find(t.Context(), store.ActorFor(u), "wjg", findLimit)
	if err != nil || len(hits) < 2 {
		t.Fatalf("wjg finds %d households: %v", len(hits), err)
	}
	want := hits[1].Household.ID
	for _, when := range orders {
		t.Run(when, func(t *testing.T) {
			r := newRig(t, st, u)
			r.settle()
			r.burstMsgs(when, is[found], typeMsgs("ctrl+f", "w", "j", "g", "down", "enter")...)
			c := topCard(r)
			if c == nil || c.household != want {
				t.Fatalf("card %+v, want %s\n%s", c, want, r.screen())
			}
			if s := r.screen(); !strings.Contains(s, want) || !strings.Contains(s, "户情卡") {
				t.Fatalf("the card does not show %s:\n%s", want, s)
			}
		})
	}
}

// concernHousehold finds a household with one concern in the given state, and the concern.
func concernHousehold(t *testing.T, st *store.Store, ok func(store.Concern) bool) (store.Concern, int) {
	t.Helper()
	all, err := st.Concerns(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, c := range all {
		per[c.Household]++
	}
	for _, c := range all {
		if ok(c) && per[c.Household] == 1 {
			return c, per[c.Household]
		}
	}
	t.Fatal("no such concern")
	return store.Concern{}, 0
}

// openCard opens a household's card through the finder and lets everything arrive.
func openCard(t *testing.T, r *rig, household string) *cardSheet {
	t.Helper()
	r.send(ctrlF)
	for _, m := range typeMsgs(append(strings.Split(household, ""), "enter")...) {
		r.send(m)
	}
	r.settle()
	c := topCard(r)
	if c == nil || c.household != household || !c.loaded {
		t.Fatalf("no card of %s:\n%s", household, r.screen())
	}
	return c
}

// TestCardConcernToLedger: enter on a card's concern shows it in the ledger with its detail
// open, and esc typed at once closes that detail — whenever the ledger's rows arrive.
func TestCardConcernToLedger(t *testing.T) {
	st := seeded(t)
	c, _ := concernHousehold(t, st, func(c store.Concern) bool { return !c.Status.Open() })
	for _, when := range orders {
		t.Run(when, func(t *testing.T) {
			r := newRig(t, st, townshipUser())
			r.settle()
			openCard(t, r, c.Household)
			r.burstMsgs(when, func(m tea.Msg) bool { return is[queuePage](m) || is[queueLoaded](m) }, typeMsgs("enter", "esc")...)
			q := r.m.panes[paneQueue].(*queue)
			if r.m.active != paneQueue || q.selected != c.ID {
				t.Fatalf("pane %d, selected %q, want %s in the queue\n%s", r.m.active, q.selected, c.ID, r.screen())
			}
			if cur, ok := q.current(); !ok || cur.ID != c.ID || r.m.fs.open(q.detail) {
				t.Fatalf("cursor on %+v (detail open %v), want %s with the detail closed\n%s", cur.ID, r.m.fs.open(q.detail), c.ID, r.screen())
			}
		})
	}
	// Without the esc, the detail shows the concern.
	r := newRig(t, st, townshipUser())
	r.settle()
	openCard(t, r, c.Household)
	r.keys("enter")
	r.settle()
	if s := r.screen(); !strings.Contains(s, c.ID) || !strings.Contains(s, c.Description[:min(len(c.Description), 9)]) {
		t.Fatalf("the detail does not show %s:\n%s", c.ID, s)
	}
}

// TestCardVisit: a on the card of a household not visited opens the visit form for it in the
// Visits pane, however late the pane's data comes.
func TestCardVisit(t *testing.T) {
	st := seeded(t)
	vs, _ := st.Visits(t.Context(), store.System())
	visited := map[string]bool{}
	for _, v := range vs {
		visited[v.Household] = true
	}
	hhs, _ := st.Households(t.Context(), store.System())
	var h store.Household
	for _, x := range store.CurrentHouseholds(hhs) {
		if !visited[x.ID] {
			h = x
			break
		}
	}
	for _, when := range []string{"before", "after-last"} {
		t.Run(when, func(t *testing.T) {
			// A user of their own: a form left open is brought back as a draft.
			r := newRig(t, st, store.User{Name: "李明" + when, Role: store.RoleTownship})
			r.settle()
			openCard(t, r, h.ID)
			r.burstMsgs(when, is[visitsLoaded], typeMsgs("a")...)
			v := r.m.panes[paneVisits].(*visits)
			if r.m.active != paneVisits || v.form == nil || v.body.d.Household != h.ID {
				t.Fatalf("pane %d, form %v, want the form for %s\n%s", r.m.active, v.form != nil, h.ID, r.screen())
			}
			if s := r.screen(); !strings.Contains(s, h.Address) {
				t.Fatalf("the form does not show %s:\n%s", h.Address, s)
			}
		})
	}
}

// TestCardRevisit: r on the card of a household with a concern waiting for its revisit opens
// the revisit form for it; on a household with none, it says so and stays.
func TestCardRevisit(t *testing.T) {
	st := seeded(t)
	c, _ := concernHousehold(t, st, func(c store.Concern) bool { return c.Status == store.StatusResolved })
	for _, when := range []string{"before", "after-last"} {
		t.Run(when, func(t *testing.T) {
			r := newRig(t, st, store.User{Name: "李明" + when, Role: store.RoleTownship})
			r.settle()
			openCard(t, r, c.Household)
			if !strings.Contains(r.screen(), "待回访") {
				t.Fatalf("the card does not say a revisit is due:\n%s", r.screen())
			}
			r.burstMsgs(when, is[revisitLoaded], typeMsgs("r")...)
			rv := r.m.panes[paneRevisit].(*revisit)
			if r.m.active != paneRevisit || rv.form == nil || rv.body.hh.ID != c.Household {
				t.Fatalf("pane %d, form %v, want the revisit form of %s\n%s", r.m.active, rv.form != nil, c.Household, r.screen())
			}
		})
	}
	open, _ := concernHousehold(t, st, func(c store.Concern) bool { return c.Status == store.StatusNew })
	r := newRig(t, st, store.User{Name: "王五", Role: store.RoleTownship})
	r.settle()
	openCard(t, r, open.Household)
	r.keys("r")
	r.settle()
	if topCard(r) == nil || !strings.Contains(r.screen(), "没有待回访") {
		t.Fatalf("r with no revisit due:\n%s", r.screen())
	}
}

// TestSlashOpensFinderOnlyWhereNothingElseSearches: / opens the finder on the Visits and
// Revisit panes, but filters the groups on Routes and searches the ledger on the Queue.
func TestSlashOpensFinderOnlyWhereNothingElseSearches(t *testing.T) {
	st := seeded(t)
	for pane, finds := range map[string]bool{"1": false, "2": true, "3": false, "4": true, "5": true} {
		r := newRig(t, st, townshipUser())
		r.keys(pane)
		r.settle()
		r.keys("/")
		_, isFinder := r.m.fs.top(r.m.active).comp.(*finder)
		if isFinder != finds {
			t.Errorf("pane %s: / opened the finder: %v\n%s", pane, isFinder, r.screen())
		}
	}
}

// TestFinderFitsItsWindow: the finder and a card stay inside the window at every size, in
// both languages.
func TestFinderFitsItsWindow(t *testing.T) {
	st := seeded(t)
	c, _ := concernHousehold(t, st, func(c store.Concern) bool { return c.Status == store.StatusResolved })
	for _, lang := range []string{"zh", "en"} {
		for _, size := range [][2]int{{80, 24}, {120, 40}, {40, 10}} {
			r := &rig{t: t, m: New(Options{Store: st, User: townshipUser(), Lang: lang, Width: size[0], Height: size[1]})}
			r.add(r.m.Init())
			r.settle()
			r.send(ctrlF)
			r.keys("w", "j", "g")
			r.settle()
			checkFits(t, r.m, size, lang+" finder")
			r.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
			r.keys(strings.Split(c.Household, "")...)
			r.keys("enter")
			r.settle()
			checkFits(t, r.m, size, lang+" card")
			for range 30 {
				r.keys("down")
			}
			checkFits(t, r.m, size, lang+" card scrolled")
		}
	}
}

// checkFits fails the test when the screen is larger than the window.
func checkFits(t *testing.T, m *Model, size [2]int, what string) {
	t.Helper()
	view := m.View().Content
	lines := strings.Split(view, "\n")
	if len(lines) > size[1] {
		t.Fatalf("%s %v: %d lines", what, size, len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > size[0] {
			t.Fatalf("%s %v: line %d is %d cells wide:\n%s", what, size, i, w, ansi.Strip(view))
		}
	}
}

// TestTwoEscsInOneRead: esc esc arriving in one read (which the terminal protocol cannot tell
// from alt+esc) closes the card and then the finder, as two escs typed apart do.
func TestTwoEscsInOneRead(t *testing.T) {
	st := seeded(t)
	c, _ := concernHousehold(t, st, func(c store.Concern) bool { return c.Status == store.StatusResolved })
	r := newRig(t, st, townshipUser())
	r.settle()
	openCard(t, r, c.Household)
	r.send(tea.KeyPressMsg{Code: tea.KeyEscape, Mod: tea.ModAlt})
	r.settle()
	if l := r.m.fs.top(r.m.active); l != nil {
		t.Fatalf("esc esc left %T open:\n%s", l.comp, r.screen())
	}
}

// TestEnglishFitsAt80: in English at 80×24 no word of the interface is cut — no letter runs
// into "…" on any pane, sheet or hint line (data in Chinese may be cut in its column).
func TestEnglishFitsAt80(t *testing.T) {
	st := seeded(t)
	c, _ := concernHousehold(t, st, func(c store.Concern) bool { return c.Status == store.StatusResolved })
	cut := regexp.MustCompile(`[A-Za-z]…`)
	r := &rig{t: t, m: New(Options{Store: st, User: townshipUser(), Lang: "en", Width: 80, Height: 24})}
	r.add(r.m.Init())
	r.settle()
	check := func(what string) {
		t.Helper()
		r.settle()
		if s := r.screen(); cut.MatchString(s) {
			t.Errorf("%s: a word is cut: %q\n%s", what, cut.FindString(s), s)
		}
	}
	for _, keys := range [][]string{{"1"}, {"enter"}, {"esc", "m"}, {"esc", "t"}, {"esc", "c"}, {"esc", "2"}, {"3"}, {"enter"},
		{"esc", "4"}, {"v"}, {"v"}, {"v"}, {"v"}, {"5"}, {"v"}, {"v"}, {"v"}, {"v"}} {
		r.keys(keys...)
		check(strings.Join(keys, " "))
	}
	r.send(ctrlF)
	r.keys(strings.Split(c.Household, "")...)
	check("finder")
	r.keys("enter")
	check("card")
}
