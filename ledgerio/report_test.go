package ledgerio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sanbai/store"
)

// storeFigures counts, straight from the store, what the summary table's 合计 row must say.
type storeFigures struct {
	households, residents, visited, concerns, resolved, overdue, revisited int
}

func figures(t *testing.T, st *store.Store, village string) storeFigures {
	t.Helper()
	var f storeFigures
	in := func(v string) bool { return village == "" || v == village }
	hs, err := st.Households(t.Context(), store.System())
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := st.Visits(t.Context(), store.System())
	cs, _ := st.Concerns(t.Context(), store.System())
	rs, _ := st.Revisits(t.Context(), store.System())
	current := map[string]bool{}
	for _, h := range hs {
		if h.MovedOut == "" && in(h.Village) {
			f.households++
			current[h.ID] = true
			for _, r := range h.Residents {
				if r.MovedOut == "" {
					f.residents++
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, v := range vs {
		if in(v.Village) && current[v.Household] && !seen[v.Household] {
			seen[v.Household] = true
			f.visited++
		}
	}
	for _, c := range cs {
		if !in(c.Village) {
			continue
		}
		f.concerns++
		// Resolved at least once (the revisit rate's denominator): a reopened concern was.
		if !c.ResolvedAt.IsZero() || slices.ContainsFunc(c.Moves, func(m store.Move) bool { return m.Action == "resolve" }) {
			f.resolved++
		}
		if c.Overdue(st.Today()) {
			f.overdue++
		}
	}
	revisited := map[string]bool{}
	for _, r := range rs {
		if in(r.Village) {
			revisited[r.Concern] = true
		}
	}
	f.revisited = len(revisited)
	return f
}

// colOf finds a header in a table.
func colOf(t *testing.T, tb Table, header string) int {
	t.Helper()
	for i, c := range tb.Columns {
		if c.Header == header {
			return i
		}
	}
	t.Fatalf("%s has no column %s", tb.Sheet, header)
	return -1
}

// TestDemoTownship runs the report tests and the export-import round trip over one demo
// township (none of them changes it): seeding it is most of their cost.
func TestDemoTownship(t *testing.T) {
	st := demoStore(t)
	t.Run("SummaryMatchesStore", func(t *testing.T) { testSummaryMatchesStore(t, st) })
	t.Run("EveryReportOpens", func(t *testing.T) { testEveryReportOpens(t, st) })
	t.Run("InspectorSeesMaskedNumbers", func(t *testing.T) { testInspectorSeesMaskedNumbers(t, st) })
	t.Run("ResidentsExportImportIsNoOp", func(t *testing.T) { testResidentsExportImportIsNoOp(t, st) })
	t.Run("OpensInLibreOffice", func(t *testing.T) { testOpensInLibreOffice(t, st) })
}

// testSummaryMatchesStore: the summary's township total (合计) and each village's subtotal
// (小计) say what the store's rows say.
func testSummaryMatchesStore(t *testing.T, st *store.Store) {
	d, err := Load(t.Context(), st, store.System(), "")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := Build(d, "summary")
	tb := r.Tables[0]
	get := func(row []any) storeFigures {
		return storeFigures{households: row[colOf(t, tb, "户数")].(int), residents: row[colOf(t, tb, "人数")].(int),
			visited: row[colOf(t, tb, "已走访户数")].(int), concerns: row[colOf(t, tb, "诉求总数")].(int),
			resolved: row[colOf(t, tb, "已办结")].(int), overdue: row[colOf(t, tb, "超期")].(int),
			revisited: row[colOf(t, tb, "已回访")].(int)}
	}
	total := tb.Rows[len(tb.Rows)-1]
	if want := figures(t, st, ""); total[0] != "合计" || get(total) != want {
		t.Fatalf("total %v\n got %+v\nwant %+v", total[0], get(total), want)
	}
	subtotals := 0
	for _, row := range tb.Rows {
		if row[1] != "小计" {
			continue
		}
		subtotals++
		code := ""
		for _, v := range d.Villages {
			if v.Name == row[0] {
				code = v.Code
			}
		}
		if want := figures(t, st, code); get(row) != want {
			t.Fatalf("%s: got %+v\nwant %+v", row[0], get(row), want)
		}
	}
	tiers := 0
	for _, tier := range store.Tiers() {
		tiers += total[colOf(t, tb, tierNames[tier])].(int)
	}
	if subtotals != 4 || tiers != total[colOf(t, tb, "诉求总数")].(int) {
		t.Fatalf("%d subtotals; tiers add up to %d", subtotals, tiers)
	}
}

// testEveryReportOpens writes every report of one village as xlsx and CSV, opens each with
// excelize and reads it back: title, header, frozen panes, widths, date cells, tag fills, and
// the numbers match the store.
func testEveryReportOpens(t *testing.T, st *store.Store) {
	d, err := Load(t.Context(), st, store.System(), "DL")
	if err != nil {
		t.Fatal(err)
	}
	fig := figures(t, st, "DL")
	for _, name := range Reports {
		r, err := Build(d, name)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, r, "xlsx"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if name == "factsheet" {
			if got := f.GetSheetList(); !slices.Equal(got, []string{"东岭新村"}) {
				t.Fatalf("fact sheet pages: %v", got)
			}
			a1, _ := f.GetCellValue("东岭新村", "A1")
			if a1 != "东岭新村明白纸" {
				t.Fatalf("fact sheet title %q", a1)
			}
			f.Close()
			continue
		}
		for _, tb := range r.Tables {
			rows, err := f.GetRows(tb.Sheet)
			if err != nil {
				t.Fatalf("%s/%s: %v", name, tb.Sheet, err)
			}
			if len(rows) != len(tb.Rows)+2 || !strings.HasPrefix(rows[0][0], "青石镇 东岭新村") || !strings.Contains(rows[0][0], "2026-11-26") {
				t.Fatalf("%s/%s: %d rows for %d, title %q", name, tb.Sheet, len(rows), len(tb.Rows), rows[0][0])
			}
			for i, c := range tb.Columns {
				if rows[1][i] != c.Header {
					t.Fatalf("%s/%s: header %d is %q, want %q", name, tb.Sheet, i, rows[1][i], c.Header)
				}
			}
			panes, _ := f.GetPanes(tb.Sheet)
			merged, _ := f.GetMergeCells(tb.Sheet)
			if !panes.Freeze || panes.YSplit != 2 || len(merged) != 1 || merged[0].GetStartAxis() != "A1" {
				t.Fatalf("%s/%s: panes %+v, merged %v", name, tb.Sheet, panes, merged)
			}
			w, _ := f.GetColWidth(tb.Sheet, "A")
			if w < 6 {
				t.Fatalf("%s/%s: column A is %v wide", name, tb.Sheet, w)
			}
			// Every date cell is a real date: a day count shown as a date.
			for ci, c := range tb.Columns {
				if c.Kind != ColDate && c.Kind != ColMonth {
					continue
				}
				for ri, row := range tb.Rows {
					want, _ := row[ci].(string)
					if want == "" {
						continue
					}
					ref, _ := excelize.CoordinatesToCellName(ci+1, ri+3)
					raw, _ := f.GetCellValue(tb.Sheet, ref, excelize.Options{RawCellValue: true})
					shown, _ := f.GetCellValue(tb.Sheet, ref)
					if _, err := strconv.ParseFloat(raw, 64); err != nil || shown != want {
						t.Fatalf("%s/%s %s: raw %q shown %q, want a date cell showing %q", name, tb.Sheet, ref, raw, shown, want)
					}
					break
				}
			}
		}
		switch name {
		case "ledger":
			tb := r.Tables[0]
			if len(tb.Rows) != fig.concerns {
				t.Fatalf("ledger: %d rows, %d concerns", len(tb.Rows), fig.concerns)
			}
			tag := colOf(t, tb, "挂牌")
			overdue := 0
			for ri, row := range tb.Rows {
				if row[colOf(t, tb, "超期天数")] != nil {
					overdue++
				}
				if row[tag] == "红" {
					ref, _ := excelize.CoordinatesToCellName(tag+1, ri+3)
					id, _ := f.GetCellStyle(tb.Sheet, ref)
					style, _ := f.GetStyle(id)
					if len(style.Fill.Color) == 0 || style.Fill.Color[0] != "FF4D4F" {
						t.Fatalf("red tag cell %s fill %+v", ref, style.Fill)
					}
				}
			}
			if overdue != fig.overdue {
				t.Fatalf("ledger: %d overdue rows, store says %d", overdue, fig.overdue)
			}
		case "summary":
			// The written subtotal cell says what the store says.
			tb := r.Tables[0]
			rows, _ := f.GetRows(tb.Sheet)
			last := rows[len(rows)-1]
			if last[1] != "小计" || last[colOf(t, tb, "户数")] != strconv.Itoa(fig.households) ||
				last[colOf(t, tb, "超期")] != strconv.Itoa(fig.overdue) {
				t.Fatalf("summary subtotal %v, want %+v", last, fig)
			}
		case "visits":
			vs, _ := st.Visits(t.Context(), store.Actor{Name: "v", Role: store.RoleVillage, Village: "DL"})
			if len(r.Tables[0].Rows) != len(vs) {
				t.Fatalf("visits: %d rows for %d", len(r.Tables[0].Rows), len(vs))
			}
			// The guiding officer who took part, by name, where one did.
			cadres, _ := st.Cadres(t.Context(), store.System())
			officers := map[string]int{}
			for _, v := range vs {
				for _, c := range cadres {
					if v.Officer != "" && c.ID == v.Officer {
						officers[c.Name]++
					}
				}
			}
			col := colOf(t, r.Tables[0], "指导员")
			got := map[string]int{}
			for _, row := range r.Tables[0].Rows {
				if n := row[col].(string); n != "" {
					got[n]++
				}
			}
			if len(officers) == 0 || !maps.Equal(got, officers) {
				t.Fatalf("visits: officers %v, want %v", got, officers)
			}
		case "revisits":
			rs, _ := st.Revisits(t.Context(), store.Actor{Name: "v", Role: store.RoleVillage, Village: "DL"})
			if len(r.Tables[0].Rows) != len(rs) {
				t.Fatalf("revisits: %d rows for %d", len(r.Tables[0].Rows), len(rs))
			}
		case "groups":
			dl := store.Actor{Name: "v", Role: store.RoleVillage, Village: "DL"}
			gs, _ := st.Groups(t.Context(), dl)
			people := 0
			for _, g := range gs {
				people += 2 + len(g.Members)
			}
			// The team's captain and guiding officers come first.
			teams, _ := st.Teams(t.Context(), dl)
			if len(teams) != 1 || teams[0].Captain == "" || len(teams[0].Officers) == 0 {
				t.Fatalf("DL's team: %+v", teams)
			}
			people += 1 + len(teams[0].Officers)
			if len(r.Tables[0].Rows) != people {
				t.Fatalf("groups: %d rows for %d people", len(r.Tables[0].Rows), people)
			}
			if row := r.Tables[0].Rows[0]; row[1] != "走访小队" || !strings.HasPrefix(row[3].(string), "队长（") {
				t.Fatalf("groups: the first row is not the captain: %v", row)
			}
			if row := r.Tables[0].Rows[1]; row[1] != "走访小队" || !strings.HasPrefix(row[3].(string), "指导员（") {
				t.Fatalf("groups: the second row is not a guiding officer: %v", row)
			}
		case "residents":
			if len(r.Tables[0].Rows) != fig.residents {
				t.Fatalf("residents: %d rows for %d", len(r.Tables[0].Rows), fig.residents)
			}
		}
		f.Close()

		// The CSV holds the first table: a BOM, the header and one line per row.
		buf.Reset()
		if err := Write(&buf, r, "csv"); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) {
			t.Fatalf("%s.csv has no BOM", name)
		}
		recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
		if err != nil || len(recs) != len(r.Tables[0].Rows)+1 {
			t.Fatalf("%s.csv: %v, %d records", name, err, len(recs))
		}
	}
}

// testInspectorSeesMaskedNumbers: an inspector's residents export masks ID numbers and phones.
func testInspectorSeesMaskedNumbers(t *testing.T, st *store.Store) {
	inspector := store.Actor{Name: "督查", Role: store.RoleInspector}
	d, err := Load(t.Context(), st, inspector, "DL")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := Build(d, "residents")
	tb := r.Tables[0]
	idc, phc := colOf(t, tb, "身份证号"), colOf(t, tb, "联系电话")
	for _, row := range tb.Rows {
		id, phone := row[idc].(string), row[phc].(string)
		if (id != "" && !strings.Contains(id, "****")) || (phone != "" && !strings.Contains(phone, "****")) {
			t.Fatalf("unmasked: %v", row)
		}
	}
	if !strings.Contains(tb.Title, "东岭新村") {
		t.Fatalf("title %q", tb.Title)
	}
	if err := d.Unmask(t.Context(), st, "residents.xlsx"); !errors.Is(err, store.ErrScope) || d.Unmasked() {
		t.Fatalf("an inspector unmasked the roster: %v", err)
	}
	// A township user's loaded data is masked too until the audited Unmask.
	d, err = Load(t.Context(), st, store.System(), "DL")
	if err != nil {
		t.Fatal(err)
	}
	full := func() int {
		r, _ := Build(d, "residents")
		n := 0
		for _, row := range r.Tables[0].Rows {
			if id := row[idc].(string); id != "" && !strings.Contains(id, "*") {
				n++
			}
		}
		return n
	}
	if n := full(); n != 0 {
		t.Fatalf("%d full ID numbers before Unmask", n)
	}
	before, _ := st.Audit(t.Context(), store.System(), 1)
	if err := d.Unmask(t.Context(), st, "residents.xlsx"); err != nil {
		t.Fatal(err)
	}
	after, _ := st.Audit(t.Context(), store.System(), 1)
	if n := full(); n == 0 || len(after) == 0 || after[0].Action != "export" || (len(before) > 0 && after[0].Seq == before[0].Seq) {
		t.Fatalf("Unmask: %d full ID numbers, audit %+v", n, after)
	}
	if _, err := Load(t.Context(), st, store.Actor{Name: "v", Role: store.RoleVillage, Village: "XH"}, "DL"); err == nil {
		t.Fatal("a village user loaded another village")
	}
}

// testOpensInLibreOffice converts each report with LibreOffice, where it is installed, and
// reads the summary's total back from LibreOffice's own CSV.
func testOpensInLibreOffice(t *testing.T, st *store.Store) {
	lo, err := exec.LookPath("libreoffice")
	if err != nil {
		t.Skip("libreoffice is not installed")
	}
	if testing.Short() {
		t.Skip("starting LibreOffice takes seconds")
	}
	dir := t.TempDir()
	var files []string
	for _, name := range Reports {
		path := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(path, export(t, st, store.System(), name, "xlsx", "DL"), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	args := append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", filepath.Join(dir, "out")}, files...)
	if out, err := exec.Command(lo, args...).CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	for _, name := range Reports {
		b, err := os.ReadFile(filepath.Join(dir, "out", name+".csv"))
		if err != nil {
			t.Fatalf("LibreOffice did not convert %s: %v", name, err)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("%s: %v %d", name, err, len(recs))
		}
		if name == "summary" {
			last := recs[len(recs)-1]
			if last[1] != "小计" || last[2] != strconv.Itoa(figures(t, st, "DL").households) {
				t.Fatalf("LibreOffice reads the total as %v", last)
			}
		}
	}
}
