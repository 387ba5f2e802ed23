package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"sanbai/query"
	"sanbai/store"
)

// rig drives the real model the way a laggy link does: keys arrive in bursts, and every
// command's result waits until the test delivers it — before, between or after the keys.
// Commands run as soon as they are issued (their writes happen then); only their answers are
// held, as a busy event loop holds them behind keys already read.
type rig struct {
	t       *testing.T
	m       *Model
	pending []tea.Msg
}

func newRig(t *testing.T, st *store.Store, u store.User) *rig {
	t.Helper()
	r := &rig{t: t, m: New(Options{Store: st, User: u, Width: 80, Height: 24})}
	r.add(r.m.Init())
	return r
}

// add runs a command and holds its result; batches are opened up. Every command returns
// (a timer after its time), so the wait is only a guard against a hung test.
func (r *rig) add(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg, ok := within(cmd, 60*time.Second)
	if !ok {
		r.t.Fatal("a command did not return in 60 s")
	}
	switch msg := msg.(type) {
	case nil, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			r.add(c)
		}
	default:
		r.pending = append(r.pending, msg)
	}
}

// send hands the model one message now.
func (r *rig) send(msg tea.Msg) {
	_, cmd := r.m.Update(msg)
	r.add(cmd)
}

// keys types a burst: the keys one after another, no answer delivered in between.
func (r *rig) keys(ks ...string) {
	for _, k := range ks {
		r.send(keyMsg(k))
	}
}

// deliver hands the model the held answers that match, oldest first; answers they lead to
// are held in turn. It returns how many it delivered.
func (r *rig) deliver(match func(tea.Msg) bool) int {
	n := 0
	for i := 0; i < len(r.pending); {
		msg := r.pending[i]
		if !match(inner(msg)) {
			i++
			continue
		}
		r.pending = append(r.pending[:i], r.pending[i+1:]...)
		r.send(msg)
		n++
	}
	return n
}

// settle delivers everything until nothing is held.
func (r *rig) settle() {
	for i := 0; len(r.pending) > 0; i++ {
		if i > 1000 {
			r.t.Fatal("answers never stop coming")
		}
		r.deliver(func(tea.Msg) bool { return true })
	}
}

// screen is the frame as text.
func (r *rig) screen() string { return ansi.Strip(r.m.View().Content) }

// lineWith is the screen's line that holds s; the test fails if none does.
func (r *rig) lineWith(s string) string {
	r.t.Helper()
	screen := r.screen()
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	r.t.Fatalf("%s is not on screen:\n%s", s, screen)
	return ""
}

// queueRow is the queue pane and the concern under its cursor; the test fails if there is none.
func (r *rig) queueRow() (*queue, store.Concern) {
	r.t.Helper()
	q := r.m.panes[paneQueue].(*queue)
	c, ok := q.current()
	if !ok {
		r.t.Fatalf("no concern under the cursor:\n%s", r.screen())
	}
	return q, c
}

// inner is a routed message's payload.
func inner(msg tea.Msg) tea.Msg {
	if rt, ok := msg.(routed); ok {
		return rt.msg
	}
	return msg
}

func is[T any](msg tea.Msg) bool { _, ok := msg.(T); return ok }

// orders are the moments an answer can arrive relative to a burst: before its first key,
// after the first key, after all but the last, after the last, after every key.
var orders = []string{"before", "after-first", "before-last", "after-last", "each"}

// burst types keys with the answers that match delivered at the given moment, then settles.
func (r *rig) burst(when string, match func(tea.Msg) bool, keys ...string) {
	at := map[string]int{"before": 0, "after-first": 1, "before-last": len(keys) - 1, "after-last": len(keys)}[when]
	for i, k := range keys {
		if i == at || when == "each" {
			r.deliver(match)
		}
		r.keys(k)
	}
	if at == len(keys) {
		r.deliver(match)
	}
	r.settle()
}

// queueOpen brings a session to the queue pane with everything but the held kinds in.
func queueOpen(t *testing.T, st *store.Store, u store.User, hold func(tea.Msg) bool) *rig {
	r := newRig(t, st, u)
	r.keys("3")
	for i := 0; i < 50; i++ {
		if r.deliver(func(m tea.Msg) bool { return !hold(m) }) == 0 {
			break
		}
	}
	return r
}

func townshipUser() store.User { return store.User{Name: "李明", Role: store.RoleTownship} }

// TestOwnerPickerBurst: "o", a person's pinyin initials and enter, typed as one burst, give the
// concern that owner whether the people to choose from arrive before, during or after it.
func TestOwnerPickerBurst(t *testing.T) {
	for _, when := range orders {
		t.Run(when, func(t *testing.T) {
			st := seeded(t)
			r := queueOpen(t, st, townshipUser(), is[queueOwners])
			_, c := r.queueRow()
			name, initials := uniquePerson(t, st, c.ID)
			keys := append([]string{"o"}, strings.Split(initials, "")...)
			keys = append(keys, "enter")
			r.burst(when, is[queueOwners], keys...)
			got, _ := st.Concern(t.Context(), store.System(), c.ID)
			if got.Plan.Owner != name {
				t.Fatalf("o %s enter: owner %q, want %q\n%s", initials, got.Plan.Owner, name, r.screen())
			}
			if r.m.fs.top(paneQueue) != nil {
				t.Fatalf("the picker is still open:\n%s", r.screen())
			}
		})
	}
}

// uniquePerson finds someone the concern may be given to whose pinyin initials no one else in
// the owner picker shares.
func uniquePerson(t *testing.T, st *store.Store, concern string) (name, initials string) {
	t.Helper()
	q := newQueue(&Common{Ctx: t.Context(), Store: st, Ledger: query.NewLedger(st, nil), Actor: store.System()}, newFocus(nil))
	msg := q.loadOwners(concern)().(queueOwners)
	for _, o := range msg.opts {
		ini := strings.Fields(strings.Split(o.key, "\x00")[2])[0]
		if len(ini) < 2 {
			continue
		}
		n := 0
		for _, p := range msg.opts {
			if matches(p.key, ini) {
				n++
			}
		}
		if n == 1 {
			return strings.Fields(o.label)[0], ini
		}
	}
	t.Fatalf("no one for %s with initials of their own", concern)
	return "", ""
}

// TestFilterPickerBurst: "f DL enter" typed as one burst filters the list to village DL,
// whenever the filter's choices arrive.
func TestFilterPickerBurst(t *testing.T) {
	for _, when := range orders {
		t.Run(when, func(t *testing.T) {
			st := seeded(t)
			r := queueOpen(t, st, townshipUser(), is[queueFacets])
			r.burst(when, is[queueFacets], "f", "D", "L", "enter")
			q := r.m.panes[paneQueue].(*queue)
			if q.f.village != "DL" || q.shown.village != "DL" {
				t.Fatalf("f DL enter: filter %+v, shown %+v\n%s", q.f, q.shown, r.screen())
			}
			for _, c := range q.rows {
				if c.Village != "DL" {
					t.Fatalf("%s of %s listed under a DL filter", c.ID, c.Village)
				}
			}
			if r.m.fs.top(paneQueue) != nil {
				t.Fatalf("the picker is still open:\n%s", r.screen())
			}
		})
	}
}

// TestMarkTenThenTag: space ten times and g, as one burst, tag exactly the ten concerns the
// cursor passed over green, whenever the windows the cursor asks for arrive.
func TestMarkTenThenTag(t *testing.T) {
	for _, when := range orders {
		t.Run(when, func(t *testing.T) {
			st := seeded(t)
			r := queueOpen(t, st, townshipUser(), func(tea.Msg) bool { return false })
			q := r.m.panes[paneQueue].(*queue)
			var want []string
			for _, c := range q.rows[:10] {
				want = append(want, c.ID)
			}
			before := map[string]store.Concern{}
			all, _ := st.Concerns(t.Context(), store.System())
			for _, c := range all {
				before[c.ID] = c
			}
			keys := append(strings.Split(strings.Repeat("s", 10), ""), "g")
			for i := range 10 {
				keys[i] = "space"
			}
			r.burst(when, is[queuePage], keys...)
			after, _ := st.Concerns(t.Context(), store.System())
			changed := map[string]bool{}
			for _, c := range after {
				if c.Rev != before[c.ID].Rev {
					changed[c.ID] = true
				}
			}
			for _, id := range want {
				c, _ := st.Concern(t.Context(), store.System(), id)
				if c.Tag != store.TagGreen {
					t.Fatalf("%s is %s after space×10 g", id, c.Tag)
				}
				if before[id].Tag != store.TagGreen && !changed[id] {
					t.Fatalf("%s was not written", id)
				}
				delete(changed, id)
			}
			if len(changed) > 0 {
				t.Fatalf("concerns the cursor never marked were changed: %v", changed)
			}
		})
	}
}

// TestConflictQuestionTakesOnlyItsAnswer: y is pressed on a concern someone else changed
// unseen, then g at once. The question appears; g, typed before it, is no answer and is
// not lost: after n cancels the yellow, g tags the concern green as it now is. Answered y
// instead, yellow is written over the other change, then g. The g of the burst may reach
// the program after the question came up (late): it is still no answer, and still waits.
func TestConflictQuestionTakesOnlyItsAnswer(t *testing.T) {
	for _, tc := range []struct{ answer, g string }{{"n", ""}, {"y", ""}, {"esc", ""}, {"n", "late"}, {"y", "late"}} {
		answer := tc.answer
		t.Run(answer+tc.g, func(t *testing.T) {
			st := seeded(t)
			r := queueOpen(t, st, townshipUser(), func(tea.Msg) bool { return false })
			q := r.m.panes[paneQueue].(*queue)
			c, _ := q.current()
			if c.Tag != store.TagRed {
				t.Fatalf("the first row %s is %s, not red", c.ID, c.Tag)
			}
			// Someone else writes its plan; this screen has not heard yet.
			other := store.Actor{Name: "王五", Role: store.RoleTownship}
			if _, err := st.Triage(t.Context(), other, c.ID, -1, store.Op{Kind: store.OpSolution, Text: "另一人的方案"}); err != nil {
				t.Fatal(err)
			}
			if tc.g == "late" {
				r.keys("y")
				r.deliver(is[triaged])
				r.keys("g")
			} else {
				r.keys("y", "g")
				r.deliver(is[triaged])
			}
			if s := r.screen(); !strings.Contains(s, "刚被改过") {
				t.Fatalf("no conflict question:\n%s", s)
			}
			// Keys that are not answers do nothing to the question (they wait beneath it).
			r.keys("x")
			r.settle()
			if s := r.screen(); !strings.Contains(s, "刚被改过") {
				t.Fatalf("a key that is no answer closed the question:\n%s", s)
			}
			r.keys(answer)
			r.settle()
			got, _ := st.Concern(t.Context(), store.System(), c.ID)
			if got.Tag != store.TagGreen {
				t.Fatalf("after %s: tag %s, want green (the g typed before the question)\n%s", answer, got.Tag, r.screen())
			}
			var mine []string
			for _, m := range got.Moves {
				if m.By == "李明" {
					mine = append(mine, m.To)
				}
			}
			want := "green"
			if answer == "y" {
				want = "yellow green"
			}
			if strings.Join(mine, " ") != want {
				t.Fatalf("after %s, this session's moves were %v, want %s", answer, mine, want)
			}
		})
	}
}

// TestUndoSeveralLevels: three tags on three concerns, then u u u typed as one burst, put all
// three back in reverse order; a fourth u says there is nothing left to undo.
func TestUndoSeveralLevels(t *testing.T) {
	st := seeded(t)
	r := queueOpen(t, st, townshipUser(), func(tea.Msg) bool { return false })
	q := r.m.panes[paneQueue].(*queue)
	var ids []string
	var was []store.Tag
	for range 3 {
		// A tagged row moves to its colour's place and the cursor goes with it: the next
		// concern is whichever is under the cursor after a step down.
		c, _ := q.current()
		ids, was = append(ids, c.ID), append(was, c.Tag)
		r.keys(map[store.Tag]string{store.TagRed: "g", store.TagYellow: "r", store.TagGreen: "y"}[c.Tag])
		r.settle()
		r.keys("j")
		r.settle()
	}
	for i, id := range ids {
		if c, _ := st.Concern(t.Context(), store.System(), id); c.Tag == was[i] {
			t.Fatalf("%s was not tagged\n%s", id, r.screen())
		}
	}
	r.keys("u", "u", "u")
	r.settle()
	for i, id := range ids {
		if c, _ := st.Concern(t.Context(), store.System(), id); c.Tag != was[i] {
			t.Fatalf("%s is %s after three undos; was %s\n%s", id, c.Tag, was[i], r.screen())
		}
	}
	r.keys("u")
	if s := r.screen(); !strings.Contains(s, "没有可撤销") {
		t.Fatalf("a fourth u should say there is nothing to undo:\n%s", s)
	}
}

// TestLanguageDuringTriage: the language changes while a triage is being written on another
// goroutine; under -race nothing the command reads is written meanwhile.
func TestLanguageDuringTriage(t *testing.T) {
	st := seeded(t)
	r := queueOpen(t, st, townshipUser(), func(tea.Msg) bool { return false })
	for i := range 5 {
		_, cmd := r.m.Update(keyMsg("r"))
		done := make(chan tea.Msg)
		go func() { done <- cmd() }()
		r.m.Update(keyMsg("L"))
		msg := <-done
		r.send(msg)
		r.settle()
		if i%2 == 0 && !strings.Contains(r.screen(), "Queue") {
			t.Fatalf("the language did not change:\n%s", r.screen())
		}
	}
}

// TestKeysWaitForRows: a search typed and entered, then space, marks the first row of the
// search's answer, not the row the cursor was on before — whenever the answer arrives.
func TestKeysWaitForRows(t *testing.T) {
	for _, when := range orders {
		t.Run(when, func(t *testing.T) {
			st := seeded(t)
			r := queueOpen(t, st, townshipUser(), func(tea.Msg) bool { return false })
			q := r.m.panes[paneQueue].(*queue)
			last := q.rows[len(q.rows)-1]
			r.burst(when, is[queuePage], append(append([]string{"/"}, strings.Split(last.ID, "")...), "enter", "space")...)
			if len(q.marked) != 1 || !q.marked[last.ID] {
				t.Fatalf("marked %v, want only %s\n%s", q.marked, last.ID, r.screen())
			}
		})
	}
}
