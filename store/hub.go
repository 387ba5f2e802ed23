package store

import "sync"

// Change says what kind of row changed, and where, after a commit.
type Change struct {
	Kind    string // "concern", "visit", "group", "household", "user", "revisit", "all", …
	Village string
	ID      string
}

// Hub fans change events out to live sessions. A slow session never blocks a writer: each
// subscriber keeps a pending list and a one-slot wake-up signal, so changes coalesce while the
// session is busy and none is lost.
type Hub struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
	// observers see every batch before any session is woken, so a shared view (the
	// ledger) knows a row is stale before a session can ask it for that row.
	observers []func([]Change)
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*Subscription]struct{}{}} }

// Subscription is one session's view of the change feed.
type Subscription struct {
	hub     *Hub
	ready   chan struct{}
	mu      sync.Mutex
	pending []Change
}

// Subscribe registers a new subscriber; call Close when the session ends.
func (h *Hub) Subscribe() *Subscription {
	s := &Subscription{hub: h, ready: make(chan struct{}, 1)}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Subscribers returns how many sessions are listening.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Observe has fn called with every published batch, before the subscribers are signalled.
// fn must be quick and must not call the hub.
func (h *Hub) Observe(fn func([]Change)) {
	h.mu.Lock()
	h.observers = append(h.observers, fn)
	h.mu.Unlock()
}

// Publish hands the changes to every observer, then to every subscriber, without blocking.
func (h *Hub) Publish(changes ...Change) {
	if len(changes) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, fn := range h.observers {
		fn(changes)
	}
	for s := range h.subs {
		s.mu.Lock()
		// Keep the pending list bounded: past a few hundred a session is better off
		// reloading everything than replaying.
		if len(s.pending) > 256 {
			s.pending = append(s.pending[:0], Change{Kind: "all"})
		} else {
			s.pending = append(s.pending, changes...)
		}
		s.mu.Unlock()
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}
}

// Ready is signalled when changes are pending.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Take returns and clears the pending changes.
func (s *Subscription) Take() []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.pending
	s.pending = nil
	return out
}

// Close unsubscribes.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	delete(s.hub.subs, s)
	s.hub.mu.Unlock()
}
