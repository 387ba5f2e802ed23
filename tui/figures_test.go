package tui

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"sanbai/ledgerio"
	"sanbai/query"
	"sanbai/store"
	"sanbai/views"
)

// TestFiguresAgreeEverywhere computes each figure of each village — coverage, the four rates,
// overdue, extensions — through every path that shows it: the revisit pane's rates table
// (pane 4), the overview's dashboard figures, coverage bars and score sheet (pane 5, the
// assessment), and the summary and ledger tables the party-building office files; and
// compares them to the digit with one count made here from the rows, by the definitions.
func TestFiguresAgreeEverywhere(t *testing.T) {
	st := seeded(t)
	// Some deadlines extended, so the extension counts are not all zero.
	cs, _ := st.Concerns(t.Context(), store.System())
	extended := 0
	for _, c := range cs {
		if c.Status.Open() && c.Plan.Deadline != "" && extended < 3 {
			d := max(c.Plan.Deadline, st.Today())
			later, _ := time.Parse(time.DateOnly, d)
			if _, err := st.Triage(t.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpDeadline,
				Text: later.AddDate(0, 0, 5).Format(time.DateOnly), Reason: "等材料"}); err != nil {
				t.Fatal(err)
			}
			extended++
		}
	}
	want := byHand(t, st)

	rv, err := loadRevisit(t.Context(), st, query.NewLedger(st, nil), store.System(), true)
	if err != nil {
		t.Fatal(err)
	}
	ov, err := loadOverview(t.Context(), NewShared(st), st, query.NewLedger(st, nil), store.System())
	if err != nil {
		t.Fatal(err)
	}
	data, err := ledgerio.Load(t.Context(), st, store.System(), "")
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := ledgerio.Build(data, "summary")
	ledger, _ := ledgerio.Build(data, "ledger")
	vs, _ := st.Villages(t.Context(), store.System())
	if len(vs) < 4 {
		t.Fatalf("%d villages", len(vs))
	}
	for _, v := range vs {
		w := want[v.Code]
		rates := []string{store.PercentText(w.responded, w.concerns), store.PercentText(w.onTime, w.due),
			store.PercentText(w.revisited, w.resolved), store.PercentText(w.satisfied, w.revisited)}
		coverage := store.PercentText(w.visited, w.households)
		// Pane 4: the village's row of the rates view.
		i := slices.IndexFunc(rv.rates, func(u unitRates) bool { return u.name == v.Name })
		if i < 0 {
			t.Fatalf("pane 4 has no row for %s", v.Name)
		}
		x := rv.rates[i].rates
		got := []string{rate(x.Responded, x.Concerns), rate(x.OnTime, x.Due), rate(x.Revisited, x.Resolved), rate(x.Satisfied, x.Revisited)}
		if !slices.Equal(got, rates) {
			t.Errorf("%s pane 4 rates %v, want %v", v.Code, got, rates)
		}
		// Pane 5: the village's figures, its coverage bar, its score sheet.
		f := ov.figures[v.Code]
		if f.Overdue != w.overdue || f.Extensions != w.extensions || f.Open != w.open || f.Households != w.households || f.Visited != w.visited {
			t.Errorf("%s pane 5 figures %+v, want %+v", v.Code, f, w)
		}
		b := ov.coverage[slices.IndexFunc(ov.coverage, func(b barRow) bool { return b.name == v.Name })]
		if views.Pct(b.done, b.all) != coverage {
			t.Errorf("%s pane 5 coverage bar %s, want %s", v.Code, views.Pct(b.done, b.all), coverage)
		}
		sheet := ov.sheets[slices.IndexFunc(ov.sheets, func(s store.ScoreSheet) bool { return s.Village == v.Code })]
		got = []string{sheet.PartText("response"), sheet.PartText("ontime"), sheet.PartText("revisit"), sheet.PartText("satisfied")}
		if !slices.Equal(got, rates) || sheet.PartText("coverage") != coverage {
			t.Errorf("%s assessment %v %s, want %v %s", v.Code, got, sheet.PartText("coverage"), rates, coverage)
		}
		if want := store.PercentText(w.open-w.overdue, w.open); sheet.PartText("overdue") != want {
			t.Errorf("%s assessment overdue part %s, want %s", v.Code, sheet.PartText("overdue"), want)
		}
		// The summary table's subtotal, as a reader of the filed file sees it.
		tb := summary.Tables[0]
		row := tb.Rows[slices.IndexFunc(tb.Rows, func(r []any) bool { return r[0] == v.Name && r[1] == "小计" })]
		cell := func(h string) any {
			return row[slices.IndexFunc(tb.Columns, func(c ledgerio.Column) bool { return c.Header == h })]
		}
		pct := func(h string) string {
			x, ok := cell(h).(float64)
			if !ok {
				return "–"
			}
			return fmt.Sprintf("%d%%", int(math.Round(x*100)))
		}
		got = []string{pct("响应率"), pct("按时办结率"), pct("回访率"), pct("满意率")}
		if !slices.Equal(got, rates) || pct("户覆盖率") != coverage {
			t.Errorf("%s summary %v %s, want %v %s", v.Code, got, pct("户覆盖率"), rates, coverage)
		}
		if cell("超期") != w.overdue || cell("延期次数") != w.extensions || cell("已办结") != w.resolved || cell("诉求总数") != w.concerns {
			t.Errorf("%s summary overdue %v extensions %v resolved %v concerns %v, want %+v", v.Code, cell("超期"), cell("延期次数"),
				cell("已办结"), cell("诉求总数"), w)
		}
		// The ledger: a row per concern, overdue days on the overdue ones, extensions.
		lt := ledger.Tables[0]
		col := func(h string) int {
			return slices.IndexFunc(lt.Columns, func(c ledgerio.Column) bool { return c.Header == h })
		}
		overdue, ext := 0, 0
		for _, r := range lt.Rows {
			if r[col("新村")] != v.Name {
				continue
			}
			if r[col("超期天数")] != nil {
				overdue++
			}
			ext += r[col("延期次数")].(int)
		}
		if overdue != w.overdue || ext != w.extensions {
			t.Errorf("%s ledger: %d overdue, %d extensions, want %d, %d", v.Code, overdue, ext, w.overdue, w.extensions)
		}
	}
	if sum := want["DL"].extensions + want["XH"].extensions + want["NS"].extensions + want["BT"].extensions; sum != extended {
		t.Errorf("%d extensions counted, %d made", sum, extended)
	}
	// views.Pct, for the routes pane's coverage, rounds as store.Percent does.
	for d := 0; d <= 200; d++ {
		for n := 0; n <= d; n++ {
			if views.Pct(n, d) != store.PercentText(n, d) {
				t.Fatalf("%d/%d: views %s, store %s", n, d, views.Pct(n, d), store.PercentText(n, d))
			}
		}
	}
}

// handFigures are one village's figures counted from the rows by their definitions.
type handFigures struct {
	households, visited, concerns, open, overdue, extensions int
	responded, due, onTime, resolved, revisited, satisfied   int
}

// byHand counts every village's figures from the store's rows, written out from the
// definitions the help gives (see keys' rate texts and store.RateOf).
func byHand(t *testing.T, st *store.Store) map[string]handFigures {
	t.Helper()
	out := map[string]handFigures{}
	hhs, _ := st.Households(t.Context(), store.System())
	visits, _ := st.Visits(t.Context(), store.System())
	cs, _ := st.Concerns(t.Context(), store.System())
	rs, _ := st.Revisits(t.Context(), store.System())
	limits, _ := st.Limits(t.Context())
	today := st.Today()
	current := map[string]bool{}
	for _, h := range hhs {
		if h.MovedOut == "" {
			f := out[h.Village]
			f.households++
			out[h.Village] = f
			current[h.ID] = true
		}
	}
	seen := map[string]bool{}
	for _, v := range visits {
		if current[v.Household] && !seen[v.Household] {
			seen[v.Household] = true
			f := out[v.Village]
			f.visited++
			out[v.Village] = f
		}
	}
	latest := map[string]store.Revisit{}
	for _, r := range rs {
		if l, ok := latest[r.Concern]; !ok || r.At.After(l.At) {
			latest[r.Concern] = r
		}
	}
	for _, c := range cs {
		f := out[c.Village]
		f.concerns++
		f.extensions += c.Extensions
		if c.Status.Open() {
			f.open++
		}
		if c.Status.Open() && c.Plan.Deadline != "" && c.Plan.Deadline < today {
			f.overdue++
		}
		// Responded: solved on site, or a plan (solution or owner) within the colour's limit.
		limit := c.CreatedAt.AddDate(0, 0, limits.Days(c.Tag))
		var resolvedAt time.Time
		responded := false
		for _, m := range c.Moves {
			if (m.Action == "plan" || m.Action == "owner" || m.Action == "solution") && !m.At.After(limit) {
				responded = true
			}
			if m.Action == "resolve" && resolvedAt.IsZero() {
				resolvedAt = m.At
			}
		}
		if resolvedAt.IsZero() {
			resolvedAt = c.ResolvedAt
		}
		if c.Tier == store.TierOnSite && !resolvedAt.IsZero() {
			responded = true
		}
		if responded {
			f.responded++
		}
		r, revisited := latest[c.ID]
		if !resolvedAt.IsZero() || revisited {
			f.resolved++
		}
		// Due: resolved, or past its deadline; on time: resolved by the deadline then in force.
		switch {
		case !resolvedAt.IsZero():
			f.due++
			if c.Tier == store.TierOnSite || c.Plan.Deadline == "" || !resolvedAt.After(deadlineThen(c, resolvedAt, limits)) {
				f.onTime++
			}
		case c.Plan.Deadline != "" && c.Plan.Deadline < today:
			f.due++
		}
		if revisited {
			f.revisited++
			if r.Satisfaction == store.SatVeryGood || r.Satisfaction == store.SatGood || r.Satisfaction == store.SatFair {
				f.satisfied++
			}
		}
		out[c.Village] = f
	}
	return out
}

// deadlineThen is the deadline a concern had when it was resolved: the last one its history
// set before then, else (reopened since, the current deadline being the supervision one) its
// colour's limit from creation, else the current one. Midnight at its end: resolved that day
// is on time.
func deadlineThen(c store.Concern, at time.Time, limits store.Limits) time.Time {
	d := ""
	for _, m := range c.Moves {
		if m.At.After(at) {
			break
		}
		if store.IsDeadlineMove(m) && m.To != "" {
			d = m.To
		}
	}
	switch {
	case d != "":
	case !c.NoticeAt.IsZero() && !c.NoticeAt.Before(at):
		d = c.CreatedAt.AddDate(0, 0, limits.Days(c.Tag)).Format(time.DateOnly)
	default:
		d = c.Plan.Deadline
	}
	end, _ := time.ParseInLocation(time.DateOnly, d, at.Location())
	return end.AddDate(0, 0, 1).Add(-time.Nanosecond)
}
