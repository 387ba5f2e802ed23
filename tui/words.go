package tui

import (
	"errors"
	"fmt"
	"strings"

	"sanbai/dates"
	"sanbai/store"
)

// Words for what the store says: every history move and every refusal, in the session's
// language, so that no message key (mv.tag) and no English sentence of the store reaches a
// Chinese screen. The texts live in i18n.go under mv.* (moves), err.* (refusals, by
// store.RuleError code), date.* (dates.Error codes) and q.verb.* (what an action is called
// when it fails: 未能挂红牌).

// moveText words one history move: what, from → to, and why — "时限 12-07 → 12-04（随红牌提前）",
// "退回 新村 → 网格：属网格职责". Days show their year only when it is not this year.
func (c *Common) moveText(m store.Move) string {
	day := func(d string) string {
		if d == "" {
			return c.T("mv.none")
		}
		return dates.Short(d, c.Store.Now())
	}
	s := c.T("mv." + m.Action)
	if m.Action == "extend" {
		// Every deadline change reads 时限 from → to (why); an extension says so in the why.
		s = c.T("mv.deadline")
		if m.Reason != "" {
			m.Reason = c.T("mv.extend") + "：" + m.Reason
		} else {
			m.Reason = c.T("mv.extend")
		}
	}
	switch {
	case store.IsDeadlineMove(m):
		s += " " + day(m.From) + " → " + day(m.To)
	case m.From != "" && m.To != "":
		s += " " + c.argWord(m.From) + " → " + c.argWord(m.To)
	case m.To != "":
		s += " " + c.argWord(m.To)
	}
	switch {
	case m.Action == "due" && m.Reason == "supervise":
		s += "（" + c.T("mv.due.supervise") + "）"
	case m.Action == "due" && texts["tagname."+m.Reason] != [2]string{}:
		s += "（" + fmt.Sprintf(c.T("mv.due.tag"), c.T("tagname."+m.Reason)) + "）"
	case m.Action == "undo" || m.Reason == "":
	case store.IsDeadlineMove(m):
		s += "（" + m.Reason + "）"
	default:
		s += "：" + m.Reason
	}
	return s
}

// historyLine is a move as the concern's history lists it: when, who, what.
func (c *Common) historyLine(m store.Move) string {
	return m.At.Format("01-02 15:04") + " " + m.By + " " + c.moveText(m)
}

// staleMoves says what others did to a concern since the person looked: who and what, each
// move worded — for the question after a conflict (q.stale) and the refusal of an undo.
func (c *Common) staleMoves(e *store.StaleError) string {
	var parts []string
	for _, m := range e.Moves {
		parts = append(parts, m.By+" "+c.moveText(m))
	}
	return strings.Join(parts, c.T("q.sep"))
}

// staleWords words a conflict as a refusal: the edit was not made because of who did what.
func (c *Common) staleWords(e *store.StaleError) string {
	key := "q.stale.who"
	if e.Undo {
		key = "q.undo.who"
	}
	return fmt.Sprintf(c.T(key), e.Concern.ID, c.staleMoves(e))
}

// argWord translates a refusal's argument when it is a code the interface has a word for (a
// tier, a colour, a status, a filing); anything else (an ID, a name, a date) stays as it is.
func (c *Common) argWord(a string) string {
	for _, prefix := range []string{"tier.", "tagname.", "st.", "fk."} {
		if _, ok := texts[prefix+a]; ok {
			return c.T(prefix + a)
		}
	}
	return a
}

// deadlineNews says what an action did to the deadline, for the status line at the moment it
// happens ("" when it left the deadline alone): rev is the concern's Rev before the action.
func (c *Common) deadlineNews(got store.Concern, rev int) string {
	var parts []string
	for _, m := range got.DeadlineMoves(rev) {
		parts = append(parts, got.ID+" "+c.moveText(m))
	}
	return strings.Join(parts, c.T("q.sep"))
}

// opVerb names an action as a refusal words it: 挂红牌, 指定责任人, 延期.
func (c *Common) opVerb(op store.Op) string {
	if op.Kind == store.OpTag {
		return fmt.Sprintf(c.T("q.verb.tag"), c.T("tagname."+string(op.Tag)))
	}
	return c.T("q.verb." + string(op.Kind))
}

// refusal words a refused action as a refusal, never like a success: "未能挂红牌：DL-0042 已销号".
func (c *Common) refusal(op store.Op, err error) string {
	return fmt.Sprintf(c.T("q.refused"), c.opVerb(op), c.storeWords(err))
}

// storeWords words any error a store call returns in the session's language: a refusal by
// its code and arguments, a date by what is wrong with it, a conflict by who changed what,
// and the store's sentinel errors; anything else (a disk or database fault) as the generic
// error with its text, for the administrator.
func (c *Common) storeWords(err error) string {
	var re *store.RuleError
	var de *dates.Error
	var se *store.StaleError
	var fe *store.FormError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &re):
		args := make([]any, len(re.Args))
		for i, a := range re.Args {
			args[i] = c.argWord(a)
		}
		return fmt.Sprintf(c.T("err."+re.Code), args...)
	case errors.As(err, &de):
		return c.dateWords(de)
	case errors.As(err, &se):
		return c.staleWords(se)
	case errors.As(err, &fe):
		return c.T("fe." + fe.Code)
	case errors.Is(err, store.ErrScope):
		if c.Actor.Role == store.RoleInspector {
			return c.T("err.readonly")
		}
		return c.T("err.scope")
	case errors.Is(err, store.ErrNotFound):
		return c.T("err.notfound")
	case errors.Is(err, store.ErrBusy):
		return c.T("err.busy")
	case errors.Is(err, store.ErrDiskFull):
		return c.T("err.diskfull")
	case errors.Is(err, store.ErrClosed):
		return c.T("err.closed")
	case errors.Is(err, store.ErrRule):
		return c.T("err.rule")
	}
	var rule *store.GroupRuleError
	if errors.As(err, &rule) {
		return c.T("err.grouprules")
	}
	return c.T("err.generic") + ": " + err.Error()
}

// dateWords says why a typed day was refused, offering next year's day for one typed without
// its year that fell before today.
func (c *Common) dateWords(e *dates.Error) string {
	switch e.Code {
	case dates.CodeEmpty, dates.CodeFormat:
		return c.T("date." + e.Code)
	case dates.CodePast:
		if e.NextYear != "" {
			return fmt.Sprintf(c.T("date.past.year"), e.Date, e.Limit, e.NextYear)
		}
	}
	return fmt.Sprintf(c.T("date."+e.Code), e.Date, e.Limit)
}

// day writes a stored day for a row: MM-DD in this year, the whole day otherwise
// (dates.Short), so a deadline of next January never reads as this January.
func (c *Common) day(d string) string { return dates.Short(d, c.Store.Now()) }

// dayWidth is the width a column of days needs: 5 for MM-DD, 10 when one shows its year.
func (c *Common) dayWidth(ds ...string) int {
	w := 5
	for _, d := range ds {
		w = max(w, len(c.day(d)))
	}
	return w
}
