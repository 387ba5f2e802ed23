package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// TestLeanKeepsTheRates: the ledger view keeps a concern's history only as its summary
// (Lean), and the rates, bounces and problem cases read from it must be those of the full
// history, in the cases where the summary could go wrong: a deadline brought forward after the
// first resolution (the one then in force counts), an on-site concern resolved by its
// ResolvedAt alone, older than resolve moves (solved at the door: answered, resolved, on time),
// and an owner handed on twice, the last time after the colour's limit (answered in time by the
// first owner; two bounces).
func TestLeanKeepsTheRates(t *testing.T) {
	nov := func(day, hour int) time.Time { return at(time.November, day, hour) }
	now := nov(26, 12)
	cases := []struct {
		c       Concern
		want    Rates
		bounces int
	}{
		{Concern{ID: "DL-0001", Tier: TierGrid, Tag: TagRed, Status: StatusReopened, CreatedAt: nov(10, 9),
			Plan: Plan{Deadline: "2026-11-14", Owner: "张强"},
			Moves: []Move{{At: nov(10, 9), Action: "create"}, {At: nov(10, 10), Action: "plan", To: "张强"},
				{At: nov(10, 10), Action: "deadline", To: "2026-11-20"}, {At: nov(15, 9), Action: "resolve"},
				{At: nov(16, 9), Action: "reopen"}, {At: nov(16, 9), Action: "due", From: "2026-11-20", To: "2026-11-14"}}},
			Rates{Concerns: 1, Responded: 1, Due: 1, OnTime: 1, Resolved: 1}, 1},
		{Concern{ID: "DL-0002", Tier: TierOnSite, Tag: TagGreen, Status: StatusResolved, CreatedAt: nov(20, 9),
			ResolvedAt: nov(20, 9)},
			Rates{Concerns: 1, Responded: 1, Due: 1, OnTime: 1, Resolved: 1}, 0},
		{Concern{ID: "DL-0003", Tier: TierGrid, Tag: TagYellow, Status: StatusInProgress, CreatedAt: nov(18, 9),
			Plan: Plan{Deadline: "2026-11-25", Owner: "王五"},
			Moves: []Move{{At: nov(18, 9), Action: "create"}, {At: nov(19, 9), Action: "owner", To: "张三"},
				{At: nov(20, 9), Action: "owner", From: "张三", To: "李四"}, {At: nov(26, 9), Action: "owner", From: "李四", To: "王五"}}},
			Rates{Concerns: 1, Responded: 1, Due: 1}, 2},
	}
	for _, tc := range cases {
		lean := tc.c.Lean()
		if !lean.IsLean() || len(lean.Moves) != 0 || len(lean.MovesSince(0)) != 0 {
			t.Fatalf("%s: the lean concern keeps %d moves", tc.c.ID, len(lean.Moves))
		}
		// Written, a lean concern would replace its history with nothing: it does not encode.
		if _, err := json.Marshal(lean); !errors.Is(err, errLean) {
			t.Fatalf("%s: a lean concern encoded (err %v)", tc.c.ID, err)
		}
		var back Concern
		if raw, err := json.Marshal(tc.c); err != nil || json.Unmarshal(raw, &back) != nil || back.ID != tc.c.ID || len(back.Moves) != len(tc.c.Moves) {
			t.Fatalf("%s: the full concern does not encode and decode whole (err %v): %+v", tc.c.ID, err, back)
		}
		for name, c := range map[string]Concern{"full": tc.c, "lean": lean} {
			if got := RateOf(c, nil, DefaultLimits(), now); got != tc.want {
				t.Errorf("%s (%s): rates %+v, want %+v", tc.c.ID, name, got, tc.want)
			}
			if got := c.Bounces(); got != tc.bounces {
				t.Errorf("%s (%s): %d bounces, want %d", tc.c.ID, name, got, tc.bounces)
			}
		}
	}
}
