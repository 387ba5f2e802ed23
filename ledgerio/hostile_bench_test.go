package ledgerio

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sanbai/store"
)

// heapSampler samples the heap's objects (live and not yet swept) every few milliseconds while
// something runs: its peak over the heap before is what that something held at most.
type heapSampler struct {
	base, peak uint64
	stop, done chan struct{}
}

func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeap() *heapSampler {
	runtime.GC()
	h := &heapSampler{base: heapObjects(), stop: make(chan struct{}), done: make(chan struct{})}
	h.peak = h.base
	go func() {
		defer close(h.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.peak = max(h.peak, heapObjects())
			}
		}
	}()
	return h
}

// mb stops sampling and returns the peak above the start, in MB.
func (h *heapSampler) mb() float64 {
	close(h.stop)
	<-h.done
	h.peak = max(h.peak, heapObjects())
	return float64(h.peak-h.base) / (1 << 20)
}

// benchRefusal reads file b.N times, expecting a refusal for limit, and reports the file's
// size, the time to refuse and the heap it took.
func benchRefusal(b *testing.B, file []byte, name, limit string) {
	b.ReportAllocs()
	b.ResetTimer()
	var peak float64
	for i := 0; i < b.N; i++ {
		h := startHeap()
		_, err := ReadWorkbook(file, name)
		peak = max(peak, h.mb())
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != limit {
			b.Fatalf("want the %s limit, got %v", limit, err)
		}
		if i == 0 {
			b.Logf("%s", le.In("en"))
		}
	}
	b.ReportMetric(float64(len(file))/(1<<20), "MB-file")
	b.ReportMetric(peak, "MB-peak-heap")
}

// BenchmarkRefuseZipBomb: a 1 MB workbook whose worksheet inflates to 1 GiB (issue 17, finding 1).
func BenchmarkRefuseZipBomb(b *testing.B) {
	benchRefusal(b, workbookZip(b, bombSheet(1024), nil, nil), "", "part")
}

// BenchmarkRefuseSpaceBomb: a workbook whose worksheet inflates to 500 MB of spaces, under the
// part limit: refused after the first megabyte of them.
func BenchmarkRefuseSpaceBomb(b *testing.B) {
	benchRefusal(b, workbookZip(b, bombSheet(500), nil, nil), "", "text")
}

// millionRows is a 1,000,000-row workbook as Excel or WPS writes one: five columns of distinct
// names, ID numbers, phones and addresses in a shared-strings table. Built once per run.
func millionRows(b *testing.B) []byte {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	sw.SetRow("A1", []any{"姓名", "身份证号", "联系电话", "门牌地址", "与户主关系"})
	for r := 2; r <= 1_000_001; r++ {
		base := fmt.Sprintf("370102%04d%02d%02d%03d", 1940+r%60, 1+r%12, 1+r%28, r%1000)
		row := []any{"王" + strconv.Itoa(r%1000), base + string(CheckDigit(base)), "138" + fmt.Sprintf("%08d", r),
			"东岭村前街" + strconv.Itoa(r) + "号", "户主"}
		cell, _ := excelize.CoordinatesToCellName(1, r)
		if err := sw.SetRow(cell, row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkRefuseMillionRows: the 1,000,000-row workbook (issue 17, finding 2).
func BenchmarkRefuseMillionRows(b *testing.B) {
	benchRefusal(b, millionRows(b), "", "rows")
}

// BenchmarkRefuseMillionRowsCSV: a million rows as a CSV (names and phones: it must stay
// under the 64 MB file limit to reach the rows limit).
func BenchmarkRefuseMillionRowsCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("姓名,联系电话\n")
	for r := 2; r <= 1_000_001; r++ {
		fmt.Fprintf(&buf, "王%d,138%08d\n", r%1000, r)
	}
	benchRefusal(b, buf.Bytes(), "big.csv", "rows")
}

// BenchmarkImportLargest reads, checks and imports the largest roster the limits allow as
// sanbai exports it: 500,000 residents (the rows limit) in 166,667 households of 40 grids,
// every column filled — a dry run, then the real import into a store holding only the
// villages and grids — reporting the heap each phase held at most. The file is built once.
func BenchmarkImportLargest(b *testing.B) {
	for _, format := range []string{"xlsx", "csv"} {
		b.Run(format, func(b *testing.B) { benchLargest(b, format) })
	}
}

func benchLargest(b *testing.B, format string) {
	const n = 499_998 // the rows limit, less the title and header rows of the xlsx
	now := func() time.Time { return day }
	full := bigTownship(n)
	src, err := store.Open(b.TempDir(), store.Options{Now: now})
	if err != nil {
		b.Fatal(err)
	}
	if err := src.Seed(b.Context(), store.System(), full); err != nil {
		b.Fatal(err)
	}
	file := export(b, src, store.System(), "residents", format, "")
	src.Close()
	full.Households = nil
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A dry run, then the real import, each the whole command's work from the file's bytes.
		for _, dry := range []bool{true, false} {
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
			h := startHeap()
			wb, err := ReadWorkbook(file, "roster."+format)
			if err != nil {
				b.Fatal(err)
			}
			p := ParseRoster(wb, reference(b, dst, store.System()))
			if len(p.Problems) > 0 {
				b.Fatalf("problems: %v", FormatProblems(p.Problems, "en", 5))
			}
			wb = nil
			rep, err := dst.ImportRoster(b.Context(), store.System(), p.Roster, store.ImportOptions{DryRun: dry})
			if err != nil || rep.Residents.Added != n {
				b.Fatalf("import (dry run %v): %v, %d residents", dry, err, rep.Residents.Added)
			}
			peak, took := h.mb(), time.Since(start)
			what := "import"
			if dry {
				what = "dry-run"
			}
			b.ReportMetric(took.Seconds(), "s-"+what)
			b.ReportMetric(peak, "MB-peak-heap-"+what)
			b.StopTimer()
			dst.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(len(file))/(1<<20), "MB-file")
	}
}
