package tui

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"sanbai/query"
	"sanbai/store"
)

// The panes' read models a server shares among its sessions (query.Shared).
const (
	sharedRoutes  = "routes"
	sharedVisits  = "visits"
	sharedRevisit = "revisit"
	// sharedRevisitPart is one village's part of a township's checklist and counts.
	sharedRevisitPart = "revisit.village"
	sharedOverview    = "overview"
	// sharedOverviewPart is one village's counts of a township's overview.
	sharedOverviewPart = "overview.village"
	// sharedOverviewBase is the overview's part that is not counted (query.OverviewBase).
	sharedOverviewBase = "overview.base"
)

// NewShared makes the shared read models of the panes for a store, each with the kinds of
// change after which it is built again; a server makes one and hands it to every session
// (Options.Shared). A kind a pane reacts to but its model does not depend on is applied by
// the pane itself: a concern's change reaches the visits pane as the changed IDs, looked up in
// the ledger view, not as a new model.
func NewShared(st store.Engine) *query.Shared {
	overviewKinds := []string{"concern", "visit", "filing", "inspect", "calendar", "settings", "revisit", "household",
		"member", "village", "grid"}
	revisitKinds := []string{"concern", "revisit", "village", "settings", "group", "groups", "household", "grid"}
	return query.NewShared(st,
		query.SharedModel{Name: sharedRoutes, Kinds: []string{"visit", "group", "groups", "route", "household",
			"member", "reach", "calendar", "team", "cadre", "village", "grid"}},
		query.SharedModel{Name: sharedVisits, Kinds: []string{"visit", "household", "group", "groups", "route",
			"member", "team", "cadre", "village", "grid"}},
		query.SharedModel{Name: sharedRevisit, Kinds: revisitKinds},
		query.SharedModel{Name: sharedRevisitPart, Kinds: revisitKinds},
		query.SharedModel{Name: sharedOverview, Kinds: overviewKinds},
		query.SharedModel{Name: sharedOverviewPart, Kinds: overviewKinds},
		query.SharedModel{Name: sharedOverviewBase, Kinds: query.OverviewBaseKinds},
	)
}

// sharedRoutesOf is pane 1's routes and coverage for the actor's scope, from sh.
func sharedRoutesOf(ctx context.Context, sh *query.Shared, st store.Engine, a store.Actor) (*routesData, error) {
	return query.GetShared(ctx, sh, sharedRoutes, a, func() (*routesData, error) {
		d, err := loadRoutes(ctx, st, a)
		return &d, err
	})
}

// ahead makes a list ahead of the key that shows it (pane 1's missed list, pane 2's picker):
// off the UI's goroutine, after any warm-up under way (which makes its own scope's lists last,
// and whose cores it would take), and not at all once the session has ended.
func ahead(c *Common, build func()) tea.Cmd {
	warmed := c.Shared.Warmed()
	return func() tea.Msg {
		select {
		case <-warmed:
			build()
		case <-c.Ctx.Done():
		}
		return nil
	}
}

// sharedVisitsOf is pane 2's visits, households and household picker for the actor's scope,
// from sh.
func sharedVisitsOf(ctx context.Context, sh *query.Shared, st store.Engine, a store.Actor) (*visitsData, error) {
	return query.GetShared(ctx, sh, sharedVisits, a, func() (*visitsData, error) { return loadVisits(ctx, st, a) })
}

// sharedRevisitOf is pane 4's checklist and rates for the actor's scope, from sh.
func sharedRevisitOf(ctx context.Context, sh *query.Shared, st store.Engine, l *query.Ledger, a store.Actor) (*revisitData, error) {
	return query.GetShared(ctx, sh, sharedRevisit, a, func() (*revisitData, error) {
		return loadRevisitShared(ctx, sh, st, l, a)
	})
}

// sharedOverviewOf is pane 5's read model for the actor's scope, from sh.
func sharedOverviewOf(ctx context.Context, sh *query.Shared, st store.Engine, l *query.Ledger, a store.Actor) (*overviewData, error) {
	return query.GetShared(ctx, sh, sharedOverview, a, func() (*overviewData, error) {
		return loadOverview(ctx, sh, st, l, a)
	})
}

// WarmShared builds the township's read model of every pane (and with it every village's
// part of the checklist and the overview) in the background as a server starts, and starts
// the ledger view's first load (query.Ledger.Warm): on a county the first township session to
// open a pane otherwise waited seconds for what every later session gets at once. The models
// come in the order of the panes: pane 1's first, as it is what every login shows, then pane
// 2's, then the ledger view, and panes 4 and 5 after it (they read it). A session that asks
// while a model is being built waits for that build rather than starting its own. Errors are
// logged; the panes load on demand as before. The channel closes when the warming ends.
func WarmShared(ctx context.Context, sh *query.Shared, st store.Engine, l *query.Ledger, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	if sh == nil {
		if l != nil {
			l.Warm()
		}
		close(done)
		return done
	}
	a := store.Actor{Name: "warm", Role: store.RoleTownship}
	warmed := sh.Warm()
	go func() {
		defer close(done)
		defer warmed()
		start := time.Now()
		var failed atomic.Bool
		step := func(name string, load func() error) {
			err := load()
			switch {
			case err != nil && !failed.Swap(true) && ctx.Err() == nil && log != nil:
				log.Warn("warming the panes' read models", "model", name, "err", err)
			case err == nil && log != nil:
				log.Info("pane's read model warmed", "model", name, "after", time.Since(start).Round(time.Millisecond))
			}
		}
		step(sharedRoutes, func() error { _, err := sharedRoutesOf(ctx, sh, st, a); return err })
		if l != nil {
			// The view's orders other than the meeting one (a queue opens on it) are sorted
			// last: sorting them beside panes 4 and 5 made those wait about a second more.
			l.HoldOrders()
			defer l.ReleaseOrders()
			// The view is read beside pane 2's model, whose one goroutine leaves a core to it.
			// (Beside a view read from the store, which took both cores for seconds, pane 2's
			// model was starved; read from its start snapshot the view takes half a second.)
			if l.UsesStart() {
				l.Warm()
			}
		}
		step(sharedVisits, func() error { _, err := sharedVisitsOf(ctx, sh, st, a); return err })
		if l != nil {
			l.Warm()
		}
		// Panes 4 and 5 wait for the view; letting them take a core each once it is in was
		// slower (more collections at once).
		step(sharedRevisit, func() error { _, err := sharedRevisitOf(ctx, sh, st, l, a); return err })
		step(sharedOverview, func() error { _, err := sharedOverviewOf(ctx, sh, st, l, a); return err })
		if log != nil && !failed.Load() {
			log.Info("panes' read models warmed", "took", time.Since(start).Round(time.Millisecond))
		}
		// What the panes make only when first asked for (pane 1's missed list, pane 2's
		// household picker) comes last: the first to ask finds it made.
		if d, err := sharedRoutesOf(ctx, sh, st, a); err == nil {
			d.missedRows()
		}
		if d, err := sharedVisitsOf(ctx, sh, st, a); err == nil {
			d.pickerOptions()
		}
	}()
	return done
}
