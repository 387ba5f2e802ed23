package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sanbai/clean"
	"sanbai/dates"
)

// Limits are the default time limits per colour, in days (红黄绿挂牌): a new concern's
// deadline, unless a person sets one, is its creation plus its colour's limit; a more urgent
// colour later brings it forward to the limit from the tier clock's start (never later).
type Limits struct {
	Red    int `json:"red"`
	Yellow int `json:"yellow"`
	Green  int `json:"green"`
}

// DefaultLimits returns the limits a township starts with: red 3 days, yellow 7, green 15.
func DefaultLimits() Limits { return Limits{Red: 3, Yellow: 7, Green: 15} }

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
func (s *Store) Limits(ctx context.Context) (Limits, error) {
	l := DefaultLimits()
	err := s.db.View(ctx, func(txn KVTxn) error {
		_, err := getJSON(txn, limitsKey, &l)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	return l, err
}

// SetLimits changes the time limits per colour; township users only.
func (s *Store) SetLimits(ctx context.Context, a Actor, l Limits) error {
	if a.Role != RoleTownship {
		return outOfScope("limits.township")
	}
	for _, d := range []int{l.Red, l.Yellow, l.Green} {
		if d < 1 || d > 365 {
			return refuse("limits.range")
		}
	}
	return s.update(ctx, a, func(tx *Tx) error {
		old := DefaultLimits()
		before, err := tx.get(limitsKey, &old)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return tx.put("limits.set", limitsKey, before, l, Change{Kind: "settings"})
	})
}

// Next returns the tier above t, or "" at the top.
func (t Tier) Next() Tier {
	for i, x := range Tiers() {
		if x == t && i+1 < len(Tiers()) {
			return Tiers()[i+1]
		}
	}
	return ""
}

// Prev returns the tier below t, or "" at the bottom.
func (t Tier) Prev() Tier {
	for i, x := range Tiers() {
		if x == t && i > 0 {
			return Tiers()[i-1]
		}
	}
	return ""
}

// rank orders tiers from 0 (on site) to 3 (township).
func (t Tier) rank() int {
	for i, x := range Tiers() {
		if x == t {
			return i
		}
	}
	return -1
}

// ProblemThreshold is how many bounces make a concern a problem case (问题工单) for
// supervision.
const ProblemThreshold = 3

// Bounces counts the times the concern bounced, as 12345 hotline systems count it: returned
// to a lower tier (退回), reopened after an unsatisfied revisit, or given another owner at the
// same tier once an owner had been given there (推诿). Forward escalation (现场 → 网格 → 新村
// → 镇) is the plan's normal path and never counts; the first owner given at a tier is the
// plan, not a bounce; a change undone does not count.
func (c Concern) Bounces() int {
	if c.lean != nil {
		return c.lean.Bounces
	}
	return bounces(c.Moves)
}

// bounces is Bounces of a history.
func bounces(moves []Move) int {
	// The changes undone, by Rev: few or none, so a slice (the ledger view counts every
	// concern's bounces when it loads a county).
	var undone []int
	for _, m := range moves {
		if m.Action == "undo" && m.Undoes > 0 {
			undone = append(undone, m.Undoes)
		}
	}
	n := 0
	owned := false // an owner has been given at the tier the concern is at
	for _, m := range moves {
		if m.Rev > 0 && len(undone) > 0 && slices.Contains(undone, m.Rev) {
			continue
		}
		switch m.Action {
		case "return":
			n++
			owned = false
		case "tier": // a generated history's tier move: a bounce only when it goes down
			if Tier(m.To).rank() < Tier(m.From).rank() {
				n++
			}
			owned = false
		case "escalate":
			owned = false
		case "reopen":
			n++
		case "owner", "plan":
			if m.To == "" {
				continue
			}
			if owned && m.From != "" && m.From != m.To {
				n++
			}
			owned = true
		}
	}
	return n
}

// ProblemCase reports whether the concern bounced ProblemThreshold times or more.
func (c Concern) ProblemCase() bool { return c.Bounces() >= ProblemThreshold }

// Clock returns how many whole days the concern has been open and how many it has been at
// its tier (the tier clock restarts only when it moves to another tier), on the given day.
func (c Concern) Clock(now time.Time) (sinceCreated, atTier int) {
	days := func(t time.Time) int {
		if t.IsZero() {
			return 0
		}
		return int(now.Sub(t).Hours() / 24)
	}
	return days(c.CreatedAt), days(c.tierStart())
}

// tierStart is when the tier clock started: the last tier move, or the concern's creation.
func (c Concern) tierStart() time.Time {
	if c.HandedAt.IsZero() {
		return c.CreatedAt
	}
	return c.HandedAt
}

// MovesSince returns the moves made after the concern's Rev was rev, oldest first: what a
// change just did (a tag and the deadline it brought forward), or what others did since a
// person looked.
func (c Concern) MovesSince(rev int) []Move {
	if rev < 0 || rev >= c.Rev {
		return nil
	}
	var out []Move
	stamped := false
	for _, m := range c.Moves {
		if m.Rev > 0 {
			stamped = true
		}
		if m.Rev > rev {
			out = append(out, m)
		}
	}
	if !stamped {
		// A history written before moves carried their Rev: one move per change.
		if n := c.Rev - rev; n <= len(c.Moves) {
			out = append(out, c.Moves[len(c.Moves)-n:]...)
		}
	}
	return out
}

// Changes counts the changes a run of moves holds: moves of one change share its Rev.
func Changes(moves []Move) int {
	n, last := 0, -1
	for _, m := range moves {
		if m.Rev == 0 || m.Rev != last {
			n++
		}
		last = m.Rev
	}
	return n
}

// DeadlineMoves returns the deadline changes among the moves made after Rev rev: what the
// status line says at the moment a change moves a deadline (by hand, by extension, or by
// itself with the colour).
func (c Concern) DeadlineMoves(rev int) []Move {
	var out []Move
	for _, m := range c.MovesSince(rev) {
		if IsDeadlineMove(m) {
			out = append(out, m)
		}
	}
	return out
}

// IsDeadlineMove reports whether a move changed the deadline: set by hand (deadline),
// extended (extend) or set by the ledger itself (due).
func IsDeadlineMove(m Move) bool {
	return m.Action == "deadline" || m.Action == "extend" || m.Action == "due"
}

// Extends reports whether setting the deadline to d (YYYY-MM-DD) would be an extension (延期):
// a later day than the deadline in force. An extension needs its reason, so the interface
// asks for one before it calls Triage.
func (c Concern) Extends(d string) bool { return c.Plan.Deadline != "" && d > c.Plan.Deadline }

// OpKind names a triage action.
type OpKind string

// Triage actions.
const (
	OpTag   OpKind = "tag"
	OpOwner OpKind = "owner"
	// OpDeadline sets the deadline. A later day than the one in force is an extension (延期):
	// it needs Op.Reason and is counted; a supervised concern is extended only by township
	// users.
	OpDeadline OpKind = "deadline"
	OpSolution OpKind = "solution"
	OpEscalate OpKind = "escalate"
	OpReturn   OpKind = "return"
	OpResolve  OpKind = "resolve"
	// OpRestore puts back a concern's triage state as it was before one of the person's own
	// changes (undo, several levels deep): it is refused only when someone else changed the
	// concern since (a *StaleError naming who and what), and the change it takes back no
	// longer counts as a bounce.
	OpRestore OpKind = "restore"
)

// Op is one triage action on a concern.
type Op struct {
	Kind OpKind
	Tag  Tag
	// Text is the owner (a person's ID from Owners, or a name), the deadline (YYYY-MM-DD),
	// the solution, or what was done.
	Text string
	// Reason is why: needed to escalate, return or extend a deadline.
	Reason string
	// Restore is the state to put back, for OpRestore.
	Restore *Snapshot

	owner  *Owner // the person Text names, found by Triage
	undoes int    // for OpRestore, the Rev of the change taken back
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
	Extensions int
}

// Snap returns the triage state of the concern.
func (c Concern) Snap() Snapshot {
	return Snapshot{Tier: c.Tier, Tag: c.Tag, Status: c.Status, Plan: c.Plan, Resolution: c.Resolution,
		ResolvedBy: c.ResolvedBy, ResolvedAt: c.ResolvedAt, HandedAt: c.HandedAt, Extensions: c.Extensions}
}

// StaleError says the concern changed since the person looked at it: the edit was not made.
// Moves lists what others did in between (who, what), so the person can decide and re-apply;
// for an undo (Undo), only what someone else did, since the person's own later changes never
// stop their undo.
type StaleError struct {
	Concern Concern
	Moves   []Move
	Undo    bool
}

func (e *StaleError) Error() string {
	var parts []string
	for _, m := range e.Moves {
		parts = append(parts, m.By+" "+m.Action)
	}
	if e.Undo {
		return fmt.Sprintf("%s was changed by others since (%s): not undone", e.Concern.ID, strings.Join(parts, ", "))
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
		return outOfScope("tier.above", string(c.Tier))
	}
	return nil
}

// Triage applies one action to a concern. rev is the concern's Rev the person saw; if it
// changed since, nothing is written and a *StaleError says what happened (rev < 0 skips the
// check) — except that an undo (OpRestore) goes through over the person's own later changes.
// The concern is read and written in one transaction with its history entries and audit
// event. The concern returned carries what the action did as its MovesSince(rev): a deadline
// it moved is among them (DeadlineMoves), for the status line to say.
func (s *Store) Triage(ctx context.Context, a Actor, id string, rev int, op Op) (Concern, error) {
	limits, err := s.Limits(ctx)
	if err != nil {
		return Concern{}, err
	}
	var out Concern
	err = s.update(ctx, a, func(tx *Tx) error {
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
			since := c.MovesSince(rev)
			if op.Kind != OpRestore {
				return &StaleError{Concern: c, Moves: since}
			}
			others := slices.DeleteFunc(since, func(m Move) bool { return m.By == a.Name })
			if len(others) > 0 {
				return &StaleError{Concern: c, Moves: others, Undo: true}
			}
		}
		if op.Kind == OpOwner {
			who, err := resolveOwner(tx, c, op.Text)
			if err != nil {
				return err
			}
			op.owner = &who
		}
		if op.Kind == OpRestore && rev > 0 {
			op.undoes = rev
		}
		mvs, err := apply(&c, op, a, tx.at, limits)
		if err != nil {
			return err
		}
		out = c
		if len(mvs) == 0 {
			return nil
		}
		c.record(mvs...)
		out = c
		return tx.put("concern."+string(op.Kind), key, before, c, Change{Kind: "concern", Village: c.Village, ID: c.ID})
	})
	return out, err
}

// record appends the moves of one change and counts the change: each move carries the Rev the
// concern has after it.
func (c *Concern) record(moves ...Move) {
	c.Rev++
	for i := range moves {
		moves[i].Rev = c.Rev
	}
	c.Moves = append(c.Moves, moves...)
}

// SetTag changes a concern's red/yellow/green tag without checking what the person saw.
func (s *Store) SetTag(ctx context.Context, a Actor, id string, tag Tag) (Concern, error) {
	return s.Triage(ctx, a, id, -1, Op{Kind: OpTag, Tag: tag})
}

// urgency orders tags: 0 red (most urgent) to 2 green.
func urgency(t Tag) int { return slices.Index(Tags(), t) }

// apply changes c by op and returns its history entries, none when nothing changes.
//
// Deadlines change only in the open: a deadline set by a person, a plan or supervision never
// moves by itself; an automatic one only moves earlier, when the colour gets more urgent
// (and never into the past); a later deadline is an extension with its reason. Owner changes
// and returns leave the deadline alone; only a tier move restarts the tier clock.
func apply(c *Concern, op Op, a Actor, at time.Time, limits Limits) ([]Move, error) {
	mv := Move{At: at, By: a.Name, Action: string(op.Kind), Reason: clean.Text(op.Reason)}
	open := c.Status.Open()
	done := func() error { return refuse("concern.done", c.ID, string(c.Status)) }
	today := at.Format(time.DateOnly)
	switch op.Kind {
	case OpTag:
		if urgency(op.Tag) < 0 {
			return nil, refuse("tag.unknown", string(op.Tag))
		}
		if c.Tag == op.Tag {
			return nil, nil
		}
		mv.From, mv.To, mv.Reason = string(c.Tag), string(op.Tag), ""
		moves := []Move{mv}
		sharper := urgency(op.Tag) < urgency(c.Tag)
		c.Tag = op.Tag
		if open && sharper && !c.Plan.DeadlineSet {
			due := c.tierStart().AddDate(0, 0, limits.Days(op.Tag)).Format(time.DateOnly)
			due = max(due, today) // earlier, but never into the past
			if c.Plan.Deadline == "" || due < c.Plan.Deadline {
				moves = append(moves, Move{At: at, By: a.Name, Action: "due", From: c.Plan.Deadline, To: due, Reason: string(op.Tag)})
				c.Plan.Deadline = due
			}
		}
		return moves, nil
	case OpOwner:
		who := op.owner
		if who == nil {
			return nil, refuse("owner.empty")
		}
		if !open {
			return nil, done()
		}
		if c.Plan.Owner == who.Name && c.Plan.OwnerID == who.ID && c.Plan.OwnerNote == who.Note {
			return nil, nil
		}
		mv.From, mv.To = c.Plan.OwnerLabel(), ""
		c.Plan.Owner, c.Plan.OwnerID, c.Plan.OwnerNote = who.Name, who.ID, who.Note
		mv.To = c.Plan.OwnerLabel()
		planned(c)
	case OpDeadline:
		ds := op.Text
		if err := dates.CheckDeadline(ds, at); err != nil {
			return nil, err
		}
		if !open {
			return nil, done()
		}
		if c.Plan.Deadline == ds {
			return nil, nil
		}
		mv.From, mv.To = c.Plan.Deadline, ds
		if c.Extends(ds) {
			if strings.TrimSpace(mv.Reason) == "" {
				return nil, refuse("extend.reason", c.ID, c.Plan.Deadline, ds)
			}
			if c.Supervisor != "" && a.Role != RoleTownship {
				return nil, outOfScope("extend.township", c.ID)
			}
			mv.Action = "extend"
			c.Extensions++
		}
		c.Plan.Deadline, c.Plan.DeadlineSet = ds, true
		planned(c)
	case OpSolution:
		sol := clean.Text(op.Text)
		if sol == "" {
			return nil, refuse("solution.empty")
		}
		if !open {
			return nil, done()
		}
		if c.Plan.Solution == sol {
			return nil, nil
		}
		mv.To = sol
		c.Plan.Solution = sol
		planned(c)
	case OpEscalate, OpReturn:
		if !open {
			return nil, done()
		}
		if strings.TrimSpace(mv.Reason) == "" {
			return nil, refuse("reason.empty")
		}
		to := c.Tier.Next()
		if op.Kind == OpReturn {
			to = c.Tier.Prev()
		}
		switch {
		case to == "" && op.Kind == OpEscalate:
			return nil, refuse("tier.top", c.ID, string(c.Tier))
		case to == "":
			return nil, refuse("tier.bottom", c.ID, string(c.Tier))
		}
		mv.From, mv.To = string(c.Tier), string(to)
		c.Tier = to
		c.HandedAt = at // the tier clock restarts; the deadline stays as it is
	case OpResolve:
		what := clean.Text(op.Text)
		if what == "" {
			return nil, refuse("resolve.empty")
		}
		if !open {
			return nil, done()
		}
		mv.From, mv.To = string(c.Status), string(StatusResolved)
		mv.Reason = what
		c.Status, c.Resolution, c.ResolvedBy, c.ResolvedAt = StatusResolved, what, a.Name, at
	case OpRestore:
		r := op.Restore
		if r == nil {
			return nil, refuse("restore.none")
		}
		mv.Action, mv.Undoes = "undo", op.undoes
		moves := []Move{mv}
		if r.Plan.Deadline != c.Plan.Deadline {
			moves = append(moves, Move{At: at, By: a.Name, Action: "deadline", From: c.Plan.Deadline, To: r.Plan.Deadline, Reason: mv.Reason})
		}
		c.Tier, c.Tag, c.Status, c.Plan = r.Tier, r.Tag, r.Status, r.Plan
		c.Resolution, c.ResolvedBy, c.ResolvedAt = r.Resolution, r.ResolvedBy, r.ResolvedAt
		c.HandedAt, c.Extensions = r.HandedAt, r.Extensions
		return moves, nil
	default:
		return nil, refuse("op.unknown", string(op.Kind))
	}
	return []Move{mv}, nil
}

// planned moves a new concern to planned once its plan has a solution, an owner and a
// deadline.
func planned(c *Concern) {
	if (c.Status == StatusNew || c.Status == StatusReopened) && c.Plan.Solution != "" && c.Plan.Owner != "" && c.Plan.Deadline != "" {
		c.Status = StatusPlanned
	}
}
