package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"sanbai/search"
)

// searchKey builds the text a row is searched by (see package search).
func searchKey(parts ...string) string { return search.Key(parts...) }

// matches reports whether every word of the query is found in the key.
func matches(key, query string) bool { return search.Match(key, search.Words(query)) }

// parseDeadline reads a deadline as people type it: +3d, +2w, +3 (days), 3天, 明天, 后天,
// 12-05, 12/5 or 2026-12-05. It answers YYYY-MM-DD, never a day before today.
func parseDeadline(in string, today time.Time) (string, error) {
	s := strings.TrimSpace(strings.ToLower(in))
	s = strings.Map(func(r rune) rune { // full-width digits and signs from a Chinese input method
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '＋':
			return '+'
		case r == '－':
			return '-'
		case r == '／':
			return '/'
		}
		return r
	}, s)
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location())
	var d time.Time
	switch {
	case s == "":
		return "", fmt.Errorf("empty")
	case s == "今天" || s == "today":
		d = day
	case s == "明天" || s == "tomorrow":
		d = day.AddDate(0, 0, 1)
	case s == "后天":
		d = day.AddDate(0, 0, 2)
	case strings.HasPrefix(s, "+") || strings.HasSuffix(s, "天") || strings.HasSuffix(s, "周") || isDigits(s):
		n := strings.TrimPrefix(s, "+")
		mult := 1
		switch {
		case strings.HasSuffix(n, "d"), strings.HasSuffix(n, "天"):
			n = strings.TrimSuffix(strings.TrimSuffix(n, "d"), "天")
		case strings.HasSuffix(n, "w"), strings.HasSuffix(n, "周"):
			n, mult = strings.TrimSuffix(strings.TrimSuffix(n, "w"), "周"), 7
		}
		k, err := strconv.Atoi(n)
		if err != nil || k < 0 || k > 366 {
			return "", fmt.Errorf("not a number of days")
		}
		d = day.AddDate(0, 0, k*mult)
	default:
		s = strings.ReplaceAll(s, "/", "-")
		s = strings.ReplaceAll(s, ".", "-")
		var err error
		if d, err = time.ParseInLocation("2006-1-2", s, today.Location()); err != nil {
			if d, err = time.ParseInLocation("1-2", s, today.Location()); err != nil {
				return "", fmt.Errorf("not a date")
			}
			d = time.Date(day.Year(), d.Month(), d.Day(), 0, 0, 0, 0, today.Location())
			if d.Before(day) { // 01-05 typed in December means next January
				d = d.AddDate(1, 0, 0)
			}
		}
	}
	if d.Before(day) {
		return "", fmt.Errorf("in the past")
	}
	return d.Format(time.DateOnly), nil
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
