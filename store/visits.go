package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sanbai/clean"
)

// Away reasons for residents not met at a visit.
func AwayReasons() []string {
	return []string{"外出务工", "在校就读", "外出就医", "其他"}
}

// VisitDraft is a registration form being typed in. It is saved as it is typed, so a dropped
// connection or a restart brings the person back to the same form, focus included.
type VisitDraft struct {
	Editing   string   `json:"editing,omitempty"` // the visit ID when editing a saved visit
	Village   string   `json:"village,omitempty"`
	Household string   `json:"household,omitempty"`
	Date      string   `json:"date"`
	Group     string   `json:"group,omitempty"`
	Members   []string `json:"members,omitempty"`
	// Officer is the guiding officer who took part (a cadre ID of the team's officers), or "".
	Officer  string            `json:"officer,omitempty"`
	Present  []string          `json:"present,omitempty"`
	Away     map[string]string `json:"away,omitempty"`
	Topics   []string          `json:"topics,omitempty"`
	Findings map[string]string `json:"findings,omitempty"`   // kind → text
	Category map[string]string `json:"categories,omitempty"` // kind → category
	Special  []string          `json:"special,omitempty"`    // the household's special groups, as confirmed
	Notes    string            `json:"notes,omitempty"`
	Concerns []DraftConcern    `json:"concerns,omitempty"`
	Focus    int               `json:"focus"`
	SavedAt  time.Time         `json:"saved_at,omitzero"`
	// DraftID is the form's draft (SaveDraft's ID), removed by SaveVisit in the same
	// transaction as the visit is written; "" when the form kept none.
	DraftID string `json:"-"`
}

// DraftConcern is a concern on the form: solved on site (with what was done) or passed on to
// the visited grid.
type DraftConcern struct {
	Description string `json:"description"`
	Category    string `json:"category"`
	Tag         Tag    `json:"tag"`
	OnSite      bool   `json:"on_site"`
	Done        string `json:"done,omitempty"`
}

// FormError is a problem with one field of the form, in words for the person typing.
type FormError struct {
	Field string // "household", "date", "concern.N.description", "concern.N.done", …
	Code  string // what is wrong, for the interface to say in the user's language
	Msg   string
}

func (e *FormError) Error() string { return e.Field + ": " + e.Msg }

// CampaignStart returns the first planned route day in the actor's villages: a visit cannot
// be dated before the campaign began. Empty when no route is planned.
func (s *Store) CampaignStart(ctx context.Context, a Actor) (string, error) {
	routes, err := s.Routes(ctx, a)
	if err != nil {
		return "", err
	}
	start := ""
	for _, r := range routes {
		for _, d := range r.Days {
			if start == "" || d.Date < start {
				start = d.Date
			}
		}
	}
	return start, nil
}

// SaveVisit validates the form and writes the visit and its concerns in one transaction: each
// concern solved on site is resolved at once, each passed on goes to the visited grid's tier
// with the colour's time limit. An edited visit keeps its previous version. The draft is
// removed in the same transaction.
func (s *Store) SaveVisit(ctx context.Context, a Actor, d VisitDraft) (Visit, []Concern, error) {
	limits, err := s.Limits(ctx)
	if err != nil {
		return Visit{}, nil, err
	}
	start, err := s.CampaignStart(ctx, a)
	if err != nil {
		return Visit{}, nil, err
	}
	today := s.Today()
	switch {
	case d.Household == "":
		return Visit{}, nil, &FormError{"household", "household.required", "household required"}
	case d.Date == "":
		return Visit{}, nil, &FormError{"date", "date.required", "date required"}
	}
	if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
		return Visit{}, nil, &FormError{"date", "date.format", "date is written like 2026-11-26"}
	}
	if d.Date > today {
		return Visit{}, nil, &FormError{"date", "date.future", "date in the future"}
	}
	if start != "" && d.Date < start {
		return Visit{}, nil, &FormError{"date", "date.before", "date before the campaign began (" + start + ")"}
	}
	for i, c := range d.Concerns {
		if strings.TrimSpace(c.Description) == "" {
			return Visit{}, nil, &FormError{fmt.Sprintf("concern.%d.description", i), "concern.description", "a concern needs a description"}
		}
		if c.OnSite && strings.TrimSpace(c.Done) == "" {
			return Visit{}, nil, &FormError{fmt.Sprintf("concern.%d.done", i), "concern.done", "solved on site: say what was done"}
		}
	}
	// A visit says whom it met: nobody marked at home or away is a form not filled in, not a
	// household where nobody was met (村不漏户、户不漏人).
	if len(d.Present) == 0 && len(d.Away) == 0 {
		return Visit{}, nil, &FormError{"present", "present.none", "mark who was at home and who was away"}
	}
	var visit Visit
	var concerns []Concern
	err = s.update(ctx, a, func(tx *Tx) error {
		concerns = nil // a retried transaction starts again
		hh, hkey, hbefore, err := findHousehold(tx, d.Village, d.Household)
		if err != nil {
			return &FormError{"household", "household.unknown", "no such household"}
		}
		if !a.CanSee(hh.Village, hh.Grid) {
			return &FormError{"household", "household.unknown", "no such household"}
		}
		if err := a.CanChange(hh.Village, hh.Grid); err != nil {
			return err
		}
		if d.Officer != "" {
			// Only one of the village team's guiding officers: read in the transaction, so a
			// team changed meanwhile is a conflict.
			var team Team
			if _, err := tx.get(teamKey(hh.Village), &team); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if !slices.Contains(team.Officers, d.Officer) {
				return &FormError{"officer", "officer.unknown", "not a guiding officer of the village's team"}
			}
		}
		residents := map[string]bool{}
		for _, r := range hh.Residents {
			residents[r.ID] = true
		}
		v := Visit{Village: hh.Village, Grid: hh.Grid, Household: hh.ID, Group: d.Group, Date: d.Date,
			Members: d.Members, Officer: d.Officer, Notes: clean.Text(d.Notes), By: a.Name, At: tx.at, Away: map[string]string{}}
		for _, id := range d.Present {
			if residents[id] {
				v.Present = append(v.Present, id)
			}
		}
		// Everyone not met is away, with the reason given or 其他.
		for _, r := range hh.Residents {
			if !slices.Contains(v.Present, r.ID) {
				reason := d.Away[r.ID]
				if !slices.Contains(AwayReasons(), reason) {
					reason = "其他"
				}
				v.Away[r.ID] = reason
			}
		}
		for _, t := range []string{TopicProfile, TopicCadres, TopicService, TopicVision} {
			if slices.Contains(d.Topics, t) {
				v.Topics = append(v.Topics, t)
			}
		}
		for _, kind := range []string{"suggestion", "need", "nightschool", "hardship", "hazard"} {
			if text := clean.Text(d.Findings[kind]); text != "" {
				v.Findings = append(v.Findings, Finding{Kind: kind, Category: clean.Line(d.Category[kind]), Text: text})
			}
		}
		var old Visit
		var oldBytes []byte
		if d.Editing != "" {
			if oldBytes, err = tx.get(visitKey(hh.Village, d.Editing), &old); err != nil {
				return fmt.Errorf("visit %s: %w", d.Editing, err)
			}
			v.ID, v.Concerns = old.ID, old.Concerns
			n, err := tx.nextSeq("visitver/" + old.ID)
			if err != nil {
				return err
			}
			// The previous version is kept under its own key, beside the audit event.
			if err := tx.put("visit.version", fmt.Sprintf("visitver/%s/%s/%03d", hh.Village, old.ID, n), nil, old, Change{Kind: "visit", Village: hh.Village, ID: old.ID}); err != nil {
				return err
			}
		} else {
			n, err := tx.nextSeq("visit/" + hh.Village)
			if err != nil {
				return err
			}
			v.ID = fmt.Sprintf("%s-V%04d", hh.Village, n)
		}
		for _, dc := range d.Concerns {
			n, err := tx.nextSeq("concern/" + hh.Village)
			if err != nil {
				return err
			}
			c := Concern{ID: ConcernID(hh.Village, n), Village: hh.Village, Grid: hh.Grid, Household: hh.ID,
				Residents: v.Present, Visit: v.ID, Group: d.Group, Category: clean.Line(dc.Category),
				Description: clean.Text(dc.Description), Tag: dc.Tag, Status: StatusNew, CreatedAt: tx.at, CreatedBy: a.Name}
			if c.Tag != TagRed && c.Tag != TagYellow && c.Tag != TagGreen {
				c.Tag = TagGreen
			}
			moves := []Move{{At: tx.at, By: a.Name, Action: "create", To: string(TierGrid)}}
			if dc.OnSite {
				c.Tier, c.Status = TierOnSite, StatusResolved
				c.Resolution, c.ResolvedBy, c.ResolvedAt = clean.Text(dc.Done), a.Name, tx.at
				moves[0].To = string(TierOnSite)
				moves = append(moves, Move{At: tx.at, By: a.Name, Action: "resolve", From: string(StatusNew), To: string(StatusResolved), Reason: c.Resolution})
			} else {
				// The automatic deadline: the colour's limit from today.
				c.Tier = TierGrid
				c.Plan.Deadline = tx.at.AddDate(0, 0, limits.Days(c.Tag)).Format(time.DateOnly)
			}
			c.record(moves...)
			if err := tx.put("concern.create", concernKey(c.Village, c.ID), nil, c, Change{Kind: "concern", Village: c.Village, ID: c.ID}); err != nil {
				return err
			}
			v.Concerns = append(v.Concerns, c.ID)
			concerns = append(concerns, c)
		}
		// The household's special groups, as confirmed at the door.
		special := slices.Clone(d.Special)
		cleanAll(special)
		slices.Sort(special)
		had := slices.Clone(hh.Special)
		slices.Sort(had)
		if d.Special != nil && !slices.Equal(special, had) {
			hh.Special = special
			if err := tx.put("household.special", hkey, hbefore, hh, Change{Kind: "household", Village: hh.Village, ID: hh.ID}); err != nil {
				return err
			}
		}
		action := "visit.create"
		if d.Editing != "" {
			action = "visit.edit"
		}
		if err := tx.put(action, visitKey(hh.Village, v.ID), oldBytes, v, Change{Kind: "visit", Village: hh.Village, ID: v.ID}); err != nil {
			return err
		}
		if err := dropDraft(tx, DraftVisit, d.DraftID); err != nil {
			return err
		}
		visit = v
		return nil
	})
	return visit, concerns, err
}

// findHousehold finds a household by ID in a village (or any village when village is ""),
// through the ID index. The index entry is read in the transaction, so a household an import
// moves meanwhile is a conflict and the transaction runs again.
func findHousehold(tx *Tx, village, id string) (Household, string, []byte, error) {
	k, err := findHouseholdKey(tx.txn, village, id)
	if err != nil {
		return Household{}, "", nil, err
	}
	var h Household
	b, err := tx.get(k, &h)
	return h, k, b, err
}

// VisitVersions returns the earlier versions of an edited visit, oldest first.
func (s *Store) VisitVersions(ctx context.Context, a Actor, village, id string) ([]Visit, error) {
	vs, err := scan[Visit](ctx, s.db, "visitver/"+village+"/"+id+"/", nil)
	if err != nil || len(vs) == 0 || a.CanSee(vs[0].Village, vs[0].Grid) {
		return vs, err
	}
	return nil, ErrNotFound
}

// IsFormError reports whether err is a problem with a field of the form.
func IsFormError(err error) (*FormError, bool) {
	var fe *FormError
	ok := errors.As(err, &fe)
	return fe, ok
}
