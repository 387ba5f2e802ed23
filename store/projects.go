package store

import (
	"context"
	"fmt"
	"time"

	"sanbai/clean"
)

// Project is a lead project (头雁工程): concerns many households share (共性问题), taken on as
// one piece of work led by the village party secretary in person.
type Project struct {
	ID         string    `json:"id"` // village code + P + number, e.g. DL-P01
	Village    string    `json:"village"`
	Title      string    `json:"title"`
	Owner      string    `json:"owner"` // the village party secretary's name
	Concerns   []string  `json:"concerns"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
	Resolved   bool      `json:"resolved,omitempty"`
	Resolution string    `json:"resolution,omitempty"`
}

func projectKey(village, id string) string { return "project/" + village + "/" + id }

// Projects returns the lead projects of the actor's villages.
func (s *Store) Projects(ctx context.Context, a Actor) ([]Project, error) {
	return scan[Project](ctx, s.db, a.villagePrefix("project"), nil)
}

// canLead reports whether the actor may run lead projects in a village: village users of
// it and township users.
func (a Actor) canLead(village string) error {
	if a.Role == RoleGrid {
		return outOfScope("project.who")
	}
	return a.CanChange(village, "")
}

// CreateProject links open concerns of one village into a new lead project owned by the
// village party secretary. Each concern records the link in its history.
func (s *Store) CreateProject(ctx context.Context, a Actor, title string, ids []string) (Project, error) {
	title = clean.Line(title)
	if title == "" {
		return Project{}, refuse("project.title")
	}
	if len(ids) < 2 {
		return Project{}, refuse("project.two")
	}
	village := ConcernVillage(ids[0])
	// One village: a lead project is led by its village's party secretary in person (the
	// plan's 头雁工程); a problem several villages share goes up to the township tier instead.
	for _, id := range ids[1:] {
		if v := ConcernVillage(id); v != village {
			return Project{}, refuse("project.villages", ids[0], village, id, v)
		}
	}
	if err := a.canLead(village); err != nil {
		return Project{}, err
	}
	var p Project
	err := s.update(ctx, a, func(tx *Tx) error {
		owner, err := villageSecretary(tx, village)
		if err != nil {
			return err
		}
		n, err := tx.nextSeq("project/" + village)
		if err != nil {
			return err
		}
		p = Project{ID: fmt.Sprintf("%s-P%02d", village, n), Village: village, Title: title, Owner: owner,
			CreatedAt: tx.at, CreatedBy: a.Name}
		for _, id := range ids {
			key := concernKey(village, id)
			var c Concern
			before, err := tx.get(key, &c)
			if err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			if !a.CanSee(c.Village, c.Grid) {
				return ErrNotFound
			}
			if !c.Status.Open() {
				return refuse("concern.done", id, string(c.Status))
			}
			if c.Project != "" {
				return refuse("project.linked", id, c.Project)
			}
			c.Project = p.ID
			c.record(Move{At: tx.at, By: a.Name, Action: "project", To: p.ID, Reason: title})
			if err := tx.put("concern.project", key, before, c, Change{Kind: "concern", Village: village, ID: id}); err != nil {
				return err
			}
			p.Concerns = append(p.Concerns, id)
		}
		return tx.put("project.create", projectKey(village, p.ID), nil, p, Change{Kind: "project", Village: village, ID: p.ID})
	})
	return p, err
}

// villageSecretary returns the name of the village party secretary (the team captain).
func villageSecretary(tx *Tx, village string) (string, error) {
	var t Team
	if _, err := tx.get(teamKey(village), &t); err != nil {
		return "", refuse("project.noteam", village)
	}
	var c Cadre
	if _, err := tx.get(cadreKey(village, t.Captain), &c); err != nil {
		return "", refuse("project.nosecretary", village)
	}
	return c.Name, nil
}

// ResolveProject resolves a lead project and, in the same transaction, every open concern in
// it, each with what was done; each then waits for its own revisit.
func (s *Store) ResolveProject(ctx context.Context, a Actor, id, what string) (Project, error) {
	what = clean.Text(what)
	if what == "" {
		return Project{}, refuse("resolve.empty")
	}
	village := ConcernVillage(id)
	if err := a.canLead(village); err != nil {
		return Project{}, err
	}
	var p Project
	err := s.update(ctx, a, func(tx *Tx) error {
		key := projectKey(village, id)
		before, err := tx.get(key, &p)
		if err != nil {
			return err
		}
		if p.Resolved {
			return refuse("project.done", id)
		}
		for _, cid := range p.Concerns {
			ck := concernKey(village, cid)
			var c Concern
			cb, err := tx.get(ck, &c)
			if err != nil {
				return fmt.Errorf("%s: %w", cid, err)
			}
			if !c.Status.Open() {
				continue
			}
			c.record(Move{At: tx.at, By: a.Name, Action: "resolve", From: string(c.Status),
				To: string(StatusResolved), Reason: p.Title + "：" + what})
			c.Status, c.Resolution, c.ResolvedBy, c.ResolvedAt = StatusResolved, what, a.Name, tx.at
			if err := tx.put("concern.resolve", ck, cb, c, Change{Kind: "concern", Village: village, ID: cid}); err != nil {
				return err
			}
		}
		p.Resolved, p.Resolution = true, what
		return tx.put("project.resolve", key, before, p, Change{Kind: "project", Village: village, ID: id})
	})
	return p, err
}
