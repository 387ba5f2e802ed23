package store

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestCalendarFilingsAndLateMarks(t *testing.T) {
	s, ck := openClocked(t) // 2026-11-20 09:00
	boss := Actor{Name: "李明", Role: RoleTownship}
	clerk := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	if err := s.SetPhaseDeadline(t.Context(), clerk, "", "groups.filed", "2026-11-21"); !errors.Is(err, ErrScope) {
		t.Fatalf("village user set the calendar: %v", err)
	}
	for phase, d := range map[string]string{"mob.township": "2026-11-10", "groups.filed": "2026-11-21", "visits.done": "2026-12-05", "revisits.done": "2026-12-20"} {
		if err := s.SetPhaseDeadline(t.Context(), boss, "", phase, d); err != nil {
			t.Fatal(err)
		}
	}
	// XH got more time for its group list.
	if err := s.SetPhaseDeadline(t.Context(), boss, "XH", "groups.filed", "2026-11-25"); err != nil {
		t.Fatal(err)
	}
	cal, _ := s.Calendar(t.Context())
	if p, days := cal.Current("DL", "2026-11-20"); p != "groups.filed" || days != 1 {
		t.Fatalf("DL on 11-20: %s %d", p, days)
	}
	if p, days := cal.Current("XH", "2026-11-23"); p != "groups.filed" || days != 2 {
		t.Fatalf("XH on 11-23: %s %d", p, days)
	}
	f1, err := s.FileReport(t.Context(), clerk, "DL", "groups", "xlsx", []byte("first version"))
	if err != nil || f1.Late || f1.Version != 1 || f1.Due != "2026-11-21" {
		t.Fatalf("on-time filing: %+v %v", f1, err)
	}
	ck.t = time.Date(2026, 11, 22, 10, 0, 0, 0, time.Local)
	f2, err := s.FileReport(t.Context(), clerk, "DL", "groups", "xlsx", []byte("second version"))
	if err != nil || !f2.Late || f2.Version != 2 {
		t.Fatalf("late re-filing: %+v %v", f2, err)
	}
	if _, err := s.FileReport(t.Context(), clerk, "XH", "groups", "xlsx", []byte("x")); !errors.Is(err, ErrScope) {
		t.Fatalf("filed for another village: %v", err)
	}
	data, f, err := s.FiledData(t.Context(), boss, "DL", "groups", 1)
	if err != nil || string(data) != "first version" || f.SHA256 == "" {
		t.Fatalf("the first filing as filed: %q %+v %v", data, f, err)
	}
	all, _ := s.FilingsOf(t.Context(), boss)
	if len(all) != 2 {
		t.Fatalf("history: %d filings", len(all))
	}
}

func TestInspectionFindings(t *testing.T) {
	s, _ := openClocked(t)
	insp := Actor{Name: "督查组", Role: RoleInspector}
	f, err := s.RecordFinding(t.Context(), insp, Inspection{Village: "DL", Checked: "走访登记表", Problems: "3网格有12户未走访", FollowUp: "2026-11-25"})
	if err != nil || f.ID != "DL-I01" || !f.Open() {
		t.Fatalf("finding: %+v %v", f, err)
	}
	if _, err := s.AnswerFinding(t.Context(), insp, "DL", f.ID, "x"); !errors.Is(err, ErrScope) {
		t.Fatalf("inspector answered: %v", err)
	}
	g, err := s.AnswerFinding(t.Context(), Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}, "DL", f.ID, "已补访")
	if err != nil || g.Open() {
		t.Fatalf("answer: %+v %v", g, err)
	}
	if fs, _ := s.Inspections(t.Context(), Actor{Name: "x", Role: RoleVillage, Village: "XH"}); len(fs) != 0 {
		t.Fatal("another village sees the finding")
	}
}

// TestScoreByHand checks the assessment against a hand computation.
func TestScoreByHand(t *testing.T) {
	in := ScoreInputs{Figures: Figures{Households: 200, Visited: 150,
		Rates: Rates{Concerns: 20, Responded: 18, Due: 10, OnTime: 8, Resolved: 10, Revisited: 5, Satisfied: 4},
		Open:  10, Overdue: 2, Supervised: 1}, FilingsDue: 2, FiledOnTime: 1, OpenFindings: 1}
	// Parts: coverage .75, filings .5, response .9, on time .8, revisit .5, satisfied .8,
	// overdue 1-.2 = .8, supervised 1-.05 = .95, findings 1/2 = .5. Equal weights: mean of
	// the nine = 6.5/9 = 72.22…
	w := Weights{}
	for _, p := range ScoreParts() {
		w[p] = 1
	}
	sheet := Assess("DL", in, w)
	if math.Abs(sheet.Score-650.0/9) > 1e-9 {
		t.Fatalf("score %.4f, want %.4f", sheet.Score, 650.0/9)
	}
	// Coverage weighted 3, the rest 1: (3×.75 + 5.75)/11 = 8/11.
	w["coverage"] = 3
	if sheet = Assess("DL", in, w); math.Abs(sheet.Score-800.0/11) > 1e-9 {
		t.Fatalf("weighted score %.4f, want %.4f", sheet.Score, 800.0/11)
	}
	// Each part reads as the percentage the panes show, rounded half up.
	for part, want := range map[string]string{"coverage": "75%", "filings": "50%", "response": "90%", "ontime": "80%",
		"revisit": "50%", "satisfied": "80%", "overdue": "80%", "supervised": "95%", "findings": "50%"} {
		if got := sheet.PartText(part); got != want {
			t.Errorf("%s: %s, want %s", part, got, want)
		}
	}
	if sheet.ScoreText() != "72.7" { // 72.727…
		t.Errorf("score text %s", sheet.ScoreText())
	}
	sheets := []ScoreSheet{{Village: "XH", Score: 60}, {Village: "DL", Score: 72}, {Village: "BT", Score: 72}}
	Rank(sheets)
	if sheets[0].Village != "BT" || sheets[1].Village != "DL" || sheets[2].Village != "XH" {
		t.Fatalf("ranking: %+v", sheets)
	}
}

func TestMobilizationMeetings(t *testing.T) {
	s, _ := openClocked(t)
	grid := Actor{Name: "格书记", Role: RoleGrid, Village: "DL", Grid: "DL01"}
	if _, err := s.RecordMeeting(t.Context(), grid, Meeting{Level: "village", Village: "DL", Date: "2026-11-15", Led: "刘书记"}); !errors.Is(err, ErrScope) {
		t.Fatalf("grid user recorded a village meeting: %v", err)
	}
	m, err := s.RecordMeeting(t.Context(), grid, Meeting{Level: "grid", Village: "DL", Grid: "DL01", Date: "2026-11-16", Led: "格书记", FactSheets: 30})
	if err != nil || m.ID == "" {
		t.Fatalf("grid meeting: %+v %v", m, err)
	}
	ms, _ := s.Meetings(t.Context(), Actor{Name: "v", Role: RoleVillage, Village: "DL"})
	grids, _ := s.Grids(t.Context(), System())
	var dl []Grid
	for _, g := range grids {
		if g.Village == "DL" {
			dl = append(dl, g)
		}
	}
	if un := Unmobilized(dl, ms); len(un) != 1 || un[0] != "DL02" {
		t.Fatalf("unmobilized: %v", un)
	}
}

// TestPercentRoundsHalfUp: one rounding for every figure, half up to a whole percent.
func TestPercentRoundsHalfUp(t *testing.T) {
	for _, c := range []struct {
		n, d int
		want string
	}{{2, 3, "67%"}, {1, 3, "33%"}, {1, 8, "13%"}, {3, 8, "38%"}, {1, 200, "1%"}, {1, 201, "0%"}, {0, 5, "0%"},
		{5, 5, "100%"}, {199, 200, "100%"}, {0, 0, "–"}, {7, 40, "18%"}} {
		if got := PercentText(c.n, c.d); got != c.want {
			t.Errorf("%d/%d: %s, want %s", c.n, c.d, got, c.want)
		}
	}
}

// TestMissingRecords: once a phase's deadline has passed, each record it requires and lacks
// is listed — the township's meeting, a village's and a grid's, a village's filings — with
// each village's own deadline; a phase not yet passed asks nothing.
func TestMissingRecords(t *testing.T) {
	cal := Calendar{Township: map[string]string{"mob.township": "2026-11-01", "mob.village": "2026-11-05", "mob.grid": "2026-11-08",
		"groups.filed": "2026-11-10", "visits.done": "2026-12-01", "revisits.done": "2026-12-20"},
		Villages: map[string]map[string]string{"XH": {"groups.filed": "2026-11-30"}}}
	vs := []Village{{Code: "DL"}, {Code: "XH"}}
	gs := []Grid{{Code: "DL01", Village: "DL"}, {Code: "DL02", Village: "DL"}, {Code: "XH01", Village: "XH"}}
	ms := []Meeting{{Level: "village", Village: "DL"}, {Level: "grid", Village: "DL", Grid: "DL01"}}
	fs := []Filing{{Village: "DL", Kind: "groups"}}
	got := MissingRecords(cal, "2026-11-26", vs, gs, ms, fs)
	var s []string
	for _, m := range got {
		s = append(s, m.Phase+" "+m.Village+" "+m.Grid+" "+m.Filing+" "+m.Due)
	}
	want := []string{"mob.township    2026-11-01", "mob.village XH   2026-11-05", "mob.grid DL DL02  2026-11-08", "mob.grid XH XH01  2026-11-08"}
	if strings.Join(s, "|") != strings.Join(want, "|") {
		t.Fatalf("missing:\n%s\nwant\n%s", strings.Join(s, "\n"), strings.Join(want, "\n"))
	}
	// On the 1st of December XH's groups list is late too; visits.done is due that day, so
	// not yet passed.
	if got := MissingRecords(cal, "2026-12-01", vs, gs, ms, fs); len(got) != 5 || got[4].Filing != "groups" || got[4].Village != "XH" {
		t.Fatalf("on 12-01: %+v", got)
	}
}
