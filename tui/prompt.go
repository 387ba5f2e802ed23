package tui

import (
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

// answerPrompt feeds a message to the pane's open prompt: esc closes it, enter closes it and
// hands its kind and answer to answer.
func answerPrompt(p **prompt, msg tea.Msg, answer func(kind, val string) tea.Cmd) tea.Cmd {
	res, val, cmd := (*p).update(msg)
	switch res {
	case promptCancel:
		*p = nil
	case promptDone:
		kind := (*p).kind
		*p = nil
		return answer(kind, val)
	}
	return cmd
}
