// Package dates reads the days people type — a deadline, a revisit deadline, a visit or a
// meeting date — and writes days back on screen. One parser for every field, so that no two
// screens read "1/5" differently: a day typed without a year is in this year, never silently
// the next; a day outside what the field accepts is refused with the reason (a deadline in the
// past, a visit before the campaign began), never moved to fit.
//
// The store (which checks what it is given) and the interface (which reads what is typed) both
// use it; it depends on nothing but the standard library.
package dates

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Layout is how every day is stored and exchanged: YYYY-MM-DD.
const Layout = time.DateOnly

// Error codes: what is wrong with a day typed.
const (
	CodeEmpty  = "empty"  // nothing typed
	CodeFormat = "format" // not a day
	CodePast   = "past"   // before today, where the field wants today or later
	CodeFuture = "future" // after today, where the field wants a day that has been
	CodeEarly  = "early"  // before the earliest day the field accepts (the campaign's start)
)

// Error says why a typed day was refused. The interface words it in the user's language from
// Code, Date, Limit and NextYear; Error() is for logs.
type Error struct {
	Code  string
	Input string
	// Date is the day read (YYYY-MM-DD) when the input was a day at all.
	Date string
	// Limit is the bound broken: today for past and future, the earliest day for early.
	Limit string
	// NextYear is, for a day typed without a year that falls before today, the same day a
	// year later: what the person may have meant, offered rather than assumed.
	NextYear string
}

func (e *Error) Error() string {
	switch e.Code {
	case CodeEmpty:
		return "no date given"
	case CodeFormat:
		return fmt.Sprintf("%q is not a date (write 12-05, 2026-12-05, +3d or 明天)", e.Input)
	case CodePast:
		if e.NextYear != "" {
			return fmt.Sprintf("%s is in the past (today is %s); for next year write %s", e.Date, e.Limit, e.NextYear)
		}
		return fmt.Sprintf("%s is in the past (today is %s)", e.Date, e.Limit)
	case CodeFuture:
		return fmt.Sprintf("%s is in the future (today is %s)", e.Date, e.Limit)
	case CodeEarly:
		return fmt.Sprintf("%s is before %s, the earliest day allowed", e.Date, e.Limit)
	}
	return "bad date " + e.Input
}

// Window is the days a field accepts, both ends included; an empty end is open.
type Window struct {
	From, To string // YYYY-MM-DD
}

// Parse reads a day as people type it, relative to today: 今天/today, 明天/tomorrow, 后天,
// 昨天/yesterday, 前天; a number of days or weeks ahead (+3d, +3, 3, 3天, +2w, 2周); a day with
// its year (2026-12-05, 2026/12/5, 2026.12.5, 2026年12月5日) or without (12-05, 12/5, 12.5,
// 12月5日 or 12月5号), which is in today's year. Full-width digits and signs from a Chinese
// input method are read as ASCII. A day outside w is refused with an *Error saying which
// bound it broke; so is anything that is not a day.
func Parse(in string, today time.Time, w Window) (string, error) {
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	d, noYear, err := read(in, day)
	if err != nil {
		return "", err
	}
	ds := d.Format(Layout)
	ts := day.Format(Layout)
	switch {
	case w.From != "" && ds < w.From && w.From == ts:
		e := &Error{Code: CodePast, Input: in, Date: ds, Limit: ts}
		if noYear {
			e.NextYear = d.AddDate(1, 0, 0).Format(Layout)
		}
		return "", e
	case w.From != "" && ds < w.From:
		return "", &Error{Code: CodeEarly, Input: in, Date: ds, Limit: w.From}
	case w.To != "" && ds > w.To && w.To == ts:
		return "", &Error{Code: CodeFuture, Input: in, Date: ds, Limit: ts}
	case w.To != "" && ds > w.To:
		return "", &Error{Code: CodeFuture, Input: in, Date: ds, Limit: w.To}
	}
	return ds, nil
}

// Deadline reads a deadline: today or later.
func Deadline(in string, today time.Time) (string, error) {
	return Parse(in, today, Window{From: today.Format(Layout)})
}

// Past reads the day something happened (a visit, a meeting): today or earlier, and not
// before since (the campaign's start) when since is given.
func Past(in string, today time.Time, since string) (string, error) {
	return Parse(in, today, Window{From: since, To: today.Format(Layout)})
}

// CheckDeadline checks a stored-form day (YYYY-MM-DD) as a deadline: a day, and not before
// today. The store uses it on what it is given, whatever screen or command typed it.
func CheckDeadline(d string, today time.Time) error {
	t, err := time.Parse(Layout, d)
	if err != nil || t.Format(Layout) != d {
		return &Error{Code: CodeFormat, Input: d}
	}
	if ts := today.Format(Layout); d < ts {
		return &Error{Code: CodePast, Input: d, Date: d, Limit: ts}
	}
	return nil
}

// Short writes a stored day for a row: MM-DD when it is in today's year, the whole day
// (YYYY-MM-DD) otherwise, so a deadline of next January never reads as this January.
// Anything that is not a stored day is returned as it is.
func Short(d string, today time.Time) string {
	if len(d) != 10 || d[4] != '-' {
		return d
	}
	if d[:4] == strconv.Itoa(today.Year()) {
		return d[5:]
	}
	return d
}

// read parses the input into a day; noYear reports a day written without its year.
func read(in string, day time.Time) (d time.Time, noYear bool, err error) {
	s := normalize(in)
	bad := &Error{Code: CodeFormat, Input: in}
	switch s {
	case "":
		return d, false, &Error{Code: CodeEmpty, Input: in}
	case "今天", "今日", "today":
		return day, false, nil
	case "明天", "明日", "tomorrow":
		return day.AddDate(0, 0, 1), false, nil
	case "后天":
		return day.AddDate(0, 0, 2), false, nil
	case "昨天", "昨日", "yesterday":
		return day.AddDate(0, 0, -1), false, nil
	case "前天":
		return day.AddDate(0, 0, -2), false, nil
	}
	if n, ok := relative(s); ok {
		if n < 0 || n > 366 {
			return d, false, bad
		}
		return day.AddDate(0, 0, n), false, nil
	}
	// 2026年12月5日, 12月5号 → 2026-12-5, 12-5.
	s = strings.NewReplacer("年", "-", "月", "-", "日", "", "号", "", "/", "-", ".", "-").Replace(s)
	parts := strings.Split(s, "-")
	nums := make([]int, 0, 3)
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || p == "" || len(p) > 4 {
			return d, false, bad
		}
		nums = append(nums, n)
	}
	y, m, dd := day.Year(), 0, 0
	switch len(nums) {
	case 2:
		m, dd, noYear = nums[0], nums[1], true
	case 3:
		if len(parts[0]) != 4 {
			return d, false, bad
		}
		y, m, dd = nums[0], nums[1], nums[2]
	default:
		return d, false, bad
	}
	d = time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC)
	// time.Date normalizes 2-30 into March: a day that does not exist is not a day.
	if m < 1 || m > 12 || dd < 1 || d.Day() != dd || int(d.Month()) != m {
		return time.Time{}, false, bad
	}
	return d, noYear, nil
}

// relative reads "+3d", "+3", "3", "3天", "+2w", "2周" as a number of days ahead; ok is false
// when the input is not written as a count of days at all, and n is -1 when it is but the
// count is not a number.
func relative(s string) (n int, ok bool) {
	num, plus := strings.CutPrefix(s, "+")
	mult, unit := 1, false
	for _, u := range []struct {
		suffix string
		days   int
	}{{"d", 1}, {"天", 1}, {"w", 7}, {"周", 7}} {
		if rest, cut := strings.CutSuffix(num, u.suffix); cut {
			num, mult, unit = rest, u.days, true
			break
		}
	}
	if !plus && !unit && !isDigits(num) {
		return 0, false
	}
	if !isDigits(num) || len(num) > 4 {
		return -1, true
	}
	k, _ := strconv.Atoi(num)
	return k * mult, true
}

// normalize lowers ASCII, trims, and turns full-width digits and signs into ASCII.
func normalize(in string) string {
	s := strings.TrimSpace(strings.ToLower(in))
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '＋':
			return '+'
		case r == '－':
			return '-'
		case r == '／':
			return '/'
		case r == '．' || r == '。':
			return '.'
		case r == ' ' || r == '　':
			return -1
		}
		return r
	}, s)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
