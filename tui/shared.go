package tui

import (
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
