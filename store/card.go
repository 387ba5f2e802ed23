package store

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"sanbai/search"
)

// The household card (户情卡): finding a household by what a person remembers of it, and
// everything known about it on one page. Both are reads like any other: only households in
// the actor's scope, and phones and ID numbers masked (reveal one with Reveal, audited).

// HouseholdHit is a household a search found, as the actor may see it (phones and ID numbers
// masked), and the resident whose name, phone or ID matched ("" when the address or the
// household number did).
type HouseholdHit struct {
	Household Household
	Matched   string
}

// tailLen is how much of a phone or an ID number a search matches: its end, the part a
// masked number shows (138****5678) — a search never tells more than the screen does.
const tailLen = 4

// tail is the last tailLen characters of s.
func tail(s string) string {
	if n := utf8.RuneCountInString(s); n > tailLen {
		r := []rune(s)
		return string(r[n-tailLen:])
	}
	return s
}

// householdKey is what a household is found by: its address and number, and each current
// resident's name (with pinyin and initials), phone tail and ID tail.
func householdSearchKey(k *search.Keyer, h Household) string {
	parts := []string{h.Address, h.ID}
	for _, r := range h.Residents {
		parts = append(parts, r.Name, tail(r.Phone), tail(r.IDNumber))
	}
	return k.Key(parts...)
}

// hhKeys are the search keys of a village's current households, built from one cached
// slice of its rows.
type hhKeys struct {
	rows []Household // the cached slice they were built from
	cur  []Household // its households on the current roster
	keys []string    // cur's search keys
}

// villageSearch returns a village's current households and their search keys. The keys are
// kept beside the household cache and built again whenever its rows are read again (a write
// to the village's households drops both), so a person typing a query does not pay for the
// pinyin of every name on every key.
func (s *Store) villageSearch(village string) ([]Household, []string, error) {
	rows, err := s.villageHouseholds(village)
	if err != nil {
		return nil, nil, err
	}
	c := s.hh
	c.mu.Lock()
	k, ok := c.keys[village]
	c.mu.Unlock()
	if ok && sameRows(k.rows, rows) {
		return k.cur, k.keys, nil
	}
	cur := CurrentHouseholds(rows)
	keyer := search.NewKeyer()
	keys := make([]string, len(cur))
	for i, h := range cur {
		keys[i] = householdSearchKey(keyer, h)
	}
	c.mu.Lock()
	// Kept only while these rows are still the cached ones: a write meanwhile dropped them.
	if now, ok := c.rows[village]; ok && sameRows(now, rows) {
		c.keys[village] = hhKeys{rows: rows, cur: cur, keys: keys}
	}
	c.mu.Unlock()
	return cur, keys, nil
}

// sameRows reports whether a and b are the same cached slice (not merely equal rows).
func sameRows(a, b []Household) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0]
}

// actorVillages lists the codes of the villages whose rows the actor reads.
func (s *Store) actorVillages(a Actor) ([]string, error) {
	if a.Role == RoleVillage || a.Role == RoleGrid {
		return []string{a.Village}, nil
	}
	vs, err := s.Villages(a)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Code
	}
	return out, nil
}

// FindHouseholds finds the households on the current roster, in the actor's scope, that match
// every word of query — a resident's name, its pinyin or initials, the address, the household
// number, or the last four digits of a phone or an ID number — and returns at most limit of
// them (exact matches of a name, number or tail first), masked, with how many matched in all.
func (s *Store) FindHouseholds(a Actor, query string, limit int) ([]HouseholdHit, int, error) {
	words := search.Words(query)
	if len(words) == 0 {
		return nil, 0, nil
	}
	villages, err := s.actorVillages(a)
	if err != nil {
		return nil, 0, err
	}
	type found struct {
		h     Household
		exact bool
	}
	var all []found
	keyer := search.NewKeyer()
	for _, v := range villages {
		rows, keys, err := s.villageSearch(v)
		if err != nil {
			return nil, 0, err
		}
		for i, h := range rows {
			if a.Role == RoleGrid && h.Grid != a.Grid {
				continue
			}
			if !a.CanSee(h.Village, h.Grid) || !search.Match(keys[i], words) {
				continue
			}
			all = append(all, found{h: h, exact: exactHit(keyer, h, words)})
		}
	}
	slices.SortStableFunc(all, func(x, y found) int {
		if x.exact != y.exact {
			if x.exact {
				return -1
			}
			return 1
		}
		return 0
	})
	total := len(all)
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	out := make([]HouseholdHit, len(all))
	for i, f := range all {
		out[i] = HouseholdHit{Household: maskHousehold(f.h), Matched: matchedResident(keyer, f.h, words)}
	}
	return out, total, nil
}

// exactHit reports whether a word is a resident's whole name (or its whole pinyin, or all its
// initials: wjg is 王建国's), the household number, or a whole phone or ID tail: those hits
// come first.
func exactHit(k *search.Keyer, h Household, words []string) bool {
	for _, w := range words {
		if strings.EqualFold(w, h.ID) {
			return true
		}
		for _, r := range h.Residents {
			if (r.Phone != "" && w == tail(r.Phone)) || (r.IDNumber != "" && w == strings.ToLower(tail(r.IDNumber))) {
				return true
			}
			// The key of one name is the name, its pinyin and its initials, NUL apart.
			if slices.Contains(strings.Split(k.Key(r.Name), "\x00"), w) {
				return true
			}
		}
	}
	return false
}

// matchedResident is the resident a hit is about: the first whose own name, phone or ID
// matches every word, else the first matching any word; "" when only the address or number
// matched.
func matchedResident(k *search.Keyer, h Household, words []string) string {
	first := ""
	for _, r := range h.Residents {
		key := k.Key(r.Name, tail(r.Phone), tail(r.IDNumber))
		if search.Match(key, words) {
			return r.ID
		}
		if first == "" && slices.ContainsFunc(words, func(w string) bool { return search.Match(key, []string{w}) }) {
			first = r.ID
		}
	}
	return first
}

// maskHousehold is a copy of h with every phone and ID number masked. The rows are shared
// with the household cache: the residents are copied, never changed in place.
func maskHousehold(h Household) Household {
	rs := slices.Clone(h.Residents)
	for i := range rs {
		rs[i].Phone = MaskPhone(rs[i].Phone)
		rs[i].IDNumber = MaskID(rs[i].IDNumber)
		rs[i].Special = slices.Clone(rs[i].Special)
	}
	h.Residents = rs
	h.Special = slices.Clone(h.Special)
	return h
}

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
func (s *Store) HouseholdCard(a Actor, village, id string) (Card, error) {
	h, err := s.Household(a, village, id)
	if err != nil {
		return Card{}, err
	}
	v := h.Village
	c := Card{Household: maskHousehold(h), Names: map[string]string{}}
	if vs, err := scan(s.db, villageKey(v), func(x *Village) bool { return x.Code == v }); err != nil {
		return Card{}, err
	} else if len(vs) > 0 {
		c.Village = vs[0]
	}
	grids, err := scan(s.db, "grid/"+v+"/", func(g *Grid) bool { return g.Code == h.Grid })
	if err != nil {
		return Card{}, err
	}
	if len(grids) > 0 {
		c.Grid = grids[0]
	}
	mine := func(household string) bool { return household == h.ID }
	if c.Visits, err = scan(s.db, visitKey(v, ""), func(x *Visit) bool { return mine(x.Household) }); err != nil {
		return Card{}, err
	}
	slices.SortStableFunc(c.Visits, func(x, y Visit) int {
		return cmp.Or(cmp.Compare(y.Date, x.Date), y.At.Compare(x.At))
	})
	if c.Concerns, err = scan(s.db, concernKey(v, ""), func(x *Concern) bool { return mine(x.Household) }); err != nil {
		return Card{}, err
	}
	if c.Revisits, err = scan(s.db, revisitKey(v, ""), func(x *Revisit) bool { return mine(x.Household) }); err != nil {
		return Card{}, err
	}
	slices.SortStableFunc(c.Revisits, func(x, y Revisit) int {
		return cmp.Or(cmp.Compare(y.Date, x.Date), y.At.Compare(x.At))
	})
	people := map[string]bool{}
	for _, r := range h.Residents {
		people[r.ID] = true
	}
	if c.Reaches, err = scan(s.db, reachKey(v, ""), func(x *Reach) bool { return people[x.Resident] }); err != nil {
		return Card{}, err
	}
	groups, err := scan[Group](s.db, groupKey(v, ""), nil)
	if err != nil {
		return Card{}, err
	}
	routes, err := scan(s.db, routeKey(v, ""), func(r *Route) bool { return slices.Contains(r.Households, h.ID) })
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
	members, err := scan[Member](s.db, memberKey(v, ""), nil)
	if err != nil {
		return Card{}, err
	}
	for _, m := range members {
		c.Names[m.ID] = m.Name
	}
	cadres, err := scan[Cadre](s.db, cadreKey(v, ""), nil)
	if err != nil {
		return Card{}, err
	}
	for _, x := range cadres {
		c.Names[x.ID] = x.Name
	}
	return c, nil
}
