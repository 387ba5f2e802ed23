package tui

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"sanbai/query"
	"sanbai/store"
)

// revisitDigest is what the revisit pane shows of its data, in a comparable form (the
// checklist's order among households of one group at one address is not defined).
func revisitDigest(d *revisitData) []string {
	var out []string
	for _, u := range d.units {
		out = append(out, fmt.Sprintf("unit %+v", u))
	}
	var pend []string
	for _, p := range d.pending {
		var ids []string
		for _, c := range p.concerns {
			ids = append(ids, c.ID)
			if got, ok := d.concern(c.ID); !ok || got.ID != c.ID {
				pend = append(pend, "missing concern "+c.ID)
			}
		}
		if h, ok := d.household(p.hh.ID); !ok || h.ID != p.hh.ID {
			pend = append(pend, "missing household "+p.hh.ID)
		}
		pend = append(pend, fmt.Sprintf("pending %s %s %v %v", p.group, p.hh.ID, ids, p.overdue))
	}
	slices.Sort(pend)
	out = append(out, pend...)
	for _, c := range d.notices {
		out = append(out, "notice "+c.ID)
	}
	for _, c := range d.supervised {
		out = append(out, "supervised "+c.ID)
	}
	for _, r := range d.rates {
		out = append(out, fmt.Sprintf("rates %+v", r))
	}
	return append(out, fmt.Sprintf("total %+v", d.total), fmt.Sprintf("deadlines %v", d.deadlines),
		fmt.Sprintf("%d groups %d villages %d grids", len(d.groups), len(d.villages), len(d.grids)))
}

// TestSharedRevisitParts: a township's checklist and counts made of one kept part per village
// are what counting them all at once gives, before and after changes in one village (which
// makes only that village's part stale).
func TestSharedRevisitParts(t *testing.T) {
	st := seeded(t)
	l := query.NewLedger(st, nil)
	sh := NewShared(st)
	a := store.Actor{Name: "李明", Role: store.RoleTownship}
	check := func(when string) {
		t.Helper()
		want, err := loadRevisit(t.Context(), st, l, a, true)
		if err != nil {
			t.Fatal(err)
		}
		got, err := query.GetShared(t.Context(), sh, sharedRevisit, a, func() (*revisitData, error) {
			return loadRevisitShared(t.Context(), sh, st, l, a)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(want.pending) == 0 || len(want.rates) == 0 {
			t.Fatalf("%s: nothing to compare (%d pending, %d rates)", when, len(want.pending), len(want.rates))
		}
		if w, g := revisitDigest(want), revisitDigest(got); !reflect.DeepEqual(w, g) {
			for i := range max(len(w), len(g)) {
				var x, y string
				if i < len(w) {
					x = w[i]
				}
				if i < len(g) {
					y = g[i]
				}
				if x != y {
					t.Fatalf("%s: line %d:\nwant %s\ngot  %s", when, i, x, y)
				}
			}
		}
	}
	check("at first")
	cs, err := st.Concerns(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	// Resolve an open concern (it joins the checklist), supervise another, in one village.
	var done int
	for _, c := range cs {
		if c.Status.Open() && done < 2 {
			op := store.Op{Kind: store.OpResolve, Text: "已解决"}
			if done == 1 {
				op = store.Op{Kind: store.OpTag, Tag: store.Tags()[0]}
			}
			if _, err := st.Triage(t.Context(), a, c.ID, -1, op); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
			done++
		}
	}
	check("after two triages")
}

// TestSharedOverviewParts: a township's overview summed from one kept count per village gives
// what counting the township at once does, before and after a change in one village.
func TestSharedOverviewParts(t *testing.T) {
	st := seeded(t)
	l := query.NewLedger(st, nil)
	sh := NewShared(st)
	a := store.Actor{Name: "李明", Role: store.RoleTownship}
	check := func(when string) {
		t.Helper()
		whole, err := query.CountOverview(t.Context(), st, l, a)
		if err != nil {
			t.Fatal(err)
		}
		got, err := loadOverview(t.Context(), sh, st, l, a)
		if err != nil {
			t.Fatal(err)
		}
		var total store.Figures
		for _, f := range whole.Figures {
			total = total.Add(f)
		}
		members := 0
		for _, ms := range whole.Members {
			members += len(ms)
		}
		gotMembers := 0
		for _, ms := range got.members {
			gotMembers += len(ms)
		}
		var common []string
		for _, c := range whole.Common {
			common = append(common, fmt.Sprint(c.IDs, c.Households))
		}
		var gotCommon []string
		// Merged a screen at a time, as the dashboard asks, and in order: the villages'
		// lists are merged, not sorted again (query.CommonList).
		for i := 0; i < got.common.Len(); i += 3 {
			for _, c := range got.common.Window(i, i+3) {
				gotCommon = append(gotCommon, fmt.Sprint(c.IDs, c.Households))
			}
		}
		if len(common) < 2 {
			t.Fatalf("%s: %d common issues to compare", when, len(common))
		}
		courses := 0
		for _, n := range whole.Courses {
			courses += n
		}
		gotCourses := 0
		for _, c := range got.courses {
			gotCourses += c.n
		}
		for _, c := range []struct {
			what      string
			want, got any
		}{
			{"total", total, got.total}, {"tiers", whole.Tiers, got.tiers}, {"tags", whole.Tags, got.tags},
			{"raised", whole.Raised, got.raised}, {"resolved", whole.Resolved, got.resolved},
			{"members", members, gotMembers}, {"common", common, gotCommon}, {"courses", courses, gotCourses},
		} {
			if !reflect.DeepEqual(c.want, c.got) {
				t.Errorf("%s: %s: want %v, got %v", when, c.what, c.want, c.got)
			}
		}
		if total.Households == 0 || len(whole.Tiers) == 0 {
			t.Fatalf("%s: nothing to compare", when)
		}
	}
	check("at first")
	cs, err := st.Concerns(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Status.Open() {
			if _, err := st.Triage(t.Context(), a, c.ID, -1, store.Op{Kind: store.OpResolve, Text: "已解决"}); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	check("after a triage")
}
