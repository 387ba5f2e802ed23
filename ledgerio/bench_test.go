package ledgerio

import (
	"fmt"
	"testing"
	"time"

	"sanbai/store"
)

// bigTownship builds a township of n residents in 3-person households: 4 villages of 10 grids,
// with ID numbers, phones, political status and special groups filled in as a real roster.
func bigTownship(n int) store.Dataset {
	d := store.Dataset{Township: store.Township{Name: "青石镇", Office: "青石镇党建办"}}
	for v := 0; v < 4; v++ {
		code := []string{"DL", "XH", "NS", "BT"}[v]
		d.Villages = append(d.Villages, store.Village{Code: code, Name: []string{"东岭", "西河", "南山", "北塘"}[v] + "新村"})
		for g := 1; g <= 10; g++ {
			d.Grids = append(d.Grids, store.Grid{Code: fmt.Sprintf("%s%02d", code, g), Village: code, No: g, Name: fmt.Sprintf("%d网格", g)})
		}
	}
	people := 0
	for i := 0; people < n; i++ {
		g := d.Grids[i%len(d.Grids)]
		h := store.Household{ID: fmt.Sprintf("%s-%05d", g.Code, i/len(d.Grids)+1), Village: g.Village, Grid: g.Code,
			Address: fmt.Sprintf("%s村前街%d号", g.Name, i/len(d.Grids)+1)}
		if i%20 == 0 {
			h.Special = []string{"困难家庭"}
		}
		for j, rel := range []string{"户主", "配偶", "子"}[:min(3, n-people)] {
			// Every person a different birth day and sequence number: no two share an ID.
			k := people
			year, month := 1940+k%60, 1+(k/60)%12
			base := fmt.Sprintf("370102%04d%02d%02d%03d", year, month, 1+(k/720)%28, (k/20160)%1000)
			r := store.Resident{ID: fmt.Sprintf("%s-%d", h.ID, j+1), Name: "王" + []string{"建国", "秀英", "小明"}[j], Relation: rel,
				Born: fmt.Sprintf("%04d-%02d", year, month), IDNumber: base + string(CheckDigit(base)),
				Phone: fmt.Sprintf("138%08d", people), Political: "群众"}
			r.Gender = "女"
			if (r.IDNumber[16]-'0')%2 == 1 {
				r.Gender = "男"
			}
			if j == 0 && i%9 == 0 {
				r.Political = "中共党员"
			}
			h.Residents = append(h.Residents, r)
			people++
		}
		d.Households = append(d.Households, h)
	}
	return d
}

// BenchmarkImport100k imports a 100,000-resident roster (xlsx, as sanbai exports it) into a
// store that holds only the township's villages and grids: read, check, stage, commit, apply.
// One iteration is one whole import; the file is built once, outside the timing.
func BenchmarkImport100k(b *testing.B) {
	benchImport(b, 100_000, "xlsx")
}

// BenchmarkImport100kCSV is the same roster as a CSV.
func BenchmarkImport100kCSV(b *testing.B) {
	benchImport(b, 100_000, "csv")
}

func benchImport(b *testing.B, n int, format string) {
	day := time.Date(2026, 11, 26, 9, 0, 0, 0, time.Local)
	now := func() time.Time { return day }
	full := bigTownship(n)
	src, err := store.Open(b.TempDir(), store.Options{Now: now})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	if err := src.Seed(b.Context(), store.System(), full); err != nil {
		b.Fatal(err)
	}
	file := export(b, src, store.System(), "residents", format, "")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst, err := store.Open(b.TempDir(), store.Options{Now: now})
		if err != nil {
			b.Fatal(err)
		}
		if err := dst.Seed(b.Context(), store.System(), store.Dataset{Township: full.Township, Villages: full.Villages, Grids: full.Grids}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		wb, err := ReadWorkbook(file, "roster."+format)
		if err != nil {
			b.Fatal(err)
		}
		read := time.Since(start)
		p := ParseRoster(wb, reference(b, dst, store.System()))
		if len(p.Problems) > 0 {
			b.Fatalf("problems: %v", FormatProblems(p.Problems, "en", 5))
		}
		parsed := time.Since(start)
		rep, err := dst.ImportRoster(b.Context(), store.System(), p.Roster, store.ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Residents.Added != n {
			b.Fatalf("added %d residents", rep.Residents.Added)
		}
		b.ReportMetric(float64(len(file))/(1<<20), "MB-file")
		b.ReportMetric(read.Seconds(), "s-read")
		b.ReportMetric((parsed - read).Seconds(), "s-check")
		b.ReportMetric((time.Since(start) - parsed).Seconds(), "s-write")
		b.StopTimer()
		dst.Close()
		b.StartTimer()
	}
}

// TestBigRosterFits imports a 6,000-resident roster: more than one Badger transaction holds,
// so it exercises the journal's batches; then imports it again, which changes nothing.
func TestBigRosterFits(t *testing.T) {
	if testing.Short() {
		t.Skip("a large import")
	}
	d := bigTownship(6_000)
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Seed(t.Context(), store.System(), store.Dataset{Township: d.Township, Villages: d.Villages, Grids: d.Grids}); err != nil {
		t.Fatal(err)
	}
	r := store.Roster{Households: d.Households, Fields: store.RosterFields{Address: true, Gender: true, Born: true,
		IDNumber: true, Phone: true, Political: true, Special: true}}
	for i := range r.Households {
		for j := range r.Households[i].Residents {
			r.Households[i].Residents[j].ID = ""
		}
	}
	batches := map[string]int{}
	rep, err := st.ImportRoster(t.Context(), store.System(), r, store.ImportOptions{Progress: func(phase string, done, total int) {
		batches[phase]++
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Residents.Added != 6_000 || rep.Members.Added == 0 || batches["stage"] < 2 || batches["apply"] < 2 {
		t.Fatalf("%+v %v", rep.Residents, batches)
	}
	hs, _ := st.Households(t.Context(), store.System())
	if len(hs) != 2_000 {
		t.Fatalf("%d households", len(hs))
	}
	rep, err = st.ImportRoster(t.Context(), store.System(), r, store.ImportOptions{})
	if err != nil || !rep.Empty() {
		t.Fatalf("again: %v %d changes", err, len(rep.Changes))
	}
}

// BenchmarkImport300kCSV imports a county's 300,000 residents (100,000 households) as a CSV.
func BenchmarkImport300kCSV(b *testing.B) {
	benchImport(b, 300_000, "csv")
}

// BenchmarkImport300k imports the same 300,000-resident roster as an .xlsx workbook.
func BenchmarkImport300k(b *testing.B) {
	benchImport(b, 300_000, "xlsx")
}
