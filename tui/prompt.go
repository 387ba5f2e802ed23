package tui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"sanbai/clean"
	"sanbai/views"
)

// maxInput bounds what one prompt takes, so a huge paste cannot grow a field without end.
const maxInput = 2000

// option is one choice of a picker: what it shows, what it answers, and its search key.
type option struct {
	label, value, key string
}

// prompt asks for one line of text at the bottom of a pane: a reason, a deadline, what was
// done — or, with options, picks one of them by typing part of it (text or pinyin).
type prompt struct {
	kind     string
	label    string
	input    textinput.Model
	options  []option
	filtered []option
	cur      int
	err      string
}

// newInput is the one text field every prompt and form uses: no prompt sign, a bound on its
// length, and a cursor that does not blink — a blinking cursor sends bytes twice a second to
// an idle screen, which on a slow link is waste.
func newInput(limit int) textinput.Model {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = limit
	st := textinput.DefaultStyles(true)
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}

// newPrompt starts a prompt with focus.
func newPrompt(kind, label, initial string, options []option) *prompt {
	in := newInput(maxInput)
	in.SetValue(clean.Inline(initial))
	in.Focus()
	p := &prompt{kind: kind, label: label, input: in, options: options}
	p.refilter()
	return p
}

func (p *prompt) refilter() {
	if p.options == nil {
		return
	}
	q := p.input.Value()
	p.filtered = p.filtered[:0]
	for _, o := range p.options {
		if matches(o.key, q) {
			p.filtered = append(p.filtered, o)
		}
	}
	if p.cur >= len(p.filtered) {
		p.cur = max(len(p.filtered)-1, 0)
	}
}

// promptResult is what a key did to a prompt.
type promptResult int

const (
	promptOpen promptResult = iota
	promptDone
	promptCancel
)

// update feeds a message to the prompt; on promptDone, value is the answer.
func (p *prompt) update(msg tea.Msg) (promptResult, string, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return promptCancel, "", nil
		case "enter":
			if p.options != nil {
				if len(p.filtered) == 0 {
					return promptOpen, "", nil
				}
				return promptDone, p.filtered[p.cur].value, nil
			}
			return promptDone, clean.Text(p.input.Value()), nil
		case "up", "ctrl+p":
			if p.cur > 0 {
				p.cur--
			}
			return promptOpen, "", nil
		case "down", "ctrl+n":
			if p.cur < len(p.filtered)-1 {
				p.cur++
			}
			return promptOpen, "", nil
		}
	}
	msg, ok := cleanInput(msg)
	if !ok {
		return promptOpen, "", nil
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.err = ""
	p.refilter()
	return promptOpen, "", cmd
}

// lines renders the prompt in w cells and at most h lines: the choices (for a picker), then
// the label and the input.
func (p *prompt) lines(st views.Styles, w, h int) []string {
	var out []string
	if p.options != nil {
		n := min(len(p.filtered), max(h-2, 1), 8)
		from := max(0, min(p.cur-n+1, len(p.filtered)-n))
		for i := from; i < from+n; i++ {
			l := "  " + views.Fit(p.filtered[i].label, w-2)
			if i == p.cur {
				l = st.Selected.Render(views.Fit("▸ "+p.filtered[i].label, w))
			}
			out = append(out, l)
		}
		if len(p.filtered) == 0 {
			out = append(out, st.Muted.Render("  —"))
		}
	}
	label := st.Accent.Render(p.label) + " "
	p.input.SetWidth(max(w-views.Width(label)-2, 4))
	out = append(out, views.Cut(label+p.input.View(), w))
	if p.err != "" {
		out = append(out, st.Error.Render(views.Cut(p.err, w)))
	}
	return out
}

// pickerRows is how many choices a picker shows at once.
const pickerRows = 8

// ask is a prompt on the focus stack: one line of text, or a picker whose options come from
// its pane through source and may arrive after it opened. What was typed filters them as they
// come, and an enter typed before they came is carried out when they do (or the picker says
// nothing matches) — never dropped.
type ask struct {
	p      *prompt
	c      *Common
	fs     *focus
	source func() ([]option, bool) // the options and whether they are all in; nil for text
	// waiting is an enter typed before the options were in.
	waiting bool
	// change is called with the text as it is typed (a search that filters as you type).
	change func(val string) tea.Cmd
	// done takes the answer; a non-empty refusal keeps the prompt open and shows it.
	done func(val string) (tea.Cmd, string)
	// cancel runs on esc.
	cancel func() tea.Cmd
	w      int
	// rows is how many choices a picker shows: fewer in a small window.
	rows int
}

// askFor builds a text prompt (source nil) or a picker; the caller pushes it.
func askFor(c *Common, fs *focus, label, initial string, source func() ([]option, bool), done func(string) (tea.Cmd, string)) *ask {
	a := &ask{c: c, fs: fs, source: source, done: done}
	var opts []option
	if source != nil {
		opts, _ = source()
		if opts == nil {
			opts = []option{}
		}
	}
	a.p = newPrompt("", label, initial, opts)
	return a
}

// fixed returns a source that always has these options.
func fixed(opts []option) func() ([]option, bool) {
	return func() ([]option, bool) { return opts, true }
}

func (a *ask) setCommon(c *Common) { a.c = c }

// fit sizes a picker's choices to the window: at most pickerRows, at most half the body.
func (a *ask) fit(bodyHeight int) { a.rows = max(2, min(pickerRows, bodyHeight/2-1)) }

// Lines is the picker's choices and input, or a text prompt's input and message line.
func (a *ask) Lines() int {
	if a.source != nil {
		return a.choices() + 1
	}
	return 2
}

// choices is the rows a picker gives its options.
func (a *ask) choices() int {
	if a.rows == 0 {
		return pickerRows
	}
	return a.rows
}

func (a *ask) SetSize(w, _ int) { a.w = w }

// Capturing: the field takes every key.
func (a *ask) Capturing() bool { return true }

// settling: a picker whose options are not in yet holds the keys typed at it — ↓ moves over
// choices the person would have seen, had they waited — and takes them, in order, when the
// options come.
func (a *ask) settling() bool {
	if a.source == nil {
		return false
	}
	_, ready := a.source()
	return !ready
}

func (a *ask) ShortHelp() []key.Binding {
	ok := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", a.c.T("ask.ok")))
	cancel := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", a.c.T("ask.cancel")))
	if a.source != nil {
		pick := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑↓", a.c.T("ask.pick")))
		return []key.Binding{pick, ok, cancel}
	}
	return []key.Binding{ok, cancel}
}

func (a *ask) FullHelp() [][]key.Binding { return [][]key.Binding{a.ShortHelp()} }

// sync reads the options again: what was typed filters the new ones, and an enter that
// waited for them is carried out now.
func (a *ask) sync() tea.Cmd {
	if a.source == nil {
		return nil
	}
	opts, ready := a.source()
	if opts == nil {
		opts = []option{}
	}
	a.p.options = opts
	a.p.refilter()
	if a.waiting && ready {
		a.waiting = false
		return a.finish()
	}
	return nil
}

// finish takes the selected choice or the text as the answer.
func (a *ask) finish() tea.Cmd {
	var val string
	if a.source != nil {
		if len(a.p.filtered) == 0 {
			a.p.err = a.c.T("pick.none")
			return nil
		}
		val = a.p.filtered[a.p.cur].value
	} else {
		val = clean.Text(a.p.input.Value())
	}
	cmd, refusal := a.done(val)
	if refusal != "" {
		a.p.err = refusal
		return cmd
	}
	a.fs.drop(a)
	return cmd
}

func (a *ask) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			a.fs.close(a)
			if a.cancel != nil {
				return a.cancel()
			}
			return nil
		case "enter":
			if a.source != nil {
				if _, ready := a.source(); !ready {
					a.waiting = true
					return nil
				}
			}
			return a.finish()
		}
	}
	before := a.p.input.Value()
	_, _, cmd := a.p.update(msg)
	if a.change != nil && a.p.input.Value() != before {
		return tea.Batch(cmd, a.change(a.p.input.Value()))
	}
	return cmd
}

func (a *ask) View() string {
	st := a.c.Styles
	if a.source == nil {
		lines := a.p.lines(st, a.w, 2)
		if len(lines) < 2 {
			lines = append(lines, st.Muted.Render(" "+a.c.T("ask.hint")))
		}
		return strings.Join(lines[:2], "\n")
	}
	// A picker: its choices, then a line that says why none is chosen (if so), then the
	// input, at the bottom of its rows.
	note := ""
	switch {
	case a.p.err != "":
		note = st.Error.Render(views.Cut("  "+a.p.err, a.w))
	case a.waiting:
		note = st.Muted.Render(views.Cut("  "+a.c.T("pick.waiting"), a.w))
	}
	rows := a.choices()
	if note != "" {
		rows--
	}
	err := a.p.err
	a.p.err = "" // drawn above the input here, not under it
	lines := a.p.lines(st, a.w, rows+2)
	a.p.err = err
	if note != "" {
		lines = append(lines[:len(lines)-1], note, lines[len(lines)-1])
	}
	for len(lines) < a.choices()+1 {
		lines = append([]string{""}, lines...)
	}
	return strings.Join(lines[len(lines)-(a.choices()+1):], "\n")
}

// question is a yes/no confirmation on the focus stack: only y, n and esc (and enter, when
// the cue offers it) answer it; any other key is ignored and the cue says which keys answer.
type question struct {
	c        *Common
	fs       *focus
	text     string
	yes, no  func() tea.Cmd
	enterYes bool
	// choices, when set, are the answers instead of yes and no: each its keys, what its cue
	// says, and what it does.
	choices []choice
	nudged  bool // a key that is not an answer was pressed
	w       int
}

// choice is one answer of a question with more than yes and no.
type choice struct {
	keys  []string
	label string
	do    func() tea.Cmd
}

// choose builds a question answered by one of the choices; the caller pushes it.
func choose(c *Common, fs *focus, text string, choices ...choice) *question {
	return &question{c: c, fs: fs, text: text, choices: choices}
}

// confirm builds a question; the caller pushes it.
func confirm(c *Common, fs *focus, text string, yes func() tea.Cmd) *question {
	return &question{c: c, fs: fs, text: text, yes: yes}
}

func (q *question) setCommon(c *Common) { q.c = c }
func (q *question) Lines() int          { return 2 }
func (q *question) SetSize(w, _ int)    { q.w = w }
func (q *question) Capturing() bool     { return true }
func (q *question) ShortHelp() []key.Binding {
	return nil
}
func (q *question) FullHelp() [][]key.Binding { return nil }

// answers reports whether k answers q (else the question ignores it, with a nudge).
func (q *question) answers(k string) bool {
	if q.choices != nil {
		return slices.ContainsFunc(q.choices, func(ch choice) bool { return slices.Contains(ch.keys, k) })
	}
	switch k {
	case "y", "Y", "n", "N", "esc":
		return true
	case "enter":
		return q.enterYes
	}
	return false
}

func (q *question) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if q.choices != nil {
		for _, ch := range q.choices {
			if slices.Contains(ch.keys, k.String()) {
				q.fs.drop(q)
				return ch.do()
			}
		}
		q.nudged = true
		return nil
	}
	switch k.String() {
	case "y", "Y":
		q.fs.drop(q)
		return q.yes()
	case "enter":
		if q.enterYes {
			q.fs.drop(q)
			return q.yes()
		}
		q.nudged = true
	case "n", "N", "esc":
		q.fs.drop(q)
		if q.no != nil {
			return q.no()
		}
		q.fs.say(q.c.T("q.cancelled"), false)
	default:
		q.nudged = true
	}
	return nil
}

func (q *question) View() string {
	st := q.c.Styles
	hint := q.c.T("confirm.keys")
	if q.enterYes {
		hint = q.c.T("confirm.keys.enter")
	}
	if q.choices != nil {
		var parts []string
		for _, ch := range q.choices {
			parts = append(parts, ch.keys[0]+" "+ch.label)
		}
		hint = strings.Join(parts, "  ")
	}
	h := st.Muted
	if q.nudged {
		h = st.Warn
	}
	return st.Accent.Render(views.Cut(" "+q.text, q.w)) + "\n" + h.Render(views.Cut(" "+hint, q.w))
}
