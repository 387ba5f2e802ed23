package query

import (
	"context"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"sanbai/search"
	"sanbai/store"
)

// The household finder behind the household card (户情卡): a household found by what a person
// remembers of it — a resident's name, its pinyin or initials, the address, the household
// number, the last four digits of a phone or an ID number. It searches the rows the store
// hands out (scoped and masked: a search never tells more than the screen does), keeping each
// village's search keys until the change feed says the village's households changed.

// FinderSource is what the finder reads: the actor's villages, a village's households, and the
// change feed.
type FinderSource interface {
	store.Feed
	Villages(ctx context.Context, a store.Actor) ([]store.Village, error)
	Households(ctx context.Context, a store.Actor) ([]store.Household, error)
}

// HouseholdHit is a household a search found, as the actor may see it (phones and ID numbers
// masked), and the resident whose name, phone or ID matched ("" when the address or the
// household number did).
type HouseholdHit struct {
	Household store.Household
	Matched   string
}

// Finder finds households. A server makes one and hands it to every session, so each
// village's keys (the pinyin of every name) are built once, not per session or per key typed.
type Finder struct {
	src FinderSource

	mu   sync.Mutex
	gen  map[string]uint64 // village → generation, bumped when its households change
	all  uint64            // bumped by a change of everything (an import)
	keys map[string]villageKeys
}

// villageKeys are a village's households on the current roster and their search keys.
type villageKeys struct {
	rows []store.Household
	keys []string
}

// NewFinder makes the household finder of a store, following its change feed from now on.
func NewFinder(src FinderSource) *Finder {
	f := &Finder{src: src, gen: map[string]uint64{}, keys: map[string]villageKeys{}}
	src.Hub().Observe(f.note)
	return f
}

// note drops the keys of the villages whose households a committed write changed.
func (f *Finder) note(changes []store.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range changes {
		switch c.Kind {
		case "all":
			f.all++
			clear(f.keys)
		case "household":
			f.gen[c.Village]++
			delete(f.keys, c.Village)
		}
	}
}

// tailLen is how much of a phone or an ID number a search matches: its end, the part a
// masked number shows (138****5678).
const tailLen = 4

// tail is the last tailLen characters of s.
func tail(s string) string {
	if n := utf8.RuneCountInString(s); n > tailLen {
		r := []rune(s)
		return string(r[n-tailLen:])
	}
	return s
}

// householdSearchKey is what a household is found by: its address and number, and each
// current resident's name (with pinyin and initials), phone tail and ID tail.
func householdSearchKey(k *search.Keyer, h store.Household) string {
	parts := []string{h.Address, h.ID}
	for _, r := range h.Residents {
		parts = append(parts, r.Name, tail(r.Phone), tail(r.IDNumber))
	}
	return k.Key(parts...)
}

// village returns a village's current households and their search keys, built now unless
// kept. The rows are read as the village itself (the keys serve every user of it; each search
// keeps to its own actor's scope).
func (f *Finder) village(ctx context.Context, v string) ([]store.Household, []string, error) {
	f.mu.Lock()
	k, ok := f.keys[v]
	gen, all := f.gen[v], f.all
	f.mu.Unlock()
	if ok {
		return k.rows, k.keys, nil
	}
	rows, err := f.src.Households(ctx, store.Actor{Name: "finder", Role: store.RoleVillage, Village: v})
	if err != nil {
		return nil, nil, err
	}
	cur := store.CurrentHouseholds(rows)
	keyer := search.NewKeyer()
	keys := make([]string, len(cur))
	for i, h := range cur {
		keys[i] = householdSearchKey(keyer, h)
	}
	f.mu.Lock()
	// Kept only if no write changed the village meanwhile: a read that raced one is used once.
	if f.gen[v] == gen && f.all == all {
		f.keys[v] = villageKeys{rows: cur, keys: keys}
	}
	f.mu.Unlock()
	return cur, keys, nil
}

// Find finds the households on the current roster, in the actor's scope, that match every
// word of query, and returns at most limit of them (exact matches of a name, number or tail
// first), masked, with how many matched in all.
func (f *Finder) Find(ctx context.Context, a store.Actor, query string, limit int) ([]HouseholdHit, int, error) {
	words := search.Words(query)
	if len(words) == 0 {
		return nil, 0, nil
	}
	villages := []string{a.Village}
	if a.Role != store.RoleVillage && a.Role != store.RoleGrid {
		vs, err := f.src.Villages(ctx, a)
		if err != nil {
			return nil, 0, err
		}
		villages = villages[:0]
		for _, v := range vs {
			villages = append(villages, v.Code)
		}
	}
	type found struct {
		h     store.Household
		exact bool
	}
	var all []found
	keyer := search.NewKeyer()
	for _, v := range villages {
		rows, keys, err := f.village(ctx, v)
		if err != nil {
			return nil, 0, err
		}
		for i, h := range rows {
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
	for i, x := range all {
		out[i] = HouseholdHit{Household: x.h, Matched: matchedResident(keyer, x.h, words)}
	}
	return out, total, ctx.Err()
}

// exactHit reports whether a word is a resident's whole name (or its whole pinyin, or all its
// initials: wjg is 王建国's), the household number, or a whole phone or ID tail: those hits
// come first.
func exactHit(k *search.Keyer, h store.Household, words []string) bool {
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
func matchedResident(k *search.Keyer, h store.Household, words []string) string {
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
