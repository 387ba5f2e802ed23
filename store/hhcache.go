package store

import (
	"context"
	"runtime"
	"slices"
	"sync"

	"sanbai/parallel"
)

// The household cache. Every session's routes, visits and revisit panes read the households
// of their villages, and each used to decode its own copy from Badger: about 2.5 MiB per idle
// township session for the demo's 1,749 households, most of what a session held. The cache
// keeps each village's households decoded once per store and hands every reader the same
// rows, re-read only after a write to that village's households.
//
// The rows are shared: a reader gets its own slice of Household values, but their Residents
// and Special slices point at the cached arrays and must not be changed in place (clone
// before editing, as Household.Current does).
//
// Staleness: a commit that wrote a household key bumps its village's generation before the
// change is published (Store.update), and a "Kind: all" change (an import, a seed) bumps
// every village. A reader notes the generation before it reads and stores what it read only if
// the generation is still the same, so a read that raced a write is used once and never kept.
type hhCache struct {
	mu   sync.Mutex
	gen  map[string]uint64 // village → generation, bumped by writes to its households
	all  uint64            // bumped by changes of every kind ("all")
	rows map[string][]Household
}

func newHHCache() *hhCache {
	return &hhCache{gen: map[string]uint64{}, rows: map[string][]Household{}}
}

// invalidate forgets the villages' households. What stays in rows is therefore always
// current; the generations only stop a read that raced a write from being kept.
func (c *hhCache) invalidate(villages ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range villages {
		c.gen[v]++
		delete(c.rows, v)
	}
}

// note is the change feed's observer: a change of every kind forgets every village.
func (c *hhCache) note(changes []Change) {
	for _, ch := range changes {
		if ch.Kind == "all" {
			c.mu.Lock()
			c.all++
			clear(c.rows)
			c.mu.Unlock()
			return
		}
	}
}

// villageHouseholds returns a village's households in key order (grid, then ID), ID numbers
// and phones masked, from the cache or read now.
func (s *Store) villageHouseholds(ctx context.Context, village string) ([]Household, error) {
	c := s.hh
	c.mu.Lock()
	hhs, ok := c.rows[village]
	gen, all := c.gen[village], c.all
	c.mu.Unlock()
	if ok {
		return hhs, nil
	}
	hhs, err := scan[Household](ctx, s.db, "household/"+village+"/", nil)
	if err != nil {
		return nil, err
	}
	// The cache holds what readers may see: masked once here, not per read (privacy.go).
	for i := range hhs {
		hhs[i] = maskHousehold(hhs[i])
	}
	hhs = slices.Clip(hhs) // a reader's append must never write into the cached array
	c.mu.Lock()
	if c.gen[village] == gen && c.all == all {
		c.rows[village] = hhs
	}
	c.mu.Unlock()
	return hhs, nil
}

// readHouseholds fills the cache with the villages' households not in it yet, decoding on
// every core: a township's first read of a county (100,000 households, what pane 1 waits for
// right after a start) took seconds on one. A read that races a write is not kept, and is
// read again by the caller.
func (s *Store) readHouseholds(ctx context.Context, villages []string) error {
	c := s.hh
	c.mu.Lock()
	var missing []string
	for _, v := range villages {
		if _, ok := c.rows[v]; !ok {
			missing = append(missing, v)
		}
	}
	c.mu.Unlock()
	if min(runtime.GOMAXPROCS(0), len(missing)) < 2 {
		return nil
	}
	_, err := parallel.Parts(len(missing), func(i int) ([]Household, error) { return s.villageHouseholds(ctx, missing[i]) })
	return err
}
