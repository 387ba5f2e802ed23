package tui

import (
	"reflect"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// component is a layer of the focus stack: a prompt, a picker, a confirmation, a form or a
// sub-screen (a concern's detail, the lead projects, the fact sheet). Keys go only to the
// top layer of the pane on screen; a component draws its cue from its own state, so the
// frame that shows a change of state shows its cue too.
type component interface {
	// Update handles a key, a paste or a message addressed to the component.
	Update(msg tea.Msg) tea.Cmd
	// View renders the component into the size it was given.
	View() string
	// SetSize gives the component its width and height in cells: the body's size for a
	// sheet, the tail's (see tailer) for a component drawn under its pane.
	SetSize(w, h int)
	// ShortHelp and FullHelp are the component's key help.
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Capturing reports that it takes every key, the global ones included (a text field).
	Capturing() bool
}

// sized is the size a sheet keeps, and the answer most sheets give Capturing: they take no
// text, so the global keys work over them.
type sized struct{ w, h int }

func (s *sized) SetSize(w, h int) { s.w, s.h = w, h }
func (s *sized) Capturing() bool  { return false }

// tailer is a component drawn under its pane's body, which gives up the lines it takes: a
// prompt, a picker, a question. Components that are not tailers cover the whole body.
type tailer interface {
	// Lines is how many lines it takes, fixed while it is open.
	Lines() int
}

// fitter is a tail whose size depends on the room the body has (a picker shows fewer choices
// in a small window): it is told the body's height before its lines are counted.
type fitter interface {
	fit(bodyHeight int)
}

// settler is a receiver of keys (a pane or a component) that can be mid-change: keys that
// arrive meanwhile wait, in order, and are applied to the state the change leaves.
type settler interface {
	settling() bool
}

// taker is a component that receives results of its own (a form's save, a phone revealed).
// Results of commands a component issues for its pane (a picker's answer that filters the
// list) go to the pane: a component that is not a taker, or does not take a message, passes
// it down.
type taker interface {
	takes(msg tea.Msg) bool
}

// syncer is a component that reads live data from its pane (a picker's options): it is
// brought up to date after every message its pane takes, and may finish then (an enter typed
// before the options arrived).
type syncer interface {
	sync() tea.Cmd
}

// commoner is a pane or component that keeps the session's Common: it is handed a new one
// when the language changes.
type commoner interface {
	setCommon(c *Common)
}

// layer is a component on the stack, with the pane it belongs to.
type layer struct {
	id    int
	owner paneID
	comp  component
	// async marks a layer pushed by a message rather than a key (a conflict question, a
	// form brought back from a draft): keys typed before it appeared are not for it.
	async bool
}

// heldKey is a key that waits for its receiver to settle, stamped with the layers that
// existed when it arrived.
type heldKey struct {
	msg   tea.Msg
	stamp int
}

// focus is one session's focus stack and the keys waiting on it. It lives on the UI
// goroutine only: panes push and close their components on it synchronously, from Update, so
// the next key already finds them.
type focus struct {
	layers []*layer
	nextID int
	// inKey is true while a key is being handled: layers pushed then are the key's doing.
	inKey bool
	held  []heldKey
	// size of the body, for sheets; tails are sized by the root when drawn.
	w, h int
	// status is the footer's message, set in the same update as the change it reports and
	// cleared by the next key.
	status statusMsg
	trace  trace
	// holds let go of the drafts this session's forms hold, when the session ends.
	holds []func()
}

// say shows a message in the footer now, in the frame that shows what it reports.
func (f *focus) say(text string, isErr bool) {
	f.status = statusMsg{text: text, err: isErr}
	f.log("say", text)
}

// trace is told what happens to keys (see Options.Trace); nil when nobody listens.
type trace func(event string)

func newFocus(t trace) *focus { return &focus{nextID: 1, trace: t} }

// log tells the trace, if any, one event.
func (f *focus) log(kind, what string) {
	if f.trace != nil {
		f.trace(kind + " " + what)
	}
}

// push puts c on top of owner's stack and gives it its size.
func (f *focus) push(owner paneID, c component) {
	l := &layer{id: f.nextID, owner: owner, comp: c, async: !f.inKey}
	f.nextID++
	if q, ok := c.(*question); ok {
		f.log("ask", q.text)
	}
	if x, ok := c.(fitter); ok {
		x.fit(f.h)
	}
	f.layers = append(f.layers, l)
	if t, ok := c.(tailer); ok {
		c.SetSize(f.w, t.Lines())
	} else {
		c.SetSize(f.w, f.h)
	}
}

// close takes c off the stack, with anything pushed above it.
func (f *focus) close(c component) {
	for i, l := range f.layers {
		if l.comp == c {
			f.layers = f.layers[:i]
			return
		}
	}
}

// drop takes c alone off the stack: a prompt that has answered, whose answer may have
// pushed the next question above it.
func (f *focus) drop(c component) {
	for i, l := range f.layers {
		if l.comp == c {
			f.layers = append(f.layers[:i], f.layers[i+1:]...)
			return
		}
	}
}

// closeOwned takes every layer of owner off the stack.
func (f *focus) closeOwned(owner paneID) {
	keep := f.layers[:0]
	for _, l := range f.layers {
		if l.owner != owner {
			keep = append(keep, l)
		}
	}
	f.layers = keep
}

// open reports whether c is on the stack.
func (f *focus) open(c component) bool { return f.find(c) != nil }

// find returns c's layer, or nil.
func (f *focus) find(c component) *layer {
	for _, l := range f.layers {
		if l.comp == c {
			return l
		}
	}
	return nil
}

// byID returns the layer with id, or nil.
func (f *focus) byID(id int) *layer {
	for _, l := range f.layers {
		if l.id == id {
			return l
		}
	}
	return nil
}

// top is the topmost layer shown over pane p (its own or a global one), or nil.
func (f *focus) top(p paneID) *layer {
	for i := len(f.layers) - 1; i >= 0; i-- {
		if l := f.layers[i]; l.owner == p || l.owner == paneGlobal {
			return l
		}
	}
	return nil
}

// resize gives every sheet the body's size.
func (f *focus) resize(w, h int) {
	f.w, f.h = w, h
	for _, l := range f.layers {
		if x, ok := l.comp.(fitter); ok {
			x.fit(h)
		}
		if t, ok := l.comp.(tailer); ok {
			l.comp.SetSize(w, t.Lines())
		} else {
			l.comp.SetSize(w, h)
		}
	}
}

// routed is a command's result with the pane and component it belongs to: only they see
// it. (Store changes and resizes go to everyone and are never routed.)
type routed struct {
	pane  paneID
	layer int // 0: the pane itself
	msg   tea.Msg
}

// teaPkg is the Bubble Tea package's path: its own messages (quit, batches, sequences,
// window title…) are for the runtime, never routed.
var teaPkg = reflect.TypeOf(tea.BatchMsg{}).PkgPath()

// own wraps a command so its result comes back addressed to pane p (and layer, if not 0).
// Batches are wrapped command by command; the runtime's own messages pass as they are.
func own(p paneID, layerID int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		switch m := msg.(type) {
		case nil:
			return nil
		case tea.BatchMsg:
			out := make(tea.BatchMsg, 0, len(m))
			for _, c := range m {
				out = append(out, own(p, layerID, c))
			}
			return out
		case rootMsg:
			return msg
		}
		if t := reflect.TypeOf(msg); t.PkgPath() == teaPkg {
			// A sequence keeps its order: its commands are wrapped one by one.
			if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && t.Elem() == reflect.TypeOf(tea.Cmd(nil)) {
				cmds := make([]tea.Cmd, v.Len())
				for i := range cmds {
					cmds[i] = own(p, layerID, v.Index(i).Interface().(tea.Cmd))
				}
				if seq := tea.Sequence(cmds...); seq != nil {
					return seq()
				}
				return nil
			}
			return msg
		}
		return routed{pane: p, layer: layerID, msg: msg}
	}
}

// rootMsg marks the messages addressed to the root whoever sent them: a status line, a pane
// to show, concerns to mark.
type rootMsg interface{ forRoot() }

func (statusMsg) forRoot()       {}
func (focusPaneMsg) forRoot()    {}
func (markConcernsMsg) forRoot() {}
func (openVisitMsg) forRoot()    {}
func (resumeMsg) forRoot()       {}
