package tui

import (
	"slices"

	tea "charm.land/bubbletea/v2"

	"sanbai/query"
	"sanbai/store"
)

// queuePage is a window of the ledger view's answer to the pane's query, with the filter
// and order it was asked for: an answer to a filter since changed is not shown.
type queuePage struct {
	p     query.LedgerPage
	err   error
	f     queueFilter
	order query.LedgerOrder
	asked []string // the concerns asked for by ID
	// around is the concern the cursor was on when asked; the answer moves the cursor to
	// it only if the person has not moved on since.
	around string
	// seq is the pane's wait count when asked: an answer asked after the last key that
	// waits for rows lets the keys go on.
	seq int
}

// query is the ledger query for what the pane shows now: its filter and order, a window of
// three screens around the cursor that keeps the selected concern in it, the marked and
// lead-project concerns, and the header's counts when asked.
func (q *queue) query(counts bool) query.LedgerQuery {
	f := q.f
	lq := query.LedgerQuery{Order: q.order, All: f.all, Tier: f.tier, Tag: f.tag, Village: f.village, Grid: f.grid,
		Category: f.category, Text: f.text, Around: q.selected, Counts: counts}
	if f.mine {
		lq.Owner = q.c.Actor.Name
	}
	h := q.listHeight()
	lq.Offset, lq.Limit = max(q.cur.Offset-h, 0), 3*h+2
	for id := range q.marked {
		lq.IDs = append(lq.IDs, id)
	}
	for _, p := range q.projects {
		lq.IDs = append(lq.IDs, p.Concerns...)
	}
	return lq
}

// fetch asks the ledger view for the window; a query running already is followed by one
// more with whatever the pane shows by then.
func (q *queue) fetch() tea.Cmd { return q.page.want(q.pageCmd) }

// pageCmd is the window query itself, built from what the pane shows when it starts.
func (q *queue) pageCmd() tea.Cmd {
	c, query, f, order, seq := q.c, q.query(q.recount), q.f, q.order, q.waits
	q.recount = false
	return func() tea.Msg {
		p, err := c.Ledger.Query(c.Ctx, c.Actor, query)
		return queuePage{p: p, err: err, f: f, order: order, asked: query.IDs, around: query.Around, seq: seq}
	}
}

// wait makes the keys that follow wait for the next window: what the list shows is about to
// change because of the person's own key.
func (q *queue) wait() {
	q.waits++
	q.waitRows = true
}

// applyPage takes a window in: the cursor stays on the selected concern when it is still
// listed, the marked and lead-project concerns are refreshed, and none of this session's own
// edits is replaced by an older version of the row.
func (q *queue) applyPage(msg queuePage, counted bool) tea.Cmd {
	p := msg.p
	if counted {
		q.hdr = p.Counts
	}
	if msg.f != q.f || msg.order != q.order {
		// Asked before the filter or order changed: ask again rather than show rows that
		// do not match the filter line.
		q.recount = q.recount || counted
		return q.fetch()
	}
	// A new filter or order starts at the top when the concern the cursor was on is not in
	// its answer; a refresh of the same list keeps the place.
	refiltered := msg.f != q.shown || msg.order != q.shownBy
	q.shown, q.shownBy = msg.f, msg.order
	q.rows, q.ownRows, q.base, q.total = p.Rows, false, p.Offset, p.Total
	for i, c := range q.rows {
		if m, ok := q.mine[c.ID]; ok {
			if m.Rev > c.Rev {
				q.setRow(i, m)
			} else {
				delete(q.mine, c.ID)
			}
		}
	}
	for id, c := range p.Found {
		q.known[id] = c
	}
	// A mark on a concern the view no longer has for this user (gone, or moved out of
	// scope) goes; marks made after the query was asked stay.
	for _, id := range msg.asked {
		if _, ok := p.Found[id]; !ok {
			delete(q.marked, id)
		}
	}
	q.cur.SetLen(p.Total)
	switch {
	case p.Pos >= 0 && msg.around == q.selected:
		q.cur.Pos = p.Pos
	case refiltered && msg.around == q.selected:
		q.cur.Pos, q.cur.Offset = 0, 0
	}
	q.cur.Move(0, q.listHeight())
	q.remember()
	if msg.seq >= q.waits {
		q.waitRows = false
	}
	// The cursor may have landed outside the rows this answer holds (a new filter, a list
	// grown shorter): ask for them, and keys wait for them.
	return q.ensureWindow()
}

// setRow puts c in row i. The rows of a window may be shared with other sessions asking
// the same (the ledger view keeps its answers, read only): they are copied before this
// session's first edit goes in.
func (q *queue) setRow(i int, c store.Concern) {
	if !q.ownRows {
		q.rows, q.ownRows = slices.Clone(q.rows), true
	}
	q.rows[i] = c
}

// ensureWindow asks for another window when the cursor has moved near the edge of the one
// held (or past it: then the keys that follow wait for it).
func (q *queue) ensureWindow() tea.Cmd {
	h := q.listHeight()
	from, to := q.cur.Window(h)
	end := q.base + len(q.rows)
	if (from < q.base) || (to > end) || (from-q.base < h/2 && q.base > 0) || (end-to < h/2 && end < q.total) {
		if _, ok := q.current(); !ok && q.total > 0 {
			q.wait()
		}
		return q.fetch()
	}
	return nil
}

// refilter asks the ledger view for the rows the filter and order let through; the cursor
// stays on the same concern (see applyPage). Keys typed next wait for them.
func (q *queue) refilter() tea.Cmd {
	q.wait()
	return q.fetch()
}

// listHeight is the rows the table shows: the pane less the counts line, the filter line, a
// rule, the column header and a closing rule (open prompts have taken their lines already).
func (q *queue) listHeight() int {
	h := q.h - 5
	if q.meeting {
		h = (h - 4) / 2
	}
	return max(h, 1)
}
