// Package query holds the read models over the store contract: the shared ledger view every
// session's queue asks (search keys, orders, windows), and the panes' loads — the routes and
// coverage of pane 1, the overview of pane 5 — computed from the contract's scoped, masked
// reads. The ledger view follows the change feed; the loads run again when a pane is told of a
// change. Nothing here reads an engine's storage: any engine that passes the conformance suite
// (sanbai/store/storetest) serves them.
package query

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sanbai/search"
	"sanbai/store"
)

// Source is what the ledger view reads: every concern (as the system: the view holds them all
// and scopes each query itself), one concern again when it changed, the grids' names for the
// search keys, the change feed and the clock.
type Source interface {
	store.Clock
	store.Feed
	ConcernChunks(ctx context.Context, a store.Actor, each func(seq int, cs []store.Concern)) error
	Concern(ctx context.Context, a store.Actor, id string) (store.Concern, error)
	Grids(ctx context.Context, a store.Actor) ([]store.Grid, error)
}

// LedgerOrder is an order the ledger view keeps its rows in.
type LedgerOrder int

// The orders of the ledger, in the order the queue's sort key steps through them.
const (
	// OrderMeeting is the order a meeting works through: open before done, overdue first,
	// red before yellow before green, then by deadline and ID.
	OrderMeeting LedgerOrder = iota
	// OrderDeadline puts the nearest deadline first and concerns without one last.
	OrderDeadline
	// OrderNewest puts the concern raised last first.
	OrderNewest
	// OrderVillage goes by village, grid and ID.
	OrderVillage
	// orderKey is the stored order (village, then ID), for Concerns.
	orderKey
	numOrders
)

// Next returns the order after o, wrapping around.
func (o LedgerOrder) Next() LedgerOrder { return (o + 1) % orderKey }

// String names the order ("meeting", "deadline", "newest", "village").
func (o LedgerOrder) String() string {
	switch o {
	case OrderDeadline:
		return "deadline"
	case OrderNewest:
		return "newest"
	case OrderVillage:
		return "village"
	}
	return "meeting"
}

// Ledger is the one shared, read-mostly view of the master ledger a server's sessions ask
// instead of each decoding every concern itself: the decoded concerns with their search keys
// (words, pinyin, initials), kept sorted in every LedgerOrder, whole and cut by village. Its
// concerns are lean (store.Concern.Lean): their moves are kept as the summary the figures
// read, and a screen that lists a concern's history reads that concern from the store. It
// follows the change feed: a published change only marks concern IDs stale, and the next
// query re-reads just those rows from the store before it answers, so an answer never
// predates a write whose change a session has already been told about. Scope is enforced
// here, per query, as in every store read. Sessions get copies of rows; the view never hands
// out a row it will change. A server makes one and hands it to every session.
type Ledger struct {
	src Source
	log *slog.Logger
	// syncMu lets one caller at a time bring the view up to date.
	syncMu sync.Mutex
	// mu guards what queries read; syncs hold it for writing only while they swap rows.
	mu     sync.RWMutex
	rows   map[string]*ledgerRow
	orders [numOrders][]*ledgerRow
	// byVillage holds each order cut by village, so a village or grid user's query walks
	// only their village's rows.
	byVillage map[string]*[numOrders][]*ledgerRow
	today     string // the day OrderMeeting was sorted for (overdue rows come first)
	// grids names each grid, for the search keys; read again with everything, and only
	// touched under syncMu.
	grids map[string]string
	// Every row has a slot (ledgerRow.slot), its concern's while it is in the view, so a
	// search word's matches can be kept as a bit set; nextSlot is the first slot no row has
	// had. A concern that left and came back takes a new one.
	nextSlot int32
	match    matchCache
	// counted keeps the header's counts per scope until the rows change: after a write
	// every session asks again, and sessions of one scope share one count.
	countMu sync.Mutex
	counted map[string]LedgerCounts
	// facets keeps each scope's filter choices until the rows change (under countMu): every
	// queue asks as it opens, and walking a county's 200,000 rows for each of fifty sessions
	// cost seconds.
	facets map[string]LedgerFacets
	// filters keeps each filter's rows until the rows change (under countMu, like counted).
	filters    map[filterKey]*filterEntry
	filterRows int
	// vcounts keeps each village's counts until a change in it (under countMu).
	vcounts map[string]LedgerCounts
	// pages keeps each window asked for until the rows change (under countMu; see page).
	pages map[pageKey]LedgerPage

	dirtyMu  sync.Mutex
	dirty    map[string]struct{}
	all      bool // everything must be read again (first load, an import)
	applying bool // a sync has taken the marks and not yet applied them

	warm sync.Once
	// startDir is where the view's start snapshot is kept ("" for none, UseStart);
	// startTried is set once the first load has tried it (under syncMu).
	startDir   string
	startTried bool
	// startDay and startGrids are the day and the grid names of the snapshot the view was
	// read from (set under syncMu): SaveStart need not write it again while they hold.
	startDay   string
	startGrids map[string]string
	// held keeps loads from sorting the orders other than the meeting one (HoldOrders).
	held atomic.Bool
	// loaded is set (under mu) once the first read is in: until then every query waits.
	loaded bool
}

// ledgerRow is one concern as the view holds it. Rows are never changed once in the view: a
// change replaces the row, so what a query hands out stays as it was.
type ledgerRow struct {
	slot    int32
	open    bool
	tag     int8 // 0 red, 1 yellow, 2 green
	problem bool
	// c is the concern, lean and packed: a county's view holds 200,000 of them.
	c store.Packed
}

// NewLedger makes the ledger view of a store, following its change feed from now on; it reads
// the concerns on its first query (or Warm). log receives a failed background load; nil
// discards it.
func NewLedger(src Source, log *slog.Logger) *Ledger {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Ledger{src: src, log: log, rows: map[string]*ledgerRow{}, dirty: map[string]struct{}{}, all: true}
	src.Hub().Observe(l.note)
	return l
}

// Warm starts the first load in the background (once), so a server accepts logins while the
// ledger is read; queries made before it ends wait for it.
func (l *Ledger) Warm() {
	l.warm.Do(func() {
		go func() {
			start := time.Now()
			if err := l.syncView(); err != nil {
				l.log.Warn("loading the ledger view", "err", err)
				return
			}
			l.mu.RLock()
			n := len(l.rows)
			l.mu.RUnlock()
			l.log.Info("ledger view loaded", "concerns", n, "took", time.Since(start).Round(time.Millisecond))
		}()
	})
}

// HoldOrders keeps the loads from sorting the orders other than the meeting order (the one a
// queue opens on) until ReleaseOrders: a server warming its panes' read models after a start
// wants both cores for them first. A query for another order meanwhile sorts it at once.
func (l *Ledger) HoldOrders() { l.held.Store(true) }

// ReleaseOrders ends HoldOrders and sorts the orders not sorted yet, before it returns.
func (l *Ledger) ReleaseOrders() {
	l.held.Store(false)
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.sortMissing()
}

// Loaded reports whether the view's first read is in. Before, every query waits for it (on a
// county, seconds after a start): a pane for which the concerns are a detail can show the
// rest first.
func (l *Ledger) Loaded() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.loaded
}

// note marks the rows a committed write changed as stale; it runs inside Publish, so it only
// records IDs.
func (l *Ledger) note(changes []store.Change) {
	l.dirtyMu.Lock()
	defer l.dirtyMu.Unlock()
	for _, c := range changes {
		switch {
		case c.Kind == "all":
			l.all = true
		case c.Kind == "concern" && c.ID != "":
			l.dirty[c.ID] = struct{}{}
		}
	}
}

// sync brings the view up to date: everything after "all", else the stale rows, and the
// meeting order when the day has changed (overdue rows move to the front). The reading is the
// view's, shared by every session, so it is not stopped by the session that happens to ask
// (ctx): a session that has ended gets its error before and after, and nothing in between.
func (l *Ledger) sync(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := l.syncView(); err != nil {
		return err
	}
	return ctx.Err()
}

// syncView is sync's work.
func (l *Ledger) syncView() error {
	// The common case, nothing changed, costs two short locks and no wait behind another
	// session's sync. Marks another sync has taken but not yet applied count as pending:
	// reading before they land would answer with rows older than a change already told.
	l.dirtyMu.Lock()
	pending := len(l.dirty) > 0 || l.all || l.applying
	l.dirtyMu.Unlock()
	if !pending {
		l.mu.RLock()
		same := l.today == l.src.Today()
		l.mu.RUnlock()
		if same {
			return nil
		}
	}
	l.syncMu.Lock()
	defer l.syncMu.Unlock()
	l.dirtyMu.Lock()
	ids, all := l.dirty, l.all
	l.dirty, l.all, l.applying = map[string]struct{}{}, false, true
	l.dirtyMu.Unlock()
	var err error
	if all {
		err = l.loadAll()
	} else {
		err = l.refresh(ids)
	}
	l.dirtyMu.Lock()
	l.applying = false
	if err != nil {
		// Put the marks back so the next query tries again.
		l.all = l.all || all
		for id := range ids {
			l.dirty[id] = struct{}{}
		}
	}
	l.dirtyMu.Unlock()
	return err
}

// gridNames reads every grid's name, for the search keys.
func (l *Ledger) gridNames() (map[string]string, error) {
	gs, err := l.src.Grids(context.Background(), store.System())
	names := make(map[string]string, len(gs))
	for _, g := range gs {
		names[g.Code] = g.Name
	}
	return names, err
}

// loadAll reads every concern again, decoding on every core, and sorts the orders. The first
// load of a server's view reads the start snapshot instead when it is current (ledgersnap.go).
func (l *Ledger) loadAll() error {
	if l.startDir != "" && !l.startTried {
		l.startTried = true
		if l.loadStart() {
			return nil
		}
	}
	grids, err := l.gridNames()
	if err != nil {
		return err
	}
	list, keys, err := readLedgerRows(grids, func(each func(seq int, cs []store.Concern)) error {
		return l.src.ConcernChunks(context.Background(), store.System(), each)
	})
	if err != nil {
		return fmt.Errorf("loading the ledger: %w", err)
	}
	// The meeting order is what a queue opens on: it is sorted now, the others right after,
	// in the background (sortMissing), so the view answers sooner.
	today := l.src.Today()
	l.install(list, keys, grids, today, sortOrders(list, today, OrderMeeting))
	return nil
}

// readLedgerRows makes the view's rows and search keys of the concerns read (by read, a chunk
// at a time), in the store's order, their slots numbered in it.
func readLedgerRows(grids map[string]string, read func(each func(seq int, cs []store.Concern)) error) ([]*ledgerRow, []string, error) {
	// The store reads the concerns and decodes them on every core, a chunk at a time (in its
	// key order: village, then ID, which is orderKey); each chunk is made into rows, search
	// keys (pinyin included) and packed text as it comes, so the decoded concerns of a county
	// are never all held at once. A chunk's rows lie in one slab and the texts in the packers'
	// chunks: 200,000 allocations of each would leave their size classes' slack, and holes
	// among the decoded concerns that become garbage at once. A row replaced later stays in
	// its slab until the next load.
	type made struct {
		rows []*ledgerRow
		keys []string
	}
	type maker struct {
		keyer  *search.Keyer
		packer *store.Packer
	}
	var (
		chunks   []made
		chunksMu sync.Mutex
		// A keyer remembers pinyin and a packer fills its chunk: one each per decoding
		// goroutine, not per chunk of concerns.
		makers = sync.Pool{New: func() any { return &maker{search.NewKeyer(), &store.Packer{}} }}
	)
	err := read(func(seq int, cs []store.Concern) {
		m := makers.Get().(*maker)
		defer makers.Put(m)
		slab, ch := make([]ledgerRow, len(cs)), made{make([]*ledgerRow, len(cs)), make([]string, len(cs))}
		for i := range cs {
			slab[i], ch.keys[i] = newLedgerRow(cs[i], grids, m.keyer, m.packer)
			ch.rows[i] = &slab[i]
		}
		chunksMu.Lock()
		defer chunksMu.Unlock()
		for len(chunks) <= seq {
			chunks = append(chunks, made{})
		}
		chunks[seq] = ch
	})
	if err != nil {
		return nil, nil, err
	}
	n := 0
	for _, ch := range chunks {
		n += len(ch.rows)
	}
	list, keys := make([]*ledgerRow, 0, n), make([]string, 0, n)
	for _, ch := range chunks {
		list, keys = append(list, ch.rows...), append(keys, ch.keys...)
	}
	for i, r := range list {
		r.slot = int32(i)
	}
	return list, keys, nil
}

// install makes list (in the store's order, slots numbered in it) the view's rows, with their
// search keys and the orders already sorted for today; the other orders are sorted in the
// background unless held (HoldOrders).
func (l *Ledger) install(list []*ledgerRow, keys []string, grids map[string]string, today string, sorted [numOrders][]*ledgerRow) {
	rows := make(map[string]*ledgerRow, len(list))
	for _, r := range list {
		rows[r.c.ID()] = r
	}
	l.grids = grids
	l.mu.Lock()
	l.rows, l.today, l.loaded = rows, today, true
	l.orders, l.byVillage = [numOrders][]*ledgerRow{}, map[string]*[numOrders][]*ledgerRow{}
	// Each row's village's orders, found once (a village's rows are together in list), and
	// the orders cut by village side by side: each writes only its own order's slices.
	vos := make([]*[numOrders][]*ledgerRow, len(list))
	var last string
	for i, r := range list {
		if v := r.c.Village(); i == 0 || v != last {
			last = v
			vos[i] = l.villageOrders(v)
		} else {
			vos[i] = vos[i-1]
		}
	}
	sorted[orderKey] = list
	var wg sync.WaitGroup
	for o, rs := range sorted {
		if rs == nil {
			continue
		}
		wg.Go(func() {
			l.orders[o] = rs
			for _, r := range rs {
				vo := vos[r.slot]
				vo[o] = append(vo[o], r)
			}
		})
	}
	wg.Wait()
	l.nextSlot = int32(len(list))
	l.match.reset(keys)
	l.forgetCounts()
	l.mu.Unlock()
	if !l.held.Load() {
		go func() {
			l.syncMu.Lock()
			defer l.syncMu.Unlock()
			l.sortMissing()
		}()
	}
}

// sortMissing sorts the orders not sorted yet, and lays out the search keys; callers hold
// syncMu.
func (l *Ledger) sortMissing() {
	defer l.match.prepare()
	l.mu.RLock()
	base, today := l.orders[orderKey], l.today
	var missing []LedgerOrder
	for o := range numOrders {
		if l.orders[o] == nil {
			missing = append(missing, o)
		}
	}
	l.mu.RUnlock()
	if len(missing) == 0 {
		return
	}
	sorted := sortOrders(base, today, missing...)
	l.mu.Lock()
	for _, o := range missing {
		l.setOrder(o, sorted[o])
	}
	// A query that found an order missing (a full read dropped it after its ensureOrder)
	// walked nothing: what was kept for the orders sorted now goes.
	l.countMu.Lock()
	for k, e := range l.filters {
		if slices.Contains(missing, k.order) {
			if e.done {
				l.filterRows -= len(e.rows)
			}
			delete(l.filters, k)
		}
	}
	for k := range l.pages {
		if slices.Contains(missing, k.order) {
			delete(l.pages, k)
		}
	}
	l.countMu.Unlock()
	l.mu.Unlock()
}

// sortOrders sorts a copy of base by each of orders, side by side.
func sortOrders(base []*ledgerRow, today string, orders ...LedgerOrder) [numOrders][]*ledgerRow {
	var sorted [numOrders][]*ledgerRow
	var wg sync.WaitGroup
	for _, o := range orders {
		sorted[o] = slices.Clone(base)
		wg.Go(func() { sortRows(sorted[o], o, today) })
	}
	wg.Wait()
	return sorted
}

// setOrder installs rows, sorted by o, and cuts them by village; callers hold mu for writing.
func (l *Ledger) setOrder(o LedgerOrder, rows []*ledgerRow) {
	l.orders[o] = rows
	for _, vo := range l.byVillage {
		vo[o] = nil
	}
	for _, r := range rows {
		vo := l.villageOrders(r.c.Village())
		vo[o] = append(vo[o], r)
	}
}

// villageOrders returns a village's orders, made empty on first use; callers hold mu for
// writing.
func (l *Ledger) villageOrders(v string) *[numOrders][]*ledgerRow {
	vo := l.byVillage[v]
	if vo == nil {
		vo = &[numOrders][]*ledgerRow{}
		l.byVillage[v] = vo
	}
	return vo
}

// orderFor is the order o as the actor's query walks it: their village's part for village
// and grid users, the whole of it for the others; callers hold mu.
func (l *Ledger) orderFor(a store.Actor, o LedgerOrder) []*ledgerRow {
	if a.Role == store.RoleVillage || a.Role == store.RoleGrid {
		if vo := l.byVillage[a.Village]; vo != nil {
			return vo[o]
		}
		return nil
	}
	return l.orders[o]
}

// moveRow takes old (if any) out of order o and puts r (if any) in, in the whole order and
// in its village's part; callers hold mu for writing.
func (l *Ledger) moveRow(o LedgerOrder, old, r *ledgerRow, today string) {
	if old != nil {
		l.orders[o] = removeRow(l.orders[o], old, o, today)
		if vo := l.byVillage[old.c.Village()]; vo != nil {
			vo[o] = removeRow(vo[o], old, o, today)
		}
	}
	if r != nil {
		l.orders[o] = insertRow(l.orders[o], r, o, today)
		vo := l.villageOrders(r.c.Village())
		vo[o] = insertRow(vo[o], r, o, today)
	}
}

// ensureOrder waits for order o to be sorted (it is, a moment after a load).
func (l *Ledger) ensureOrder(o LedgerOrder) {
	l.mu.RLock()
	ok := l.orders[o] != nil
	l.mu.RUnlock()
	if !ok {
		l.syncMu.Lock()
		l.sortMissing()
		l.syncMu.Unlock()
	}
}

// refresh reads the stale rows again and moves them to their places in every order.
func (l *Ledger) refresh(ids map[string]struct{}) error {
	today := l.src.Today()
	if len(ids) == 0 && today == l.today {
		return nil
	}
	fresh, keys := map[string]*ledgerRow{}, map[string]string{}
	gone := map[string]bool{}
	if len(ids) > 0 {
		keyer := search.NewKeyer()
		sys := store.System()
		for id := range ids {
			c, err := l.src.Concern(context.Background(), sys, id)
			if errors.Is(err, store.ErrNotFound) {
				gone[id] = true
				continue
			}
			if err != nil {
				return err
			}
			r, key := newLedgerRow(c, l.grids, keyer, nil)
			fresh[id], keys[id] = &r, key
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if today != l.today {
		l.forgetCounts() // overdue is counted from the day
	} else {
		// Only the villages of the changed rows are counted again.
		villages := make([]string, 0, len(gone)+2*len(fresh)) // not nil: nil forgets every village
		for id := range gone {
			if old := l.rows[id]; old != nil {
				villages = append(villages, old.c.Village())
			}
		}
		for id, r := range fresh {
			if old := l.rows[id]; old != nil {
				villages = append(villages, old.c.Village())
			}
			villages = append(villages, r.c.Village())
		}
		l.forgetCounts(villages...)
	}
	if today != l.today {
		l.today = today
		sortRows(l.orders[OrderMeeting], OrderMeeting, today)
		l.setOrder(OrderMeeting, l.orders[OrderMeeting])
	}
	// Changed rows keep their concern's slot; new concerns take new ones. The cached
	// search words are brought up to date slot by slot.
	for id := range gone {
		if old := l.rows[id]; old != nil {
			l.match.set(old.slot, "")
		}
	}
	for id, r := range fresh {
		if old := l.rows[id]; old != nil {
			r.slot = old.slot
		} else {
			r.slot = l.nextSlot
			l.nextSlot++
		}
		l.match.set(r.slot, keys[id])
	}
	// Many rows at once (a batch triage by many people) are cheaper to sort again.
	if len(fresh)+len(gone) > 2000 {
		for id := range gone {
			delete(l.rows, id)
		}
		for id, r := range fresh {
			l.rows[id] = r
		}
		list := make([]*ledgerRow, 0, len(l.rows))
		for _, r := range l.rows {
			list = append(list, r)
		}
		for o := range numOrders {
			if o == orderKey || l.orders[o] != nil {
				sorted := slices.Clone(list)
				sortRows(sorted, o, today)
				l.setOrder(o, sorted)
			}
		}
		l.countMu.Lock()
		l.filters, l.filterRows = nil, 0
		l.countMu.Unlock()
		return nil
	}
	for id := range gone {
		if old := l.rows[id]; old != nil {
			for o := range numOrders {
				if l.orders[o] != nil {
					l.moveRow(o, old, nil, today)
				}
			}
			l.refilter(old, nil, today)
			delete(l.rows, id)
		}
	}
	for id, r := range fresh {
		old := l.rows[id]
		for o := range numOrders {
			if l.orders[o] != nil {
				l.moveRow(o, old, r, today)
			}
		}
		l.refilter(old, r, today)
		l.rows[id] = r
	}
	return nil
}

// refilter takes old (if any) out of every kept filtered list and puts r (if any) in those it
// passes, at its place. On a county every change used to drop the lists, and the first
// session to ask after it walked 200,000 rows again. A list with a search text is dropped
// instead: its words' matches are kept apart (matchCache). Callers hold mu for writing.
func (l *Ledger) refilter(old, r *ledgerRow, today string) {
	l.countMu.Lock()
	defer l.countMu.Unlock()
	for k, e := range l.filters {
		if k.text != "" || !e.done {
			delete(l.filters, k)
			l.filterRows -= len(e.rows)
			continue
		}
		if old != nil && keeps(e.a, e.q, old) {
			n := len(e.rows)
			e.rows = removeRow(e.rows, old, k.order, today)
			l.filterRows -= n - len(e.rows)
		}
		if r != nil && keeps(e.a, e.q, r) {
			e.rows = insertRow(e.rows, r, k.order, today)
			l.filterRows++
		}
	}
}

// newLedgerRow builds the row for a concern, packed by packer, and its search key (of the
// concern's ID, text, category, owner, grid and marks), which goes to the match cache's arena.
func newLedgerRow(c store.Concern, grids map[string]string, keyer *search.Keyer, packer *store.Packer) (ledgerRow, string) {
	// Marks are searchable too: "/督办" lists the supervised concerns.
	parts := []string{c.ID, c.Description, c.Category, c.Plan.Owner, grids[c.Grid]}
	if c.Supervisor != "" {
		parts = append(parts, "督办", c.Supervisor)
	}
	if c.Project != "" {
		parts = append(parts, "头雁", c.Project)
	}
	// The view keeps a concern's history only as its summary (store.Pack leaves the moves out,
	// as Lean does): the figures need no more, and the history list of the one concern a sheet
	// shows is read from the store. The summary is made once, here.
	packed := packer.Pack(c)
	problem := packed.ProblemCase()
	if problem {
		parts = append(parts, "问题工单")
	}
	tag := int8(0)
	switch c.Tag {
	case store.TagYellow:
		tag = 1
	case store.TagGreen:
		tag = 2
	}
	return ledgerRow{c: packed, open: c.Status.Open(), tag: tag, problem: problem}, keyer.Key(parts...)
}

// meetingRank puts overdue first, then open, resolved, and the rest.
func (r *ledgerRow) meetingRank(today string) int {
	// Sorting 200,000 rows calls this millions of times: the deadline is read once, and the
	// status only when the row is not open.
	switch {
	case r.open:
		if d := r.c.Deadline(); d != "" && d < today {
			return 0
		}
		return 1
	case r.c.Status() == store.StatusResolved:
		return 2
	}
	return 3
}

// rowLess is the order o on rows; ties end at the ID, so every order is total.
func rowLess(a, b *ledgerRow, o LedgerOrder, today string) bool {
	x, y := &a.c, &b.c
	switch o {
	case OrderMeeting:
		if ra, rb := a.meetingRank(today), b.meetingRank(today); ra != rb {
			return ra < rb
		}
		if a.tag != b.tag {
			return a.tag < b.tag
		}
		if dx, dy := x.Deadline(), y.Deadline(); dx != dy {
			return dx < dy
		}
	case OrderDeadline:
		dx, dy := x.Deadline(), y.Deadline()
		if (dx == "") != (dy == "") {
			return dx != ""
		}
		if dx != dy {
			return dx < dy
		}
	case OrderNewest:
		if cx, cy := x.CreatedAt(), y.CreatedAt(); !cx.Equal(cy) {
			return cx.After(cy)
		}
		return x.ID() > y.ID()
	case OrderVillage:
		if vx, vy := x.Village(), y.Village(); vx != vy {
			return vx < vy
		}
		if gx, gy := x.Grid(), y.Grid(); gx != gy {
			return gx < gy
		}
	case orderKey:
		if vx, vy := x.Village(), y.Village(); vx != vy {
			return vx < vy
		}
	}
	return x.ID() < y.ID()
}

// sortRows sorts rows by o. Every order is total (rowLess), so two rows compare equal only
// when they are the same row.
func sortRows(rows []*ledgerRow, o LedgerOrder, today string) {
	slices.SortFunc(rows, func(a, b *ledgerRow) int {
		switch {
		case a == b:
			return 0
		case rowLess(a, b, o, today):
			return -1
		}
		return 1
	})
}

// removeRow takes r out of rows (sorted by o), found by binary search.
func removeRow(rows []*ledgerRow, r *ledgerRow, o LedgerOrder, today string) []*ledgerRow {
	i := sort.Search(len(rows), func(i int) bool { return !rowLess(rows[i], r, o, today) })
	if i < len(rows) && rows[i] == r {
		return slices.Delete(rows, i, i+1)
	}
	// Not where the order says (it cannot happen while the order is kept): look everywhere.
	if i = slices.Index(rows, r); i >= 0 {
		return slices.Delete(rows, i, i+1)
	}
	return rows
}

// insertRow puts r into rows (sorted by o) at its place.
func insertRow(rows []*ledgerRow, r *ledgerRow, o LedgerOrder, today string) []*ledgerRow {
	i := sort.Search(len(rows), func(i int) bool { return !rowLess(rows[i], r, o, today) })
	return slices.Insert(rows, i, r)
}

// LedgerQuery is what a session's queue shows: an order, filters, a text or pinyin search,
// and the window of rows it needs.
type LedgerQuery struct {
	Order LedgerOrder
	// All includes resolved and closed concerns.
	All      bool
	Tier     store.Tier
	Tag      store.Tag
	Owner    string // only this owner's concerns ("mine")
	Village  string
	Grid     string
	Category string
	// Text is searched word by word in the ID, description, category, owner, grid name and
	// marks, as typed or as pinyin or pinyin initials.
	Text string
	// Offset and Limit are the window of matching rows wanted.
	Offset, Limit int
	// Around names a concern to keep in the window: when it matches but falls outside
	// [Offset, Offset+Limit), the window moves to hold it.
	Around string
	// Counts asks for the open concerns in scope counted by tier and colour (the header).
	Counts bool
	// IDs asks for these concerns as well, wherever they are (marked rows off the window).
	IDs []string
}

// LedgerPage is a query's answer.
type LedgerPage struct {
	Total  int             // rows matching
	Offset int             // index of Rows[0] among them
	Rows   []store.Concern // the window, shared with the view and every caller asking the same: read only
	Pos    int             // index of Around among the matches, or -1
	Counts LedgerCounts
	// Found holds the concerns asked for by IDs that exist and are in scope.
	Found map[string]store.Concern
}

// LedgerCounts counts the open concerns in scope. Sessions of one scope share it: read only.
type LedgerCounts struct {
	Tiers                         map[store.Tier]int
	Tags                          map[store.Tag]int
	Overdue, Supervised, Problems int
}

// Query answers q for actor a from the view, bringing it up to date first. It walks one
// pre-sorted order once, filtering as it goes, and copies out only the window.
func (l *Ledger) Query(ctx context.Context, a store.Actor, q LedgerQuery) (LedgerPage, error) {
	if err := l.sync(ctx); err != nil {
		return LedgerPage{}, err
	}
	if q.Order < 0 || q.Order >= orderKey {
		q.Order = OrderMeeting
	}
	l.ensureOrder(q.Order)
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Offset = max(q.Offset, 0)
	l.mu.RLock()
	defer l.mu.RUnlock()
	p := l.page(a, q)
	if len(q.IDs) > 0 {
		p.Found = l.found(a, q.IDs) // this session's own marks: never kept
	}
	return p, nil
}

// page is q's window, kept until the rows change: sessions of one scope resting on the same
// window (the top of the queue, as a meeting leaves them) ask the same after every change.
// Callers hold mu for reading.
func (l *Ledger) page(a store.Actor, q LedgerQuery) LedgerPage {
	fk := newFilterKey(a, q)
	key := pageKey{filterKey: fk, offset: q.Offset, limit: q.Limit, around: q.Around, counts: q.Counts}
	l.countMu.Lock()
	p, ok := l.pages[key]
	l.countMu.Unlock()
	if ok {
		return p
	}
	list := l.filtered(a, q, fk)
	p = LedgerPage{Offset: q.Offset, Pos: -1, Total: len(list)}
	if q.Counts {
		p.Counts = l.counts(a)
	}
	// The concern to keep in the window is found by its place in the order, not by a walk.
	if r := l.rows[q.Around]; r != nil {
		today := l.today
		i := sort.Search(len(list), func(i int) bool { return !rowLess(list[i], r, q.Order, today) })
		if i < len(list) && list[i] == r {
			p.Pos = i
		}
	}
	switch {
	case p.Pos >= 0 && (p.Pos < q.Offset || p.Pos >= q.Offset+q.Limit):
		p.Offset = max(p.Pos-q.Limit/2, 0)
	case q.Offset > 0 && q.Offset >= p.Total:
		p.Offset = max(p.Total-q.Limit, 0)
	}
	for _, r := range list[min(p.Offset, len(list)):min(p.Offset+q.Limit, len(list))] {
		p.Rows = append(p.Rows, r.c.Concern())
	}
	// Kept while mu is held for reading: a change (which takes it for writing) forgets the
	// pages after this one is in, never before.
	l.countMu.Lock()
	if l.pages == nil || len(l.pages) >= maxPages {
		l.pages = map[pageKey]LedgerPage{}
	}
	l.pages[key] = p
	l.countMu.Unlock()
	return p
}

// maxPages bounds the answers kept between changes (each a window of rows, some 25 KB).
const maxPages = 64

// pageKey is what decides a query's answer, besides the rows: its filter and window.
type pageKey struct {
	filterKey
	offset, limit int
	around        string
	counts        bool
}

// filterKey is what decides which rows of an order a query lets through: the actor's scope
// and the query's order and filters (its window and marks do not).
type filterKey struct {
	scope                                string
	order                                LedgerOrder
	all                                  bool
	tier                                 store.Tier
	tag                                  store.Tag
	owner, village, grid, category, text string
}

// filterEntry is one filter's rows, walked out of the order once by whichever query asks
// first and kept up to date by refilter.
type filterEntry struct {
	once sync.Once
	done bool // rows are walked
	a    store.Actor
	q    LedgerQuery
	rows []*ledgerRow
}

// maxFilterRows bounds the rows the kept filters hold between changes (8 MB of pointers):
// past it they are all dropped, so a search typed letter by letter on a county keeps little.
const maxFilterRows = 1 << 20

// filtered returns the rows of q's order that the actor sees and q's filters let through, in
// order. A meeting's sessions mostly ask the same filter after every change: the first walks
// the order, the others share its list, which refilter keeps up to date after a change.
// k is newFilterKey(a, q). Callers hold mu for reading, so no change lands while a list is
// made or used.
func (l *Ledger) filtered(a store.Actor, q LedgerQuery, k filterKey) []*ledgerRow {
	l.countMu.Lock()
	if l.filters == nil || l.filterRows >= maxFilterRows {
		l.filters, l.filterRows = map[filterKey]*filterEntry{}, 0
	}
	e := l.filters[k]
	if e == nil {
		e = &filterEntry{a: a, q: q}
		l.filters[k] = e
	}
	l.countMu.Unlock()
	e.once.Do(func() {
		rows := l.walk(a, q)
		l.countMu.Lock()
		e.rows, e.done = rows, true
		l.filterRows += len(rows)
		l.countMu.Unlock()
	})
	return e.rows
}

// newFilterKey is the actor's scope and q's order and filters.
func newFilterKey(a store.Actor, q LedgerQuery) filterKey {
	return filterKey{scope: string(a.Role) + "\x00" + a.Village + "\x00" + a.Grid, order: q.Order, all: q.All, tier: q.Tier,
		tag: q.Tag, owner: q.Owner, village: q.Village, grid: q.Grid, category: q.Category, text: q.Text}
}

// walk goes through q's order once and keeps the rows that pass; callers hold mu.
func (l *Ledger) walk(a store.Actor, q LedgerQuery) []*ledgerRow {
	var sets [][]uint64
	for _, w := range search.Words(q.Text) {
		sets = append(sets, l.match.words(w))
	}
	var out []*ledgerRow
next:
	for _, r := range l.orderFor(a, q.Order) {
		if !keeps(a, q, r) {
			continue
		}
		for _, b := range sets {
			if b[r.slot>>6]&(1<<(r.slot&63)) == 0 {
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

// keeps says whether the actor sees r and q's filters other than its text let it through.
func keeps(a store.Actor, q LedgerQuery, r *ledgerRow) bool {
	c := &r.c
	switch {
	case !a.CanSee(c.Village(), c.Grid()):
	case !q.All && !r.open:
	case q.Tier != "" && c.Tier() != q.Tier:
	case q.Tag != "" && c.Tag() != q.Tag:
	case q.Owner != "" && c.Owner() != q.Owner:
	case q.Village != "" && c.Village() != q.Village:
	case q.Grid != "" && c.Grid() != q.Grid:
	case q.Category != "" && c.Category() != q.Category:
	default:
		return true
	}
	return false
}

// Get returns the concerns with these IDs that exist and are in the actor's scope, by ID.
func (l *Ledger) Get(ctx context.Context, a store.Actor, ids []string) (map[string]store.Concern, error) {
	if err := l.sync(ctx); err != nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.found(a, ids), nil
}

// found looks concerns up by ID; callers hold mu.
func (l *Ledger) found(a store.Actor, ids []string) map[string]store.Concern {
	out := make(map[string]store.Concern, len(ids))
	for _, id := range ids {
		if r := l.rows[id]; r != nil && a.CanSee(r.c.Village(), r.c.Grid()) {
			out[id] = r.c.Concern()
		}
	}
	return out
}

// forgetCounts drops the kept counts: every village's counts and every filtered list, or only
// the counts of the villages named (refresh brings the filtered lists up to date row by row).
// Callers hold mu for writing.
func (l *Ledger) forgetCounts(villages ...string) {
	l.countMu.Lock()
	l.counted, l.facets, l.pages = nil, nil, nil
	if villages == nil {
		l.vcounts, l.filters, l.filterRows = nil, nil, 0
	}
	for _, v := range villages {
		delete(l.vcounts, v)
	}
	l.countMu.Unlock()
}

// counts returns the header's counts for the actor's scope, counting them once per change;
// callers hold mu.
func (l *Ledger) counts(a store.Actor) LedgerCounts {
	scope := string(a.Role) + "/" + a.Village + "/" + a.Grid
	l.countMu.Lock()
	defer l.countMu.Unlock()
	if n, ok := l.counted[scope]; ok {
		return n
	}
	var n LedgerCounts
	switch a.Role {
	case store.RoleTownship, store.RoleInspector:
		// They see every village: the villages' counts summed, each kept until a change in
		// it, so a triage counts one village again, not the county.
		n = LedgerCounts{Tiers: map[store.Tier]int{}, Tags: map[store.Tag]int{}}
		for v := range l.byVillage {
			vn := l.villageCount(v)
			for t, k := range vn.Tiers {
				n.Tiers[t] += k
			}
			for t, k := range vn.Tags {
				n.Tags[t] += k
			}
			n.Overdue += vn.Overdue
			n.Supervised += vn.Supervised
			n.Problems += vn.Problems
		}
	case store.RoleVillage:
		n = l.villageCount(a.Village)
	default:
		n = l.count(a)
	}
	if l.counted == nil {
		l.counted = map[string]LedgerCounts{}
	}
	l.counted[scope] = n
	return n
}

// villageCount is a village's counts as its village user sees them, kept until a change in
// the village; callers hold mu and countMu.
func (l *Ledger) villageCount(v string) LedgerCounts {
	if n, ok := l.vcounts[v]; ok {
		return n
	}
	n := l.count(store.Actor{Role: store.RoleVillage, Village: v})
	if l.vcounts == nil {
		l.vcounts = map[string]LedgerCounts{}
	}
	l.vcounts[v] = n
	return n
}

// count counts the open concerns the actor sees; callers hold mu.
func (l *Ledger) count(a store.Actor) LedgerCounts {
	n := LedgerCounts{Tiers: map[store.Tier]int{}, Tags: map[store.Tag]int{}}
	var tiers [4]int
	var tags [3]int
	for _, r := range l.orderFor(a, OrderMeeting) {
		c := &r.c
		if !r.open || !a.CanSee(c.Village(), c.Grid()) {
			continue
		}
		if t := tierRank(c.Tier()); t >= 0 {
			tiers[t]++
		}
		tags[r.tag]++
		if c.Overdue(l.today) {
			n.Overdue++
		}
		if c.Supervisor() != "" {
			n.Supervised++
		}
		if r.problem {
			n.Problems++
		}
	}
	for i, t := range store.Tiers() {
		n.Tiers[t] = tiers[i]
	}
	for i, t := range store.Tags() {
		n.Tags[t] = tags[i]
	}
	return n
}

// Concerns returns the concerns the actor may see, in the store's order (by village, then
// ID), from the view: what Store.Concerns returns, without reading and decoding each row
// again (tests compare the two). Sessions walk the view with EachConcern instead of copying it.
func (l *Ledger) Concerns(ctx context.Context, a store.Actor) ([]store.Concern, error) {
	each, err := l.EachConcern(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []store.Concern
	each(func(c *store.Concern) { out = append(out, *c) })
	return out, nil
}

// EachConcern is Concerns handed out one at a time: the returned func calls fn with each
// concern the actor sees, in key order, unpacked into one value it reuses, so fn must copy
// the concern to keep it (its strings and lists are its own and may be kept). It reads the
// view as it is when called, holding it for reading meanwhile: fn must not call the view. A
// county's checklist and overview count 230 villages' concerns after a start; copying each
// village's into a slice first was most of their time.
func (l *Ledger) EachConcern(ctx context.Context, a store.Actor) (func(fn func(c *store.Concern)), error) {
	if err := l.sync(ctx); err != nil {
		return nil, err
	}
	return func(fn func(c *store.Concern)) {
		l.mu.RLock()
		defer l.mu.RUnlock()
		var c store.Concern
		for _, r := range l.orderFor(a, orderKey) {
			if a.CanSee(r.c.Village(), r.c.Grid()) {
				c = r.c.Concern()
				fn(&c)
			}
		}
	}, nil
}

// LedgerFacets are the villages, grids and categories of the concerns an actor sees, sorted:
// what the queue's filter picker offers.
type LedgerFacets struct {
	Villages, Grids, Categories []string
}

// Facets lists the villages, grids and categories among the concerns the actor sees. The
// lists are shared with every session of the scope until the rows change: callers must not
// change them.
func (l *Ledger) Facets(ctx context.Context, a store.Actor) (LedgerFacets, error) {
	if err := l.sync(ctx); err != nil {
		return LedgerFacets{}, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	scope := string(a.Role) + "/" + a.Village + "/" + a.Grid
	l.countMu.Lock()
	f, ok := l.facets[scope]
	l.countMu.Unlock()
	if ok {
		return f, nil
	}
	// Counted outside countMu (the walk is long); a change cannot land meanwhile, as it
	// takes mu for writing before it forgets the facets.
	vs, gs, cs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range l.orderFor(a, orderKey) {
		c := &r.c
		if v, g := c.Village(), c.Grid(); a.CanSee(v, g) {
			vs[v], gs[g], cs[c.Category()] = true, true, true
		}
	}
	keys := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	f = LedgerFacets{Villages: keys(vs), Grids: keys(gs), Categories: keys(cs)}
	l.countMu.Lock()
	if l.facets == nil {
		l.facets = map[string]LedgerFacets{}
	}
	l.facets[scope] = f
	l.countMu.Unlock()
	return f, nil
}

// matchCache keeps, for the words people have searched for, which slots' keys contain them:
// typing "louyu" a letter at a time tests each new prefix only against the rows the previous
// one matched, and a word any session searched for costs nothing to filter by again. Its
// sets always cover every slot. The keys themselves live back to back in one arena, so a
// word nobody searched for yet is found by one scan of contiguous memory rather than by
// visiting 200,000 strings. It has its own lock, taken after Ledger.mu.
type matchCache struct {
	mu   sync.Mutex
	sets map[string][]uint64
	// arena holds every key followed by a 0xff byte (never in typed text, so no word
	// matches across two keys); a replaced key's bytes are overwritten with 0xff.
	arena  []byte
	starts []int   // where each key in the arena starts, increasing
	slotAt []int32 // the slot of each key in starts
	span   [][2]int
	// keys are the keys of a load not laid out in the arena yet (lay): copying a county's
	// 54 MB of them was a fifth of a second of the view's start, before anyone searched.
	keys []string
}

// maxCachedWords bounds the cache; past it, it starts again empty.
const maxCachedWords = 512

// reset drops the cached words and lays out the rows' keys afresh: keys[i] is slot i's.
func (m *matchCache) reset(keys []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sets, m.keys = nil, keys
	m.arena, m.starts, m.slotAt, m.span = nil, nil, nil, nil
}

// lay lays out the keys of the last reset in the arena, if they are not yet; it is done in
// the background after a load (prepare), or by the first search or change before that.
// Callers hold m.mu.
func (m *matchCache) lay() {
	keys := m.keys
	if keys == nil {
		return
	}
	m.keys = nil
	n := 0
	for _, k := range keys {
		n += len(k) + 1
	}
	m.arena = make([]byte, 0, n+n/8)
	m.starts, m.slotAt, m.span = make([]int, 0, len(keys)), make([]int32, 0, len(keys)), make([][2]int, len(keys))
	for slot, k := range keys {
		m.put(int32(slot), k)
	}
}

// prepare lays out the keys of the last load (lay).
func (m *matchCache) prepare() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lay()
}

// put appends slot's key to the arena.
func (m *matchCache) put(slot int32, key string) {
	for int(slot) >= len(m.span) {
		m.span = append(m.span, [2]int{})
	}
	start := len(m.arena)
	m.arena = append(append(m.arena, key...), 0xff)
	m.starts, m.slotAt = append(m.starts, start), append(m.slotAt, slot)
	m.span[slot] = [2]int{start, start + len(key)}
}

// set records slot's new key (empty when the row is gone): in the arena, and in every
// cached set.
func (m *matchCache) set(slot int32, key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lay()
	if int(slot) < len(m.span) {
		sp := m.span[slot]
		for i := sp[0]; i < sp[1]; i++ {
			m.arena[i] = 0xff
		}
	}
	m.put(slot, key)
	if key == "" {
		m.span[slot] = [2]int{}
	}
	for w, b := range m.sets {
		for int(slot>>6) >= len(b) {
			b = append(b, 0)
		}
		if key != "" && strings.Contains(key, w) {
			b[slot>>6] |= 1 << (slot & 63)
		} else {
			b[slot>>6] &^= 1 << (slot & 63)
		}
		m.sets[w] = b
	}
}

// words returns the set of slots whose key contains w, building it from the cached word
// inside w that matched fewest rows, or from a scan of the arena. Callers hold Ledger.mu.
func (m *matchCache) words(w string) []uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lay()
	if b, ok := m.sets[w]; ok {
		return b
	}
	var from []uint64
	best := -1
	for k, b := range m.sets {
		if strings.Contains(w, k) {
			if n := ones(b); best < 0 || n < best {
				from, best = b, n
			}
		}
	}
	out := make([]uint64, (len(m.span)+63)/64)
	needle := []byte(w)
	if from != nil {
		for i, word := range from {
			for word != 0 {
				s := i*64 + bits.TrailingZeros64(word)
				word &= word - 1
				if sp := m.span[s]; bytes.Contains(m.arena[sp[0]:sp[1]], needle) {
					out[s>>6] |= 1 << (s & 63)
				}
			}
		}
	} else {
		// One pass over the arena: at each hit, mark the key it is in and go on from the
		// next key.
		for off := 0; off < len(m.arena); {
			i := bytes.Index(m.arena[off:], needle)
			if i < 0 {
				break
			}
			k := sort.SearchInts(m.starts, off+i+1) - 1
			s := m.slotAt[k]
			out[s>>6] |= 1 << (s & 63)
			if k+1 >= len(m.starts) {
				break
			}
			off = m.starts[k+1]
		}
	}
	if m.sets == nil || len(m.sets) >= maxCachedWords {
		m.sets = map[string][]uint64{}
	}
	m.sets[w] = out
	return out
}

// ones counts the set bits.
func ones(b []uint64) int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// tierRank orders tiers from 0 (on site) to 3 (township), as store.Tiers lists them; -1 for
// none. A switch, not a search of store.Tiers(): the counts call it for every open concern.
func tierRank(t store.Tier) int {
	switch t {
	case store.TierOnSite:
		return 0
	case store.TierGrid:
		return 1
	case store.TierVillage:
		return 2
	case store.TierTownship:
		return 3
	}
	return -1
}
