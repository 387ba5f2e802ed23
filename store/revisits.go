package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sanbai/clean"
	"sanbai/dates"
)

// Answers to "was it solved?" on the revisit form.
const (
	SolvedYes    = "solved"
	SolvedPartly = "partly"
	SolvedNo     = "not"
)

// Satisfactions lists the five levels of the revisit form, best first.
func Satisfactions() []string { return []string{SatVeryGood, SatGood, SatFair, SatPoor, SatVeryPoor} }

// SupervisionDays is how long a township leader gives a supervised concern by default.
const SupervisionDays = 7

// RevisitGroupOf returns the group that revisits a concern: the one it was reassigned to, or
// the one that found it.
func (c Concern) RevisitGroupOf() string {
	if c.RevisitGroup != "" {
		return c.RevisitGroup
	}
	return c.Group
}

// RevisitDraft is a revisit form (入户回访表) being filled in for one household: one answer per
// concern due. It is kept as it is typed, like the visit form.
type RevisitDraft struct {
	Village   string          `json:"village"`
	Household string          `json:"household"`
	Date      string          `json:"date"`
	Met       []string        `json:"met,omitempty"`
	Answers   []RevisitAnswer `json:"answers"`
	Focus     int             `json:"focus"`
	SavedAt   time.Time       `json:"saved_at,omitzero"`
	// DraftID is the form's draft, removed by SaveRevisits with the answers saved.
	DraftID string `json:"-"`
}

// RevisitAnswer is the answer about one concern.
type RevisitAnswer struct {
	Concern      string `json:"concern"`
	Solved       string `json:"solved"`
	Satisfaction string `json:"satisfaction"`
	Comment      string `json:"comment,omitempty"`
}

// SaveRevisits records the answers of one household's revisit in one transaction. A concern
// solved with at least 基本满意 is closed; any other answer reopens it, puts it on the notice
// list and under the supervision of the township leader in charge of the village, with a
// new deadline.
func (s *Store) SaveRevisits(ctx context.Context, a Actor, d RevisitDraft) ([]Revisit, error) {
	today := s.Today()
	if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
		return nil, &FormError{"date", "date.format", "date is written like 2026-11-26"}
	}
	if d.Date > today {
		return nil, &FormError{"date", "date.future", "date in the future"}
	}
	if len(d.Answers) == 0 {
		return nil, &FormError{"answers", "revisit.none", "no concern to answer"}
	}
	for i, an := range d.Answers {
		if !slices.Contains([]string{SolvedYes, SolvedPartly, SolvedNo}, an.Solved) {
			return nil, &FormError{fmt.Sprintf("answer.%d.solved", i), "revisit.solved", "say whether it was solved"}
		}
		if !slices.Contains(Satisfactions(), an.Satisfaction) {
			return nil, &FormError{fmt.Sprintf("answer.%d.satisfaction", i), "revisit.satisfaction", "choose how satisfied"}
		}
	}
	var out []Revisit
	err := s.update(ctx, a, func(tx *Tx) error {
		out = nil // a retried transaction starts again
		var v Village
		if _, err := tx.get(villageKey(d.Village), &v); err != nil {
			return refuse("village.unknown", d.Village)
		}
		for _, an := range d.Answers {
			key := concernKey(d.Village, an.Concern)
			var c Concern
			before, err := tx.get(key, &c)
			if err != nil {
				return fmt.Errorf("%s: %w", an.Concern, err)
			}
			if !a.CanSee(c.Village, c.Grid) {
				return ErrNotFound
			}
			if err := a.CanChange(c.Village, c.Grid); err != nil {
				return err
			}
			if c.Household != d.Household {
				return refuse("revisit.household", c.ID)
			}
			if c.Status != StatusResolved {
				return refuse("revisit.notwaiting", c.ID, string(c.Status))
			}
			n, err := tx.nextSeq("revisit/" + d.Village)
			if err != nil {
				return err
			}
			r := Revisit{ID: fmt.Sprintf("%s-R%03d", d.Village, n), Village: d.Village, Concern: c.ID, Household: c.Household,
				Group: c.RevisitGroupOf(), Date: d.Date, Met: d.Met, Solved: an.Solved, Satisfaction: an.Satisfaction,
				Comment: clean.Text(an.Comment), By: a.Name, At: tx.at}
			if err := tx.put("revisit.create", revisitKey(d.Village, r.ID), nil, r, Change{Kind: "revisit", Village: d.Village, ID: r.ID}); err != nil {
				return err
			}
			moves := []Move{{At: tx.at, By: a.Name, Action: "revisit", To: r.ID, Reason: an.Satisfaction + "：" + r.Comment}}
			if r.Satisfied() {
				moves = append(moves, Move{At: tx.at, By: a.Name, Action: "close", From: string(c.Status), To: string(StatusClosed)})
				c.Status = StatusClosed
			} else {
				// Reopened (a bounce), noticed and supervised, with a supervision deadline:
				// a new commitment, in the history like every deadline change. The tier and
				// its clock stay as they are.
				moves = append(moves, Move{At: tx.at, By: a.Name, Action: "reopen", From: string(c.Status), To: string(StatusReopened), Reason: r.Comment})
				c.Status, c.NoticeAt = StatusReopened, tx.at
				c.Resolution, c.ResolvedBy, c.ResolvedAt = "", "", time.Time{}
				if v.Leader != "" {
					c.Supervisor = v.Leader
					moves = append(moves, Move{At: tx.at, By: a.Name, Action: "supervise", To: v.Leader})
				}
				due := tx.at.AddDate(0, 0, SupervisionDays).Format(time.DateOnly)
				if due != c.Plan.Deadline {
					moves = append(moves, Move{At: tx.at, By: a.Name, Action: "due", From: c.Plan.Deadline, To: due, Reason: "supervise"})
				}
				c.Plan.Deadline, c.Plan.DeadlineSet = due, true
			}
			c.record(moves...)
			if err := tx.put("concern.revisit", key, before, c, Change{Kind: "concern", Village: c.Village, ID: c.ID}); err != nil {
				return err
			}
			out = append(out, r)
		}
		return dropDraft(tx, DraftRevisit, d.DraftID)
	})
	return out, err
}

// AssignRevisit gives a concern's revisit to another group of its village.
func (s *Store) AssignRevisit(ctx context.Context, a Actor, id, group string) (Concern, error) {
	var out Concern
	err := s.update(ctx, a, func(tx *Tx) error {
		key := concernKey(ConcernVillage(id), id)
		var c Concern
		before, err := tx.get(key, &c)
		if err != nil {
			return err
		}
		if !a.CanSee(c.Village, c.Grid) {
			return ErrNotFound
		}
		if err := a.CanChange(c.Village, c.Grid); err != nil {
			return err
		}
		var g Group
		if _, err := tx.get(groupKey(c.Village, group), &g); err != nil {
			return refuse("revisit.group", group, c.Village)
		}
		if c.RevisitGroupOf() == group {
			out = c
			return nil
		}
		c.record(Move{At: tx.at, By: a.Name, Action: "revisitgroup", From: c.RevisitGroupOf(), To: group})
		c.RevisitGroup = group
		out = c
		return tx.put("concern.revisitgroup", key, before, c, Change{Kind: "concern", Village: c.Village, ID: c.ID})
	})
	return out, err
}

// revisitDueKey keeps a village's revisit deadline.
func revisitDueKey(village string) string { return "revisitdue/" + village }

// RevisitDeadlines returns the revisit deadline per village code (YYYY-MM-DD).
func (s *Store) RevisitDeadlines(ctx context.Context, a Actor) (map[string]string, error) {
	out := map[string]string{}
	err := s.db.View(ctx, func(txn KVTxn) error {
		it := txn.NewIterator(IteratorOptions{Prefix: []byte("revisitdue/"), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v := strings.TrimPrefix(string(it.Item().Key()), "revisitdue/")
			if !a.CanSee(v, "") {
				continue
			}
			var d string
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &d) }); err != nil {
				return err
			}
			out[v] = d
		}
		return nil
	})
	return out, err
}

// SetRevisitDeadline sets a village's revisit deadline; township users only.
func (s *Store) SetRevisitDeadline(ctx context.Context, a Actor, village, date string) error {
	if a.Role != RoleTownship {
		return outOfScope("revisitdue.township")
	}
	if err := dates.CheckDeadline(date, s.now()); err != nil {
		return err
	}
	return s.update(ctx, a, func(tx *Tx) error {
		var v Village
		if _, err := tx.get(villageKey(village), &v); err != nil {
			return refuse("village.unknown", village)
		}
		var old string
		before, err := tx.get(revisitDueKey(village), &old)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		return tx.put("revisit.deadline", revisitDueKey(village), before, date, Change{Kind: "settings", Village: village})
	})
}

// SetVillageLeader names the township leader in charge of a village (包新村镇领导), who takes
// its failed revisits under supervision; township users only.
func (s *Store) SetVillageLeader(ctx context.Context, a Actor, village, leader string) error {
	if a.Role != RoleTownship {
		return outOfScope("leader.township")
	}
	leader = clean.Line(leader)
	if leader == "" {
		return refuse("leader.empty")
	}
	return s.update(ctx, a, func(tx *Tx) error {
		var v Village
		before, err := tx.get(villageKey(village), &v)
		if err != nil {
			return refuse("village.unknown", village)
		}
		// Once the township's officials are in the store, the leader is one of them.
		os, err := scanStored[Official](tx.txn, "official/")
		if err != nil {
			return err
		}
		if len(os) > 0 && !slices.ContainsFunc(os, func(o stored[Official]) bool { return o.v.Name == leader || o.v.ID == leader }) {
			return refuse("leader.unknown", leader)
		}
		for _, o := range os {
			if o.v.ID == leader {
				leader = o.v.Name
			}
		}
		v.Leader = leader
		return tx.put("village.leader", villageKey(village), before, v, Change{Kind: "village", Village: village})
	})
}

// Rates are the four campaign rates of one unit (grid, village or township), with the counts
// behind them so a reader can check them.
type Rates struct {
	Concerns, Responded int // 响应率 = Responded / Concerns
	Due, OnTime         int // 按时办结率 = OnTime / Due
	Resolved, Revisited int // 回访率 = Revisited / Resolved
	Satisfied           int // 满意率 = Satisfied / Revisited
}

// Add sums two units' counts.
func (r Rates) Add(o Rates) Rates {
	return Rates{r.Concerns + o.Concerns, r.Responded + o.Responded, r.Due + o.Due, r.OnTime + o.OnTime,
		r.Resolved + o.Resolved, r.Revisited + o.Revisited, r.Satisfied + o.Satisfied}
}

// RateOf computes one concern's contribution to the rates, from its history (which mirrors the
// audit trail move for move) and its revisits, as of now:
//   - responded: solved on site, or given a plan (solution or owner) within its colour's time
//     limit from creation;
//   - due: its deadline has passed, or it was resolved; on time: resolved by the deadline (on
//     site counts as on time);
//   - resolved: resolved at least once; revisited: has a revisit;
//   - satisfied: its latest revisit says 非常满意, 满意 or 基本满意.
func RateOf(c Concern, revisits []Revisit, limits Limits, now time.Time) Rates {
	r := Rates{Concerns: 1}
	h := c.History()
	if limit := c.CreatedAt.AddDate(0, 0, limits.Days(c.Tag)); !h.Planned.IsZero() && !h.Planned.After(limit) {
		r.Responded = 1
	}
	resolvedAt := h.Resolved
	// Solved at the door is an answer, whether the history has its resolve move or is older
	// than those and has only ResolvedAt (the definition; before, only the move counted).
	if c.Tier == TierOnSite && !resolvedAt.IsZero() {
		r.Responded = 1
	}
	if !resolvedAt.IsZero() {
		r.Resolved = 1
	}
	deadline := c.Plan.Deadline
	// The deadline that counts is the one in force when it was first resolved; a later
	// supervision deadline does not make an early resolution late.
	today := now.Format(time.DateOnly)
	switch {
	case !resolvedAt.IsZero():
		r.Due = 1
		if c.Tier == TierOnSite || deadline == "" || resolvedAt.Format(time.DateOnly) <= deadlineAt(c, h, limits) {
			r.OnTime = 1
		}
	case deadline != "" && deadline < today:
		r.Due = 1
	}
	var latest *Revisit
	for i := range revisits {
		if revisits[i].Concern == c.ID && (latest == nil || revisits[i].At.After(latest.At)) {
			latest = &revisits[i]
		}
	}
	if latest != nil {
		r.Revisited = 1
		if latest.Satisfaction == SatVeryGood || latest.Satisfaction == SatGood || latest.Satisfaction == SatFair {
			r.Satisfied = 1
		}
		r.Resolved = 1
	}
	return r
}

// deadlineAt returns the deadline a concern had when it was first resolved (h.Resolved): the
// last deadline change before then in its history (set, extended, or by the ledger itself);
// else, for a concern reopened since (whose current deadline is the supervision one), its
// colour's limit from creation; else its current deadline.
func deadlineAt(c Concern, h History, limits Limits) string {
	switch {
	case h.DeadlineThen != "":
		return h.DeadlineThen
	case !c.NoticeAt.IsZero() && !c.NoticeAt.Before(h.Resolved):
		return c.CreatedAt.AddDate(0, 0, limits.Days(c.Tag)).Format(time.DateOnly)
	}
	return c.Plan.Deadline
}
