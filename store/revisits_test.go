package store

import (
	"errors"
	"testing"
	"time"
)

// TestRatesByHand checks every rate against a count done by hand, with a fixed clock.
func TestRatesByHand(t *testing.T) {
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, time.Local) }
	now := at(26, 12)
	cs := []Concern{
		// Solved on site at the door: responded, resolved on time; revisited, satisfied.
		{ID: "DL-0001", Tier: TierOnSite, Tag: TagGreen, Status: StatusClosed, CreatedAt: at(20, 9), ResolvedAt: at(20, 9),
			Moves: []Move{{At: at(20, 9), Action: "create"}, {At: at(20, 9), Action: "resolve"}}},
		// Red, planned within 3 days, resolved on its deadline; revisited, not satisfied.
		{ID: "DL-0002", Tier: TierGrid, Tag: TagRed, Status: StatusReopened, CreatedAt: at(20, 9), NoticeAt: at(25, 10),
			Plan: Plan{Deadline: "2026-12-02", DeadlineSet: true},
			Moves: []Move{{At: at(20, 9), Action: "create"}, {At: at(22, 9), Action: "plan", To: "张强"},
				{At: at(22, 9), Action: "deadline", To: "2026-11-23"}, {At: at(23, 15), Action: "resolve"},
				{At: at(25, 10), Action: "revisit"}, {At: at(25, 10), Action: "reopen"}}},
		// Yellow, planned after its 7 days, still open past its deadline: due, late.
		{ID: "DL-0003", Tier: TierGrid, Tag: TagYellow, Status: StatusInProgress, CreatedAt: at(10, 9),
			Plan:  Plan{Deadline: "2026-11-17"},
			Moves: []Move{{At: at(10, 9), Action: "create"}, {At: at(20, 9), Action: "owner", To: "李四"}}},
		// Green, new, deadline ahead: not due, no plan yet.
		{ID: "DL-0004", Tier: TierGrid, Tag: TagGreen, Status: StatusNew, CreatedAt: at(25, 9),
			Plan: Plan{Deadline: "2026-12-10"}, Moves: []Move{{At: at(25, 9), Action: "create"}}},
	}
	rs := []Revisit{
		{Concern: "DL-0001", Satisfaction: SatGood, At: at(24, 9)},
		{Concern: "DL-0002", Satisfaction: SatFair, At: at(24, 9)},
		{Concern: "DL-0002", Satisfaction: SatPoor, At: at(25, 10)}, // the latest answer counts
	}
	var total Rates
	for _, c := range cs {
		total = total.Add(RateOf(c, rs, DefaultLimits(), now))
	}
	want := Rates{Concerns: 4, Responded: 2, Due: 3, OnTime: 2, Resolved: 2, Revisited: 2, Satisfied: 1}
	if total != want {
		t.Fatalf("rates %+v, want %+v", total, want)
	}
}

func TestRevisitOutcomes(t *testing.T) {
	s, ck := openClocked(t)
	boss := Actor{Name: "李明", Role: RoleTownship}
	if err := s.SetVillageLeader(t.Context(), Actor{Name: "v", Role: RoleVillage, Village: "DL"}, "DL", "王镇长"); !errors.Is(err, ErrScope) {
		t.Fatalf("village user named a leader: %v", err)
	}
	if err := s.SetVillageLeader(t.Context(), boss, "DL", "赵镇长"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"DL-0001", "DL-0002"} {
		if _, err := s.Triage(t.Context(), boss, id, -1, Op{Kind: OpResolve, Text: "已修好"}); err != nil {
			t.Fatal(err)
		}
	}
	ck.t = ck.t.AddDate(0, 0, 3)
	clerk := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	// DL-0001 and DL-0002 are in different households (DL01, DL02).
	if _, err := s.SaveRevisits(t.Context(), clerk, RevisitDraft{Village: "DL", Household: "DL01-0001", Date: "2026-11-23",
		Answers: []RevisitAnswer{{Concern: "DL-0001", Solved: SolvedYes, Satisfaction: SatFair}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveRevisits(t.Context(), clerk, RevisitDraft{Village: "DL", Household: "DL02-0001", Date: "2026-11-23",
		Answers: []RevisitAnswer{{Concern: "DL-0002", Solved: SolvedPartly, Satisfaction: SatGood, Comment: "只修了一半"}}}); err != nil {
		t.Fatal(err)
	}
	c1, _ := s.Concern(t.Context(), boss, "DL-0001")
	c2, _ := s.Concern(t.Context(), boss, "DL-0002")
	if c1.Status != StatusClosed || c1.Supervisor != "" {
		t.Fatalf("solved and 基本满意 should close: %s %q", c1.Status, c1.Supervisor)
	}
	if c2.Status != StatusReopened || c2.Supervisor != "赵镇长" || c2.NoticeAt.IsZero() || c2.Plan.Deadline != "2026-11-30" {
		t.Fatalf("partly solved should reopen under supervision: %+v", c2)
	}
	// Answering again about a concern not waiting for a revisit is refused.
	_, err := s.SaveRevisits(t.Context(), clerk, RevisitDraft{Village: "DL", Household: "DL01-0001", Date: "2026-11-23",
		Answers: []RevisitAnswer{{Concern: "DL-0001", Solved: SolvedYes, Satisfaction: SatGood}}})
	if !errors.Is(err, ErrRule) {
		t.Fatalf("second revisit of a closed concern: %v", err)
	}
	if _, err := s.SaveRevisits(t.Context(), clerk, RevisitDraft{Village: "DL", Household: "DL01-0001", Date: "2026-11-23",
		Answers: []RevisitAnswer{{Concern: "DL-0001", Solved: "maybe", Satisfaction: SatGood}}}); err == nil {
		t.Fatal("unknown answer accepted")
	}
	rs, _ := s.Revisits(t.Context(), boss)
	if len(rs) != 2 {
		t.Fatalf("%d revisits stored", len(rs))
	}
}
