package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"sanbai/clean"
)

// Limits are the default time limits per colour, in days (红黄绿挂牌): a concern's deadline,
// unless a person sets one, is its last hand-off plus its colour's limit.
type Limits struct {
	Red    int `json:"red"`
	Yellow int `json:"yellow"`
	Green  int `json:"green"`
}

// DefaultLimits are the limits a township starts with: red 3 days, yellow 7, green 15.
var DefaultLimits = Limits{Red: 3, Yellow: 7, Green: 15}

// Days returns the limit for a tag.
func (l Limits) Days(t Tag) int {
	switch t {
	case TagRed:
		return l.Red
	case TagYellow:
		return l.Yellow
	}
	return l.Green
}

const limitsKey = "meta/limits"

// Limits returns the township's time limits per colour.
func (s *Store) Limits() (Limits, error) {
	l := DefaultLimits
	err := s.db.View(func(txn *badger.Txn) error {
		_, err := getJSON(txn, limitsKey, &l)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	return l, err
}

// SetLimits changes the time limits per colour; township users only.
func (s *Store) SetLimits(a Actor, l Limits) error {
	if a.Role != RoleTownship {
		return fmt.Errorf("%w: only township users set time limits", ErrScope)
	}
	for _, d := range []int{l.Red, l.Yellow, l.Green} {
		if d < 1 || d > 365 {
			return fmt.Errorf("a time limit is 1 to 365 days")
		}
	}
	return s.update(a, func(tx *Tx) error {
		old := DefaultLimits
		before, err := tx.get(limitsKey, &old)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return tx.put("limits.set", limitsKey, before, l, Change{Kind: "settings"})
	})
}

// Next returns the tier above t, or "" at the top.
func (t Tier) Next() Tier {
	for i, x := range Tiers {
		if x == t && i+1 < len(Tiers) {
			return Tiers[i+1]
		}
	}
	return ""
}

// Prev returns the tier below t, or "" at the bottom.
func (t Tier) Prev() Tier {
	for i, x := range Tiers {
		if x == t && i > 0 {
			return Tiers[i-1]
		}
	}
	return ""
}

// rank orders tiers from 0 (on site) to 3 (township).
func (t Tier) rank() int {
	for i, x := range Tiers {
		if x == t {
			return i
		}
	}
	return -1
}

// ProblemThreshold is how many hand-offs (tier moves or owner changes) make a concern a
// problem case (问题工单) for supervision.
const ProblemThreshold = 3

// HandOffs counts the concern's moves between tiers and changes of owner. The first owner
// given is a plan, not a hand-off; undoing a move does not count either.
func (c Concern) HandOffs() int {
	n := 0
	for _, m := range c.Moves {
		switch {
		case m.Action == "tier" || m.Action == "escalate" || m.Action == "return":
			n++
		case (m.Action == "owner" || m.Action == "plan") && m.From != "" && m.From != m.To:
			n++
		}
	}
	return n
}

// ProblemCase reports whether the concern changed hands ProblemThreshold times or more.
func (c Concern) ProblemCase() bool { return c.HandOffs() >= ProblemThreshold }

// Clock returns how many whole days the concern has been open and how many since its last
// hand-off, on the given day.
func (c Concern) Clock(now time.Time) (sinceCreated, sinceHanded int) {
	days := func(t time.Time) int {
		if t.IsZero() {
			return 0
		}
		return int(now.Sub(t).Hours() / 24)
	}
	handed := c.HandedAt
	if handed.IsZero() {
		handed = c.CreatedAt
	}
	return days(c.CreatedAt), days(handed)
}

// OpKind names a triage action.
type OpKind string

// Triage actions.
const (
	OpTag      OpKind = "tag"
	OpOwner    OpKind = "owner"
	OpDeadline OpKind = "deadline"
	OpSolution OpKind = "solution"
	OpEscalate OpKind = "escalate"
	OpReturn   OpKind = "return"
	OpResolve  OpKind = "resolve"
	// OpRestore puts back a tier, status, owner or deadline as they were before an action
	// (undo); it is audited like any other change and not counted as a hand-off.
	OpRestore OpKind = "restore"
)

// Op is one triage action on a concern.
type Op struct {
	Kind   OpKind
	Tag    Tag
	Text   string // owner name, deadline (YYYY-MM-DD), solution, or what was done
	Reason string // why, for escalate and return
	// Restore is the state to put back, for OpRestore.
	Restore *Snapshot
}

// Snapshot is the part of a concern triage changes, kept so an action can be undone.
type Snapshot struct {
	Tier       Tier
	Tag        Tag
	Status     Status
	Plan       Plan
	Resolution string
	ResolvedBy string
	ResolvedAt time.Time
	HandedAt   time.Time
	Refusals   int
}

// Snap returns the triage state of the concern.
func (c Concern) Snap() Snapshot {
	return Snapshot{Tier: c.Tier, Tag: c.Tag, Status: c.Status, Plan: c.Plan, Resolution: c.Resolution,
		ResolvedBy: c.ResolvedBy, ResolvedAt: c.ResolvedAt, HandedAt: c.HandedAt, Refusals: c.Refusals}
}

// StaleError says the concern changed since the person looked at it: the edit was not made.
// Moves lists what others did in between, so the person can decide and re-apply.
type StaleError struct {
	Concern Concern
	Moves   []Move
}

func (e *StaleError) Error() string {
	var parts []string
	for _, m := range e.Moves {
		parts = append(parts, m.By+" "+m.Action)
	}
	return fmt.Sprintf("%s changed since you saw it (%s)", e.Concern.ID, strings.Join(parts, ", "))
}

// ErrRule is returned when an action breaks a rule of the ledger; its text says which.
var ErrRule = errors.New("not allowed")

// maxTier is the highest tier an actor may act at: grid users at the grid tier, village users
// up to the village tier, township users everywhere.
func (a Actor) maxTier() Tier {
	switch a.Role {
	case RoleTownship:
		return TierTownship
	case RoleVillage:
		return TierVillage
	case RoleGrid:
		return TierGrid
	}
	return ""
}

// CanTriage returns nil when the actor may act on the concern as it stands.
func (a Actor) CanTriage(c Concern) error {
	if err := a.CanChange(c.Village, c.Grid); err != nil {
		return err
	}
	if c.Tier.rank() > a.maxTier().rank() {
		return fmt.Errorf("%w: the concern is at the %s tier, above yours", ErrScope, c.Tier)
	}
	return nil
}

// Triage applies one action to a concern. rev is the concern's Rev the person saw; if it
// changed since, nothing is written and a *StaleError says what happened (rev < 0 skips the
// check). The concern is read and written in one transaction with its history entry and
// audit event.
func (s *Store) Triage(a Actor, id string, rev int, op Op) (Concern, error) {
	limits, err := s.Limits()
	if err != nil {
		return Concern{}, err
	}
	var out Concern
	err = s.update(a, func(tx *Tx) error {
		key := concernKey(ConcernVillage(id), id)
		var c Concern
		before, err := tx.get(key, &c)
		if err != nil {
			return err
		}
		if !a.CanSee(c.Village, c.Grid) {
			return ErrNotFound
		}
		if err := a.CanTriage(c); err != nil {
			return err
		}
		if rev >= 0 && c.Rev != rev {
			var since []Move
			if n := c.Rev - rev; n > 0 && n <= len(c.Moves) {
				since = append(since, c.Moves[len(c.Moves)-n:]...)
			}
			return &StaleError{Concern: c, Moves: since}
		}
		mv, err := apply(&c, op, a, tx.at, limits)
		if err != nil {
			return err
		}
		out = c
		if mv == nil {
			return nil
		}
		c.Moves = append(c.Moves, *mv)
		c.Rev++
		out = c
		return tx.put("concern."+string(op.Kind), key, before, c, Change{Kind: "concern", Village: c.Village, ID: c.ID})
	})
	return out, err
}

// SetTag changes a concern's red/yellow/green tag without checking what the person saw.
func (s *Store) SetTag(a Actor, id string, tag Tag) (Concern, error) {
	return s.Triage(a, id, -1, Op{Kind: OpTag, Tag: tag})
}

// apply changes c by op and returns the history entry, or nil when nothing changes.
func apply(c *Concern, op Op, a Actor, at time.Time, limits Limits) (*Move, error) {
	mv := &Move{At: at, By: a.Name, Action: string(op.Kind), Reason: clean.Text(op.Reason)}
	// reDeadline moves a deadline nobody set by hand to the colour's limit from the last
	// hand-off.
	reDeadline := func() {
		if c.Plan.DeadlineSet {
			return
		}
		from := c.HandedAt
		if from.IsZero() {
			from = c.CreatedAt
		}
		c.Plan.Deadline = from.AddDate(0, 0, limits.Days(c.Tag)).Format(time.DateOnly)
	}
	open := c.Status.Open()
	switch op.Kind {
	case OpTag:
		if op.Tag != TagRed && op.Tag != TagYellow && op.Tag != TagGreen {
			return nil, fmt.Errorf("unknown tag %q", op.Tag)
		}
		if c.Tag == op.Tag {
			return nil, nil
		}
		mv.From, mv.To = string(c.Tag), string(op.Tag)
		c.Tag = op.Tag
		if open {
			reDeadline()
		}
	case OpOwner:
		owner := clean.Line(op.Text)
		if owner == "" {
			return nil, fmt.Errorf("%w: an owner needs a name", ErrRule)
		}
		if !open {
			return nil, fmt.Errorf("%w: %s is already %s", ErrRule, c.ID, c.Status)
		}
		if c.Plan.Owner == owner {
			return nil, nil
		}
		mv.From, mv.To = c.Plan.Owner, owner
		if c.Plan.Owner != "" {
			c.HandedAt = at
			reDeadline()
		}
		c.Plan.Owner = owner
		planned(c)
	case OpDeadline:
		d, err := time.Parse(time.DateOnly, op.Text)
		if err != nil {
			return nil, fmt.Errorf("%w: a deadline is a date such as 2026-12-05", ErrRule)
		}
		if !open {
			return nil, fmt.Errorf("%w: %s is already %s", ErrRule, c.ID, c.Status)
		}
		ds := d.Format(time.DateOnly)
		if c.Plan.Deadline == ds && c.Plan.DeadlineSet {
			return nil, nil
		}
		mv.From, mv.To = c.Plan.Deadline, ds
		c.Plan.Deadline, c.Plan.DeadlineSet = ds, true
		planned(c)
	case OpSolution:
		sol := clean.Text(op.Text)
		if sol == "" {
			return nil, fmt.Errorf("%w: a plan needs its solution written out", ErrRule)
		}
		if !open {
			return nil, fmt.Errorf("%w: %s is already %s", ErrRule, c.ID, c.Status)
		}
		if c.Plan.Solution == sol {
			return nil, nil
		}
		mv.To = sol
		c.Plan.Solution = sol
		planned(c)
	case OpEscalate, OpReturn:
		if !open {
			return nil, fmt.Errorf("%w: %s is already %s", ErrRule, c.ID, c.Status)
		}
		if strings.TrimSpace(mv.Reason) == "" {
			return nil, fmt.Errorf("%w: say why", ErrRule)
		}
		to := c.Tier.Next()
		if op.Kind == OpReturn {
			to = c.Tier.Prev()
			c.Refusals++
		}
		if to == "" {
			return nil, fmt.Errorf("%w: %s is already at the %s tier", ErrRule, c.ID, c.Tier)
		}
		mv.From, mv.To = string(c.Tier), string(to)
		c.Tier = to
		c.HandedAt = at
		reDeadline()
	case OpResolve:
		what := clean.Text(op.Text)
		if what == "" {
			return nil, fmt.Errorf("%w: say what was done", ErrRule)
		}
		if !open {
			return nil, fmt.Errorf("%w: %s is already %s", ErrRule, c.ID, c.Status)
		}
		mv.From, mv.To = string(c.Status), string(StatusResolved)
		mv.Reason = what
		c.Status, c.Resolution, c.ResolvedBy, c.ResolvedAt = StatusResolved, what, a.Name, at
	case OpRestore:
		r := op.Restore
		if r == nil {
			return nil, fmt.Errorf("nothing to restore")
		}
		mv.Action = "undo"
		mv.Reason = clean.Text(op.Reason)
		c.Tier, c.Tag, c.Status, c.Plan = r.Tier, r.Tag, r.Status, r.Plan
		c.Resolution, c.ResolvedBy, c.ResolvedAt = r.Resolution, r.ResolvedBy, r.ResolvedAt
		c.HandedAt, c.Refusals = r.HandedAt, r.Refusals
	default:
		return nil, fmt.Errorf("unknown action %q", op.Kind)
	}
	return mv, nil
}

// planned moves a new concern to planned once its plan has a solution, an owner and a
// deadline.
func planned(c *Concern) {
	if (c.Status == StatusNew || c.Status == StatusReopened) && c.Plan.Solution != "" && c.Plan.Owner != "" && c.Plan.Deadline != "" {
		c.Status = StatusPlanned
	}
}
