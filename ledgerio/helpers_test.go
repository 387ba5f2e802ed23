package ledgerio

import (
	"bytes"
	"testing"
	"time"

	"sanbai/demo"
	"sanbai/store"
)

// day is the fixed "today" of the tests, so the demo township and every report are the same
// on every run.
var day = time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)

// demoStore opens a store in a temp dir holding the demo township, dated day.
func demoStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Seed(t.Context(), store.System(), demo.Generate(demo.DefaultSeed, day)); err != nil {
		t.Fatal(err)
	}
	return st
}

// reference builds the import reference for an actor from the store.
func reference(t testing.TB, st *store.Store, a store.Actor) Reference {
	t.Helper()
	vs, err := st.Villages(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	gs, err := st.Grids(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	return Reference{Actor: a, Villages: vs, Grids: gs, Today: day}
}

// export builds and writes a report.
func export(t testing.TB, st *store.Store, a store.Actor, report, format, village string) []byte {
	t.Helper()
	d, err := Load(t.Context(), st, a, village)
	if err != nil {
		t.Fatal(err)
	}
	// As the export command does: personal numbers in full for the users who may have them.
	if Personal(report) && a.CanExportPersonal() {
		if err := d.Unmask(t.Context(), st, report+"."+format); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Build(d, report)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, r, format); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// parse reads a file's bytes and parses the roster.
func parse(t testing.TB, st *store.Store, a store.Actor, data []byte, name string) Parsed {
	t.Helper()
	wb, err := ReadWorkbook(data, name)
	if err != nil {
		t.Fatal(err)
	}
	return ParseRoster(wb, reference(t, st, a))
}
