package query_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"sanbai/demo"
	"sanbai/query"
	"sanbai/search"
	"sanbai/store"
)

// county opens a store in t.TempDir() holding a small county (two villages, 1,000 households,
// 2,000 concerns) from the county generator.
func county(t testing.TB) *store.Store {
	t.Helper()
	day := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := demo.County(t.Context(), st, demo.DefaultSeed, demo.FullCounty().Scaled(100), day, nil); err != nil {
		t.Fatal(err)
	}
	return st
}

// every returns all matching rows of a query, a window at a time.
func every(t *testing.T, l *query.Ledger, a store.Actor, q query.LedgerQuery) []store.Concern {
	t.Helper()
	var out []store.Concern
	for q.Offset = 0; ; q.Offset += 97 {
		q.Limit = 97
		p, err := l.Query(t.Context(), a, q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Rows...)
		if q.Offset+q.Limit >= p.Total {
			if len(out) != p.Total {
				t.Fatalf("windows gave %d rows of %d", len(out), p.Total)
			}
			return out
		}
	}
}

// meetingLess is the meeting order written out plainly, to check the view's kept order.
func meetingLess(a, b store.Concern, today string) bool {
	rank := func(c store.Concern) int {
		switch {
		case c.Overdue(today):
			return 0
		case c.Status.Open():
			return 1
		case c.Status == store.StatusResolved:
			return 2
		}
		return 3
	}
	tag := map[store.Tag]int{store.TagRed: 0, store.TagYellow: 1, store.TagGreen: 2}
	if rank(a) != rank(b) {
		return rank(a) < rank(b)
	}
	if tag[a.Tag] != tag[b.Tag] {
		return tag[a.Tag] < tag[b.Tag]
	}
	if a.Plan.Deadline != b.Plan.Deadline {
		return a.Plan.Deadline < b.Plan.Deadline
	}
	return a.ID < b.ID
}

// TestLedgerViewFollowsTriage: triage through the store, and the next query shows the new
// state in its new place, in every order, as a fresh read of the store would.
func TestLedgerViewFollowsTriage(t *testing.T) {
	st := county(t)
	l := query.NewLedger(st, nil)
	all := query.LedgerQuery{All: true}
	if got := every(t, l, store.System(), all); len(got) != 2000 {
		t.Fatalf("%d concerns in the view", len(got))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	open := every(t, l, store.System(), query.LedgerQuery{})
	for i := 0; i < 40; i++ {
		c := open[rng.IntN(len(open))]
		tag := store.Tags()[rng.IntN(3)]
		if _, err := st.Triage(t.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpTag, Tag: tag}); err != nil {
			t.Fatal(err)
		}
		if i%4 == 0 {
			if _, err := st.Triage(t.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpResolve, Text: "已解决"}); err != nil {
				t.Fatal(err)
			}
		}
		p, err := l.Query(t.Context(), store.System(), query.LedgerQuery{All: true, Around: c.ID, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		var seen *store.Concern
		for i := range p.Rows {
			if p.Rows[i].ID == c.ID {
				seen = &p.Rows[i]
			}
		}
		// The header's counts, kept per village and summed, equal a count made afresh, for
		// the township and for the village the change was in.
		if i%8 == 0 {
			for _, a := range []store.Actor{{Name: "t", Role: store.RoleTownship}, {Name: "v", Role: store.RoleVillage, Village: c.Village}} {
				q := query.LedgerQuery{Counts: true, Limit: 1}
				kept, err1 := l.Query(t.Context(), a, q)
				afresh, err2 := query.NewLedger(st, nil).Query(t.Context(), a, q)
				if err1 != nil || err2 != nil || !reflect.DeepEqual(kept.Counts, afresh.Counts) {
					t.Fatalf("%s counts %+v after triage, afresh %+v (%v %v)", a.Role, kept.Counts, afresh.Counts, err1, err2)
				}
			}
		}
		fresh, _ := st.Concern(t.Context(), store.System(), c.ID)
		if seen == nil || seen.Tag != fresh.Tag || seen.Status != fresh.Status || seen.Rev != fresh.Rev {
			t.Fatalf("view shows %+v after triage, store has tag %s status %s rev %d", seen, fresh.Tag, fresh.Status, fresh.Rev)
		}
	}
	// The kept orders equal a sort of a fresh read.
	stored, err := st.Concerns(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	today := st.Today()
	sort.Slice(stored, func(i, j int) bool { return meetingLess(stored[i], stored[j], today) })
	got := every(t, l, store.System(), all)
	for i := range stored {
		if got[i].ID != stored[i].ID || got[i].Rev != stored[i].Rev {
			t.Fatalf("row %d: view %s rev %d, store %s rev %d", i, got[i].ID, got[i].Rev, stored[i].ID, stored[i].Rev)
		}
	}
	// A village user's rows (kept apart per village) are the township's, cut by village,
	// in every order.
	va := store.Actor{Name: "v", Role: store.RoleVillage, Village: stored[0].Village}
	for _, o := range []query.LedgerOrder{query.OrderMeeting, query.OrderDeadline, query.OrderNewest, query.OrderVillage} {
		var want []string
		for _, c := range every(t, l, store.System(), query.LedgerQuery{All: true, Order: o}) {
			if c.Village == va.Village {
				want = append(want, c.ID+"/"+string(c.Tag))
			}
		}
		var got []string
		for _, c := range every(t, l, va, query.LedgerQuery{All: true, Order: o}) {
			got = append(got, c.ID+"/"+string(c.Tag))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s order: the village user's %d rows differ from the township's %d of that village", o, len(got), len(want))
		}
	}
	shared, err := l.Concerns(t.Context(), store.System())
	if err != nil || len(shared) != len(stored) {
		t.Fatalf("view's Concerns: %d rows, %v", len(shared), err)
	}
	byKey, _ := st.Concerns(t.Context(), store.System())
	for i := range byKey {
		if shared[i].ID != byKey[i].ID || shared[i].Rev != byKey[i].Rev {
			t.Fatalf("view's Concerns row %d is %s, the store's %s", i, shared[i].ID, byKey[i].ID)
		}
	}
	for _, o := range []query.LedgerOrder{query.OrderDeadline, query.OrderNewest, query.OrderVillage} {
		rows := every(t, l, store.System(), query.LedgerQuery{All: true, Order: o})
		ids := map[string]bool{}
		for i, r := range rows {
			ids[r.ID] = true
			if i == 0 {
				continue
			}
			p := rows[i-1]
			bad := false
			switch o {
			case query.OrderDeadline:
				bad = p.Plan.Deadline > r.Plan.Deadline && r.Plan.Deadline != ""
			case query.OrderNewest:
				bad = p.CreatedAt.Before(r.CreatedAt)
			case query.OrderVillage:
				bad = p.Village+p.Grid > r.Village+r.Grid
			}
			if bad {
				t.Fatalf("%s order: %s before %s", o, p.ID, r.ID)
			}
		}
		if len(ids) != len(stored) {
			t.Fatalf("%s order holds %d concerns, not %d", o, len(ids), len(stored))
		}
	}
}

// TestLedgerViewKeepsFilters: the filtered lists a view keeps between changes, brought up to
// date row by row after each triage, hold what a fresh view's walk finds, for the filters and
// scopes a meeting uses.
func TestLedgerViewKeepsFilters(t *testing.T) {
	st := county(t)
	l := query.NewLedger(st, nil)
	open := every(t, l, store.System(), query.LedgerQuery{})
	village := open[0].Village
	grid := open[0].Grid
	township := store.Actor{Name: "t", Role: store.RoleTownship}
	type view struct {
		a store.Actor
		q query.LedgerQuery
	}
	views := []view{
		{township, query.LedgerQuery{}},
		{township, query.LedgerQuery{All: true, Order: query.OrderDeadline}},
		{township, query.LedgerQuery{Tag: store.TagRed}},
		{township, query.LedgerQuery{Tier: open[0].Tier, Order: query.OrderNewest}},
		{township, query.LedgerQuery{Village: village, Order: query.OrderVillage}},
		{store.Actor{Name: "v", Role: store.RoleVillage, Village: village}, query.LedgerQuery{Tag: store.TagYellow}},
		{store.Actor{Name: "g", Role: store.RoleGrid, Village: village, Grid: grid}, query.LedgerQuery{All: true}},
		{township, query.LedgerQuery{Text: "路"}},
	}
	ids := func(cs []store.Concern) []string {
		var out []string
		for _, c := range cs {
			out = append(out, fmt.Sprintf("%s/%s/%s/%d", c.ID, c.Tag, c.Status, c.Rev))
		}
		return out
	}
	for _, v := range views {
		every(t, l, v.a, v.q) // kept from here on
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 12 {
		// Concerns of the village and grid the scoped views watch, and others.
		c := open[rng.IntN(len(open))]
		if i%3 == 0 {
			c = open[rng.IntN(min(len(open), 40))]
		}
		op := store.Op{Kind: store.OpTag, Tag: store.Tags()[rng.IntN(3)]}
		if i%4 == 1 {
			op = store.Op{Kind: store.OpResolve, Text: "已解决"}
		}
		if _, err := st.Triage(t.Context(), store.System(), c.ID, -1, op); err != nil {
			t.Fatal(err)
		}
		fresh := query.NewLedger(st, nil)
		for _, v := range views {
			got, want := ids(every(t, l, v.a, v.q)), ids(every(t, fresh, v.a, v.q))
			if !slices.Equal(got, want) {
				t.Fatalf("change %d (%s %s): %s %+v: kept %d rows, afresh %d", i, c.ID, op.Kind, v.a.Role, v.q, len(got), len(want))
			}
		}
	}
}

// TestLedgerViewScope: a village actor, a grid actor and the township each get exactly the
// concerns their scope covers through the view, whatever they search for.
func TestLedgerViewScope(t *testing.T) {
	st := county(t)
	l := query.NewLedger(st, nil)
	stored, _ := st.Concerns(t.Context(), store.System())
	village := stored[0].Village
	grid := stored[0].Grid
	for _, a := range []store.Actor{
		{Name: "v", Role: store.RoleVillage, Village: village},
		{Name: "g", Role: store.RoleGrid, Village: village, Grid: grid},
		{Name: "i", Role: store.RoleInspector},
	} {
		want := 0
		for _, c := range stored {
			if a.CanSee(c.Village, c.Grid) {
				want++
			}
		}
		for _, q := range []query.LedgerQuery{{All: true}, {All: true, Text: "l"}, {All: true, Order: query.OrderVillage}} {
			rows := every(t, l, a, q)
			for _, c := range rows {
				if !a.CanSee(c.Village, c.Grid) {
					t.Fatalf("%s actor sees %s of %s/%s", a.Role, c.ID, c.Village, c.Grid)
				}
			}
			if q.Text == "" && len(rows) != want {
				t.Fatalf("%s actor sees %d concerns, scope holds %d", a.Role, len(rows), want)
			}
		}
		other := ""
		for _, c := range stored {
			if !a.CanSee(c.Village, c.Grid) {
				other = c.ID
				break
			}
		}
		if other != "" {
			p, err := l.Query(t.Context(), a, query.LedgerQuery{All: true, Around: other, IDs: []string{other}})
			if err != nil {
				t.Fatal(err)
			}
			if p.Pos >= 0 || len(p.Found) > 0 {
				t.Fatalf("%s actor found %s outside scope", a.Role, other)
			}
		}
		f, _ := l.Facets(t.Context(), a)
		if a.Role == store.RoleVillage && !slices.Equal(f.Villages, []string{village}) {
			t.Fatalf("village facets %v", f.Villages)
		}
	}
}

// TestLedgerViewSearch: the words, their pinyin and their initials find a concern, and the
// counts agree with the rows.
func TestLedgerViewSearch(t *testing.T) {
	st := county(t)
	l := query.NewLedger(st, nil)
	all := every(t, l, store.System(), query.LedgerQuery{All: true})
	var leak int
	for _, c := range all {
		if c.Category == "房屋安全" {
			leak++
		}
	}
	for _, text := range []string{"房屋", "fangwu", "fw"} {
		rows := every(t, l, store.System(), query.LedgerQuery{All: true, Text: text})
		n := 0
		for _, c := range rows {
			if c.Category == "房屋安全" {
				n++
			}
		}
		if n != leak {
			t.Fatalf("%q finds %d of the %d 房屋安全 concerns", text, n, leak)
		}
	}
	// A word searched for before a change finds the changed row after it: the cached
	// matches follow the change feed too. The concern goes to one of the people who may own
	// it, whose name finds one row more afterwards: this one.
	open := every(t, l, store.System(), query.LedgerQuery{})
	var id string
	var owner store.Owner
	for _, c := range open[len(open)/2:] {
		os, err := st.Owners(t.Context(), store.System(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(os, func(o store.Owner) bool { return !strings.Contains(c.Plan.Owner+c.Description, o.Name) }); i >= 0 {
			id, owner = c.ID, os[i]
			break
		}
	}
	if id == "" {
		t.Fatal("no concern with an owner to give it to")
	}
	found := func() []string {
		var ids []string
		for _, c := range every(t, l, store.System(), query.LedgerQuery{All: true, Text: owner.Name}) {
			ids = append(ids, c.ID)
		}
		return ids
	}
	was := found()
	if slices.Contains(was, id) {
		t.Fatalf("%q finds %s before it was given to %s", owner.Name, id, owner.Name)
	}
	if _, err := st.Triage(t.Context(), store.System(), id, -1, store.Op{Kind: store.OpOwner, Text: owner.ID}); err != nil {
		t.Fatal(err)
	}
	if now := found(); len(now) != len(was)+1 || !slices.Contains(now, id) {
		t.Fatalf("%q finds %d rows after %s was given to %s (%d before)", owner.Name, len(now), id, owner.Name, len(was))
	}
	// Every word finds exactly the rows whose key holds it, typed a letter at a time (each
	// prefix narrows the next) or at once.
	gs, _ := st.Grids(t.Context(), store.System())
	gridName := map[string]string{}
	for _, g := range gs {
		gridName[g.Code] = g.Name
	}
	stored, _ := st.Concerns(t.Context(), store.System())
	for _, word := range []string{"louyu", "漏雨", "dl", "ab-00", "fdly", "ceshiyuan", "网格"} {
		for i := 1; i <= len([]rune(word)); i++ {
			text := string([]rune(word)[:i])
			want := 0
			for _, c := range stored {
				parts := []string{c.ID, c.Description, c.Category, c.Plan.Owner, gridName[c.Grid]}
				if c.Supervisor != "" {
					parts = append(parts, "督办", c.Supervisor)
				}
				if c.ProblemCase() {
					parts = append(parts, "问题工单")
				}
				if search.Match(search.Key(parts...), search.Words(text)) {
					want++
				}
			}
			p, err := l.Query(t.Context(), store.System(), query.LedgerQuery{All: true, Text: text, Limit: 1})
			if err != nil || p.Total != want {
				t.Fatalf("%q: the view finds %d, the rows hold it %d times (%v)", text, p.Total, want, err)
			}
		}
	}
	p, err := l.Query(t.Context(), store.System(), query.LedgerQuery{Counts: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, n := range p.Counts.Tiers {
		sum += n
	}
	if sum != p.Total {
		t.Fatalf("counts %v add to %d, %d open rows", p.Counts.Tiers, sum, p.Total)
	}
}

// TestLedgerViewReadsItsWrites: sessions triaging at once each see their own write in the
// very next query, even while another session's query is still applying theirs.
func TestLedgerViewReadsItsWrites(t *testing.T) {
	st := county(t)
	l := query.NewLedger(st, nil)
	open := every(t, l, store.System(), query.LedgerQuery{})
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 25 {
				c := open[(w*25+i)%len(open)]
				got, err := st.Triage(t.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpTag, Tag: store.Tags()[i%3]})
				if err != nil {
					errs <- err
					return
				}
				p, err := l.Query(t.Context(), store.System(), query.LedgerQuery{IDs: []string{c.ID}, Limit: 1})
				if err != nil {
					errs <- err
					return
				}
				if seen := p.Found[c.ID]; seen.Rev < got.Rev {
					errs <- fmt.Errorf("%s: wrote rev %d, the next query shows rev %d", c.ID, got.Rev, seen.Rev)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestLedgerViewCloseWhileLoading: closing the store while the view is still being read in
// the background waits for it instead of reading a closed database.
func TestLedgerViewCloseWhileLoading(t *testing.T) {
	day := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.County(t.Context(), st, demo.DefaultSeed, demo.FullCounty().Scaled(100), day, nil); err != nil {
		t.Fatal(err)
	}
	query.NewLedger(st, nil).Warm()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLedgerFacetsFollowChanges: the filter choices, kept per scope for every session, change
// with the rows: a concern of a new category raised on a visit is offered at once.
func TestLedgerFacetsFollowChanges(t *testing.T) {
	st := county(t)
	l := query.NewLedger(st, nil)
	sys := store.System()
	const category = "新增类别"
	before, err := l.Facets(t.Context(), sys)
	if err != nil || slices.Contains(before.Categories, category) || len(before.Villages) == 0 {
		t.Fatalf("facets before: %+v %v", before, err)
	}
	hhs, err := st.Households(t.Context(), sys)
	if err != nil {
		t.Fatal(err)
	}
	h := hhs[0]
	if _, _, err := st.SaveVisit(t.Context(), sys, store.VisitDraft{Village: h.Village, Household: h.ID, Date: st.Today(),
		Present:  []string{h.Residents[0].ID},
		Concerns: []store.DraftConcern{{Description: "村口路灯不亮", Category: category, Tag: store.TagYellow}}}); err != nil {
		t.Fatal(err)
	}
	after, err := l.Facets(t.Context(), sys)
	if err != nil || !slices.Contains(after.Categories, category) {
		t.Fatalf("facets after the visit: %v %v", after.Categories, err)
	}
	if afresh, _ := query.NewLedger(st, nil).Facets(t.Context(), sys); !reflect.DeepEqual(after, afresh) {
		t.Fatalf("kept facets %+v, afresh %+v", after, afresh)
	}
}

// TestLedgerViewHandsOutWhatTheStoreHolds: every concern the view hands out (packed in it) is
// the store's, lean, field for field; after a triage too.
func TestLedgerViewHandsOutWhatTheStoreHolds(t *testing.T) {
	st := county(t)
	l := query.NewLedger(st, nil)
	check := func() {
		t.Helper()
		want, err := st.Concerns(t.Context(), store.System())
		if err != nil {
			t.Fatal(err)
		}
		got, err := l.Concerns(t.Context(), store.System())
		if err != nil || len(got) != len(want) {
			t.Fatalf("view has %d concerns, store %d (%v)", len(got), len(want), err)
		}
		for i := range want {
			if w := want[i].Lean(); !reflect.DeepEqual(got[i], w) {
				t.Fatalf("view hands out\n%+v\nstore holds\n%+v", got[i], w)
			}
		}
	}
	check()
	c := every(t, l, store.System(), query.LedgerQuery{Limit: 1})[0]
	if _, err := st.Triage(t.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpResolve, Text: "已解决"}); err != nil {
		t.Fatal(err)
	}
	check()
}

// TestLedgerHoldOrders: while a server holds the orders other than the meeting one (as it
// warms its panes), a query for one of them still answers in that order, and a change made
// meanwhile is in every order once they are released.
func TestLedgerHoldOrders(t *testing.T) {
	st := county(t)
	l := query.NewLedger(st, nil)
	l.HoldOrders()
	newest := func(cs []store.Concern) bool {
		return slices.IsSortedFunc(cs, func(a, b store.Concern) int {
			if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
				return c
			}
			return strings.Compare(b.ID, a.ID)
		})
	}
	all := every(t, l, store.System(), query.LedgerQuery{All: true})
	if got := every(t, l, store.System(), query.LedgerQuery{All: true, Order: query.OrderNewest}); len(got) != len(all) || !newest(got) {
		t.Fatalf("newest first while held: %d rows of %d, sorted %v", len(got), len(all), newest(got))
	}
	c := all[0]
	if _, err := st.Triage(t.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpTag, Tag: store.TagGreen}); err != nil {
		t.Fatal(err)
	}
	l.ReleaseOrders()
	for _, o := range []query.LedgerOrder{query.OrderMeeting, query.OrderDeadline, query.OrderNewest, query.OrderVillage} {
		rows := every(t, l, store.System(), query.LedgerQuery{All: true, Order: o})
		i := slices.IndexFunc(rows, func(r store.Concern) bool { return r.ID == c.ID })
		if len(rows) != len(all) || i < 0 || rows[i].Tag != store.TagGreen {
			t.Fatalf("order %v after release: %d rows of %d, the tagged concern at %d", o, len(rows), len(all), i)
		}
	}
}

// TestLedgerKeptPages: sessions asking the same window get one answer, kept until the rows
// change; a change shows in the next answer, and a kept answer never crosses scopes.
func TestLedgerKeptPages(t *testing.T) {
	st := county(t)
	l := query.NewLedger(st, nil)
	ctx, town := t.Context(), store.Actor{Name: "t", Role: store.RoleTownship}
	q := query.LedgerQuery{Limit: 20, Counts: true}
	p1, err := l.Query(ctx, town, q)
	if err != nil || len(p1.Rows) != 20 {
		t.Fatalf("%d rows: %v", len(p1.Rows), err)
	}
	p2, err := l.Query(ctx, town, q)
	if err != nil || &p2.Rows[0] != &p1.Rows[0] {
		t.Fatalf("the same window was made twice (%v)", err)
	}
	// A village user asking the same window sees their village's rows only.
	v := store.Actor{Name: "v", Role: store.RoleVillage, Village: p1.Rows[0].Village}
	pv, err := l.Query(ctx, v, q)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range pv.Rows {
		if c.Village != v.Village {
			t.Fatalf("a village user got %s of village %s", c.ID, c.Village)
		}
	}
	c := p1.Rows[0]
	tag := store.TagGreen
	if c.Tag == tag {
		tag = store.TagYellow
	}
	if _, err := st.Triage(ctx, store.System(), c.ID, -1, store.Op{Kind: store.OpTag, Tag: tag}); err != nil {
		t.Fatal(err)
	}
	p3, err := l.Query(ctx, town, query.LedgerQuery{Limit: 20, Counts: true, Around: c.ID})
	if err != nil || p3.Pos < 0 {
		t.Fatalf("%s is not in the view after its triage (%v)", c.ID, err)
	}
	if got := p3.Rows[p3.Pos-p3.Offset]; got.Tag != tag || got.Rev == c.Rev {
		t.Fatalf("after the triage the view shows %s tag %s rev %d, was %s rev %d", got.ID, got.Tag, got.Rev, c.Tag, c.Rev)
	}
	p4, err := l.Query(ctx, town, q)
	if err != nil || &p4.Rows[0] == &p1.Rows[0] {
		t.Fatalf("a window kept from before the change was handed out (%v)", err)
	}
	if p4.Counts.Tags[tag] != p1.Counts.Tags[tag]+1 {
		t.Errorf("%s counted %d after the triage, %d before", tag, p4.Counts.Tags[tag], p1.Counts.Tags[tag])
	}
}
