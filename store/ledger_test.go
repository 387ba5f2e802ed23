package store

import (
	"errors"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// openClocked opens a seeded store whose clock the test moves. The concerns were created on
// 2026-11-20 at 09:00.
func openClocked(t *testing.T) (*Store, *clock) {
	t.Helper()
	ck := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.Local)}
	s, err := Open(t.TempDir(), Options{Now: ck.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := small()
	for i := range d.Concerns {
		d.Concerns[i].CreatedAt = ck.t
	}
	d.Cadres = []Cadre{{ID: "DL-C01", Village: "DL", Name: "刘书记", Post: PostSecretary}}
	d.Teams = []Team{{Village: "DL", Captain: "DL-C01"}}
	if err := s.Seed(System, d); err != nil {
		t.Fatal(err)
	}
	return s, ck
}

func TestDeadlineFollowsColourAndHandOffs(t *testing.T) {
	s, ck := openClocked(t)
	boss := Actor{Name: "李明", Role: RoleTownship}
	c, err := s.Triage(boss, "DL-0001", 0, Op{Kind: OpTag, Tag: TagRed})
	if err != nil {
		t.Fatal(err)
	}
	if c.Plan.Deadline != "2026-11-23" { // red: 3 days from creation
		t.Fatalf("red deadline %s", c.Plan.Deadline)
	}
	if c.Overdue("2026-11-23") || !c.Overdue("2026-11-24") {
		t.Fatal("overdue on the wrong day")
	}
	ck.t = time.Date(2026, 11, 22, 15, 0, 0, 0, time.Local)
	c, err = s.Triage(boss, "DL-0001", c.Rev, Op{Kind: OpEscalate, Reason: "网格解决不了，需要新村协调资金"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Tier != TierVillage || c.Plan.Deadline != "2026-11-25" || !c.HandedAt.Equal(ck.t) {
		t.Fatalf("after escalation: tier %s deadline %s handed %v", c.Tier, c.Plan.Deadline, c.HandedAt)
	}
	created, handed := c.Clock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.Local))
	if created != 6 || handed != 3 {
		t.Fatalf("clocks %d %d", created, handed)
	}
	// A deadline a person set stays put when the colour changes.
	c, err = s.Triage(boss, "DL-0001", c.Rev, Op{Kind: OpDeadline, Text: "2026-12-01"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ = s.Triage(boss, "DL-0001", c.Rev, Op{Kind: OpTag, Tag: TagGreen})
	if c.Plan.Deadline != "2026-12-01" {
		t.Fatalf("set deadline moved to %s", c.Plan.Deadline)
	}
	// Limits are settable by township users only.
	if err := s.SetLimits(Actor{Name: "v", Role: RoleVillage, Village: "DL"}, Limits{1, 2, 3}); !errors.Is(err, ErrScope) {
		t.Fatalf("village user set limits: %v", err)
	}
	if err := s.SetLimits(boss, Limits{Red: 2, Yellow: 5, Green: 10}); err != nil {
		t.Fatal(err)
	}
	c, _ = s.Triage(boss, "DL-0002", -1, Op{Kind: OpTag, Tag: TagYellow})
	if c.Plan.Deadline != "2026-11-25" { // yellow, now 5 days from creation on the 20th
		t.Fatalf("yellow deadline with new limits: %s", c.Plan.Deadline)
	}
}

func TestEscalateReturnAndProblemCase(t *testing.T) {
	s, _ := openClocked(t)
	boss := Actor{Name: "李明", Role: RoleTownship}
	if _, err := s.Triage(boss, "DL-0001", -1, Op{Kind: OpEscalate}); !errors.Is(err, ErrRule) {
		t.Fatalf("escalation without a reason: %v", err)
	}
	c, _ := s.Concern(boss, "DL-0001")
	if c.ProblemCase() {
		t.Fatal("fresh concern flagged")
	}
	steps := []Op{{Kind: OpEscalate, Reason: "需要新村统筹"}, {Kind: OpReturn, Reason: "属于网格职责"}}
	for i := 0; i < 2; i++ {
		var err error
		if c, err = s.Triage(boss, "DL-0001", c.Rev, steps[i]); err != nil {
			t.Fatal(err)
		}
		if c.ProblemCase() {
			t.Fatalf("flagged after %d hand-offs", i+1)
		}
	}
	if c.Tier != TierGrid || c.Refusals != 1 {
		t.Fatalf("after return: %s refusals %d", c.Tier, c.Refusals)
	}
	c, _ = s.Triage(boss, "DL-0001", c.Rev, Op{Kind: OpOwner, Text: "张强"}) // first owner: a plan, not a hand-off
	if c.ProblemCase() {
		t.Fatal("first owner counted as a hand-off")
	}
	c, _ = s.Triage(boss, "DL-0001", c.Rev, Op{Kind: OpOwner, Text: "陈静"})
	if !c.ProblemCase() || c.HandOffs() != 3 {
		t.Fatalf("3 hand-offs not flagged: %d", c.HandOffs())
	}
	// Tiers end at both ends.
	for _, tier := range []Tier{TierOnSite, TierTownship} {
		if tier.Prev() != "" && tier == TierOnSite || tier.Next() != "" && tier == TierTownship {
			t.Fatalf("tier %s has a neighbour past the end", tier)
		}
	}
}

func TestTriageScopeByTier(t *testing.T) {
	s, _ := openClocked(t)
	grid := Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: "DL01"}
	village := Actor{Name: "村", Role: RoleVillage, Village: "DL"}
	c, err := s.Triage(grid, "DL-0001", -1, Op{Kind: OpEscalate, Reason: "网格解决不了"})
	if err != nil {
		t.Fatalf("grid user escalating their grid's concern: %v", err)
	}
	if _, err := s.Triage(grid, "DL-0001", -1, Op{Kind: OpTag, Tag: TagRed}); !errors.Is(err, ErrScope) {
		t.Fatalf("grid user acted at the village tier: %v", err)
	}
	if _, err := s.Triage(grid, "DL-0002", -1, Op{Kind: OpTag, Tag: TagRed}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("grid user acted on another grid: %v", err)
	}
	c, err = s.Triage(village, "DL-0001", c.Rev, Op{Kind: OpEscalate, Reason: "需要镇里托底"})
	if err != nil || c.Tier != TierTownship {
		t.Fatalf("village user escalating: %v %s", err, c.Tier)
	}
	if _, err := s.Triage(village, "DL-0001", -1, Op{Kind: OpReturn, Reason: "x"}); !errors.Is(err, ErrScope) {
		t.Fatalf("village user acted at the township tier: %v", err)
	}
	if _, err := s.Triage(Actor{Name: "督查", Role: RoleInspector}, "XH-0001", -1, Op{Kind: OpTag, Tag: TagRed}); !errors.Is(err, ErrScope) {
		t.Fatalf("inspector triaged: %v", err)
	}
}

func TestStaleEditIsRefusedAndExplained(t *testing.T) {
	s, _ := openClocked(t)
	a := Actor{Name: "李明", Role: RoleTownship}
	b := Actor{Name: "张强", Role: RoleTownship}
	seen, _ := s.Concern(a, "DL-0001")
	if _, err := s.Triage(b, "DL-0001", seen.Rev, Op{Kind: OpTag, Tag: TagRed}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Triage(a, "DL-0001", seen.Rev, Op{Kind: OpTag, Tag: TagYellow})
	var stale *StaleError
	if !errors.As(err, &stale) || len(stale.Moves) != 1 || stale.Moves[0].By != "张强" || stale.Concern.Tag != TagRed {
		t.Fatalf("stale edit: %v", err)
	}
	// Re-applied against what is there now, it goes through.
	c, err := s.Triage(a, "DL-0001", stale.Concern.Rev, Op{Kind: OpTag, Tag: TagYellow})
	if err != nil || c.Tag != TagYellow {
		t.Fatalf("re-apply: %v %s", err, c.Tag)
	}
}

func TestPlanResolveAndUndo(t *testing.T) {
	s, _ := openClocked(t)
	a := Actor{Name: "李明", Role: RoleTownship}
	c, _ := s.Concern(a, "DL-0001")
	before := c.Snap()
	for _, op := range []Op{{Kind: OpSolution, Text: "请施工队上门修补屋顶"}, {Kind: OpOwner, Text: "张强"}, {Kind: OpDeadline, Text: "2026-11-30"}} {
		var err error
		if c, err = s.Triage(a, "DL-0001", c.Rev, op); err != nil {
			t.Fatal(err)
		}
	}
	if c.Status != StatusPlanned {
		t.Fatalf("status with a full plan: %s", c.Status)
	}
	if _, err := s.Triage(a, "DL-0001", c.Rev, Op{Kind: OpResolve}); !errors.Is(err, ErrRule) {
		t.Fatalf("resolve without saying what was done: %v", err)
	}
	c, err := s.Triage(a, "DL-0001", c.Rev, Op{Kind: OpResolve, Text: "屋顶已修好"})
	if err != nil || c.Status != StatusResolved || c.ResolvedBy != "李明" || c.Resolution != "屋顶已修好" {
		t.Fatalf("resolve: %v %+v", err, c)
	}
	c, err = s.Triage(a, "DL-0001", c.Rev, Op{Kind: OpRestore, Restore: &before, Reason: "撤销"})
	if err != nil || c.Status != StatusNew || c.Plan.Owner != "" || !c.ResolvedAt.IsZero() {
		t.Fatalf("undo: %v %+v", err, c)
	}
	if last := c.Moves[len(c.Moves)-1]; last.Action != "undo" {
		t.Fatalf("undo not in history: %+v", last)
	}
	if _, err := s.Triage(a, "DL-0001", c.Rev, Op{Kind: OpDeadline, Text: "明天"}); !errors.Is(err, ErrRule) {
		t.Fatalf("bad date accepted: %v", err)
	}
}

func TestLeadProject(t *testing.T) {
	s, _ := openClocked(t)
	v := Actor{Name: "陈静", Role: RoleVillage, Village: "DL"}
	if _, err := s.CreateProject(v, "自来水管网改造", []string{"DL-0001"}); !errors.Is(err, ErrRule) {
		t.Fatalf("one-concern project: %v", err)
	}
	if _, err := s.CreateProject(v, "x", []string{"DL-0001", "XH-0001"}); err == nil {
		t.Fatal("project across villages")
	}
	p, err := s.CreateProject(v, "自来水管网改造", []string{"DL-0001", "DL-0002"})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "DL-P01" || p.Owner != "刘书记" || len(p.Concerns) != 2 {
		t.Fatalf("project: %+v", p)
	}
	if _, err := s.CreateProject(v, "again", []string{"DL-0001", "DL-0002"}); !errors.Is(err, ErrRule) {
		t.Fatalf("concern in two projects: %v", err)
	}
	if _, err := s.ResolveProject(Actor{Name: "格", Role: RoleGrid, Village: "DL", Grid: "DL01"}, p.ID, "done"); !errors.Is(err, ErrScope) {
		t.Fatalf("grid user resolved a project: %v", err)
	}
	if _, err := s.ResolveProject(v, p.ID, "新管网已通水"); err != nil {
		t.Fatal(err)
	}
	for _, id := range p.Concerns {
		c, _ := s.Concern(v, id)
		if c.Status != StatusResolved || c.Project != p.ID {
			t.Fatalf("%s after project resolved: %s %s", id, c.Status, c.Project)
		}
	}
	ps, _ := s.Projects(v)
	if len(ps) != 1 || !ps[0].Resolved {
		t.Fatalf("projects: %+v", ps)
	}
}
