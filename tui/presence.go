package tui

import (
	"sync"

	"sanbai/store"
)

// Presence lets a session follow another user's screen (follow mode, for meetings): every
// session publishes what it shows — pane, filter, selected concern — under its user's name,
// and followers of that name receive it. One Presence is shared by the sessions of a server;
// it is created by the server, never global.
type Presence struct {
	mu     sync.Mutex
	states map[string]View
	subs   map[string]map[*Following]struct{}
	// held counts the live sessions holding each draft (see hold).
	held map[string]int
}

// View is what a presenter shows, as far as a follower needs it.
type View struct {
	Online   bool
	Pane     paneID
	Selected string
	Filter   queueFilter
	Meeting  bool
	Detail   bool
}

// NewPresence returns an empty registry.
func NewPresence() *Presence {
	return &Presence{states: map[string]View{}, subs: map[string]map[*Following]struct{}{}}
}

// publish records what name's session shows and wakes that name's followers.
func (p *Presence) publish(name string, v View) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.states[name]; ok && old == v {
		return
	}
	p.states[name] = v
	for f := range p.subs[name] {
		f.wake()
	}
}

// Leave marks name's session as gone, so followers say the presenter is offline.
func (p *Presence) Leave(name string) { p.publish(name, View{}) }

// Following is one follower's subscription to a presenter.
type Following struct {
	p     *Presence
	name  string
	ready chan struct{}
}

// Follow subscribes to name's view; Close it when the session ends.
func (p *Presence) Follow(name string) *Following {
	f := &Following{p: p, name: name, ready: make(chan struct{}, 1)}
	p.mu.Lock()
	if p.subs[name] == nil {
		p.subs[name] = map[*Following]struct{}{}
	}
	p.subs[name][f] = struct{}{}
	p.mu.Unlock()
	f.wake()
	return f
}

func (f *Following) wake() {
	select {
	case f.ready <- struct{}{}:
	default:
	}
}

// Ready is signalled when the presenter's view changed.
func (f *Following) Ready() <-chan struct{} { return f.ready }

// Latest returns the presenter's current view as a message for the follower's program.
func (f *Following) Latest() FollowMsg {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	return FollowMsg{Name: f.name, View: f.p.states[f.name]}
}

// Close ends the subscription.
func (f *Following) Close() {
	f.p.mu.Lock()
	delete(f.p.subs[f.name], f)
	f.p.mu.Unlock()
}

// FollowMsg brings a presenter's view into a follower's session.
type FollowMsg struct {
	Name string
	View View
}

// Drafts open in live sessions: a form holds its draft while it is open (or put aside) in a
// session, and a new session of the same person does not bring back a draft another of their
// sessions is still typing in — each session's form keeps its own draft.

// draftKey names one draft of one user.
func draftKey(user string, kind store.DraftKind, id string) string {
	return user + "/" + string(kind) + "/" + id
}

// hold records that a session holds a draft; it returns what releases it.
func (p *Presence) hold(user string, kind store.DraftKind, id string) func() {
	if p == nil {
		return func() {}
	}
	k := draftKey(user, kind, id)
	p.mu.Lock()
	if p.held == nil {
		p.held = map[string]int{}
	}
	p.held[k]++
	p.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			if p.held[k]--; p.held[k] <= 0 {
				delete(p.held, k)
			}
			p.mu.Unlock()
		})
	}
}

// holding reports whether a live session holds the draft.
func (p *Presence) holding(user string, kind store.DraftKind, id string) bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held[draftKey(user, kind, id)] > 0
}
