package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Keys. Every row that belongs to a village is keyed kind/village/…, so scope filtering by
// village is a prefix scan, and a village user's reads never touch another village's rows.
func villageKey(code string) string         { return "village/" + code }
func gridKey(village, code string) string   { return "grid/" + village + "/" + code }
func householdKey(h Household) string       { return "household/" + h.Village + "/" + h.Grid + "/" + h.ID }
func memberKey(village, id string) string   { return "member/" + village + "/" + id }
func cadreKey(village, id string) string    { return "cadre/" + village + "/" + id }
func teamKey(village string) string         { return "team/" + village }
func groupKey(village, id string) string    { return "group/" + village + "/" + id }
func routeKey(village, group string) string { return "route/" + village + "/" + group }
func visitKey(village, id string) string    { return "visit/" + village + "/" + id }
func concernKey(village, id string) string  { return "concern/" + village + "/" + id }
func revisitKey(village, id string) string  { return "revisit/" + village + "/" + id }
func userKey(name string) string            { return "user/" + name }
func userKeyIndex(fp string) string         { return "userkey/" + fp }

const townshipKey = "meta/township"

// ConcernVillage returns the village code of a concern ID such as DL-0042.
func ConcernVillage(id string) string {
	v, _, _ := strings.Cut(id, "-")
	return v
}

// ConcernID formats a concern's ID from its village and number: DL-0042.
func ConcernID(village string, n uint64) string { return fmt.Sprintf("%s-%04d", village, n) }

// Township returns the township record.
func (s *Store) Township(ctx context.Context) (Township, error) {
	var t Township
	err := s.db.View(ctx, func(txn KVTxn) error {
		_, err := getJSON(txn, townshipKey, &t)
		return err
	})
	return t, err
}

// Empty reports whether the store holds no township yet.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	_, err := s.Township(ctx)
	if errors.Is(err, ErrNotFound) {
		return true, nil
	}
	return false, err
}

// Villages returns the villages the actor may see, by code.
func (s *Store) Villages(ctx context.Context, a Actor) ([]Village, error) {
	if a.Role == RoleVillage || a.Role == RoleGrid {
		// One key, not the county's 230 decoded to keep one: a township's checklist and
		// overview are made of a part per village, each of which asks.
		var v Village
		err := s.db.View(ctx, func(txn KVTxn) error {
			_, err := getJSON(txn, villageKey(a.Village), &v)
			return err
		})
		switch {
		case errors.Is(err, ErrNotFound) || (err == nil && !a.CanSee(v.Code, "")):
			return nil, nil
		case err != nil:
			return nil, err
		}
		return []Village{v}, nil
	}
	return scan(ctx, s.db, "village/", func(v *Village) bool { return a.CanSee(v.Code, "") })
}

// Grids returns the grids of the actor's villages (all of them for grid users too: the grid
// list is village-level information).
func (s *Store) Grids(ctx context.Context, a Actor) ([]Grid, error) {
	return scan[Grid](ctx, s.db, a.villagePrefix("grid"), nil)
}

// Households returns the households the actor may see, ordered by village, grid and ID, with
// ID numbers and phones masked. The rows come from the household cache and are shared with
// other readers: the slice is the caller's, but a household's Residents and Special must not
// be changed in place.
func (s *Store) Households(ctx context.Context, a Actor) ([]Household, error) {
	var out []Household
	err := s.eachVillageHouseholds(ctx, a, func(hhs []Household) {
		if a.Role != RoleGrid {
			out = append(out, hhs...)
			return
		}
		for _, h := range hhs {
			if h.Grid == a.Grid {
				out = append(out, h)
			}
		}
	})
	return out, err
}

// HouseholdRefs is Households without the copy: pointers into the rows the household cache
// shares among every reader (hhcache.go), which no one may change. A township's pane 1 read
// all 100,000 of a county's households by value, tens of milliseconds of copying on the way
// to the first screen after a start.
func (s *Store) HouseholdRefs(ctx context.Context, a Actor) ([]*Household, error) {
	var out []*Household
	err := s.eachVillageHouseholds(ctx, a, func(hhs []Household) {
		for i := range hhs {
			if a.Role != RoleGrid || hhs[i].Grid == a.Grid {
				out = append(out, &hhs[i])
			}
		}
	})
	return out, err
}

// eachVillageHouseholds calls fn with the cached households of each village in the actor's
// scope, in village order (the caller keeps to a grid user's grid).
func (s *Store) eachVillageHouseholds(ctx context.Context, a Actor, fn func(hhs []Household)) error {
	villages := []string{a.Village}
	if a.Role != RoleVillage && a.Role != RoleGrid { // as villagePrefix scopes
		vs, err := s.Villages(ctx, a) // by code: village/<code> keys scan in order
		if err != nil {
			return err
		}
		villages = villages[:0]
		for _, v := range vs {
			villages = append(villages, v.Code)
		}
	}
	if err := s.readHouseholds(ctx, villages); err != nil {
		return err
	}
	for _, v := range villages {
		hhs, err := s.villageHouseholds(ctx, v)
		if err != nil {
			return err
		}
		fn(hhs)
	}
	return nil
}

// Members returns the party members the actor may see, phones masked: every member of their
// villages, and for a grid user the members living in their grid and those of the groups that
// visit it (the people they work with).
func (s *Store) Members(ctx context.Context, a Actor) ([]Member, error) {
	ms, err := scan[Member](ctx, s.db, a.villagePrefix("member"), nil)
	if err != nil {
		return nil, err
	}
	if a.Role == RoleGrid {
		gs, err := s.Groups(ctx, a)
		if err != nil {
			return nil, err
		}
		visiting := map[string]bool{}
		for _, g := range gs {
			for _, id := range append([]string{g.Leader, g.Deputy}, g.Members...) {
				visiting[id] = true
			}
		}
		ms = slices.DeleteFunc(ms, func(m Member) bool { return m.Grid != a.Grid && !visiting[m.ID] })
	}
	maskMembers(ms)
	return ms, nil
}

// Cadres returns the cadres the actor may see: those of their villages; a grid user sees the
// village's own cadres and their grid's secretary, not the other grids'.
func (s *Store) Cadres(ctx context.Context, a Actor) ([]Cadre, error) {
	return scan(ctx, s.db, a.villagePrefix("cadre"), func(c *Cadre) bool { return a.CanSee(c.Village, c.Grid) })
}

// Teams returns the visit teams of the actor's villages.
func (s *Store) Teams(ctx context.Context, a Actor) ([]Team, error) {
	return scan(ctx, s.db, "team/", func(t *Team) bool { return a.CanSee(t.Village, "") })
}

// Groups returns the visit groups the actor may see: those of their villages; a grid user
// sees the groups that visit their grid.
func (s *Store) Groups(ctx context.Context, a Actor) ([]Group, error) {
	return scan(ctx, s.db, a.villagePrefix("group"), func(g *Group) bool { return a.seesGroup(*g) })
}

// seesGroup reports whether the actor may see a visit group.
func (a Actor) seesGroup(g Group) bool {
	if !a.CanSee(g.Village, "") {
		return false
	}
	return a.Role != RoleGrid || slices.Contains(g.Grids, a.Grid)
}

// Routes returns the routes of the groups the actor may see (Groups).
func (s *Store) Routes(ctx context.Context, a Actor) ([]Route, error) {
	rs, err := scan[Route](ctx, s.db, a.villagePrefix("route"), nil)
	if err != nil || a.Role != RoleGrid {
		return rs, err
	}
	gs, err := s.Groups(ctx, a)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, g := range gs {
		seen[g.ID] = true
	}
	return slices.DeleteFunc(rs, func(r Route) bool { return !seen[r.Group] }), nil
}

// Visits returns the visits the actor may see.
func (s *Store) Visits(ctx context.Context, a Actor) ([]Visit, error) {
	return scan(ctx, s.db, a.villagePrefix("visit"), func(v *Visit) bool { return a.CanSee(v.Village, v.Grid) })
}

// Concerns returns the concerns the actor may see, by ID.
func (s *Store) Concerns(ctx context.Context, a Actor) ([]Concern, error) {
	return scan(ctx, s.db, a.villagePrefix("concern"), func(c *Concern) bool { return a.CanSee(c.Village, c.Grid) })
}

// ConcernChunks hands the concerns the actor may see to each, a chunk at a time as they are
// decoded, on every core: seq numbers the chunks in the store's order (by village, then ID),
// and each is called from several goroutines at once, in no order. The ledger view packs each
// chunk as it comes, so a county's 200,000 decoded concerns are never all held at once.
func (s *Store) ConcernChunks(ctx context.Context, a Actor, each func(seq int, cs []Concern)) error {
	return scanChunks(ctx, s.db, a.villagePrefix("concern"), func(c *Concern) bool { return a.CanSee(c.Village, c.Grid) }, each, nil)
}

// Concern returns one concern, or ErrNotFound if it does not exist or is out of scope.
func (s *Store) Concern(ctx context.Context, a Actor, id string) (Concern, error) {
	var c Concern
	err := s.db.View(ctx, func(txn KVTxn) error {
		_, err := getJSON(txn, concernKey(ConcernVillage(id), id), &c)
		return err
	})
	if err == nil && !a.CanSee(c.Village, c.Grid) {
		return Concern{}, ErrNotFound
	}
	return c, err
}

// Revisits returns the revisit answers the actor may see; grid users see those about their
// grid's concerns.
func (s *Store) Revisits(ctx context.Context, a Actor) ([]Revisit, error) {
	rs, err := scan[Revisit](ctx, s.db, a.villagePrefix("revisit"), nil)
	if err != nil || a.Role != RoleGrid {
		return rs, err
	}
	cs, err := s.Concerns(ctx, a)
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	for _, c := range cs {
		mine[c.ID] = true
	}
	out := rs[:0]
	for _, r := range rs {
		if mine[r.Concern] {
			out = append(out, r)
		}
	}
	return out, nil
}

// Dataset is a whole township's data, for seeding an empty store (the demo township, or a
// first import).
type Dataset struct {
	Township   Township
	Villages   []Village
	Grids      []Grid
	Households []Household
	Members    []Member
	Cadres     []Cadre
	// Officials are the township's leaders and staff.
	Officials []Official
	Teams     []Team
	Groups    []Group
	Routes    []Route
	Visits    []Visit
	Concerns  []Concern
	Revisits  []Revisit
	// Projects are the lead projects the concerns' Project fields name.
	Projects []Project
}

// ErrNotEmpty is returned by Seed when the store already holds a township.
var ErrNotEmpty = errors.New("the store already holds a township")

// Seed writes a whole dataset into an empty store in batches, then records one audit event
// with the counts. Text fields are cleaned on the way in (in d itself). Seed is meant for a
// store no session is using yet: the emptiness check and the batches are not one transaction.
func (s *Store) Seed(ctx context.Context, a Actor, d Dataset) error {
	b, err := s.NewBulkLoader(ctx, a)
	if err != nil {
		return err
	}
	defer b.Cancel()
	if err := b.Add(ctx, d); err != nil {
		return err
	}
	return b.Finish(ctx, d.Township)
}

// Household returns one household of a village, ID numbers and phones masked, or ErrNotFound
// if it does not exist or is out of the actor's scope. It reads the ID index, then the row:
// two point reads.
func (s *Store) Household(ctx context.Context, a Actor, village, id string) (Household, error) {
	h, err := s.household(ctx, village, id)
	if err == nil && !a.CanSee(h.Village, h.Grid) {
		return Household{}, ErrNotFound
	}
	return maskHousehold(h), err
}

// household reads one household as stored, unmasked and unscoped: for the store's own checks.
func (s *Store) household(ctx context.Context, village, id string) (Household, error) {
	var h Household
	err := s.db.View(ctx, func(txn KVTxn) error {
		if !s.indexed {
			return scanForHousehold(txn, village, id, &h)
		}
		key, err := householdKeyOf(txn, village, id)
		if err != nil {
			return err
		}
		_, err = getJSON(txn, key, &h)
		return err
	})
	return h, err
}

// scanForHousehold finds a household by scanning its village: only for a store written before
// the ID index and opened read-only, which cannot build the index.
func scanForHousehold(txn KVTxn, village, id string, h *Household) error {
	it := txn.NewIterator(IteratorOptions{Prefix: []byte("household/" + village + "/")})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		k := string(it.Item().Key())
		if strings.HasSuffix(k, "/"+id) {
			_, err := getJSON(txn, k, h)
			return err
		}
	}
	return ErrNotFound
}

// trailingNumber returns the number an ID ends with ("DL-V0042" → 42), or 0.
func trailingNumber(id string) uint64 {
	i := len(id)
	for i > 0 && id[i-1] >= '0' && id[i-1] <= '9' {
		i--
	}
	n, _ := strconv.ParseUint(id[i:], 10, 64)
	return n
}
