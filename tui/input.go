package tui

import (
	tea "charm.land/bubbletea/v2"

	"sanbai/clean"
	"sanbai/store"
)

// cleanInput cleans a key press or a paste on its way into a one-line text field: escape
// sequences, C0/C1 controls and bidi overrides (U+202E and the rest) are dropped, line breaks
// in a paste become spaces, a typed space stays. Text reaches the screen as the field is
// drawn and the draft as it is typed, so it is cleaned here, at input, not only when the
// store saves it. ok is false when nothing is left to type: the message is then dropped.
// Every text field and prompt calls it on the path to its bubbles model.
func cleanInput(msg tea.Msg) (tea.Msg, bool) { return cleanTyped(msg, clean.Inline) }

// cleanInputText is cleanInput for a multi-line field (the fact sheet's): line breaks in a
// paste are kept.
func cleanInputText(msg tea.Msg) (tea.Msg, bool) { return cleanTyped(msg, clean.InlineText) }

func cleanTyped(msg tea.Msg, cleaner func(string) string) (tea.Msg, bool) {
	switch m := msg.(type) {
	case tea.PasteMsg:
		if c := cleaner(m.Content); c != m.Content {
			m.Content = c
			return m, c != ""
		}
	case tea.KeyPressMsg:
		// Keys with no text (enter, arrows, ctrl+…) pass as they are.
		if m.Text != "" && clean.Inline(m.Text) != m.Text {
			m.Text = clean.Inline(m.Text)
			return m, m.Text != ""
		}
	}
	return msg, true
}

// cleanVisitDraft cleans the text of a visit draft as it is brought back (at login, or on
// opening the form): a draft saved as it was typed, before input was cleaned, may hold escape
// sequences or bidi overrides that would be drawn in the field again.
func cleanVisitDraft(d *store.VisitDraft) {
	d.Date, d.Notes = clean.Inline(d.Date), clean.Inline(d.Notes)
	for k, v := range d.Findings {
		d.Findings[k] = clean.Inline(v)
	}
	for k, v := range d.Away {
		d.Away[k] = clean.Inline(v)
	}
	for i := range d.Concerns {
		c := &d.Concerns[i]
		c.Description, c.Done, c.Category = clean.Inline(c.Description), clean.Inline(c.Done), clean.Inline(c.Category)
	}
}

// cleanRevisitDraft cleans the text of a revisit draft as it is brought back.
func cleanRevisitDraft(d *store.RevisitDraft) {
	d.Date = clean.Inline(d.Date)
	for i := range d.Answers {
		d.Answers[i].Comment = clean.Inline(d.Answers[i].Comment)
	}
}
