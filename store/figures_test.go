package store

import (
	"testing"
	"time"
)

// TestCountFiguresByHand counts a small township's figures by hand: coverage of the current
// roster only (a moved-out household and person owe no visit), a visit credited to the
// household's grid, each person met once; open, overdue, supervised, problem cases and
// extensions; and a village is the sum of its grids.
func TestCountFiguresByHand(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.Local)
	created := now.AddDate(0, 0, -10)
	hh := []Household{
		{ID: "DL01-0001", Village: "DL", Grid: "DL01", Residents: []Resident{{ID: "a"}, {ID: "b"}, {ID: "c", MovedOut: "2026-11-01"}}},
		{ID: "DL01-0002", Village: "DL", Grid: "DL01", Residents: []Resident{{ID: "d"}}},
		{ID: "DL01-0003", Village: "DL", Grid: "DL01", MovedOut: "2026-11-01", Residents: []Resident{{ID: "e"}}},
		{ID: "DL02-0001", Village: "DL", Grid: "DL02", Residents: []Resident{{ID: "f"}, {ID: "g"}}},
	}
	visits := []Visit{
		{Village: "DL", Household: "DL01-0001", Present: []string{"a", "c"}},
		{Village: "DL", Household: "DL01-0001", Present: []string{"a", "b"}}, // the same household again
		{Village: "DL", Household: "DL01-0003", Present: []string{"e"}},      // moved out: not counted
	}
	bounced := []Move{{Action: "return", Rev: 1}, {Action: "return", Rev: 2}, {Action: "reopen", Rev: 3}}
	concerns := []Concern{
		{ID: "DL-0001", Grid: "DL01", Category: "饮水", Tier: TierGrid, Status: StatusPlanned, CreatedAt: created,
			Plan: Plan{Deadline: "2026-11-25"}, Extensions: 2},
		{ID: "DL-0002", Grid: "DL01", Category: "饮水", Tier: TierVillage, Status: StatusReopened, CreatedAt: created,
			Plan: Plan{Deadline: "2026-11-30"}, Supervisor: "赵镇长", Moves: bounced},
		{ID: "DL-0003", Grid: "DL02", Category: "道路", Tier: TierOnSite, Status: StatusClosed, CreatedAt: created,
			ResolvedAt: created, Supervisor: "赵镇长"},
	}
	by := CountFigures(FigureData{Households: Refs(hh), Visits: visits, Concerns: concerns, Limits: DefaultLimits(), Now: now})
	g1, g2 := by["DL01"], by["DL02"]
	if g1.Households != 2 || g1.Visited != 1 || g1.Residents != 3 || g1.Met != 2 {
		t.Errorf("DL01 coverage %+v", g1)
	}
	if g1.Open != 2 || g1.Overdue != 1 || g1.Supervised != 1 || g1.Problems != 1 || g1.Extensions != 2 || g1.Concerns != 2 {
		t.Errorf("DL01 concerns %+v", g1)
	}
	if g2.Households != 1 || g2.Visited != 0 || g2.Open != 0 || g2.Supervised != 0 || g2.Rates.Resolved != 1 {
		t.Errorf("DL02 %+v", g2)
	}
	v := Sum(by, func(g string) bool { return GridVillage(g) == "DL" })
	if v.Households != 3 || v.Visited != 1 || v.Concerns != 3 || v.ByTier[TierOnSite] != 1 || v.ByCategory["饮水"] != 2 {
		t.Errorf("DL %+v", v)
	}
	if PercentText(v.Visited, v.Households) != "33%" {
		t.Errorf("coverage %s", PercentText(v.Visited, v.Households))
	}
}
