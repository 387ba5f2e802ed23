package tui

import (
	"testing"

	"sanbai/store"
)

// The queue's action runner on its own: one action at a time, in order; the conflict
// question; undo several levels deep.

func tagOp(t store.Tag) store.Op { return store.Op{Kind: store.OpTag, Tag: t} }

func TestRunnerOneAtATime(t *testing.T) {
	var r runner
	if !r.submit(queuedOp{op: tagOp(store.TagRed), ids: []string{"A"}}) {
		t.Fatal("the first action should start at once")
	}
	if !r.busy() {
		t.Fatal("not busy while an action is written")
	}
	if r.submit(queuedOp{op: tagOp(store.TagYellow), ids: []string{"A"}}) {
		t.Fatal("a second action started while the first is written")
	}
	r.submit(queuedOp{op: tagOp(store.TagGreen), ids: []string{"B"}})
	ask, next := r.settle(triaged{done: []store.Concern{{ID: "A", Rev: 1}}, before: map[string]store.Snapshot{"A": {}}})
	if ask != nil || next == nil || next.op.Tag != store.TagYellow {
		t.Fatalf("after the first: ask %v, next %+v; want the yellow next", ask, next)
	}
	if !r.busy() {
		t.Fatal("the next action is being written: busy")
	}
	_, next = r.settle(triaged{})
	if next == nil || next.op.Tag != store.TagGreen || next.ids[0] != "B" {
		t.Fatalf("third: %+v", next)
	}
	_, next = r.settle(triaged{})
	if next != nil || r.busy() {
		t.Fatalf("nothing should be left: %+v busy=%v", next, r.busy())
	}
}

func TestRunnerConflict(t *testing.T) {
	var r runner
	r.submit(queuedOp{op: tagOp(store.TagRed), ids: []string{"A"}})
	r.submit(queuedOp{op: tagOp(store.TagGreen), ids: []string{"B"}}) // waits
	stale := &pendingOp{op: tagOp(store.TagRed), ids: []string{"A"}, stale: &store.StaleError{Concern: store.Concern{ID: "A", Rev: 5}}}
	ask, next := r.settle(triaged{stale: stale})
	if ask != stale || next != nil {
		t.Fatalf("a conflict should ask and hold the rest: ask %v next %v", ask, next)
	}
	if r.busy() || r.state != runAsking {
		t.Fatalf("state %v while asking", r.state)
	}
	// Nothing new starts while the question is open.
	if r.submit(queuedOp{op: tagOp(store.TagYellow), ids: []string{"C"}}) {
		t.Fatal("an action started while the question was open")
	}
	again, next := r.answer(true)
	if again != stale || next != nil || !r.busy() {
		t.Fatalf("yes should write the action again: %v %v busy=%v", again, next, r.busy())
	}
	_, next = r.settle(triaged{done: []store.Concern{{ID: "A", Rev: 6}}, before: map[string]store.Snapshot{"A": {}}})
	if next == nil || next.ids[0] != "B" {
		t.Fatalf("after the re-write the waiting B goes on: %+v", next)
	}

	// No drops the action and lets the waiting ones go on.
	var r2 runner
	r2.submit(queuedOp{op: tagOp(store.TagRed), ids: []string{"A"}})
	r2.submit(queuedOp{op: tagOp(store.TagGreen), ids: []string{"B"}})
	r2.settle(triaged{stale: stale})
	again, next = r2.answer(false)
	if again != nil || next == nil || next.ids[0] != "B" {
		t.Fatalf("no: again %v next %+v", again, next)
	}
	if len(r2.undo) != 0 {
		t.Fatal("a cancelled action left an undo")
	}
}

func TestRunnerUndoStack(t *testing.T) {
	var r runner
	for i, id := range []string{"A", "B", "C"} {
		r.submit(queuedOp{op: tagOp(store.TagRed), ids: []string{id}})
		r.settle(triaged{label: id, done: []store.Concern{{ID: id, Rev: i + 1}}, before: map[string]store.Snapshot{id: {}}})
	}
	// An undo's own outcome is not undone by the next u: u u u go back three steps.
	for _, want := range []string{"C", "B", "A"} {
		e, ok := r.takeUndo()
		if !ok || e.label != want || e.items[0].id != want {
			t.Fatalf("undo: %+v %v; want %s", e, ok, want)
		}
		r.submit(queuedOp{undo: true})
		r.settle(triaged{undo: true, done: []store.Concern{{ID: want}}})
	}
	if _, ok := r.takeUndo(); ok {
		t.Fatal("more undo than actions")
	}
	// Nothing changed (a red tag on a red concern): no undo entry.
	r.submit(queuedOp{op: tagOp(store.TagRed), ids: []string{"A"}})
	r.settle(triaged{same: []string{"A"}})
	if len(r.undo) != 0 {
		t.Fatal("a no-op left an undo entry")
	}
}
