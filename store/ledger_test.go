package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"sanbai/dates"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// at is a local time on a day of the test's November–December 2026.
func at(month time.Month, day, hour int) time.Time {
	return time.Date(2026, month, day, hour, 0, 0, 0, time.Local)
}

// openClocked opens a seeded store whose clock the test moves. The concerns were created on
// 2026-11-20 at 09:00, green, at the grid tier, with the automatic deadline a new concern
// gets (green: 15 days, 2026-12-05). DL has cadres (a secretary, two committee members, the
// secretary of grid DL01, and a supervisor with the grid secretary's name), party members in
// its grids (two 李娜 in DL01), and the township two officials.
func openClocked(t *testing.T) (*Store, *clock) {
	t.Helper()
	ck := &clock{t: at(11, 20, 9)}
	s, err := Open(t.TempDir(), Options{Now: ck.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := small()
	for i := range d.Concerns {
		d.Concerns[i].CreatedAt = ck.t
		d.Concerns[i].Plan.Deadline = "2026-12-05"
	}
	d.Cadres = []Cadre{{ID: "DL-C01", Village: "DL", Name: "刘书记", Post: PostSecretary},
		{ID: "DL-C02", Village: "DL", Name: "张强", Post: PostCommittee},
		{ID: "DL-C03", Village: "DL", Name: "陈静", Post: PostCommittee},
		{ID: "DL-C04", Village: "DL", Name: "王强", Post: PostGridSecretary, Grid: "DL01", Member: "DL-M01"},
		{ID: "DL-C05", Village: "DL", Name: "王强", Post: PostSupervisor}}
	d.Members = []Member{{ID: "DL-M01", Village: "DL", Grid: "DL01", Name: "王强"},
		{ID: "DL-M02", Village: "DL", Grid: "DL01", Name: "李娜"},
		{ID: "DL-M03", Village: "DL", Grid: "DL01", Name: "李娜"},
		{ID: "DL-M04", Village: "DL", Grid: "DL01", Name: "周平"},
		{ID: "DL-M05", Village: "DL", Grid: "DL02", Name: "孙红"}}
	d.Officials = []Official{{ID: "T01", Name: "赵镇长", Post: "镇长"}, {ID: "T02", Name: "钱主任", Post: "党建办主任"}}
	d.Teams = []Team{{Village: "DL", Captain: "DL-C01"}}
	if err := s.Seed(t.Context(), System(), d); err != nil {
		t.Fatal(err)
	}
	return s, ck
}

// ruleCode returns the code of a refusal, or "" when err is not one.
func ruleCode(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Code
	}
	return ""
}

// triage applies ops to a concern one after the other against the Rev each left, failing the
// test on an error; it returns the concern and the Rev it had before the last op.
func triage(t *testing.T, s *Store, a Actor, id string, ops ...Op) (Concern, int) {
	t.Helper()
	c, err := s.Concern(t.Context(), a, id)
	if err != nil {
		t.Fatal(err)
	}
	rev := c.Rev
	for _, op := range ops {
		rev = c.Rev
		if c, err = s.Triage(t.Context(), a, id, c.Rev, op); err != nil {
			t.Fatalf("%s %s: %v", id, op.Kind, err)
		}
	}
	return c, rev
}

// TestMeetingLeavesDeadlinesAsTheRulesSay runs a meeting over one concern — owner change, tag
// changes, a return, escalation to the top, an extension — and checks the deadline, the
// overdue flag and the history after every step: nothing moves a deadline by itself but a
// more urgent colour (earlier only), and only the extension, with its reason, ends overdue.
func TestMeetingLeavesDeadlinesAsTheRulesSay(t *testing.T) {
	s, ck := openClocked(t)
	boss := Actor{Name: "李明", Role: RoleTownship}
	step := func(op Op, deadline string, dueMoves int) Concern {
		t.Helper()
		c, rev := triage(t, s, boss, "DL-0001", op)
		if c.Plan.Deadline != deadline {
			t.Fatalf("after %s: deadline %s, want %s", op.Kind, c.Plan.Deadline, deadline)
		}
		if got := c.DeadlineMoves(rev); len(got) != dueMoves {
			t.Fatalf("after %s: %d deadline moves %+v, want %d", op.Kind, len(got), got, dueMoves)
		}
		return c
	}
	ck.t = at(11, 21, 10)
	step(Op{Kind: OpOwner, Text: "DL-C04"}, "2026-12-05", 0)
	// More urgent: the automatic deadline comes forward to yellow's limit (7 days from the
	// tier clock's start, the 20th), with a history line saying why.
	c := step(Op{Kind: OpTag, Tag: TagYellow}, "2026-11-27", 1)
	if m := c.Moves[len(c.Moves)-1]; m.Action != "due" || m.From != "2026-12-05" || m.To != "2026-11-27" || m.Reason != "yellow" {
		t.Fatalf("deadline move %+v", m)
	}
	step(Op{Kind: OpTag, Tag: TagGreen}, "2026-11-27", 0) // less urgent: never later by itself
	step(Op{Kind: OpTag, Tag: TagRed}, "2026-11-23", 1)
	step(Op{Kind: OpOwner, Text: "周平"}, "2026-11-23", 0)
	ck.t = at(11, 22, 15)
	c = step(Op{Kind: OpReturn, Reason: "党员现场就能解决"}, "2026-11-23", 0)
	if c.Tier != TierOnSite {
		t.Fatalf("returned to %s", c.Tier)
	}
	ck.t = at(11, 24, 9)
	today := "2026-11-24"
	c, _ = s.Concern(t.Context(), boss, "DL-0001")
	if !c.Overdue(today) {
		t.Fatal("not overdue the day after its deadline")
	}
	step(Op{Kind: OpTag, Tag: TagYellow}, "2026-11-23", 0)
	for range 3 {
		c = step(Op{Kind: OpEscalate, Reason: "需要更高一级统筹"}, "2026-11-23", 0)
	}
	if c.Tier != TierTownship || !c.Overdue(today) {
		t.Fatalf("after escalating three times: %s, overdue %v", c.Tier, c.Overdue(today))
	}
	if _, err := s.Triage(t.Context(), boss, "DL-0001", c.Rev, Op{Kind: OpEscalate, Reason: "再上报"}); ruleCode(err) != "tier.top" {
		t.Fatalf("escalated past the township: %v", err)
	}
	// An earlier deadline in the past is refused, and a later one without a reason too.
	var de *dates.Error
	if _, err := s.Triage(t.Context(), boss, "DL-0001", c.Rev, Op{Kind: OpDeadline, Text: "2026-11-23"}); !errors.As(err, &de) || de.Code != dates.CodePast {
		t.Fatalf("a deadline in the past: %v", err)
	}
	if _, err := s.Triage(t.Context(), boss, "DL-0001", c.Rev, Op{Kind: OpDeadline, Text: "2026-12-01"}); ruleCode(err) != "extend.reason" {
		t.Fatalf("an extension without a reason: %v", err)
	}
	c = step(Op{Kind: OpDeadline, Text: "2026-12-01", Reason: "需协调县水务局，等待管材"}, "2026-12-01", 1)
	if m := c.Moves[len(c.Moves)-1]; m.Action != "extend" || m.From != "2026-11-23" || m.Reason != "需协调县水务局，等待管材" {
		t.Fatalf("extension move %+v", m)
	}
	if c.Extensions != 1 || c.Overdue(today) || !c.Plan.DeadlineSet {
		t.Fatalf("after the extension: %d extensions, overdue %v", c.Extensions, c.Overdue(today))
	}
	// A deadline set by a person stays put whatever the colour.
	step(Op{Kind: OpTag, Tag: TagRed}, "2026-12-01", 0)
	// An earlier deadline is no extension and needs no reason.
	c = step(Op{Kind: OpDeadline, Text: "2026-11-28"}, "2026-11-28", 1)
	if c.Extensions != 1 || c.Moves[len(c.Moves)-1].Action != "deadline" {
		t.Fatalf("an earlier deadline counted as an extension: %d", c.Extensions)
	}
	// Every deadline change is one history move.
	n := 0
	for _, m := range c.Moves {
		if IsDeadlineMove(m) {
			n++
		}
	}
	if n != 4 {
		t.Fatalf("%d deadline moves in the history, want 4 (yellow, red, extension, earlier)", n)
	}
}

// TestAutomaticDeadlineNeverMovesIntoThePast: a concern turned red long after it was raised
// gets today as its deadline, not a day already gone.
func TestAutomaticDeadlineNeverMovesIntoThePast(t *testing.T) {
	s, ck := openClocked(t)
	ck.t = at(11, 28, 10)
	c, _ := triage(t, s, System(), "DL-0001", Op{Kind: OpTag, Tag: TagRed})
	if c.Plan.Deadline != "2026-11-28" || c.Overdue("2026-11-28") {
		t.Fatalf("red deadline %s", c.Plan.Deadline)
	}
}

// TestSupervisedDeadline: a supervised concern's deadline (set by the township's supervision)
// does not move with its owner or colour, and only a township user extends it.
func TestSupervisedDeadline(t *testing.T) {
	s, ck := openClocked(t)
	ck.t = at(11, 21, 9)
	village := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	// A failed revisit puts the concern under supervision with a supervision deadline.
	if err := s.SetVillageLeader(t.Context(), System(), "DL", "赵镇长"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetVillageLeader(t.Context(), System(), "DL", "王镇长"); ruleCode(err) != "leader.unknown" {
		t.Fatalf("a leader who is not a township official: %v", err)
	}
	triage(t, s, village, "DL-0002", Op{Kind: OpResolve, Text: "已修补"})
	if _, err := s.SaveRevisits(t.Context(), village, RevisitDraft{Village: "DL", Household: "DL02-0001", Date: "2026-11-21",
		Answers: []RevisitAnswer{{Concern: "DL-0002", Solved: SolvedNo, Satisfaction: SatPoor, Comment: "还漏"}}}); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Concern(t.Context(), village, "DL-0002")
	if c.Supervisor != "赵镇长" || c.Plan.Deadline != "2026-11-28" || !c.Plan.DeadlineSet {
		t.Fatalf("supervised: %q %s", c.Supervisor, c.Plan.Deadline)
	}
	if d := c.DeadlineMoves(c.Rev - 1); len(d) != 1 || d[0].Action != "due" || d[0].Reason != "supervise" {
		t.Fatalf("supervision deadline not in the history: %+v", d)
	}
	c, _ = triage(t, s, village, "DL-0002", Op{Kind: OpOwner, Text: "孙红"}, Op{Kind: OpTag, Tag: TagRed})
	if c.Plan.Deadline != "2026-11-28" {
		t.Fatalf("owner and tag moved the supervision deadline to %s", c.Plan.Deadline)
	}
	_, err := s.Triage(t.Context(), village, "DL-0002", c.Rev, Op{Kind: OpDeadline, Text: "2026-12-10", Reason: "等材料"})
	if !errors.Is(err, ErrScope) || ruleCode(err) != "extend.township" {
		t.Fatalf("a village user extended a supervised deadline: %v", err)
	}
	boss := Actor{Name: "赵镇长", Role: RoleTownship}
	c, _ = triage(t, s, boss, "DL-0002", Op{Kind: OpDeadline, Text: "2026-12-10", Reason: "等材料"})
	if c.Plan.Deadline != "2026-12-10" || c.Extensions != 1 {
		t.Fatalf("township extension: %s %d", c.Plan.Deadline, c.Extensions)
	}
}

// TestTierClockRestartsOnlyOnATierMove: owner and colour changes leave the tier clock alone.
func TestTierClockRestartsOnlyOnATierMove(t *testing.T) {
	s, ck := openClocked(t)
	ck.t = at(11, 22, 9)
	c, _ := triage(t, s, System(), "DL-0001", Op{Kind: OpOwner, Text: "王强"}, Op{Kind: OpOwner, Text: "周平"}, Op{Kind: OpTag, Tag: TagYellow})
	if created, tier := c.Clock(at(11, 24, 10)); created != 4 || tier != 4 {
		t.Fatalf("clocks after owner changes: %d %d", created, tier)
	}
	ck.t = at(11, 23, 9)
	c, _ = triage(t, s, System(), "DL-0001", Op{Kind: OpEscalate, Reason: "需新村统筹"})
	if created, tier := c.Clock(at(11, 24, 10)); created != 4 || tier != 1 {
		t.Fatalf("clocks after escalating: %d %d", created, tier)
	}
}

// TestBounces checks each kind of bounce, that forward escalation with an owner at each tier
// is never one, that an undone return is not one, and that the third makes a problem case.
func TestBounces(t *testing.T) {
	s, ck := openClocked(t)
	ck.t = at(11, 21, 9)
	boss := Actor{Name: "李明", Role: RoleTownship}
	// The plan's normal path: an owner at the grid, then up the tiers, an owner at each.
	c, _ := triage(t, s, boss, "DL-0001", Op{Kind: OpOwner, Text: "王强"},
		Op{Kind: OpEscalate, Reason: "需新村统筹"}, Op{Kind: OpOwner, Text: "张强"},
		Op{Kind: OpEscalate, Reason: "需镇里托底"}, Op{Kind: OpOwner, Text: "赵镇长"})
	if c.Bounces() != 0 || c.ProblemCase() {
		t.Fatalf("normal escalation counted %d bounces", c.Bounces())
	}
	// Owner change within a tier after the owner was given there: one.
	c, _ = triage(t, s, boss, "DL-0001", Op{Kind: OpOwner, Text: "钱主任"})
	if c.Bounces() != 1 {
		t.Fatalf("owner change at the same tier: %d bounces", c.Bounces())
	}
	// A return to a lower tier: two. Undone, it no longer counts.
	before, _ := s.Concern(t.Context(), boss, "DL-0001")
	c, _ = triage(t, s, boss, "DL-0001", Op{Kind: OpReturn, Reason: "属新村职责"})
	if c.Bounces() != 2 {
		t.Fatalf("return: %d bounces", c.Bounces())
	}
	snap := before.Snap()
	c, err := s.Triage(t.Context(), boss, "DL-0001", c.Rev, Op{Kind: OpRestore, Restore: &snap, Reason: "撤销退回"})
	if err != nil || c.Tier != TierTownship || c.Bounces() != 1 {
		t.Fatalf("undone return: %v %s, %d bounces", err, c.Tier, c.Bounces())
	}
	c, _ = triage(t, s, boss, "DL-0001", Op{Kind: OpReturn, Reason: "属新村职责"})
	if c.Bounces() != 2 || c.ProblemCase() {
		t.Fatalf("two bounces: %d, problem %v", c.Bounces(), c.ProblemCase())
	}
	// A reopening after an unsatisfied revisit: three, a problem case.
	triage(t, s, boss, "DL-0001", Op{Kind: OpResolve, Text: "已更换水管"})
	if _, err := s.SaveRevisits(t.Context(), boss, RevisitDraft{Village: "DL", Household: "DL01-0001", Date: "2026-11-21",
		Answers: []RevisitAnswer{{Concern: "DL-0001", Solved: SolvedPartly, Satisfaction: SatPoor}}}); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Concern(t.Context(), boss, "DL-0001")
	if c.Bounces() != 3 || !c.ProblemCase() {
		t.Fatalf("reopened: %d bounces, problem %v", c.Bounces(), c.ProblemCase())
	}
}

// TestBouncesOfAGeneratedHistory counts the moves a generated (demo) history writes: tier
// moves up are the plan, a tier move down is a bounce, a plan at each tier is no bounce, a
// second plan at the same tier with another owner is one.
func TestBouncesOfAGeneratedHistory(t *testing.T) {
	mv := func(action, from, to string) Move { return Move{Action: action, From: from, To: to} }
	c := Concern{Moves: []Move{mv("create", "", "onsite"), mv("tag", "", "red"), mv("tier", "onsite", "grid"),
		mv("plan", "", "王强"), mv("tier", "grid", "village"), mv("plan", "", "张强"), mv("status", "planned", "in_progress")}}
	if c.Bounces() != 0 {
		t.Fatalf("escalation path: %d", c.Bounces())
	}
	c.Moves = append(c.Moves, mv("plan", "张强", "陈静"), mv("tier", "village", "grid"), mv("resolve", "", ""),
		mv("revisit", "", "DL-R001"), mv("reopen", "resolved", "reopened"), mv("plan", "", "王强"))
	if c.Bounces() != 3 || !c.ProblemCase() {
		t.Fatalf("owner change, return and reopening: %d", c.Bounces())
	}
}

// TestOwnersByTier: a grid-tier concern takes the grid's cadres and members, a village-tier
// one the village's cadres, a township-tier one the township's officials; two people of one
// name carry what tells them apart, a bare shared name is refused, and so is anyone else.
func TestOwnersByTier(t *testing.T) {
	s, _ := openClocked(t)
	names := func(os []Owner) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Name+"|"+o.Note)
		}
		return out
	}
	os, err := s.Owners(t.Context(), System(), "DL-0001")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(os), " "); got != "王强| 李娜|1网格党员 DL-M02 李娜|1网格党员 DL-M03 周平|" {
		t.Fatalf("grid tier: %s", got)
	}
	if os[0].Label() != "王强  1网格 网格书记" {
		t.Fatalf("label %q", os[0].Label())
	}
	if _, err := s.Triage(t.Context(), System(), "DL-0001", -1, Op{Kind: OpOwner, Text: "李娜"}); ruleCode(err) != "owner.ambiguous" {
		t.Fatalf("a shared name: %v", err)
	}
	if _, err := s.Triage(t.Context(), System(), "DL-0001", -1, Op{Kind: OpOwner, Text: "孙红"}); ruleCode(err) != "owner.unknown" {
		t.Fatalf("a member of another grid: %v", err)
	}
	c, _ := triage(t, s, System(), "DL-0001", Op{Kind: OpOwner, Text: "DL-M03"})
	if c.Plan.Owner != "李娜" || c.Plan.OwnerID != "DL-M03" || c.Plan.OwnerLabel() != "李娜（1网格党员 DL-M03）" {
		t.Fatalf("owner by ID: %+v", c.Plan)
	}
	c, _ = triage(t, s, System(), "DL-0001", Op{Kind: OpEscalate, Reason: "需新村统筹"})
	os, _ = s.Owners(t.Context(), System(), "DL-0001")
	if got := strings.Join(names(os), " "); got != "刘书记| 张强| 陈静| 王强|1网格 王强|监委会成员" {
		t.Fatalf("village tier: %s", got)
	}
	c, _ = triage(t, s, System(), "DL-0001", Op{Kind: OpOwner, Text: "王强（监委会成员）"})
	if c.Plan.OwnerID != "DL-C05" || c.Plan.OwnerLabel() != "王强（监委会成员）" {
		t.Fatalf("owner by label: %+v", c.Plan)
	}
	triage(t, s, System(), "DL-0001", Op{Kind: OpEscalate, Reason: "需镇里托底"})
	os, _ = s.Owners(t.Context(), System(), "DL-0001")
	if got := strings.Join(names(os), " "); got != "赵镇长| 钱主任|" {
		t.Fatalf("township tier: %s", got)
	}
	if _, err := s.Triage(t.Context(), System(), "DL-0001", -1, Op{Kind: OpOwner, Text: "张强"}); ruleCode(err) != "owner.unknown" {
		t.Fatalf("a village cadre owning a township-tier concern: %v", err)
	}
	// A grid user sees the owners of their grid's concerns only.
	if _, err := s.Owners(t.Context(), Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: "DL02"}, "DL-0001"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another grid's owners: %v", err)
	}
}

// TestUndoSeveralLevels: a person's own changes are undone in reverse order, each against the
// Rev it left, whatever they did after; someone else's change in between stops the undo and
// says who and what.
func TestUndoSeveralLevels(t *testing.T) {
	s, ck := openClocked(t)
	ck.t = at(11, 21, 9)
	me := Actor{Name: "李明", Role: RoleTownship}
	type entry struct {
		before Snapshot
		rev    int
	}
	var stack []entry
	do := func(op Op) Concern {
		t.Helper()
		b, _ := s.Concern(t.Context(), me, "DL-0001")
		c, err := s.Triage(t.Context(), me, "DL-0001", b.Rev, op)
		if err != nil {
			t.Fatal(err)
		}
		stack = append(stack, entry{b.Snap(), c.Rev})
		return c
	}
	undo := func() (Concern, error) {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		return s.Triage(t.Context(), me, "DL-0001", e.rev, Op{Kind: OpRestore, Restore: &e.before, Reason: "撤销"})
	}
	orig, _ := s.Concern(t.Context(), me, "DL-0001")
	do(Op{Kind: OpTag, Tag: TagRed})
	do(Op{Kind: OpOwner, Text: "王强"})
	c := do(Op{Kind: OpDeadline, Text: "2026-12-10", Reason: "等材料"})
	if c.Extensions != 1 || c.Bounces() != 0 {
		t.Fatalf("before undo: %+v", c)
	}
	for range 3 {
		var err error
		if c, err = undo(); err != nil {
			t.Fatal(err)
		}
	}
	if c.Snap() != orig.Snap() {
		t.Fatalf("three undos left %+v\nwant %+v", c.Snap(), orig.Snap())
	}
	// The undo of a deadline change is a deadline change in the history too.
	if d := c.DeadlineMoves(c.Rev - 1); len(d) != 1 || d[0].From != "2026-11-23" || d[0].To != "2026-12-05" {
		t.Fatalf("undoing the red tag: %+v", d)
	}
	// Someone else changes the concern between two of my changes: my older change is not
	// undone, and the refusal names them and what they did.
	do(Op{Kind: OpTag, Tag: TagYellow})
	other := Actor{Name: "张强", Role: RoleTownship}
	triage(t, s, other, "DL-0001", Op{Kind: OpSolution, Text: "请电工上门"})
	do(Op{Kind: OpOwner, Text: "周平"})
	if _, err := undo(); err != nil {
		t.Fatalf("undoing my last change: %v", err)
	}
	_, err := undo()
	var stale *StaleError
	if !errors.As(err, &stale) || !stale.Undo || len(stale.Moves) != 1 || stale.Moves[0].By != "张强" || stale.Moves[0].Action != "solution" {
		t.Fatalf("undo over someone else's change: %v", err)
	}
}

func TestTriageScopeByTier(t *testing.T) {
	s, _ := openClocked(t)
	grid := Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: "DL01"}
	village := Actor{Name: "村", Role: RoleVillage, Village: "DL"}
	c, err := s.Triage(t.Context(), grid, "DL-0001", -1, Op{Kind: OpEscalate, Reason: "网格解决不了"})
	if err != nil {
		t.Fatalf("grid user escalating their grid's concern: %v", err)
	}
	if _, err := s.Triage(t.Context(), grid, "DL-0001", -1, Op{Kind: OpTag, Tag: TagRed}); !errors.Is(err, ErrScope) {
		t.Fatalf("grid user acted at the village tier: %v", err)
	}
	if _, err := s.Triage(t.Context(), grid, "DL-0002", -1, Op{Kind: OpTag, Tag: TagRed}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("grid user acted on another grid: %v", err)
	}
	c, err = s.Triage(t.Context(), village, "DL-0001", c.Rev, Op{Kind: OpEscalate, Reason: "需要镇里托底"})
	if err != nil || c.Tier != TierTownship {
		t.Fatalf("village user escalating: %v %s", err, c.Tier)
	}
	if _, err := s.Triage(t.Context(), village, "DL-0001", -1, Op{Kind: OpReturn, Reason: "x"}); !errors.Is(err, ErrScope) {
		t.Fatalf("village user acted at the township tier: %v", err)
	}
	if _, err := s.Triage(t.Context(), Actor{Name: "督查", Role: RoleInspector}, "XH-0001", -1, Op{Kind: OpTag, Tag: TagRed}); !errors.Is(err, ErrScope) {
		t.Fatalf("inspector triaged: %v", err)
	}
}

func TestStaleEditIsRefusedAndExplained(t *testing.T) {
	s, _ := openClocked(t)
	a := Actor{Name: "李明", Role: RoleTownship}
	b := Actor{Name: "张强", Role: RoleTownship}
	seen, _ := s.Concern(t.Context(), a, "DL-0001")
	if _, err := s.Triage(t.Context(), b, "DL-0001", seen.Rev, Op{Kind: OpTag, Tag: TagRed}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Triage(t.Context(), a, "DL-0001", seen.Rev, Op{Kind: OpTag, Tag: TagYellow})
	var stale *StaleError
	// What 张强 did: the red tag, and the deadline it brought forward.
	if !errors.As(err, &stale) || len(stale.Moves) != 2 || stale.Moves[0].By != "张强" || stale.Moves[0].Action != "tag" ||
		stale.Moves[1].Action != "due" || stale.Concern.Tag != TagRed {
		t.Fatalf("stale edit: %v", err)
	}
	// Re-applied against what is there now, it goes through.
	c, err := s.Triage(t.Context(), a, "DL-0001", stale.Concern.Rev, Op{Kind: OpTag, Tag: TagYellow})
	if err != nil || c.Tag != TagYellow {
		t.Fatalf("re-apply: %v %s", err, c.Tag)
	}
}

func TestPlanResolveAndUndo(t *testing.T) {
	s, _ := openClocked(t)
	a := Actor{Name: "李明", Role: RoleTownship}
	c, _ := s.Concern(t.Context(), a, "DL-0001")
	before := c.Snap()
	for _, op := range []Op{{Kind: OpSolution, Text: "请施工队上门修补屋顶"}, {Kind: OpOwner, Text: "王强"}, {Kind: OpDeadline, Text: "2026-11-30"}} {
		var err error
		if c, err = s.Triage(t.Context(), a, "DL-0001", c.Rev, op); err != nil {
			t.Fatal(err)
		}
	}
	if c.Status != StatusPlanned {
		t.Fatalf("status with a full plan: %s", c.Status)
	}
	if _, err := s.Triage(t.Context(), a, "DL-0001", c.Rev, Op{Kind: OpResolve}); !errors.Is(err, ErrRule) {
		t.Fatalf("resolve without saying what was done: %v", err)
	}
	c, err := s.Triage(t.Context(), a, "DL-0001", c.Rev, Op{Kind: OpResolve, Text: "屋顶已修好"})
	if err != nil || c.Status != StatusResolved || c.ResolvedBy != "李明" || c.Resolution != "屋顶已修好" {
		t.Fatalf("resolve: %v %+v", err, c)
	}
	rev := c.Rev
	c, err = s.Triage(t.Context(), a, "DL-0001", c.Rev, Op{Kind: OpRestore, Restore: &before, Reason: "撤销"})
	if err != nil || c.Status != StatusNew || c.Plan.Owner != "" || !c.ResolvedAt.IsZero() {
		t.Fatalf("undo: %v %+v", err, c)
	}
	if mv := c.MovesSince(rev); len(mv) != 2 || mv[0].Action != "undo" || mv[0].Undoes != rev || mv[1].Action != "deadline" {
		t.Fatalf("undo not in history: %+v", mv)
	}
	var de *dates.Error
	if _, err := s.Triage(t.Context(), a, "DL-0001", c.Rev, Op{Kind: OpDeadline, Text: "明天"}); !errors.As(err, &de) || de.Code != dates.CodeFormat {
		t.Fatalf("bad date accepted: %v", err)
	}
}

func TestLeadProject(t *testing.T) {
	s, _ := openClocked(t)
	v := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	if _, err := s.CreateProject(t.Context(), v, "自来水管网改造", []string{"DL-0001"}); !errors.Is(err, ErrRule) {
		t.Fatalf("one-concern project: %v", err)
	}
	// Across villages: refused, saying which concern is where (a lead project is one
	// village's, led by its secretary; a shared problem goes up to the township tier).
	_, err := s.CreateProject(t.Context(), Actor{Name: "李明", Role: RoleTownship}, "x", []string{"DL-0001", "XH-0001"})
	var re *RuleError
	if !errors.As(err, &re) || re.Code != "project.villages" || strings.Join(re.Args, " ") != "DL-0001 DL XH-0001 XH" {
		t.Fatalf("project across villages: %v", err)
	}
	p, err := s.CreateProject(t.Context(), v, "自来水管网改造", []string{"DL-0001", "DL-0002"})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "DL-P01" || p.Owner != "刘书记" || len(p.Concerns) != 2 {
		t.Fatalf("project: %+v", p)
	}
	if _, err := s.CreateProject(t.Context(), v, "again", []string{"DL-0001", "DL-0002"}); !errors.Is(err, ErrRule) {
		t.Fatalf("concern in two projects: %v", err)
	}
	if _, err := s.ResolveProject(t.Context(), Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: "DL01"}, p.ID, "done"); !errors.Is(err, ErrScope) {
		t.Fatalf("grid user resolved a project: %v", err)
	}
	if _, err := s.ResolveProject(t.Context(), v, p.ID, "新管网已通水"); err != nil {
		t.Fatal(err)
	}
	for _, id := range p.Concerns {
		c, _ := s.Concern(t.Context(), v, id)
		if c.Status != StatusResolved || c.Project != p.ID {
			t.Fatalf("%s after project resolved: %s %s", id, c.Status, c.Project)
		}
	}
	ps, _ := s.Projects(t.Context(), v)
	if len(ps) != 1 || !ps[0].Resolved {
		t.Fatalf("projects: %+v", ps)
	}
}

// TestChanges counts changes, not moves: the moves of one change share its Rev; unstamped
// moves (a seeded history) are one change each.
func TestChanges(t *testing.T) {
	moves := []Move{{Rev: 0}, {Rev: 0}, {Rev: 1}, {Rev: 1}, {Rev: 2}, {Rev: 3}, {Rev: 3}}
	if n := Changes(moves); n != 5 {
		t.Fatalf("%d changes, want 5", n)
	}
}
