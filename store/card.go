package store

import (
	"cmp"
	"context"
	"slices"
)

// The household card (户情卡): everything known about one household on one page. A read like
// any other: only a household in the actor's scope, and phones and ID numbers masked (reveal
// one with Reveal, audited). Finding the household is query.Finder's.

// Card is everything known about one household (户情卡), as the actor may see it.
type Card struct {
	// Household is the household with every resident, those who moved out included (their
	// MovedOut says when), phones and ID numbers masked.
	Household Household
	Village   Village
	Grid      Grid
	// Visits are the household's visits, newest first.
	Visits []Visit
	// Concerns are the concerns it raised, by ID.
	Concerns []Concern
	// Revisits are the answers of its revisits, newest first.
	Revisits []Revisit
	// Reaches are its residents reached another way than a visit (a phone call).
	Reaches []Reach
	// Groups are the visit groups responsible for it: those whose route holds it, else those
	// visiting its grid.
	Groups []Group
	// Names gives the people the card refers to by ID: party members (visitors, group
	// leaders) and cadres (guiding officers).
	Names map[string]string
}

// HouseholdCard reads one household's card; ErrNotFound when it does not exist or is out of
// the actor's scope.
func (s *Store) HouseholdCard(ctx context.Context, a Actor, village, id string) (Card, error) {
	h, err := s.Household(ctx, a, village, id)
	if err != nil {
		return Card{}, err
	}
	v := h.Village
	c := Card{Household: h, Names: map[string]string{}} // masked by Household
	if vs, err := scan(ctx, s.db, villageKey(v), func(x *Village) bool { return x.Code == v }); err != nil {
		return Card{}, err
	} else if len(vs) > 0 {
		c.Village = vs[0]
	}
	grids, err := scan(ctx, s.db, "grid/"+v+"/", func(g *Grid) bool { return g.Code == h.Grid })
	if err != nil {
		return Card{}, err
	}
	if len(grids) > 0 {
		c.Grid = grids[0]
	}
	mine := func(household string) bool { return household == h.ID }
	if c.Visits, err = scan(ctx, s.db, visitKey(v, ""), func(x *Visit) bool { return mine(x.Household) }); err != nil {
		return Card{}, err
	}
	slices.SortStableFunc(c.Visits, func(x, y Visit) int {
		return cmp.Or(cmp.Compare(y.Date, x.Date), y.At.Compare(x.At))
	})
	if c.Concerns, err = scan(ctx, s.db, concernKey(v, ""), func(x *Concern) bool { return mine(x.Household) }); err != nil {
		return Card{}, err
	}
	if c.Revisits, err = scan(ctx, s.db, revisitKey(v, ""), func(x *Revisit) bool { return mine(x.Household) }); err != nil {
		return Card{}, err
	}
	slices.SortStableFunc(c.Revisits, func(x, y Revisit) int {
		return cmp.Or(cmp.Compare(y.Date, x.Date), y.At.Compare(x.At))
	})
	people := map[string]bool{}
	for _, r := range h.Residents {
		people[r.ID] = true
	}
	if c.Reaches, err = scan(ctx, s.db, reachKey(v, ""), func(x *Reach) bool { return people[x.Resident] }); err != nil {
		return Card{}, err
	}
	groups, err := scan[Group](ctx, s.db, groupKey(v, ""), nil)
	if err != nil {
		return Card{}, err
	}
	routes, err := scan(ctx, s.db, routeKey(v, ""), func(r *Route) bool { return slices.Contains(r.Households, h.ID) })
	if err != nil {
		return Card{}, err
	}
	for _, g := range groups {
		if slices.ContainsFunc(routes, func(r Route) bool { return r.Group == g.ID }) {
			c.Groups = append(c.Groups, g)
		}
	}
	if len(c.Groups) == 0 {
		for _, g := range groups {
			if slices.Contains(g.Grids, h.Grid) {
				c.Groups = append(c.Groups, g)
			}
		}
	}
	members, err := scan[Member](ctx, s.db, memberKey(v, ""), nil)
	if err != nil {
		return Card{}, err
	}
	for _, m := range members {
		c.Names[m.ID] = m.Name
	}
	cadres, err := scan[Cadre](ctx, s.db, cadreKey(v, ""), nil)
	if err != nil {
		return Card{}, err
	}
	for _, x := range cadres {
		c.Names[x.ID] = x.Name
	}
	return c, nil
}
