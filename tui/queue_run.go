package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"sanbai/store"
)

// runState is where the queue's action runner is.
type runState int

const (
	// runIdle: nothing is being written.
	runIdle runState = iota
	// runBusy: an action is being written; keys wait for its outcome.
	runBusy
	// runAsking: someone else changed a concern first, and the person is asked whether to
	// apply the action anyway.
	runAsking
)

// runner is the queue's action runner, a small state machine: one action written at a time
// (those submitted meanwhile wait in order), this session's undo stack, and the conflict
// question. It holds no store and draws nothing, so its rules are tested on their own.
type runner struct {
	state   runState
	backlog []queuedOp
	undo    []undoEntry
	asking  *pendingOp
}

// queuedOp is an action waiting its turn: which, and on which concerns.
type queuedOp struct {
	op   store.Op
	ids  []string
	undo bool // the undo key, not an action
}

// pendingOp is an action someone else's change stopped: it waits for a yes.
type pendingOp struct {
	op    store.Op
	ids   []string
	stale *store.StaleError
}

// undoEntry is how to put back what one action changed.
type undoEntry struct {
	label string
	items []undoItem
}

type undoItem struct {
	id     string
	before store.Snapshot
	rev    int // the concern's Rev right after the action
}

// triaged is the outcome of an action (or an undo) on one or more concerns.
type triaged struct {
	op     store.Op
	label  string
	undo   bool
	done   []store.Concern
	before map[string]store.Snapshot
	failed []string
	stale  *pendingOp
	same   []string // concerns the action found already so (nothing written)
	news   []string // what the action did to deadlines, worded
}

// busy reports that an action is being written.
func (r *runner) busy() bool { return r.state == runBusy }

// submit takes an action keyed: true means start it now; otherwise it waits its turn.
func (r *runner) submit(op queuedOp) bool {
	if r.state != runIdle {
		r.backlog = append(r.backlog, op)
		return false
	}
	r.state = runBusy
	return true
}

// settle takes an action's outcome and says what comes next: the question to ask (someone
// else changed the concern first), or the next action waiting, if any. A change made is
// recorded for undo; an undo's own outcome is not.
func (r *runner) settle(t triaged) (ask *pendingOp, next *queuedOp) {
	if t.stale != nil {
		r.state, r.asking = runAsking, t.stale
		return t.stale, nil
	}
	if !t.undo && len(t.done) > 0 {
		e := undoEntry{label: t.label}
		for _, c := range t.done {
			if b, ok := t.before[c.ID]; ok {
				e.items = append(e.items, undoItem{id: c.ID, before: b, rev: c.Rev})
			}
		}
		if len(e.items) > 0 {
			r.undo = append(r.undo, e)
		}
	}
	r.state = runIdle
	return nil, r.next()
}

// answer takes the question's answer: yes writes the action again, over the other change;
// no drops it. The actions waiting go on after.
func (r *runner) answer(yes bool) (again *pendingOp, next *queuedOp) {
	p := r.asking
	r.asking = nil
	if yes && p != nil {
		r.state = runBusy
		return p, nil
	}
	r.state = runIdle
	return nil, r.next()
}

// next starts the oldest waiting action, if any.
func (r *runner) next() *queuedOp {
	if r.state != runIdle || len(r.backlog) == 0 {
		return nil
	}
	n := r.backlog[0]
	r.backlog = r.backlog[1:]
	r.state = runBusy
	return &n
}

// takeUndo takes the newest undo entry off the stack.
func (r *runner) takeUndo() (undoEntry, bool) {
	if len(r.undo) == 0 {
		return undoEntry{}, false
	}
	e := r.undo[len(r.undo)-1]
	r.undo = r.undo[:len(r.undo)-1]
	return e, true
}

// targets are the concerns an action applies to: the marked rows, or the selected one.
func (q *queue) targets() []string {
	var ids []string
	seen := map[string]bool{}
	for _, c := range q.rows {
		if q.marked[c.ID] {
			ids = append(ids, c.ID)
			seen[c.ID] = true
		}
	}
	// Marked rows outside the window, in ID order, as the view last gave them.
	var rest []string
	for id := range q.marked {
		if _, ok := q.known[id]; ok && !seen[id] {
			rest = append(rest, id)
		}
	}
	slices.Sort(rest)
	ids = append(ids, rest...)
	if len(ids) == 0 {
		if c, ok := q.current(); ok {
			ids = []string{c.ID}
		}
	}
	return ids
}

// act runs an action that needs no text on the targets.
func (q *queue) act(op store.Op) tea.Cmd {
	ids, ok := q.triageable()
	if !ok {
		return nil
	}
	return q.start(queuedOp{op: op, ids: ids})
}

// triageable returns the concerns an action would act on, or false (and says why, for an
// inspector) when there are none to act on.
func (q *queue) triageable() ([]string, bool) {
	ids := q.targets()
	if len(ids) == 0 {
		return nil, false
	}
	if q.c.Actor.Role == store.RoleInspector {
		q.fs.say(q.c.T("err.readonly"), true)
		return nil, false
	}
	return ids, true
}

// start submits an action to the runner and writes it if its turn has come.
func (q *queue) start(n queuedOp) tea.Cmd {
	if !q.run.submit(n) {
		return nil
	}
	return q.exec(n)
}

// exec writes an action whose turn has come, against the concerns as the pane holds them.
func (q *queue) exec(n queuedOp) tea.Cmd {
	if n.undo {
		return q.execUndo()
	}
	revs := map[string]int{}
	for _, id := range n.ids {
		revs[id] = q.latest(id).Rev
	}
	return q.triage(n.op, n.ids, revs)
}

// ask opens the prompt (or the owner picker) that collects an action's text.
func (q *queue) ask(op store.Op, label string) tea.Cmd {
	ids, ok := q.triageable()
	if !ok {
		return nil
	}
	text := q.c.T(label)
	if len(ids) > 1 {
		text = fmt.Sprintf(q.c.T("q.marked.n"), len(ids)) + " " + text
	}
	var source func() ([]option, bool)
	var load tea.Cmd
	if op.Kind == store.OpOwner {
		// The picker opens at once; the concern's owners come when read, and what was
		// typed meanwhile picks from them.
		first := ids[0]
		source = func() ([]option, bool) { o, ok := q.owners[first]; return o, ok }
		if _, ok := q.owners[first]; !ok {
			load = q.loadOwners(first)
		}
	}
	initial := ""
	if cur, ok := q.current(); ok && len(ids) == 1 && op.Kind == store.OpSolution {
		initial = cur.Plan.Solution
	}
	q.fs.push(paneQueue, askFor(q.c, q.fs, text, initial, source, func(val string) (tea.Cmd, string) {
		return q.answer(op, ids, val)
	}))
	return load
}

// answer takes a prompt's text and runs what it was for; a refusal keeps the prompt open.
func (q *queue) answer(op store.Op, ids []string, val string) (tea.Cmd, string) {
	switch op.Kind {
	case "project":
		if strings.TrimSpace(val) == "" {
			return nil, q.c.T("q.need.text")
		}
		c := q.c
		return func() tea.Msg {
			p, err := c.Store.CreateProject(c.Ctx, c.Actor, val, ids)
			if err != nil {
				return statusMsg{text: c.errText(err), err: true}
			}
			return statusMsg{text: fmt.Sprintf(c.T("q.project.made"), p.ID, len(p.Concerns), p.Owner)}
		}, ""
	case store.OpDeadline:
		d, err := parseDeadline(val, q.c.Store.Now())
		if err != nil {
			return nil, q.c.storeWords(err)
		}
		op.Text = d
		// A later deadline is an extension (延期): it is made only with its reason.
		for _, id := range ids {
			if cur := q.latest(id); cur.Extends(d) {
				label := fmt.Sprintf(q.c.T("q.ask.extend"), q.c.day(cur.Plan.Deadline), q.c.day(d))
				q.fs.push(paneQueue, askFor(q.c, q.fs, label, "", nil, func(why string) (tea.Cmd, string) {
					if strings.TrimSpace(why) == "" {
						return nil, q.c.T("q.need.reason")
					}
					op.Reason = why
					return q.start(queuedOp{op: op, ids: ids}), ""
				}))
				return nil, ""
			}
		}
	case store.OpEscalate, store.OpReturn:
		if strings.TrimSpace(val) == "" {
			return nil, q.c.T("q.need.reason")
		}
		op.Reason = val
	default:
		if strings.TrimSpace(val) == "" {
			return nil, q.c.T("q.need.text")
		}
		op.Text = val
	}
	return q.start(queuedOp{op: op, ids: ids}), ""
}

// triage writes op on each concern against the Rev its row showed, off the UI goroutine.
func (q *queue) triage(op store.Op, ids []string, revs map[string]int) tea.Cmd {
	c := q.c
	label := q.opLabel(op)
	before := map[string]store.Snapshot{}
	for id := range revs {
		if x, ok := q.lookup(id); ok {
			before[id] = x.Snap()
		}
	}
	return func() tea.Msg {
		out := triaged{op: op, label: label, before: map[string]store.Snapshot{}}
		for _, id := range ids {
			got, err := c.Store.Triage(c.Ctx, c.Actor, id, revs[id], op)
			var stale *store.StaleError
			switch {
			case errors.As(err, &stale) && len(ids) == 1:
				out.stale = &pendingOp{op: op, ids: ids, stale: stale}
			case err != nil:
				out.failed = append(out.failed, c.storeWords(err))
			case got.Rev == revs[id]:
				// Nothing to change (a red tag on a red concern): say so, and keep no undo.
				out.same = append(out.same, id)
			default:
				if b, ok := before[id]; ok && got.Snap() != b {
					out.before[id] = b
				}
				out.done = append(out.done, got)
				if n := c.deadlineNews(got, revs[id]); n != "" {
					out.news = append(out.news, n)
				}
			}
		}
		return out
	}
}

// opLabel names an action for messages.
func (q *queue) opLabel(op store.Op) string {
	switch op.Kind {
	case store.OpTag:
		return q.c.T("q.op.tag") + q.c.T("tagname."+string(op.Tag))
	case store.OpRestore:
		return q.c.T("q.op.undo")
	}
	return q.c.T("q.op." + string(op.Kind))
}

// afterTriage takes an outcome into the list and says what happened, in the same frame; a
// conflict opens the question; the next action waiting starts.
func (q *queue) afterTriage(t triaged) tea.Cmd {
	for _, c := range t.done {
		for i := range q.rows {
			if q.rows[i].ID == c.ID {
				q.setRow(i, c)
			}
		}
		if _, ok := q.known[c.ID]; ok {
			q.known[c.ID] = c
		}
		q.mine[c.ID] = c
	}
	q.recount = true
	// The keys typed after the action act on the list as it leaves it.
	fetch := q.refilter()
	ask, next := q.run.settle(t)
	if ask != nil {
		q.askStale(ask)
		return fetch
	}
	q.report(t)
	if next != nil {
		return tea.Batch(fetch, q.exec(*next))
	}
	return fetch
}

// report says what an action did, in the footer.
func (q *queue) report(t triaged) {
	if len(t.done) > 0 {
		q.marked = map[string]bool{}
	}
	var ids []string
	for _, c := range t.done {
		ids = append(ids, c.ID)
	}
	text := fmt.Sprintf(q.c.T("q.done"), t.label, strings.Join(ids, " "))
	if len(ids) > 3 {
		text = fmt.Sprintf(q.c.T("q.done.n"), t.label, len(ids))
	}
	if len(t.same) > 0 {
		same := fmt.Sprintf(q.c.T("q.same"), strings.Join(t.same, " "), t.label)
		if len(ids) == 0 {
			text = same
		} else {
			text += "  " + same
		}
	}
	if len(t.news) > 0 {
		// Every deadline the action moved, said as it happens: "DL-0006 时限 12-07 → 12-04（随红牌提前）".
		text += "  " + strings.Join(t.news, q.c.T("q.sep"))
	}
	refused := ""
	if len(t.failed) > 0 {
		refused = strings.Join(t.failed, q.c.T("q.sep"))
		if !t.undo { // an undo's refusal says so itself (未撤销：…)
			refused = fmt.Sprintf(q.c.T("q.refused"), q.c.opVerb(t.op), refused)
		}
	}
	switch {
	case refused != "" && len(ids) == 0 && len(t.same) == 0:
		q.fs.say(refused, true)
	case refused != "":
		q.fs.say(text+"  "+refused, true)
	case len(ids) > 0 || len(t.same) > 0:
		q.fs.say(text, false)
	}
}

// askStale puts the conflict question on the stack: it shows what the other person did and
// takes only y (apply anyway), n or esc.
func (q *queue) askStale(p *pendingOp) {
	qu := confirm(q.c, q.fs, q.staleText(p.stale), func() tea.Cmd {
		again, _ := q.run.answer(true)
		c := again.stale.Concern
		return q.triage(again.op, []string{c.ID}, map[string]int{c.ID: c.Rev})
	})
	qu.no = func() tea.Cmd {
		q.fs.say(q.c.T("q.cancelled"), false)
		if _, next := q.run.answer(false); next != nil {
			return q.exec(*next)
		}
		return nil
	}
	q.fs.push(paneQueue, qu)
}

// staleText tells what others changed, and asks whether to apply the action anyway.
func (q *queue) staleText(e *store.StaleError) string {
	return fmt.Sprintf(q.c.T("q.stale"), e.Concern.ID, q.c.staleMoves(e))
}

// undo puts back what the session's newest action changed; u again goes one further back.
func (q *queue) undo() tea.Cmd {
	if q.run.state == runIdle && len(q.run.undo) == 0 {
		q.fs.say(q.c.T("q.undo.none"), false)
		return nil
	}
	return q.start(queuedOp{undo: true})
}

// execUndo writes the newest undo entry back, refusing, concern by concern, where someone
// else changed it since (and saying who and what).
func (q *queue) execUndo() tea.Cmd {
	e, ok := q.run.takeUndo()
	if !ok {
		q.fs.say(q.c.T("q.undo.none"), false)
		q.run.state = runIdle
		if next := q.run.next(); next != nil {
			return q.exec(*next)
		}
		return nil
	}
	c := q.c
	label := c.T("q.op.undo") + " " + e.label
	return func() tea.Msg {
		out := triaged{label: label, undo: true}
		for _, it := range e.items {
			snap := it.before
			got, err := c.Store.Triage(c.Ctx, c.Actor, it.id, it.rev, store.Op{Kind: store.OpRestore, Restore: &snap, Reason: label})
			switch {
			case err != nil:
				// Someone else changed it since: the words say who and what.
				out.failed = append(out.failed, c.storeWords(err))
			default:
				out.done = append(out.done, got)
			}
		}
		return out
	}
}
