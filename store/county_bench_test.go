package store_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"sanbai/demo"
	"sanbai/query"
	"sanbai/store"
)

// The county the benchmarks share, made once per test binary. Test-only state; the app itself
// holds none.
var countyFix demo.CountyFixture

func TestMain(m *testing.M) {
	code := m.Run()
	countyFix.Remove()
	os.Exit(code)
}

var countyDay = time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)

// countyDir returns the full county's data directory, generated once.
func countyDir(b *testing.B) string {
	b.Helper()
	dir, _, err := countyFix.Dir(countyDay)
	if err != nil {
		b.Fatal(err)
	}
	return dir
}

// diskSize adds up the files under dir.
func diskSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// BenchmarkCountyStartup opens the county store as `sanbai serve` does and waits for the
// shared ledger view to hold all 200,000 concerns. s-open is what delays the first login (the
// server listens once the store is open and reads the ledger in the background); s-view is
// until the queue can answer. MB-disk is the store's size on disk, MB-heap the heap in use
// with the view loaded, B-concern what the view holds per concern (the heap it adds to the
// open store, whose block cache is filled first, over the concerns).
func BenchmarkCountyStartup(b *testing.B) {
	dir := countyDir(b)
	heap := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapInuse)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		st, err := store.Open(dir, store.Options{Now: func() time.Time { return countyDay }})
		if err != nil {
			b.Fatal(err)
		}
		opened := time.Since(start)
		b.StopTimer()
		// The store's block cache fills as the view reads: filled first, it is not counted as
		// the view's.
		if _, err := st.Concerns(b.Context(), store.System()); err != nil {
			b.Fatal(err)
		}
		open := heap()
		b.StartTimer()
		viewStart := time.Now()
		l := query.NewLedger(st, nil)
		p, err := l.Query(b.Context(), store.System(), query.LedgerQuery{All: true, Limit: 1})
		if err != nil || p.Total != 200_000 {
			b.Fatalf("view holds %d concerns: %v", p.Total, err)
		}
		b.ReportMetric(opened.Seconds(), "s-open")
		b.ReportMetric((opened + time.Since(viewStart)).Seconds(), "s-view")
		b.StopTimer()
		for o := range query.OrderVillage + 1 { // every order sorted, as a server's view holds them
			if _, err := l.Query(b.Context(), store.System(), query.LedgerQuery{Order: o, Limit: 1}); err != nil {
				b.Fatal(err)
			}
		}
		withView := heap()
		runtime.KeepAlive(l)
		b.ReportMetric(withView/(1<<20), "MB-heap")
		b.ReportMetric((withView-open)/float64(p.Total), "B-concern")
		st.Close()
		b.ReportMetric(float64(diskSize(dir))/(1<<20), "MB-disk")
		b.StartTimer()
	}
	_, gen, _ := countyFix.Dir(countyDay)
	b.ReportMetric(gen.Seconds(), "s-generate")
}

// BenchmarkCountyTriage tags a concern through the store and asks the view for the window
// around it, for two township sessions: the write, the change feed, the view re-reading that
// one row and moving it in every order, and the two answers with the header's counts.
func BenchmarkCountyTriage(b *testing.B) {
	st, err := store.Open(countyDir(b), store.Options{Now: func() time.Time { return countyDay }})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	l := query.NewLedger(st, nil)
	p, err := l.Query(b.Context(), store.System(), query.LedgerQuery{Limit: 1000})
	if err != nil {
		b.Fatal(err)
	}
	// Every order sorted, as a server that has been up a few seconds has them.
	for _, o := range []query.LedgerOrder{query.OrderDeadline, query.OrderNewest, query.OrderVillage} {
		if _, err := l.Query(b.Context(), store.System(), query.LedgerQuery{Order: o, Limit: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := p.Rows[i%len(p.Rows)]
		if _, err := st.Triage(b.Context(), store.System(), c.ID, -1, store.Op{Kind: store.OpTag, Tag: store.Tags()[i%3]}); err != nil {
			b.Fatal(err)
		}
		got, err := l.Query(b.Context(), store.System(), query.LedgerQuery{Around: c.ID, Limit: 60, Counts: true})
		if err != nil || got.Pos < 0 {
			b.Fatalf("%s not in the view after triage: %v", c.ID, err)
		}
		// A second session of the same scope: its counts are the ones just counted.
		if _, err := l.Query(b.Context(), store.System(), query.LedgerQuery{Around: c.ID, Limit: 60, Counts: true}); err != nil {
			b.Fatal(err)
		}
	}
}
