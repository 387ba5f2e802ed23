package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"sanbai/dates"
	"sanbai/store"
)

// english finds what would give away an English sentence or a raw key on a Chinese screen: a
// run of lowercase letters (IDs, codes and dates are digits and capitals).
var english = regexp.MustCompile(`[a-z]{2,}`)

// rawKey finds a message key shown instead of its text.
var rawKey = regexp.MustCompile(`\b(mv|err|tagname|tier|st|q|date|fe|ov|fk|rv|rf)\.[a-z]`)

// wordsCommon is a session's Common in a language, over a store with a fixed clock.
func wordsCommon(t *testing.T, lang string) *Common {
	t.Helper()
	st, err := store.Open(t.TempDir(), store.Options{Now: func() time.Time { return time.Date(2026, 12, 28, 10, 0, 0, 0, time.Local) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Common{Ctx: t.Context(), Store: st, Actor: store.System(), Lang: lang}
}

// TestEveryMoveAndErrorHasWords walks every history move action, every refusal the store can
// return (store.RuleCodes), every date refusal, every form error and the store's sentinel
// errors, in both languages: each has its text, takes the arguments the store gives it, and
// in Chinese shows no message key and no English.
func TestEveryMoveAndErrorHasWords(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		c := wordsCommon(t, lang)
		check := func(what, got string) {
			t.Helper()
			switch {
			case rawKey.MatchString(got) || strings.Contains(got, "%!"):
				t.Errorf("%s %s: %q shows a key or a bad format", lang, what, got)
			case lang == "zh" && english.MatchString(got):
				t.Errorf("%s: %q has English on a Chinese screen", what, got)
			case got == "":
				t.Errorf("%s %s: no words", lang, what)
			}
		}
		at := time.Date(2026, 12, 3, 15, 4, 0, 0, time.Local)
		for _, a := range store.MoveActions() {
			if _, ok := texts["mv."+a]; !ok {
				t.Errorf("no text for move %s", a)
			}
			m := store.Move{At: at, By: "李明", Action: a, From: "green", To: "red", Reason: "属网格职责"}
			switch {
			case store.IsDeadlineMove(m):
				m.From, m.To = "2026-12-07", "2027-01-04"
			case a == "escalate" || a == "return" || a == "tier":
				m.From, m.To = "grid", "village"
			case a == "resolve" || a == "close" || a == "reopen" || a == "status":
				m.From, m.To = "in_progress", "resolved"
			case a == "owner" || a == "plan" || a == "supervise":
				m.From, m.To = "王强", "李娜（1网格党员）"
			case a == "project" || a == "revisit" || a == "revisitgroup" || a == "create":
				m.From, m.To = "", "DL-P01"
			case a == "undo":
				m.From, m.To, m.Reason = "", "", "撤销 挂红牌"
			}
			check("move "+a, c.historyLine(m))
		}
		// The ledger's own deadline moves: with the colour, and by supervision.
		for _, reason := range []string{"red", "yellow", "green", "supervise"} {
			check("due "+reason, c.moveText(store.Move{Action: "due", From: "2026-12-07", To: "2026-12-04", Reason: reason}))
		}
		for _, code := range store.RuleCodes() {
			zh, ok := texts["err."+code]
			if !ok {
				t.Errorf("no text for refusal %s", code)
				continue
			}
			for i, f := range zh {
				if n := strings.Count(f, "%s"); n != store.RuleArgs(code) {
					t.Errorf("refusal %s (%d): %d arguments in %q, the store gives %d", code, i, n, f, store.RuleArgs(code))
				}
			}
			args := make([]string, store.RuleArgs(code))
			for i := range args {
				args[i] = []string{"DL-0042", "grid", "resolved", "DL"}[i%4]
			}
			check("refusal "+code, c.storeWords(fmt.Errorf("wrapped: %w", &store.RuleError{Code: code, Args: args})))
		}
		for _, e := range []*dates.Error{{Code: dates.CodeEmpty}, {Code: dates.CodeFormat, Input: "soon"},
			{Code: dates.CodePast, Date: "2026-01-05", Limit: "2026-12-28", NextYear: "2027-01-05"},
			{Code: dates.CodePast, Date: "2026-12-01", Limit: "2026-12-28"},
			{Code: dates.CodeFuture, Date: "2026-12-29", Limit: "2026-12-28"},
			{Code: dates.CodeEarly, Date: "2026-11-01", Limit: "2026-11-10"}} {
			check("date "+e.Code, c.storeWords(e))
		}
		for _, code := range store.FormCodes() {
			if _, ok := texts["fe."+code]; !ok {
				t.Errorf("no text for form error %s", code)
			}
			check("form "+code, c.storeWords(&store.FormError{Code: code}))
		}
		for _, err := range []error{store.ErrNotFound, store.ErrBusy, store.ErrDiskFull, store.ErrClosed, store.ErrRule, store.ErrScope,
			&store.GroupRuleError{}} {
			check(fmt.Sprint(err), c.storeWords(err))
		}
		stale := &store.StaleError{Concern: store.Concern{ID: "DL-0042"}, Moves: []store.Move{{By: "张强", Action: "tag", From: "green", To: "red"},
			{By: "张强", Action: "due", From: "2026-12-07", To: "2026-12-04", Reason: "red"}}}
		check("stale", c.storeWords(stale))
		stale.Undo = true
		check("undo refused", c.storeWords(stale))
		// A refusal reads as one, whatever the action.
		for _, op := range []store.Op{{Kind: store.OpTag, Tag: store.TagRed}, {Kind: store.OpOwner}, {Kind: store.OpDeadline},
			{Kind: store.OpSolution}, {Kind: store.OpEscalate}, {Kind: store.OpReturn}, {Kind: store.OpResolve}, {Kind: store.OpRestore}} {
			got := c.refusal(op, &store.RuleError{Code: "concern.done", Args: []string{"DL-0042", "closed"}})
			check("refusal of "+string(op.Kind), got)
			if lang == "zh" && !strings.HasPrefix(got, "未能") {
				t.Errorf("refusal of %s reads like a success: %q", op.Kind, got)
			}
		}
	}
}

// TestRealRefusalsReadInChinese makes the store refuse for real — an extension without a
// reason, an owner of another grid, a project across villages, a deadline in the past typed
// without its year — and reads each refusal as a Chinese screen shows it.
func TestRealRefusalsReadInChinese(t *testing.T) {
	st := seeded(t)
	c := &Common{Ctx: t.Context(), Store: st, Actor: store.System(), Lang: "zh"}
	cs, _ := st.Concerns(c.Ctx, store.System())
	var grid, other store.Concern
	for _, x := range cs {
		if x.Status.Open() && x.Tier == store.TierGrid && x.Plan.Deadline >= st.Today() && grid.ID == "" {
			grid = x
		}
	}
	for _, x := range cs {
		if x.Village != grid.Village && x.Status.Open() && other.ID == "" {
			other = x
		}
	}
	later, _ := time.Parse(time.DateOnly, grid.Plan.Deadline)
	_, err := st.Triage(c.Ctx, store.System(), grid.ID, -1, store.Op{Kind: store.OpDeadline, Text: later.AddDate(0, 0, 3).Format(time.DateOnly)})
	want := fmt.Sprintf("未能设定时限：%s 的时限从 %s 延到 %s 属于延期，请写明理由", grid.ID,
		grid.Plan.Deadline[5:], later.AddDate(0, 0, 3).Format("01-02"))
	if got := c.refusal(store.Op{Kind: store.OpDeadline}, err); strings.ReplaceAll(got, "2026-", "") != want {
		t.Errorf("extension without a reason:\n got %q\nwant %q", got, want)
	}
	os, _ := st.Owners(c.Ctx, store.System(), other.ID)
	_, err = st.Triage(c.Ctx, store.System(), grid.ID, -1, store.Op{Kind: store.OpOwner, Text: os[0].ID})
	if got := c.refusal(store.Op{Kind: store.OpOwner}, err); !strings.HasPrefix(got, "未能指定责任人：") || english.MatchString(got) {
		t.Errorf("owner of another place: %q", got)
	}
	_, err = st.CreateProject(c.Ctx, store.System(), "共性问题", []string{grid.ID, other.ID})
	if got := c.storeWords(err); !strings.Contains(got, "头雁工程由一个新村的党委书记亲自牵头") || english.MatchString(got) {
		t.Errorf("project across villages: %q", got)
	}
	_, err = parseDeadline("1/5", time.Date(2026, 12, 28, 9, 0, 0, 0, time.Local))
	if got := c.storeWords(err); got != "2026-01-05 已经过去（今天是 2026-12-28）；如指明年，请写 2027-01-05" {
		t.Errorf("1/5 in December: %q", got)
	}
}

// TestDeadlineNews: what a tag change did to the deadline is said at once, in words — and
// an owner change, which leaves the deadline alone, says nothing about it.
func TestDeadlineNews(t *testing.T) {
	st := seeded(t)
	c := &Common{Ctx: t.Context(), Store: st, Actor: store.System(), Lang: "zh"}
	cs, _ := st.Concerns(c.Ctx, store.System())
	for _, x := range cs {
		if !x.Status.Open() || x.Plan.DeadlineSet || x.Tag != store.TagGreen || x.Plan.Deadline <= st.Today() {
			continue
		}
		got, err := st.Triage(c.Ctx, store.System(), x.ID, x.Rev, store.Op{Kind: store.OpTag, Tag: store.TagRed})
		if err != nil {
			t.Fatal(err)
		}
		if got.Plan.Deadline == x.Plan.Deadline {
			continue // its red limit is no earlier
		}
		want := x.ID + " 时限 " + c.day(x.Plan.Deadline) + " → " + c.day(got.Plan.Deadline) + "（随红牌提前）"
		if news := c.deadlineNews(got, x.Rev); news != want {
			t.Fatalf("news %q, want %q", news, want)
		}
		os, _ := st.Owners(c.Ctx, store.System(), x.ID)
		again, err := st.Triage(c.Ctx, store.System(), x.ID, got.Rev, store.Op{Kind: store.OpOwner, Text: os[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if news := c.deadlineNews(again, got.Rev); news != "" || again.Plan.Deadline != got.Plan.Deadline {
			t.Fatalf("an owner change moved the deadline: %q", news)
		}
		return
	}
	t.Fatal("no green concern whose red limit comes earlier")
}
