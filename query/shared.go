package query

import (
	"context"
	"sync"

	"sanbai/store"
)

// The panes' shared read models. Pane 1's routes and coverage, pane 2's visits with the
// household picker, pane 4's checklist and rates and pane 5's overview are each the same for
// every session of one scope (role, village, grid: the store's reads depend on nothing else),
// so on a county store fifty township sessions used to build fifty copies of each, and build
// them again on every change. Shared keeps one of each per scope and store version: the first
// session that asks after a change builds it, the others (asking meanwhile or later) wait for
// it and get the same value. Sessions hold pointers into it and never change what they get.

// SharedModel names a read model Shared keeps, with the kinds of change that make it stale.
type SharedModel struct {
	Name  string
	Kinds []string
}

// Sharing is what Shared follows: the change feed and the store's day (a new day makes every
// model stale: overdue and days-left are counted from it).
type Sharing interface {
	store.Feed
	store.Clock
}

// Shared keeps one value of each read model per scope and store version. A server makes one
// and hands it to every session, like the ledger view; nil keeps nothing (every Get loads).
type Shared struct {
	src Sharing

	mu sync.Mutex
	// Generations, bumped by a change of one of a model's kinds: any by every such change,
	// gen by those of no village (settings, an import), vgen by those of one village. A value
	// made for a village's scope stays good while gen and that village's vgen stay put, so a
	// change in one village leaves the other 229 villages' values of a county alone.
	any     map[string]uint64
	gen     map[string]uint64
	vgen    map[string]map[string]uint64
	day     string // the day the kept values were made on
	entries map[string]*sharedEntry
	// warming counts the warm-ups under way; warmed is closed when the last one ends.
	warmMu  sync.Mutex
	warming int
	warmed  chan struct{}
}

// Warm marks a warm-up of the models under way until the returned func is called.
func (s *Shared) Warm() (done func()) {
	s.warmMu.Lock()
	defer s.warmMu.Unlock()
	if s.warming == 0 {
		s.warmed = make(chan struct{})
	}
	s.warming++
	return sync.OnceFunc(func() {
		s.warmMu.Lock()
		defer s.warmMu.Unlock()
		if s.warming--; s.warming == 0 {
			close(s.warmed)
		}
	})
}

// Warmed is closed once no warm-up is under way (at once when none is): work a session
// does ahead of a key (a list made before it is asked for) waits for it rather than take
// the cores the warm-up is using; the warm-up makes its own scope's lists last.
func (s *Shared) Warmed() <-chan struct{} {
	if s != nil {
		s.warmMu.Lock()
		defer s.warmMu.Unlock()
		if s.warming > 0 {
			return s.warmed
		}
	}
	done := make(chan struct{})
	close(done)
	return done
}

// sharedEntry is one model's value for one scope, made (or being made) at generation gen.
type sharedEntry struct {
	gen  uint64
	done chan struct{} // closed when val and err are set
	val  any
	err  error
}

// NewShared makes the shared read models of a store, following its change feed from now on.
func NewShared(src Sharing, models ...SharedModel) *Shared {
	s := &Shared{src: src, any: map[string]uint64{}, gen: map[string]uint64{}, vgen: map[string]map[string]uint64{},
		entries: map[string]*sharedEntry{}}
	kinds := map[string][]string{}
	for _, m := range models {
		s.vgen[m.Name] = map[string]uint64{}
		for _, k := range m.Kinds {
			kinds[k] = append(kinds[k], m.Name)
		}
	}
	src.Hub().Observe(func(changes []store.Change) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, c := range changes {
			names := kinds[c.Kind]
			if c.Kind == "all" {
				names = names[:0:0]
				for _, m := range models {
					names = append(names, m.Name)
				}
			}
			for _, name := range names {
				s.any[name]++
				if c.Village != "" && c.Kind != "all" {
					s.vgen[name][c.Village]++
				} else {
					s.gen[name]++
				}
			}
		}
	})
	return s
}

// stamp is the generation a value of the model for the actor's scope is good for; callers
// hold mu.
func (s *Shared) stamp(model string, a store.Actor) uint64 {
	if a.Village == "" {
		return s.any[model]
	}
	return s.gen[model] + s.vgen[model][a.Village]
}

// scopeKey is what a model's value depends on besides the store: the actor's scope.
func scopeKey(model string, a store.Actor) string {
	return model + "\x00" + string(a.Role) + "\x00" + a.Village + "\x00" + a.Grid
}

// Get returns the model's value for the actor's scope: the kept one if no change of its kinds
// in that scope came since it was made, else one made now by load (once, however many sessions ask at
// the same time). A value made while a change came is handed to the callers that waited for
// it but not kept. Errors are not kept.
func (s *Shared) Get(ctx context.Context, model string, a store.Actor, load func() (any, error)) (any, error) {
	if s == nil {
		return load()
	}
	key := scopeKey(model, a)
	for try := 0; ; try++ {
		today := s.src.Today()
		s.mu.Lock()
		if today != s.day {
			s.day = today
			clear(s.entries)
		}
		gen := s.stamp(model, a)
		e := s.entries[key]
		if e == nil || e.gen != gen {
			e = &sharedEntry{gen: gen, done: make(chan struct{})}
			s.entries[key] = e
			s.mu.Unlock()
			e.val, e.err = load()
			close(e.done)
			s.mu.Lock()
			if s.entries[key] == e && (e.err != nil || s.stamp(model, a) != gen) {
				delete(s.entries, key)
			}
			s.mu.Unlock()
			return e.val, e.err
		}
		s.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The session that made it may have ended mid-way (its context): try once more.
		if e.err == nil || try > 0 || ctx.Err() != nil {
			return e.val, e.err
		}
	}
}

// GetShared is Get for a model of type T.
func GetShared[T any](ctx context.Context, s *Shared, model string, a store.Actor, load func() (T, error)) (T, error) {
	v, err := s.Get(ctx, model, a, func() (any, error) { return load() })
	t, _ := v.(T)
	return t, err
}
