package tui

import (
	"os"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"sanbai/demo"
	"sanbai/keys"
	"sanbai/query"
	"sanbai/store"
	"sanbai/views"
)

// The county the benchmarks share, made once per test binary. Test-only state; the app itself
// holds none.
var countyFix demo.CountyFixture

func TestMain(m *testing.M) {
	code := m.Run()
	countyFix.Remove()
	os.Exit(code)
}

// countyDay is the day the benchmark county is generated for and read on.
var countyDay = time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)

// countyStore opens the full county (100,000 households, 300,000 residents, 200,000 concerns,
// 1,000,000 audit events) with its ledger view loaded.
func countyStore(b *testing.B) (*store.Store, *query.Ledger) {
	b.Helper()
	dir, _, err := countyFix.Dir(countyDay)
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(dir, store.Options{Now: func() time.Time { return countyDay }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	// Wait for every order, as a server that has been up a few seconds has them.
	l := query.NewLedger(st, nil)
	for o := query.OrderMeeting; ; {
		if _, err := l.Query(b.Context(), store.System(), query.LedgerQuery{Order: o, Limit: 1}); err != nil {
			b.Fatal(err)
		}
		if o = o.Next(); o == query.OrderMeeting {
			break
		}
	}
	return st, l
}

// township is the county's township user; village a village secretary of one of its 230
// villages.
var (
	township = store.Actor{Name: "李明", Role: store.RoleTownship}
	village  = store.Actor{Name: "王书记", Role: store.RoleVillage, Village: "AB"}
)

// benchQueue is the queue pane of a township user's session at 80×24, loaded.
func benchQueue(b *testing.B, st *store.Store, l *query.Ledger) *queue {
	return benchQueueOf(b, st, l, township)
}

// benchQueueOf is the queue pane of a's session at 80×24, loaded.
func benchQueueOf(b *testing.B, st *store.Store, l *query.Ledger, a store.Actor) *queue {
	c := &Common{Ctx: b.Context(), Store: st, Ledger: l, Actor: a, Lang: "zh",
		Styles: views.NewStyles(false, false), Keys: keys.New("zh")}
	q := newQueue(c, newFocus(nil))
	q.SetSize(80, 21)
	// The first frame: the pane's lists and the first window (the owners to choose from
	// are read apart, by loadPeople; see BenchmarkCountyQueuePeople).
	runPane(q, q.reload.want(func() tea.Cmd { return q.load() }))
	if q.err != nil || q.total == 0 {
		b.Fatalf("queue did not load: %v (%d rows)", q.err, q.total)
	}
	return q
}

// runPane runs a command and feeds its messages back into the pane, as the runtime would.
func runPane(p Pane, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			runPane(p, c)
		}
	default:
		runPane(p, p.Update(msg))
	}
}

// keystroke is one key through the pane: Update, the queries it starts, and the frame.
func keystroke(p Pane, k tea.KeyPressMsg) string {
	runPane(p, p.Update(k))
	return p.View()
}

// reportPerKey reports the time per keystroke in milliseconds.
func reportPerKey(b *testing.B, start time.Time, keys int) {
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(keys), "ms/key")
}

// BenchmarkCountyQueueOpen opens the queue pane on the county for a township user: its own
// lists (grids, people, limits, projects), the first window of the ledger with the header's
// counts, and the first frame.
func BenchmarkCountyQueueOpen(b *testing.B) {
	st, l := countyStore(b)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		q := benchQueue(b, st, l)
		_ = q.View()
	}
	reportPerKey(b, start, b.N)
}

// BenchmarkCountyQueueOwners reads the owners the selected concern may be given to, as the
// owner picker does when it opens.
func BenchmarkCountyQueueOwners(b *testing.B) {
	st, l := countyStore(b)
	q := benchQueue(b, st, l)
	c, _ := q.current()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runPane(q, q.loadOwners(c.ID))
	}
}

// typeSearch types each query into the search prompt, a key at a time, and clears it with esc.
func typeSearch(b *testing.B, a store.Actor, queries ...string) {
	st, l := countyStore(b)
	q := benchQueueOf(b, st, l, a)
	b.ResetTimer()
	start, n := time.Now(), 0
	// The first time a word is typed it is tested against every row (or the rows its
	// prefix matched); after that the view has its matches. ms-first-max is the slowest key
	// of the first, uncached pass.
	var worst time.Duration
	for i := 0; i < b.N; i++ {
		for _, text := range queries {
			keystroke(q, keyMsg("/"))
			for _, r := range text {
				t0 := time.Now()
				keystroke(q, keyMsg(string(r)))
				if i == 0 {
					worst = max(worst, time.Since(t0))
				}
				n++
			}
			if q.total == 0 {
				b.Fatalf("%q found nothing", text)
			}
			keystroke(q, keyMsg("esc"))
			n++
		}
	}
	reportPerKey(b, start, n)
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms-first-max")
}

// BenchmarkCountyFilterText searches the county's 200,000 concerns for Chinese words, a
// character at a time.
func BenchmarkCountyFilterText(b *testing.B) { typeSearch(b, township, "房顶漏雨", "邻里纠纷") }

// BenchmarkCountyFilterPinyin searches by full pinyin and by initials, a letter at a time.
func BenchmarkCountyFilterPinyin(b *testing.B) { typeSearch(b, township, "louyu", "fwaq") }

// BenchmarkCountyVillageFilter is a village secretary's search in the county store: their
// village's 870 concerns among 200,000.
func BenchmarkCountyVillageFilter(b *testing.B) { typeSearch(b, village, "louyu", "漏雨") }

// BenchmarkCountySort steps through the four orders with the sort key.
func BenchmarkCountySort(b *testing.B) {
	st, l := countyStore(b)
	q := benchQueue(b, st, l)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		keystroke(q, keyMsg("s"))
	}
	reportPerKey(b, start, b.N)
}

// BenchmarkCountyPageDown pages down through the township's open concerns (back to the top
// at the end).
func BenchmarkCountyPageDown(b *testing.B) {
	st, l := countyStore(b)
	q := benchQueue(b, st, l)
	pgdn := tea.KeyPressMsg{Code: tea.KeyPgDown}
	home := tea.KeyPressMsg{Code: tea.KeyHome}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if q.cur.Pos >= q.total-1 {
			keystroke(q, home)
		}
		keystroke(q, pgdn)
	}
	reportPerKey(b, start, b.N)
}
