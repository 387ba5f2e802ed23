package store

import (
	"encoding/json"
	"errors"
	"time"
)

// History is what the ledger's figures read of a concern's moves: how often it bounced, when it
// was first given a plan and first resolved, and the deadline its moves had set by then. A
// county's ledger view keeps this in place of the moves (see Lean): they were about a fifth of
// the view's memory, and every figure but the history list itself comes from these four.
type History struct {
	// Bounces is Bounces() of the moves.
	Bounces int
	// Planned is the earliest plan, owner or solution move: the concern was answered then.
	Planned time.Time
	// Resolved is the first resolve move, else the concern's ResolvedAt (a history written
	// before resolutions were moves).
	Resolved time.Time
	// DeadlineThen is the last deadline a move set at or before Resolved, "" when none did.
	DeadlineThen string
}

// History summarises the concern's moves; for a lean concern, it is what Lean kept.
func (c Concern) History() History {
	if c.lean != nil {
		return *c.lean
	}
	h := History{Bounces: bounces(c.Moves)}
	resolvedAt := time.Time{}
	for _, m := range c.Moves {
		switch m.Action {
		case "plan", "owner", "solution":
			if h.Planned.IsZero() || m.At.Before(h.Planned) {
				h.Planned = m.At
			}
		case "resolve":
			if resolvedAt.IsZero() {
				resolvedAt = m.At
			}
		}
	}
	if resolvedAt.IsZero() {
		resolvedAt = c.ResolvedAt
	}
	h.Resolved = resolvedAt
	if !resolvedAt.IsZero() {
		for _, m := range c.Moves {
			if m.At.After(resolvedAt) {
				break
			}
			if IsDeadlineMove(m) && m.To != "" {
				h.DeadlineThen = m.To
			}
		}
	}
	return h
}

// Lean returns the concern without its moves, their History kept in their place: what the
// shared ledger view holds of each concern. A lean concern's MovesSince and DeadlineMoves are
// empty; a screen that lists the history reads the concern from the store. Every change reads
// the stored concern (Triage), and a lean one cannot be encoded (MarshalJSON), so its history
// can never be written over.
func (c Concern) Lean() Concern {
	h := c.History()
	c.lean, c.Moves = &h, nil
	return c
}

// IsLean reports whether the concern came without its moves (Lean).
func (c Concern) IsLean() bool { return c.lean != nil }

// errLean refuses to encode a lean concern: written, it would replace the history with nothing.
var errLean = errors.New("store: a lean concern (without its moves) cannot be written")

// MarshalJSON encodes the concern, refusing a lean one (errLean).
func (c Concern) MarshalJSON() ([]byte, error) {
	if c.lean != nil {
		return nil, errLean
	}
	type plain Concern // the same fields without this method
	return json.Marshal(plain(c))
}
